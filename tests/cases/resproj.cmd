derive samples/resproj.net --format text
