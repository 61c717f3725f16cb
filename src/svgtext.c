/* svgtext.c — Graphviz's HTML-like labels as SVG <text>, and their size.
 *
 * Why not let Graphviz write the text: it measures a label with its
 * built-in Times metrics and writes each piece of it (a base, its
 * superscript, its subscript) as a <text> of its own at an x computed
 * from those metrics.  A viewer with another font (Debian's serif is
 * DejaVu Serif, a fifth wider than Times) draws each piece wider than
 * Graphviz thought: superscripts land on their bases, neighbouring labels
 * run into each other.  Here a label is ONE <text>, its pieces <tspan>s
 * that the viewer flows one after the other in whatever font it has; a
 * sub- or superscript is 70% of its base's size, shifted with dy (undone
 * by the next piece's dy), which rsvg and Chromium both honour.  A base
 * with both (w^{11}_{n-1}) stacks them: the narrower is written first,
 * then a negative dx steps back by its NARROWEST width in any of the
 * fonts (never back over the base), then the wider.  The room a label
 * needs is measured with the WIDEST advance of each character among the
 * fonts (svgmetrics.c), so it fits whichever the viewer picks.
 *
 * The subset: <I> <B> <SUB> <SUP> <FONT POINT-SIZE=".." COLOR="..">
 * <BR/>, &#N; &#xN; &lt; &gt; &amp; &quot; &apos; &nbsp;, UTF-8 text.
 * Other tags are ignored (tables are drawn by render itself); runs of
 * white space are one space, none at the ends of a line (as SVG does).
 */
#include "svgtext.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SCRIPT_SCALE 0.7        /* a sub- or superscript's size, of its base's */
#define SUP_RAISE 0.36          /* a superscript's baseline, up, in its base's em */
#define SUB_DROP 0.2            /* a subscript's, down */
#define MAX_DEPTH 32            /* open tags; deeper ones are ignored */

typedef struct State {
    double size, shift;         /* points; shift: the baseline's rise over the line's */
    bool italic, bold;
    char color[24];             /* "" : the text's own */
    int kind;                   /* the tag that opened it: 'p' SUP, 'b' SUB, else 0 */
    int first;                  /* a script: its first run */
    int stack;                  /* a script stacked on the one before: that one's first run, else -1 */
} State;

typedef struct Run {
    size_t off, len;            /* its text, XML-escaped, in Layout.text */
    double size, shift;
    bool italic, bold;
    char color[24];
    int line;
    double w, wmin;             /* advance in points: widest and narrowest font */
    double dx;                  /* moved before it (a stacked script steps back) */
} Run;

typedef struct Layout {
    Run *runs;
    int n, cap;
    Buf text;
    int nlines;
    double *top, *bottom, *width;   /* a line's extent above and below its baseline, its width */
    double w, h;
} Layout;

static const SvgGlyph *glyph(unsigned cp)
{
    int lo = 0, hi = svg_nglyphs - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (svg_glyphs[mid].cp == cp)
            return &svg_glyphs[mid];
        if (svg_glyphs[mid].cp < cp)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return NULL;
}

static void put_utf8(Buf *b, unsigned cp)
{
    if (cp == '&')
        buf_puts(b, "&amp;");
    else if (cp == '<')
        buf_puts(b, "&lt;");
    else if (cp == '>')
        buf_puts(b, "&gt;");
    else if (cp < 0x80)
        buf_putc(b, (char)cp);
    else if (cp < 0x800) {
        buf_putc(b, (char)(0xc0 | (cp >> 6)));
        buf_putc(b, (char)(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
        buf_putc(b, (char)(0xe0 | (cp >> 12)));
        buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
        buf_putc(b, (char)(0x80 | (cp & 0x3f)));
    } else {
        buf_putc(b, (char)(0xf0 | (cp >> 18)));
        buf_putc(b, (char)(0x80 | ((cp >> 12) & 0x3f)));
        buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
        buf_putc(b, (char)(0x80 | (cp & 0x3f)));
    }
}

/* the code point at *S (UTF-8, an entity, or a byte), advancing *S */
static unsigned next_char(const char **s)
{
    const unsigned char *p = (const unsigned char *)*s;
    if (*p == '&') {
        const char *semi = strchr(*s, ';');
        if (semi && semi - *s <= 10) {
            const char *e = *s + 1;
            size_t n = (size_t)(semi - e);
            unsigned cp = 0;
            bool ok = true;
            if (*e == '#') {
                bool hex = e[1] == 'x' || e[1] == 'X';
                char *end;
                unsigned long v = strtoul(e + 1 + hex, &end, hex ? 16 : 10);
                ok = end == semi && v > 0 && v <= 0x10ffff;
                cp = (unsigned)v;
            } else if (n == 2 && !strncmp(e, "lt", 2)) {
                cp = '<';
            } else if (n == 2 && !strncmp(e, "gt", 2)) {
                cp = '>';
            } else if (n == 3 && !strncmp(e, "amp", 3)) {
                cp = '&';
            } else if (n == 4 && !strncmp(e, "quot", 4)) {
                cp = '"';
            } else if (n == 4 && !strncmp(e, "apos", 4)) {
                cp = '\'';
            } else if (n == 4 && !strncmp(e, "nbsp", 4)) {
                cp = 0xa0;
            } else {
                ok = false;
            }
            if (ok) {
                *s = semi + 1;
                return cp;
            }
        }
        (*s)++;
        return '&';
    }
    int n = *p >= 0xf0 && *p < 0xf8 ? 4 : *p >= 0xe0 ? 3 : *p >= 0xc0 ? 2 : 1;
    if (n == 1 || *p >= 0xf8) {
        (*s)++;
        return *p;
    }
    unsigned cp = *p & (0x7f >> n);
    for (int i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80) {        /* broken: the byte alone */
            (*s)++;
            return *p;
        }
        cp = cp << 6 | (p[i] & 0x3f);
    }
    *s += n;
    return cp;
}

/* a tag's name, case-insensitively */
static bool is_tag(const char *s, size_t n, const char *name)
{
    if (strlen(name) != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (c != name[i])
            return false;
    }
    return true;
}

/* the value of attribute NAME="..." in the tag text [S, E), copied to
 * OUT (at most N-1 bytes, only [#A-Za-z0-9.]): false if absent */
static bool attr(const char *s, const char *e, const char *name, char *out, size_t n)
{
    size_t k = strlen(name);
    for (const char *p = s; p + k + 1 < e; p++) {
        if (!is_tag(p, k, name) || p[k] != '=' || (p > s && p[-1] != ' '))
            continue;
        const char *v = p + k + 1;
        char q = *v == '"' || *v == '\'' ? *v++ : ' ';
        size_t i = 0;
        for (; v < e && *v != q && *v != '>'; v++) {
            char c = *v;
            if (i + 1 < n && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                              c == '#' || c == '.'))
                out[i++] = c;
        }
        out[i] = '\0';
        return i > 0;
    }
    return false;
}

static Run *new_run(Layout *L, const State *st, int line)
{
    L->runs = xgrow(L->runs, L->n, &L->cap, sizeof *L->runs);
    Run *r = &L->runs[L->n++];
    memset(r, 0, sizeof *r);
    r->off = L->text.len;
    r->size = st->size;
    r->shift = st->shift;
    r->italic = st->italic;
    r->bold = st->bold;
    memcpy(r->color, st->color, sizeof r->color);
    r->line = line;
    return r;
}

static double width_of(const Layout *L, int a, int b, bool narrow)
{
    double w = 0;
    for (int i = a; i < b; i++)
        w += narrow ? L->runs[i].wmin : L->runs[i].w;
    return w;
}

/* the runs [A, B) and [B, C) change places */
static void swap_ranges(Layout *L, int a, int b, int c)
{
    Run *t = xmalloc(xmul((size_t)(c - a), sizeof *t));
    memcpy(t, L->runs + b, (size_t)(c - b) * sizeof *t);
    memcpy(t + (c - b), L->runs + a, (size_t)(b - a) * sizeof *t);
    memcpy(L->runs + a, t, (size_t)(c - a) * sizeof *t);
    free(t);
}

/* the line's last run loses a space at its end */
static void trim_line(Layout *L, int line)
{
    if (L->n == 0 || L->runs[L->n - 1].line != line)
        return;
    Run *r = &L->runs[L->n - 1];
    if (r->len && L->text.data[r->off + r->len - 1] == ' ') {
        const SvgGlyph *g = glyph(' ');
        r->len--;
        r->w -= g->w * r->size / 1000;
        r->wmin -= g->wmin * r->size / 1000;
    }
}

static void parse(Layout *L, const char *html, double size)
{
    State st[MAX_DEPTH];
    int d = 0, ignored = 0;
    memset(&st[0], 0, sizeof st[0]);
    st[0].size = size;
    st[0].stack = -1;
    int line = 0;
    bool space = true;          /* what came before on this line ends in a space, or is nothing */
    bool fresh = true;          /* a tag since the last run: the next text starts a new run */
    /* the script closed last, while nothing came after it: a script of the
     * other kind opening now stacks on it */
    int last_kind = 0, last_first = -1, last_depth = -1;
    const char *s = html;
    while (*s) {
        if (*s == '<') {
            const char *e = strchr(s, '>');
            if (!e)
                break;
            bool close = s[1] == '/';
            const char *nm = s + 1 + close, *ne = nm;
            while ((*ne >= 'A' && *ne <= 'Z') || (*ne >= 'a' && *ne <= 'z'))
                ne++;
            size_t nl = (size_t)(ne - nm);
            fresh = true;
            if (is_tag(nm, nl, "BR")) {
                trim_line(L, line);
                line++;
                space = true;
                last_kind = 0;
            } else if (close) {
                bool known = is_tag(nm, nl, "I") || is_tag(nm, nl, "B") || is_tag(nm, nl, "SUB") ||
                             is_tag(nm, nl, "SUP") || is_tag(nm, nl, "FONT");
                if (known && ignored)
                    ignored--;
                else if (known && d > 0) {
                    State *c = &st[d];
                    if (c->kind && c->first < L->n) {
                        if (c->stack >= 0) {
                            /* the narrower first, then back by its narrowest width */
                            int a = c->stack, b = c->first, z = L->n;
                            if (width_of(L, b, z, false) < width_of(L, a, b, false)) {
                                swap_ranges(L, a, b, z);
                                b = a + (z - b);
                            }
                            L->runs[b].dx -= width_of(L, a, b, true);
                            last_kind = 0;
                        } else {
                            last_kind = c->kind;
                            last_first = c->first;
                            last_depth = d;
                        }
                    } else if (!c->kind) {
                        last_kind = 0;
                    }
                    d--;
                }
            } else if (is_tag(nm, nl, "I") || is_tag(nm, nl, "B") || is_tag(nm, nl, "SUB") ||
                       is_tag(nm, nl, "SUP") || is_tag(nm, nl, "FONT")) {
                if (d + 1 >= MAX_DEPTH) {
                    ignored++;
                } else {
                    State *p = &st[d], *c = &st[d + 1];
                    *c = *p;
                    c->kind = 0;
                    c->stack = -1;
                    if (is_tag(nm, nl, "I")) {
                        c->italic = true;
                    } else if (is_tag(nm, nl, "B")) {
                        c->bold = true;
                    } else if (is_tag(nm, nl, "FONT")) {
                        char v[24];
                        if (attr(nm, e, "POINT-SIZE", v, sizeof v) && atof(v) > 0)
                            c->size = atof(v);
                        if (attr(nm, e, "COLOR", v, sizeof v))
                            memcpy(c->color, v, sizeof c->color);
                    } else {
                        bool sup = nm[2] == 'P' || nm[2] == 'p';
                        c->kind = sup ? 'p' : 'b';
                        c->size = p->size * SCRIPT_SCALE;
                        c->shift = p->shift + (sup ? SUP_RAISE : -SUB_DROP) * p->size;
                        c->first = L->n;
                        if (last_kind && last_kind != c->kind && last_depth == d + 1)
                            c->stack = last_first;
                        last_kind = 0;
                    }
                    d++;
                }
            }
            s = e + 1;
            continue;
        }
        unsigned cp = next_char(&s);
        if (cp == 0x200b || (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r'))
            continue;                   /* zero-width space (render's ']' guard), controls */
        if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r') {
            if (space)
                continue;
            cp = ' ';
            space = true;
        } else {
            space = false;
        }
        if (fresh || L->n == 0) {
            new_run(L, &st[d], line);
            fresh = false;
        }
        last_kind = 0;
        Run *r = &L->runs[L->n - 1];
        put_utf8(&L->text, cp);
        r->len = L->text.len - r->off;
        const SvgGlyph *g = glyph(cp);
        r->w += (g ? g->w : 1000) * r->size / 1000 * (r->bold ? 1.1 : 1);
        r->wmin += (g ? g->wmin : 1000) * r->size / 1000;
    }
    trim_line(L, line);
    L->nlines = line + 1;
    /* each line: its extent above and below its baseline, its width */
    L->top = xcalloc((size_t)L->nlines, sizeof *L->top);
    L->bottom = xcalloc((size_t)L->nlines, sizeof *L->bottom);
    L->width = xcalloc((size_t)L->nlines, sizeof *L->width);
    for (int i = 0; i < L->nlines; i++) {
        L->top[i] = svg_ascent * size / 1000;
        L->bottom[i] = svg_descent * size / 1000;
    }
    bool *seen = xcalloc((size_t)L->nlines, sizeof *seen);
    for (int i = 0; i < L->n; i++) {
        const Run *r = &L->runs[i];
        double top = r->shift + svg_ascent * r->size / 1000, bottom = -r->shift + svg_descent * r->size / 1000;
        if (!seen[r->line]) {
            /* a line of FONT POINT-SIZE="10" only is that high, not SIZE */
            seen[r->line] = true;
            L->top[r->line] = top;
            L->bottom[r->line] = bottom;
        }
        if (top > L->top[r->line])
            L->top[r->line] = top;
        if (bottom > L->bottom[r->line])
            L->bottom[r->line] = bottom;
        L->width[r->line] += r->w + r->dx;
    }
    free(seen);
    L->w = L->h = 0;
    for (int i = 0; i < L->nlines; i++) {
        if (L->width[i] > L->w)
            L->w = L->width[i];
        L->h += L->top[i] + L->bottom[i];
    }
}

static void layout_free(Layout *L)
{
    free(L->runs);
    buf_free(&L->text);
    free(L->top);
    free(L->bottom);
    free(L->width);
}

void svgtext_measure(const char *html, double size, double *w, double *h)
{
    Layout L;
    memset(&L, 0, sizeof L);
    parse(&L, html, size);
    *w = L.w;
    *h = L.h;
    layout_free(&L);
}

/* a coordinate: two decimals, no trailing zeros */
static void num(Buf *out, double v)
{
    char t[40];
    snprintf(t, sizeof t, "%.2f", v);
    char *e = t + strlen(t);
    while (e > t && e[-1] == '0')
        *--e = '\0';
    if (e > t && e[-1] == '.')
        *--e = '\0';
    buf_puts(out, strcmp(t, "-0") == 0 ? "0" : t);
}

void svgtext_write(Buf *out, const char *html, double size, const char *color, double x, double y, bool left,
                   const char *cls)
{
    Layout L;
    memset(&L, 0, sizeof L);
    parse(&L, html, size);
    double base = y - L.h / 2 + L.top[0];
    buf_puts(out, "<text");
    if (cls)
        buf_printf(out, " class=\"%s\"", cls);
    /* preserve: librsvg would drop a space at the end or start of a
     * tspan ("·" then a space then a name); runs of spaces are already one */
    buf_printf(out, " xml:space=\"preserve\" text-anchor=\"%s\" x=\"", left ? "start" : "middle");
    num(out, x);
    buf_puts(out, "\" y=\"");
    num(out, base);
    buf_puts(out, "\" font-family=\"" SVG_FONT_FAMILY "\" font-size=\"");
    num(out, size);
    buf_printf(out, "\" fill=\"%s\">", color);
    int line = 0;
    double cur = 0, pending = 0;    /* the baseline's shift so far; dx not yet written */
    for (int i = 0; i < L.n; i++) {
        const Run *r = &L.runs[i];
        pending += r->dx;
        if (!r->len)
            continue;
        buf_puts(out, "<tspan");
        if (r->line != line) {
            while (line < r->line) {
                base += L.bottom[line] + L.top[line + 1];
                line++;
            }
            buf_puts(out, " x=\"");
            num(out, x);
            buf_puts(out, "\" y=\"");
            num(out, base - r->shift);
            buf_putc(out, '"');
            cur = r->shift;
        } else if (fabs(r->shift - cur) > 1e-9) {
            buf_puts(out, " dy=\"");
            num(out, cur - r->shift);
            buf_putc(out, '"');
            cur = r->shift;
        }
        if (fabs(pending) > 1e-9) {
            buf_puts(out, " dx=\"");
            num(out, pending);
            buf_putc(out, '"');
            pending = 0;
        }
        if (fabs(r->size - size) > 1e-9) {
            buf_puts(out, " font-size=\"");
            num(out, r->size);
            buf_putc(out, '"');
        }
        if (r->italic)
            buf_puts(out, " font-style=\"italic\"");
        if (r->bold)
            buf_puts(out, " font-weight=\"bold\"");
        if (r->color[0])
            buf_printf(out, " fill=\"%s\"", r->color);
        buf_putc(out, '>');
        buf_add(out, L.text.data + r->off, r->len);
        buf_puts(out, "</tspan>");
    }
    buf_puts(out, "</text>\n");
    layout_free(&L);
}
