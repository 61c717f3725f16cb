/* paths.h — the paths of a derivative: which nodes lie on them, how many
 * there are, walking them one by one, the edges they use, and how long they
 * are.  Every traversal of the graph from OF towards REF is here; derive,
 * render, report and the numbers call it.
 *
 * A path of d(OF)/d(REF) is a directed path OF -> ... -> REF.  An edge
 * filter takes out the edges whose factor is zero at a stage (a dead ReLU
 * from stage act on), and with them the paths through them; without a
 * filter every path counts.
 *
 * Invariant of a marking: mark[v] == R_YES exactly for the nodes, among
 * those OF reaches, from which a path of non-zero edges leads to REF.  A
 * walk only descends into such nodes, so every branch of it ends in a
 * path: work per path beyond its own length is O(1) amortised.
 *
 * Everything here is iterative: a graph a million layers deep does not
 * touch the C stack.  Ownership: arrays returned belong to the caller
 * (free(), or the *_free function named beside them).
 */
#ifndef PG_PATHS_H
#define PG_PATHS_H

#include "graph.h"

#include <gmp.h>
#include <stdbool.h>

/* is edge K's factor zero?  1 yes, 0 no, -1 after an error (reported) */
typedef struct EdgeFilter {
    int (*zero)(void *ctx, int edge);
    void *ctx;
} EdgeFilter;

enum { R_NEW = 0, R_OPEN, R_NO, R_YES };

/* the marking of the nodes on the paths OF -> REF (F NULL: every edge);
 * NULL after the filter failed */
unsigned char *paths_mark(const Graph *g, int of, int wrt, const EdgeFilter *f);
/* is edge K on a path (its ends marked, its factor not zero)? */
bool paths_edge_on(const Graph *g, const unsigned char *mark, int wrt, const EdgeFilter *f, int k);
/* the number of paths of a marking, exactly */
void paths_count_marked(const Graph *g, int of, int wrt, const unsigned char *mark,
                        const EdgeFilter *f, mpz_t out);
/* the number of paths; 0, or -1 after the filter failed (OUT is then 0) */
int paths_count(const Graph *g, int of, int wrt, const EdgeFilter *f, mpz_t out);

/* the usable edges of each marked node, in edge order: those of node v are
 * kids[kid0[v]] .. kids[kid0[v+1]-1] */
typedef struct PathKids {
    int *kid0, *kids;
} PathKids;
void paths_kids(const Graph *g, const unsigned char *mark, int wrt, const EdgeFilter *f, PathKids *k);
void paths_kids_free(PathKids *k);

/* A depth-first walk over the paths, in the order of the edges: each call
 * to paths_walk_next either goes one edge deeper (WALK_DOWN: node[depth]
 * was reached through edge via[depth]) or has completed a path
 * (WALK_TERM: node[0..depth], edges via[1..depth]), until WALK_DONE.
 * Callers keep what they need per depth in arrays of their own, grown to
 * cap. */
typedef struct PathWalk {
    const Graph *g;
    int wrt;
    const int *kid0, *kids;
    int depth;
    bool popping;
    size_t cap;
    int *node, *cursor, *via;
} PathWalk;
enum { WALK_DOWN, WALK_TERM, WALK_DONE };

void paths_walk_begin(PathWalk *w, const Graph *g, int of, int wrt, const unsigned char *mark,
                      const PathKids *k);
void paths_walk_end(PathWalk *w);

void paths_walk_grow(PathWalk *w);

/* (the hot loop of every expanded sum: the walk's state is kept in locals,
 * which stores into its int arrays cannot alias) */
static inline int paths_walk_next(PathWalk *w)
{
    int depth = w->depth;
    const int wrt = w->wrt;
    const int *kid0 = w->kid0;
    if (w->popping) {
        w->popping = false;
        depth--;
    }
    for (;;) {
        if (depth < 0) {
            w->depth = depth;
            return WALK_DONE;
        }
        int v = w->node[depth];
        if (v == wrt) {
            w->popping = true;
            w->depth = depth;
            return WALK_TERM;
        }
        int c = w->cursor[depth];
        if (c == kid0[v + 1]) {
            depth--;
            continue;
        }
        w->cursor[depth] = c + 1;
        int k = w->kids[c];
        if ((size_t)depth + 2 > w->cap)
            paths_walk_grow(w);
        int to = w->g->edges[k].to;
        depth++;
        w->node[depth] = to;
        w->cursor[depth] = kid0[to];
        w->via[depth] = k;
        w->depth = depth;
        return WALK_DOWN;
    }
}

/* Call FN for each path in walk order with its edges (OF's first) and its
 * 0-based index; FN returns non-zero to stop.  0, or -1 after the filter
 * failed. */
typedef int (*PathFn)(void *ctx, const int *edges, int nedges, unsigned long long index);
int paths_each(const Graph *g, int of, int wrt, const EdgeFilter *f, PathFn fn, void *ctx);
/* ON[k] = 1 for every edge on a path (linear in the graph, nothing
 * enumerated).  0, or -1 after the filter failed. */
int paths_edges(const Graph *g, int of, int wrt, const EdgeFilter *f, unsigned char *on);

/* Every node of G, operands before the variables that use them (a
 * post-order from every root): *N of them.  The caller frees. */
int *paths_topological(const Graph *g, int *n);
/* ON[k] = 1 for every edge below NODE: the edges its forward path sum
 * follows (a dead neuron's inputs left out) */
void paths_below(const Graph *g, int node, unsigned char *on);

/* The marked nodes in post-order from OF (a node after everything below
 * it): *N of them.  The caller frees. */
int *paths_postorder(const Graph *g, int of, int wrt, const unsigned char *mark, int *n);

/* The lengths of every path OF -> REF, counted in the edges for which
 * LEN(edge) is 1 (a network's junctions: the weight layers crossed), by
 * dynamic programming, exactly; with WEIGHT, also the sum over the paths of
 * each length of the product of |WEIGHT(edge)|. */
typedef struct PathLengths {
    int longest;             /* the longest path's length; -1: no path */
    mpz_t *count;            /* count[l], l = 0..longest */
    double *weight;          /* with WEIGHT: its sums, else NULL */
} PathLengths;
/* 0, or -1 after a message: more counters than PG_MAX_HIST_CELLS */
int paths_lengths(const Graph *g, int of, int wrt, int (*len)(const Edge *e),
                  double (*weight)(void *ctx, int edge), void *ctx, PathLengths *out);
void paths_lengths_free(PathLengths *pl);

#endif
