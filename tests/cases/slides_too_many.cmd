slides samples/deep_relu.net --wrt w[0][1][1]
