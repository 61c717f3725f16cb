derive tests/cases/graph_output.net --wrt a --format text
