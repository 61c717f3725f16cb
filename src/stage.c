/* stage.c — see stage.h. */
#include "stage.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const stage_names[] = {"chain", "act", "local", "forward", "factored"};

const char *stage_name(Stage s) { return stage_names[s]; }

int stage_parse(const char *s, Stage *out)
{
    for (int i = 0; i < (int)(sizeof stage_names / sizeof stage_names[0]); i++)
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
    d->fwd = xcalloc((size_t)g->nnodes + 1, sizeof *d->fwd);
    d->fwd_state = xcalloc((size_t)g->nnodes + 1, 1);
    /* asked of every activation edge: looked up once a layer */
    d->whole = xcalloc((size_t)g->nlayers + 1, 1);
    for (int l = 0; l < g->nlayers; l++)
        d->whole[l] = op_get(g->layers[l].act)->layer != NULL;
}

void deriver_free(Deriver *d)
{
    free(d->factors);
    free(d->fwd);
    free(d->fwd_state);
    free(d->whole);
    buf_free(&d->scratch);
    arena_free(&d->arena);
    memset(d, 0, sizeof *d);
}

/* the stage whose rules a factor follows: factored writes local's */
static Stage rules(const Deriver *d)
{
    return d->stage == ST_FACTORED ? ST_LOCAL : d->stage;
}

void deriver_target(Deriver *d, int of, int wrt)
{
    const Graph *g = d->g;
    bool fold = graph_folds(g) && of == g->loss && rules(d) >= ST_LOCAL;
    if (fold && wrt >= 0) {
        /* a y of the last layer is reached from the loss straight */
        const Node *w = &g->nodes[wrt];
        fold = !((w->kind == N_ACT || w->kind == N_INPUT) && w->layer == g->nlayers - 1) && wrt != g->loss;
    }
    if (fold == d->fold)
        return;
    d->fold = fold;
    /* the factors that change: the loss's, the last layer's activations' */
    const Node *l = &g->nodes[g->loss];
    for (int k = l->first_edge; k < l->first_edge + l->nedges; k++) {
        memset(&d->factors[k], 0, sizeof d->factors[k]);
        const Node *y = &g->nodes[g->edges[k].to];
        for (int q = y->first_edge; q < y->first_edge + y->nedges; q++)
            memset(&d->factors[q], 0, sizeof d->factors[q]);
    }
}

/* ---- forward path sums ---- */

/* w * (a + b + ...) distributed over the sum, so that every term stays a
 * product along one path (the sum is at most PG_MAX_FORWARD_TERMS long) */
static Expr *distribute(Arena *A, Expr *w, Expr *sum)
{
    if (sum->kind == X_ADD)
        return mk_add(A, distribute(A, w, sum->a), distribute(A, w, sum->b));
    if (sum->kind == X_SUB)
        return mk_sub(A, distribute(A, w, sum->a), distribute(A, w, sum->b));
    return mk_mul(A, w, sum);
}

static Expr *fwd_sub(void *ctx, int node);

/* the forward path sum of V, built once; its size was checked by
 * forward_ok, so the recursion is at most PG_MAX_FORWARD_DEPTH deep */
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
        if (op_get(a)->layer) {
            Expr **xs = arena_alloc(A, sizeof *xs * (size_t)n->nedges);
            for (int k = 0; k < n->nedges; k++)
                xs[k] = forward(d, g->edges[n->first_edge + k].to);
            r = op_get(a)->layer->forward(A, xs, n->nedges, n->j - 1);
            break;
        }
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

/* occurrences of NODE in E (resolved definitions: bounded depth) */
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
 * terms (a graph's: of symbols) and its nesting, in one iterative
 * post-order pass (a 100,000-layer network must not exhaust the C stack
 * here, and the sum it would build must stay printable). */
static int forward_ok(Deriver *d, int v, const char *why)
{
    const Graph *g = d->g;
    if (d->fwd_state[v] == 2)
        return 0;
    if (d->fwd_state[v] == 3)
        return -1;                    /* refused before: said once */
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
            /* a sum nests one level (the products along it); f(...) one more;
             * a whole layer's y^k writes x^k once more, and nests a
             * quotient of sums of calls */
            if (node_def(g, u)) {
                dp += (unsigned long long)node_def(g, u)->depth;
            } else if (nu->kind == N_PRE) {
                dp += 1;
            } else if (op_get(g->layers[nu->layer].act)->layer) {
                t = sat_add(t, terms[g->edges[nu->first_edge + nu->j - 1].to]);
                dp += 3;
            } else if (!op_get(g->layers[nu->layer].act)->live_is_identity) {
                dp += 1;
            }
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
    Buf r = {0};
    graph_node_ref(g, v, &r);
    bool net = g->kind == B_NETWORK;
    int rc = limit_check(t, net ? PG_MAX_FORWARD_TERMS : PG_MAX_FORWARD_SIZE, NULL, (Loc){0, 0, 0, 0},
                         net ? "%s: the forward path sum of %s has %s%llu terms, more than the limit of %d"
                             : "%s: %s written out in the inputs has %s%llu symbols, more than the limit of %d",
                         why, buf_cstr(&r), t == ~0ULL ? "over " : "", t,
                         net ? PG_MAX_FORWARD_TERMS : PG_MAX_FORWARD_SIZE);
    if (rc == 0)
        rc = limit_check(dp, PG_MAX_FORWARD_DEPTH, NULL, (Loc){0, 0, 0, 0},
                         "%s: the forward path sum of %s nests %llu levels deep, more than the limit of %d",
                         why, buf_cstr(&r), dp, PG_MAX_FORWARD_DEPTH);
    buf_free(&r);
    if (rc < 0)
        d->fwd_state[v] = 3;
    return rc;
}

/* E, or NULL after a message when a constant in it overflowed */
static Expr *finite_or_null(const Deriver *d, Expr *e, int node, const char *why)
{
    if (expr_finite(e))
        return e;
    Buf r = {0};
    graph_node_ref(d->g, node, &r);
    pg_error("%s: the forward path sum of %s overflows: a constant in it is not finite", why, buf_cstr(&r));
    buf_free(&r);
    return NULL;
}

Expr *stage_forward(Deriver *d, int node, const char *why)
{
    if (forward_ok(d, node, why) < 0)
        return NULL;
    return finite_or_null(d, forward(d, node), node, why);
}

/* every defined variable of E written out in the inputs: NULL after an error */
static int subst_ok(Deriver *d, const Expr *e)
{
    switch (e->kind) {
    case X_VAR: return node_def(d->g, e->node) ? forward_ok(d, e->node, "stage forward") : 0;
    case X_NEG: case X_POW: return subst_ok(d, e->a);
    case X_ADD: case X_SUB: case X_MUL: case X_DIV:
        return subst_ok(d, e->a) < 0 ? -1 : subst_ok(d, e->b);
    case X_CALL:
        for (int i = 0; i < e->nargs; i++)
            if (subst_ok(d, e->args[i]) < 0)
                return -1;
        return 0;
    default:
        return 0;
    }
}

/* ---- factors ---- */

/* output Y of a layer in a factor: the variable, or at stage forward its
 * forward path sum (NULL after an error) */
static Expr *out_y(Deriver *d, int y)
{
    if (d->stage == ST_FORWARD && d->g->nodes[y].kind == N_ACT)
        return stage_forward(d, y, "stage forward");
    return mk_var(&d->arena, y);
}

/* the activation's derivative at stage act: the row's symbolic derivative
 * at x, or the article's 1 for a live neuron and 0 for a dead one */
static Expr *act_factor(Deriver *d, const Node *y, int x)
{
    Arena *A = &d->arena;
    const Graph *g = d->g;
    const Layer *L = &g->layers[y->layer];
    const Op *op = op_get(L->act);
    if (op->layer) {
        /* d y^k / d x^j, written in the outputs; folded into the loss's
         * derivative: delta_kj */
        int j = g->nodes[x].j;
        if (d->fold && rules(d) >= ST_LOCAL && y->layer == g->nlayers - 1)
            return mk_num(A, j == y->j);
        Expr *yk = out_y(d, L->y0 + y->j - 1), *yj = yk ? out_y(d, L->y0 + j - 1) : NULL;
        return yj ? op->layer->dsym(A, yk, yj, j == y->j) : NULL;
    }
    if (y->dead)
        return mk_num(A, 0);
    if (op->live_is_identity)
        return mk_num(A, 1);
    Expr *arg = mk_var(A, x);
    return op->dsym(A, &arg, 0);
}

const Factor *stage_factor(Deriver *d, int k)
{
    Factor *f = &d->factors[k];
    if (f->done)
        return f;
    const Graph *g = d->g;
    const Edge *e = &g->edges[k];
    Arena *A = &d->arena;
    Stage st = rules(d);
    Expr *x = NULL;
    switch (e->kind) {
    case E_LOSS:
        /* a loss written out: its own derivative, or the fold's */
        if (st >= ST_LOCAL && g->loss_explicit) {
            Expr *y = out_y(d, e->to);
            if (!y)
                return NULL;
            Expr *t = g->t0 >= 0 ? mk_var(A, g->t0 + g->nodes[e->to].j - 1) : NULL;
            x = d->fold ? op_get(g->layers[g->nlayers - 1].act)->layer->fold(A, y, t)
                        : loss_get(g->loss_kind)->dsym(A, y, t);
        }
        break;
    case E_ACT:
        if (st >= ST_ACT && !(x = act_factor(d, &g->nodes[e->from], e->to)))
            return NULL;
        break;
    case E_JW:
        if (st == ST_FORWARD && g->nodes[e->aux].kind == N_ACT) {
            x = stage_forward(d, e->aux, "stage forward");
            if (!x)
                return NULL;
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
        if (st == ST_FORWARD) {
            if (subst_ok(d, g->locals[k]) < 0)
                return NULL;
            x = finite_or_null(d, expr_subst(A, g->locals[k], fwd_sub, d), e->from, "stage forward");
            if (!x)
                return NULL;
        } else if (st >= ST_LOCAL) {
            x = g->locals[k];
        }
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
    if (!isfinite(f->coef)) {
        Buf a = {0}, b = {0};
        graph_node_ref(g, e->from, &a);
        graph_node_ref(g, e->to, &b);
        pg_error("the derivative of %s with respect to %s overflows: its coefficient is not finite",
                 buf_cstr(&a), buf_cstr(&b));
        buf_free(&a);
        buf_free(&b);
        return NULL;
    }
    f->core = core;
    f->e = x;
    f->zero = f->coef == 0;
    f->one = f->coef == 1 && !core;
    f->done = 1;
    return f;
}

const Factor *stage_factor_make_printed(Deriver *d, int k, unsigned need)
{
    const Factor *fc = stage_factor(d, k);
    if (!fc)
        return NULL;
    Factor *f = &d->factors[k];
    Arena *A = &d->arena;
    const Graph *g = d->g;
    Buf b = d->scratch;         /* kept between calls: no allocation a factor */
    Printer p;
    if (need & PRINTED_JSON && f->core && f->coef == 1)
        need |= PRINTED_LATEX;            /* the JSON is the bare LaTeX */
    for (int style = 0; style < 2; style++) {
        unsigned bit = style ? PRINTED_TEXT : PRINTED_LATEX;
        if (!(need & bit) || (f->printed & bit))
            continue;
        f->printed |= bit;
        if (!f->core)
            continue;
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
    if (need & PRINTED_JSON && !(f->printed & PRINTED_JSON)) {
        f->printed |= PRINTED_JSON;
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
    }
    d->scratch = b;
    return f;
}

int stage_edge_zero(Deriver *d, int k)
{
    const Graph *g = d->g;
    const Edge *e = &g->edges[k];
    Stage st = rules(d);
    switch (e->kind) {
    case E_ACT:
        if (d->whole[g->nodes[e->from].layer]) {
            if (st >= ST_LOCAL && d->fold && g->nodes[e->from].layer == g->nlayers - 1)
                return g->nodes[e->to].j != g->nodes[e->from].j;
            if (st != ST_FORWARD)
                return 0;
            break;                  /* written in forward sums: may fail */
        }
        return st >= ST_ACT && g->nodes[e->from].dead;
    case E_LOSS:
        if (st != ST_FORWARD || !g->loss_explicit)
            return 0;
        break;
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
    const Factor *f = stage_factor(d, k);
    return f ? f->zero : -1;
}

bool stage_act_couples(const Deriver *d, int layer)
{
    const Graph *g = d->g;
    if (!op_get(g->layers[layer].act)->layer)
        return false;
    return !(d->fold && rules(d) >= ST_LOCAL && layer == g->nlayers - 1);
}

static int filter_zero(void *ctx, int edge) { return stage_edge_zero(ctx, edge); }

EdgeFilter stage_filter(Deriver *d)
{
    return (EdgeFilter){filter_zero, d};
}

int stage_count_terms(Deriver *d, int of, int wrt, mpz_t out)
{
    deriver_target(d, of, wrt);
    EdgeFilter f = stage_filter(d);
    return paths_count(d->g, of, wrt, &f, out);
}

int stage_term_string(Deriver *d, const int *edges, int n, Style st, Buf *out)
{
    Buf prod = {0}, tmp[2] = {{0}, {0}};
    double coef = 1;
    long exp2 = 0;
    Run run = {0, NULL, 0, 0};
    int cur = 0;                /* the run's text stays in the other buffer */
    buf_cstr(&prod);
    Printer p = graph_printer(d->g, st);
    int rc = 0;
    for (int i = 0; i < n; i++) {
        const Factor *f = stage_factor(d, edges[i]);
        if (!f) {
            rc = -1;
            break;
        }
        coef_mul(&coef, &exp2, f->coef);
        if (!f->core)
            continue;
        buf_truncate(&tmp[cur], 0);
        expr_print_factor(&p, f->core, &tmp[cur]);
        product_join_run(st, &prod, 0, &run, buf_cstr(&tmp[cur]), tmp[cur].len);
        cur ^= 1;
    }
    if (rc == 0)
        print_term(st, coef, exp2, prod.data, prod.len, out);
    buf_free(&prod);
    buf_free(&tmp[0]);
    buf_free(&tmp[1]);
    return rc;
}
