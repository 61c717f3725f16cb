/* eval.c — numeric evaluation, three gradients, path-length statistics and
 * per-layer gradient sizes.
 *
 * Invariant: every gradient here is built from the same numeric local
 * derivatives (numbers_local), so reverse mode and the sum over paths must
 * agree to rounding; finite differences check those local derivatives
 * against the forward evaluation itself.
 */
#include "eval.h"
#include "paths.h"

#include <gmp.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

bool numbers_is_leaf(const Graph *g, int node)
{
    const Node *n = &g->nodes[node];
    switch (n->kind) {
    case N_INPUT: case N_WEIGHT: case N_BIAS: return true;
    case N_SCALAR: return node_def(g, node) == NULL;
    default: return false;
    }
}

int numbers_init(Numbers *n, const Graph *g)
{
    memset(n, 0, sizeof *n);
    n->g = g;
    n->v = xcalloc((size_t)g->nnodes + 1, sizeof *n->v);
    n->given = xcalloc((size_t)g->nnodes + 1, 1);
    if (g->kind == B_NETWORK)
        n->nt = g->layers[g->nlayers - 1].width;
    n->t = xcalloc((size_t)n->nt + 1, sizeof *n->t);
    n->t_given = xcalloc((size_t)n->nt + 1, sizeof *n->t_given);
    n->order = paths_topological(g, &n->norder);
    n->layer_pass = xcalloc((size_t)g->nlayers + 1, sizeof *n->layer_pass);
    return 0;
}

void numbers_free(Numbers *n)
{
    free(n->v);
    free(n->given);
    free(n->t);
    free(n->t_given);
    free(n->order);
    free(n->layer_pass);
    memset(n, 0, sizeof *n);
}

/* ---- values ---- */

int numbers_load(Numbers *n, const char *path)
{
    const Graph *g = n->g;
    Source src;
    if (source_read(&src, path) < 0)
        return -1;
    Arena arena = {0};
    Program prog;
    int rc = parse_values(&src, &arena, &prog) < 0 ? -1 : 0;
    const Value **by_node = xcalloc((size_t)g->nnodes + 1, sizeof *by_node);
    const Value **by_t = xcalloc((size_t)n->nt + 1, sizeof *by_t);
    Buf name = {0};
    for (const Value *val = prog.values; val && rc == 0; val = val->next) {
        const Ref *r = &val->ref;
        const Value **slot;
        if (strcmp(r->name, "t") == 0 && r->nsubs == 1 && g->kind == B_NETWORK &&
            !(g->loss >= 0 && strcmp(node_name(g, g->loss), "t") == 0)) {
            const Label *k = &r->subs[0];
            if (g->t0 < 0) {
                diag_error(&src, r->loc, "t[k] are the targets of an mse or xent loss; loss %s is a sum",
                           g->loss >= 0 ? node_name(g, g->loss) : "(none)");
                rc = -1;
                break;
            }
            if (!k->is_int || k->value < 1 || k->value > n->nt) {
                diag_error(&src, k->loc, "target index %s is out of range: the last layer has %d neurons",
                           k->text, n->nt);
                rc = -1;
                break;
            }
            slot = &by_t[k->value - 1];
            buf_truncate(&name, 0);
            buf_printf(&name, "t[%ld]", k->value);
            if (!*slot) {
                n->t[k->value - 1] = val->num;
                n->t_given[k->value - 1] = true;
            }
        } else {
            int v = graph_resolve_in(g, &src, r);
            if (v < 0) {
                rc = -1;
                break;
            }
            if (!numbers_is_leaf(g, v)) {
                buf_truncate(&name, 0);
                graph_node_ref(g, v, &name);
                diag_error(&src, r->loc, "%s is computed, not given: values are for inputs, weights, "
                           "biases%s", buf_cstr(&name), g->kind == B_NETWORK ? " and targets t[k]" : "");
                rc = -1;
                break;
            }
            slot = &by_node[v];
            buf_truncate(&name, 0);
            graph_node_ref(g, v, &name);
            if (!*slot) {
                n->v[v] = val->num;
                n->given[v] = 1;
            }
        }
        if (*slot) {
            diag_error(&src, val->loc, "a second value for %s", buf_cstr(&name));
            diag_note(&src, (*slot)->loc, "the first value was given here");
            rc = -1;
            break;
        }
        *slot = val;
    }
    buf_free(&name);
    free(by_node);
    free(by_t);
    arena_free(&arena);
    if (rc < 0) {
        source_free(&src);
        return -1;
    }
    rc = numbers_complete(n, src.name);
    source_free(&src);
    return rc;
}

int numbers_complete(const Numbers *n, const char *what)
{
    const Graph *g = n->g;
    int missing = 0;
    Buf first = {0};
    for (int v = 0; v < g->nnodes; v++)
        if (numbers_is_leaf(g, v) && !n->given[v]) {
            if (!missing++)
                graph_node_ref(g, v, &first);
        }
    if (g->t0 >= 0)
        for (int k = 0; k < n->nt; k++)
            if (!n->t_given[k] && !missing++)
                buf_printf(&first, "t[%d]", k + 1);
    if (missing) {
        if (missing == 1)
            diag_file_error(what, "no value for %s", buf_cstr(&first));
        else
            diag_file_error(what, "no value for %s (and %d more)", buf_cstr(&first), missing - 1);
    }
    buf_free(&first);
    if (missing)
        return -1;
    /* the fold of softmax and xent (y - t) holds for targets that sum to 1 */
    if (graph_folds(g)) {
        double s = 0;
        for (int k = 0; k < n->nt; k++)
            s += n->t[k];
        if (!(fabs(s - 1) <= 1e-9)) {
            diag_file_error(what, "the targets t[k] sum to %.10g, not 1: a %s layer under loss %s = %s folds "
                            "to y - t only for targets that are a distribution", s,
                            op_get(g->layers[g->nlayers - 1].act)->name, node_name(g, g->loss),
                            loss_get(g->loss_kind)->name);
            return -1;
        }
    }
    return 0;
}

/* splitmix64: small, fast, the same stream everywhere */
static unsigned long long mix(unsigned long long *s)
{
    unsigned long long z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double uniform(unsigned long long *s, double lo, double hi)
{
    return lo + (hi - lo) * (double)(mix(s) >> 11) * 0x1.0p-53;
}

/* a standard normal draw (Box and Muller: two uniforms, one normal) */
static double normal(unsigned long long *s)
{
    double u = uniform(s, 0, 1), v = uniform(s, 0, 1);
    if (u < 0x1p-60)
        u = 0x1p-60;
    return sqrt(-2 * log(u)) * cos(6.283185307179586477 * v);
}

static const char *const init_words[] = {"glorot", "he", "lecun", "standard", "normal", "uniform"};

int init_parse(const char *text, Init *out)
{
    size_t n = strcspn(text, ":");
    for (int k = 0; k < (int)(sizeof init_words / sizeof *init_words); k++) {
        if (strlen(init_words[k]) != n || strncmp(text, init_words[k], n) != 0)
            continue;
        out->kind = (InitKind)k;
        out->param = 0;
        bool wants = out->kind == INIT_NORMAL || out->kind == INIT_UNIFORM;
        if (!wants)
            return text[n] == '\0' ? 0 : -1;
        char *end;
        if (text[n] != ':' || !text[n + 1])
            return -1;
        out->param = strtod(text + n + 1, &end);
        return *end == '\0' && isfinite(out->param) && out->param > 0 ? 0 : -1;
    }
    return -1;
}

/* one weight of a family with FAN_IN rows and FAN_OUT columns */
static double draw_weight(unsigned long long *s, const Init *in, int fan_in, int fan_out)
{
    switch (in->kind) {
    case INIT_HE: return normal(s) * sqrt(2.0 / fan_in);
    case INIT_LECUN: return normal(s) * sqrt(1.0 / fan_in);
    case INIT_STANDARD: return uniform(s, -1 / sqrt(fan_in), 1 / sqrt(fan_in));
    case INIT_NORMAL: return normal(s) * in->param;
    case INIT_UNIFORM: return uniform(s, -in->param, in->param);
    case INIT_GLOROT: default: {
        double a = sqrt(6.0 / (fan_in + fan_out));
        return uniform(s, -a, a);
    }
    }
}

void numbers_seed(Numbers *n, unsigned long long seed)
{
    Init glorot = {INIT_GLOROT, 0};
    numbers_seed_init(n, seed, &glorot);
}

void numbers_seed_init(Numbers *n, unsigned long long seed, const Init *init)
{
    const Graph *g = n->g;
    unsigned long long s = seed;
    for (int v = 0; v < g->nnodes; v++) {
        const Node *nd = &g->nodes[v];
        if (!numbers_is_leaf(g, v))
            continue;
        double x;
        if (nd->kind == N_WEIGHT) {
            int fan_in = g->families[nd->layer].rows, fan_out = g->families[nd->layer].cols;
            x = draw_weight(&s, init, fan_in, fan_out);
        } else if (nd->kind == N_BIAS) {
            x = uniform(&s, -0.1, 0.1);
        } else if (nd->kind == N_INPUT) {
            x = uniform(&s, -1, 1);
        } else {
            x = uniform(&s, 0.5, 1.5);
        }
        n->v[v] = x;
        n->given[v] = 1;
    }
    /* targets U(-1, 1); a distribution's U(0, 1), divided by their sum */
    bool dist = g->t0 >= 0 && loss_get(g->loss_kind)->distribution;
    double sum = 0;
    for (int k = 0; k < n->nt; k++) {
        n->t[k] = dist ? uniform(&s, 0, 1) : uniform(&s, -1, 1);
        n->t_given[k] = true;
        sum += n->t[k];
    }
    if (dist && sum > 0)
        for (int k = 0; k < n->nt; k++)
            n->t[k] /= sum;
}

/* ---- forward ---- */

/* E's value; an opaque function is an error at its call.  KINK (if not
 * NULL) is set when a call in E sits where its function has no derivative
 * (ops.h: a row's kink). */
static int eval_expr(const Numbers *n, const Expr *e, double *out, bool *kink)
{
    double a, b;
    switch (e->kind) {
    case X_SUM: case X_PROD: return -1;         /* parsed only: build writes them out */
    case X_NUM: *out = e->num; return 0;
    case X_VAR: *out = n->v[e->node]; return 0;
    case X_PARTIAL: {
        Buf nm = {0};
        graph_node_ref(n->g, e->node, &nm);
        pg_error("the local derivative of %s goes through an opaque function: "
                "it has no numeric value", buf_cstr(&nm));
        buf_free(&nm);
        return -1;
    }
    case X_NEG:
        if (eval_expr(n, e->a, &a, kink) < 0)
            return -1;
        *out = -a;
        return 0;
    case X_POW:
        if (eval_expr(n, e->a, &a, kink) < 0)
            return -1;
        *out = pow(a, (double)e->ipow);
        return 0;
    case X_ADD: case X_SUB: case X_MUL: case X_DIV:
        if (eval_expr(n, e->a, &a, kink) < 0 || eval_expr(n, e->b, &b, kink) < 0)
            return -1;
        *out = e->kind == X_ADD ? a + b : e->kind == X_SUB ? a - b : e->kind == X_MUL ? a * b : a / b;
        return 0;
    case X_CALL:
        if (e->fn == OP_OPAQUE) {
            diag_error(n->g->src, e->loc, "%s is an opaque function: it cannot be evaluated", e->name);
            return -1;
        }
        double args[OP_MAX_ARITY];
        for (int i = 0; i < e->nargs; i++)
            if (eval_expr(n, e->args[i], &args[i], kink) < 0)
                return -1;
        const Op *op = op_get(e->fn);
        *out = op->value(args);
        if (kink && op->kink && op->kink(args))
            *kink = true;
        return 0;
    }
    return -1;
}


int numbers_forward(Numbers *n, int of, double *out)
{
    const Graph *g = n->g;
    n->pass++;
    for (int i = 0; i < n->norder; i++) {
        int v = n->order[i];
        const Node *nd = &g->nodes[v];
        double x = 0;
        switch (nd->kind) {
        case N_PRE:
            for (int k = nd->first_edge; k < nd->first_edge + nd->nedges; k++) {
                const Edge *e = &g->edges[k];
                if (e->kind == E_JY)
                    x += n->v[e->aux] * n->v[e->to];
                else if (e->kind == E_SKIP || e->kind == E_BIAS)
                    x += n->v[e->to];
            }
            n->v[v] = x;
            break;
        case N_ACT: {
            const Layer *L = &g->layers[nd->layer];
            const Op *op = op_get(L->act);
            if (op->layer) {
                /* the whole layer at its first y (every x is done by then) */
                if (n->layer_pass[nd->layer] != n->pass) {
                    op->layer->value(&n->v[L->x0], &n->v[L->y0], L->width);
                    n->layer_pass[nd->layer] = n->pass;
                }
            } else {
                n->v[v] = nd->dead ? 0 : op->value(&n->v[g->edges[nd->first_edge].to]);
            }
            break;
        }
        case N_LOSS: {
            const LossOp *lo = loss_get(g->loss_kind);
            for (int k = 0; k < nd->nedges; k++) {
                int y = g->edges[nd->first_edge + k].to;
                double p = lo->part(n->v[y], n->t[k]);
                if (!isfinite(p)) {
                    Buf r = {0};
                    graph_node_ref(g, y, &r);
                    pg_error("loss %s = %s is not finite with these values: %s = %.17g", node_name(g, v),
                             lo->name, buf_cstr(&r), n->v[y]);
                    buf_free(&r);
                    return -1;
                }
                x += p;
            }
            n->v[v] = x;
            break;
        }
        case N_TARGET:
            n->v[v] = n->t[nd->j - 1];
            break;
        case N_SCALAR:
            if (node_def(g, v)) {
                if (eval_expr(n, node_def(g, v), &x, NULL) < 0)
                    return -1;
                if (!isfinite(x)) {
                    diag_error(g->src, node_sym(g, v)->loc, "%s evaluates to %s with these values", node_name(g, v),
                               isnan(x) ? "nan" : x > 0 ? "inf" : "-inf");
                    return -1;
                }
                n->v[v] = x;
            }
            break;
        default:
            break;
        }
    }
    *out = n->v[of];
    return 0;
}

double numbers_local(const Numbers *n, int k)
{
    const Graph *g = n->g;
    const Edge *e = &g->edges[k];
    switch (e->kind) {
    case E_LOSS: {
        const Node *l = &g->nodes[e->from];
        return loss_get(g->loss_kind)->deriv(n->v[e->to], n->t[k - l->first_edge]);
    }
    case E_ACT: {
        const Node *y = &g->nodes[e->from];
        if (y->dead)
            return 0;
        const Layer *L = &g->layers[y->layer];
        const Op *op = op_get(L->act);
        if (op->layer) {
            int j = g->nodes[e->to].j;
            return op->layer->deriv(n->v[e->from], n->v[L->y0 + j - 1], j == y->j);
        }
        double xv = n->v[e->to];
        return op->deriv(&xv, n->v[e->from], 0);
    }
    case E_JW: case E_JY: return n->v[e->aux];
    case E_SKIP: case E_BIAS: return 1;
    case E_SCALAR: {
        double d = 0;
        if (eval_expr(n, g->locals[k], &d, NULL) < 0)
            return NAN;
        return d;
    }
    }
    return 0;
}

void numbers_reverse(const Numbers *n, int of, double *adj)
{
    const Graph *g = n->g;
    memset(adj, 0, (size_t)g->nnodes * sizeof *adj);
    adj[of] = 1;
    for (int i = n->norder - 1; i >= 0; i--) {
        int v = n->order[i];
        if (adj[v] == 0)
            continue;
        const Node *nd = &g->nodes[v];
        for (int k = nd->first_edge; k < nd->first_edge + nd->nedges; k++)
            adj[g->edges[k].to] += adj[v] * numbers_local(n, k);
    }
}

/* ---- sums over paths ---- */

int numbers_path_sum(const Numbers *n, int of, int ref, unsigned long long limit, double *out, double *abs_out)
{
    const Graph *g = n->g;
    mpz_t count;
    mpz_init(count);
    paths_count(g, of, ref, NULL, count);
    int over = mpz_cmp_ui(count, limit) > 0;
    mpz_clear(count);
    if (over)
        return -1;
    unsigned char *mark = paths_mark(g, of, ref, NULL);
    PathKids kids;
    paths_kids(g, mark, ref, NULL, &kids);
    PathWalk w;
    paths_walk_begin(&w, g, of, ref, mark, &kids);
    size_t cap = w.cap;
    double *prod = xmalloc(cap * sizeof *prod), sum = 0, abs_sum = 0;
    prod[0] = 1;
    int ev;
    while ((ev = paths_walk_next(&w)) != WALK_DONE) {
        if (ev == WALK_TERM) {
            sum += prod[w.depth];
            abs_sum += fabs(prod[w.depth]);
            continue;
        }
        if (w.cap > cap) {
            cap = w.cap;
            prod = xrealloc(prod, xmul(cap, sizeof *prod));
        }
        prod[w.depth] = prod[w.depth - 1] * numbers_local(n, w.via[w.depth]);
    }
    paths_walk_end(&w);
    paths_kids_free(&kids);
    free(prod);
    free(mark);
    *out = sum;
    *abs_out = abs_sum;
    return 0;
}

/* ---- kinks ---- */

/* KINK[v] = 1 for every node whose local derivatives sit where its function
 * has none, at the current values: a ReLU (or leaky ReLU) neuron whose
 * input is exactly 0, a graph variable whose definition calls a function
 * at such a point (a row of ops.h with a kink).  Reverse mode takes one
 * side there (the row's derivative); a central difference averages both. */
static int find_kinks(const Numbers *n, unsigned char *kink)
{
    const Graph *g = n->g;
    int count = 0;
    for (int v = 0; v < g->nnodes; v++) {
        const Node *nd = &g->nodes[v];
        bool k = false;
        if (nd->kind == N_ACT && !nd->dead) {
            const Op *op = op_get(g->layers[nd->layer].act);
            double x = n->v[g->edges[nd->first_edge].to];
            k = op->kink && op->kink(&x);
        } else if (node_def(g, v)) {
            double ignored;
            eval_expr(n, node_def(g, v), &ignored, &k);
        }
        kink[v] = k;
        count += k;
    }
    return count;
}

/* the name of the first function of E that has kinks, or NULL */
static const char *kinked_call(const Expr *e)
{
    if (!e)
        return NULL;
    if (e->kind == X_CALL && e->fn != OP_OPAQUE && op_get(e->fn)->kink)
        return op_get(e->fn)->name;
    const char *r = kinked_call(e->a);
    if (!r)
        r = kinked_call(e->b);
    for (int i = 0; i < e->nargs && !r; i++)
        r = kinked_call(e->args[i]);
    return r;
}

/* how a kink node reads in a message: "ACTIVATION at x[h][1] = 0",
 * "FUNCTION in c" */
static void kink_name(const Graph *g, int v, Buf *out)
{
    const Node *nd = &g->nodes[v];
    if (nd->kind == N_ACT) {
        buf_printf(out, "%s at ", op_get(g->layers[nd->layer].act)->name);
        graph_node_ref(g, g->edges[nd->first_edge].to, out);
        buf_puts(out, " = 0");
        return;
    }
    const char *fn = kinked_call(node_def(g, v));
    buf_printf(out, "%s in %s", fn ? fn : "a kink", node_name(g, v));
}

/* a gradient component whose central difference disagrees, and whose
 * paths cross a kink */
typedef struct KinkCase {
    int leaf;
    int node;                /* the first kink on its paths */
    int nkinks;              /* kinks on its paths */
    double reverse, central, left, right;
    int agrees;              /* reverse mode agrees with the one-sided difference
                              * from the left (-1), the right (1), both (2) or
                              * neither (0) */
} KinkCase;

/* OF at the current values, with leaf V set to X */
static int value_at(Numbers *n, int of, int v, double x, double *out)
{
    double keep = n->v[v];
    n->v[v] = x;
    int rc = numbers_forward(n, of, out);
    n->v[v] = keep;
    return rc;
}

/* ---- eval ---- */

/* the variables a gradient is reported for */
static bool is_param(const Graph *g, int v)
{
    return numbers_is_leaf(g, v);
}

static void json_key(FILE *out, const Graph *g, int v, Buf *tmp)
{
    buf_truncate(tmp, 0);
    graph_node_ref(g, v, tmp);
    fprintf(out, "\"%s\"", buf_cstr(tmp));    /* references need no escaping */
}

static double rel_diff(double a, double b, double floor_)
{
    double s = fmax(fmax(fabs(a), fabs(b)), floor_);
    return s > 0 ? fabs(a - b) / s : 0;
}

#define PS_BOUND 1e-9
#define FD_BOUND 1e-6

/* the check: path sums and finite differences against reverse mode */
typedef struct Check {
    double worst_ps, worst_fd;
    int n_ps, skip_ps, n_fd, nkinks;
    unsigned char *kink;
    KinkCase *kc;
    int nkc, kc_cap;
} Check;

static int run_check(Numbers *n, int of, const double *adj, Check *c)
{
    const Graph *g = n->g;
    double gmax = 0;
    int nparams = 0;
    for (int v = 0; v < g->nnodes; v++)
        if (is_param(g, v)) {
            nparams++;
            gmax = fmax(gmax, fabs(adj[v]));
        }
    c->nkinks = find_kinks(n, c->kink);
    /* relative to the larger of |a|, |b| and a floor: a gradient component
     * far below the largest is compared on the scale of the largest, where
     * rounding lives (path sums: also 1e-5 of the sum of their |products|;
     * with the 1e-9 bound that allows 1e-14 of that sum, some 45 eps: the
     * rounding of a sum whose terms cancel to a gradient near 0),
     * and a central difference is compared on the scale of the values too:
     * its noise is about eps * |values| / h, 2e-11 of them, so components
     * below 1e-4 of the largest |value| are compared on that scale (a
     * minimum, every gradient 0, is not all noise) */
    double vmax = 0;
    for (int v = 0; v < g->nnodes; v++)
        vmax = fmax(vmax, fabs(n->v[v]));
    double floor_ = 1e-6 * gmax + 1e-300, floor_fd = 1e-4 * gmax + 1e-4 * vmax + 1e-300;
    int stride = nparams > PG_FD_MAX_PARAMS ? (nparams + PG_FD_MAX_PARAMS - 1) / PG_FD_MAX_PARAMS : 1;
    /* path sums first: finite differences disturb the values */
    for (int v = 0; v < g->nnodes; v++) {
        if (!is_param(g, v))
            continue;
        double ps, ps_abs;
        if (numbers_path_sum(n, of, v, PG_PATHSUM_LIMIT, &ps, &ps_abs) == 0) {
            c->worst_ps = fmax(c->worst_ps, rel_diff(ps, adj[v], fmax(floor_, 1e-5 * ps_abs)));
            c->n_ps++;
        } else {
            c->skip_ps++;
        }
    }
    int idx = 0;
    for (int v = 0; v < g->nnodes; v++) {
        if (!is_param(g, v) || idx++ % stride != 0)
            continue;
        double x = n->v[v], h = 1e-5 * fmax(1, fabs(x)), lp, lm;
        if (value_at(n, of, v, x + h, &lp) < 0 || value_at(n, of, v, x - h, &lm) < 0)
            return -1;
        double central = (lp - lm) / (2 * h), d = rel_diff(central, adj[v], floor_fd);
        if (d > FD_BOUND) {
            /* a function that varies fast (sin(16 x^4)) leaves a central
             * difference its truncation error, about h^2/6 times the third derivative: Richardson's
             * extrapolation from h and h/2 cancels it */
            double lp2, lm2;
            if (value_at(n, of, v, x + h / 2, &lp2) < 0 || value_at(n, of, v, x - h / 2, &lm2) < 0)
                return -1;
            double half = (lp2 - lm2) / h, extrapolated = (4 * half - central) / 3;
            double dr = rel_diff(extrapolated, adj[v], floor_fd);
            if (dr < d)
                d = dr;
        }
        if (d > FD_BOUND && c->nkinks) {
            /* a kink on the paths of this component explains it: there the
             * derivative has two one-sided values, and reverse mode took
             * one of them */
            unsigned char *mark = paths_mark(g, of, v, NULL);
            int first = -1, count = 0;
            for (int u = 0; u < g->nnodes; u++)
                if (c->kink[u] && mark[u] == R_YES) {
                    if (first < 0)
                        first = u;
                    count++;
                }
            free(mark);
            if (first >= 0) {
                /* one-sided differences of second order: exact on the
                 * linear pieces a ReLU joins, error of order h^2 elsewhere */
                double f0, f1, f2, b1, b2;
                if (value_at(n, of, v, x, &f0) < 0 || value_at(n, of, v, x + h, &f1) < 0 ||
                    value_at(n, of, v, x + 2 * h, &f2) < 0 || value_at(n, of, v, x - h, &b1) < 0 ||
                    value_at(n, of, v, x - 2 * h, &b2) < 0)
                    return -1;
                double right = (-3 * f0 + 4 * f1 - f2) / (2 * h), left = (3 * f0 - 4 * b1 + b2) / (2 * h);
                bool l = rel_diff(left, adj[v], floor_fd) <= FD_BOUND;
                bool r = rel_diff(right, adj[v], floor_fd) <= FD_BOUND;
                int agrees = l && r ? 2 : l ? -1 : r ? 1 : 0;
                c->kc = xgrow(c->kc, c->nkc, &c->kc_cap, sizeof *c->kc);
                c->kc[c->nkc++] = (KinkCase){v, first, count, adj[v], central, left, right, agrees};
                continue;
            }
        }
        c->worst_fd = fmax(c->worst_fd, d);
        c->n_fd++;
    }
    return 0;
}

static const char *const sides[] = {"left", "neither", "right", "both"};

static void check_json(const Graph *g, const Check *c, FILE *out, Buf *tmp)
{
    fprintf(out, ",\n \"check\": {\"path_sum\": {\"worst_relative\": %.3g, \"compared\": %d, \"skipped\": %d},"
            " \"finite_differences\": {\"worst_relative\": %.3g, \"compared\": %d}",
            c->worst_ps, c->n_ps, c->skip_ps, c->worst_fd, c->n_fd);
    if (c->nkinks) {
        fputs(", \"kinks\": [", out);
        for (int v = 0, k = 0; v < g->nnodes; v++)
            if (c->kink[v]) {
                buf_truncate(tmp, 0);
                kink_name(g, v, tmp);
                fprintf(out, "%s\"%s\"", k++ ? ", " : "", buf_cstr(tmp));
            }
        fputs("], \"at_a_kink\": [", out);
        for (int i = 0; i < c->nkc; i++) {
            const KinkCase *k = &c->kc[i];
            fputs(i ? ", {\"gradient\": " : "{\"gradient\": ", out);
            json_key(out, g, k->leaf, tmp);
            buf_truncate(tmp, 0);
            kink_name(g, k->node, tmp);
            fprintf(out, ", \"kink\": \"%s\", \"kinks_on_paths\": %d, \"reverse\": %.17g, \"central\": %.17g,"
                    " \"left\": %.17g, \"right\": %.17g, \"agrees\": \"%s\"}",
                    buf_cstr(tmp), k->nkinks, k->reverse, k->central, k->left, k->right, sides[k->agrees + 1]);
        }
        fputs("]", out);
    }
    fputs("}", out);
}

static void check_text(const Graph *g, const Check *c, FILE *out, Buf *tmp)
{
    fprintf(out, "\ncheck against reverse mode (worst relative difference):\n");
    fprintf(out, "  sums over paths       %.3g over %d gradients", c->worst_ps, c->n_ps);
    if (c->skip_ps)
        fprintf(out, " (%d skipped: more than %llu paths)", c->skip_ps, PG_PATHSUM_LIMIT);
    fprintf(out, "\n  finite differences    %.3g over %d gradients (central, h = 1e-5 relative)\n", c->worst_fd,
            c->n_fd);
    if (!c->nkinks)
        return;
    fprintf(out, "\nkinks (a function without a derivative there; reverse mode takes one side):\n");
    for (int v = 0; v < g->nnodes; v++)
        if (c->kink[v]) {
            buf_truncate(tmp, 0);
            kink_name(g, v, tmp);
            fprintf(out, "  %s\n", buf_cstr(tmp));
        }
    if (c->nkc)
        fprintf(out, "%d gradient%s left out of the central differences, %s paths crossing a kink:\n", c->nkc,
                c->nkc == 1 ? "" : "s", c->nkc == 1 ? "its" : "their");
    for (int i = 0; i < c->nkc; i++) {
        const KinkCase *k = &c->kc[i];
        buf_truncate(tmp, 0);
        graph_node_ref(g, k->leaf, tmp);
        fprintf(out, "  %-16s reverse %.10g, central %.10g; one-sided: left %.10g, right %.10g\n", buf_cstr(tmp),
                k->reverse, k->central, k->left, k->right);
        buf_truncate(tmp, 0);
        kink_name(g, k->node, tmp);
        if (k->agrees == 2)
            fprintf(out, "  %-16s both sides of %s agree with reverse mode\n", "", buf_cstr(tmp));
        else if (k->agrees)
            fprintf(out, "  %-16s reverse mode takes the %s side of %s\n", "", sides[k->agrees + 1], buf_cstr(tmp));
        else
            fprintf(out, "  %-16s not differentiable there: %d kink%s on its paths (%s%s)\n", "", k->nkinks,
                    k->nkinks == 1 ? "" : "s", buf_cstr(tmp), k->nkinks == 1 ? "" : ", ...");
    }
}

int eval_write(Numbers *n, const EvalOpts *o, FILE *out)
{
    const Graph *g = n->g;
    double loss;
    if (numbers_forward(n, o->of, &loss) < 0)
        return -1;
    double *adj = xmalloc(xmul((size_t)g->nnodes + 1, sizeof *adj));
    numbers_reverse(n, o->of, adj);
    for (int v = 0; v < g->nnodes; v++)
        if (is_param(g, v) && !isfinite(adj[v])) {
            Buf nm = {0};
            graph_node_ref(g, v, &nm);
            pg_error("the gradient with respect to %s is not finite", buf_cstr(&nm));
            buf_free(&nm);
            free(adj);
            return -1;
        }
    Check c = {0};
    c.kink = xcalloc((size_t)g->nnodes + 1, 1);
    int rc = 0;
    if (o->check) {
        rc = run_check(n, o->of, adj, &c);
        numbers_forward(n, o->of, &loss);     /* the values as they were */
    }
    Buf tmp = {0};
    const char *ofname = node_name(g, o->of);
    Buf ofref = {0};
    graph_node_ref(g, o->of, &ofref);
    if (rc < 0) {
        /* reported: a value that is not finite at a perturbed point */
    } else if (o->json) {
        fprintf(out, "{\"of\": \"%s\", \"loss\": %.17g,\n \"values\": {", buf_cstr(&ofref), loss);
        int first = 1;
        for (int v = 0; v < g->nnodes; v++) {
            if (g->nodes[v].kind == N_TARGET)
                continue;           /* given as t[k]: not variables */
            fputs(first ? "" : ", ", out);
            first = 0;
            json_key(out, g, v, &tmp);
            fprintf(out, ": %.17g", n->v[v]);
        }
        fputs("},\n \"grad\": {", out);
        first = 1;
        for (int v = 0; v < g->nnodes; v++) {
            if (!is_param(g, v))
                continue;
            fputs(first ? "" : ", ", out);
            first = 0;
            json_key(out, g, v, &tmp);
            fprintf(out, ": %.17g", adj[v]);
        }
        fputs("}", out);
        if (o->check)
            check_json(g, &c, out, &tmp);
        fputs("}\n", out);
    } else {
        if (g->kind == B_NETWORK && o->of == g->loss)
            fprintf(out, "%s = %.10g (%s)\n", ofname, loss, loss_get(g->loss_kind)->formula);
        else
            fprintf(out, "%s = %.10g\n", buf_cstr(&ofref), loss);
        fputs("\nvalues:\n", out);
        for (int v = 0; v < g->nnodes; v++) {
            if (g->nodes[v].kind == N_TARGET)
                continue;
            buf_truncate(&tmp, 0);
            graph_node_ref(g, v, &tmp);
            fprintf(out, "  %-16s %15.10g\n", buf_cstr(&tmp), n->v[v]);
        }
        fprintf(out, "\ngradient of %s (reverse mode):\n", buf_cstr(&ofref));
        for (int v = 0; v < g->nnodes; v++) {
            if (!is_param(g, v))
                continue;
            buf_truncate(&tmp, 0);
            graph_node_ref(g, v, &tmp);
            fprintf(out, "  %-16s %15.10g\n", buf_cstr(&tmp), adj[v]);
        }
        if (o->check)
            check_text(g, &c, out, &tmp);
    }
    buf_free(&tmp);
    buf_free(&ofref);
    free(adj);
    free(c.kink);
    free(c.kc);
    if (rc < 0)
        return -1;
    if (o->check && (c.worst_ps > PS_BOUND || c.worst_fd > FD_BOUND)) {
        pg_error("check failed: path sums %.3g (bound 1e-9), finite differences %.3g (bound 1e-6)", c.worst_ps,
                 c.worst_fd);
        return 1;
    }
    return 0;
}

/* ---- path lengths ---- */

/* weight layers an edge crosses: a junction's (to the weight or through it) */
static int crosses(const Edge *e) { return e->kind == E_JW || e->kind == E_JY; }
/* a graph's paths are measured in edges */
static int one_edge(const Edge *e) { (void)e; return 1; }

static double local_of(void *ctx, int edge) { return numbers_local(ctx, edge); }

int paths_write(Numbers *n, int of, int ref, bool with_values, bool json, FILE *out)
{
    const Graph *g = n->g;
    double ignored;
    if (with_values && numbers_forward(n, of, &ignored) < 0)
        return -1;
    PathLengths pl;
    bool net = g->kind == B_NETWORK;
    const char *unit = net ? "weight layers" : "edges";
    if (paths_lengths(g, of, ref, net ? crosses : one_edge, with_values ? local_of : NULL, n, &pl) < 0)
        return -1;
    mpz_t *cnt = pl.count;
    double *con = pl.weight;
    Buf ofr = {0}, rr = {0};
    graph_node_ref(g, of, &ofr);
    graph_node_ref(g, ref, &rr);
    if (pl.longest < 0) {
        if (json)
            fprintf(out, "{\"of\": \"%s\", \"wrt\": \"%s\", \"count\": \"0\", \"lengths\": []}\n",
                    buf_cstr(&ofr), buf_cstr(&rr));
        else
            fprintf(out, "no path from %s to %s\n", buf_cstr(&ofr), buf_cstr(&rr));
    } else {
        int L = pl.longest;
        mpz_t total, weighted, tmp;
        mpz_inits(total, weighted, tmp, NULL);
        for (int l = 0; l <= L; l++) {
            mpz_add(total, total, cnt[l]);
            mpz_mul_ui(tmp, cnt[l], (unsigned long)l);
            mpz_add(weighted, weighted, tmp);
        }
        mpq_t mean;
        mpq_init(mean);
        mpq_set_num(mean, weighted);
        mpq_set_den(mean, total);
        mpq_canonicalize(mean);
        double meanv = mpq_get_d(mean);
        int minl = 0;
        while (minl < L && mpz_sgn(cnt[minl]) == 0)
            minl++;
        char *tot = mpz_get_str(NULL, 10, total);
        if (json) {
            fprintf(out, "{\"of\": \"%s\", \"wrt\": \"%s\", \"count\": \"%s\", \"length_in\": \"%s\", "
                    "\"mean_length\": %.17g,\n \"lengths\": [",
                    buf_cstr(&ofr), buf_cstr(&rr), tot, unit, meanv);
            int first = 1;
            for (int l = 0; l <= L; l++) {
                if (mpz_sgn(cnt[l]) == 0)
                    continue;
                char *c = mpz_get_str(NULL, 10, cnt[l]);
                fprintf(out, "%s\n  {\"length\": %d, \"paths\": \"%s\"", first ? "" : ",", l, c);
                if (con)
                    fprintf(out, ", \"contribution\": %.17g", con[l]);
                fputc('}', out);
                free(c);
                first = 0;
            }
            fputs("]}\n", out);
        } else {
            fprintf(out, "paths from %s to %s: %s\n", buf_cstr(&ofr), buf_cstr(&rr), tot);
            fprintf(out, "%s: mean %.6g, shortest %d, longest %d\n", net ? "weight layers crossed" : "edges", meanv,
                    minl, L);
            fprintf(out, "\n%6s  %24s  %9s%s\n", "length", "paths", "share", con ? "  sum of |path products|" : "");
            mpq_t share;
            mpq_init(share);
            for (int l = 0; l <= L; l++) {
                if (mpz_sgn(cnt[l]) == 0)
                    continue;
                char *c = mpz_get_str(NULL, 10, cnt[l]);
                mpq_set_num(share, cnt[l]);
                mpq_set_den(share, total);
                mpq_canonicalize(share);
                fprintf(out, "%6d  %24s  %9.3g", l, c, mpq_get_d(share));
                if (con)
                    fprintf(out, "  %24.6g", con[l]);
                fputc('\n', out);
                free(c);
            }
            mpq_clear(share);
        }
        free(tot);
        mpq_clear(mean);
        mpz_clears(total, weighted, tmp, NULL);
    }
    paths_lengths_free(&pl);
    buf_free(&ofr);
    buf_free(&rr);
    return 0;
}
