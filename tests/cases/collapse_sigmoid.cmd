derive samples/sigmoid.net --collapse
