#!/bin/sh
# pathgrad under valgrind, for 'make valgrind': any error or leak of
# pathgrad's own makes the run exit 99 (and print to stderr), which fails
# the test that ran it.
exec valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect,possible \
    --error-exitcode=99 --suppressions="$(dirname "$0")/gvc.supp" "$PG_REAL" "$@"
