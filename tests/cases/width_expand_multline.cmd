expand samples/sigmoid.net --node y[n][1] --env multline*
