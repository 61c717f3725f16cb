/* diag.h — source text, and the one channel every message goes through.
 *
 * A Source owns a copy of the whole input (NUL-terminated) and its display
 * name; source_free releases both.
 *
 * Every message pathgrad prints is an error or a note, and reads either
 *     FILE:LINE:COL: error: MESSAGE      (located: the source line and a
 *     the source line                     caret under the span follow)
 *        ^~~~
 * or
 *     FILE: error: MESSAGE               (a file, no place in it)
 *     pathgrad: error: MESSAGE           (no file)
 * Lines and columns are 1-based; columns count bytes, tabs are copied into
 * the caret line so that the caret stays under the span.
 *
 * Messages go to a sink, standard error by default.  diag_set_sink replaces
 * it (report collects the messages of a stage into its page, the fuzzers
 * silence them); the previous sink is returned so that it can be put back.
 * Library code only reports and returns -1: main.c alone turns failures
 * into exit statuses.
 */
#ifndef PG_DIAG_H
#define PG_DIAG_H

#include <stdarg.h>
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

/* Read PATH ("-" is standard input) whole.  On failure report and
 * return -1.  Inputs larger than PG_MAX_INPUT (bounds.h) are refused. */
int source_read(Source *src, const char *path);
void source_from_string(Source *src, const char *name, const char *text, size_t len);
void source_free(Source *src);

typedef enum { DIAG_ERROR, DIAG_NOTE } DiagLevel;

/* one message, as the sink receives it */
typedef struct Diag {
    DiagLevel level;
    const char *where;       /* "file:3:7", "file" or "pathgrad" */
    const char *message;     /* the text after "error: " */
    const char *excerpt;     /* the source line and caret, "" if none */
    const char *hint;        /* a line after it ("Try 'pathgrad --help'."), or NULL */
} Diag;

typedef struct DiagSink {
    void (*fn)(void *ctx, const Diag *d);
    void *ctx;
} DiagSink;

/* install SINK (fn NULL: standard error); returns the one it replaces */
DiagSink diag_set_sink(DiagSink sink);
/* the number of errors reported since the program started */
unsigned long diag_error_count(void);

void diag_error(const Source *src, Loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void diag_note(const Source *src, Loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* an error in a file, with no place in it: "FILE: error: MESSAGE" */
void diag_file_error(const char *file, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* an error with no file: "pathgrad: error: MESSAGE" */
void pg_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pg_verror(const char *fmt, va_list ap);
/* a usage error: the same, then "Try 'pathgrad COMMAND --help'." (CMD NULL:
 * 'pathgrad --help') */
void pg_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
