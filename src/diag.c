/* diag.c — see diag.h. */
#include "diag.h"
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int source_read(Source *src, const char *path)
{
    int is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f) {
        fprintf(stderr, PG_NAME ": cannot open '%s': %s\n", path, strerror(errno));
        return -1;
    }
    Buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (b.len + n > PG_MAX_INPUT) {
            fprintf(stderr, PG_NAME ": %s: input is larger than the limit of %zu MiB\n",
                    is_stdin ? "<stdin>" : path, PG_MAX_INPUT >> 20);
            buf_free(&b);
            if (!is_stdin)
                fclose(f);
            return -1;
        }
        buf_add(&b, chunk, n);
    }
    int err = ferror(f);
    int saved = errno;
    if (!is_stdin)
        fclose(f);
    if (err) {
        fprintf(stderr, PG_NAME ": cannot read '%s': %s\n", path, strerror(saved));
        buf_free(&b);
        return -1;
    }
    buf_cstr(&b);
    src->name = xstrdup(is_stdin ? "<stdin>" : path);
    src->text = b.data;
    src->len = b.len;
    return 0;
}

void source_from_string(Source *src, const char *name, const char *text, size_t len)
{
    src->name = xstrdup(name);
    src->text = xmalloc(len + 1);
    memcpy(src->text, text, len);
    src->text[len] = '\0';
    src->len = len;
}

void source_free(Source *src)
{
    free(src->name);
    free(src->text);
    src->name = src->text = NULL;
    src->len = 0;
}

/* start of line LINE (1-based) in the text, or NULL */
static const char *line_start(const Source *src, int line)
{
    const char *p = src->text, *end = src->text + src->len;
    for (int l = 1; l < line; l++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            return NULL;
        p = nl + 1;
    }
    return p;
}

/* the source line and a caret line under LOC's span; a long line is shown
 * as a window of it around the span */
#define DIAG_WIDTH 100
static void show_line(const Source *src, Loc loc)
{
    const char *s = line_start(src, loc.first_line);
    if (!s)
        return;
    const char *end = src->text + src->len;
    const char *e = memchr(s, '\n', (size_t)(end - s));
    if (!e)
        e = end;
    if (e > s && e[-1] == '\r')
        e--;
    long len = (long)(e - s);
    long col = loc.first_column < 1 ? 0 : loc.first_column - 1;   /* 0-based */
    long last = loc.last_line == loc.first_line ? loc.last_column - 1 : col;
    if (col > len)
        col = len;
    if (last < col)
        last = col;
    long from = 0, to = len;
    if (len > DIAG_WIDTH) {
        from = col > DIAG_WIDTH / 2 ? col - DIAG_WIDTH / 2 : 0;
        to = from + DIAG_WIDTH < len ? from + DIAG_WIDTH : len;
        if (last >= to)
            last = to - 1;
    }
    Buf b = {0};
    buf_puts(&b, from > 0 ? "  ..." : "  ");
    /* control characters other than tab would garble the terminal */
    for (long i = from; i < to; i++)
        buf_putc(&b, (s[i] == '\t' || (unsigned char)s[i] >= 0x20) && s[i] != 0x7f ? s[i] : '?');
    buf_puts(&b, to < len ? "...\n" : "\n");
    buf_puts(&b, from > 0 ? "     " : "  ");
    for (long i = from; i < col; i++)
        buf_putc(&b, s[i] == '\t' ? '\t' : ' ');
    buf_putc(&b, '^');
    for (long i = col + 1; i <= last; i++)
        buf_putc(&b, '~');
    buf_putc(&b, '\n');
    fputs(buf_cstr(&b), stderr);
    buf_free(&b);
}

static void report(const Source *src, Loc loc, const char *kind, const char *fmt, va_list ap)
{
    fflush(stdout);
    fprintf(stderr, "%s:%d:%d: %s: ", src->name, loc.first_line, loc.first_column, kind);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    show_line(src, loc);
}

void diag_error(const Source *src, Loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(src, loc, "error", fmt, ap);
    va_end(ap);
}

void diag_note(const Source *src, Loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(src, loc, "note", fmt, ap);
    va_end(ap);
}

void diag_file_error(const Source *src, const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fprintf(stderr, "%s: error: ", src->name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}
