render samples/sigmoid.net
