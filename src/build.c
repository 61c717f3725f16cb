/* build.c — syntax tree -> computational graph (networks and scalar graphs),
 * and the resolution of references to its nodes.
 *
 * Every semantic error is reported at the span of the text that caused it;
 * building stops at the first one.
 */
#include "graph.h"

#include <assert.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* loop variables in scope (for, sum, prod), innermost first */
typedef struct Env {
    const char *var;
    long val;
    const Stmt *loop;        /* the for statement (NULL: a sum's or prod's) */
    const struct Env *up;
} Env;

typedef struct Builder {
    Graph *g;
    const Source *src;
    int cap_nodes, cap_edges, cap_syms, cap_locals;
    unsigned long long iterations;   /* for loops' bodies run so far */
    unsigned long long expanded;     /* nodes of the definition being written out */
    Buf key;                         /* an indexed name being looked up */
} Builder;

static void undefined_error(Builder *b, const char *key, Loc loc);

static int new_node(Builder *b, NodeKind k, int layer, int i, int j)
{
    Graph *g = b->g;
    if (g->nnodes == b->cap_nodes) {
        b->cap_nodes = b->cap_nodes ? b->cap_nodes * 2 : 64;
        g->nodes = xrealloc(g->nodes, xmul((size_t)b->cap_nodes, sizeof *g->nodes));
    }
    Node *n = &g->nodes[g->nnodes];
    memset(n, 0, sizeof *n);
    n->kind = k;
    n->layer = layer;
    n->i = i;
    n->j = j;
    return g->nnodes++;
}

/* a node with a name (the loss, a scalar variable) */
static int new_named(Builder *b, NodeKind k, const char *name, Loc loc)
{
    Graph *g = b->g;
    if (g->nsyms == b->cap_syms) {
        b->cap_syms = b->cap_syms ? b->cap_syms * 2 : 16;
        g->syms = xrealloc(g->syms, xmul((size_t)b->cap_syms, sizeof *g->syms));
    }
    int v = new_node(b, k, -1, 0, 0);
    g->nodes[v].sym = g->nsyms;
    g->syms[g->nsyms++] = (NodeSym){.name = name, .def = NULL, .loc = loc};
    return v;
}

/* edges must be added grouped by their parent, parents in index order */
static void new_edge(Builder *b, int from, int to, EdgeKind k, int aux)
{
    Graph *g = b->g;
    if (g->nedges == b->cap_edges) {
        b->cap_edges = b->cap_edges ? b->cap_edges * 2 : 64;
        g->edges = xrealloc(g->edges, xmul((size_t)b->cap_edges, sizeof *g->edges));
    }
    Edge *e = &g->edges[g->nedges];
    memset(e, 0, sizeof *e);
    e->from = from;
    e->to = to;
    e->kind = k;
    e->aux = aux;
    Node *n = &g->nodes[from];
    if (n->nedges == 0)
        n->first_edge = g->nedges;
    /* a node's out-edges are contiguous (graph.h): one parent at a time */
    assert(n->first_edge + n->nedges == g->nedges);
    assert(to >= 0 && to < g->nnodes);
    n->nedges++;
    g->nedges++;
}

/* ---- networks ---- */

static int find_layer(const Graph *g, const char *label, int upto)
{
    int l = strmap_get(&g->names, label);
    return l < upto ? l : -1;
}

/* a family's name may not be another kind of variable of the network */
static bool reserved_name(const char *name, const char *loss)
{
    static const char *const words[] = {"x", "y", "w", "b", "t"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcmp(name, words[i]) == 0)
            return true;
    return loss && strcmp(name, loss) == 0;
}

static int new_family(Graph *g, const char *name, bool shared, int from, int to, Loc loc)
{
    g->families = xgrow(g->families, g->nfamilies, &g->families_cap, sizeof *g->families);
    g->families[g->nfamilies] = (Family){name, shared, from, to, g->layers[from].width, g->layers[to].width,
                                         -1, 1, loc};
    return g->nfamilies++;
}

/* The family of the weights of input IN (dense(FROM)) of layer L:
 * created at its first use; a shared one checked for its shape.  -1 after
 * a located error. */
static int family_of(Builder *b, const Input *in, int from, int l, const char *loss)
{
    Graph *g = b->g;
    const Source *src = b->src;
    const char *fl = g->layers[from].label;
    if (!in->family) {
        if (g->layers[from].wfam >= 0) {
            const Family *F = &g->families[g->layers[from].wfam];
            diag_error(src, in->loc,
                       "layer '%s' already feeds layer '%s' through dense(%s): its weights w[%s] can feed "
                       "only one layer (name this connection's own: dense(%s) as NAME)",
                       fl, g->layers[F->to].label, fl, fl, fl);
            return -1;
        }
        return g->layers[from].wfam = new_family(g, "w", false, from, l, in->loc);
    }
    if (reserved_name(in->family, loss) ||
        (g->za && (strcmp(in->family, "z") == 0 || strcmp(in->family, "a") == 0))) {
        diag_error(src, in->family_loc, "'%s' names %s: weights need a name of their own", in->family,
                   loss && strcmp(in->family, loss) == 0 ? "the loss" : "a network's own variables");
        return -1;
    }
    for (int f = 0; f < g->nfamilies; f++) {
        Family *F = &g->families[f];
        if (strcmp(F->name, in->family) != 0)
            continue;
        if (F->shared != in->shared) {
            diag_error(src, in->family_loc, "'%s' names %s weights already: a name is either shared or a "
                       "connection's own", in->family, F->shared ? "shared" : "a connection's");
            diag_note(src, F->loc, "'%s' was first used here", in->family);
            return -1;
        }
        if (!in->shared && F->from != from)
            continue;                  /* NAME[L] of another layer L */
        if (!in->shared) {
            diag_error(src, in->family_loc, "%s[%s] already names the weights of dense(%s) into layer '%s'",
                       in->family, fl, fl, g->layers[F->to].label);
            diag_note(src, F->loc, "'%s' was first used here", in->family);
            return -1;
        }
        if (F->rows != g->layers[from].width || F->cols != g->layers[l].width) {
            diag_error(src, in->family_loc, "shared %s is %dx%d at its first use (dense(%s) into layer '%s'); "
                       "here it would be %dx%d", in->family, F->rows, F->cols, g->layers[F->from].label,
                       g->layers[F->to].label, g->layers[from].width, g->layers[l].width);
            diag_note(src, F->loc, "'%s' was first used here", in->family);
            return -1;
        }
        F->nuses++;
        return f;
    }
    return new_family(g, in->family, in->shared, from, l, in->family_loc);
}

/* Layers: labels unique, widths in range, the first layer a bare input,
 * every dense/skip naming an earlier layer, skips between equal widths,
 * a layer's plain weights feeding exactly one later layer, named and
 * shared weights consistent.  FAMS[l][k] is the family of layer l's k-th
 * input (-1 for a shortcut; the default dense(previous) is input 0). */
static int check_layers(Builder *b, const Stmt **lay, int nl, const char *loss, int **fams)
{
    Graph *g = b->g;
    const Source *src = b->src;
    g->layers = xcalloc((size_t)nl, sizeof *g->layers);
    for (int l = 0; l < nl; l++) {
        const Stmt *s = lay[l];
        Layer *L = &g->layers[l];
        L->label = s->label.text;
        L->loc = s->label.loc;
        L->x0 = L->y0 = L->b0 = L->wfam = -1;
        int prev = find_layer(g, s->label.text, l);
        if (prev >= 0) {
            diag_error(src, s->label.loc, "layer '%s' is already defined", s->label.text);
            diag_note(src, g->layers[prev].loc, "layer '%s' was first defined here", s->label.text);
            return -1;
        }
        if (s->width < 1) {
            diag_error(src, s->width_loc, "a layer needs at least one neuron");
            return -1;
        }
        if (limit_check((unsigned long long)s->width, PG_MAX_WIDTH, src, s->width_loc,
                        "width %ld is too large (the limit is %d)", s->width, PG_MAX_WIDTH) < 0)
            return -1;
        strmap_put(&g->names, L->label, l);
        L->width = (int)s->width;
        L->act = s->act == ACT_NONE ? ops_default_activation() : s->act;
        L->bias = s->bias;
        L->input = l == 0 || s->input_layer;
        g->nlayers = l + 1;
        if (s->input_layer && l > 0) {
            if (s->act != ACT_NONE)
                diag_error(src, s->act_loc, "an input layer takes no activation: its y are given");
            else if (s->inputs)
                diag_error(src, s->inputs->loc, "an input layer takes no inputs: its y are given");
            else if (s->bias)
                diag_error(src, s->loc, "an input layer takes no bias: its y are given");
            if (s->act != ACT_NONE || s->inputs || s->bias)
                return -1;
            continue;
        }
        if (l == 0) {
            if (s->act != ACT_NONE) {
                diag_error(src, s->act_loc, "the first layer is the input layer: it takes no activation");
                return -1;
            }
            if (s->inputs) {
                diag_error(src, s->inputs->loc, "the first layer is the input layer: it takes no inputs");
                return -1;
            }
            if (s->bias) {
                diag_error(src, s->loc, "the first layer is the input layer: it takes no bias");
                return -1;
            }
            continue;
        }
        int nin = 0;
        for (const Input *in = s->inputs; in; in = in->next)
            nin++;
        fams[l] = xmalloc(xmul((size_t)(nin ? nin : 1), sizeof **fams));
        int k = 0;
        for (const Input *in = s->inputs; in; in = in->next, k++) {
            const char *kw = in->kind == IN_DENSE ? "dense" : "skip";
            int from = find_layer(g, in->from.text, l);
            if (from < 0) {
                bool later = false;
                for (int q = l; q < nl; q++)
                    later |= strcmp(lay[q]->label.text, in->from.text) == 0;
                if (later)
                    diag_error(src, in->loc, "%s(%s) must name an earlier layer than '%s'",
                               kw, in->from.text, s->label.text);
                else
                    diag_error(src, in->from.loc, "unknown layer '%s'", in->from.text);
                return -1;
            }
            for (const Input *o = s->inputs; o != in; o = o->next)
                if (o->kind == in->kind && strcmp(o->from.text, in->from.text) == 0) {
                    diag_error(src, in->loc, "%s(%s) is already an input of layer '%s'",
                               kw, in->from.text, s->label.text);
                    return -1;
                }
            fams[l][k] = -1;
            if (in->kind == IN_SKIP) {
                if (g->layers[from].width != L->width) {
                    diag_error(src, in->loc, "skip(%s) needs width %d, layer %s has %d",
                               in->from.text, L->width, in->from.text, g->layers[from].width);
                    return -1;
                }
                L->nskip++;
            } else if ((fams[l][k] = family_of(b, in, from, l, loss)) < 0) {
                return -1;
            }
        }
        if (!s->inputs) {
            /* the default input: dense(previous layer) */
            if (g->layers[l - 1].wfam >= 0) {
                diag_error(src, s->loc,
                           "layer '%s' already feeds layer '%s': say which inputs layer '%s' takes",
                           g->layers[l - 1].label, g->layers[g->families[g->layers[l - 1].wfam].to].label,
                           s->label.text);
                return -1;
            }
            fams[l][0] = g->layers[l - 1].wfam = new_family(g, "w", false, l - 1, l, s->loc);
        }
    }
    return 0;
}

static int build_network(Builder *b, const Block *blk)
{
    Graph *g = b->g;
    const Source *src = b->src;
    int nl = 0;
    const Stmt *loss = NULL, *notation = NULL;
    for (const Stmt *s = blk->stmts; s; s = s->next) {
        if (s->kind == S_LAYER)
            nl++;
        if (s->kind == S_NOTATION) {
            if (notation) {
                diag_error(src, s->loc, "the network already has a notation");
                diag_note(src, notation->loc, "the notation was first chosen here");
                return -1;
            }
            notation = s;
            g->za = s->za > 0;
            g->into = s->into > 0;
        }
        if (s->kind == S_LOSS) {
            if (loss) {
                diag_error(src, s->loc, "the network already has a loss");
                diag_note(src, loss->loc, "the loss was first defined here");
                return -1;
            }
            loss = s;
        }
    }
    if (nl == 0) {
        diag_error(src, blk->name_loc, "network '%s' has no layers", blk->name);
        return -1;
    }
    const Stmt **lay = xmalloc(xmul((size_t)nl, sizeof *lay));
    int **fams = xcalloc((size_t)nl, sizeof *fams);
    nl = 0;
    for (const Stmt *s = blk->stmts; s; s = s->next)
        if (s->kind == S_LAYER)
            lay[nl++] = s;
    int rc = check_layers(b, lay, nl, loss ? loss->name : NULL, fams);
    /* sizes, overflow-checked before anything is allocated */
    uint64_t nodes = 0, edges = 0;
    for (int l = 0; rc == 0 && l < nl; l++) {
        Layer *L = &g->layers[l];
        uint64_t w = (uint64_t)L->width;
        nodes += L->input ? w : 2 * w + (L->bias ? w : 0);
        if (L->input)
            continue;
        /* an activation of a whole layer: y^k -> every x^j */
        edges += (op_get(L->act)->layer ? w * w : w) + w * (uint64_t)L->nskip + (L->bias ? w : 0);
        int k = 0;
        const Input *in = lay[l]->inputs;
        do {                         /* two junction edges a weight of each use */
            if (fams[l][k] >= 0)
                edges += 2 * (uint64_t)g->families[fams[l][k]].rows * w;
            k++;
        } while (in && (in = in->next));
    }
    for (int f = 0; rc == 0 && f < g->nfamilies; f++)
        nodes += (uint64_t)g->families[f].rows * (uint64_t)g->families[f].cols;
    if (rc == 0) {
        edges += (uint64_t)g->layers[nl - 1].width;
        if (loss && loss_get(loss->loss_kind)->targets)
            nodes += (uint64_t)g->layers[nl - 1].width;
    }
    if (rc == 0 &&
        limit_check2(nodes + 1, PG_MAX_NODES, edges, PG_MAX_EDGES, src, blk->name_loc,
                     "network '%s' is too large: %llu variables and %llu edges (the limits are %d and %d)",
                     blk->name, (unsigned long long)nodes + 1, (unsigned long long)edges, PG_MAX_NODES,
                     PG_MAX_EDGES) < 0)
        rc = -1;
    if (rc < 0) {
        for (int l = 0; l < nl; l++)
            free(fams[l]);
        free(fams);
        free(lay);
        return -1;
    }
    b->cap_nodes = (int)nodes + 1;
    g->nodes = xmalloc_big(xmul((size_t)b->cap_nodes, sizeof *g->nodes));
    b->cap_edges = edges ? (int)edges : 1;
    g->edges = xmalloc_big(xmul((size_t)b->cap_edges, sizeof *g->edges));

    /* nodes: per layer x's, y's, b's; then the weights, family by family:
     * the plain ones in the order of the layers they come from, then the
     * named and shared ones in the order of their first use */
    for (int l = 0; l < nl; l++) {
        Layer *L = &g->layers[l];
        if (!L->input) {
            L->x0 = g->nnodes;
            for (int j = 1; j <= L->width; j++)
                new_node(b, N_PRE, l, 0, j);
        }
        L->y0 = g->nnodes;
        for (int j = 1; j <= L->width; j++)
            new_node(b, L->input ? N_INPUT : N_ACT, l, 0, j);
        if (L->bias) {
            L->b0 = g->nnodes;
            for (int j = 1; j <= L->width; j++)
                new_node(b, N_BIAS, l, 0, j);
        }
    }
    for (int pass = 0; pass < 2; pass++)
        for (int q = 0; q < (pass ? g->nfamilies : nl); q++) {
            int f = pass ? q : g->layers[q].wfam;
            if (f < 0 || (pass && strcmp(g->families[f].name, "w") == 0))
                continue;
            Family *F = &g->families[f];
            F->w0 = g->nnodes;
            for (int i = 1; i <= F->rows; i++)
                for (int j = 1; j <= F->cols; j++)
                    new_node(b, N_WEIGHT, f, i, j);
        }
    g->loss = -1;
    if (loss) {
        g->loss = new_named(b, N_LOSS, loss->name, loss->name_loc);
        g->loss_kind = loss->loss_kind;
        g->loss_explicit = loss->loss_explicit;
        if (loss_get(g->loss_kind)->targets) {
            g->t0 = g->nnodes;
            for (int k = 1; k <= g->layers[nl - 1].width; k++)
                new_node(b, N_TARGET, nl - 1, 0, k);
        }
    }

    /* edges, parent by parent in node order */
    for (int v = 0; v < g->nnodes; v++) {
        Node *n = &g->nodes[v];
        if (n->kind == N_ACT) {
            const Layer *L = &g->layers[n->layer];
            if (op_get(L->act)->layer)
                for (int j = 0; j < L->width; j++)
                    new_edge(b, v, L->x0 + j, E_ACT, -1);
            else
                new_edge(b, v, L->x0 + n->j - 1, E_ACT, -1);
        } else if (n->kind == N_PRE) {
            int l = n->layer;
            const Layer *L = &g->layers[l];
            const Input *in = lay[l]->inputs;
            int k = 0;
            do {
                int from = in ? find_layer(g, in->from.text, l) : l - 1;
                const Layer *P = &g->layers[from];
                if (fams[l][k] < 0) {
                    new_edge(b, v, P->y0 + n->j - 1, E_SKIP, -1);
                } else {
                    const Family *F = &g->families[fams[l][k]];
                    for (int i = 1; i <= P->width; i++) {
                        int w = F->w0 + (i - 1) * F->cols + (n->j - 1);
                        int y = P->y0 + i - 1;
                        new_edge(b, v, w, E_JW, y);
                        new_edge(b, v, y, E_JY, w);
                    }
                }
                k++;
            } while (in && (in = in->next));
            if (L->bias)
                new_edge(b, v, L->b0 + n->j - 1, E_BIAS, -1);
        } else if (n->kind == N_LOSS) {
            const Layer *last = &g->layers[nl - 1];
            for (int k = 1; k <= last->width; k++)
                new_edge(b, v, last->y0 + k - 1, E_LOSS, -1);
        }
    }
    for (int l = 0; l < nl; l++)
        free(fams[l]);
    free(fams);
    free(lay);

    /* dead neurons */
    for (const Stmt *s = blk->stmts; s; s = s->next) {
        if (s->kind != S_DEAD)
            continue;
        int v = graph_resolve(g, &s->ref);
        if (v < 0)
            return -1;
        Node *n = &g->nodes[v];
        if (n->kind == N_PRE)
            n = &g->nodes[g->layers[n->layer].y0 + n->j - 1];
        if (n->kind != N_ACT && n->kind != N_INPUT) {
            diag_error(src, s->ref.loc, "only a neuron can be dead: write dead y[LAYER][NEURON]");
            return -1;
        }
        if (n->kind == N_INPUT || !op_get(g->layers[n->layer].act)->can_die) {
            diag_error(src, s->ref.loc, "only a relu neuron can be dead; layer '%s' is %s",
                       g->layers[n->layer].label,
                       n->kind == N_INPUT ? "the input layer" : op_get(g->layers[n->layer].act)->name);
            return -1;
        }
        n->dead = true;
    }
    graph_layer_subs(g);
    return 0;
}

/* ---- scalar graphs ---- */

static int find_name(const Graph *g, const char *name)
{
    return strmap_get(&g->names, name);
}

static const Env *env_find(const Env *env, const char *name)
{
    for (; env; env = env->up)
        if (strcmp(env->var, name) == 0)
            return env;
    return NULL;
}

/* the value of index expression E (integers, loop variables, + - * and
 * unary minus); -1 after a located error */
static int eval_index(Builder *b, const Expr *e, const Env *env, long *out)
{
    long x, y;
    switch (e->kind) {
    case X_NUM:
        if (e->num != floor(e->num) || fabs(e->num) > (double)PG_MAX_INT) {
            diag_error(b->src, e->loc, "an index is a whole number, not %g", e->num);
            return -1;
        }
        *out = (long)e->num;
        return 0;
    case X_VAR: {
        const Env *v = e->nsubs ? NULL : env_find(env, e->name);
        if (!v) {
            diag_error(b->src, e->loc, "'%s' is not a loop variable here: an index is written with integers and "
                       "the variables of enclosing for, sum and prod, joined by +, - and *", e->name);
            return -1;
        }
        *out = v->val;
        return 0;
    }
    case X_NEG:
        if (eval_index(b, e->a, env, &x) < 0)
            return -1;
        *out = -x;
        return 0;
    case X_ADD: case X_SUB: case X_MUL:
        if (eval_index(b, e->a, env, &x) < 0 || eval_index(b, e->b, env, &y) < 0)
            return -1;
        {
            double r = e->kind == X_ADD ? (double)x + (double)y : e->kind == X_SUB ? (double)x - (double)y
                                                                                : (double)x * (double)y;
            if (fabs(r) > (double)PG_MAX_INT) {
                diag_error(b->src, e->loc, "this index is %.0f, beyond the limit of %ld", r, PG_MAX_INT);
                return -1;
            }
            *out = (long)r;
        }
        return 0;
    default:
        diag_error(b->src, e->loc, "an index is written with integers and loop variables joined by +, - and * "
                   "(no /, ^ or calls)");
        return -1;
    }
}

/* "NAME[i][j]": the name of an element of an indexed variable (a
 * recurrence of 100,000 steps looks up half a million of them) */
static void put_key(Buf *key, const char *name, const long *idx, int n)
{
    buf_truncate(key, 0);
    buf_puts(key, name);
    for (int i = 0; i < n; i++) {
        char t[24], *p = t + sizeof t;
        unsigned long u = idx[i] < 0 ? 0UL - (unsigned long)idx[i] : (unsigned long)idx[i];
        *--p = ']';
        do
            *--p = (char)('0' + u % 10);
        while (u /= 10);
        if (idx[i] < 0)
            *--p = '-';
        *--p = '[';
        buf_add(key, p, (size_t)(t + sizeof t - p));
    }
}

/* the indices of a reference NAME[e1][e2]... under ENV into the key */
static int ref_key(Builder *b, const char *name, Expr *const *subs, int nsubs, const Env *env)
{
    long idx[PG_MAX_SUBS];
    for (int i = 0; i < nsubs; i++)
        if (eval_index(b, subs[i], env, &idx[i]) < 0)
            return -1;
    put_key(&b->key, name, idx, nsubs);
    return 0;
}

static Expr *raw_node(Builder *b, ExprKind k, Expr *x, Expr *y, Loc loc)
{
    Expr *c = arena_alloc(&b->g->arena, sizeof *c);
    c->kind = k;
    c->a = x;
    c->b = y;
    c->loc = loc;
    c->node = c->wrt = -1;
    c->depth = 1 + (x && x->depth > (y ? y->depth : 0) ? x->depth : y ? y->depth : 0);
    return c;
}

/* a copy of the parsed E (in the graph's arena: the syntax tree is only
 * read) with its names resolved to nodes under the loop variables ENV,
 * sum and prod written out, and the known functions' arity checked; NULL
 * after an error.  Parsed trees are at most PG_MAX_EXPR_DEPTH deep, and
 * so is what sum and prod write out. */
static Expr *resolve_expr(Builder *b, const Expr *e, const Env *env)
{
    if (++b->expanded > PG_MAX_EXPANDED) {
        diag_error(b->src, e->loc, "this definition writes out more than %d operations (sum and prod over "
                   "ranges, one inside another)", PG_MAX_EXPANDED);
        return NULL;
    }
    Expr *c = arena_alloc(&b->g->arena, sizeof *c);
    *c = *e;
    if (e->kind == X_VAR) {
        c->subs = NULL;
        c->nsubs = 0;
    }
    if (e->kind == X_VAR || e->kind == X_NUM)
        c->depth = 1;
    switch (e->kind) {
    case X_VAR: {
        const Env *lv = e->nsubs ? NULL : env_find(env, e->name);
        if (lv) {                     /* a loop variable: its value */
            c->kind = X_NUM;
            c->num = (double)lv->val;
            c->node = -1;
            return c;
        }
        const char *key = e->name;
        if (e->nsubs) {
            if (ref_key(b, e->name, e->subs, e->nsubs, env) < 0)
                return NULL;
            key = buf_cstr(&b->key);
        }
        c->node = find_name(b->g, key);
        if (c->node < 0) {
            undefined_error(b, key, e->loc);
            return NULL;
        }
        c->name = node_name(b->g, c->node);
        return c;
    }
    case X_SUM: case X_PROD: {
        long lo, hi;
        if (eval_index(b, e->a, env, &lo) < 0 || eval_index(b, e->b, env, &hi) < 0)
            return NULL;
        if (env_find(env, e->name)) {
            diag_error(b->src, e->loc, "'%s' is already a loop variable here: %s needs a name of its own",
                       e->name, e->kind == X_SUM ? "sum" : "prod");
            return NULL;
        }
        if (find_name(b->g, e->name) >= 0) {
            diag_error(b->src, e->loc, "'%s' is a variable of the graph: %s needs a name of its own for its "
                       "index (it would hide the variable)", e->name, e->kind == X_SUM ? "sum" : "prod");
            return NULL;
        }
        if (hi - lo + 1 > PG_MAX_EXPR_DEPTH) {
            diag_error(b->src, e->loc, "%s(%s in %ld..%ld, ...) writes out %ld terms, more than the limit of %d",
                       e->kind == X_SUM ? "sum" : "prod", e->name, lo, hi, hi - lo + 1, PG_MAX_EXPR_DEPTH);
            return NULL;
        }
        Expr *acc = NULL;
        for (long v = lo; v <= hi; v++) {
            Env in = {e->name, v, NULL, env};
            Expr *t = resolve_expr(b, e->args[0], &in);
            if (!t)
                return NULL;
            acc = acc ? raw_node(b, e->kind == X_SUM ? X_ADD : X_MUL, acc, t, e->loc) : t;
            if (acc->depth > PG_MAX_EXPR_DEPTH) {
                diag_error(b->src, e->loc, "this %s is nested too deeply once written out: more than %d levels "
                           "of operators", e->kind == X_SUM ? "sum" : "prod", PG_MAX_EXPR_DEPTH);
                return NULL;
            }
        }
        if (!acc) {                   /* an empty range: 0, or 1 */
            c->kind = X_NUM;
            c->num = e->kind == X_SUM ? 0 : 1;
            c->a = c->b = NULL;
            c->args = NULL;
            c->nargs = 0;
            return c;
        }
        return acc;
    }
    case X_NUM: case X_PARTIAL:
        return c;
    case X_NEG: case X_POW:
        if (!(c->a = resolve_expr(b, e->a, env)))
            return NULL;
        c->depth = c->a->depth + 1;
        return c;
    case X_ADD: case X_SUB: case X_MUL: case X_DIV:
        if (!(c->a = resolve_expr(b, e->a, env)) || !(c->b = resolve_expr(b, e->b, env)))
            return NULL;
        c->depth = 1 + (c->a->depth > c->b->depth ? c->a->depth : c->b->depth);
        if (c->depth > PG_MAX_EXPR_DEPTH) {
            diag_error(b->src, e->loc, "this expression is nested too deeply once its sums are written out: "
                       "more than %d levels of operators", PG_MAX_EXPR_DEPTH);
            return NULL;
        }
        return c;
    case X_CALL:
        if (e->fn != OP_OPAQUE && op_get(e->fn)->layer) {
            diag_error(b->src, e->loc, "%s is the activation of a whole layer of a network; %s", e->name,
                       op_get(e->fn)->layer->in_graphs);
            return NULL;
        }
        if (e->fn != OP_OPAQUE && e->nargs != op_get(e->fn)->arity) {
            int want = op_get(e->fn)->arity;
            diag_error(b->src, e->loc, "%s takes %s argument%s, not %d", e->name, want == 1 ? "one" : "two",
                       want == 1 ? "" : "s", e->nargs);
            return NULL;
        }
        c->args = arena_alloc(&b->g->arena, sizeof *c->args * (size_t)(e->nargs ? e->nargs : 1));
        c->depth = 1;
        for (int i = 0; i < e->nargs; i++) {
            if (!(c->args[i] = resolve_expr(b, e->args[i], env)))
                return NULL;
            if (c->args[i]->depth + 1 > c->depth)
                c->depth = c->args[i]->depth + 1;
        }
        if (c->depth > PG_MAX_EXPR_DEPTH) {
            diag_error(b->src, e->loc, "this expression is nested too deeply once its sums are written out: "
                       "more than %d levels of operators", PG_MAX_EXPR_DEPTH);
            return NULL;
        }
        return c;
    }
    return c;
}

/* the distinct variables of E in order of first appearance */
static void collect_vars(const Expr *e, int *out, int *n)
{
    switch (e->kind) {
    case X_VAR:
        for (int k = 0; k < *n; k++)
            if (out[k] == e->node)
                return;
        out[(*n)++] = e->node;
        return;
    case X_NEG: case X_POW:
        collect_vars(e->a, out, n);
        return;
    case X_ADD: case X_SUB: case X_MUL: case X_DIV:
        collect_vars(e->a, out, n);
        collect_vars(e->b, out, n);
        return;
    case X_CALL:
        for (int i = 0; i < e->nargs; i++)
            collect_vars(e->args[i], out, n);
        return;
    default:
        return;
    }
}

static int count_vars(const Expr *e)
{
    switch (e->kind) {
    case X_VAR: return 1;
    case X_NEG: case X_POW: return count_vars(e->a);
    case X_ADD: case X_SUB: case X_MUL: case X_DIV: return count_vars(e->a) + count_vars(e->b);
    case X_CALL: {
        int n = 0;
        for (int i = 0; i < e->nargs; i++)
            n += count_vars(e->args[i]);
        return n;
    }
    default: return 0;
    }
}

/* iterative depth-first search for a cycle; reports the first one found */
static int check_acyclic(Builder *b)
{
    Graph *g = b->g;
    int n = g->nnodes;
    unsigned char *color = xcalloc((size_t)n, 1);   /* 0 new, 1 open, 2 done */
    int *stack = xmalloc(xmul((size_t)n, sizeof *stack));
    int *next = xmalloc(xmul((size_t)n, sizeof *next));
    int rc = 0;
    for (int root = 0; root < n && rc == 0; root++) {
        if (color[root])
            continue;
        int sp = 0;
        stack[sp++] = root;
        next[root] = 0;
        color[root] = 1;
        while (sp > 0 && rc == 0) {
            int v = stack[sp - 1];
            const Node *nv = &g->nodes[v];
            if (next[v] == nv->nedges) {
                color[v] = 2;
                sp--;
                continue;
            }
            int u = g->edges[nv->first_edge + next[v]++].to;
            if (color[u] == 0) {
                color[u] = 1;
                next[u] = 0;
                stack[sp++] = u;
            } else if (color[u] == 1) {
                Buf cyc = {0};
                int k = sp - 1;
                while (stack[k] != u)
                    k--;
                for (int i = k; i < sp; i++)
                    buf_printf(&cyc, "%s -> ", node_name(g, stack[i]));
                buf_puts(&cyc, node_name(g, u));
                diag_error(b->src, node_sym(g, u)->loc, "the graph has a cycle: %s", buf_cstr(&cyc));
                buf_free(&cyc);
                rc = -1;
            }
        }
    }
    free(color);
    free(stack);
    free(next);
    return rc;
}

/* 'KEY' is not defined, with the indices its name does have when it is
 * indexed (h[-1]: h has indices 0..3; x: x is indexed, x[1..3]) */
static void undefined_error(Builder *b, const char *key, Loc loc)
{
    const Graph *g = b->g;
    size_t nb = strcspn(key, "[");
    long lo[PG_MAX_SUBS], hi[PG_MAX_SUBS];
    int dims = -1;
    bool mixed = false;
    for (int v = 0; v < g->nnodes; v++) {
        const char *nm = node_name(g, v);
        if (!nm || strncmp(nm, key, nb) != 0 || nm[nb] != '[')
            continue;
        long idx[PG_MAX_SUBS];
        int n = 0;
        for (const char *p = nm + nb; *p == '[' && n < PG_MAX_SUBS; n++) {
            char *end;
            idx[n] = strtol(p + 1, &end, 10);
            p = *end == ']' ? end + 1 : end;
        }
        if (dims < 0) {
            dims = n;
            for (int i = 0; i < n; i++)
                lo[i] = hi[i] = idx[i];
        } else if (n != dims) {
            mixed = true;
        } else {
            for (int i = 0; i < n; i++) {
                lo[i] = idx[i] < lo[i] ? idx[i] : lo[i];
                hi[i] = idx[i] > hi[i] ? idx[i] : hi[i];
            }
        }
    }
    if (dims <= 0 || mixed) {
        diag_error(b->src, loc, "'%s' is not defined", key);
        return;
    }
    Buf r = {0};
    for (int i = 0; i < dims; i++)
        buf_printf(&r, "[%ld..%ld]", lo[i], hi[i]);
    if (key[nb] != '[')
        diag_error(b->src, loc, "'%s' is not defined: %.*s is indexed, write an element of %.*s%s",
                   key, (int)nb, key, (int)nb, key, buf_cstr(&r));
    else
        diag_error(b->src, loc, "'%s' is not defined: the elements of %.*s lie within %.*s%s", key, (int)nb, key, (int)nb,
                   key, buf_cstr(&r));
    buf_free(&r);
}

static int define_name(Builder *b, const char *name, Loc loc)
{
    int prev = find_name(b->g, name);
    if (prev >= 0) {
        diag_error(b->src, loc, "'%s' is already defined", name);
        diag_note(b->src, node_sym(b->g, prev)->loc, "'%s' was first defined here", name);
        return -1;
    }
    if (limit_check((unsigned long long)b->g->nnodes + 1, PG_MAX_NODES, b->src, loc,
                    "too many variables (the limit is %d)", PG_MAX_NODES) < 0)
        return -1;
    int v = new_named(b, N_SCALAR, name, loc);
    strmap_put(&b->g->names, name, v);
    return v;
}

/* the local derivatives of one statement's last definition, to be renamed
 * for its next (h[t] = tanh(w*h[t-1]) made for every t) */
#define TEMPLATE_SLOTS 64
#define TEMPLATE_MAX_VARS 16
typedef struct Template {
    const Stmt *s;
    const Expr *def;
    int nv;
    int vars[TEMPLATE_MAX_VARS + 1];       /* the variables, then the node */
    Expr *locals[TEMPLATE_MAX_VARS];
} Template;

/* a definition made by an assignment: its statement and the loop
 * variables it was made under (a copy: loops move on) */
typedef struct Def {
    const Stmt *s;
    Env *env;                /* in the graph's arena, innermost first */
} Def;

typedef struct Defs {
    Def *v;                  /* by node */
    int cap;
} Defs;

static Env *env_copy(Builder *b, const Env *env)
{
    Env *head = NULL, **tail = &head;
    for (; env; env = env->up) {
        Env *c = arena_alloc(&b->g->arena, sizeof *c);
        *c = *env;
        c->up = NULL;
        *tail = c;
        tail = (Env **)&c->up;
    }
    return head;
}

/* every element NAME[i][j]... of a declaration's ranges, as inputs */
static int declare(Builder *b, const Name *nm)
{
    unsigned long long count = 1;
    for (int i = 0; i < nm->nsubs; i++)
        count *= (unsigned long long)(nm->hi[i] - nm->lo[i] + 1);   /* each <= 10^12, at most 4 */
    if (count > PG_MAX_NODES || (unsigned long long)b->g->nnodes + count > PG_MAX_NODES) {
        diag_error(b->src, nm->loc, "%s declares %llu variables: too many (the limit is %d in all)", nm->text,
                   count, PG_MAX_NODES);
        return -1;
    }
    long idx[PG_MAX_SUBS];
    for (int i = 0; i < nm->nsubs; i++)
        idx[i] = nm->lo[i];
    for (unsigned long long k = 0; k < count; k++) {
        put_key(&b->key, nm->text, idx, nm->nsubs);
        if (define_name(b, arena_strndup(&b->g->arena, b->key.data, b->key.len), nm->loc) < 0)
            return -1;
        for (int i = nm->nsubs - 1; i >= 0; i--) {    /* the next element, last index fastest */
            if (++idx[i] <= nm->hi[i])
                break;
            idx[i] = nm->lo[i];
        }
    }
    return 0;
}

/* the statements S..., run under ENV, DEPTH loops deep: names declared,
 * assignments defined (their expressions resolved once every name is) */
static int unroll(Builder *b, const Stmt *s, const Env *env, int depth, Defs *defs)
{
    for (; s; s = s->next) {
        switch (s->kind) {
        case S_INPUT:
            if (depth) {
                diag_error(b->src, s->loc, "input declares names outside loops (give it ranges: input x[1..5])");
                return -1;
            }
            for (const Name *nm = s->names; nm; nm = nm->next)
                if (declare(b, nm) < 0)
                    return -1;
            break;
        case S_ASSIGN: {
            const char *name = s->name;
            if (s->nsubs) {
                if (ref_key(b, s->name, s->subs, s->nsubs, env) < 0)
                    return -1;
                name = arena_strndup(&b->g->arena, b->key.data, b->key.len);
            } else if (env_find(env, s->name)) {
                diag_error(b->src, s->name_loc, "'%s' is a loop variable here: it cannot be defined", s->name);
                return -1;
            }
            int v = define_name(b, name, s->name_loc);
            if (v < 0)
                return -1;
            if (env) {
                const Env *top = env;
                while (top->up)
                    top = top->up;
                NodeSym *sym = &b->g->syms[b->g->nodes[v].sym];
                sym->loop = top->loop;
                sym->loop_var = top->var;
                sym->step = top->val;
                sym->stmt = s;
            }
            if (v >= defs->cap) {
                int old = defs->cap;
                defs->cap = 2 * v + 16;
                defs->v = xrealloc(defs->v, xmul((size_t)defs->cap, sizeof *defs->v));
                memset(defs->v + old, 0, (size_t)(defs->cap - old) * sizeof *defs->v);
            }
            defs->v[v] = (Def){s, env_copy(b, env)};
            break;
        }
        case S_FOR: {
            if (depth == PG_MAX_LOOP_DEPTH) {
                diag_error(b->src, s->loc, "loops are nested too deeply (the limit is %d)", PG_MAX_LOOP_DEPTH);
                return -1;
            }
            if (env_find(env, s->name)) {
                diag_error(b->src, s->name_loc, "'%s' is already a loop variable here: a loop needs a name of "
                           "its own", s->name);
                return -1;
            }
            long lo, hi;
            if (eval_index(b, s->lo, env, &lo) < 0 || eval_index(b, s->hi, env, &hi) < 0)
                return -1;
            if (hi >= lo) {
                b->iterations += (unsigned long long)(hi - lo + 1);
                if (limit_check(b->iterations, PG_MAX_ITERATIONS, b->src, s->loc,
                                "the loops run their bodies more than %llu times in all", PG_MAX_ITERATIONS) < 0)
                    return -1;
            }
            for (long t = lo; t <= hi; t++) {
                Env in = {s->name, t, s, env};
                if (unroll(b, s->body, &in, depth + 1, defs) < 0)
                    return -1;
            }
            break;
        }
        case S_DERIVE: case S_EXPAND:
            if (depth) {
                diag_error(b->src, s->loc, "%s goes outside loops (write the indices out: derive h[5] wrt h[0])",
                           s->kind == S_DERIVE ? "derive" : "expand");
                return -1;
            }
            break;
        default:
            break;
        }
    }
    return 0;
}

/* a for loop's variable is a name of its own: not a variable of the graph
 * (which it would hide in its body); checked once every name is known */
static int loop_names(Builder *b, const Stmt *s)
{
    for (; s; s = s->next) {
        if (s->kind != S_FOR)
            continue;
        if (find_name(b->g, s->name) >= 0) {
            diag_error(b->src, s->name_loc, "'%s' is a variable of the graph: a loop needs a name of its own "
                       "(it would hide the variable in its body)", s->name);
            return -1;
        }
        if (loop_names(b, s->body) < 0)
            return -1;
    }
    return 0;
}

static int build_graph(Builder *b, const Block *blk)
{
    Graph *g = b->g;
    Defs D = {0};
    if (unroll(b, blk->stmts, NULL, 0, &D) < 0 || loop_names(b, blk->stmts) < 0) {
        free(D.v);
        buf_free(&b->key);
        return -1;
    }
    Def *defs = D.v;
    int cap_defs = D.cap;
    /* every name is known now: resolve the definitions */
    for (int v = 0; v < g->nnodes && v < cap_defs; v++) {
        if (!defs[v].s)
            continue;
        b->expanded = 0;
        Expr *def = resolve_expr(b, defs[v].s->expr, defs[v].env);
        const Expr *bad = def ? expr_bad_constant(def) : NULL;
        if (bad)
            diag_error(b->src, bad->loc, "this constant is not a finite number: a double cannot hold its value");
        if (!def || bad) {
            free(defs);
            buf_free(&b->key);
            return -1;
        }
        g->syms[g->nodes[v].sym].def = def;
    }
    buf_free(&b->key);
    /* a loop's statement made again and again differentiates the same way:
     * its local derivatives are worked out once and renamed */
    Template *tmpl = xcalloc(TEMPLATE_SLOTS, sizeof *tmpl);
    for (int v = 0; v < g->nnodes; v++) {
        Expr *def = node_def(g, v);
        if (!def)
            continue;
        int *vars = xmalloc(xmul((size_t)count_vars(def) + 2, sizeof *vars));
        int nv = 0;
        collect_vars(def, vars, &nv);
        vars[nv] = v;
        const Stmt *st = v < cap_defs ? defs[v].s : NULL;
        Template *t = st ? &tmpl[((uintptr_t)st >> 4) % TEMPLATE_SLOTS] : NULL;
        bool hit = t && t->s == st && t->nv == nv &&
                   expr_equal_renamed(t->def, def, t->vars, vars, nv + 1);
        for (int k = 0; k < nv && hit; k++) {
            new_edge(b, v, vars[k], E_SCALAR, -1);
            if (g->nedges > b->cap_locals) {
                b->cap_locals = b->cap_edges;
                g->locals = xrealloc(g->locals, xmul((size_t)b->cap_locals, sizeof *g->locals));
            }
            g->locals[g->nedges - 1] = expr_rename(&g->arena, t->locals[k], t->vars, vars, nv + 1);
        }
        if (hit) {
            free(vars);
            continue;
        }
        int first = g->nedges;
        for (int k = 0; k < nv; k++) {
            new_edge(b, v, vars[k], E_SCALAR, -1);
            if (g->nedges > b->cap_locals) {
                b->cap_locals = b->cap_edges;
                g->locals = xrealloc(g->locals, xmul((size_t)b->cap_locals, sizeof *g->locals));
            }
            /* written in the node where its definition recurs: v(1-v) */
            /* worked out in a scratch arena, only the result is kept: a
             * 100,000-step recurrence differentiates 400,000 times */
            Arena scratch = {0};
            Expr *local = expr_copy(&g->arena, expr_replace(&scratch, expr_simplify(&scratch,
                                        expr_diff(&scratch, def, vars[k], v)), def, v));
            arena_free(&scratch);
            if (!expr_finite(local) || expr_bad_constant(local)) {
                diag_error(b->src, node_sym(g, v)->loc,
                           "the derivative of %s with respect to %s overflows: a constant in it is not finite",
                           node_name(g, v), node_name(g, vars[k]));
                free(vars);
                free(tmpl);
                free(defs);
                return -1;
            }
            g->locals[g->nedges - 1] = local;
        }
        if (t && nv <= TEMPLATE_MAX_VARS) {
            t->s = st;
            t->def = def;
            t->nv = nv;
            memcpy(t->vars, vars, sizeof(int) * (size_t)(nv + 1));
            if (nv > 0)             /* a constant definition has no locals (g->locals may be NULL) */
                memcpy(t->locals, g->locals + first, sizeof(Expr *) * (size_t)nv);
        }
        free(vars);
    }
    free(tmpl);
    free(defs);
    /* the outputs: defined variables that no other uses */
    g->is_output = xcalloc((size_t)g->nnodes + 1, 1);
    for (int v = 0; v < g->nnodes; v++)
        g->is_output[v] = node_def(g, v) != NULL;
    for (int k = 0; k < g->nedges; k++)
        g->is_output[g->edges[k].to] = 0;
    g->output = -1;
    for (int v = 0; v < g->nnodes; v++)
        if (g->is_output[v]) {
            g->noutputs++;
            g->output = g->noutputs == 1 ? v : -1;
        }
    return check_acyclic(b);
}

bool graph_folds(const Graph *g)
{
    if (g->kind != B_NETWORK || g->loss < 0 || !g->loss_explicit)
        return false;
    const LayerOp *lo = op_get(g->layers[g->nlayers - 1].act)->layer;
    return lo && lo->fold_loss == g->loss_kind;
}

int graph_build(Graph *g, const Source *src, const Block *blk)
{
    memset(g, 0, sizeof *g);
    g->kind = blk->kind;
    g->name = blk->name;
    g->src = src;
    g->loss = -1;
    g->t0 = -1;
    g->output = -1;
    Builder b = {.g = g, .src = src};
    int rc = blk->kind == B_NETWORK ? build_network(&b, blk) : build_graph(&b, blk);
    if (rc < 0)
        graph_free(g);
    return rc;
}

void graph_free(Graph *g)
{
    free(g->nodes);
    free(g->edges);
    free(g->layers);
    free(g->families);
    free(g->syms);
    free(g->locals);
    free(g->is_output);
    graph_name_cache_free(g);
    strmap_free(&g->names);
    arena_free(&g->arena);
    memset(g, 0, sizeof *g);
}

/* ---- references ---- */

typedef struct Reporter {
    const Source *src;      /* file references: located errors */
    const char *what;       /* command-line references: the option */
    const char *text;
} Reporter;

static void ref_error(const Reporter *r, Loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void ref_error(const Reporter *r, Loc loc, const char *fmt, ...)
{
    Buf msg = {0};
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&msg, fmt, ap);
    va_end(ap);
    if (r->src)
        diag_error(r->src, loc, "%s", buf_cstr(&msg));
    else
        pg_error("%s '%s': %s", r->what, r->text, buf_cstr(&msg));
    buf_free(&msg);
}

static int neuron_index(const Reporter *r, const Label *lab, const Layer *L)
{
    if (!lab->is_int) {
        ref_error(r, lab->loc, "a neuron index must be a number, not '%s'", lab->text);
        return -1;
    }
    if (lab->value < 1 || lab->value > L->width) {
        ref_error(r, lab->loc, "neuron index %ld is out of range: %slayer %s has %d neuron%s", lab->value,
                  lab->value < 1 ? "indices start at 1, and " : "", L->label, L->width, L->width == 1 ? "" : "s");
        return -1;
    }
    return (int)lab->value;
}

/* NAME[L][i][j] (dense(L) as NAME) or NAME[i][j] (shared NAME) */
static int resolve_family(const Graph *g, const Ref *ref, const Reporter *r)
{
    const char *nm = ref->name;
    const Family *F = NULL;
    for (int f = 0; f < g->nfamilies && !F; f++)
        if (strcmp(g->families[f].name, nm) == 0)
            F = &g->families[f];
    int want = F->shared ? 2 : 3;
    if (ref->nsubs != want) {
        ref_error(r, ref->loc, "%s takes %d indices: %s%s[FROM][TO] (%s)", nm, want, nm,
                  F->shared ? "" : "[LAYER]", F->shared ? "shared weights, the same at every use"
                                                        : "the weights of one dense(LAYER) as NAME");
        return -1;
    }
    const Label *sub = ref->subs;
    if (!F->shared) {
        int l = find_layer(g, sub[0].text, g->nlayers);
        if (l < 0) {
            ref_error(r, sub[0].loc, "unknown layer '%s'", sub[0].text);
            return -1;
        }
        F = NULL;
        for (int f = 0; f < g->nfamilies && !F; f++)
            if (strcmp(g->families[f].name, nm) == 0 && g->families[f].from == l)
                F = &g->families[f];
        if (!F) {
            ref_error(r, sub[0].loc, "%s names no weights from layer %s: no layer takes dense(%s) as %s",
                      nm, sub[0].text, sub[0].text, nm);
            return -1;
        }
        sub++;
    }
    int i = neuron_index(r, &sub[0], &g->layers[F->from]);
    if (i < 0)
        return -1;
    int j = neuron_index(r, &sub[1], &g->layers[F->to]);
    if (j < 0)
        return -1;
    return F->w0 + (i - 1) * F->cols + (j - 1);
}

static int resolve(const Graph *g, const Ref *ref, const Reporter *r)
{
    if (g->kind == B_GRAPH) {
        /* h[3], W[1][2]: an element of an indexed variable */
        Buf key = {0};
        buf_puts(&key, ref->name);
        for (int i = 0; i < ref->nsubs; i++) {
            if (!ref->subs[i].is_int) {
                ref_error(r, ref->subs[i].loc, "an index of a graph variable is a number here, not '%s' "
                          "(h[3], W[1][2])", ref->subs[i].text);
                buf_free(&key);
                return -1;
            }
            buf_printf(&key, "[%ld]", ref->subs[i].value);
        }
        int v = find_name(g, buf_cstr(&key));
        if (v < 0)
            ref_error(r, ref->loc, "'%s' is not defined", buf_cstr(&key));
        buf_free(&key);
        return v;
    }
    if (g->loss >= 0 && strcmp(ref->name, node_name(g, g->loss)) == 0 && ref->nsubs == 0)
        return g->loss;
    const char *nm = ref->name;
    if (strcmp(nm, "w") != 0)
        for (int f = 0; f < g->nfamilies; f++)
            if (strcmp(g->families[f].name, nm) == 0)
                return resolve_family(g, ref, r);
    if (g->za && strcmp(nm, "z") == 0)          /* notation za: z[l][j], a[l][j] */
        nm = "x";
    else if (g->za && strcmp(nm, "a") == 0)
        nm = "y";
    int want = strcmp(nm, "w") == 0 ? 3 : 2;
    bool neuron = strcmp(nm, "x") == 0 || strcmp(nm, "y") == 0 || strcmp(nm, "b") == 0;
    if (strcmp(nm, "t") == 0) {
        ref_error(r, ref->loc, "t[k] is a target of the loss: it is a value, not a variable of the graph");
        return -1;
    }
    if (!neuron && want != 3) {
        if (ref->nsubs == 0 && g->loss < 0)
            ref_error(r, ref->loc, "unknown variable '%s': the network has no loss of that name", nm);
        else
            ref_error(r, ref->loc, "unknown variable '%s': a network has x[L][j], y[L][j], "
                      "w[L][i][j], b[L][j] and its loss%s%s", nm,
                      g->loss >= 0 ? " " : "", g->loss >= 0 ? node_name(g, g->loss) : "");
        return -1;
    }
    if (ref->nsubs != want) {
        ref_error(r, ref->loc, "%s takes %d indices: %s", nm, want,
                  want == 3 ? "w[LAYER][FROM][TO]" : strcmp(nm, "x") == 0 ? "x[LAYER][NEURON]"
                  : strcmp(nm, "y") == 0 ? "y[LAYER][NEURON]" : "b[LAYER][NEURON]");
        return -1;
    }
    int l = find_layer(g, ref->subs[0].text, g->nlayers);
    if (l < 0) {
        ref_error(r, ref->subs[0].loc, "unknown layer '%s'", ref->subs[0].text);
        return -1;
    }
    const Layer *L = &g->layers[l];
    if (want == 3) {
        if (L->wfam < 0) {
            ref_error(r, ref->subs[0].loc, "layer %s has no outgoing weights: no later layer takes dense(%s)",
                      L->label, L->label);
            return -1;
        }
        const Family *F = &g->families[L->wfam];
        int i = neuron_index(r, &ref->subs[1], L);
        if (i < 0)
            return -1;
        int j = neuron_index(r, &ref->subs[2], &g->layers[F->to]);
        if (j < 0)
            return -1;
        return F->w0 + (i - 1) * F->cols + (j - 1);
    }
    int j = neuron_index(r, &ref->subs[1], L);
    if (j < 0)
        return -1;
    if (nm[0] == 'y')
        return L->y0 + j - 1;
    if (nm[0] == 'x') {
        if (L->x0 < 0) {
            ref_error(r, ref->subs[0].loc, "layer %s is %s input layer: its neurons have y but no x",
                      L->label, L == &g->layers[0] ? "the" : "an");
            return -1;
        }
        return L->x0 + j - 1;
    }
    if (L->b0 < 0) {
        ref_error(r, ref->subs[0].loc, "layer %s has no bias (add 'bias' to its declaration)",
                  L->label);
        return -1;
    }
    return L->b0 + j - 1;
}

int graph_resolve(const Graph *g, const Ref *ref)
{
    Reporter r = {g->src, NULL, NULL};
    return resolve(g, ref, &r);
}

int graph_resolve_in(const Graph *g, const Source *src, const Ref *ref)
{
    Reporter r = {src, NULL, NULL};
    return resolve(g, ref, &r);
}

/* NAME ('[' LABEL ']')* with LABEL = INT | NAME | NAME ('+'|'-') INT */
static int parse_ref_text(const char *s, Ref *ref, char *store, size_t cap)
{
    size_t used = 0;
    memset(ref, 0, sizeof *ref);
#define SKIPWS() while (*s == ' ' || *s == '\t') s++
#define ISID(c) (((c) >= 'a' && (c) <= 'z') || ((c) >= 'A' && (c) <= 'Z') || (c) == '_')
#define ISDIG(c) ((c) >= '0' && (c) <= '9')
    SKIPWS();
    if (!ISID(*s))
        return -1;
    ref->name = store + used;
    while (ISID(*s) || ISDIG(*s)) {
        if (used + 2 >= cap)
            return -1;
        store[used++] = *s++;
    }
    store[used++] = '\0';
    SKIPWS();
    while (*s == '[') {
        s++;
        SKIPWS();
        if (ref->nsubs == PG_MAX_SUBS)
            return -1;
        Label *lab = &ref->subs[ref->nsubs++];
        lab->text = store + used;
        if (ISDIG(*s)) {
            long v = 0;
            while (ISDIG(*s)) {
                if (used + 2 >= cap || v > 100000000000L)
                    return -1;
                v = v * 10 + (*s - '0');
                store[used++] = *s++;
            }
            lab->is_int = true;
            lab->value = v;
        } else if (ISID(*s)) {
            while (ISID(*s) || ISDIG(*s)) {
                if (used + 2 >= cap)
                    return -1;
                store[used++] = *s++;
            }
            SKIPWS();
            if (*s == '+' || *s == '-') {
                store[used++] = *s++;
                SKIPWS();
                if (!ISDIG(*s))
                    return -1;
                while (ISDIG(*s)) {
                    if (used + 2 >= cap)
                        return -1;
                    store[used++] = *s++;
                }
            }
        } else {
            return -1;
        }
        store[used++] = '\0';
        SKIPWS();
        if (*s++ != ']')
            return -1;
        SKIPWS();
    }
    return *s == '\0' ? 0 : -1;
#undef SKIPWS
#undef ISID
#undef ISDIG
}

int graph_resolve_text(const Graph *g, const char *text, const char *what)
{
    Ref ref;
    /* the names and labels, NUL-terminated: never longer than the text */
    size_t cap = strlen(text) + PG_MAX_SUBS + 8;
    char *store = xmalloc(cap);
    if (parse_ref_text(text, &ref, store, cap) < 0) {
        pg_error("%s '%s': not a reference (expected NAME or NAME[LAYER][INDEX]...)",
                what, text);
        free(store);
        return -1;
    }
    Reporter r = {NULL, what, text};
    int v = resolve(g, &ref, &r);
    free(store);
    return v;
}
