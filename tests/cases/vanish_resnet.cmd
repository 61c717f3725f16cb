vanish samples/deep_resnet.net --format json
