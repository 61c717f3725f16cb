/* output.h — where a command's output goes.
 *
 * Standard output, or -o FILE: a new or regular FILE is written to a
 * temporary file in the same folder and renamed over FILE only when every
 * write succeeded, so no half-written file is ever left; an existing
 * device, pipe or socket (/dev/null, /dev/full) is written directly and
 * never replaced.  The Output owns its FILE* and temporary name.
 */
#ifndef PG_OUTPUT_H
#define PG_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

typedef struct Output {
    FILE *f;
    const char *path;     /* NULL: standard output */
    char *tmp;            /* the temporary file, if any */
} Output;

/* 0, or -1 after a message */
int output_open(Output *o, const char *path);
/* finish: flush, close, rename.  OK false: discard (remove the temporary
 * file).  Returns 0, or -1 after a message. */
int output_close(Output *o, bool ok);

#endif
