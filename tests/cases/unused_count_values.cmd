count samples/fc.net --values nonexistent.values
