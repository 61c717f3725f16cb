eval samples/lstm.net --values samples/lstm.values --of 'c[3]'
