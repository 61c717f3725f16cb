expand samples/fc.net --env multline*
