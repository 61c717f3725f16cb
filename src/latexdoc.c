/* latexdoc.c — see latexdoc.h.  The filter is a stdio cookie stream: the
 * writers of LaTeX stay unaware of it, and output keeps streaming line by
 * line whatever its size. */
#define _GNU_SOURCE
#include "latexdoc.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    LatexEnv env;
} env_names[] = {
    {"bare", ENV_BARE},         {"equation", ENV_EQUATION}, {"equation*", ENV_EQUATION_STAR},
    {"align", ENV_ALIGN},       {"align*", ENV_ALIGN_STAR}, {"multline", ENV_MULTLINE},
    {"multline*", ENV_MULTLINE_STAR},
};

int latex_env_parse(const char *s, LatexEnv *out)
{
    for (size_t i = 0; i < sizeof env_names / sizeof env_names[0]; i++)
        if (strcmp(s, env_names[i].name) == 0) {
            *out = env_names[i].env;
            return 0;
        }
    return -1;
}

typedef struct Filter {
    FILE *dst;
    LatexEnv env;
    Buf line;               /* the line being received */
    Buf row;                /* the last row, held until the next one shows
                               how it must end */
    bool have_row, row_cont;  /* row_cont: it ends with \\ (a path follows) */
    bool open;              /* an environment is open */
} Filter;

static bool aligned(LatexEnv e) { return e != ENV_BARE && e != ENV_MULTLINE && e != ENV_MULTLINE_STAR; }
static bool multline(LatexEnv e) { return e == ENV_MULTLINE || e == ENV_MULTLINE_STAR; }

static void env_begin(Filter *f)
{
    static const char *const begin[] = {
        [ENV_EQUATION] = "\\begin{equation}\n\\begin{aligned}\n",
        [ENV_EQUATION_STAR] = "\\begin{equation*}\n\\begin{aligned}\n",
        [ENV_ALIGN] = "\\begin{align}\n", [ENV_ALIGN_STAR] = "\\begin{align*}\n",
        [ENV_MULTLINE] = "\\begin{multline}\n", [ENV_MULTLINE_STAR] = "\\begin{multline*}\n",
    };
    fputs(begin[f->env], f->dst);
    f->open = true;
}

static void env_end(Filter *f)
{
    static const char *const end[] = {
        [ENV_EQUATION] = "\\end{aligned}\n\\end{equation}\n",
        [ENV_EQUATION_STAR] = "\\end{aligned}\n\\end{equation*}\n",
        [ENV_ALIGN] = "\\end{align}\n", [ENV_ALIGN_STAR] = "\\end{align*}\n",
        [ENV_MULTLINE] = "\\end{multline}\n", [ENV_MULTLINE_STAR] = "\\end{multline*}\n",
    };
    if (f->open)
        fputs(end[f->env], f->dst);
    f->open = false;
}

/* write the held row; LAST: nothing follows it in this environment */
static void flush_row(Filter *f, bool last)
{
    if (!f->have_row)
        return;
    Buf *r = &f->row;
    if (f->row_cont && f->env == ENV_ALIGN) {
        /* a path follows: only an equation's last row is numbered */
        buf_truncate(r, r->len - 2);
        buf_puts(r, "\\nonumber \\\\");
    } else if (!f->row_cont && !last && aligned(f->env)) {
        buf_puts(r, " \\\\");     /* another equation's rows follow */
    }
    buf_putc(r, '\n');
    fwrite(r->data, 1, r->len, f->dst);
    f->have_row = false;
}

/* "a= b" -> "a&= b": the first '=' outside braces */
static void align_at_equals(Buf *out, const char *s, size_t n)
{
    int depth = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '{')
            depth++;
        else if (s[i] == '}')
            depth--;
        else if (s[i] == '=' && depth == 0) {
            buf_add(out, s, i);
            buf_putc(out, '&');
            buf_add(out, s + i, n - i);
            return;
        }
    }
    buf_add(out, s, n);
}

static void take_line(Filter *f, const char *s, size_t n)
{
    if (f->env == ENV_BARE) {
        fwrite(s, 1, n, f->dst);
        fputc('\n', f->dst);
        return;
    }
    if (n == 0) {                 /* between two derivations */
        flush_row(f, true);
        env_end(f);
        fputc('\n', f->dst);
        return;
    }
    bool cont = f->have_row && f->row_cont;
    size_t t = n;
    while (t > 0 && s[t - 1] == ' ')
        t--;
    bool ends_cont = t >= 2 && s[t - 2] == '\\' && s[t - 1] == '\\';
    if (!cont && f->open && multline(f->env)) {
        flush_row(f, true);       /* one multline per equation */
        env_end(f);
    }
    flush_row(f, false);
    if (!f->open)
        env_begin(f);
    buf_truncate(&f->row, 0);
    if (!aligned(f->env))
        buf_add(&f->row, s, t);
    else if (cont) {
        buf_puts(&f->row, "&\\quad ");
        buf_add(&f->row, s, t);
    } else {
        align_at_equals(&f->row, s, t);
    }
    f->have_row = true;
    f->row_cont = ends_cont;
}

static ssize_t filter_write(void *cookie, const char *buf, size_t size)
{
    Filter *f = cookie;
    for (size_t i = 0; i < size; i++) {
        if (buf[i] == '\n') {
            take_line(f, f->line.data ? f->line.data : "", f->line.len);
            buf_truncate(&f->line, 0);
        } else {
            buf_putc(&f->line, buf[i]);
        }
    }
    return ferror(f->dst) ? -1 : (ssize_t)size;
}

static int filter_close(void *cookie)
{
    Filter *f = cookie;
    if (f->line.len)
        take_line(f, f->line.data, f->line.len);
    flush_row(f, true);
    env_end(f);
    int rc = ferror(f->dst) ? -1 : 0;
    buf_free(&f->line);
    buf_free(&f->row);
    free(f);
    return rc;
}

FILE *latex_env_open(FILE *dst, LatexEnv env)
{
    Filter *f = xcalloc(1, sizeof *f);
    f->dst = dst;
    f->env = env;
    cookie_io_functions_t io = {.read = NULL, .write = filter_write, .seek = NULL, .close = filter_close};
    FILE *s = fopencookie(f, "w", io);
    if (!s)
        pg_fatal("cannot make a stream");
    return s;
}

/* S as LaTeX text mode: every special character escaped */
void latex_text_escape(FILE *out, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '\\': fputs("\\textbackslash{}", out); break;
        case '^': fputs("\\textasciicircum{}", out); break;
        case '~': fputs("\\textasciitilde{}", out); break;
        case '{': case '}': case '#': case '$': case '%': case '&': case '_':
            fputc('\\', out);
            fputc(c, out);
            break;
        default:
            /* control characters and non-ASCII bytes (maybe not UTF-8,
             * maybe not in the font) print as '?' */
            fputc(c < 0x20 || c >= 0x7f ? '?' : c, out);
        }
    }
}

void latex_doc_begin(FILE *out, const char *title, const char *what)
{
    fputs("\\documentclass[11pt]{article}\n"
          "\\usepackage[a4paper,margin=2cm]{geometry}\n"
          "\\usepackage{amsmath}\n"
          "\\allowdisplaybreaks\n"
          "\\begin{document}\n"
          "\\noindent\\texttt{", out);
    latex_text_escape(out, title);
    fputs("}: ", out);
    latex_text_escape(out, what);
    fputs("\n\n", out);
}

void latex_doc_end(FILE *out) { fputs("\\end{document}\n", out); }
