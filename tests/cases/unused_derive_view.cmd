derive samples/fc.net --view network
