render samples/kinks.net --colors --format dot
