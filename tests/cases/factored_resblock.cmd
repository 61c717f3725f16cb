derive samples/resblock.net --stage factored
