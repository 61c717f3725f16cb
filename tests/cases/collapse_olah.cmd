derive samples/olah.net --collapse
