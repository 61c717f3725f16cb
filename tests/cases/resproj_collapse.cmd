derive samples/resproj.net --collapse
