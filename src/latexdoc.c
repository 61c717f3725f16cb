/* latexdoc.c — see latexdoc.h.  The filter is a stdio cookie stream: the
 * writers of LaTeX stay unaware of it, and output keeps streaming line by
 * line whatever its size. */
#define _GNU_SOURCE
#include "latexdoc.h"
#include "texwidth.h"
#include "util.h"

#include <ctype.h>
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
    double width;           /* the measure, pt; 0: lines are never broken */
    bool shrink;            /* scale what cannot break to fit (graphicx) */
    double lhs;             /* the width of this equation's left side */
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

static size_t equals_at(const char *s, size_t n);

/* "a= b" -> "a&= b": the first '=' outside braces */
static void align_at_equals(Buf *out, const char *s, size_t n)
{
    size_t i = equals_at(s, n);
    buf_add(out, s, i);
    if (i < n) {
        buf_putc(out, '&');
        buf_add(out, s + i, n - i);
    }
}

/* one line, as the writer gave it or a piece of one: a row of the
 * environment; INDENT sets a continuation row in from the equals sign */
static void put_line(Filter *f, const char *s, size_t n, const char *indent)
{
    size_t t = n;
    while (t > 0 && s[t - 1] == ' ')
        t--;
    bool ends_cont = t >= 2 && s[t - 2] == '\\' && s[t - 1] == '\\';
    if (f->env == ENV_BARE) {
        fwrite(s, 1, n, f->dst);
        fputc('\n', f->dst);
        f->row_cont = ends_cont;
        return;
    }
    if (n == 0) {                 /* between two derivations */
        flush_row(f, true);
        env_end(f);
        fputc('\n', f->dst);
        f->row_cont = false;
        return;
    }
    bool cont = f->have_row && f->row_cont;
    if (!cont && f->open && multline(f->env)) {
        flush_row(f, true);       /* one multline per equation */
        env_end(f);
    }
    flush_row(f, false);
    if (!f->open)
        env_begin(f);
    buf_truncate(&f->row, 0);
    if (!aligned(f->env)) {
        buf_add(&f->row, s, t);
    } else if (cont) {
        buf_putc(&f->row, '&');
        buf_puts(&f->row, indent);
        buf_add(&f->row, s, t);
    } else {
        align_at_equals(&f->row, s, t);
    }
    f->have_row = true;
    f->row_cont = ends_cont;
}

/* ---- breaking a line that is wider than the measure ----
 *
 * Where a line may break: before a + or - between two terms, or between
 * two factors of a product (the next row then begins with \cdot, as books
 * repeat the multiplication sign), at the top level or inside plain or
 * \Bigl( parentheses, never inside braces, \left..\right, a function's
 * argument list, or between a coefficient and what it multiplies.  The
 * rows are filled greedily; a break at a + at the top level is preferred
 * to one between factors, and both to one inside parentheses. */
typedef struct Brk {
    size_t at;
    int depth;                /* parentheses around it */
    bool sum;                 /* before + or -, else between factors */
    bool dot;                 /* the text there is \cdot already */
} Brk;

/* what came last: nothing (a row may not break after it), a coefficient,
 * a factor, a function's name (its argument list follows), a letter or a
 * prime that may be one (f(x), h(m,n), f'(x)), a closing parenthesis, a
 * fraction, a \sum or \prod */
enum { P_NONE, P_NUM, P_ATOM, P_FUNC, P_CALL, P_CLOSE, P_FRAC, P_BIGOP };

/* past the group or single token at I */
static size_t skip_arg(const char *s, size_t n, size_t i)
{
    while (i < n && s[i] == ' ')
        i++;
    if (i >= n)
        return n;
    if (s[i] == '\\') {
        i++;
        if (i < n && isalpha((unsigned char)s[i]))
            while (i < n && isalpha((unsigned char)s[i]))
                i++;
        else if (i < n)
            i++;
        return i;
    }
    if (s[i] != '{')
        return i + 1;
    int d = 0;
    for (; i < n; i++) {
        if (s[i] == '\\' && i + 1 < n)
            i++;
        else if (s[i] == '{')
            d++;
        else if (s[i] == '}' && --d == 0)
            return i + 1;
    }
    return n;
}

static size_t skip_scripts(const char *s, size_t n, size_t i)
{
    while (i < n && (s[i] == '^' || s[i] == '_' || s[i] == '\''))
        i = s[i] == '\'' ? i + 1 : skip_arg(s, n, i + 1);
    return i;
}

static bool word_is(const char *w, size_t k, const char *lit) { return strlen(lit) == k && memcmp(w, lit, k) == 0; }

/* the places S[FROM..N) may break */
static size_t find_breaks(const char *s, size_t n, size_t from, Brk **out, int *cap)
{
    size_t m = 0;
    int paren = 0, left = 0, prev = P_NONE;
#define CAND(pos, is_sum, is_dot)                                                            \
    do {                                                                                     \
        if (left == 0 && (pos) > from) {                                                     \
            *out = xgrow(*out, m, cap, sizeof **out);                                        \
            (*out)[m++] = (Brk){(pos), paren, (is_sum), (is_dot)};                           \
        }                                                                                    \
    } while (0)
    bool after_atom;
    for (size_t i = from; i < n;) {
        char c = s[i];
        after_atom = prev == P_ATOM || prev == P_CALL || prev == P_CLOSE || prev == P_FRAC;
        if (prev == P_BIGOP && !(c == '\\' && i + 2 < n && (s[i + 1] == 's' || s[i + 1] == 'p')))
            prev = P_NONE;
        if (c == ' ' || c == '&') {
            i++;
        } else if (c == '+' || c == '-') {
            if (prev != P_NONE && prev != P_FUNC)
                CAND(i, true, false);
            prev = P_NONE;
            i++;
        } else if (c == '=' || c == ',' || c == '<' || c == '>') {
            prev = P_NONE;
            i++;
        } else if (c == '(' || c == '[') {
            if (prev == P_ATOM || prev == P_CLOSE || prev == P_FRAC)
                CAND(i, false, false);
            paren++;
            prev = P_NONE;
            i++;
        } else if (c == ')' || c == ']') {
            paren -= paren > 0;
            prev = P_CLOSE;
            i = skip_scripts(s, n, i + 1);
        } else if (c == '{') {
            if (after_atom)
                CAND(i, false, false);
            i = skip_scripts(s, n, skip_arg(s, n, i));
            prev = P_ATOM;
        } else if (c == '^' || c == '_' || c == '\'') {
            i = skip_scripts(s, n, i);
        } else if (c >= '0' && c <= '9') {
            if (after_atom)
                CAND(i, false, false);
            while (i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.'))
                i++;
            i = skip_scripts(s, n, i);
            prev = prev == P_NONE ? P_NUM : P_ATOM;
        } else if (isalpha((unsigned char)c)) {
            /* letters next to letters are one name (Loss): no break */
            if (after_atom && !(i > 0 && isalnum((unsigned char)s[i - 1])))
                CAND(i, false, false);
            size_t e = skip_scripts(s, n, i + 1);
            prev = e == i + 1 || s[e - 1] == '\'' ? P_CALL : P_ATOM;
            i = e;
        } else if (c == '\\') {
            size_t w = i + 1, k = 0;
            while (w + k < n && isalpha((unsigned char)s[w + k]))
                k++;
            if (k == 0) {          /* \, \; \\ \_ ... */
                if (i + 1 < n && s[i + 1] == '_') {
                    prev = P_ATOM;
                }
                i += 2;
                continue;
            }
            const char *nm = s + w;
            size_t j = w + k;
            if (word_is(nm, k, "cdot") || word_is(nm, k, "times") || word_is(nm, k, "odot")) {
                if (prev != P_NONE)
                    CAND(i, false, true);
                prev = P_NONE;
                i = j;
            } else if (word_is(nm, k, "quad") || word_is(nm, k, "qquad") || word_is(nm, k, "nonumber")) {
                i = j;
            } else if (word_is(nm, k, "left") || word_is(nm, k, "right")) {
                bool l = nm[0] == 'l';
                if (l && after_atom)
                    CAND(i, false, false);
                left += l ? 1 : -(left > 0);
                i = skip_scripts(s, n, skip_arg(s, n, j));
                prev = l ? P_NONE : P_CLOSE;
            } else if (k >= 4 && (nm[k - 1] == 'l' || nm[k - 1] == 'r') &&
                       (word_is(nm, k - 1, "big") || word_is(nm, k - 1, "Big") || word_is(nm, k - 1, "bigg") ||
                        word_is(nm, k - 1, "Bigg"))) {
                bool l = nm[k - 1] == 'l';
                if (l && after_atom)
                    CAND(i, false, false);
                if (l)
                    paren++;
                else
                    paren -= paren > 0;
                i = skip_scripts(s, n, skip_arg(s, n, j));
                prev = l ? P_NONE : P_CLOSE;
            } else if (word_is(nm, k, "frac") || word_is(nm, k, "dfrac") || word_is(nm, k, "tfrac")) {
                if (after_atom)
                    CAND(i, false, false);
                i = skip_scripts(s, n, skip_arg(s, n, skip_arg(s, n, j)));
                prev = P_FRAC;
            } else if (word_is(nm, k, "sum") || word_is(nm, k, "prod")) {
                /* a run of sums may break between two of them, no \cdot */
                if (after_atom || prev == P_BIGOP)
                    CAND(i, false, prev == P_BIGOP);
                i = skip_scripts(s, n, j);
                prev = P_BIGOP;    /* its operand stays on its row */
            } else if (word_is(nm, k, "operatorname") || word_is(nm, k, "tanh") || word_is(nm, k, "exp") ||
                       word_is(nm, k, "log") || word_is(nm, k, "ln") || word_is(nm, k, "sin") ||
                       word_is(nm, k, "cos") || word_is(nm, k, "sqrt") || word_is(nm, k, "max") ||
                       word_is(nm, k, "min")) {
                if (after_atom)
                    CAND(i, false, false);
                if (word_is(nm, k, "operatorname") || word_is(nm, k, "sqrt"))
                    j = skip_arg(s, n, j);
                i = skip_scripts(s, n, j);
                prev = word_is(nm, k, "sqrt") ? P_ATOM : P_FUNC;
            } else {
                /* a symbol (\partial, \delta_{..}, \mathit{..}) */
                if (after_atom)
                    CAND(i, false, false);
                if (word_is(nm, k, "mathit") || word_is(nm, k, "mathrm") || word_is(nm, k, "text") ||
                    word_is(nm, k, "mathbf"))
                    j = skip_arg(s, n, j);
                i = skip_scripts(s, n, j);
                prev = P_ATOM;
            }
        } else {
            prev = P_ATOM;
            i++;
        }
    }
#undef CAND
    return m;
}

/* the first '=' outside braces, or N */
static size_t equals_at(const char *s, size_t n)
{
    int depth = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '{')
            depth++;
        else if (s[i] == '}')
            depth--;
        else if (s[i] == '=' && depth == 0)
            return i;
    }
    return n;
}

#define EM 10.95              /* pt: the standalone document's 11 pt type */
#define CDOT_W (0.722 * EM)   /* "\\cdot " beginning a row */
#define INDENT_SUM "\\quad "
#define INDENT_MORE "\\qquad "

/* what a row may hold: a little under the measure (the estimate is good
 * to 3%); multline sets its first and last rows in by 10 pt */
static double row_room(const Filter *f)
{
    return f->width * 0.96 - 2 - (aligned(f->env) ? 0 : 12);
}

/* the room of a row that begins at break AFTER, or (NULL) the line's first
 * row, which is a continuation row when CONT: after the left side and an
 * indent, \\quad after a top-level +, \\qquad after any other break */
static double row_budget(const Filter *f, bool cont, const Brk *after)
{
    if (!after)
        return cont ? row_room(f) - f->lhs - EM : row_room(f);
    return row_room(f) - f->lhs - (after->sum && after->depth == 0 ? 1 : 2) * EM;
}

/* a row no break can bring under BUDGET (one symbol wider than the
 * measure: a 200-letter name), scaled down to fit by graphicx's
 * \resizebox (the --standalone document loads it).  FROM > 0: the row
 * begins an equation whose left side ends at FROM - 1 (its '='): each
 * side is scaled on its own and the '=' stays outside for the align. */
static void shrink_row(Filter *f, Buf *out, const char *s, size_t start, size_t end, size_t from,
                       double budget, double avail)
{
    if (from > 0) {
        double lw = tex_width(s, from - 1), cap = 0.35 * avail;
        if (lw > cap) {
            buf_printf(out, "\\resizebox{%.1fpt}{!}{$\\displaystyle ", cap);
            buf_add(out, s, from - 1);
            buf_puts(out, "$}");
            lw = cap;
        } else {
            buf_add(out, s, from - 1);
        }
        buf_puts(out, "= ");
        f->lhs = aligned(f->env) ? lw : 0;
        budget -= lw + 1.4 * EM;
        start = from;
        while (start < end && s[start] == ' ')
            start++;
    } else if (start < end && (s[start] == '+' || s[start] == '-')) {
        buf_putc(out, s[start++]);          /* the sign stays outside */
        budget -= 1.3 * EM;
    }
    if (tex_width(s + start, end - start) <= budget) {
        buf_add(out, s + start, end - start);
        return;
    }
    buf_printf(out, "\\resizebox{%.1fpt}{!}{$\\displaystyle ", budget > 20 ? budget : 20);
    buf_add(out, s + start, end - start);
    buf_puts(out, "$}");
}

/* S[0..N) (no trailing \\) as rows of at most the measure; ENDS: what
 * the line ended with after them ("" or " \\").  The breaks are chosen
 * as TeX chooses a paragraph's, over all of them at once: each row but
 * the last costs the square of the room it leaves, each break its kind's
 * penalty, and a last row of a few symbols costs too (no widows). */
static void break_line(Filter *f, const char *s, size_t n, bool cont, size_t from, const char *ends)
{
    Brk *b = NULL;
    int cap = 0;
    size_t m = find_breaks(s, n, from, &b, &cap);
    /* node 0: the start; node k (1..m): break k-1; node m+1: the end.
     * X[k]: the width from the start to node k */
    size_t N = m + 2;
    double *X = xmalloc(sizeof *X * N), *cost = xmalloc(sizeof *cost * N);
    size_t *from_node = xmalloc(sizeof *from_node * N);
    size_t at = 0;
    X[0] = 0;
    cost[0] = 0;
    from_node[0] = 0;
    for (size_t k = 1; k < N; k++) {
        size_t to = k <= m ? b[k - 1].at : n;
        X[k] = X[k - 1] + tex_width(s + at, to - at);
        at = to;
    }
    for (size_t k = 1; k < N; k++) {
        cost[k] = 1e300;
        from_node[k] = k - 1;
        bool last = k == N - 1;
        for (size_t j = k; j-- > 0;) {
            const Brk *bj = j ? &b[j - 1] : NULL;
            double budget = row_budget(f, cont, bj);
            double w = X[k] - X[j] + (bj && !bj->sum && !bj->dot ? CDOT_W : 0);
            if (w > budget && j < k - 1)
                break;                 /* wider still further back */
            double room = budget - w > 0 ? (budget - w) / budget : 0, c;
            if (w > budget)
                c = 1e9 + w;           /* nothing fits: one piece alone */
            else if (last)
                c = w < 0.3 * budget ? 30 * room * room : 0;
            else
                c = 100 * room * room;
            if (!last) {
                const Brk *bk = &b[k - 1];
                c += (bk->sum ? 0 : 25) + (bk->depth ? 40 + 20 * bk->depth : 0) + 1;
            }
            if (cost[j] + c < cost[k]) {
                cost[k] = cost[j] + c;
                from_node[k] = j;
            }
        }
    }
    /* the chosen breaks, from the end back */
    size_t *rows = xmalloc(sizeof *rows * N), nr = 0;
    for (size_t k = N - 1; k > 0; k = from_node[k])
        rows[nr++] = k;
    Buf piece = {0};
    size_t start = 0, jn = 0;
    const Brk *prev = NULL;
    for (size_t r = nr; r-- > 0;) {
        size_t k = rows[r];
        size_t end = k <= m ? b[k - 1].at : n;
        buf_truncate(&piece, 0);
        if (prev && !prev->sum && !prev->dot)
            buf_puts(&piece, "\\cdot ");
        double budget = row_budget(f, cont, prev);
        if (f->shrink && X[k] - X[jn] > budget)
            shrink_row(f, &piece, s, start, end, !prev && !cont ? from : 0, budget, row_room(f));
        else
            buf_add(&piece, s + start, end - start);
        jn = k;
        while (piece.len && piece.data[piece.len - 1] == ' ')
            buf_truncate(&piece, piece.len - 1);
        buf_puts(&piece, r > 0 ? " \\\\" : ends);
        put_line(f, piece.data, piece.len, prev && !(prev->sum && prev->depth == 0) ? INDENT_MORE : INDENT_SUM);
        start = end;
        prev = k <= m ? &b[k - 1] : NULL;
    }
    buf_free(&piece);
    free(rows);
    free(from_node);
    free(cost);
    free(X);
    free(b);
}

static void take_line(Filter *f, const char *s, size_t n)
{
    if (n == 0 || f->width <= 0) {
        put_line(f, s, n, INDENT_SUM);
        return;
    }
    bool cont = f->env == ENV_BARE ? f->row_cont : f->have_row && f->row_cont;
    size_t t = n;
    while (t > 0 && s[t - 1] == ' ')
        t--;
    const char *ends = "";
    if (t >= 2 && s[t - 2] == '\\' && s[t - 1] == '\\') {
        t -= 2;
        ends = " \\\\";
        while (t > 0 && s[t - 1] == ' ')
            t--;
    }
    /* a new equation: its left side, up to the '=' (no break before it) */
    size_t from = 0;
    if (!cont) {
        size_t eq = equals_at(s, t);
        from = eq < t ? eq + 1 : 0;
        f->lhs = aligned(f->env) && eq < t ? tex_width(s, eq) : 0;
    }
    /* a line that fits goes out exactly as written */
    if (tex_width(s, t) <= row_budget(f, cont, NULL)) {
        put_line(f, s, n, INDENT_SUM);
        return;
    }
    break_line(f, s, t, cont, from, ends);
}

static ssize_t filter_write(void *cookie, const char *buf, size_t size)
{
    Filter *f = cookie;
    const char *p = buf, *end = buf + size;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) {
            buf_add(&f->line, p, (size_t)(end - p));
            break;
        }
        if (f->line.len == 0) {
            take_line(f, p, (size_t)(nl - p));      /* a whole line: no copy */
        } else {
            buf_add(&f->line, p, (size_t)(nl - p));
            take_line(f, f->line.data, f->line.len);
            buf_truncate(&f->line, 0);
        }
        p = nl + 1;
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

FILE *latex_env_open(FILE *dst, LatexEnv env, double width, bool shrink)
{
    Filter *f = xcalloc(1, sizeof *f);
    f->dst = dst;
    f->env = env;
    f->width = width;
    f->shrink = shrink;
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
          "\\usepackage{graphicx}\n"
          "\\allowdisplaybreaks\n"
          "\\begin{document}\n"
          "\\noindent\\texttt{", out);
    latex_text_escape(out, title);
    fputs("}: ", out);
    latex_text_escape(out, what);
    fputs("\n\n", out);
}

void latex_doc_end(FILE *out) { fputs("\\end{document}\n", out); }
