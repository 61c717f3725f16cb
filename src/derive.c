/* derive.c — paths, counts, stage factors, and the three output formats.
 *
 * Invariants:
 * - A node "reaches" when a path of non-zero factors leads from it to REF.
 *   The enumeration only descends into reaching children, so every branch
 *   of the search ends in a term: work per term beyond writing it is O(1)
 *   amortised.
 * - The rendered product of the current path prefix is kept in a buffer;
 *   after backtracking only the suffix is rewritten.
 * - Numeric factors are multiplied into one coefficient printed first.
 */
#include "derive.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* a local derivative split as coef * core: the numeric part joins the
 * term's coefficient, the symbolic core is printed */
struct Factor {
    unsigned char done, zero, one;
    double coef;
    Expr *core;                       /* NULL: purely numeric */
    const char *latex, *text;         /* core as a factor: (a+b) */
    size_t latex_len, text_len;
    const char *latex_bare, *text_bare;   /* core alone: a+b */
    size_t latex_bare_len, text_bare_len;
    const char *json;                 /* the whole factor, LaTeX */
    size_t json_len;
    Expr *e;                          /* the whole factor */
    unsigned char printed;            /* the strings above are made */
};

/* the printed forms of a factor, made on first use (drawing needs none) */
static const Factor *factor(Deriver *d, int k);

static const Factor *factor_printed(Deriver *d, int k)
{
    Factor *f = &d->factors[k];
    if (f->printed)
        return f;
    if (!f->done)
        factor(d, k);       /* cannot fail here: a forward sum was checked */
    Arena *A = &d->arena;
    const Graph *g = d->g;
    Buf b = {0};
    Printer p;
    if (f->core) {
        for (int style = 0; style < 2; style++) {
            p = graph_printer(g, style ? FMT_TEXT : FMT_LATEX);
            buf_truncate(&b, 0);
            expr_print_factor(&p, f->core, &b);
            const char *fac = arena_strndup(A, buf_cstr(&b), b.len);
            size_t fac_len = b.len, bare_len = fac_len;
            const char *bare = fac;
            if (fac[0] == '(') {          /* a sum: bare differs */
                buf_truncate(&b, 0);
                expr_print(&p, f->core, &b);
                bare = arena_strndup(A, buf_cstr(&b), b.len);
                bare_len = b.len;
            }
            if (style) {
                f->text = fac, f->text_len = fac_len;
                f->text_bare = bare, f->text_bare_len = bare_len;
            } else {
                f->latex = fac, f->latex_len = fac_len;
                f->latex_bare = bare, f->latex_bare_len = bare_len;
            }
        }
    }
    if (f->core && f->coef == 1) {
        f->json = f->latex_bare;
        f->json_len = f->latex_bare_len;
    } else {
        p = graph_printer(g, FMT_LATEX);
        buf_truncate(&b, 0);
        expr_print(&p, f->e, &b);
        f->json_len = b.len;
        f->json = arena_strndup(A, buf_cstr(&b), b.len);
    }
    buf_free(&b);
    f->printed = 1;
    return f;
}

static const char *const stage_names[] = {"chain", "act", "local", "forward", "factored"};

const char *stage_name(Stage s) { return stage_names[s]; }

int stage_parse(const char *s, Stage *out)
{
    for (int i = 0; i < 5; i++)
        if (strcmp(s, stage_names[i]) == 0) {
            *out = (Stage)i;
            return 0;
        }
    return -1;
}

void deriver_init(Deriver *d, const Graph *g, Stage stage)
{
    memset(d, 0, sizeof *d);
    d->g = g;
    d->stage = stage;
    d->factors = xcalloc((size_t)(g->nedges ? g->nedges : 1), sizeof *d->factors);
    d->fwd = xcalloc((size_t)g->nnodes, sizeof *d->fwd);
    d->fwd_state = xcalloc((size_t)g->nnodes, 1);
}

void deriver_free(Deriver *d)
{
    free(d->factors);
    free(d->fwd);
    free(d->fwd_state);
    arena_free(&d->arena);
    memset(d, 0, sizeof *d);
}

/* ---- forward path sums ---- */

/* w * (a + b + ...) distributed over the sum, so that every term stays a
 * product along one path */
static Expr *distribute(Arena *A, Expr *w, Expr *sum)
{
    if (sum->kind == X_ADD)
        return mk_add(A, distribute(A, w, sum->a), distribute(A, w, sum->b));
    if (sum->kind == X_SUB)
        return mk_sub(A, distribute(A, w, sum->a), distribute(A, w, sum->b));
    return mk_mul(A, w, sum);
}

static Expr *fwd_sub(void *ctx, int node);

/* the forward path sum of V: inputs, weights and biases stay symbols */
static Expr *forward(Deriver *d, int v)
{
    const Graph *g = d->g;
    const Node *n = &g->nodes[v];
    Arena *A = &d->arena;
    if (d->fwd_state[v] == 2)
        return d->fwd[v];
    Expr *r;
    switch (n->kind) {
    case N_ACT: {
        int a = g->layers[n->layer].act;
        Expr *x = forward(d, g->edges[n->first_edge].to);
        if (n->dead)
            r = mk_num(A, 0);
        else if (op_get(a)->live_is_identity)
            r = x;
        else
            r = mk_call1(A, a, x);
        break;
    }
    case N_PRE:
        r = mk_num(A, 0);
        for (int k = 0; k < n->nedges; k++) {
            const Edge *e = &g->edges[n->first_edge + k];
            if (e->kind == E_JY)
                r = mk_add(A, r, distribute(A, mk_var(A, e->aux), forward(d, e->to)));
            else if (e->kind == E_SKIP)
                r = mk_add(A, r, forward(d, e->to));
            else if (e->kind == E_BIAS)
                r = mk_add(A, r, mk_var(A, e->to));
        }
        break;
    case N_SCALAR:
        r = node_def(g, v) ? expr_subst(A, node_def(g, v), fwd_sub, d) : mk_var(A, v);
        break;
    default:
        r = mk_var(A, v);
        break;
    }
    d->fwd[v] = r;
    d->fwd_state[v] = 2;
    return r;
}

static Expr *fwd_sub(void *ctx, int node)
{
    Deriver *d = ctx;
    return node_def(d->g, node) ? forward(d, node) : NULL;
}

/* occurrences of NODE in E (parsed expressions: bounded depth) */
static unsigned long long occurrences(const Expr *e, int node)
{
    switch (e->kind) {
    case X_VAR: return e->node == node;
    case X_NEG: case X_POW: return occurrences(e->a, node);
    case X_ADD: case X_SUB: case X_MUL: case X_DIV:
        return occurrences(e->a, node) + occurrences(e->b, node);
    case X_CALL: {
        unsigned long long n = 0;
        for (int i = 0; i < e->nargs; i++)
            n += occurrences(e->args[i], node);
        return n;
    }
    default: return 0;
    }
}

static unsigned long long sat_add(unsigned long long a, unsigned long long b)
{
    return a + b < a ? ~0ULL : a + b;
}

static unsigned long long sat_mul(unsigned long long a, unsigned long long b)
{
    return b && a > ~0ULL / b ? ~0ULL : a * b;
}

/* Check the size of V's forward sum before building it: its number of
 * terms and the nesting of its expression, computed in one iterative
 * post-order pass (a 100,000-layer network must not exhaust the C stack
 * here, and the sum it would build must stay printable). */
static int forward_ok(Deriver *d, int v, const char *why)
{
    const Graph *g = d->g;
    int n = g->nnodes;
    unsigned long long *terms = xcalloc((size_t)n, sizeof *terms);
    unsigned long long *depth = xcalloc((size_t)n, sizeof *depth);
    int *stack = xmalloc(xmul((size_t)n, sizeof *stack));
    int *cur = xcalloc((size_t)n, sizeof *cur);
    unsigned char *state = xcalloc((size_t)n, 1);
    int sp = 0;
    stack[sp++] = v;
    state[v] = 1;
    while (sp > 0) {
        int u = stack[sp - 1];
        const Node *nu = &g->nodes[u];
        bool leaf = !(nu->kind == N_ACT || nu->kind == N_PRE || node_def(g, u));
        if (!leaf && !(nu->kind == N_ACT && nu->dead) && cur[u] < nu->nedges) {
            const Edge *e = &g->edges[nu->first_edge + cur[u]++];
            if (e->kind != E_JW && e->kind != E_BIAS && !state[e->to]) {
                state[e->to] = 1;
                stack[sp++] = e->to;
            }
            continue;
        }
        unsigned long long t = 0, dp = 0;
        if (leaf || (nu->kind == N_ACT && nu->dead)) {
            t = dp = 1;
        } else {
            for (int k = 0; k < nu->nedges; k++) {
                const Edge *e = &g->edges[nu->first_edge + k];
                unsigned long long ct = e->kind == E_BIAS ? 1 : terms[e->to];
                unsigned long long cd = e->kind == E_BIAS ? 1 : depth[e->to];
                if (e->kind == E_JW)
                    continue;
                if (e->kind == E_SCALAR)
                    ct = sat_mul(ct, occurrences(node_def(g, u), e->to));
                t = sat_add(t, ct);
                if (cd > dp)
                    dp = cd;
            }
            /* a sum nests one level (the products along it); sigma(...) one more */
            if (node_def(g, u))
                dp += (unsigned long long)node_def(g, u)->depth;
            else if (nu->kind == N_PRE)
                dp += 1;
            else if (!op_get(g->layers[nu->layer].act)->live_is_identity)
                dp += 1;
            if (!t)
                t = 1;
        }
        terms[u] = t;
        depth[u] = dp;
        state[u] = 2;
        sp--;
    }
    unsigned long long t = terms[v], dp = depth[v];
    free(terms);
    free(depth);
    free(stack);
    free(cur);
    free(state);
    if (t > PG_MAX_FORWARD_TERMS || dp > PG_MAX_FORWARD_DEPTH) {
        Buf r = {0};
        graph_node_ref(g, v, &r);
        if (t > PG_MAX_FORWARD_TERMS)
            pg_error("%s: the forward path sum of %s has %s%llu terms, more than the limit of %d",
                    why, buf_cstr(&r), t == ~0ULL ? "over " : "", t, PG_MAX_FORWARD_TERMS);
        else
            pg_error("%s: the forward path sum of %s nests %llu levels deep, more than the limit of %d",
                    why, buf_cstr(&r), dp, PG_MAX_FORWARD_DEPTH);
        buf_free(&r);
        return -1;
    }
    return 0;
}

/* ---- factors ---- */

/* the activation's derivative at stage act: the row's symbolic
 * derivative at x, or the article's 1 for a live neuron and 0 for a dead
 * one */
static Expr *act_factor(Deriver *d, const Node *y, int x)
{
    Arena *A = &d->arena;
    const Op *op = op_get(d->g->layers[y->layer].act);
    if (y->dead)
        return mk_num(A, 0);
    if (op->live_is_identity)
        return mk_num(A, 1);
    Expr *arg = mk_var(A, x);
    return op->dsym(A, &arg, 0);
}

/* the local derivative of edge K at the deriver's stage, printed; NULL
 * after an error */
static const Factor *factor(Deriver *d, int k)
{
    Factor *f = &d->factors[k];
    if (f->done)
        return f;
    const Graph *g = d->g;
    const Edge *e = &g->edges[k];
    Arena *A = &d->arena;
    Stage st = d->stage == ST_FACTORED ? ST_LOCAL : d->stage;
    Expr *x = NULL;
    switch (e->kind) {
    case E_LOSS:
        break;
    case E_ACT:
        if (st >= ST_ACT)
            x = act_factor(d, &g->nodes[e->from], e->to);
        break;
    case E_JW:
        if (st == ST_FORWARD && g->nodes[e->aux].kind == N_ACT) {
            if (forward_ok(d, e->aux, "stage forward") < 0)
                return NULL;
            x = forward(d, e->aux);
        } else if (st >= ST_LOCAL) {
            x = mk_var(A, e->aux);
        }
        break;
    case E_JY:
        if (st >= ST_LOCAL)
            x = mk_var(A, e->aux);
        break;
    case E_SKIP: case E_BIAS:
        if (st >= ST_LOCAL)
            x = mk_num(A, 1);
        break;
    case E_SCALAR:
        if (st == ST_FORWARD)
            x = expr_subst(A, g->locals[k], fwd_sub, d);
        else if (st >= ST_LOCAL)
            x = g->locals[k];
        break;
    }
    if (!x)
        x = mk_partial(A, e->from, e->to);
    f->coef = 1;
    Expr *core = x;
    if (core->kind == X_NEG) {
        f->coef = -1;
        core = core->a;
    }
    if (core->kind == X_MUL && core->a->kind == X_NUM) {
        f->coef *= core->a->num;
        core = core->b;
    }
    if (core->kind == X_NUM) {
        f->coef *= core->num;
        core = NULL;
    }
    f->core = core;
    f->e = x;
    f->zero = f->coef == 0;
    f->one = f->coef == 1 && !core;
    f->done = 1;
    return f;
}

/* Is edge K's factor 0 at the stage?  1 yes, 0 no, -1 after an error (a
 * forward sum too large).  Only activations, scalar operators and (at
 * stage forward) junction inputs can be 0: for every other edge no factor
 * is built, so the search over a large network allocates nothing per edge. */
static int edge_zero(Deriver *d, int k)
{
    const Graph *g = d->g;
    const Edge *e = &g->edges[k];
    Stage st = d->stage == ST_FACTORED ? ST_LOCAL : d->stage;
    switch (e->kind) {
    case E_ACT: {
        const Node *y = &g->nodes[e->from];
        return st >= ST_ACT && y->dead;
    }
    case E_JW:
        if (st != ST_FORWARD || g->nodes[e->aux].kind != N_ACT)
            return 0;
        break;
    case E_SCALAR:
        if (st < ST_LOCAL)
            return 0;
        break;
    default:
        return 0;
    }
    const Factor *f = factor(d, k);
    return f ? f->zero : -1;
}

/* ---- reachability and counting ---- */

enum { R_NEW = 0, R_OPEN, R_NO, R_YES };

/* mark[v] = R_YES for nodes with a non-zero path to WRT, over the part of
 * the graph reachable from OF.  Iterative: deep graphs do not touch the C
 * stack.  Returns -1 if a factor could not be made. */
static int mark_reaching(Deriver *d, int of, int wrt, unsigned char *mark, bool use_stage)
{
    const Graph *g = d->g;
    /* the search stack holds (node, next edge) pairs and grows with the
     * depth of the search, not the size of the graph */
    struct Visit { int v, cur; } *stack = NULL;
    size_t cap = 0, sp = 0;
    int rc = 0;
    mark[of] = R_OPEN;
    stack = xrealloc(stack, (cap = 256) * sizeof *stack);
    stack[sp++] = (struct Visit){of, 0};
    while (sp > 0) {
        struct Visit *top = &stack[sp - 1];
        int v = top->v;
        const Node *n = &g->nodes[v];
        if (v == wrt) {
            mark[v] = R_YES;
            sp--;
            continue;
        }
        if (top->cur == n->nedges) {
            bool yes = false;
            for (int k = 0; k < n->nedges && !yes; k++) {
                const Edge *e = &g->edges[n->first_edge + k];
                if (mark[e->to] != R_YES)
                    continue;
                if (use_stage) {
                    int z = edge_zero(d, n->first_edge + k);
                    if (z < 0) {
                        rc = -1;
                        goto out;
                    }
                    if (z)
                        continue;
                }
                yes = true;
            }
            mark[v] = yes ? R_YES : R_NO;
            sp--;
            continue;
        }
        int u = g->edges[n->first_edge + top->cur++].to;
        if (mark[u] == R_NEW && u != wrt && g->nodes[u].nedges == 0) {
            mark[u] = R_NO;           /* a leaf (most of a network's weights) */
        } else if (mark[u] == R_NEW) {
            mark[u] = R_OPEN;
            if (sp == cap)
                stack = xrealloc(stack, xmul(cap *= 2, sizeof *stack));
            stack[sp++] = (struct Visit){u, 0};
        }
    }
out:
    free(stack);
    return rc;
}

/* paths from each reaching node to WRT, summed in post-order */
static void count_marked(Deriver *d, int of, int wrt, const unsigned char *mark, bool use_stage, mpz_t out)
{
    const Graph *g = d->g;
    mpz_set_ui(out, 0);
    if (mark[of] != R_YES)
        return;
    /* compact indices for the reaching nodes, in post-order */
    int *idx = xmalloc(xmul((size_t)g->nnodes, sizeof *idx));
    for (int v = 0; v < g->nnodes; v++)
        idx[v] = -1;
    int *stack = xmalloc(xmul((size_t)g->nnodes, sizeof *stack));
    int *cur = xmalloc(xmul((size_t)g->nnodes, sizeof *cur));
    int nr = 0;
    for (int v = 0; v < g->nnodes; v++)
        nr += mark[v] == R_YES;
    mpz_t *cnt = xmalloc(xmul((size_t)nr, sizeof *cnt));
    int next = 0, sp = 0;
    stack[sp++] = of;
    cur[of] = 0;
    idx[of] = -2;  /* open */
    while (sp > 0) {
        int v = stack[sp - 1];
        const Node *n = &g->nodes[v];
        if (v == wrt || cur[v] == n->nedges) {
            int me = next++;
            mpz_init(cnt[me]);
            if (v == wrt) {
                mpz_set_ui(cnt[me], 1);
            } else {
                for (int k = 0; k < n->nedges; k++) {
                    const Edge *e = &g->edges[n->first_edge + k];
                    if (mark[e->to] != R_YES)
                        continue;
                    if (use_stage && edge_zero(d, n->first_edge + k))
                        continue;
                    mpz_add(cnt[me], cnt[me], cnt[idx[e->to]]);
                }
            }
            idx[v] = me;
            sp--;
            continue;
        }
        int u = g->edges[n->first_edge + cur[v]++].to;
        if (mark[u] == R_YES && idx[u] == -1) {
            idx[u] = -2;
            cur[u] = 0;
            stack[sp++] = u;
        }
    }
    mpz_set(out, cnt[idx[of]]);
    for (int k = 0; k < next; k++)
        mpz_clear(cnt[k]);
    free(cnt);
    free(idx);
    free(stack);
    free(cur);
}

void count_paths(const Graph *g, int of, int wrt, mpz_t out)
{
    Deriver d;
    deriver_init(&d, g, ST_CHAIN);
    unsigned char *mark = xcalloc((size_t)g->nnodes, 1);
    mark_reaching(&d, of, wrt, mark, false);
    count_marked(&d, of, wrt, mark, false, out);
    free(mark);
    deriver_free(&d);
}

int count_terms(Deriver *d, int of, int wrt, mpz_t out)
{
    unsigned char *mark = xcalloc((size_t)d->g->nnodes, 1);
    int rc = mark_reaching(d, of, wrt, mark, true);
    if (rc == 0)
        count_marked(d, of, wrt, mark, true, out);
    else
        mpz_set_ui(out, 0);
    free(mark);
    return rc;
}

/* the nodes that lie on a path OF -> WRT at the stage (R_YES), or NULL
 * after an error; the caller frees */
static unsigned char *marked(Deriver *d, int of, int wrt)
{
    unsigned char *mark = xcalloc((size_t)d->g->nnodes, 1);
    if (mark_reaching(d, of, wrt, mark, true) < 0) {
        free(mark);
        return NULL;
    }
    return mark;
}

/* is edge K on a path OF -> WRT (its ends marked, its factor not 0)? */
static bool on_path_edge(Deriver *d, const unsigned char *mark, int wrt, int k)
{
    const Edge *e = &d->g->edges[k];
    return e->from != wrt && mark[e->from] == R_YES && mark[e->to] == R_YES && !edge_zero(d, k);
}

/* ---- output ---- */

static void json_string(FILE *out, const char *s, size_t n)
{
    putc('"', out);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            putc('\\', out);
            putc(c, out);
        } else if (c == '\n') {
            fputs("\\n", out);
        } else if (c < 0x20) {
            fprintf(out, "\\u%04x", c);
        } else {
            putc(c, out);
        }
    }
    putc('"', out);
}


/* the left-hand side: \frac{\partial OF}{\partial REF} or ∂OF/∂REF */
static void print_lhs(const Graph *g, int of, int wrt, Style st, Buf *out)
{
    Arena tmp = {0};
    Printer p = graph_printer(g, st);
    expr_print(&p, mk_partial(&tmp, of, wrt), out);
    arena_free(&tmp);
}

/* {"of": ..., "wrt": ..., "stage": ...: the head every derivation's JSON
 * object starts with */
static void json_head(FILE *out, const Graph *g, int of, int wrt, const char *stage)
{
    Buf r = {0};
    fputs("{\"of\": ", out);
    graph_node_ref(g, of, &r);
    json_string(out, r.data, r.len);
    buf_truncate(&r, 0);
    fputs(", \"wrt\": ", out);
    graph_node_ref(g, wrt, &r);
    json_string(out, r.data, r.len);
    fprintf(out, ", \"stage\": \"%s\"", stage);
    buf_free(&r);
}

static size_t display_width(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

typedef struct Frame {
    int node;
    int edge_cursor;        /* next usable edge to try (index into kids) */
    int via;                /* the edge that led here, -1 at OF */
    size_t latex_len, text_len;
    double coef;            /* the coefficient is coef * 2^exp2: products of */
    long exp2;              /* many numbers neither overflow nor underflow */
    int nsym;               /* symbolic factors so far */
    int sym;                /* the edge of the last one */
} Frame;

typedef struct Emitter {
    Deriver *d;
    OutFormat fmt;
    FILE *out;
    bool multiline;         /* latex: one path a line */
    bool single;            /* the sum has one term */
    size_t pad;             /* text: width of "LHS = " */
    unsigned long long nterms;
    Buf latex_all;          /* json: the whole formula */
    Buf wbuf;               /* output gathered here, written in large blocks */
    Buf sep;                /* what goes between two plain terms */
} Emitter;

#define EMIT_FLUSH (1u << 20)

static void emit_flush(Emitter *em)
{
    if (em->wbuf.len) {
        fwrite(em->wbuf.data, 1, em->wbuf.len, em->out);
        buf_truncate(&em->wbuf, 0);
    }
}

/* c * 2^e as text: as a number when a double holds it, else m * 10^k */
static void fmt_scaled(Style st, double c, long e, Buf *out)
{
    double v = e ? ldexp(c, (int)(e > 100000 ? 100000 : e < -100000 ? -100000 : e)) : c;
    if (e == 0 || (isfinite(v) && fabs(v) >= 0x1p-1000)) {
        print_number(st, v, out);
        return;
    }
    if (c < 0)
        buf_puts(out, st == FMT_LATEX ? "-" : "−");
    double l = log10(fabs(c)) + (double)e * log10(2.0);
    double k = floor(l);
    buf_printf(out, "%.6g", pow(10.0, l - k));
    if (st == FMT_LATEX) {
        buf_printf(out, "\\cdot 10^{%.0f}", k);
    } else {
        static const char *const sup[] = {"⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"};
        char tmp[32];
        snprintf(tmp, sizeof tmp, "%.0f", k);
        buf_puts(out, "·10");
        for (char *p = tmp; *p; p++)
            buf_puts(out, *p == '-' ? "⁻" : sup[*p - '0']);
    }
}

/* the coefficient, then the product PROD: "2\cdot y", "-y", "1" */
static void term_text(Style st, double coef, long exp2, const char *prod, size_t n, Buf *out)
{
    size_t start = out->len;
    if (coef == -1 && exp2 == 0 && n > 0) {
        buf_puts(out, st == FMT_LATEX ? "-" : "−");
        start = out->len;
    } else if (coef != 1 || exp2 != 0 || n == 0) {
        fmt_scaled(st, coef, exp2, out);
    }
    product_join(st, out, start, prod, n);
}

/* append one term to a sum being printed */
static void sum_append(Emitter *em, Style st, Buf *sum, const Buf *term)
{
    const char *t = term->data;
    size_t n = term->len;
    bool neg = false;
    if (st == FMT_LATEX && n && t[0] == '-')
        neg = true, t++, n--;
    if (st == FMT_TEXT && n >= 3 && memcmp(t, "−", 3) == 0)
        neg = true, t += 3, n -= 3;
    if (em->nterms == 0) {
        if (neg)
            buf_puts(sum, st == FMT_LATEX ? "-" : "−");
    } else if (st == FMT_LATEX) {
        buf_puts(sum, em->multiline ? " \\\\\n" : "");
        buf_puts(sum, neg ? "-" : "+");
    } else {
        /* the separator's newline and padding, without its sign */
        buf_add(sum, em->sep.data, em->sep.len - 2);
        buf_puts(sum, neg ? "− " : "+ ");
    }
    buf_add(sum, t, n);
}

static void emit_term(Emitter *em, Frame *fr, int depth, const Buf *lb, const Buf *tb)
{
    Deriver *d = em->d;
    const Graph *g = d->g;
    double coef = fr[depth].coef;
    long exp2 = fr[depth].exp2;
    /* the common case, a product with no coefficient: the separator and the
     * rendered prefix, copied once */
    if (em->fmt != OUT_JSON && coef == 1 && exp2 == 0 && !(fr[depth].nsym == 1 && em->single)) {
        const Buf *b = em->fmt == OUT_LATEX ? lb : tb;
        if (b->len && b->data[0] != '-' && !(b->len >= 3 && memcmp(b->data, "−", 3) == 0)) {
            if (em->nterms)
                buf_add(&em->wbuf, em->sep.data, em->sep.len);
            buf_add(&em->wbuf, b->data, b->len);
            if (em->wbuf.len >= EMIT_FLUSH)
                emit_flush(em);
            em->nterms++;
            return;
        }
    }
    Buf term = {0}, piece = {0};
    /* a lone factor needs no parentheses: "(b+1)" prints as "b+1" */
    Buf lone_l = {0}, lone_t = {0};
    if (fr[depth].nsym == 1 && coef == 1 && exp2 == 0 && em->single) {
        const Factor *f = factor_printed(d, fr[depth].sym);
        buf_add(&lone_l, f->latex_bare, f->latex_bare_len);
        buf_add(&lone_t, f->text_bare, f->text_bare_len);
        lb = &lone_l;
        tb = &lone_t;
    }
    if (em->fmt == OUT_JSON) {
        fputs(em->nterms ? ",\n  {\"path\": [" : "\n  {\"path\": [", em->out);
        for (int k = 0; k <= depth; k++) {
            buf_truncate(&piece, 0);
            graph_node_ref(g, fr[k].node, &piece);
            if (k)
                fputs(", ", em->out);
            json_string(em->out, piece.data, piece.len);
        }
        fputs("], \"factors\": [", em->out);
        int nf = 0;
        for (int k = 1; k <= depth; k++) {
            const Factor *f = factor_printed(d, fr[k].via);
            if (f->one)
                continue;
            if (nf++)
                fputs(", ", em->out);
            json_string(em->out, f->json, f->json_len);
        }
        fputs("]}", em->out);
        term_text(FMT_LATEX, coef, exp2, lb->data ? lb->data : "", lb->len, &term);
        sum_append(em, FMT_LATEX, &em->latex_all, &term);
    } else if (em->fmt == OUT_LATEX) {
        term_text(FMT_LATEX, coef, exp2, lb->data ? lb->data : "", lb->len, &term);
        sum_append(em, FMT_LATEX, &em->wbuf, &term);
    } else {
        term_text(FMT_TEXT, coef, exp2, tb->data ? tb->data : "", tb->len, &term);
        sum_append(em, FMT_TEXT, &em->wbuf, &term);
    }
    if (em->wbuf.len >= EMIT_FLUSH)
        emit_flush(em);
    buf_free(&term);
    buf_free(&piece);
    buf_free(&lone_l);
    buf_free(&lone_t);
    em->nterms++;
}

int derive_write(Deriver *d, int of, int wrt, OutFormat fmt, FILE *out)
{
    const Graph *g = d->g;
    unsigned char *mark = marked(d, of, wrt);
    if (!mark)
        return -1;
    mpz_t count;
    mpz_init(count);
    count_marked(d, of, wrt, mark, true, count);

    Emitter em = {d, fmt, out, mpz_cmp_ui(count, 2) > 0, mpz_cmp_ui(count, 1) == 0, 0, 0, {0}, {0}, {0}};
    Buf lhs = {0};
    if (fmt == OUT_JSON) {
        json_head(out, g, of, wrt, stage_name(d->stage));
        fputs(", \"count\": \"", out);
        mpz_out_str(out, 10, count);
        fputs("\",\n \"terms\": [", out);
        print_lhs(g, of, wrt, FMT_LATEX, &em.latex_all);
        buf_puts(&em.latex_all, "= ");
    } else {
        print_lhs(g, of, wrt, fmt == OUT_LATEX ? FMT_LATEX : FMT_TEXT, &lhs);
        buf_puts(&lhs, fmt == OUT_LATEX ? "= " : " = ");
        em.pad = display_width(buf_cstr(&lhs));
        fwrite(lhs.data, 1, lhs.len, out);
    }

    if (fmt == OUT_LATEX) {
        buf_puts(&em.sep, em.multiline ? " \\\\\n+" : "+");
    } else if (fmt == OUT_TEXT) {
        buf_putc(&em.sep, '\n');
        for (size_t i = 0; i + 2 < em.pad; i++)
            buf_putc(&em.sep, ' ');
        buf_puts(&em.sep, "+ ");
    }
    bool want_text = fmt == OUT_TEXT;     /* else the LaTeX prefix (JSON too) */

    /* the usable edges of every reaching node, gathered once: the search
     * then never looks at an edge that cannot end in a term */
    int *kid0 = xmalloc(xmul((size_t)g->nnodes + 1, sizeof *kid0));
    int nk = 0;
    for (int v = 0; v < g->nnodes; v++) {
        kid0[v] = nk;
        if (mark[v] == R_YES && v != wrt)
            for (int e = g->nodes[v].first_edge; e < g->nodes[v].first_edge + g->nodes[v].nedges; e++)
                nk += mark[g->edges[e].to] == R_YES && !edge_zero(d, e);
    }
    kid0[g->nnodes] = nk;
    int *kids = xmalloc(xmul((size_t)nk + 1, sizeof *kids));
    nk = 0;
    for (int v = 0; v < g->nnodes; v++)
        if (mark[v] == R_YES && v != wrt)
            for (int e = g->nodes[v].first_edge; e < g->nodes[v].first_edge + g->nodes[v].nedges; e++)
                if (mark[g->edges[e].to] == R_YES && !edge_zero(d, e))
                    kids[nk++] = e;

    /* depth-first over reaching children: every branch ends in a term */
    Buf lb = {0}, tb = {0};
    buf_cstr(&lb);
    buf_cstr(&tb);
    size_t cap = 64;
    Frame *fr = xmalloc(cap * sizeof *fr);
    int depth = 0;
    if (mark[of] == R_YES) {
        fr[0] = (Frame){of, kid0[of], -1, 0, 0, 1.0, 0, 0, -1};
        while (depth >= 0) {
            Frame *f = &fr[depth];
            if (f->node == wrt) {
                emit_term(&em, fr, depth, &lb, &tb);
                depth--;
                continue;
            }
            if (f->edge_cursor == kid0[f->node + 1]) {
                depth--;
                continue;
            }
            int k = kids[f->edge_cursor++];
            /* the rendered prefix of this depth; rewrite the suffix only */
            const Factor *fc = factor_printed(d, k);
            double coef = f->coef * fc->coef;
            long exp2 = f->exp2;
            if (fc->coef != 1 && coef != 0 && (fabs(coef) > 0x1p500 || fabs(coef) < 0x1p-500)) {
                int shift;
                coef = frexp(coef, &shift);
                exp2 += shift;
            }
            int nsym = f->nsym, sym = f->sym;
            if (fc->core) {
                if (want_text) {
                    tb.len = f->text_len;
                    product_join(FMT_TEXT, &tb, 0, fc->text, fc->text_len);
                } else {
                    lb.len = f->latex_len;
                    product_join(FMT_LATEX, &lb, 0, fc->latex, fc->latex_len);
                }
                nsym++;
                sym = k;
            } else {
                lb.len = f->latex_len;
                tb.len = f->text_len;
                lb.data[lb.len] = '\0';
                tb.data[tb.len] = '\0';
            }
            if ((size_t)depth + 2 > cap) {
                cap *= 2;
                fr = xrealloc(fr, xmul(cap, sizeof *fr));
            }
            depth++;
            int to = g->edges[k].to;
            fr[depth] = (Frame){to, kid0[to], k, lb.len, tb.len, coef, exp2, nsym, sym};
        }
    }
    free(fr);
    free(kid0);
    free(kids);
    buf_free(&lb);
    buf_free(&tb);

    if (em.nterms == 0) {
        if (fmt == OUT_JSON)
            buf_puts(&em.latex_all, "0");
        else
            buf_putc(&em.wbuf, '0');
    }
    emit_flush(&em);
    if (fmt == OUT_JSON) {
        fputs(em.nterms ? "],\n \"latex\": " : "],\n \"latex\": ", out);
        json_string(out, em.latex_all.data, em.latex_all.len);
        fputs("}\n", out);
    } else {
        fputc('\n', out);
    }
    buf_free(&em.latex_all);
    buf_free(&em.wbuf);
    buf_free(&em.sep);
    buf_free(&lhs);
    mpz_clear(count);
    free(mark);
    return 0;
}

int expand_write(Deriver *d, int node, OutFormat fmt, FILE *out)
{
    const Graph *g = d->g;
    const Node *n = &g->nodes[node];
    if (n->kind == N_LOSS) {
        pg_error("the loss %s stays abstract: expand a y or an x of the network", node_name(g, node));
        return -1;
    }
    if (forward_ok(d, node, "expand") < 0)
        return -1;
    Expr *e = forward(d, node);
    Buf name = {0}, val = {0};
    if (fmt == OUT_JSON) {
        graph_node_ref(g, node, &name);
        fputs("{\"node\": ", out);
        json_string(out, name.data, name.len);
        buf_truncate(&name, 0);
        Printer p = graph_printer(g, FMT_LATEX);
        graph_node_name(g, node, FMT_LATEX, &name);
        buf_puts(&name, " = ");
        expr_print(&p, e, &name);
        fputs(", \"latex\": ", out);
        json_string(out, name.data, name.len);
        buf_truncate(&val, 0);
        p = graph_printer(g, FMT_TEXT);
        expr_print(&p, e, &val);
        fputs(", \"text\": ", out);
        json_string(out, val.data, val.len);
        fputs("}\n", out);
    } else {
        Style st = fmt == OUT_LATEX ? FMT_LATEX : FMT_TEXT;
        Printer p = graph_printer(g, st);
        graph_node_name(g, node, st, &name);
        buf_puts(&name, " = ");
        expr_print(&p, e, &name);
        buf_putc(&name, '\n');
        fwrite(name.data, 1, name.len, out);
    }
    buf_free(&name);
    buf_free(&val);
    return 0;
}

/* ---- paths for drawing ---- */

int derive_walk(Deriver *d, int of, int wrt, PathFn fn, void *ctx)
{
    const Graph *g = d->g;
    unsigned char *mark = marked(d, of, wrt);
    if (!mark)
        return -1;
    size_t cap = 64;
    int *node = xmalloc(cap * sizeof *node), *cur = xmalloc(cap * sizeof *cur);
    int *via = xmalloc(cap * sizeof *via);
    unsigned long long index = 0;
    int depth = 0;
    if (mark[of] == R_YES) {
        node[0] = of;
        cur[0] = 0;
        while (depth >= 0) {
            int v = node[depth];
            if (v == wrt) {
                if (fn(ctx, via + 1, depth, index++))
                    break;
                depth--;
                continue;
            }
            const Node *n = &g->nodes[v];
            int k = -1;
            while (cur[depth] < n->nedges) {
                int e = n->first_edge + cur[depth]++;
                if (mark[g->edges[e].to] == R_YES && !edge_zero(d, e)) {
                    k = e;
                    break;
                }
            }
            if (k < 0) {
                depth--;
                continue;
            }
            if ((size_t)depth + 2 > cap) {
                cap *= 2;
                node = xrealloc(node, xmul(cap, sizeof *node));
                cur = xrealloc(cur, xmul(cap, sizeof *cur));
                via = xrealloc(via, xmul(cap, sizeof *via));
            }
            depth++;
            node[depth] = g->edges[k].to;
            cur[depth] = 0;
            via[depth] = k;
        }
    }
    free(node);
    free(cur);
    free(via);
    free(mark);
    return 0;
}

int derive_path_edges(Deriver *d, int of, int wrt, unsigned char *on)
{
    const Graph *g = d->g;
    unsigned char *mark = marked(d, of, wrt);
    if (!mark)
        return -1;
    /* a visited node that reaches REF lies on a path from OF: every node on
     * the way to it reaches REF through it */
    for (int k = 0; k < g->nedges; k++) {
        on[k] = on_path_edge(d, mark, wrt, k);
    }
    free(mark);
    return 0;
}

void derive_term_string(Deriver *d, const int *edges, int n, Style st, Buf *out)
{
    Buf prod = {0};
    double coef = 1;
    long exp2 = 0;
    buf_cstr(&prod);
    for (int i = 0; i < n; i++) {
        const Factor *f = factor(d, edges[i]);
        coef *= f->coef;
        if (coef != 0 && (fabs(coef) > 0x1p500 || fabs(coef) < 0x1p-500)) {
            int shift;
            coef = frexp(coef, &shift);
            exp2 += shift;
        }
        if (!f->core)
            continue;
        Buf tmp = {0};
        Printer p = graph_printer(d->g, st);
        expr_print_factor(&p, f->core, &tmp);
        product_join(st, &prod, 0, buf_cstr(&tmp), tmp.len);
        buf_free(&tmp);
    }
    term_text(st, coef, exp2, prod.data, prod.len, out);
    buf_free(&prod);
}

/* ---- stage factored ---- */

static void delta_name(const Graph *g, int v, Style st, Buf *out)
{
    if (st == FMT_LATEX) {
        buf_puts(out, "\\delta_{");
        graph_node_name(g, v, st, out);
        buf_putc(out, '}');
    } else {
        buf_puts(out, "δ(");
        graph_node_name(g, v, st, out);
        buf_putc(out, ')');
    }
}

/* the nodes on the paths, numbered compactly, with their parent edges
 * (pars[par0[c]] .. pars[par0[c+1]-1]) and their deltas printed once */
typedef struct Deltas {
    const int *idx, *par0, *pars;
    Buf names;
    size_t *off;
} Deltas;

static void put_delta(const Deltas *D, int v, Buf *out)
{
    int c = D->idx[v];
    buf_add(out, D->names.data + D->off[c], D->off[c + 1] - D->off[c]);
}

/* the sum over the parents on the paths of the node numbered C:
 * delta_p * d(p)/d(v) */
static void delta_sum(Deriver *d, int of, int c, const Deltas *D, Style st, Buf *out)
{
    const int *par0 = D->par0, *pars = D->pars;
    const Graph *g = d->g;
    Buf prod = {0}, term = {0};
    int n = 0;
    Stage stage = d->stage == ST_FACTORED ? ST_LOCAL : d->stage;
    const char *plus = st == FMT_LATEX ? "+" : " + ";
    for (int i = par0[c]; i < par0[c + 1]; i++) {
        int k = pars[i];
        const Edge *e = &g->edges[k];
        /* a network's junctions, shortcuts, biases and linear activations
         * print straight from the names into OUT: no factor is built */
        bool quick = stage >= ST_LOCAL && stage != ST_FORWARD &&
                     (e->kind == E_JY || e->kind == E_JW || e->kind == E_SKIP || e->kind == E_BIAS ||
                      (e->kind == E_ACT && !g->nodes[e->from].dead &&
                       op_get(g->layers[g->nodes[e->from].layer].act)->live_is_identity));
        if (quick) {
            if (n++)
                buf_puts(out, plus);
            size_t start = out->len;
            if (e->from != of)
                put_delta(D, e->from, out);
            if (e->kind == E_JY || e->kind == E_JW) {
                buf_truncate(&prod, 0);
                graph_node_name(g, e->aux, st, &prod);
                product_join(st, out, start, prod.data, prod.len);
            }
            if (out->len == start)
                buf_putc(out, '1');
            continue;
        }
        buf_truncate(&prod, 0);
        buf_cstr(&prod);
        if (e->from != of)
            put_delta(D, e->from, &prod);
        const Factor *f = factor_printed(d, k);
        if (f->core)
            product_join(st, &prod, 0, st == FMT_LATEX ? f->latex : f->text,
                         st == FMT_LATEX ? f->latex_len : f->text_len);
        buf_truncate(&term, 0);
        term_text(st, f->coef, 0, prod.data, prod.len, &term);
        const char *t = buf_cstr(&term);
        bool neg = st == FMT_LATEX ? t[0] == '-' : strncmp(t, "−", 3) == 0;
        if (n++)
            buf_puts(out, neg ? (st == FMT_LATEX ? "-" : " − ") : plus);
        else if (neg)
            buf_puts(out, st == FMT_LATEX ? "-" : "−");
        buf_puts(out, neg ? t + (st == FMT_LATEX ? 1 : 3) : t);
    }
    if (n == 0)
        buf_putc(out, '0');
    buf_free(&prod);
    buf_free(&term);
}

int factored_write(Deriver *d, int of, int wrt, OutFormat fmt, FILE *out)
{
    const Graph *g = d->g;
    unsigned char *mark = marked(d, of, wrt);
    if (!mark)
        return -1;
    mpz_t count;
    mpz_init(count);
    if (fmt == OUT_JSON)            /* only JSON reports the number of paths */
        count_marked(d, of, wrt, mark, true, count);
    /* the nodes on the paths get compact numbers: every array below is
     * as large as the paths' part of the graph, not the whole graph */
    int *idx = xmalloc(xmul((size_t)g->nnodes, sizeof *idx));
    int *node_of = NULL;
    int m = 0;
    for (int v = 0; v < g->nnodes; v++)
        idx[v] = mark[v] == R_YES ? m++ : -1;
    node_of = xmalloc(xmul((size_t)m + 1, sizeof *node_of));
    for (int v = 0; v < g->nnodes; v++)
        if (idx[v] >= 0)
            node_of[idx[v]] = v;
    /* parents of each node along the paths (edges p -> v, both on paths),
     * in the order of their nodes, then of their edges: the article's
     * order (the loss's outputs by neuron) */
    int *par0 = xcalloc((size_t)m + 2, sizeof *par0);
    for (int c = 0; c < m; c++) {
        const Node *nd = &g->nodes[node_of[c]];
        for (int k = nd->first_edge; k < nd->first_edge + nd->nedges; k++)
            if (on_path_edge(d, mark, wrt, k))
                par0[idx[g->edges[k].to] + 1]++;
    }
    for (int c = 0; c < m; c++)
        par0[c + 1] += par0[c];
    int *pars = xmalloc(xmul((size_t)par0[m] + 1, sizeof *pars));
    int *fill = xcalloc((size_t)m + 1, sizeof *fill);
    for (int c = 0; c < m; c++) {
        const Node *nd = &g->nodes[node_of[c]];
        for (int k = nd->first_edge; k < nd->first_edge + nd->nedges; k++)
            if (on_path_edge(d, mark, wrt, k)) {
                int to = idx[g->edges[k].to];
                pars[par0[to] + fill[to]++] = k;
            }
    }
    /* the deltas in topological order from OF, breadth first (Kahn's
     * algorithm over the path edges): a variable after all its parents,
     * and the loss's outputs, then their sums, ... in neuron order.
     * FILL now counts each node's parents still to come. */
    int *order = xmalloc(xmul((size_t)m + 1, sizeof *order));
    int no = 0, head = 0;
    if (mark[of] == R_YES)
        order[no++] = of;
    while (head < no) {
        int v = order[head++];
        if (v == wrt)
            continue;
        const Node *nd = &g->nodes[v];
        for (int k = nd->first_edge; k < nd->first_edge + nd->nedges; k++) {
            int u = g->edges[k].to;
            if (mark[u] == R_YES && !edge_zero(d, k) && --fill[idx[u]] == 0)
                order[no++] = u;
        }
    }
    Style st = fmt == OUT_TEXT ? FMT_TEXT : FMT_LATEX;
    Deltas D = {.idx = idx, .par0 = par0, .pars = pars};
    D.off = xmalloc(xmul((size_t)m + 1, sizeof *D.off));
    for (int c = 0; c < m; c++) {
        D.off[c] = D.names.len;
        delta_name(g, node_of[c], st, &D.names);
    }
    D.off[m] = D.names.len;
    Buf line = {0}, all = {0}, lhs = {0};
    print_lhs(g, of, wrt, st, &lhs);
    if (fmt == OUT_JSON) {
        Buf r = {0};
        json_head(out, g, of, wrt, "factored");
        fputs(", \"count\": \"", out);
        mpz_out_str(out, 10, count);
        fputs("\", \"terms\": [],\n \"equations\": [", out);
        int first = 1;
        for (int i = 0; i < no; i++) {
            int v = order[i];
            if (v == of || v == wrt)
                continue;
            buf_truncate(&line, 0);
            delta_sum(d, of, idx[v], &D, FMT_LATEX, &line);
            buf_truncate(&r, 0);
            graph_node_ref(g, v, &r);
            fputs(first ? "\n  {\"delta\": " : ",\n  {\"delta\": ", out);
            first = 0;
            json_string(out, r.data, r.len);
            fputs(", \"latex\": ", out);
            json_string(out, line.data, line.len);
            fputc('}', out);
            put_delta(&D, v, &all);
            buf_puts(&all, "=");
            buf_add(&all, line.data, line.len);
            buf_puts(&all, "\n");
        }
        buf_free(&r);
        buf_add(&all, lhs.data, lhs.len);
        buf_puts(&all, "=");
        if (mark[of] != R_YES)
            buf_putc(&all, '0');
        else if (of == wrt)
            buf_putc(&all, '1');
        else
            delta_sum(d, of, idx[wrt], &D, FMT_LATEX, &all);
        fputs("],\n \"latex\": ", out);
        json_string(out, all.data, all.len);
        fputs("}\n", out);
    } else {
        for (int i = 0; i < no; i++) {
            int v = order[i];
            if (v == of || v == wrt)
                continue;
            buf_truncate(&line, 0);
            put_delta(&D, v, &line);
            buf_puts(&line, st == FMT_LATEX ? "=" : " = ");
            delta_sum(d, of, idx[v], &D, st, &line);
            buf_putc(&line, '\n');
            fwrite(line.data, 1, line.len, out);
        }
        buf_truncate(&line, 0);
        buf_add(&line, lhs.data, lhs.len);
        buf_puts(&line, st == FMT_LATEX ? "=" : " = ");
        if (mark[of] != R_YES)
            buf_putc(&line, '0');
        else if (of == wrt)
            buf_putc(&line, '1');
        else
            delta_sum(d, of, idx[wrt], &D, st, &line);
        buf_putc(&line, '\n');
        fwrite(line.data, 1, line.len, out);
    }
    buf_free(&line);
    buf_free(&all);
    buf_free(&lhs);
    buf_free(&D.names);
    free(D.off);
    free(idx);
    free(node_of);
    free(par0);
    free(pars);
    free(fill);
    free(order);
    free(mark);
    mpz_clear(count);
    return 0;
}

/* ---- --collapse: families of terms as sums over neuron indices ---- */

/* Paths of a network are grouped by their shape, the sequence of layers
 * and edge kinds they take with the neuron indices left out.  Along one
 * shape the index of every visited layer is free (a dense junction lets
 * any neuron reach any other) unless a shortcut ties it to the layer it
 * skips to, the ends fix it, or a dead neuron leaves it out; so a shape's
 * paths are the product of one index set a class of tied layers: one sum a
 * class, the rest fixed.  The shapes are enumerated, not the paths. */

#define CL_MAX_DEPTH 4096

typedef struct ClPos {
    NodeKind kind;
    int layer;
    int cls;                 /* index class, -1 for the loss and weights */
    EdgeKind via;            /* the edge kind that led here */
} ClPos;

typedef struct Collapse {
    Deriver *d;
    int of, wrt;
    Style st;
    OutFormat fmt;
    ClPos pos[CL_MAX_DEPTH];
    int npos;
    int ncls;
    int cls_fixed[CL_MAX_DEPTH];
    int cls_layer[CL_MAX_DEPTH];
    unsigned char *layer_reach;   /* (kind, layer) can still reach REF */
    unsigned long long families, terms, limit;
    Buf out;
    bool too_many;
    int var_of_layer[CL_MAX_DEPTH];   /* index variable of a layer, -1 none */
} Collapse;

static const char *const cl_vars[] = {"k", "l", "m", "p", "r", "s", "u", "v"};
static const char *const cl_sup[] = {"ᵏ", "ˡ", "ᵐ", "ᵖ", "ʳ", "ˢ", "ᵘ", "ᵛ"};
static const char *const cl_sub[] = {"ₖ", "ₗ", "ₘ", "ₚ", "ᵣ", "ₛ", "ᵤ", "ᵥ"};
static const char *const cl_supd[] = {"⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"};
static const char *const cl_subd[] = {"₀", "₁", "₂", "₃", "₄", "₅", "₆", "₇", "₈", "₉"};

/* index variable V: k l m p r s u v, then k_{1} k_{2} ... */
static void cl_var(int v, Style st, int where /* 0 plain/LaTeX, 1 sup, 2 sub */, Buf *out)
{
    if (v < 8) {
        buf_puts(out, st == FMT_LATEX ? cl_vars[v] : where == 1 ? cl_sup[v] : where == 2 ? cl_sub[v] : cl_vars[v]);
        return;
    }
    if (st == FMT_LATEX) {
        buf_printf(out, "k_{%d}", v - 7);
        return;
    }
    char t[16];
    snprintf(t, sizeof t, "%d", v - 7);
    buf_puts(out, where == 1 ? "ᵏ" : where == 2 ? "ₖ" : "k");
    for (char *x = t; *x; x++)
        buf_puts(out, where == 1 ? cl_supd[*x - '0'] : cl_subd[*x - '0']);
}

/* a node with the free indices of its layers written as variables */
static void cl_name(const void *ctx, int node, Style st, Buf *out)
{
    const Collapse *c = ctx;
    const Graph *g = c->d->g;
    const Node *n = &g->nodes[node];
    if (n->kind == N_LOSS || n->kind == N_SCALAR) {
        graph_node_name(g, node, st, out);
        return;
    }
    int vi = -1, vj = c->var_of_layer[n->layer];
    if (n->kind == N_WEIGHT) {
        vi = c->var_of_layer[n->layer];
        vj = c->var_of_layer[g->layers[n->layer].w_into];
    }
    if (vi < 0 && vj < 0) {
        graph_node_name(g, node, st, out);
        return;
    }
    const char *letter = n->kind == N_WEIGHT ? "w" : n->kind == N_BIAS ? "b" : n->kind == N_PRE ? "x" : "y";
    const char *label = g->layers[n->layer].label;
    int idx[2] = {n->i, n->j}, var[2] = {vi, vj};
    int first = n->kind == N_WEIGHT ? 0 : 1;
    bool comma = n->kind == N_WEIGHT && (n->i >= 10 || n->j >= 10 || vi >= 8 || vj >= 8);
    buf_puts(out, letter);
    if (st == FMT_LATEX)
        buf_puts(out, "^{");
    for (int q = first; q < 2; q++) {
        if (q == 1 && first == 0 && comma)
            buf_putc(out, ',');
        if (var[q] >= 0) {
            cl_var(var[q], st, 1, out);
        } else if (st == FMT_LATEX) {
            buf_printf(out, "%d", idx[q]);
        } else {
            char t[16];
            snprintf(t, sizeof t, "%d", idx[q]);
            for (char *x = t; *x; x++)
                buf_puts(out, cl_supd[*x - '0']);
        }
    }
    if (st == FMT_LATEX) {
        buf_puts(out, "}_{");
        for (const char *p = label; *p; p++)
            buf_puts(out, *p == '_' ? "\\_" : (char[]){*p, 0});
        buf_putc(out, '}');
    } else {
        graph_label_sub(label, out);
    }
}

/* the concrete node of a position, its class taking value VALS[cls] */
static int cl_node(const Collapse *c, const ClPos *p, const int *vals)
{
    const Graph *g = c->d->g;
    const Layer *L = &g->layers[p->layer];
    int j = p->cls >= 0 ? vals[p->cls] : 1;
    switch (p->kind) {
    case N_LOSS: return g->loss;
    case N_PRE: return L->x0 + j - 1;
    case N_ACT: case N_INPUT: return L->y0 + j - 1;
    case N_BIAS: return L->b0 + j - 1;
    case N_WEIGHT: return c->wrt;
    default: return -1;
    }
}

/* the edge from node A to node B of kind K */
static int cl_edge(const Graph *g, int a, int b, EdgeKind k)
{
    const Node *n = &g->nodes[a];
    for (int e = n->first_edge; e < n->first_edge + n->nedges; e++)
        if (g->edges[e].to == b && g->edges[e].kind == k)
            return e;
    return -1;
}

static void cl_family(Collapse *c)
{
    Deriver *d = c->d;
    const Graph *g = d->g;
    const Node *ref = &g->nodes[c->wrt];
    int fixed[CL_MAX_DEPTH];
    memcpy(fixed, c->cls_fixed, (size_t)c->ncls * sizeof *fixed);
    /* REF fixes its class (a weight: the class of the x before it) */
    const ClPos *last = &c->pos[c->npos - 1];
    int rc = last->kind == N_WEIGHT ? c->pos[c->npos - 2].cls : last->cls;
    if (rc >= 0) {
        if (fixed[rc] >= 0 && fixed[rc] != ref->j)
            return;
        fixed[rc] = ref->j;
    }
    /* the allowed values of every class */
    int vals[CL_MAX_DEPTH];
    unsigned char *allow[CL_MAX_DEPTH];
    int nallow[CL_MAX_DEPTH];
    unsigned long long prod = 1;
    bool empty = false;
    for (int q = 0; q < c->ncls; q++) {
        int W = g->layers[c->cls_layer[q]].width;
        allow[q] = xcalloc((size_t)W + 1, 1);
        nallow[q] = 0;
        for (int v = 1; v <= W; v++) {
            if (fixed[q] >= 0 && v != fixed[q])
                continue;
            bool ok = true;
            for (int p = 0; p < c->npos && ok; p++) {
                const ClPos *ps = &c->pos[p];
                if (ps->cls != q || ps->kind != N_ACT || p + 1 >= c->npos)
                    continue;
                const Layer *L = &g->layers[ps->layer];
                int e = cl_edge(g, L->y0 + v - 1, L->x0 + v - 1, E_ACT);
                ok = e >= 0 && !edge_zero(d, e);
            }
            if (ok) {
                allow[q][v] = 1;
                if (!nallow[q]++)
                    vals[q] = v;
            }
        }
        if (!nallow[q])
            empty = true;
        prod = sat_mul(prod, (unsigned long long)nallow[q]);
    }
    /* the representative path and its edges */
    int edges[CL_MAX_DEPTH], ne = 0;
    if (!empty) {
        int prev = cl_node(c, &c->pos[0], vals);
        for (int p = 1; p < c->npos && !empty; p++) {
            int cur = cl_node(c, &c->pos[p], vals);
            int e = cl_edge(g, prev, cur, c->pos[p].via);
            if (e < 0 || edge_zero(d, e))
                empty = true;
            else
                edges[ne++] = e;
            prev = cur;
        }
    }
    if (!empty) {
        /* sums for the classes with more than one value, outermost first */
        Buf sums = {0}, prodb = {0}, term = {0};
        int nvar = 0;
        for (int l = 0; l < g->nlayers; l++)
            c->var_of_layer[l] = -1;
        for (int q = 0; q < c->ncls; q++) {
            if (nallow[q] < 2)
                continue;
            int vix = nvar++;
            Buf vb = {0};
            cl_var(vix, FMT_LATEX, 0, &vb);
            const char *var = buf_cstr(&vb);
            for (int p = 0; p < c->npos; p++)
                if (c->pos[p].cls == q)
                    c->var_of_layer[c->pos[p].layer] = vix;
            int W = g->layers[c->cls_layer[q]].width, lo = 0, hi = 0, contiguous = 1;
            for (int v = 1; v <= W; v++)
                if (allow[q][v]) {
                    if (!lo)
                        lo = v;
                    else if (v != hi + 1)
                        contiguous = 0;
                    hi = v;
                }
            if (c->st == FMT_LATEX) {
                if (contiguous)
                    buf_printf(&sums, "\\sum_{%s=%d}^{%d}", var, lo, hi);
                else {
                    buf_printf(&sums, "\\sum_{%s\\in\\{", var);
                    for (int v = 1, first = 1; v <= W; v++)
                        if (allow[q][v])
                            buf_printf(&sums, first-- > 0 ? "%d" : ",%d", v);
                    buf_puts(&sums, "\\}}");
                }
            } else {
                buf_puts(&sums, "Σ");
                cl_var(vix, FMT_TEXT, 2, &sums);
                if (contiguous) {
                    const char *const *sb = cl_subd, *const *sp = cl_supd;
                    char t[16];
                    buf_puts(&sums, "₌");
                    snprintf(t, sizeof t, "%d", lo);
                    for (char *x = t; *x; x++)
                        buf_puts(&sums, sb[*x - '0']);
                    snprintf(t, sizeof t, "%d", hi);
                    for (char *x = t; *x; x++)
                        buf_puts(&sums, sp[*x - '0']);
                } else {
                    buf_puts(&sums, "∈{");
                    for (int v = 1, first = 1; v <= W; v++)
                        if (allow[q][v])
                            buf_printf(&sums, first-- > 0 ? "%d" : ",%d", v);
                    buf_puts(&sums, "}");
                }
                buf_putc(&sums, ' ');
            }
            buf_free(&vb);
        }
        double coef = 1;
        buf_cstr(&prodb);
        Printer pr = {c->st, cl_name, c};
        for (int i = 0; i < ne; i++) {
            const Factor *f = factor(d, edges[i]);
            coef *= f->coef;
            if (!f->core)
                continue;
            Buf fb = {0};
            expr_print_factor(&pr, f->core, &fb);
            product_join(c->st, &prodb, 0, buf_cstr(&fb), fb.len);
            buf_free(&fb);
        }
        term_text(c->st, coef, 0, prodb.data, prodb.len, &term);
        if (c->fmt == OUT_JSON) {
            /* families are listed by cl_emit_json: keep them here */
        }
        if (c->families)
            buf_puts(&c->out, c->st == FMT_LATEX ? " \\\\\n+" : "\n  + ");
        buf_add(&c->out, sums.data ? sums.data : "", sums.len);
        buf_add(&c->out, term.data, term.len);
        c->families++;
        c->terms += prod;
        if (c->families > c->limit && c->limit)
            c->too_many = true;
        buf_free(&sums);
        buf_free(&prodb);
        buf_free(&term);
    }
    for (int q = 0; q < c->ncls; q++)
        free(allow[q]);
}

/* can an abstract (kind, layer) still reach REF? */
static bool cl_reach(const Collapse *c, NodeKind k, int layer)
{
    const Graph *g = c->d->g;
    if (k == N_LOSS)
        return true;
    const Layer *L = &g->layers[layer];
    int base = k == N_PRE ? L->x0 : k == N_BIAS ? L->b0 : L->y0;
    if (base < 0)
        return false;
    for (int j = 0; j < L->width; j++)
        if (c->layer_reach[base + j])
            return true;
    return false;
}

static void cl_walk(Collapse *c)
{
    const Graph *g = c->d->g;
    const Node *ref = &g->nodes[c->wrt];
    ClPos *cur = &c->pos[c->npos - 1];
    if (c->too_many || c->npos >= CL_MAX_DEPTH - 2)
        return;
    if (cur->kind == ref->kind && (cur->kind == N_LOSS || cur->layer == ref->layer) &&
        (cur->kind != N_WEIGHT)) {
        cl_family(c);
        return;
    }
    if (cur->kind == N_WEIGHT) {
        cl_family(c);
        return;
    }
    int ncls = c->ncls;
    if (cur->kind == N_LOSS) {
        int last = g->nlayers - 1;
        if (!cl_reach(c, N_ACT, last) && !cl_reach(c, N_INPUT, last))
            return;
        c->cls_fixed[c->ncls] = -1;
        c->cls_layer[c->ncls] = last;
        c->pos[c->npos++] = (ClPos){last == 0 ? N_INPUT : N_ACT, last, c->ncls++, E_LOSS};
        cl_walk(c);
        c->npos--;
        c->ncls = ncls;
    } else if (cur->kind == N_ACT) {
        if (!cl_reach(c, N_PRE, cur->layer))
            return;
        c->pos[c->npos++] = (ClPos){N_PRE, cur->layer, cur->cls, E_ACT};
        cl_walk(c);
        c->npos--;
    } else if (cur->kind == N_PRE) {
        /* the inputs of the layer, as its first neuron's edges list them */
        const Node *x1 = &g->nodes[g->layers[cur->layer].x0];
        int seen_dense[64], nseen = 0;
        for (int e = x1->first_edge; e < x1->first_edge + x1->nedges; e++) {
            const Edge *ed = &g->edges[e];
            const Node *to = &g->nodes[ed->to];
            if (ed->kind == E_JW || ed->kind == E_JY) {
                bool dup = false;
                for (int q = 0; q < nseen; q++)
                    dup |= seen_dense[q] == to->layer;
                if (dup)
                    continue;
                if (nseen < 64)
                    seen_dense[nseen++] = to->layer;
                int P = to->layer;
                /* to the weight (REF) */
                if (ref->kind == N_WEIGHT && ref->layer == P && g->layers[P].w_into == cur->layer) {
                    c->pos[c->npos++] = (ClPos){N_WEIGHT, P, -1, E_JW};
                    cl_walk(c);
                    c->npos--;
                }
                /* through the junction to an input of layer P: a new index */
                NodeKind yk = P == 0 ? N_INPUT : N_ACT;
                if (cl_reach(c, yk, P)) {
                    c->cls_fixed[c->ncls] = -1;
                    c->cls_layer[c->ncls] = P;
                    c->pos[c->npos++] = (ClPos){yk, P, c->ncls++, E_JY};
                    cl_walk(c);
                    c->npos--;
                    c->ncls = ncls;
                }
            } else if (ed->kind == E_SKIP) {
                int P = to->layer;
                NodeKind yk = P == 0 ? N_INPUT : N_ACT;
                if (cl_reach(c, yk, P)) {
                    c->pos[c->npos++] = (ClPos){yk, P, cur->cls, E_SKIP};
                    cl_walk(c);
                    c->npos--;
                }
            } else if (ed->kind == E_BIAS) {
                if (ref->kind == N_BIAS && ref->layer == cur->layer) {
                    c->pos[c->npos++] = (ClPos){N_BIAS, cur->layer, cur->cls, E_BIAS};
                    cl_walk(c);
                    c->npos--;
                }
            }
        }
    }
}

int collapse_write(Deriver *d, int of, int wrt, OutFormat fmt, unsigned long long limit, FILE *out)
{
    const Graph *g = d->g;
    if (g->kind != B_NETWORK)
        return derive_write(d, of, wrt, fmt, out);
    Collapse *c = xcalloc(1, sizeof *c);
    c->d = d;
    c->of = of;
    c->wrt = wrt;
    c->fmt = fmt;
    c->st = fmt == OUT_TEXT ? FMT_TEXT : FMT_LATEX;
    c->limit = limit;
    c->layer_reach = xcalloc((size_t)g->nnodes, 1);
    if (mark_reaching(d, of, wrt, c->layer_reach, true) < 0) {
        free(c->layer_reach);
        free(c);
        return -1;
    }
    for (int v = 0; v < g->nnodes; v++)
        c->layer_reach[v] = c->layer_reach[v] == R_YES;
    const Node *o = &g->nodes[of];
    if (c->layer_reach[of]) {
        int cls = -1;
        if (o->kind != N_LOSS && o->kind != N_WEIGHT) {
            cls = 0;
            c->cls_fixed[0] = o->j;
            c->cls_layer[0] = o->layer;
            c->ncls = 1;
        }
        c->pos[0] = (ClPos){o->kind, o->kind == N_LOSS ? -1 : o->layer, cls, E_LOSS};
        c->npos = 1;
        if (of == wrt) {
            buf_putc(&c->out, '1');
            c->families = c->terms = 1;
        } else {
            cl_walk(c);
        }
    }
    if (c->too_many) {
        pg_error("--collapse: more than %llu families of terms; raise --max-terms", limit);
        free(c->layer_reach);
        buf_free(&c->out);
        free(c);
        return -1;
    }
    Buf lhs = {0};
    print_lhs(g, of, wrt, c->st, &lhs);
    if (fmt == OUT_JSON) {
        Buf all = {0};
        json_head(out, g, of, wrt, stage_name(d->stage));
        fprintf(out, ", \"collapse\": true, \"count\": \"%llu\", \"families\": %llu, \"terms\": [],\n \"latex\": ",
                c->terms, c->families);
        buf_add(&all, lhs.data, lhs.len);
        buf_puts(&all, "= ");
        if (c->families)
            buf_add(&all, c->out.data, c->out.len);
        else
            buf_putc(&all, '0');
        json_string(out, all.data, all.len);
        fputs("}\n", out);
        buf_free(&all);
    } else {
        fwrite(lhs.data, 1, lhs.len, out);
        fputs(c->st == FMT_LATEX ? "= " : " = ", out);
        if (c->families)
            fwrite(c->out.data, 1, c->out.len, out);
        else
            fputc('0', out);
        fputc('\n', out);
    }
    buf_free(&lhs);
    buf_free(&c->out);
    free(c->layer_reach);
    free(c);
    return 0;
}
