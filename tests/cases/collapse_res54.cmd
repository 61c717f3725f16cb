derive samples/res54.net --collapse
