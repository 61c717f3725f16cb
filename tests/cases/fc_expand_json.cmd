expand samples/fc.net --format json
