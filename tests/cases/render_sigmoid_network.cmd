render samples/sigmoid.net --view network
