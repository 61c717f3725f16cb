eval samples/micrograd.net --values samples/micrograd.values --check
