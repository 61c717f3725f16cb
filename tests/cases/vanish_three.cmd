vanish samples/deep_sigmoid.net samples/deep_relu.net samples/deep_resnet.net
