derive --help
