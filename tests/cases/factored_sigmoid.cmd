derive samples/sigmoid.net --stage factored
