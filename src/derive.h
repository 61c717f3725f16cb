/* derive.h — the derivative as a sum over paths, simplified to a stage,
 * and the forward path sums.
 *
 * Ownership: a Deriver borrows its Graph and owns its caches (factor
 * texts, forward sums) until deriver_free.  Output is streamed to a FILE*
 * the caller owns; write errors are left for the caller to find with
 * ferror().
 */
#ifndef PG_DERIVE_H
#define PG_DERIVE_H

#include "graph.h"

#include <gmp.h>
#include <stdio.h>

/* ST_FACTORED: the local factors, in the nested backprop form */
typedef enum { ST_CHAIN, ST_ACT, ST_LOCAL, ST_FORWARD, ST_FACTORED } Stage;
typedef enum { OUT_LATEX, OUT_TEXT, OUT_JSON } OutFormat;

const char *stage_name(Stage s);
int stage_parse(const char *s, Stage *out);

typedef struct Factor Factor;

typedef struct Deriver {
    const Graph *g;
    Stage stage;
    Factor *factors;          /* per edge, filled on first use */
    Expr **fwd;               /* per node: forward path sum, on first use */
    unsigned char *fwd_state; /* 0 none, 1 computing, 2 done */
    Arena arena;
} Deriver;


void deriver_init(Deriver *d, const Graph *g, Stage stage);
void deriver_free(Deriver *d);

/* exact number of paths OF -> REF (every path, whatever the stage) */
void count_paths(const Graph *g, int of, int wrt, mpz_t out);

/* the number of terms at the deriver's stage: paths whose factors are all
 * non-zero (a dead ReLU's paths leave the sum from stage act on).
 * Returns 0, or -1 after printing an error (a forward sum too large). */
int count_terms(Deriver *d, int of, int wrt, mpz_t out);

/* Write d(OF)/d(REF) to OUT in FORMAT, one term a path in path order.
 * Returns 0, or -1 after printing an error (a forward sum too large). */
int derive_write(Deriver *d, int of, int wrt, OutFormat fmt, FILE *out);

/* Stage factored: one equation a variable on the paths,
 * delta_v = sum over its parents p of delta_p * d(p)/d(v), ending in
 * d(OF)/d(REF); size linear in the graph, whatever the number of paths. */
int factored_write(Deriver *d, int of, int wrt, OutFormat fmt, FILE *out);

/* --collapse: the terms of a network grouped into families that differ
 * only in neuron indices, each written as sums over those indices (at most
 * LIMIT families; 0: no bound).  Scalar graphs print as derive_write. */
int collapse_write(Deriver *d, int of, int wrt, OutFormat fmt, unsigned long long limit, FILE *out);

/* Write the forward path sum of NODE ("y^{1}_{n-1} = ..."). Returns 0 or
 * -1 after printing an error. */
int expand_write(Deriver *d, int node, OutFormat fmt, FILE *out);

/* Call FN for each term of d(OF)/d(REF) at the deriver's stage, in path
 * order, with the edges of its path (OF first) and its 0-based index; FN
 * returns non-zero to stop.  Returns 0, or -1 after printing an error. */
typedef int (*PathFn)(void *ctx, const int *edges, int nedges, unsigned long long index);
int derive_walk(Deriver *d, int of, int wrt, PathFn fn, void *ctx);

/* ON[k] = 1 for every edge k on the path of some term (no enumeration:
 * linear in the graph).  Returns 0, or -1 after printing an error. */
int derive_path_edges(Deriver *d, int of, int wrt, unsigned char *on);

/* the term of a path, as derive prints it */
void derive_term_string(Deriver *d, const int *edges, int n, Style st, Buf *out);

#endif
