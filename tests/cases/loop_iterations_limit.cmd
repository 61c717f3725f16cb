check tests/cases/loop_iterations_limit.net
