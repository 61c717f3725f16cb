expand samples/fc.net --node Loss
