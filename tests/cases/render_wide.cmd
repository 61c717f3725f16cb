render tests/cases/wide.net --stage act --only-paths
