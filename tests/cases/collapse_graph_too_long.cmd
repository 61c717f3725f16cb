derive tests/cases/collapse_graph_too_long.net --collapse --format text
