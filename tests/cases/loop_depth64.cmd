count tests/cases/loop_depth64.net
