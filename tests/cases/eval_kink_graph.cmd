eval tests/cases/kink_graph.net --values tests/cases/kink_graph.values --check
