derive tests/cases/graph_outputs.net --wrt a
