/* diag.h — source text and located diagnostics.
 *
 * A Source owns a copy of the whole input (NUL-terminated) and its display
 * name; source_free releases both.  Diagnostics print to stderr as
 *     FILE:LINE:COL: error: MESSAGE
 *     the source line
 *        ^~~~
 * Lines and columns are 1-based; columns count bytes, tabs are copied into
 * the caret line so that the caret stays under the span.
 */
#ifndef PG_DIAG_H
#define PG_DIAG_H

#include <stddef.h>

/* Bison's location layout, shared by tokens, syntax nodes and graph nodes */
typedef struct Loc {
    int first_line, first_column, last_line, last_column;
} Loc;

typedef struct Source {
    char *name;      /* as shown in diagnostics: the path, or "<stdin>" */
    char *text;
    size_t len;
} Source;

/* the largest input accepted, in bytes */
#define PG_MAX_INPUT ((size_t)64 << 20)

/* Read PATH ("-" is standard input) whole.  On failure print a message
 * and return -1. */
int source_read(Source *src, const char *path);
void source_from_string(Source *src, const char *name, const char *text, size_t len);
void source_free(Source *src);

void diag_error(const Source *src, Loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void diag_note(const Source *src, Loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* an error with no location in the file: "FILE: error: MESSAGE" */
void diag_file_error(const Source *src, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
