eval samples/kinks.net --values samples/kinks.values --check
