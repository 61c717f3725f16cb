/* render.h — the computational graph and its paths, drawn through libgvc.
 *
 * Ownership: render_write borrows the Graph and writes the SVG or DOT text
 * to the caller's FILE.  All libgvc state is created and torn
 * down inside one call (context, graph, layout, rendered data).
 */
#ifndef PG_RENDER_H
#define PG_RENDER_H

#include "stage.h"
#include "graph.h"

#include <stdbool.h>
#include <stdio.h>

typedef enum { VIEW_GRAPH, VIEW_NETWORK } View;

typedef struct RenderOpts {
    View view;
    bool dot;              /* DOT instead of SVG */
    bool top_bottom;       /* rankdir TB instead of LR */
    unsigned long long term;   /* 0: every term; K: only the K-th */
    bool colors;           /* each term's path in its own colour, a legend */
    bool only_paths;       /* draw only what the paths use */
    bool labels;           /* local derivatives on the edges */
    Stage stage;
    /* --values / --seed: each node's value and the gradient of OF with
     * respect to it (by graph node), drawn under its name; NULL: none */
    const double *value, *grad;
    const char *of_name;   /* OF as printed in the legend of the numbers */
    bool tikz;             /* a TikZ picture (libgvc's layout, LaTeX labels) */
    bool standalone;       /* tikz: a whole document (class standalone) */
    /* report: every drawn node and edge gets an SVG id beginning with
     * ID_PREFIX (unique among several drawings of one page), every edge
     * its local derivative as a tooltip (with LOCAL, by graph edge, also
     * its value, and with GRAD the gradient of OF at its result), and
     * EDGE_FN hears of each edge drawn: its id, the ids of its tail and
     * head, and the graph edges it shows (-1: none).  NULL: none of it */
    const char *id_prefix;
    const double *local;
    void (*edge_fn)(void *ctx, const char *id, const char *tail, const char *head, const int gedge[2]);
    void *edge_ctx;
} RenderOpts;


/* Draw GRAPH with the paths OF -> WRT highlighted (OF < 0: none), or with
 * NODE >= 0, the paths of NODE's forward path sum, as SVG or DOT to OUT.
 * Every check that can fail on the input runs before the first byte is
 * written.  Returns 0, or -1 after printing an error. */
int render_write(const Graph *g, int of, int wrt, int node, const RenderOpts *o, FILE *out);

#endif
