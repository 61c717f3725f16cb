derive tests/cases/does-not-exist.net
