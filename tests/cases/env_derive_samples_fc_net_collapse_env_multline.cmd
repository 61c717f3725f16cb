derive samples/fc.net --collapse --env multline
