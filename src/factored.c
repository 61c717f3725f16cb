/* factored.c — stage factored: the backprop equations.
 *
 * One equation for every variable v on the paths, delta_v = sum over its
 * parents p on the paths of delta_p * d(p)/d(v) (delta of OF is 1 and left
 * out), breadth first from OF, ending in d(OF)/d(REF) = the same sum for
 * REF.  The size is linear in the part of the graph the paths use, however
 * many paths there are; every array below is sized by that part.
 */
#include "derive.h"

#include <stdlib.h>
#include <string.h>

/* the nodes on the paths, numbered compactly, with their parent edges
 * (pars[par0[c]] .. pars[par0[c+1]-1]) and their deltas printed once */
typedef struct Deltas {
    const int *idx, *par0, *pars;
    Buf names;
    size_t *off;
} Deltas;

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
    const char *plus = st == FMT_LATEX ? "+" : " + ";
    for (int i = par0[c]; i < par0[c + 1]; i++) {
        int k = pars[i];
        const Edge *e = &g->edges[k];
        /* a network's junctions, shortcuts, biases and live linear
         * activations print straight from the names into OUT: no factor
         * is made (a 1000x64 network has millions of them) */
        bool quick = (d->stage == ST_LOCAL || d->stage == ST_FACTORED) &&
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
        /* stage local's factors never fail */
        const Factor *f = stage_factor_printed(d, k, printed_style(st));
        if (f->core)
            product_join(st, &prod, 0, st == FMT_LATEX ? f->latex : f->text,
                         st == FMT_LATEX ? f->latex_len : f->text_len);
        buf_truncate(&term, 0);
        print_term(st, f->coef, 0, prod.data, prod.len, &term);
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

/* Folded (a last softmax layer under xent, stage.h): the loss's outputs
 * get no equation of their own (their delta is not what the fold writes),
 * and each x^j of the last layer is the fold's y^j - t_j */
static bool folded_y(const Deriver *d, int v)
{
    const Graph *g = d->g;
    return d->fold && g->nodes[v].kind == N_ACT && g->nodes[v].layer == g->nlayers - 1;
}

static void delta_line(Deriver *d, int of, int v, const Deltas *D, Style st, Buf *out)
{
    const Graph *g = d->g;
    const Node *n = &g->nodes[v];
    if (d->fold && n->kind == N_PRE && n->layer == g->nlayers - 1) {
        const Factor *f = stage_factor_printed(d, g->nodes[g->loss].first_edge + n->j - 1, printed_style(st));
        if (st == FMT_LATEX)
            print_term(st, f->coef, 0, f->latex_bare, f->latex_bare_len, out);
        else
            print_term(st, f->coef, 0, f->text_bare, f->text_bare_len, out);
        return;
    }
    delta_sum(d, of, D->idx[v], D, st, out);
}

int factored_write(Deriver *d, int of, int wrt, Emitter *em)
{
    const Graph *g = d->g;
    deriver_target(d, of, wrt);
    EdgeFilter f = stage_filter(d);
    unsigned char *mark = paths_mark(g, of, wrt, &f);
    if (!mark)
        return -1;
    mpz_t count;
    mpz_init(count);
    if (emit_wants_count(em))
        paths_count_marked(g, of, wrt, mark, &f, count);
    /* the nodes on the paths get compact numbers */
    int *idx = xmalloc(xmul((size_t)g->nnodes + 1, sizeof *idx));
    int m = 0;
    for (int v = 0; v < g->nnodes; v++)
        idx[v] = mark[v] == R_YES ? m++ : -1;
    int *node_of = xmalloc(xmul((size_t)m + 1, sizeof *node_of));
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
            if (paths_edge_on(g, mark, wrt, &f, k))
                par0[idx[g->edges[k].to] + 1]++;
    }
    for (int c = 0; c < m; c++)
        par0[c + 1] += par0[c];
    int *pars = xmalloc(xmul((size_t)par0[m] + 1, sizeof *pars));
    int *fill = xcalloc((size_t)m + 1, sizeof *fill);
    for (int c = 0; c < m; c++) {
        const Node *nd = &g->nodes[node_of[c]];
        for (int k = nd->first_edge; k < nd->first_edge + nd->nedges; k++)
            if (paths_edge_on(g, mark, wrt, &f, k)) {
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
            if (paths_edge_on(g, mark, wrt, &f, k) && --fill[idx[u]] == 0)
                order[no++] = u;
        }
    }
    Style st = em->ops->style;
    Deltas D = {.idx = idx, .par0 = par0, .pars = pars};
    D.off = xmalloc(xmul((size_t)m + 1, sizeof *D.off));
    for (int c = 0; c < m; c++) {
        D.off[c] = D.names.len;
        delta_name(g, node_of[c], st, &D.names);
    }
    D.off[m] = D.names.len;
    char *cs = mpz_get_str(NULL, 10, count);
    EmitHead h = {d, of, wrt, cs};
    emit_eqs_begin(em, &h);
    Buf line = {0}, delta = {0};
    for (int i = 0; i < no; i++) {
        int v = order[i];
        if (v == of || v == wrt || folded_y(d, v))
            continue;
        buf_truncate(&line, 0);
        buf_cstr(&line);
        delta_line(d, of, v, &D, st, &line);
        buf_truncate(&delta, 0);
        put_delta(&D, v, &delta);
        em->ops->eq(em, v, buf_cstr(&delta), line.data, line.len);
    }
    buf_truncate(&line, 0);
    if (mark[of] != R_YES)
        buf_putc(&line, '0');
    else if (of == wrt)
        buf_putc(&line, '1');
    else
        delta_line(d, of, wrt, &D, st, &line);
    em->ops->eqs_end(em, line.data, line.len);
    buf_free(&line);
    buf_free(&delta);
    buf_free(&D.names);
    free(D.off);
    free(cs);
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
