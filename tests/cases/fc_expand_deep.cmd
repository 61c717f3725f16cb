expand samples/fc.net --node y[n][2] --format text
