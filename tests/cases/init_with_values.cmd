eval samples/olah.net --values samples/olah.values --init he
