derive samples/olah.net --stage factored
