expand tests/errors/forward_too_deep.net --node y[3100][1]
