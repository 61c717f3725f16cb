vanish samples/deep_relu.net
