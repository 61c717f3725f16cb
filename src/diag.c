/* diag.c — see diag.h. */
#include "diag.h"
#include "bounds.h"
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
        pg_error("cannot open '%s': %s", path, strerror(errno));
        return -1;
    }
    Buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (limit_check(b.len + n, PG_MAX_INPUT, NULL, (Loc){0, 0, 0, 0},
                        "%s: input is larger than the limit of %zu MiB", is_stdin ? "<stdin>" : path,
                        PG_MAX_INPUT >> 20) < 0) {
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
        pg_error("cannot read '%s': %s", path, strerror(saved));
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
static void show_line(const Source *src, Loc loc, Buf *b)
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
    buf_puts(b, from > 0 ? "  ..." : "  ");
    /* control characters other than tab would garble the terminal */
    for (long i = from; i < to; i++)
        buf_putc(b, (s[i] == '\t' || (unsigned char)s[i] >= 0x20) && s[i] != 0x7f ? s[i] : '?');
    buf_puts(b, to < len ? "...\n" : "\n");
    buf_puts(b, from > 0 ? "     " : "  ");
    for (long i = from; i < col; i++)
        buf_putc(b, s[i] == '\t' ? '\t' : ' ');
    buf_putc(b, '^');
    for (long i = col + 1; i <= last; i++)
        buf_putc(b, '~');
    buf_putc(b, '\n');
}

/* ---- the sink ---- */

static void stderr_sink(void *ctx, const Diag *d)
{
    (void)ctx;
    fflush(stdout);
    fprintf(stderr, "%s: %s: %s\n%s", d->where, d->level == DIAG_NOTE ? "note" : "error", d->message,
            d->excerpt);
    if (d->hint)
        fprintf(stderr, "%s\n", d->hint);
}

static DiagSink sink = {stderr_sink, NULL};
static unsigned long nerrors;

DiagSink diag_set_sink(DiagSink s)
{
    DiagSink old = sink;
    sink = s.fn ? s : (DiagSink){stderr_sink, NULL};
    return old;
}

unsigned long diag_error_count(void) { return nerrors; }

static void emit(DiagLevel level, const char *where, const char *excerpt, const char *hint,
                 const char *fmt, va_list ap)
{
    Buf msg = {0};
    buf_vprintf(&msg, fmt, ap);
    if (level == DIAG_ERROR)
        nerrors++;
    Diag d = {level, where, buf_cstr(&msg), excerpt ? excerpt : "", hint};
    sink.fn(sink.ctx, &d);
    buf_free(&msg);
}

static void located(const Source *src, Loc loc, DiagLevel level, const char *fmt, va_list ap)
{
    Buf where = {0}, ex = {0};
    buf_printf(&where, "%s:%d:%d", src->name, loc.first_line, loc.first_column);
    show_line(src, loc, &ex);
    emit(level, buf_cstr(&where), buf_cstr(&ex), NULL, fmt, ap);
    buf_free(&where);
    buf_free(&ex);
}

void diag_error(const Source *src, Loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    located(src, loc, DIAG_ERROR, fmt, ap);
    va_end(ap);
}

void diag_note(const Source *src, Loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    located(src, loc, DIAG_NOTE, fmt, ap);
    va_end(ap);
}

void diag_file_error(const char *file, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit(DIAG_ERROR, file, NULL, NULL, fmt, ap);
    va_end(ap);
}

void pg_verror(const char *fmt, va_list ap)
{
    emit(DIAG_ERROR, PG_NAME, NULL, NULL, fmt, ap);
}

void pg_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pg_verror(fmt, ap);
    va_end(ap);
}

void pg_usage_error(const char *cmd, const char *fmt, ...)
{
    Buf hint = {0};
    buf_printf(&hint, "Try 'pathgrad %s%s--help'.", cmd ? cmd : "", cmd ? " " : "");
    va_list ap;
    va_start(ap, fmt);
    emit(DIAG_ERROR, PG_NAME, NULL, buf_cstr(&hint), fmt, ap);
    va_end(ap);
    buf_free(&hint);
}

/* ---- limits ---- */

static int refuse(const Source *src, Loc loc, const char *fmt, va_list ap)
{
    if (src)
        located(src, loc, DIAG_ERROR, fmt, ap);
    else
        pg_verror(fmt, ap);
    return -1;
}

int limit_check(unsigned long long v, unsigned long long limit, const Source *src, Loc loc,
                const char *fmt, ...)
{
    if (v <= limit)
        return 0;
    va_list ap;
    va_start(ap, fmt);
    refuse(src, loc, fmt, ap);
    va_end(ap);
    return -1;
}

int limit_check2(unsigned long long v1, unsigned long long limit1, unsigned long long v2,
                 unsigned long long limit2, const Source *src, Loc loc, const char *fmt, ...)
{
    if (v1 <= limit1 && v2 <= limit2)
        return 0;
    va_list ap;
    va_start(ap, fmt);
    refuse(src, loc, fmt, ap);
    va_end(ap);
    return -1;
}
