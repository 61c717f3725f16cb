/* fmt.c — the canonical layout of a .net file.
 *
 * The file is parsed (so only a valid file is formatted) and printed back
 * from its syntax tree: one statement a line, four spaces inside a block,
 * one space around '=' ':' and binary operators, none inside brackets, a
 * blank line between blocks, at most one blank line where the source had
 * any.  Numbers are printed in their shortest form that reads back the
 * same; parentheses only where the tree needs them, so the tree is kept
 * exactly.  The language has no strings, so every '#' or '//' starts a
 * comment: comments are found by a scan of the text and kept, a comment on
 * a line of its own before what follows it, a comment after code at the end
 * of that code's last line.  fmt of fmt's output is the same output.
 */
#include "fmt.h"

#include <stdlib.h>
#include <string.h>

typedef struct Comment {
    int line;
    bool own_line;           /* nothing but blanks before it on its line */
    const char *text;        /* from '#' or '//' to the end of the line */
    size_t len;
    bool done;
} Comment;

typedef struct Fmt {
    const Source *src;
    Buf *out;
    Comment *c;
    int nc, next;            /* comments, the first not yet printed */
    int last_line;           /* the source line of what was printed last */
} Fmt;

static void scan_comments(Fmt *F)
{
    const char *s = F->src->text;
    size_t n = F->src->len;
    int cap = 16, line = 1;
    F->c = xmalloc(cap * sizeof *F->c);
    bool code = false;       /* code before, on this line */
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n') {
            line++;
            code = false;
        } else if (s[i] == '#' || (s[i] == '/' && i + 1 < n && s[i + 1] == '/')) {
            size_t e = i;
            while (e < n && s[e] != '\n')
                e++;
            size_t t = e;
            while (t > i && (s[t - 1] == ' ' || s[t - 1] == '\t' || s[t - 1] == '\r'))
                t--;
            if (F->nc == cap)
                F->c = xrealloc(F->c, xmul((size_t)(cap *= 2), sizeof *F->c));
            F->c[F->nc++] = (Comment){line, !code, s + i, t - i, false};
            i = e - 1;
        } else if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\f' && s[i] != '\v') {
            code = true;
        }
    }
}

static void indent(Fmt *F, int depth)
{
    for (int i = 0; i < depth; i++)
        buf_puts(F->out, "    ");
}

/* a blank line if the source had one between what was printed last and
 * LINE */
static void gap(Fmt *F, int line)
{
    if (F->last_line > 0 && line > F->last_line + 1)
        buf_putc(F->out, '\n');
}

/* the own-line comments before LINE, at DEPTH */
static void comments_before(Fmt *F, int line, int depth)
{
    while (F->next < F->nc && F->c[F->next].line < line) {
        Comment *c = &F->c[F->next++];
        if (c->done)
            continue;
        gap(F, c->line);
        indent(F, depth);
        buf_add(F->out, c->text, c->len);
        buf_putc(F->out, '\n');
        c->done = true;
        F->last_line = c->line;
    }
}

/* the end of a line of code that spans FIRST..LAST: comments after code
 * on those lines follow it; own-line comments inside it are kept too */
static void end_line(Fmt *F, int first, int last)
{
    bool any = false;
    for (int k = F->next; k < F->nc && F->c[k].line <= last; k++) {
        Comment *c = &F->c[k];
        if (c->done || c->line < first)
            continue;
        buf_puts(F->out, any ? " " : "  ");
        buf_add(F->out, c->text, c->len);
        c->done = true;
        any = true;
    }
    buf_putc(F->out, '\n');
    F->last_line = last;
}

/* whole numbers as such; others in the shortest %g that reads back as V */
static void put_number(Buf *out, double v)
{
    char tmp[40];
    /* the range first: converting a larger double to long long is undefined */
    if (v < 1e15 && v > -1e15 && v == (double)(long long)v) {
        buf_printf(out, "%lld", (long long)v);
        return;
    }
    for (int p = 1; p <= 17; p++) {
        snprintf(tmp, sizeof tmp, "%.*g", p, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    buf_puts(out, tmp);
}

static int prec(const Expr *e)
{
    switch (e->kind) {
    case X_ADD: case X_SUB: return 1;
    case X_MUL: case X_DIV: return 2;
    case X_NEG: return 3;
    case X_POW: return 4;
    default: return 5;
    }
}

static void put_expr(Buf *out, const Expr *e);

/* A..B: an operand of '..' bound looser than * is parenthesised (1..n+1
 * reads back the same either way; the parentheses only help the eye) */
static void put_range(Buf *out, const Expr *lo, const Expr *hi)
{
    put_expr(out, lo);
    buf_puts(out, "..");
    put_expr(out, hi);
}

static void put_operand(Buf *out, const Expr *e, bool parens)
{
    if (parens)
        buf_putc(out, '(');
    put_expr(out, e);
    if (parens)
        buf_putc(out, ')');
}

static void put_expr(Buf *out, const Expr *e)
{
    switch (e->kind) {
    case X_NUM:
        put_number(out, e->num);
        return;
    case X_VAR:
        buf_puts(out, e->name);
        for (int i = 0; i < e->nsubs; i++) {
            buf_putc(out, '[');
            put_expr(out, e->subs[i]);
            buf_putc(out, ']');
        }
        return;
    case X_SUM: case X_PROD:
        buf_printf(out, "%s(%s in ", e->kind == X_SUM ? "sum" : "prod", e->name);
        put_range(out, e->a, e->b);
        buf_puts(out, ", ");
        put_expr(out, e->args[0]);
        buf_putc(out, ')');
        return;
    case X_CALL:
        buf_puts(out, e->name);
        buf_putc(out, '(');
        for (int i = 0; i < e->nargs; i++) {
            if (i)
                buf_puts(out, ", ");
            put_expr(out, e->args[i]);
        }
        buf_putc(out, ')');
        return;
    case X_NEG:
        buf_putc(out, '-');
        put_operand(out, e->a, prec(e->a) <= 3 && e->a->kind != X_POW);
        return;
    case X_POW:
        put_operand(out, e->a, prec(e->a) < 5);
        buf_putc(out, '^');
        if (e->ipow < 0)
            buf_printf(out, "(%ld)", e->ipow);
        else
            buf_printf(out, "%ld", e->ipow);
        return;
    default: {
        const char *op = e->kind == X_ADD ? " + " : e->kind == X_SUB ? " - " : e->kind == X_MUL ? " * " : " / ";
        /* left-associative: a right operand of the same level keeps its
         * parentheses, so the tree reads back unchanged */
        put_operand(out, e->a, prec(e->a) < prec(e));
        buf_puts(out, op);
        put_operand(out, e->b, prec(e->b) <= prec(e));
        return;
    }
    }
}

static void put_ref(Buf *out, const Ref *r)
{
    buf_puts(out, r->name);
    for (int i = 0; i < r->nsubs; i++)
        buf_printf(out, "[%s]", r->subs[i].text);
}

static void put_stmt(Buf *out, const Stmt *s)
{
    switch (s->kind) {
    case S_LAYER:
        buf_printf(out, "layer %s : %ld", s->label.text, s->width);
        if (s->input_layer)
            buf_puts(out, " input");
        if (s->act != ACT_NONE)
            buf_printf(out, " %s", op_get(s->act)->name);
        for (const Input *in = s->inputs; in; in = in->next) {
            buf_printf(out, "%s%s(%s)", in == s->inputs ? " = " : " + ", in->kind == IN_DENSE ? "dense" : "skip",
                       in->from.text);
            if (in->family)
                buf_printf(out, " %s %s", in->shared ? "shared" : "as", in->family);
        }
        if (s->bias)
            buf_puts(out, " bias");
        break;
    case S_LOSS:
        buf_printf(out, "loss %s", s->name);
        if (s->loss_explicit)
            buf_printf(out, " = %s", loss_get(s->loss_kind)->name);
        break;
    case S_NOTATION:
        buf_puts(out, "notation");
        if (s->za >= 0)
            buf_puts(out, s->za ? " za" : " xy");
        if (s->into >= 0)
            buf_puts(out, s->into ? " into" : " out");
        break;
    case S_DEAD:
        buf_puts(out, "dead ");
        put_ref(out, &s->ref);
        break;
    case S_DERIVE:
        buf_puts(out, "derive ");
        put_ref(out, &s->ref);
        buf_puts(out, " wrt ");
        put_ref(out, &s->wrt);
        break;
    case S_EXPAND:
        buf_puts(out, "expand ");
        put_ref(out, &s->ref);
        break;
    case S_INPUT:
        buf_puts(out, "input ");
        for (const Name *n = s->names; n; n = n->next) {
            buf_printf(out, "%s%s", n == s->names ? "" : ", ", n->text);
            for (int i = 0; i < n->nsubs; i++)
                if (n->range[i])
                    buf_printf(out, "[%ld..%ld]", n->lo[i], n->hi[i]);
                else
                    buf_printf(out, "[%ld]", n->lo[i]);
        }
        break;
    case S_ASSIGN:
        buf_puts(out, s->name);
        for (int i = 0; i < s->nsubs; i++) {
            buf_putc(out, '[');
            put_expr(out, s->subs[i]);
            buf_putc(out, ']');
        }
        buf_puts(out, " = ");
        put_expr(out, s->expr);
        break;
    case S_FOR:                       /* its head only: fmt_stmts writes the body */
        buf_printf(out, "for %s in ", s->name);
        put_range(out, s->lo, s->hi);
        buf_puts(out, " {");
        return;
    }
    buf_putc(out, ';');
}

/* the line of a closing brace: the first '}' after FROM, comments aside */
static int brace_after(const Source *src, Loc from)
{
    const char *t = src->text;
    size_t i = 0;
    int line = 1;
    for (; i < src->len && line < from.last_line; i++)
        if (t[i] == '\n')
            line++;
    i += (size_t)from.last_column;       /* just after it (columns from 1) */
    for (; i < src->len; i++) {
        if (t[i] == '\n')
            line++;
        else if (t[i] == '#' || (t[i] == '/' && i + 1 < src->len && t[i + 1] == '/'))
            while (i + 1 < src->len && t[i + 1] != '\n')
                i++;
        else if (t[i] == '}')
            return line;
    }
    return line;
}

/* where statement S ends: a loop at its closing brace */
static Loc stmt_end(const Stmt *s)
{
    return s->kind == S_FOR ? s->close_loc : s->loc;
}

/* the line of a block's closing brace: the first '}' after the end of its
 * last statement (or of its name) */
static int close_line(const Source *src, const Block *b)
{
    Loc from = b->name_loc;
    for (const Stmt *s = b->stmts; s; s = s->next)
        from = stmt_end(s);
    return brace_after(src, from);
}

/* ---- alignment, a pass over the printed lines ---- */

typedef struct Line {
    const char *s;
    size_t len;
    size_t code;             /* length of the code before a trailing comment */
    bool comment;            /* a comment after code */
    size_t label;            /* "    layer LABEL : ...": LABEL's length, else 0 */
} Line;

static void split_line(Line *l)
{
    l->code = l->len;
    l->comment = false;
    size_t first = 0;
    while (first < l->len && l->s[first] == ' ')
        first++;
    for (size_t i = first; i < l->len; i++)
        if (l->s[i] == '#' || (l->s[i] == '/' && i + 1 < l->len && l->s[i + 1] == '/')) {
            if (i > first) {         /* code before it */
                size_t c = i;
                while (c > 0 && l->s[c - 1] == ' ')
                    c--;
                l->code = c;
                l->comment = true;
            }
            break;
        }
    l->label = 0;
    if (l->len > 10 && memcmp(l->s, "    layer ", 10) == 0) {
        size_t e = 10;
        while (e < l->code && l->s[e] != ' ')
            e++;
        if (e + 3 <= l->code && memcmp(l->s + e, " : ", 3) == 0)
            l->label = e - 10;
    }
}

/* Consecutive layer statements align their ':'; consecutive lines of code
 * with comments after them align the comments, one column past the
 * longest of the code.  A blank line, a comment line or a block's brace
 * ends a run. */
static void align(Buf *out)
{
    int n = 0, cap = 64;
    Line *L = xmalloc(cap * sizeof *L);
    for (size_t i = 0; i < out->len;) {
        size_t e = i;
        while (e < out->len && out->data[e] != '\n')
            e++;
        if (n == cap)
            L = xrealloc(L, xmul((size_t)(cap *= 2), sizeof *L));
        L[n] = (Line){out->data + i, e - i, 0, false, 0};
        split_line(&L[n]);
        n++;
        i = e + 1;
    }
    Buf res = {0};
    for (int a = 0; a < n;) {
        /* a run: lines of statements (indented code) */
        int b = a;
        while (b < n && L[b].len > 4 && memcmp(L[b].s, "    ", 4) == 0 && L[b].s[4] != ' ' && L[b].code > 4)
            b++;
        if (b == a) {
            buf_add(&res, L[a].s, L[a].len);
            buf_putc(&res, '\n');
            a++;
            continue;
        }
        size_t lab = 0, code = 0;
        for (int k = a; k < b; k++)
            if (L[k].label > lab)
                lab = L[k].label;
        for (int k = a; k < b; k++) {
            size_t c = L[k].code + (L[k].label ? lab - L[k].label : 0);
            if (L[k].comment && c > code)
                code = c;
        }
        for (int k = a; k < b; k++) {
            size_t start = res.len;
            if (L[k].label) {
                buf_add(&res, L[k].s, 10 + L[k].label);
                for (size_t p = L[k].label; p < lab; p++)
                    buf_putc(&res, ' ');
                buf_add(&res, L[k].s + 10 + L[k].label, L[k].code - 10 - L[k].label);
            } else {
                buf_add(&res, L[k].s, L[k].code);
            }
            if (L[k].comment) {
                size_t c0 = L[k].code;
                while (c0 < L[k].len && L[k].s[c0] == ' ')
                    c0++;
                while (res.len - start < code + 2)
                    buf_putc(&res, ' ');
                buf_add(&res, L[k].s + c0, L[k].len - c0);
            }
            buf_putc(&res, '\n');
        }
        a = b;
    }
    /* the text ended with a newline, so the last "line" was empty */
    if (n > 0 && L[n - 1].len == 0 && res.len > 0)
        res.len--;
    free(L);
    buf_truncate(out, 0);
    buf_add(out, res.data ? res.data : "", res.len);
    buf_free(&res);
}

/* statements one a line at DEPTH; a loop's body one level deeper, its
 * closing brace on a line of its own */
static void put_stmts(Fmt *F, const Stmt *stmts, int depth)
{
    Buf *out = F->out;
    for (const Stmt *s = stmts; s; s = s->next) {
        comments_before(F, s->loc.first_line, depth);
        gap(F, s->loc.first_line);
        indent(F, depth);
        put_stmt(out, s);
        if (s->kind == S_FOR) {
            end_line(F, s->loc.first_line, s->loc.last_line);
            put_stmts(F, s->body, depth + 1);
            int cl = s->close_loc.first_line;
            comments_before(F, cl, depth + 1);
            indent(F, depth);
            buf_putc(out, '}');
            if (s->next && s->next->loc.first_line == cl) {
                buf_putc(out, '\n');
                F->last_line = cl;
                continue;
            }
            end_line(F, cl, cl);
            continue;
        }
        /* several statements on one line: the comment goes after the last */
        int last = s->loc.last_line;
        if (s->next && s->next->loc.first_line == last) {
            buf_putc(out, '\n');
            F->last_line = last;
            continue;
        }
        end_line(F, s->loc.first_line, last);
    }
}

void fmt_program(const Source *src, const Program *prog, Buf *out)
{
    Fmt F = {.src = src, .out = out};
    scan_comments(&F);
    for (const Block *b = prog->blocks; b; b = b->next) {
        comments_before(&F, b->loc.first_line, 0);
        gap(&F, b->loc.first_line);
        buf_printf(out, "%s %s {", b->kind == B_NETWORK ? "network" : "graph", b->name);
        end_line(&F, b->loc.first_line, b->name_loc.last_line);
        put_stmts(&F, b->stmts, 1);
        int cl = close_line(src, b);
        comments_before(&F, cl, 1);
        buf_putc(out, '}');
        end_line(&F, cl, cl);
        if (b->next) {
            buf_putc(out, '\n');       /* one blank line between blocks */
            F.last_line = 0;           /* ... and only one */
        }
    }
    comments_before(&F, 1 << 30, 0);
    free(F.c);
    align(out);
}
