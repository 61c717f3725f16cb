/* collapse.c — --collapse: the terms of a network in families, each written
 * as sums over neuron indices.
 *
 * Paths are grouped by their shape: the sequence of layers and edge kinds
 * they take, neuron indices left out.  Along one shape the index of every
 * visited layer is free (a dense junction lets any neuron reach any other)
 * unless a shortcut ties it to the layer it skips to, the ends fix it, or
 * a dead neuron leaves it out; so a shape's paths are the product of one
 * index set a class of tied layers: one sum a class, the rest fixed.  The
 * shapes are enumerated, not the paths.
 *
 * The enumeration is a depth-first search over shapes with an explicit
 * stack: a shape as deep as the network (a million layers) touches neither
 * the C stack nor a fixed array.  Every array grows with the search or is
 * sized by the number of layers.  Counts are exact (GMP).
 */
#include "derive.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* one step of a shape */
typedef struct ClPos {
    NodeKind kind;
    int layer;               /* -1 for the loss */
    int cls;                 /* its index class, -1 for the loss and weights */
    EdgeKind via;            /* the edge kind that led here */
    bool new_cls;            /* it opened its class (closed when it is popped) */
    int cursor, phase;       /* the next child to try */
} ClPos;

typedef struct Collapse {
    Deriver *d;
    const Graph *g;
    int of, wrt;
    Style st;
    ClPos *pos;
    int npos, cap_pos;
    int *cls_fixed, *cls_layer;   /* per class: its fixed value (-1: free), its layer */
    int ncls, cap_cls;
    /* per layer: some neuron's y, x or b lies on a path; some neuron's
     * activation factor is zero at the stage (a dead ReLU) */
    unsigned char *reach_y, *reach_x, *reach_b, *zero_act;
    /* index variable of a layer's y, and of its x and b (they differ
     * where its activation couples its neurons), -1 none */
    int *var_y, *var_x;
    bool ctx_set;                 /* printing a junction's weight: its index */
    int ctx_i, ctx_j;             /* variables (-1: the node's own index) */
    unsigned long long limit, nfam;
    bool too_many;
    mpz_t terms;
    Buf fams;                     /* the families, printed, one after the other */
    size_t *fam_off;
    unsigned long long cap_fam;
} Collapse;

static const char *const cl_vars[] = {"k", "l", "m", "p", "r", "s", "u", "v"};
static const char *const cl_sup[] = {"ᵏ", "ˡ", "ᵐ", "ᵖ", "ʳ", "ˢ", "ᵘ", "ᵛ"};
static const char *const cl_sub[] = {"ₖ", "ₗ", "ₘ", "ₚ", "ᵣ", "ₛ", "ᵤ", "ᵥ"};
static const char *const cl_supd[] = {"⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"};
static const char *const cl_subd[] = {"₀", "₁", "₂", "₃", "₄", "₅", "₆", "₇", "₈", "₉"};
#define NVARS ((int)(sizeof cl_vars / sizeof cl_vars[0]))

/* index variable V: k l m p r s u v, then k_{1} k_{2} ... */
static void cl_var(int v, Style st, int where /* 0 plain/LaTeX, 1 sup, 2 sub */, Buf *out)
{
    if (v < NVARS) {
        buf_puts(out, st == FMT_LATEX ? cl_vars[v] : where == 1 ? cl_sup[v] : where == 2 ? cl_sub[v] : cl_vars[v]);
        return;
    }
    if (st == FMT_LATEX) {
        buf_printf(out, "k_{%d}", v - NVARS + 1);
        return;
    }
    char t[16];
    snprintf(t, sizeof t, "%d", v - NVARS + 1);
    buf_puts(out, where == 1 ? "ᵏ" : where == 2 ? "ₖ" : "k");
    for (char *x = t; *x; x++)
        buf_puts(out, where == 1 ? cl_supd[*x - '0'] : cl_subd[*x - '0']);
}

static void digits(const char *const *tab, long v, Buf *out)
{
    char t[24];
    snprintf(t, sizeof t, "%ld", v);
    for (char *x = t; *x; x++)
        buf_puts(out, tab[*x - '0']);
}

/* the indices (variables VAR[k] >= 0, else the numbers IDX[k]) and the
 * layer L (NULL: none) of a name, in the graph's notation: the article's
 * ^{ij}_{l}, or into's ^{l}_{ji} (the indices reversed) */
static void cl_put(const Collapse *c, const Layer *L, const int *var, const int *idx, int n, bool comma, Style st,
                   Buf *out)
{
    bool into = c->g->into;
    if (into && L) {
        if (st == FMT_LATEX) {
            buf_puts(out, "^{");
            buf_add(out, L->latex_sub, L->latex_sub_len);
            buf_putc(out, '}');
        } else {
            graph_label_sup(L->label, out);
        }
    }
    int where = into ? 2 : 1;
    if (st == FMT_LATEX)
        buf_puts(out, into ? "_{" : "^{");
    for (int q = 0; q < n; q++) {
        int k = into ? n - 1 - q : q;
        if (q && comma)
            buf_putc(out, ',');
        if (var[k] >= 0)
            cl_var(var[k], st, where, out);
        else if (st == FMT_LATEX)
            buf_printf(out, "%d", idx[k]);
        else
            digits(into ? cl_subd : cl_supd, idx[k], out);
    }
    if (st == FMT_LATEX)
        buf_putc(out, '}');
    if (!into && L) {
        if (st == FMT_LATEX) {
            buf_puts(out, "_{");
            buf_add(out, L->latex_sub, L->latex_sub_len);
            buf_putc(out, '}');
        } else {
            buf_add(out, L->text_sub, L->text_sub_len);
        }
    }
}

/* a node with the free indices of its layers written as variables */
static void cl_name_var(const Collapse *c, int node, int var, Style st, Buf *out);

static void cl_name(const void *ctx, int node, Style st, Buf *out)
{
    const Collapse *c = ctx;
    const Graph *g = c->g;
    const Node *n = &g->nodes[node];
    if (n->kind == N_LOSS || n->kind == N_SCALAR) {
        graph_node_name(g, node, st, out);
        return;
    }
    if (n->kind == N_TARGET) {            /* t_k: the index of its output */
        int v = c->var_y[n->layer];
        if (v < 0) {
            graph_node_name(g, node, st, out);
            return;
        }
        buf_puts(out, st == FMT_HTML ? "<I>t</I><SUB>" : st == FMT_LATEX ? "t_{" : "t");
        cl_var(v, st, 2, out);
        buf_puts(out, st == FMT_HTML ? "</SUB>" : st == FMT_LATEX ? "}" : "");
        return;
    }
    if (n->kind != N_WEIGHT) {
        cl_name_var(c, node, n->kind == N_PRE || n->kind == N_BIAS ? c->var_x[n->layer] : c->var_y[n->layer],
                    st, out);
        return;
    }
    bool weight = true;
    const Family *F = &g->families[n->layer];
    int vi = -1, vj = -1;
    if (weight && c->ctx_set) {
        /* the weight of the junction being printed: its row is the class
         * of the y the path goes to, its column that of the x it leaves
         * (a shared weight is used at several places of one path) */
        vi = c->ctx_i;
        vj = c->ctx_j;
    } else if (weight && !F->shared) {
        vi = c->var_y[F->from];
        vj = c->var_x[F->to];
    }
    if (vi < 0 && vj < 0) {
        graph_node_name(g, node, st, out);
        return;
    }
    int idx[2] = {n->i, n->j}, var[2] = {vi, vj};
    bool comma = n->i >= 10 || n->j >= 10 || vi >= NVARS || vj >= NVARS;
    graph_family_name(g, n->layer, st, out);
    /* tied weights carry no layer; into: the layer the weights lead to */
    cl_put(c, F->shared ? NULL : &g->layers[g->into ? F->to : F->from], var, idx, 2, comma, st, out);
}

/* a neuron (x, y, b) with index variable VAR (-1: its own index) */
static void cl_name_var(const Collapse *c, int node, int var, Style st, Buf *out)
{
    const Graph *g = c->g;
    const Node *n = &g->nodes[node];
    if (var < 0) {
        graph_node_name(g, node, st, out);
        return;
    }
    buf_puts(out, n->kind == N_BIAS ? "b" : n->kind == N_PRE ? (g->za ? "z" : "x") : (g->za ? "a" : "y"));
    int idx = n->j;
    cl_put(c, &g->layers[n->layer], &var, &idx, 1, false, st, out);
}

/* the concrete node of a position, its class taking value VALS[cls] */
static int cl_node(const Collapse *c, const ClPos *p, const int *vals)
{
    const Graph *g = c->g;
    if (p->kind == N_LOSS)
        return g->loss;
    if (p->kind == N_WEIGHT)
        return c->wrt;
    const Layer *L = &g->layers[p->layer];
    int j = p->cls >= 0 ? vals[p->cls] : 1;
    switch (p->kind) {
    case N_PRE: return L->x0 + j - 1;
    case N_ACT: case N_INPUT: return L->y0 + j - 1;
    case N_BIAS: return L->b0 + j - 1;
    default: return -1;
    }
}

/* the edge from node A to node B of kind K, or -1 */
static int cl_edge(const Graph *g, int a, int b, EdgeKind k)
{
    const Node *n = &g->nodes[a];
    for (int e = n->first_edge; e < n->first_edge + n->nedges; e++)
        if (g->edges[e].to == b && g->edges[e].kind == k)
            return e;
    return -1;
}

/* ---- one family: the shape on the stack ---- */

static void add_family(Collapse *c, const Buf *text)
{
    if (c->nfam + 1 >= c->cap_fam) {
        c->cap_fam = c->cap_fam ? c->cap_fam * 2 : 64;
        c->fam_off = xrealloc(c->fam_off, xmul((size_t)c->cap_fam, sizeof *c->fam_off));
    }
    c->fam_off[c->nfam] = c->fams.len;
    buf_add(&c->fams, text->data, text->len);
    c->nfam++;
    c->fam_off[c->nfam] = c->fams.len;
    if (c->limit && c->nfam > c->limit)
        c->too_many = true;
}

/* A coupling activation's factor, y^k(delta_kl - y^l), for the whole
 * family (the representative's y^k(1-y^k) or -y^k y^l would hold for
 * some of its terms only), into FB; false where it does not apply: not
 * such an edge, a stage that keeps the partial derivative, or both
 * indices fixed (then the representative's factor is the family's). */
static bool coupled_factor(Collapse *c, int i, int edge, const int *var_of_class, Buf *fb)
{
    const Graph *g = c->g;
    const Edge *e = &g->edges[edge];
    if (e->kind != E_ACT || !stage_act_couples(c->d, g->nodes[e->from].layer))
        return false;
    const Factor *f = stage_factor(c->d, edge);
    if (!f->core || f->core->kind == X_PARTIAL)
        return false;
    int ck = c->pos[i].cls, cl = c->pos[i + 1].cls;
    int vk = ck >= 0 ? var_of_class[ck] : -1, vl = cl >= 0 ? var_of_class[cl] : -1;
    if (vk < 0 && vl < 0)
        return false;
    const Layer *L = &g->layers[g->nodes[e->from].layer];
    int yk = e->from, yl = L->y0 + g->nodes[e->to].j - 1;
    bool latex = c->st == FMT_LATEX;
    buf_truncate(fb, 0);
    cl_name_var(c, yk, vk, c->st, fb);
    buf_puts(fb, latex ? "(\\delta_{" : "(δ");
    for (int q = 0; q < 2; q++) {
        int v = q ? vl : vk, node = q ? yl : yk;
        if (v >= 0)
            cl_var(v, c->st, 2, fb);
        else if (latex)
            buf_printf(fb, "%d", g->nodes[node].j);
        else
            digits(cl_subd, g->nodes[node].j, fb);
    }
    buf_puts(fb, latex ? "}-" : "−");
    cl_name_var(c, yl, vl, c->st, fb);
    buf_putc(fb, ')');
    return true;
}

static void cl_family(Collapse *c)
{
    Deriver *d = c->d;
    const Graph *g = c->g;
    const Node *ref = &g->nodes[c->wrt];
    int ncls = c->ncls;
    int *fixed = xmalloc(xmul((size_t)ncls + 1, sizeof *fixed));
    memcpy(fixed, c->cls_fixed, (size_t)ncls * sizeof *fixed);
    /* REF fixes its class (a weight: the class of the x before it) */
    const ClPos *last = &c->pos[c->npos - 1];
    int rc = last->kind == N_WEIGHT ? c->pos[c->npos - 2].cls : last->cls;
    bool empty = false;
    if (rc >= 0) {
        if (fixed[rc] >= 0 && fixed[rc] != ref->j)
            empty = true;
        fixed[rc] = ref->j;
    }
    /* the allowed values of every class: ALLOW[base[q] + v - 1] */
    size_t *base = xmalloc(xmul((size_t)ncls + 1, sizeof *base));
    size_t total = 0;
    for (int q = 0; q < ncls; q++) {
        base[q] = total;
        total += (size_t)g->layers[c->cls_layer[q]].width;
    }
    unsigned char *allow = xcalloc(total + 1, 1);
    int *nallow = xcalloc((size_t)ncls + 1, sizeof *nallow);
    int *vals = xcalloc((size_t)ncls + 1, sizeof *vals);
    for (int q = 0; q < ncls && !empty; q++) {
        int W = g->layers[c->cls_layer[q]].width;
        for (int v = 1; v <= W; v++)
            allow[base[q] + (size_t)v - 1] = fixed[q] < 0 || v == fixed[q];
    }
    /* a neuron whose activation factor is zero leaves its class's set */
    for (int p = 0; p + 1 < c->npos && !empty; p++) {
        const ClPos *ps = &c->pos[p];
        if (ps->kind != N_ACT || !c->zero_act[ps->layer])
            continue;
        const Layer *L = &g->layers[ps->layer];
        for (int v = 1; v <= L->width; v++) {
            int e = cl_edge(g, L->y0 + v - 1, L->x0 + v - 1, E_ACT);
            if (e < 0 || stage_edge_zero(d, e))
                allow[base[ps->cls] + (size_t)v - 1] = 0;
        }
    }
    mpz_t prod;
    mpz_init_set_ui(prod, 1);
    for (int q = 0; q < ncls && !empty; q++) {
        int W = g->layers[c->cls_layer[q]].width;
        for (int v = W; v >= 1; v--)
            if (allow[base[q] + (size_t)v - 1]) {
                nallow[q]++;
                vals[q] = v;
            }
        if (!nallow[q])
            empty = true;
        mpz_mul_ui(prod, prod, (unsigned long)nallow[q]);
    }
    /* the representative path and its edges */
    int *edges = xmalloc(xmul((size_t)c->npos + 1, sizeof *edges));
    int ne = 0;
    if (!empty) {
        int prev = cl_node(c, &c->pos[0], vals);
        for (int p = 1; p < c->npos && !empty; p++) {
            int cur = cl_node(c, &c->pos[p], vals);
            int e = cl_edge(g, prev, cur, c->pos[p].via);
            if (c->pos[p].kind == N_WEIGHT) {
                /* a shared weight used twice by one layer: the junction
                 * of this use, whose y is of the position's layer */
                const Node *xn = &g->nodes[prev];
                for (e = xn->first_edge; e < xn->first_edge + xn->nedges; e++)
                    if (g->edges[e].to == cur && g->edges[e].kind == E_JW &&
                        g->nodes[g->edges[e].aux].layer == c->pos[p].layer)
                        break;
                if (e == xn->first_edge + xn->nedges)
                    e = -1;
            }
            if (e < 0 || stage_edge_zero(d, e))
                empty = true;
            else
                edges[ne++] = e;
            prev = cur;
        }
    }
    if (!empty) {
        /* sums for the classes with more than one value, outermost first */
        Buf out = {0}, prodb = {0}, fb = {0};
        int nvar = 0;
        int *var_of_class = xmalloc(xmul((size_t)ncls + 1, sizeof *var_of_class));
        for (int q = 0; q < ncls; q++) {
            var_of_class[q] = -1;
            if (nallow[q] < 2)
                continue;
            int vix = var_of_class[q] = nvar++;
            for (int p = 0; p < c->npos; p++)
                if (c->pos[p].cls == q) {
                    NodeKind k = c->pos[p].kind;
                    if (k == N_PRE || k == N_BIAS)
                        c->var_x[c->pos[p].layer] = vix;
                    else if (k != N_WEIGHT)
                        c->var_y[c->pos[p].layer] = vix;
                    if (k == N_PRE && !stage_act_couples(d, c->pos[p].layer))
                        c->var_y[c->pos[p].layer] = vix;
                    if ((k == N_ACT || k == N_INPUT) && !stage_act_couples(d, c->pos[p].layer))
                        c->var_x[c->pos[p].layer] = vix;
                }
            int W = g->layers[c->cls_layer[q]].width, lo = 0, hi = 0;
            bool contiguous = true;
            const unsigned char *al = allow + base[q];
            for (int v = 1; v <= W; v++)
                if (al[v - 1]) {
                    if (!lo)
                        lo = v;
                    else if (v != hi + 1)
                        contiguous = false;
                    hi = v;
                }
            if (c->st == FMT_LATEX) {
                buf_puts(&out, "\\sum_{");
                cl_var(vix, FMT_LATEX, 0, &out);
                if (contiguous) {
                    buf_printf(&out, "=%d}^{%d}", lo, hi);
                } else {
                    buf_puts(&out, "\\in\\{");
                    for (int v = 1, first = 1; v <= W; v++)
                        if (al[v - 1])
                            buf_printf(&out, first-- > 0 ? "%d" : ",%d", v);
                    buf_puts(&out, "\\}}");
                }
            } else {
                buf_puts(&out, "Σ");
                cl_var(vix, FMT_TEXT, 2, &out);
                if (contiguous) {
                    buf_puts(&out, "₌");
                    digits(cl_subd, lo, &out);
                    digits(cl_supd, hi, &out);
                } else {
                    buf_puts(&out, "∈{");
                    for (int v = 1, first = 1; v <= W; v++)
                        if (al[v - 1])
                            buf_printf(&out, first-- > 0 ? "%d" : ",%d", v);
                    buf_puts(&out, "}");
                }
                buf_putc(&out, ' ');
            }
        }
        double coef = 1;
        long exp2 = 0;
        buf_cstr(&prodb);
        Printer pr = {c->st, cl_name, c};
        Run run = {0, NULL, 0, 0};
        Buf fbs[2] = {{0}, {0}};     /* the run's text stays in the other */
        int cur = 0;
        for (int i = 0; i < ne; i++) {
            const Factor *f = stage_factor(d, edges[i]);
            assert(f);                 /* the marking made it */
            if (coupled_factor(c, i, edges[i], var_of_class, &fbs[cur])) {
                product_join_run(c->st, &prodb, 0, &run, buf_cstr(&fbs[cur]), fbs[cur].len);
                cur ^= 1;
                continue;
            }
            coef_mul(&coef, &exp2, f->coef);
            if (!f->core)
                continue;
            /* edge i leaves position i for position i + 1 */
            c->ctx_set = g->edges[edges[i]].kind == E_JY;
            if (c->ctx_set) {
                int ci = c->pos[i + 1].cls, cj = c->pos[i].cls;
                c->ctx_i = ci >= 0 ? var_of_class[ci] : -1;
                c->ctx_j = cj >= 0 ? var_of_class[cj] : -1;
            }
            buf_truncate(&fbs[cur], 0);
            expr_print_factor(&pr, f->core, &fbs[cur]);
            product_join_run(c->st, &prodb, 0, &run, buf_cstr(&fbs[cur]), fbs[cur].len);
            cur ^= 1;
            c->ctx_set = false;
        }
        buf_free(&fbs[0]);
        buf_free(&fbs[1]);
        free(var_of_class);
        print_term(c->st, coef, exp2, prodb.data, prodb.len, &out);
        add_family(c, &out);
        mpz_add(c->terms, c->terms, prod);
        for (int p = 0; p < c->npos; p++)
            if (c->pos[p].layer >= 0)
                c->var_x[c->pos[p].layer] = c->var_y[c->pos[p].layer] = -1;
        buf_free(&out);
        buf_free(&prodb);
        buf_free(&fb);
    }
    mpz_clear(prod);
    free(edges);
    free(fixed);
    free(base);
    free(allow);
    free(nallow);
    free(vals);
}

/* ---- the search over shapes ---- */

static void push(Collapse *c, ClPos p)
{
    if (c->npos == c->cap_pos) {
        c->cap_pos = c->cap_pos ? c->cap_pos * 2 : 64;
        c->pos = xrealloc(c->pos, xmul((size_t)c->cap_pos, sizeof *c->pos));
    }
    if (p.new_cls) {
        if (c->ncls == c->cap_cls) {
            c->cap_cls = c->cap_cls ? c->cap_cls * 2 : 64;
            c->cls_fixed = xrealloc(c->cls_fixed, xmul((size_t)c->cap_cls, sizeof *c->cls_fixed));
            c->cls_layer = xrealloc(c->cls_layer, xmul((size_t)c->cap_cls, sizeof *c->cls_layer));
        }
        p.cls = c->ncls++;
        c->cls_fixed[p.cls] = -1;
        c->cls_layer[p.cls] = p.layer;
    }
    p.cursor = p.phase = 0;
    c->pos[c->npos++] = p;
}

static void pop(Collapse *c)
{
    if (c->pos[--c->npos].new_cls)
        c->ncls--;
}

/* does a path that arrived at P end there, at REF? */
static bool at_ref(const Collapse *c, const ClPos *p)
{
    const Node *ref = &c->g->nodes[c->wrt];
    return p->kind == N_WEIGHT ||
           (p->kind == ref->kind && (p->kind == N_LOSS || p->layer == ref->layer));
}

static NodeKind y_kind(const Graph *g, int layer) { return g->layers[layer].input ? N_INPUT : N_ACT; }

/* the next step from TOP that can still reach REF, into *OUT; false when
 * there is none left */
static bool next_child(Collapse *c, ClPos *top, ClPos *out)
{
    const Graph *g = c->g;
    const Node *ref = &g->nodes[c->wrt];
    memset(out, 0, sizeof *out);
    switch (top->kind) {
    case N_LOSS: {
        int last = g->nlayers - 1;
        if (top->phase++ == 0 && c->reach_y[last]) {
            *out = (ClPos){y_kind(g, last), last, -1, E_LOSS, true, 0, 0};
            return true;
        }
        return false;
    }
    case N_ACT:
        if (top->phase++ == 0 && c->reach_x[top->layer]) {
            /* a coupling activation (softmax): x's index is free of y's */
            bool couples = stage_act_couples(c->d, top->layer);
            *out = (ClPos){N_PRE, top->layer, couples ? -1 : top->cls, E_ACT, couples, 0, 0};
            return true;
        }
        return false;
    case N_PRE: {
        /* the layer's inputs, as its first neuron's edges list them: a
         * dense input is a block of 2 x width junction edges */
        const Node *x1 = &g->nodes[g->layers[top->layer].x0];
        while (top->cursor < x1->nedges) {
            const Edge *ed = &g->edges[x1->first_edge + top->cursor];
            int P = g->nodes[ed->to].layer;
            if (ed->kind == E_JW) {
                /* the block's weights are a family; its inputs, of layer P */
                int fam = P;
                P = g->nodes[g->edges[x1->first_edge + top->cursor + 1].to].layer;
                int phase = top->phase++;
                if (phase == 0 && ref->kind == N_WEIGHT && ref->layer == fam) {
                    *out = (ClPos){N_WEIGHT, P, -1, E_JW, false, 0, 0};
                    return true;
                }
                if (phase == 1 && c->reach_y[P]) {
                    *out = (ClPos){y_kind(g, P), P, -1, E_JY, true, 0, 0};
                    return true;
                }
                if (phase >= 1) {
                    top->phase = 0;
                    top->cursor += 2 * g->layers[P].width;
                }
                continue;
            }
            top->cursor++;
            if (ed->kind == E_SKIP && c->reach_y[P]) {
                *out = (ClPos){y_kind(g, P), P, top->cls, E_SKIP, false, 0, 0};
                return true;
            }
            if (ed->kind == E_BIAS && ref->kind == N_BIAS && ref->layer == top->layer) {
                *out = (ClPos){N_BIAS, top->layer, top->cls, E_BIAS, false, 0, 0};
                return true;
            }
        }
        return false;
    }
    default:
        return false;
    }
}

int collapse_write(Deriver *d, int of, int wrt, unsigned long long limit, Emitter *em)
{
    const Graph *g = d->g;
    deriver_target(d, of, wrt);
    if (g->kind != B_NETWORK)
        return collapse_graph_write(d, of, wrt, limit, em);
    EdgeFilter f = stage_filter(d);
    unsigned char *mark = paths_mark(g, of, wrt, &f);
    if (!mark)
        return -1;
    Collapse c = {0};
    c.d = d;
    c.g = g;
    c.of = of;
    c.wrt = wrt;
    c.st = em->ops->style;
    c.limit = limit;
    mpz_init(c.terms);
    int nl = g->nlayers;
    c.reach_y = xcalloc((size_t)nl, 1);
    c.reach_x = xcalloc((size_t)nl, 1);
    c.reach_b = xcalloc((size_t)nl, 1);
    c.zero_act = xcalloc((size_t)nl, 1);
    c.var_y = xmalloc(xmul((size_t)nl, sizeof *c.var_y));
    c.var_x = xmalloc(xmul((size_t)nl, sizeof *c.var_x));
    for (int l = 0; l < nl; l++) {
        const Layer *L = &g->layers[l];
        c.var_y[l] = c.var_x[l] = -1;
        for (int j = 0; j < L->width; j++) {
            c.reach_y[l] |= mark[L->y0 + j] == R_YES;
            if (L->x0 >= 0) {
                c.reach_x[l] |= mark[L->x0 + j] == R_YES;
                int e = cl_edge(g, L->y0 + j, L->x0 + j, E_ACT);
                c.zero_act[l] |= e >= 0 && stage_edge_zero(d, e) == 1;
            }
            if (L->b0 >= 0)
                c.reach_b[l] |= mark[L->b0 + j] == R_YES;
        }
    }
    if (of == wrt) {
        Buf one = {0};
        buf_putc(&one, '1');
        add_family(&c, &one);
        mpz_set_ui(c.terms, 1);
        buf_free(&one);
    } else if (mark[of] == R_YES) {
        const Node *o = &g->nodes[of];
        bool neuron = o->kind != N_LOSS && o->kind != N_WEIGHT;
        push(&c, (ClPos){o->kind, o->kind == N_LOSS ? -1 : o->layer, -1, E_LOSS, neuron, 0, 0});
        if (neuron)
            c.cls_fixed[0] = o->j;
        if (at_ref(&c, &c.pos[0])) {
            cl_family(&c);
        } else {
            while (c.npos > 0 && !c.too_many) {
                ClPos child;
                if (!next_child(&c, &c.pos[c.npos - 1], &child)) {
                    pop(&c);
                    continue;
                }
                push(&c, child);
                if (at_ref(&c, &c.pos[c.npos - 1])) {
                    cl_family(&c);
                    pop(&c);
                }
            }
        }
    }
    int rc = 0;
    if (c.too_many) {
        pg_error("--collapse: more than %llu families of terms; raise --max-terms", limit);
        rc = -1;
    } else {
        const char **fam = xmalloc(xmul((size_t)c.nfam + 1, sizeof *fam));
        size_t *len = xmalloc(xmul((size_t)c.nfam + 1, sizeof *len));
        for (unsigned long long i = 0; i < c.nfam; i++) {
            fam[i] = c.fams.data + c.fam_off[i];
            len[i] = c.fam_off[i + 1] - c.fam_off[i];
        }
        char *cs = mpz_get_str(NULL, 10, c.terms);
        EmitHead h = {d, of, wrt, cs};
        emit_collapsed(em, &h, fam, len, c.nfam);
        free(cs);
        free(fam);
        free(len);
    }
    mpz_clear(c.terms);
    buf_free(&c.fams);
    free(c.fam_off);
    free(c.pos);
    free(c.cls_fixed);
    free(c.cls_layer);
    free(c.reach_y);
    free(c.reach_x);
    free(c.reach_b);
    free(c.zero_act);
    free(c.var_y);
    free(c.var_x);
    free(mark);
    return rc;
}
