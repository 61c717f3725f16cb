derive tests/hostile/names.net --latex-names textbook
