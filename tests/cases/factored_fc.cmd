derive samples/fc.net --stage factored
