/* stage.h — the local factor of each edge at a stage, and forward sums.
 *
 * A stage says how far each factor of a path's product is simplified:
 *   chain     the partial derivative d(from)/d(to) itself
 *   act       activations replaced (a row's derivative; a live ReLU 1, a dead one 0)
 *   local     also junctions (dx/dw = y, dx/dy = w), shortcuts and biases 1,
 *             scalar operators differentiated
 *   forward   also every y that is not an input replaced by its forward
 *             path sum (networks), every defined name by its definition (graphs)
 *   factored  the factors of local, written as the backprop equations
 *
 * A Deriver holds one stage's factors of one graph, made on first use and
 * cached (a derivation asks for the same edge millions of times).  A factor
 * is split as coef * core: the number joins the term's coefficient, the
 * symbolic core is printed.  Ownership: the Deriver borrows its Graph and
 * owns its factors and forward sums until deriver_free.
 */
#ifndef PG_STAGE_H
#define PG_STAGE_H

#include "graph.h"
#include "paths.h"

#include <gmp.h>

typedef enum { ST_CHAIN, ST_ACT, ST_LOCAL, ST_FORWARD, ST_FACTORED } Stage;

const char *stage_name(Stage s);
int stage_parse(const char *s, Stage *out);

typedef struct Factor {
    unsigned char done, zero, one, printed;
    double coef;
    Expr *core;                           /* NULL: purely numeric */
    Expr *e;                              /* the whole factor */
    /* printed on first use (drawings need none): the core as a factor of a
     * product, (a+b); the core alone, a+b; the whole factor in LaTeX (JSON) */
    const char *latex, *text;
    size_t latex_len, text_len;
    const char *latex_bare, *text_bare;
    size_t latex_bare_len, text_bare_len;
    const char *json;
    size_t json_len;
} Factor;

typedef struct Deriver {
    const Graph *g;
    Stage stage;
    Factor *factors;          /* per edge, filled on first use */
    Expr **fwd;               /* per node: forward path sum, on first use */
    unsigned char *fwd_state; /* 0 none, 2 done; 3 refused */
    bool fold;                /* the last layer folds with the loss (graph_folds) */
    unsigned char *whole;     /* per layer: its activation couples it (softmax) */
    Buf scratch;              /* printing a factor */
    Arena arena;
} Deriver;

void deriver_init(Deriver *d, const Graph *g, Stage stage);
/* say which derivative d(OF)/d(WRT) the factors are for (WRT -1: any):
 * a last softmax layer folds with an xent loss from stage local on, except
 * for OF other than the loss, or WRT a y of the last layer, which the loss
 * reaches straight.  Without it nothing folds. */
void deriver_target(Deriver *d, int of, int wrt);
void deriver_free(Deriver *d);

/* the factor of edge K at the stage, or NULL after an error (a forward sum
 * too large, reported) */
const Factor *stage_factor(Deriver *d, int k);
/* the same with its printed forms made */
/* the printed forms NEED asks for (PRINTED_*), each made on first use */
enum { PRINTED_LATEX = 1, PRINTED_TEXT = 2, PRINTED_JSON = 4 };
const Factor *stage_factor_make_printed(Deriver *d, int k, unsigned need);
static inline const Factor *stage_factor_printed(Deriver *d, int k, unsigned need)
{
    const Factor *f = &d->factors[k];
    return f->done && (f->printed & need) == need ? f : stage_factor_make_printed(d, k, need);
}
/* the PRINTED_ bit of a style (LaTeX or text) */
static inline unsigned printed_style(Style st) { return st == FMT_LATEX ? PRINTED_LATEX : PRINTED_TEXT; }
/* is edge K's factor 0 at the stage?  1 yes, 0 no, -1 after an error.  Only
 * activations, scalar operators and (at stage forward) junction inputs can
 * be 0: for any other edge no factor is made, so a search over a large
 * network allocates nothing per edge.  At stage forward the factors that
 * can fail (a forward sum too large: junction inputs, a written-out loss,
 * a softmax) are made here, so that a marking has made every factor of
 * its paths. */
int stage_edge_zero(Deriver *d, int k);
/* does layer L's activation couple its neurons at the stage (y^k -> every
 * x^j, a softmax not folded into the loss)? */
bool stage_act_couples(const Deriver *d, int layer);
/* the filter of paths.h that drops the terms with a zero factor */
EdgeFilter stage_filter(Deriver *d);

/* the number of terms at the stage (paths whose factors are all non-zero);
 * 0, or -1 after an error */
int stage_count_terms(Deriver *d, int of, int wrt, mpz_t out);
/* the term of a path, as derive prints it; 0, or -1 after an error */
int stage_term_string(Deriver *d, const int *edges, int n, Style st, Buf *out);

/* The forward path sum of NODE (inputs, weights and biases stay symbols),
 * after checking its size: NULL after an error.  WHY names what asked for
 * it in the message ("expand", "stage forward"). */
Expr *stage_forward(Deriver *d, int node, const char *why);

#endif
