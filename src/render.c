/* render.c — drawing a computational graph with its paths highlighted.
 *
 * Three steps: (1) mark the graph edges on the requested paths; (2) build a
 * drawing — nodes with a column and a row, edges tied to the graph edges
 * they show; (3) hand it to libgvc: dot's layout for small drawings (rows
 * pinned in each column by invisible edges), else the nop engine with the
 * grid positions computed here, so a 50x50 network stays fast.
 *
 * The graph view draws every variable as a box and every weighted-sum
 * product as a junction point where the weight and the input meet (the
 * article's three-way junction); the network view draws neurons as circles.
 * Edges run forward, from operands to results; the loss stands at the end.
 *
 * In SVG the labels' text is render's, not Graphviz's: Graphviz measures
 * text with its built-in Times metrics and writes each piece of a label
 * (base, superscript, subscript) as a <text> of its own, which a viewer
 * with another font (DejaVu Serif on Debian) overruns.  Graphviz gets an
 * empty box the size svgtext measures (the widest of the likely fonts),
 * and once the layout is done each label is written as one <text> at the
 * centre of its box (svg_labels).  DOT and TikZ keep Graphviz's labels.
 */
#define _GNU_SOURCE             /* fopencookie: the SVG streams through its last bytes */
#include "render.h"
#include "svgtext.h"

#include <gvc.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef enum { DK_VAR, DK_JUNCTION, DK_NEURON, DK_LOSS, DK_LEGEND, DK_WAYPOINT } DKind;

/* a legend drawn into the SVG by render itself: rows of text, each after
 * a swatch of its colour or none; Graphviz only leaves the room */
typedef struct LegendRow {
    const char *html;        /* HTML-like, as a label */
    const char *swatch;      /* a colour, or NULL */
    const char *color;       /* the text's */
    double size;             /* points */
    double w, h;             /* the text's box, measured */
} LegendRow;

typedef struct Legend {
    LegendRow *rows;
    int n;
    double w, h;             /* the whole legend */
} Legend;

#define SWATCH_W 18.0        /* a term's colour, before its text */
#define SWATCH_H 8.0
#define SWATCH_GAP 6.0
#define LEGEND_PAD 2.0       /* above and below each row */

typedef struct DNode {
    const char *id;          /* cgraph name: reference syntax, unique */
    const char *label;       /* HTML-like label */
    DKind kind;
    double col;              /* column (fractional for waypoints) */
    double row;
    bool on, keep;
    bool tied;               /* a shared weight, drawn at each of its uses */
    Legend *legend;          /* DK_LEGEND in SVG: its rows */
    int band;                /* graphs: the time step's box it sits in, 0: none */
    int shows;               /* the graph node it draws (a copy's too), -1: none */
    const char *svgid;       /* with id_prefix: its SVG id */
    Agnode_t *ag;
} DNode;

typedef struct DEdge {
    int from, to;            /* drawn nodes */
    int gedge[2];            /* graph edges it shows, -1 if none */
    const char *label;       /* HTML-like, or NULL */
    bool no_arrow;           /* a leg of a routed edge, before its last */
    bool at_head;            /* the label sits by the head (into a junction) */
    bool skip;               /* a shortcut: dashed */
    bool on;
    uint64_t terms;          /* bit t: on the path of term t+1 */
    Agedge_t *ag;            /* once handed to libgvc */
} DEdge;

typedef struct Drawing {
    const Graph *g;
    Deriver *d;
    const RenderOpts *o;
    bool labels;             /* edge labels drawn */
    bool svg;                /* SVG: the labels' text is render's, Graphviz leaves room */
    Arena arena;
    DNode *nodes;
    int nnodes, cap_nodes;
    DEdge *edges;
    int nedges, cap_edges;
    int *of_gnode;           /* graph node -> drawn node, -1 */
    int *drawn_w;            /* graph view: a junction's E_JW edge -> its drawn weight */
    bool any_tied;
    /* highlight, per graph edge */
    unsigned char *on;
    uint64_t *terms;
    int nterms_shown;        /* terms whose bits are known (<= PG_MAX_TERM_BITS) */
    bool failed;             /* an edge label could not be made (reported) */
    Buf *legend_terms;       /* colors: the text of each term */
    int ncolors;
    int *skips;              /* shortcut edges to route: from, to, edge, label index */
    int nskips, skips_cap;
    const char **skip_labels;
    /* an unrolled graph: each time step a box of columns, "t = 3" */
    int nbands;
    const char **band_label;
    int *band_col;           /* each band's first column: its inputs */
} Drawing;

/* a shortcut is drawn around the columns it skips, once every node is in
 * place: remember it */
static void want_skip(Drawing *D, int from, int to, int k, const char *label)
{
    int cap = D->skips_cap;
    D->skips = xgrow(D->skips, D->nskips, &D->skips_cap, 3 * sizeof *D->skips);
    D->skip_labels = xgrow(D->skip_labels, D->nskips, &cap, sizeof *D->skip_labels);
    D->skips[3 * D->nskips] = from;
    D->skips[3 * D->nskips + 1] = to;
    D->skips[3 * D->nskips + 2] = k;
    D->skip_labels[D->nskips] = label ? arena_strdup(&D->arena, label) : NULL;
    D->nskips++;
}

static const char *const palette[PG_MAX_COLORS] = {
    "#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e",
    "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f",
};
#define HIGHLIGHT "#d62728"
#define DIM "#9a9a9a"
/* the numbers under a name: its value, and the gradient of OF */
#define VALUE_COLOR "#1f5fa8"
#define GRAD_COLOR "#2b8a2b"

static int dnode(Drawing *D, const char *id, const char *label, DKind kind, double col, double row, int gnode)
{
    if (D->nnodes == D->cap_nodes) {
        D->cap_nodes = D->cap_nodes ? D->cap_nodes * 2 : 256;
        D->nodes = xrealloc(D->nodes, xmul((size_t)D->cap_nodes, sizeof *D->nodes));
    }
    DNode *n = &D->nodes[D->nnodes];
    memset(n, 0, sizeof *n);
    n->id = arena_strdup(&D->arena, id);
    n->label = label ? arena_strdup(&D->arena, label) : NULL;
    n->kind = kind;
    n->col = col;
    n->row = row;
    n->shows = gnode;
    if (gnode >= 0)
        D->of_gnode[gnode] = D->nnodes;
    return D->nnodes++;
}

static int dedge(Drawing *D, int from, int to, int ge0, int ge1, const char *label, bool skip)
{
    if (D->nedges == D->cap_edges) {
        D->cap_edges = D->cap_edges ? D->cap_edges * 2 : 256;
        D->edges = xrealloc(D->edges, xmul((size_t)D->cap_edges, sizeof *D->edges));
    }
    DEdge *e = &D->edges[D->nedges];
    memset(e, 0, sizeof *e);
    e->from = from;
    e->to = to;
    e->gedge[0] = ge0;
    e->gedge[1] = ge1;
    e->label = label ? arena_strdup(&D->arena, label) : NULL;
    e->skip = skip;
    return D->nedges++;
}

/* the HTML label of a graph node, and its reference-syntax id */
/* a number to 4 significant digits, for a label */
static void put_number(Buf *out, double x)
{
    char t[32];
    snprintf(t, sizeof t, "%.4g", x);
    /* the minus sign, not a hyphen */
    if (t[0] == '-') {
        buf_puts(out, "&#8722;");
        buf_puts(out, t + 1);
    } else {
        buf_puts(out, t);
    }
}

static const char *node_label(Drawing *D, int v, Buf *tmp)
{
    buf_truncate(tmp, 0);
    graph_node_name(D->g, v, FMT_HTML, tmp);
    if (D->o->value) {
        /* CS231n's circuit: the value above, the gradient below */
        buf_puts(tmp, "<BR/><FONT POINT-SIZE=\"10\" COLOR=\"" VALUE_COLOR "\">");
        put_number(tmp, D->o->value[v]);
        buf_puts(tmp, "</FONT><BR/><FONT POINT-SIZE=\"10\" COLOR=\"" GRAD_COLOR "\">");
        put_number(tmp, D->o->grad[v]);
        buf_puts(tmp, "</FONT>");
    }
    return buf_cstr(tmp);
}

static const char *node_id(Drawing *D, int v, const char *prefix, Buf *tmp)
{
    buf_truncate(tmp, 0);
    buf_puts(tmp, prefix);
    graph_node_ref(D->g, v, tmp);
    return buf_cstr(tmp);
}

/* the local derivative on graph edge K, as an edge label */
static const char *edge_label(Drawing *D, int k, Buf *tmp)
{
    if (!D->labels || D->failed)
        return NULL;
    buf_truncate(tmp, 0);
    if (stage_term_string(D->d, &k, 1, FMT_HTML, tmp) < 0) {
        D->failed = true;          /* a forward sum too large: reported */
        return NULL;
    }
    return buf_cstr(tmp);
}

/* ---- highlight ---- */

typedef struct WalkCtx {
    Drawing *D;
    unsigned long long only;     /* 0 all, else that 1-based term */
} WalkCtx;

static int on_path(void *ctx, const int *edges, int n, unsigned long long index)
{
    WalkCtx *w = ctx;
    Drawing *D = w->D;
    if (w->only && index + 1 != w->only)
        return 0;
    for (int i = 0; i < n; i++) {
        D->on[edges[i]] = 1;
        if (index < PG_MAX_TERM_BITS)
            D->terms[edges[i]] |= (uint64_t)1 << index;
    }
    if (D->legend_terms) {
        /* the walk made every factor of its paths: this cannot fail */
        stage_term_string(D->d, edges, n, FMT_HTML, &D->legend_terms[index]);
        D->ncolors = (int)index + 1;
    }
    return w->only && index + 1 == w->only;
}

static int mark_highlight(Drawing *D, int of, int wrt, int node)
{
    const Graph *g = D->g;
    const RenderOpts *o = D->o;
    if (node >= 0) {
        paths_below(g, node, D->on);       /* its forward path sum */
        return 0;
    }
    if (of < 0)
        return 0;
    mpz_t count;
    mpz_init(count);
    EdgeFilter f = stage_filter(D->d);
    if (stage_count_terms(D->d, of, wrt, count) < 0) {
        mpz_clear(count);
        return -1;
    }
    int rc = 0;
    WalkCtx w = {D, o->term};
    if (o->term) {
        if (mpz_cmp_ui(count, o->term) < 0) {
            char *s = mpz_get_str(NULL, 10, count);
            pg_error("--term %llu: the derivative has %s term%s", o->term, s,
                    mpz_cmp_ui(count, 1) == 0 ? "" : "s");
            free(s);
            rc = -1;
        } else {
            rc = paths_each(D->g, of, wrt, &f, on_path, &w);
            D->nterms_shown = o->term <= PG_MAX_TERM_BITS ? (int)o->term : 0;
        }
    } else if (o->colors) {
        if (mpz_cmp_ui(count, PG_MAX_COLORS) > 0) {
            char *s = mpz_get_str(NULL, 10, count);
            pg_error("--colors: the derivative has %s terms, more than the %d colours; "
                    "pick one with --term K", s, PG_MAX_COLORS);
            free(s);
            rc = -1;
        } else {
            D->legend_terms = xcalloc(PG_MAX_COLORS, sizeof *D->legend_terms);
            rc = paths_each(D->g, of, wrt, &f, on_path, &w);
            D->nterms_shown = D->ncolors;
        }
    } else if (mpz_cmp_ui(count, PG_MAX_TERM_BITS) <= 0) {
        rc = paths_each(D->g, of, wrt, &f, on_path, &w);
        D->nterms_shown = (int)mpz_get_ui(count);
    } else {
        rc = paths_edges(D->g, of, wrt, &f, D->on);
    }
    mpz_clear(count);
    return rc;
}

/* ---- the drawings ---- */

/* graph view of a network: columns y | w,b | junctions | x | y ... | loss */
static void build_network_graph(Drawing *D)
{
    const Graph *g = D->g;
    Buf t1 = {0}, t2 = {0}, t3 = {0};
    int nl = g->nlayers;
    /* rows: layer l > 0 has a group of rows for each neuron, one a weight
     * or bias feeding it; other columns spread over the same height */
    for (int l = 0; l < nl; l++) {
        const Layer *L = &g->layers[l];
        if (L->input) {
            /* the first layer spreads over the height of the next one's
             * groups; a later input layer stands in its y column */
            const Layer *N = l == 0 && nl > 1 && !g->layers[1].input ? &g->layers[1] : NULL;
            int group = 1;
            if (N) {
                const Node *x1 = &g->nodes[N->x0];
                group = 0;
                for (int k = 0; k < x1->nedges; k++)
                    group += g->edges[x1->first_edge + k].kind == E_JW || g->edges[x1->first_edge + k].kind == E_BIAS;
                if (group < 1)
                    group = 1;
            }
            double span = N ? (double)N->width * group : L->width;
            double pitch = span > L->width ? span / L->width : 1;
            for (int j = 1; j <= L->width; j++) {
                int v = L->y0 + j - 1;
                dnode(D, node_id(D, v, "", &t1), node_label(D, v, &t2), DK_VAR, l == 0 ? 0 : 4 * l,
                      ((j - 1) - (L->width - 1) / 2.0) * pitch, v);
            }
            continue;
        }
        int cw = 4 * l - 3, cj = cw + 1, cx = cw + 2, cy = cw + 3;
        /* the rows of this layer */
        int rows = 0;
        for (int j = 1; j <= L->width; j++) {
            const Node *x = &g->nodes[L->x0 + j - 1];
            int gsize = 0;
            for (int k = 0; k < x->nedges; k++)
                gsize += g->edges[x->first_edge + k].kind == E_JW || g->edges[x->first_edge + k].kind == E_BIAS;
            rows += gsize > 0 ? gsize : 1;
        }
        double r = -(rows - 1) / 2.0;
        for (int j = 1; j <= L->width; j++) {
            int xv = L->x0 + j - 1, yv = L->y0 + j - 1;
            const Node *x = &g->nodes[xv];
            double first = r;
            int gsize = 0;
            for (int k = 0; k < x->nedges; k++) {
                const Edge *e = &g->edges[x->first_edge + k];
                if (e->kind == E_JW) {
                    /* a weight beside its junction; a shared one is drawn
                     * at every use, each copy tied (a double border) */
                    int w = e->to;
                    const Family *F = &g->families[g->nodes[w].layer];
                    bool copy = D->of_gnode[w] >= 0;
                    node_id(D, w, "", &t1);
                    if (copy)
                        buf_printf(&t1, "@%s", L->label);
                    int dw = dnode(D, buf_cstr(&t1), node_label(D, w, &t2), DK_VAR, cw, r, copy ? -1 : w);
                    D->nodes[dw].shows = w;
                    D->nodes[dw].tied = F->shared && F->nuses > 1;
                    D->any_tied |= D->nodes[dw].tied;
                    D->drawn_w[x->first_edge + k] = dw;
                    buf_truncate(&t2, 0);
                    buf_printf(&t2, "J:%s", buf_cstr(&t1));
                    dnode(D, buf_cstr(&t2), NULL, DK_JUNCTION, cj, r, -1);
                    r += 1;
                    gsize++;
                } else if (e->kind == E_BIAS) {
                    dnode(D, node_id(D, e->to, "", &t1), node_label(D, e->to, &t2), DK_VAR, cw, r, e->to);
                    r += 1;
                    gsize++;
                }
            }
            if (gsize == 0)
                r += 1;
            double mid = gsize ? first + (gsize - 1) / 2.0 : first;
            dnode(D, node_id(D, xv, "", &t1), node_label(D, xv, &t2), DK_VAR, cx, mid, xv);
            dnode(D, node_id(D, yv, "", &t1), node_label(D, yv, &t2), DK_VAR, cy, mid, yv);
        }
    }
    if (g->loss >= 0)
        dnode(D, node_id(D, g->loss, "", &t1), node_label(D, g->loss, &t2), DK_LOSS, 4 * (nl - 1) + 1, 0, g->loss);

    /* edges, forward */
    for (int v = 0; v < g->nnodes; v++) {
        const Node *n = &g->nodes[v];
        for (int k = n->first_edge; k < n->first_edge + n->nedges; k++) {
            const Edge *e = &g->edges[k];
            int from = D->of_gnode[e->to], to = D->of_gnode[v];
            switch (e->kind) {
            case E_JW: {
                /* w -> junction, junction -> x (showing both junction edges) */
                int j = D->drawn_w[k] + 1;
                int jy = k + 1;          /* the same weight's E_JY follows */
                dedge(D, D->drawn_w[k], j, k, -1, edge_label(D, k, &t3), false);
                dedge(D, j, to, k, jy, NULL, false);
                break;
            }
            case E_JY: {
                int de = dedge(D, from, D->drawn_w[k - 1] + 1, k, -1, edge_label(D, k, &t3), false);
                D->edges[de].at_head = true;
                break;
            }
            case E_SKIP:
                want_skip(D, from, to, k, edge_label(D, k, &t3));
                break;
            default:
                dedge(D, from, to, k, -1, edge_label(D, k, &t3), false);
                break;
            }
        }
    }
    buf_free(&t1);
    buf_free(&t2);
    buf_free(&t3);
}

/* network view: a circle a neuron, an edge a weight or a shortcut */
static void build_network_neurons(Drawing *D)
{
    const Graph *g = D->g;
    Buf t1 = {0}, t2 = {0};
    int nl = g->nlayers;
    for (int l = 0; l < nl; l++) {
        const Layer *L = &g->layers[l];
        for (int j = 1; j <= L->width; j++) {
            int v = L->y0 + j - 1;
            dnode(D, node_id(D, v, "", &t1), node_label(D, v, &t2), DK_NEURON, l,
                  (j - 1) - (L->width - 1) / 2.0, v);
        }
        /* a neuron is drawn once: its x shares the circle of its y */
        if (L->x0 >= 0)
            for (int j = 1; j <= L->width; j++)
                D->of_gnode[L->x0 + j - 1] = D->of_gnode[L->y0 + j - 1];
    }
    if (g->loss >= 0)
        dnode(D, node_id(D, g->loss, "", &t1), node_label(D, g->loss, &t2), DK_LOSS, nl, 0, g->loss);
    for (int v = 0; v < g->nnodes; v++) {
        const Node *n = &g->nodes[v];
        for (int k = n->first_edge; k < n->first_edge + n->nedges; k++) {
            const Edge *e = &g->edges[k];
            if (e->kind == E_JY) {
                /* the weight's edge shows both junction edges of that weight */
                int jw = k - 1;          /* the same weight's E_JW precedes */
                dedge(D, D->of_gnode[e->to], D->of_gnode[v], k, jw, NULL, false);
            } else if (e->kind == E_SKIP) {
                want_skip(D, D->of_gnode[e->to], D->of_gnode[v], k, NULL);
            } else if (e->kind == E_LOSS) {
                dedge(D, D->of_gnode[e->to], D->of_gnode[v], k, -1, NULL, false);
            } else if (e->kind == E_JW && D->o->view == VIEW_NETWORK) {
                /* a path ending at a weight ends on that weight's edge:
                 * handled through the E_JY edge of the same weight */
            }
        }
    }
    buf_free(&t1);
    buf_free(&t2);
}

/* Route the shortcuts around the drawing: up and over the top for a
 * neuron in the upper half, under the bottom for the lower half, through
 * two invisible waypoints, stacked so that no two overlap. */
static void route_skips(Drawing *D)
{
    if (!D->nskips)
        return;
    double minr = 0, maxr = 0;
    for (int i = 0; i < D->nnodes; i++) {
        if (!D->nodes[i].keep)
            continue;
        if (D->nodes[i].row < minr)
            minr = D->nodes[i].row;
        if (D->nodes[i].row > maxr)
            maxr = D->nodes[i].row;
    }
    double mid = (minr + maxr) / 2;
    int above = 0, below = 0;
    Buf id = {0};
    for (int q = 0; q < D->nskips; q++) {
        int a = D->skips[3 * q], b = D->skips[3 * q + 1], k = D->skips[3 * q + 2];
        if (!D->nodes[a].keep || !D->nodes[b].keep || (D->o->only_paths && !D->on[k]))
            continue;
        bool up = D->nodes[a].row <= mid;
        double peak = up ? minr - 0.9 - 0.45 * above++ : maxr + 0.9 + 0.45 * below++;
        double c0 = D->nodes[a].col, c1 = D->nodes[b].col;
        int w[2];
        for (int t = 0; t < 2; t++) {
            buf_truncate(&id, 0);
            buf_printf(&id, "%s~%s~%d", D->nodes[a].id, D->nodes[b].id, t);
            w[t] = dnode(D, buf_cstr(&id), NULL, DK_WAYPOINT, t ? c1 - 0.35 : c0 + 0.35, peak, -1);
        }
        int e1 = dedge(D, a, w[0], k, -1, NULL, true);
        int e2 = dedge(D, w[0], w[1], k, -1, D->skip_labels[q], true);
        dedge(D, w[1], b, k, -1, NULL, true);
        D->edges[e1].no_arrow = D->edges[e2].no_arrow = true;
    }
    buf_free(&id);
}

/* a scalar graph: a box a variable, columns by depth from the inputs */
/* an unrolled recurrence laid out in time: the nodes a for loop defines
 * grouped by (loop, value of its variable), one band of columns a step,
 * the steps left to right; an input that only one step uses goes into it
 * (x[t]), one that several use (the shared w) stays left; within a band
 * a node's column is its depth among the band's nodes.  COL gets the
 * columns, BAND each node's band (1.., 0: outside).  -1 (nothing set)
 * without loops or when a step would use a later one. */
static int step_columns(Drawing *D, const int *order, int norder, int *col, int *band)
{
    const Graph *g = D->g;
    int n = g->nnodes;
    /* the steps: distinct (loop, step) in the order of the nodes, which
     * unroll made loop by loop, step by step */
    const void *last_loop = NULL;
    long last_step = 0;
    int nb = 0;
    for (int v = 0; v < n; v++) {
        const NodeSym *s = node_sym(g, v);
        if (g->nodes[v].kind != N_SCALAR || !s->loop)
            continue;
        if (nb == 0 || s->loop != last_loop || s->step != last_step) {
            nb++;
            last_loop = s->loop;
            last_step = s->step;
        }
        band[v] = nb;
    }
    if (nb < 2)
        return -1;
    /* a step's bands must rise along the order unroll made them: check the
     * same (loop, step) never comes back after another */
    for (int v = 0, cur = 0; v < n; v++)
        if (band[v]) {
            if (band[v] < cur)
                return -1;
            cur = band[v];
        }
    /* inputs and definitions outside loops: the step of their users when
     * there is one, else left (0) or after their operands */
    int *user = xmalloc(xmul((size_t)n + 1, sizeof *user));
    for (int v = 0; v < n; v++)
        user[v] = 0;
    for (int k = 0; k < g->nedges; k++) {
        int u = g->edges[k].to, v = g->edges[k].from;
        int bv = band[v];
        user[u] = user[u] == 0 ? (bv ? bv : -1) : (user[u] == bv ? bv : -1);
    }
    for (int v = 0; v < n; v++)
        if (!band[v] && g->nodes[v].nedges == 0 && user[v] > 0)
            band[v] = user[v];
    free(user);
    int *width = xcalloc((size_t)nb + 2, sizeof *width);
    for (int i = 0; i < norder; i++) {
        int v = order[i];
        const Node *nd = &g->nodes[v];
        if (!band[v] && nd->nedges) {
            /* outside loops, defined: after its operands' bands */
            int b = 0;
            for (int k = nd->first_edge; k < nd->first_edge + nd->nedges; k++)
                if (band[g->edges[k].to] > b)
                    b = band[g->edges[k].to];
            band[v] = b ? -b : 0;     /* negative: in the band's columns, not its box */
        }
        int b = band[v] < 0 ? -band[v] : band[v];
        /* a step's first column holds its inputs (x[t], the shared ones'
         * copies): what it defines starts at the second */
        col[v] = b > 0 && nd->nedges ? 1 : 0;
        for (int k = nd->first_edge; k < nd->first_edge + nd->nedges; k++) {
            int u = g->edges[k].to, bu = band[u] < 0 ? -band[u] : band[u];
            if (bu > b) {
                free(width);
                return -1;
            }
            if (bu == b && col[u] + 1 > col[v])
                col[v] = col[u] + 1;
        }
        if (col[v] + 1 > width[b])
            width[b] = col[v] + 1;
    }
    int *offset = xcalloc((size_t)nb + 2, sizeof *offset);
    for (int b = 1; b <= nb; b++)
        offset[b] = offset[b - 1] + width[b - 1];
    D->band_col = arena_alloc(&D->arena, sizeof(int) * (size_t)(nb + 1));
    for (int b = 1; b <= nb; b++)
        D->band_col[b] = offset[b];
    for (int v = 0; v < n; v++) {
        int b = band[v] < 0 ? -band[v] : band[v];
        col[v] += offset[b];
        if (band[v] < 0)
            band[v] = 0;
    }
    free(width);
    free(offset);
    /* the boxes' labels: the loop variable's value, t = 3 */
    D->nbands = nb;
    D->band_label = arena_alloc(&D->arena, sizeof(char *) * (size_t)(nb + 1));
    for (int v = 0; v < n; v++) {
        const NodeSym *s = node_sym(g, v);
        if (g->nodes[v].kind != N_SCALAR || !s->loop || !band[v] || D->band_label[band[v]])
            continue;
        Buf t = {0};
        buf_printf(&t, "%s = %ld", s->loop_var, s->step);
        D->band_label[band[v]] = arena_strdup(&D->arena, buf_cstr(&t));
        buf_free(&t);
    }
    return 0;
}

static void build_scalar(Drawing *D)
{
    const Graph *g = D->g;
    Buf t1 = {0}, t2 = {0}, t3 = {0};
    /* depth = the longest path from an input: operands come first in
     * the topological order, so one pass sets it */
    int n = g->nnodes, norder;
    int *depth = xcalloc((size_t)n + 1, sizeof *depth);
    int *order = paths_topological(g, &norder);
    for (int i = 0; i < norder; i++) {
        int v = order[i];
        const Node *nd = &g->nodes[v];
        for (int k = nd->first_edge; k < nd->first_edge + nd->nedges; k++)
            if (depth[g->edges[k].to] + 1 > depth[v])
                depth[v] = depth[g->edges[k].to] + 1;
    }
    int *band = xcalloc((size_t)n + 1, sizeof *band);
    if (step_columns(D, order, norder, depth, band) < 0) {
        /* no loops, or a step that uses a later one: columns by depth */
        memset(band, 0, sizeof *band * (size_t)(n + 1));
        for (int i = 0; i < norder; i++) {
            int v = order[i];
            const Node *nd = &g->nodes[v];
            depth[v] = 0;
            for (int k = nd->first_edge; k < nd->first_edge + nd->nedges; k++)
                if (depth[g->edges[k].to] + 1 > depth[v])
                    depth[v] = depth[g->edges[k].to] + 1;
        }
    }
    free(order);
    int maxd = 0;
    for (int v = 0; v < n; v++)
        if (depth[v] > maxd)
            maxd = depth[v];
    int *count = xcalloc((size_t)maxd + 1, sizeof *count);
    for (int v = 0; v < n; v++)
        count[depth[v]]++;
    /* an input that several steps use (the shared w of a recurrence) is
     * drawn in each of them, the copies tied (a double border), rather
     * than once with an edge into every step */
    int *last_band = NULL, *last_copy = NULL;
    unsigned char *shared = NULL, *direct = NULL;
    if (D->nbands) {
        shared = xcalloc((size_t)n + 1, 1);
        direct = xcalloc((size_t)n + 1, 1);
        last_band = xmalloc(xmul((size_t)n + 1, sizeof *last_band));
        last_copy = xmalloc(xmul((size_t)n + 1, sizeof *last_copy));
        for (int v = 0; v < n; v++)
            last_band[v] = 0;
        for (int k = 0; k < g->nedges; k++) {
            int u = g->edges[k].to, b = band[g->edges[k].from];
            if (g->nodes[u].nedges || band[u])
                continue;
            if (!b)
                direct[u] = 1;
            else if (last_band[u] && last_band[u] != b)
                shared[u] = 1;
            else
                last_band[u] = b;
        }
        for (int v = 0; v < n; v++)
            last_band[v] = 0;
    }
    int *at = xcalloc((size_t)maxd + 1, sizeof *at);
    for (int v = 0; v < n; v++) {
        int c = depth[v];
        if (shared && shared[v] && !direct[v])
            continue;                   /* drawn only as its copies */
        int dn = dnode(D, node_id(D, v, "", &t1), node_label(D, v, &t2), DK_VAR, c,
                       at[c]++ - (count[c] - 1) / 2.0, v);
        D->nodes[dn].band = band[v];
    }
    for (int k = 0; k < g->nedges; k++) {
        const Edge *e = &g->edges[k];
        int to = D->of_gnode[e->to], b = band[e->from];
        if (shared && shared[e->to] && b) {
            if (last_band[e->to] != b) {
                int c = D->band_col[b];
                node_id(D, e->to, "", &t1);
                buf_printf(&t1, "@%d", b);
                int dn = dnode(D, buf_cstr(&t1), node_label(D, e->to, &t2), DK_VAR, c, at[c]++, -1);
                D->nodes[dn].band = b;
                D->nodes[dn].shows = e->to;
                D->nodes[dn].tied = true;
                D->any_tied = true;
                last_band[e->to] = b;
                last_copy[e->to] = dn;
            }
            to = last_copy[e->to];
        }
        dedge(D, to, D->of_gnode[e->from], k, -1, edge_label(D, k, &t3), false);
    }
    free(band);
    free(shared);
    free(direct);
    free(last_band);
    free(last_copy);
    free(depth);
    free(count);
    free(at);
    buf_free(&t1);
    buf_free(&t2);
    buf_free(&t3);
}

/* ---- TikZ ---- */

/* a coordinate of libgvc's layout, in big points */
static void tikz_point(FILE *out, pointf p) { fprintf(out, "(%.2f,%.2f)", p.x, p.y); }

/* the laid-out drawing as a TikZ picture: libgvc's positions and curves,
 * every name in the paper's own math fonts, lit paths in their colours */
static int write_tikz(Drawing *D, Agraph_t *G, bool standalone, FILE *out)
{
    const Graph *g = D->g;
    Buf t = {0};
    if (standalone) {
        /* a page the size of the drawing (pdfTeX's page registers: no
         * package beyond tikz needed) */
        boxf bb = GD_bb(G);
        double w = bb.UR.x - bb.LL.x + 16, h = bb.UR.y - bb.LL.y + 16;
        fprintf(out, "\\documentclass{article}\n\\usepackage{amsmath}\n\\usepackage{tikz}\n\\usetikzlibrary{arrows.meta}\n"
                "\\pagestyle{empty}\n\\paperwidth=%.1fbp \\paperheight=%.1fbp\n"
                "\\pdfpagewidth=\\paperwidth \\pdfpageheight=\\paperheight\n"
                "\\hoffset=-1in \\voffset=-1in \\oddsidemargin=8bp \\topmargin=8bp \\headheight=0pt "
                "\\headsep=0pt\n\\textwidth=%.1fbp \\textheight=%.1fbp \\parindent=0pt\n"
                "\\begin{document}\n", w, h, w, h);
    }
    fputs("% pathgrad render --format tikz: needs \\usepackage{amsmath}, \\usepackage{tikz} and\n"
          "% \\usetikzlibrary{arrows.meta}\n"
          "\\begin{tikzpicture}[x=1bp, y=1bp, >={Stealth[length=4.5pt]},\n"
          "  pgvar/.style={draw=pgdim, rounded corners=2pt, fill=white, inner sep=1pt, align=center},\n"
          "  pgneuron/.style={draw=pgdim, circle, fill=white, inner sep=1pt, align=center},\n"
          "  pgloss/.style={draw=pgdim, rounded corners=2pt, fill=white, inner sep=1pt, line width=1pt, align=center},\n"
          "  pglit/.style={draw=pghighlight, line width=1.2pt},\n"
          "  pgedge/.style={draw=pgdim, line width=0.5pt},\n"
          "  pglabel/.style={font=\\scriptsize, text=pglabeltext, inner sep=1pt}]\n"
          "\\definecolor{pghighlight}{HTML}{D62728}\\definecolor{pgdim}{HTML}{9A9A9A}"
          "\\definecolor{pglabeltext}{HTML}{444444}\n", out);
    /* an unrolled graph's steps: a dashed box each, labelled t = 3 */
    for (int b = 1; b <= D->nbands; b++) {
        char name[32];
        snprintf(name, sizeof name, "cluster_step%d", b);
        Agraph_t *sub = agsubg(G, name, 0);
        if (!sub)
            continue;
        boxf bb = GD_bb(sub);
        fputs("\\draw[pgdim!70, dashed, rounded corners=4pt] ", out);
        tikz_point(out, bb.LL);
        fputs(" rectangle ", out);
        tikz_point(out, bb.UR);
        fprintf(out, ";\n\\node[pglabel, anchor=north west] at (%.2f,%.2f) {$%s$};\n", bb.LL.x + 2, bb.UR.y - 2,
                D->band_label[b] ? D->band_label[b] : "");
    }
    /* the edges first, so that the boxes cover their ends */
    for (int i = 0; i < D->nedges; i++) {
        DEdge *de = &D->edges[i];
        if (!de->ag || !D->nodes[de->from].keep || !D->nodes[de->to].keep)
            continue;
        const splines *sp = ED_spl(de->ag);
        if (!sp || sp->size == 0)
            continue;
        const char *style = de->on ? "pglit" : "pgedge";
        for (int b = 0; b < sp->size; b++) {
            const bezier *bz = &sp->list[b];
            if (bz->size < 1)
                continue;
            fprintf(out, "\\draw[%s%s%s] ", style, de->skip ? ", dashed" : "",
                    bz->eflag && !de->no_arrow ? ", ->" : "");
            if (bz->sflag)
                tikz_point(out, bz->sp), fputs(" -- ", out);
            tikz_point(out, bz->list[0]);
            for (int k = 1; k + 2 < bz->size; k += 3) {
                fputs(" .. controls ", out);
                tikz_point(out, bz->list[k]);
                fputs(" and ", out);
                tikz_point(out, bz->list[k + 1]);
                fputs(" .. ", out);
                tikz_point(out, bz->list[k + 2]);
            }
            if (bz->eflag)
                fputs(" -- ", out), tikz_point(out, bz->ep);
            fputs(";\n", out);
        }
        /* its local derivative, where libgvc placed the label */
        textlabel_t *lab = ED_label(de->ag) ? ED_label(de->ag) : ED_head_label(de->ag);
        int k = de->gedge[0];
        if (lab && lab->set && k >= 0 && D->labels && !D->failed) {
            buf_truncate(&t, 0);
            if (stage_term_string(D->d, &k, 1, FMT_LATEX, &t) < 0)
                D->failed = true;
            else {
                fprintf(out, "\\node[pglabel%s] at ", de->on ? ", text=black" : "");
                tikz_point(out, lab->pos);
                fprintf(out, " {$%s$};\n", buf_cstr(&t));
            }
        }
    }
    for (int i = 0; i < D->nnodes; i++) {
        DNode *n = &D->nodes[i];
        if (!n->keep || !n->ag || n->kind == DK_WAYPOINT || n->kind == DK_LEGEND)
            continue;
        pointf c = ND_coord(n->ag);
        if (n->kind == DK_JUNCTION) {
            fprintf(out, "\\fill[%s] ", n->on ? "pghighlight" : "pgdim");
            tikz_point(out, c);
            fputs(" circle (1.8bp);\n", out);
            continue;
        }
        buf_truncate(&t, 0);
        if (n->shows >= 0)
            graph_node_name(g, n->shows, FMT_LATEX, &t);
        const char *style = n->kind == DK_NEURON ? "pgneuron" : n->kind == DK_LOSS ? "pgloss" : "pgvar";
        fprintf(out, "\\node[%s%s%s, minimum width=%.1fbp, minimum height=%.1fbp] at ", style,
                n->on ? ", draw=pghighlight, line width=1.2pt" : "", n->tied ? ", double" : "",
                ND_width(n->ag) * 72, ND_height(n->ag) * 72);
        tikz_point(out, c);
        fprintf(out, " {$%s$", buf_cstr(&t));
        if (D->o->value && n->shows >= 0)
            fprintf(out, "\\\\[-2pt]{\\scriptsize\\color[HTML]{1F5FA8}$%.4g$}\\\\[-2pt]"
                    "{\\scriptsize\\color[HTML]{2B8A2B}$%.4g$}", D->o->value[n->shows], D->o->grad[n->shows]);
        fputs("};\n", out);
    }
    fputs("\\end{tikzpicture}\n", out);
    if (standalone)
        fputs("\\end{document}\n", out);
    buf_free(&t);
    return D->failed ? -1 : 0;
}

/* ---- libgvc ---- */

extern gvplugin_library_t gvplugin_dot_layout_LTX_library;
extern gvplugin_library_t gvplugin_neato_layout_LTX_library;
extern gvplugin_library_t gvplugin_core_LTX_library;

/* the plugins linked in: no config file read, text measured with built-in
 * font metrics, so the output is the same bytes on every machine */
static lt_symlist_t builtins[] = {
    {"gvplugin_dot_layout_LTX_library", &gvplugin_dot_layout_LTX_library},
    {"gvplugin_neato_layout_LTX_library", &gvplugin_neato_layout_LTX_library},
    {"gvplugin_core_LTX_library", &gvplugin_core_LTX_library},
    {0, 0},
};

/* an id usable in SVG and CSS: letters, digits, '-', '_' */
static void svg_id(const char *s, Buf *out)
{
    for (; *s; s++) {
        char c = *s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_')
            buf_putc(out, c);
        else if (c == '[')
            buf_putc(out, '_');
        else if (c == '+')
            buf_puts(out, "_p");
        else if (c == ':')
            buf_puts(out, "_");
        /* ']' dropped */
    }
}

static char *S(char *s) { return s; }

/* Graphviz's own errors (its warnings are dropped): it writes one
 * message in pieces, gathered here and reported as one error, which fails
 * the drawing (every label is escaped, so none is expected) */
static Buf gv_errors;

static int gv_message(char *msg)
{
    buf_puts(&gv_errors, msg);
    return 0;
}

/* the gathered Graphviz messages as one error: 0 if there were none */
static int gv_report(void)
{
    if (!gv_errors.len)
        return 0;
    for (size_t i = 0; i < gv_errors.len; i++)
        if (gv_errors.data[i] == '\n')
            gv_errors.data[i] = ' ';
    while (gv_errors.len && gv_errors.data[gv_errors.len - 1] == ' ')
        gv_errors.len--;
    pg_error("graphviz: %s", buf_cstr(&gv_errors));
    buf_free(&gv_errors);
    return -1;
}

/* with id_prefix: PREFIX KIND NAME as an SVG id, made unique among the
 * drawing's ids by a -2, -3 ... (two edges between the same nodes, or
 * names that differ only in what an id cannot hold) */
static const char *prefixed_id(Drawing *D, StrMap *used, const char *kind, const char *a, const char *b)
{
    Buf t = {0};
    buf_puts(&t, D->o->id_prefix);
    buf_puts(&t, kind);
    svg_id(a, &t);
    if (b) {
        buf_puts(&t, "--");
        svg_id(b, &t);
    }
    size_t base = t.len;
    for (int k = 2; strmap_get(used, buf_cstr(&t)) >= 0; k++) {
        buf_truncate(&t, base);
        buf_printf(&t, "-%d", k);
    }
    const char *id = arena_strdup(&D->arena, buf_cstr(&t));
    strmap_put(used, id, 1);
    buf_free(&t);
    return id;
}

/* with id_prefix: an edge's tooltip, the local derivative of each graph
 * edge it shows (d result / d operand = factor), with LOCAL its value and
 * with GRAD the gradient of OF at the result */
static void edge_tooltip(Drawing *D, const DEdge *de, Buf *out)
{
    const Graph *g = D->g;
    buf_truncate(out, 0);
    for (int s = 0; s < 2; s++) {
        int k = de->gedge[s];
        if (k < 0)
            continue;
        const Edge *e = &g->edges[k];
        if (out->len)
            buf_puts(out, "; ");
        buf_puts(out, "\xe2\x88\x82");
        graph_node_name(g, e->from, FMT_TEXT, out);
        buf_puts(out, "/\xe2\x88\x82");
        graph_node_name(g, e->to, FMT_TEXT, out);
        buf_puts(out, " = ");
        size_t at = out->len;
        if (stage_term_string(D->d, &k, 1, FMT_TEXT, out) < 0) {
            buf_truncate(out, at);     /* a forward sum too large: reported */
            buf_puts(out, "?");
        }
        if (D->o->local) {
            char t[32];
            snprintf(t, sizeof t, " = %.4g", D->o->local[k]);
            buf_puts(out, t);
        }
        if (D->o->grad) {
            char t[32];
            snprintf(t, sizeof t, " %.4g", D->o->grad[e->from]);
            buf_puts(out, " (gradient at ");
            graph_node_name(g, e->from, FMT_TEXT, out);
            buf_puts(out, ":");
            buf_puts(out, t);
            buf_puts(out, ")");
        }
    }
    /* Graphviz expands \N, \E ... in a tooltip: no backslash reaches it */
    for (size_t i = 0; i < out->len; i++)
        if (out->data[i] == '\\')
            out->data[i] = '/';
}

typedef struct Syms {
    Agsym_t *n_label, *n_shape, *n_color, *n_fontcolor, *n_pos, *n_width, *n_height,
        *n_penwidth, *n_style, *n_fillcolor, *n_fontsize, *n_margin, *n_id, *n_class, *n_peripheries;
    Agsym_t *e_color, *e_penwidth, *e_label, *e_style, *e_id, *e_class, *e_fontcolor,
        *e_arrowsize, *e_constraint, *e_weight, *e_headlabel, *e_arrowhead, *e_tooltip;
} Syms;

static void set_html(Agraph_t *G, void *obj, Agsym_t *sym, const char *html)
{
    /* Graphviz 2.42 drops a ']' that ends an HTML label ("[a ≥ b]", an
     * Iverson bracket): a zero-width space after it keeps it */
    size_t n = strlen(html);
    Buf b = {0};
    if (n && html[n - 1] == ']') {
        buf_add(&b, html, n);
        buf_puts(&b, "&#8203;");
        html = buf_cstr(&b);
    }
    char *h = agstrdup_html(G, (char *)html);
    agxset(obj, sym, h);
    agstrfree(G, h);
    buf_free(&b);
}

/* the font sizes of the labels, in points */
#define SIZE_NODE 14.0
#define SIZE_NEURON 12.0
#define SIZE_EDGE 11.0
#define SIZE_HEAD 10.0       /* a label by an edge's head (into a junction) */
#define SIZE_STEP 12.0       /* an unrolled graph's "t = 3" */

/* the label HTML of OBJ, set at SIZE points.  For SVG, Graphviz gets only
 * an empty box of the size svgtext measures (or LEGEND's), and render
 * writes the text there once the layout is done (svg_labels): Graphviz's
 * own text would be placed with its built-in Times metrics, which are not
 * the viewer's font.  DOT keeps the label itself (for Graphviz to draw),
 * and so does TikZ (its layout, and so its bytes, as before: LaTeX sets
 * its labels). */
static void set_label(Drawing *D, Agraph_t *G, void *obj, Agsym_t *sym, const char *html, double size,
                      const Legend *legend)
{
    if (!D->svg) {
        set_html(G, obj, sym, html);
        return;
    }
    double w, h;
    if (legend) {
        w = legend->w;
        h = legend->h;
    } else {
        svgtext_measure(html, size, &w, &h);
    }
    /* an empty cell: 2.42 writes no text for it (a space would be a <text>) */
    char room[256];
    snprintf(room, sizeof room, "<TABLE BORDER=\"0\" CELLBORDER=\"0\" CELLPADDING=\"0\" CELLSPACING=\"0\" "
             "FIXEDSIZE=\"TRUE\" WIDTH=\"%d\" HEIGHT=\"%d\"><TR><TD></TD></TR></TABLE>",
             (int)ceil(w) > 1 ? (int)ceil(w) : 1, (int)ceil(h) > 1 ? (int)ceil(h) : 1);
    char *hs = agstrdup_html(G, room);
    agxset(obj, sym, hs);
    agstrfree(G, hs);
}

/* cgraph's default IDs of named objects are their strings' addresses, and
 * it orders subgraphs by ID: the order of the steps' clusters in DOT and
 * SVG would follow the allocator.  These IDs count names in the order they
 * are first met (even), anonymous objects odd, so the bytes are the same
 * on every build and machine. */
typedef struct IdState {
    Agraph_t *g;             /* the root: names are its reference strings */
    StrMap index;
    char **name;
    long n, cap;
    IDTYPE anon;
} IdState;

static void *id_open(Agraph_t *g, Agdisc_t *disc)
{
    (void)disc;
    IdState *s = xcalloc(1, sizeof(IdState));
    s->g = g;
    return s;
}

static long id_map(void *state, int objtype, char *str, IDTYPE *id, int createflag)
{
    (void)objtype;
    IdState *s = state;
    if (!str) {
        if (!createflag)
            return 0;
        s->anon += 2;
        *id = s->anon - 1;          /* odd */
        return 1;
    }
    int k = strmap_get(&s->index, str);
    if (k < 0) {
        if (!createflag)
            return 0;
        if (s->n == s->cap) {
            s->cap = s->cap ? 2 * s->cap : 64;
            s->name = xrealloc(s->name, xmul((size_t)s->cap, sizeof *s->name));
        }
        /* cgraph's own string: its writer reads a header there */
        s->name[s->n] = agstrdup(s->g, str);
        k = (int)s->n++;
        strmap_put(&s->index, s->name[k], k);
    }
    *id = (IDTYPE)(2 * (k + 1));     /* even */
    return 1;
}

static long id_alloc(void *state, int objtype, IDTYPE id)
{
    (void)state, (void)objtype, (void)id;
    return 1;
}

static void id_free(void *state, int objtype, IDTYPE id) { (void)state, (void)objtype, (void)id; }

static char *id_print(void *state, int objtype, IDTYPE id)
{
    (void)objtype;
    IdState *s = state;
    return id % 2 == 0 && id >= 2 && (long)(id / 2 - 1) < s->n ? s->name[id / 2 - 1] : NULL;
}

static void id_close(void *state)
{
    IdState *s = state;
    for (long i = 0; i < s->n; i++)
        agstrfree(s->g, s->name[i]);
    free(s->name);
    strmap_free(&s->index);
    free(s);
}

static void id_register(void *state, int objtype, void *obj) { (void)state, (void)objtype, (void)obj; }

static Agiddisc_t id_disc = {id_open, id_map, id_alloc, id_free, id_print, id_close, id_register};
static Agdisc_t cg_disc = {&AgMemDisc, &id_disc, &AgIoDisc};

/* the nop engine puts every node where render says and every label
 * where its edge is: the pitches must leave room for what the labels
 * measure (long layer names, values under names), not only for the
 * samples' — a column holds a box and, between it and the next, an edge's
 * label and a weight by its junction; a row a box, or a line's label above
 * it and a junction's weight below it */
static void widen_pitches(const Drawing *D, double *colpitch, double *rowpitch)
{
    double nw = 0, nh = 0, ew = 0, eh = 0, hw = 0, hh = 0, w, h;
    for (int i = 0; i < D->nnodes; i++) {
        const DNode *n = &D->nodes[i];
        if (!n->keep || !n->label || n->legend)
            continue;
        svgtext_measure(n->label, n->kind == DK_NEURON ? SIZE_NEURON : SIZE_NODE, &w, &h);
        if (n->kind == DK_NEURON)           /* a circle round the box */
            w = h = sqrt(w * w + h * h);
        /* the margin of the box (0.05, 0.03 inch) and its border */
        if (w + 9 > nw)
            nw = w + 9;
        if (h + 6 > nh)
            nh = h + 6;
    }
    for (int i = 0; i < D->nedges; i++) {
        const DEdge *e = &D->edges[i];
        if (!e->label || !D->nodes[e->from].keep || !D->nodes[e->to].keep)
            continue;
        svgtext_measure(e->label, e->at_head ? SIZE_HEAD : SIZE_EDGE, &w, &h);
        double *mw = e->at_head ? &hw : &ew, *mh = e->at_head ? &hh : &eh;
        if (w > *mw)
            *mw = w;
        if (h > *mh)
            *mh = h;
    }
    double cp = nw + (ew ? ew + 8 : 0) + (hw ? hw + 6 : 0) + 12;
    double rp = nh + 6;
    if (hh + eh + 8 > rp)
        rp = hh + eh + 8;
    if (D->o->top_bottom) {
        /* the columns are rows: a box's height and the labels' across */
        cp = nh + (eh ? eh + 8 : 0) + (hh ? hh + 6 : 0) + 12;
        rp = nw + 6;
        if (hw + ew + 8 > rp)
            rp = hw + ew + 8;
    }
    if (cp > *colpitch)
        *colpitch = cp;
    if (rp > *rowpitch)
        *rowpitch = rp;
}

/* the cgraph graph of drawing D; positions when NOP */
static Agraph_t *to_cgraph(Drawing *D, bool nop)
{
    const RenderOpts *o = D->o;
    Agraph_t *G = agopen(S("pathgrad"), Agdirected, &cg_disc);
    agattr(G, AGRAPH, S("rankdir"), S(o->top_bottom ? "TB" : "LR"));
    agattr(G, AGRAPH, S("fontname"), S("Times-Roman"));
    agattr(G, AGRAPH, S("bgcolor"), S("white"));
    agattr(G, AGRAPH, S("pad"), S("0.2"));
    if (o->id_prefix) {
        /* the SVG's own group, and Graphviz's ids of what has none */
        Buf gid = {0};
        buf_printf(&gid, "%sgraph", o->id_prefix);
        agattr(G, AGRAPH, S("id"), gid.data);
        buf_free(&gid);
    }
    /* edges first: a line crossing a box passes behind it */
    agattr(G, AGRAPH, S("outputorder"), S("edgesfirst"));
    if (nop) {
        agattr(G, AGRAPH, S("splines"), S("line"));
        agattr(G, AGRAPH, S("notranslate"), S("false"));
    } else {
        agattr(G, AGRAPH, S("nodesep"), S("0.12"));
        agattr(G, AGRAPH, S("ranksep"), S(D->labels ? "0.5" : "0.6"));
        agattr(G, AGRAPH, S("newrank"), S("true"));
    }
    Syms y;
    y.n_label = agattr(G, AGNODE, S("label"), S(""));
    y.n_shape = agattr(G, AGNODE, S("shape"), S("box"));
    y.n_color = agattr(G, AGNODE, S("color"), S(DIM));
    y.n_fontcolor = agattr(G, AGNODE, S("fontcolor"), S("black"));
    y.n_pos = nop ? agattr(G, AGNODE, S("pos"), S("")) : NULL;
    y.n_width = agattr(G, AGNODE, S("width"), S("0.3"));
    y.n_height = agattr(G, AGNODE, S("height"), S("0.3"));
    y.n_penwidth = agattr(G, AGNODE, S("penwidth"), S("1"));
    y.n_style = agattr(G, AGNODE, S("style"), S("rounded,filled"));
    y.n_fillcolor = agattr(G, AGNODE, S("fillcolor"), S("white"));
    y.n_fontsize = agattr(G, AGNODE, S("fontsize"), S("14"));
    y.n_margin = agattr(G, AGNODE, S("margin"), S("0.05,0.03"));
    y.n_id = agattr(G, AGNODE, S("id"), S(""));
    y.n_class = agattr(G, AGNODE, S("class"), S(""));
    /* declared only where needed: the attribute changes other drawings' bytes */
    y.n_peripheries = D->any_tied ? agattr(G, AGNODE, S("peripheries"), S("1")) : NULL;
    agattr(G, AGNODE, S("fontname"), S("Times-Roman"));
    y.e_color = agattr(G, AGEDGE, S("color"), S(DIM));
    y.e_penwidth = agattr(G, AGEDGE, S("penwidth"), S("1"));
    y.e_label = agattr(G, AGEDGE, S("label"), S(""));
    y.e_style = agattr(G, AGEDGE, S("style"), S("solid"));
    y.e_id = agattr(G, AGEDGE, S("id"), S(""));
    y.e_class = agattr(G, AGEDGE, S("class"), S(""));
    y.e_fontcolor = agattr(G, AGEDGE, S("fontcolor"), S("#444444"));
    y.e_arrowsize = agattr(G, AGEDGE, S("arrowsize"), S("0.6"));
    y.e_constraint = agattr(G, AGEDGE, S("constraint"), S("true"));
    y.e_weight = agattr(G, AGEDGE, S("weight"), S("1"));
    y.e_headlabel = agattr(G, AGEDGE, S("headlabel"), S(""));
    y.e_arrowhead = agattr(G, AGEDGE, S("arrowhead"), S("normal"));
    /* declared only for the report: the attribute changes other drawings' bytes */
    y.e_tooltip = o->id_prefix ? agattr(G, AGEDGE, S("tooltip"), S("")) : NULL;
    StrMap used = {0};
    agattr(G, AGEDGE, S("labeldistance"), S("2.2"));
    agattr(G, AGEDGE, S("labelangle"), S("-18"));
    agattr(G, AGEDGE, S("labelfontsize"), S("10"));
    agattr(G, AGEDGE, S("labelfontname"), S("Times-Roman"));
    agattr(G, AGEDGE, S("labelfontcolor"), S("#444444"));
    agattr(G, AGEDGE, S("fontname"), S("Times-Roman"));
    agattr(G, AGEDGE, S("fontsize"), S("11"));

    Buf tmp = {0};
    /* two lines of numbers under each name need the room */
    double colpitch = (D->labels ? 130 : 100) * (o->value ? 1.2 : 1),
           rowpitch = (D->labels ? 40 : 32) * (o->value ? 1.9 : 1);
    if (nop && D->svg)
        widen_pitches(D, &colpitch, &rowpitch);
    for (int i = 0; i < D->nnodes; i++) {
        DNode *n = &D->nodes[i];
        if (!n->keep)
            continue;
        n->ag = agnode(G, (char *)n->id, 1);
        switch (n->kind) {
        case DK_JUNCTION:
            agxset(n->ag, y.n_shape, S("point"));
            agxset(n->ag, y.n_style, S("filled"));
            agxset(n->ag, y.n_width, S("0.07"));
            agxset(n->ag, y.n_height, S("0.07"));
            break;
        case DK_NEURON:
            agxset(n->ag, y.n_shape, S("circle"));
            agxset(n->ag, y.n_style, S("filled"));
            agxset(n->ag, y.n_width, S("0.45"));
            agxset(n->ag, y.n_fontsize, S("12"));
            break;
        case DK_LOSS:
            agxset(n->ag, y.n_style, S("rounded,filled,bold"));
            break;
        case DK_LEGEND:
            agxset(n->ag, y.n_shape, S("plaintext"));
            break;
        case DK_WAYPOINT:
            agxset(n->ag, y.n_shape, S("point"));
            agxset(n->ag, y.n_width, S("0.01"));
            agxset(n->ag, y.n_height, S("0.01"));
            agxset(n->ag, y.n_style, S("invis"));
            break;
        default:
            break;
        }
        if (n->label)
            set_label(D, G, n->ag, y.n_label, n->label, n->kind == DK_NEURON ? SIZE_NEURON : SIZE_NODE, n->legend);
        if (n->tied)
            agxset(n->ag, y.n_peripheries, S("2"));
        if (n->on) {
            agxset(n->ag, y.n_color, S(HIGHLIGHT));
            agxset(n->ag, y.n_penwidth, S("2"));
            if (n->kind == DK_JUNCTION)
                agxset(n->ag, y.n_fillcolor, S(HIGHLIGHT));
        } else if (n->kind == DK_JUNCTION) {
            agxset(n->ag, y.n_fillcolor, S(DIM));
        }
        if (o->id_prefix) {
            n->svgid = prefixed_id(D, &used, "n-", n->id, NULL);
            agxset(n->ag, y.n_id, (char *)n->svgid);
            if (n->on)
                agxset(n->ag, y.n_class, S("path"));
        } else if (n->on && n->kind != DK_LEGEND && n->kind != DK_WAYPOINT) {
            buf_truncate(&tmp, 0);
            buf_puts(&tmp, "n-");
            svg_id(n->id, &tmp);
            agxset(n->ag, y.n_id, tmp.data);
            agxset(n->ag, y.n_class, S("path"));
        }
        if (nop) {
            double px = n->col * colpitch, py = -n->row * rowpitch;
            if (o->top_bottom) {
                double t = px;
                px = -py;
                py = -t;
            }
            buf_truncate(&tmp, 0);
            buf_printf(&tmp, "%.2f,%.2f!", px, py);
            agxset(n->ag, y.n_pos, tmp.data);
        }
    }
    /* an unrolled graph: each time step in a box of its own */
    for (int b = 1; b <= D->nbands && !nop; b++) {
        buf_truncate(&tmp, 0);
        buf_printf(&tmp, "cluster_step%d", b);
        Agraph_t *sub = agsubg(G, tmp.data, 1);
        if (D->svg) {
            Agsym_t *lab = agattr(G, AGRAPH, S("label"), NULL);
            if (!lab)
                lab = agattr(G, AGRAPH, S("label"), S(""));
            set_label(D, G, sub, lab, D->band_label[b] ? D->band_label[b] : "", SIZE_STEP, NULL);
        } else {
            agsafeset(sub, S("label"), S((char *)(D->band_label[b] ? D->band_label[b] : "")), S(""));
        }
        agsafeset(sub, S("style"), S("rounded,dashed"), S(""));
        agsafeset(sub, S("color"), S("#bbbbbb"), S(""));
        agsafeset(sub, S("fontcolor"), S("#666666"), S(""));
        agsafeset(sub, S("fontsize"), S("12"), S(""));
        agsafeset(sub, S("labeljust"), S("l"), S(""));
        for (int i = 0; i < D->nnodes; i++)
            if (D->nodes[i].keep && D->nodes[i].band == b)
                agsubnode(sub, D->nodes[i].ag, 1);
    }
    /* dot: each column one rank, its rows pinned by invisible edges */
    if (!nop) {
        int maxcol = 0;
        for (int i = 0; i < D->nnodes; i++)
            if (D->nodes[i].keep && D->nodes[i].col > maxcol)
                maxcol = (int)D->nodes[i].col;
        int *last = xmalloc(xmul((size_t)maxcol + 1, sizeof *last));
        for (int c = 0; c <= maxcol; c++)
            last[c] = -1;
        /* nodes were made column by column in row order, except that a
         * layer's columns interleave: pin each column in creation order */
        for (int c = 0; c <= maxcol; c++) {
            buf_truncate(&tmp, 0);
            buf_printf(&tmp, "col%d", c);
            Agraph_t *sub = agsubg(G, tmp.data, 1);
            agsafeset(sub, S("rank"), S("same"), S(""));
            for (int i = 0; i < D->nnodes; i++) {
                DNode *n = &D->nodes[i];
                if (!n->keep || (int)n->col != c || n->kind == DK_LEGEND)
                    continue;
                agsubnode(sub, n->ag, 1);
                if (last[c] >= 0) {
                    Agedge_t *e = agedge(G, D->nodes[last[c]].ag, n->ag, NULL, 1);
                    agxset(e, y.e_style, S("invis"));
                    agxset(e, y.e_weight, S("0"));
                }
                last[c] = i;
            }
        }
        free(last);
    }
    for (int i = 0; i < D->nedges; i++) {
        DEdge *de = &D->edges[i];
        DNode *a = &D->nodes[de->from], *b = &D->nodes[de->to];
        if (!a->keep || !b->keep)
            continue;
        Agedge_t *e = agedge(G, a->ag, b->ag, NULL, 1);
        de->ag = e;
        if (de->label)
            set_label(D, G, e, de->at_head ? y.e_headlabel : y.e_label, de->label,
                      de->at_head ? SIZE_HEAD : SIZE_EDGE, NULL);
        if (de->skip)
            agxset(e, y.e_style, S("dashed"));
        if (de->no_arrow)
            agxset(e, y.e_arrowhead, S("none"));
        if (o->id_prefix) {
            const char *id = prefixed_id(D, &used, "e-", a->id, b->id);
            agxset(e, y.e_id, (char *)id);
            edge_tooltip(D, de, &tmp);
            agxset(e, y.e_tooltip, tmp.data ? tmp.data : S(""));
            if (o->edge_fn)
                o->edge_fn(o->edge_ctx, id, a->svgid, b->svgid, de->gedge);
        }
        if (!de->on)
            continue;
        /* colour: the terms' own colours, else the highlight */
        buf_truncate(&tmp, 0);
        if (o->colors && de->terms) {
            for (int t = 0; t < D->ncolors; t++)
                if (de->terms & ((uint64_t)1 << t))
                    buf_printf(&tmp, "%s%s", tmp.len ? ":" : "", palette[t]);
        } else {
            buf_puts(&tmp, HIGHLIGHT);
        }
        agxset(e, y.e_color, tmp.data);
        agxset(e, y.e_penwidth, S("2.5"));
        agxset(e, y.e_fontcolor, S("black"));
        buf_truncate(&tmp, 0);
        buf_puts(&tmp, "path");
        /* (not in the report: its terms are numbered in derive's order, which
         * a tied weight's terms do not walk in; its page has a map of them) */
        for (int t = 0; t < D->nterms_shown && t < PG_MAX_TERM_BITS && !o->id_prefix; t++)
            if (de->terms & ((uint64_t)1 << t))
                buf_printf(&tmp, " term%d", t + 1);
        agxset(e, y.e_class, tmp.data);
        if (o->id_prefix)
            continue;
        buf_truncate(&tmp, 0);
        buf_puts(&tmp, "e-");
        svg_id(a->id, &tmp);
        buf_puts(&tmp, "--");
        svg_id(b->id, &tmp);
        agxset(e, y.e_id, tmp.data);
    }
    strmap_free(&used);
    buf_free(&tmp);
    return G;
}

/* a legend of N rows for the SVG, to fill in */
static Legend *legend_new(Drawing *D, int n)
{
    Legend *L = arena_alloc(&D->arena, sizeof *L);
    L->rows = arena_alloc(&D->arena, sizeof *L->rows * (size_t)(n ? n : 1));
    L->n = n;
    return L;
}

static void legend_row(Drawing *D, Legend *L, int i, const char *html, const char *swatch, const char *color,
                       double size)
{
    LegendRow *r = &L->rows[i];
    r->html = arena_strdup(&D->arena, html);
    r->swatch = swatch;
    r->color = color;
    r->size = size;
    svgtext_measure(html, size, &r->w, &r->h);
    double h = (swatch && r->h < SWATCH_H ? SWATCH_H : r->h) + 2 * LEGEND_PAD;
    double w = (swatch ? SWATCH_W + SWATCH_GAP : 0) + r->w;
    L->h += h;
    if (w > L->w)
        L->w = w;
}

/* what the two numbers under a name are */
static void add_numbers_legend(Drawing *D)
{
    Buf h = {0};
    buf_puts(&h, "<TABLE BORDER=\"0\" CELLBORDER=\"0\" CELLSPACING=\"2\" CELLPADDING=\"1\">"
                 "<TR><TD ALIGN=\"LEFT\"><FONT POINT-SIZE=\"10\" COLOR=\"" VALUE_COLOR "\">value</FONT></TD></TR>"
                 "<TR><TD ALIGN=\"LEFT\"><FONT POINT-SIZE=\"10\" COLOR=\"" GRAD_COLOR "\">&#8706;");
    buf_puts(&h, D->o->of_name ? D->o->of_name : "OF");
    buf_puts(&h, " / &#8706;(node)</FONT></TD></TR></TABLE>");
    Legend *L = legend_new(D, 2);
    legend_row(D, L, 0, "value", NULL, VALUE_COLOR, 10);
    Buf r = {0};
    buf_puts(&r, "&#8706;");
    buf_puts(&r, D->o->of_name ? D->o->of_name : "OF");
    buf_puts(&r, " / &#8706;(node)");
    legend_row(D, L, 1, buf_cstr(&r), NULL, GRAD_COLOR, 10);
    buf_free(&r);
    double minrow = 0;
    for (int i = 0; i < D->nnodes; i++)
        if (D->nodes[i].keep && D->nodes[i].row < minrow)
            minrow = D->nodes[i].row;
    int v = dnode(D, "numbers-legend", buf_cstr(&h), DK_LEGEND, 0, minrow - 1.5, -1);
    D->nodes[v].keep = true;
    D->nodes[v].legend = L;
    buf_free(&h);
}

static void add_legend(Drawing *D)
{
    Buf h = {0};
    buf_puts(&h, "<TABLE BORDER=\"0\" CELLBORDER=\"0\" CELLSPACING=\"3\" CELLPADDING=\"1\">");
    for (int t = 0; t < D->ncolors; t++) {
        const Buf *term = &D->legend_terms[t];
        /* a term ending in ']' (an Iverson bracket) trips 2.42's parser
         * before "</TD>" as at a label's end (set_html): the same guard */
        buf_printf(&h, "<TR><TD BGCOLOR=\"%s\" WIDTH=\"18\" HEIGHT=\"8\"></TD>"
                   "<TD ALIGN=\"LEFT\">%d: %s%s</TD></TR>", palette[t], t + 1, term->data ? term->data : "",
                   term->len && term->data[term->len - 1] == ']' ? "&#8203;" : "");
    }
    buf_puts(&h, "</TABLE>");
    Legend *L = legend_new(D, D->ncolors);
    Buf r = {0};
    for (int t = 0; t < D->ncolors; t++) {
        buf_truncate(&r, 0);
        buf_printf(&r, "%d: %s", t + 1, buf_cstr(&D->legend_terms[t]));
        legend_row(D, L, t, buf_cstr(&r), palette[t], "black", 14);
    }
    buf_free(&r);
    int maxcol = 0;
    double minrow = 0;
    for (int i = 0; i < D->nnodes; i++) {
        if (D->nodes[i].keep && D->nodes[i].col > maxcol)
            maxcol = (int)D->nodes[i].col;
        if (D->nodes[i].keep && D->nodes[i].row < minrow)
            minrow = D->nodes[i].row;
    }
    int v = dnode(D, "legend", buf_cstr(&h), DK_LEGEND, maxcol / 2, minrow - 2 - D->ncolors * 0.4, -1);
    D->nodes[v].keep = true;
    D->nodes[v].legend = L;
    buf_free(&h);
}

/* ---- the labels' text in the SVG ---- */

/* Graphviz writes a layout point (x, y) as x, -y inside <g id="graph0">,
 * whose transform places it */
static void legend_text(const Legend *L, pointf c, Buf *out)
{
    double left = c.x - L->w / 2, y = -c.y - L->h / 2;
    for (int i = 0; i < L->n; i++) {
        const LegendRow *r = &L->rows[i];
        double h = (r->swatch && r->h < SWATCH_H ? SWATCH_H : r->h) + 2 * LEGEND_PAD, mid = y + h / 2;
        double x = left;
        if (r->swatch) {
            buf_printf(out, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%g\" height=\"%g\" fill=\"%s\" stroke=\"none\"/>\n",
                       left, mid - SWATCH_H / 2, SWATCH_W, SWATCH_H, r->swatch);
            x += SWATCH_W + SWATCH_GAP;
        }
        svgtext_write(out, r->html, r->size, r->color, x, mid, true, NULL);
        y += h;
    }
}

/* OUT's bytes to F once there are many (a 50x50 network's labels are MBs) */
static void spill(Buf *out, FILE *f, bool all, bool *failed)
{
    if (out->len < (all ? 1 : 1 << 16))
        return;
    if (fwrite(out->data, 1, out->len, f) != out->len)
        *failed = true;
    buf_truncate(out, 0);
}

/* every label's <text>, where the layout left room for it, to F */
static void svg_labels(Drawing *D, Agraph_t *G, FILE *f, bool *failed)
{
    Buf text = {0}, *out = &text;
    for (int b = 1; b <= D->nbands; b++) {
        char name[32];
        snprintf(name, sizeof name, "cluster_step%d", b);
        Agraph_t *sub = agsubg(G, name, 0);
        textlabel_t *lab = sub ? GD_label(sub) : NULL;
        if (lab && lab->set && D->band_label[b])
            svgtext_write(out, D->band_label[b], SIZE_STEP, "#666666", lab->pos.x, -lab->pos.y, false, NULL);
        spill(out, f, false, failed);
    }
    for (int i = 0; i < D->nedges; i++) {
        DEdge *de = &D->edges[i];
        if (!de->ag || !de->label)
            continue;
        textlabel_t *lab = de->at_head ? ED_head_label(de->ag) : ED_label(de->ag);
        if (!lab || !lab->set)
            continue;
        pointf p = lab->pos;
        int k = de->gedge[0];
        if (!de->at_head && k >= 0 && D->g->edges[k].kind == E_BIAS && !de->skip) {
            /* a bias's 1: Graphviz puts it mid-way, which is the junctions'
             * column, where the weights by their junctions are; here it
             * sits a quarter of the way from the bias, above the line */
            double w, h;
            svgtext_measure(de->label, SIZE_EDGE, &w, &h);
            pointf a = ND_coord(D->nodes[de->from].ag), b = ND_coord(D->nodes[de->to].ag);
            p = (pointf){a.x + (b.x - a.x) / 4, a.y + (b.y - a.y) / 4};
            if (D->o->top_bottom)
                p.x += 2 + w / 2;
            else
                p.y += 2 + h / 2;
        } else if (de->at_head) {
            /* the weight by its junction (the edge y -> junction): Graphviz
             * puts it along the edge (labelangle, labeldistance), so steep
             * edges into neighbouring junctions bring theirs together; here
             * it sits just before the junction, on the side of the row's
             * line away from the line's own label (the input y, above it) */
            double w, h;
            svgtext_measure(de->label, SIZE_HEAD, &w, &h);
            pointf j = ND_coord(D->nodes[de->to].ag);
            if (D->o->top_bottom)
                p = (pointf){j.x + 2 + w / 2, j.y + 3 + h / 2};
            else
                p = (pointf){j.x - 3 - w / 2, j.y - 1 - h / 2};
        }
        /* as Graphviz had it: labelfontcolor by the head, else fontcolor */
        svgtext_write(out, de->label, de->at_head ? SIZE_HEAD : SIZE_EDGE,
                      de->on && !de->at_head ? "black" : "#444444", p.x, -p.y, false, NULL);
        spill(out, f, false, failed);
    }
    for (int i = 0; i < D->nnodes; i++) {
        DNode *n = &D->nodes[i];
        if (!n->keep || !n->ag || !n->label)
            continue;
        pointf c = ND_coord(n->ag);
        if (n->legend)
            legend_text(n->legend, c, out);
        else
            svgtext_write(out, n->label, n->kind == DK_NEURON ? SIZE_NEURON : SIZE_NODE, "black", c.x, -c.y, false,
                          NULL);
        spill(out, f, false, failed);
    }
    spill(out, f, true, failed);
    buf_free(&text);
}

/* Graphviz's SVG passes through to OUT but for its last bytes, held back
 * so that the labels go in before its end ("</g>\n</svg>\n"): a 50x50
 * network's SVG is tens of MB, not to be held in memory twice */
typedef struct Held {
    FILE *out;
    char tail[64];
    size_t n;
    bool failed;
} Held;

static ssize_t held_write(void *cookie, const char *buf, size_t size)
{
    Held *h = cookie;
    if (h->n + size <= sizeof h->tail) {
        memcpy(h->tail + h->n, buf, size);
        h->n += size;
        return (ssize_t)size;
    }
    /* write all but the last sizeof tail bytes of tail + buf */
    size_t flush = h->n + size - sizeof h->tail, from_tail = flush < h->n ? flush : h->n, from_buf = flush - from_tail;
    if (fwrite(h->tail, 1, from_tail, h->out) != from_tail || fwrite(buf, 1, from_buf, h->out) != from_buf)
        h->failed = true;
    memmove(h->tail, h->tail + from_tail, h->n - from_tail);
    memcpy(h->tail + (h->n - from_tail), buf + from_buf, size - from_buf);
    h->n = sizeof h->tail;
    return (ssize_t)size;
}

/* the SVG of the laid-out G, its labels' text added at the end of the
 * drawing's group (over the boxes and lines) */
static int write_svg(Drawing *D, GVC_t *gvc, Agraph_t *G, FILE *out)
{
    Held h = {out, {0}, 0, false};
    cookie_io_functions_t io = {NULL, held_write, NULL, NULL};
    FILE *f = fopencookie(&h, "w", io);
    if (!f)
        return -1;
    int rc = gvRender(gvc, G, "svg", f);
    if (fclose(f) != 0 || rc != 0)
        return -1;
    static const char end[] = "</g>\n</svg>";
    size_t at = h.n;
    for (size_t i = h.n >= sizeof end - 1 ? h.n - (sizeof end - 1) + 1 : 0; i-- > 0;)
        if (memcmp(h.tail + i, end, sizeof end - 1) == 0) {
            at = i;
            break;
        }
    if (at == h.n)
        return -1;                      /* not Graphviz's SVG as known */
    if (fwrite(h.tail, 1, at, out) != at)
        h.failed = true;
    svg_labels(D, G, out, &h.failed);
    if (fwrite(h.tail + at, 1, h.n - at, out) != h.n - at)
        h.failed = true;
    return h.failed ? -1 : 0;
}

/* drawn edges from FIRST on take the highlight of the graph edges they show */
static void mark_on(Drawing *D, int first)
{
    for (int i = first; i < D->nedges; i++) {
        DEdge *e = &D->edges[i];
        for (int s = 0; s < 2; s++) {
            int k = e->gedge[s];
            if (k >= 0 && D->on[k]) {
                e->on = true;
                e->terms |= D->terms[k];
            }
        }
        if (e->on)
            D->nodes[e->from].on = D->nodes[e->to].on = true;
    }
}

static int by_col_row(const void *a, const void *b)
{
    const DNode *x = *(const DNode *const *)a, *y = *(const DNode *const *)b;
    if (x->col != y->col)
        return x->col < y->col ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

/* --only-paths: close the gaps the dropped nodes leave in each column */
static void compact_rows(Drawing *D)
{
    DNode **v = xmalloc(xmul((size_t)D->nnodes + 1, sizeof *v));
    int n = 0;
    for (int i = 0; i < D->nnodes; i++)
        if (D->nodes[i].keep)
            v[n++] = &D->nodes[i];
    qsort(v, (size_t)n, sizeof *v, by_col_row);
    for (int i = 0; i < n;) {
        int j = i;
        while (j < n && v[j]->col == v[i]->col)
            j++;
        for (int k = i; k < j; k++)
            v[k]->row = (k - i) - (j - i - 1) / 2.0;
        i = j;
    }
    free(v);
}

int render_write(const Graph *g, int of, int wrt, int node, const RenderOpts *o, FILE *out)
{
    Drawing D;
    memset(&D, 0, sizeof D);
    D.g = g;
    D.o = o;
    Deriver d;
    deriver_init(&d, g, o->stage);
    if (of >= 0)
        deriver_target(&d, of, wrt);
    D.d = &d;
    D.of_gnode = xmalloc(xmul((size_t)g->nnodes, sizeof *D.of_gnode));
    D.drawn_w = xmalloc(xmul((size_t)g->nedges + 1, sizeof *D.drawn_w));
    for (int v = 0; v < g->nnodes; v++)
        D.of_gnode[v] = -1;
    D.on = xcalloc((size_t)(g->nedges ? g->nedges : 1), 1);
    D.terms = xcalloc((size_t)(g->nedges ? g->nedges : 1), sizeof *D.terms);
    int rc = 0;

    /* a drawing's size is known before it is built: refuse it early */
    uint64_t est_nodes = (uint64_t)g->nnodes, est_edges = (uint64_t)g->nedges;
    if (g->kind == B_NETWORK && o->view == VIEW_GRAPH) {
        for (int v = 0; v < g->nnodes; v++)
            est_nodes += g->nodes[v].kind == N_WEIGHT;
        est_edges += est_nodes - (uint64_t)g->nnodes;
    }
    if (limit_check2(est_nodes, PG_MAX_DRAW_NODES, est_edges, PG_MAX_DRAW_EDGES, NULL, (Loc){0, 0, 0, 0},
                     "render: the drawing would have %llu nodes and %llu edges, more than the limits of %d and %d%s",
                     (unsigned long long)est_nodes, (unsigned long long)est_edges, PG_MAX_DRAW_NODES,
                     PG_MAX_DRAW_EDGES,
                     g->kind == B_NETWORK && o->view == VIEW_GRAPH ? " (--view network draws fewer)" : "") < 0)
        rc = -1;
    /* edge labels make a large drawing slow to place and unreadable */
    D.labels = o->labels && est_edges <= PG_MAX_LABELED_EDGES;
    D.svg = !o->dot && !o->tikz;
    if (rc == 0)
        rc = mark_highlight(&D, of, wrt, node);
    if (rc == 0) {
        if (g->kind == B_GRAPH)
            build_scalar(&D);
        else if (o->view == VIEW_NETWORK)
            build_network_neurons(&D);
        else
            build_network_graph(&D);
        if (D.failed)
            rc = -1;
    }
    if (rc == 0) {
        /* what is on the paths, and what is drawn */
        mark_on(&D, 0);
        for (int q = 0; q < D.nskips; q++)
            if (D.on[D.skips[3 * q + 2]])
                D.nodes[D.skips[3 * q]].on = D.nodes[D.skips[3 * q + 1]].on = true;
        if (of >= 0 && D.of_gnode[of] >= 0 && node < 0)
            D.nodes[D.of_gnode[of]].on = true;
        int mark = node >= 0 ? node : wrt;
        if (mark >= 0 && D.of_gnode[mark] >= 0)
            D.nodes[D.of_gnode[mark]].on = true;
        for (int i = 0; i < D.nnodes; i++)
            D.nodes[i].keep = !o->only_paths || D.nodes[i].on;
        if (o->only_paths)
            compact_rows(&D);
        int first_new = D.nedges;
        route_skips(&D);
        mark_on(&D, first_new);
        for (int i = first_new; i < D.nedges; i++)
            if (D.edges[i].on || !o->only_paths)
                D.nodes[D.edges[i].from].keep = D.nodes[D.edges[i].to].keep = true;
        if (D.legend_terms && D.ncolors > 0)
            add_legend(&D);
        if (o->value)
            add_numbers_legend(&D);

        int kept_nodes = 0, kept_edges = 0;
        for (int i = 0; i < D.nnodes; i++)
            kept_nodes += D.nodes[i].keep;
        for (int i = 0; i < D.nedges; i++)
            kept_edges += D.nodes[D.edges[i].from].keep && D.nodes[D.edges[i].to].keep;
        bool nop = g->kind == B_NETWORK || kept_nodes > PG_DOT_MAX_NODES || kept_edges > PG_DOT_MAX_EDGES;

        agusererrf old_errf = agseterrf(gv_message);
        agerrlevel_t old_level = agseterr(AGERR);
        GVC_t *gvc = gvContextPlugins(builtins, 0);
        Agraph_t *G = to_cgraph(&D, nop);
        if (gvLayout(gvc, G, nop ? "nop" : "dot") != 0) {
            gv_report();
            pg_error("render: the layout failed");
            rc = -1;
        } else if (gv_report() < 0) {
            gvFreeLayout(gvc, G);
            rc = -1;
        } else {
            /* straight into the output: a 50x50 network is tens of MB */
            if (o->tikz) {
                if (write_tikz(&D, G, o->standalone, out) < 0)
                    rc = -1;
            } else if (o->dot ? gvRender(gvc, G, "dot", out) != 0 : write_svg(&D, gvc, G, out) != 0) {
                pg_error("render: Graphviz could not write %s", o->dot ? "DOT" : "SVG");
                rc = -1;
            }
            gvFreeLayout(gvc, G);
        }
        agclose(G);
        gvFreeContext(gvc);
        agseterr(old_level);
        agseterrf(old_errf);
    }
    if (D.legend_terms) {
        for (int t = 0; t < PG_MAX_COLORS; t++)
            buf_free(&D.legend_terms[t]);
        free(D.legend_terms);
    }
    free(D.skips);
    free(D.skip_labels);
    free(D.nodes);
    free(D.edges);
    free(D.of_gnode);
    free(D.drawn_w);
    free(D.on);
    free(D.terms);
    arena_free(&D.arena);
    deriver_free(&d);
    return rc;
}
