derive samples/sigmoid.net --stage act
