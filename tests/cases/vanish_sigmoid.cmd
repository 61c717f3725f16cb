vanish samples/deep_sigmoid.net
