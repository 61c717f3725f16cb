/* ops.h — the one table of functions and activations.
 *
 * A row says everything pathgrad knows of a function: its name and arity,
 * whether a network layer may use it as its activation, how it prints, its
 * value and derivative in numbers, where it has no derivative (a kink),
 * its symbolic derivative, its exact values at constant arguments, and the
 * article's rule for a live neuron.  Every other module reads the row: a
 * new activation is one row in ops.c (plus the docs and the editor
 * grammars, which the test suite checks against `pathgrad --help`).
 *
 * Rows are numbered by their place in the table; code outside ops.c never
 * names a particular row, it asks the row's properties.  OP_OPAQUE (-1) is
 * a function the table does not know: it stays a symbol, f(x), and its
 * derivatives stay partial derivatives.  Rows of kind OPK_DERIVED (relu′,
 * Φ, [a ≥ b], ...) are made by differentiation only: no .net file can
 * name them.
 */
#ifndef PG_OPS_H
#define PG_OPS_H

#include "util.h"

#include <stdbool.h>

typedef struct Expr Expr;

#define OP_OPAQUE (-1)
#define OP_MAX_ARITY 2

typedef enum {
    OPK_FUNCTION,      /* a function of scalar graphs */
    OPK_ACTIVATION,    /* also a network layer's activation */
    OPK_DERIVED,       /* made by differentiation only */
} OpKind;

typedef enum {
    PRINT_CALL,        /* name(a, b) */
    PRINT_ROOT,        /* \sqrt{a}, √(a) */
    PRINT_BARS,        /* |a| */
    PRINT_BRACKET,     /* an Iverson bracket, [a ≥ b] */
} OpPrint;

/* An activation of a whole layer (softmax): each y^k of the layer depends on
 * every x^j of it.  Indices are 0-based here. */
typedef struct LayerOp {
    /* Y[0..N) from X[0..N) */
    void (*value)(const double *x, double *y, int n);
    /* d y^k / d x^j from the outputs y^k and y^j (SAME: j = k) */
    double (*deriv)(double yk, double yj, bool same);
    /* the same in symbols, written in the outputs as textbooks do */
    Expr *(*dsym)(Arena *A, Expr *yk, Expr *yj, bool same);
    /* y^k written out in the inputs X[0..N) (forward sums) */
    Expr *(*forward)(Arena *A, Expr *const *x, int n, int k);
    /* the loss (its row) with which, on the last layer, the two fold: the
     * derivative of the loss with respect to x^j is then written
     * fold(y^j, t_j) and the layer's own d y^k / d x^j is delta_kj;
     * -1: none */
    int fold_loss;
    Expr *(*fold)(Arena *A, Expr *y, Expr *t);
    /* what to write instead, said when a graph calls it */
    const char *in_graphs;
} LayerOp;

typedef struct Op {
    const char *name;        /* as written in a .net file */
    int arity;
    OpKind kind;
    OpPrint print;
    const char *latex;       /* its name in LaTeX (PRINT_BRACKET: the relation) */
    const char *text;        /* ... in Unicode text and in drawings */
    /* numbers: the value; d value / d a[i] (VALUE is the value at A) */
    double (*value)(const double *a);
    double (*deriv)(const double *a, double value, int i);
    /* A sits where the function has no derivative (relu at 0, max at a
     * tie): reverse mode then takes deriv's one-sided value; NULL: smooth */
    bool (*kink)(const double *a);
    /* symbols: d f / d a[i] (NULL for derived rows, which no file writes) */
    Expr *(*dsym)(Arena *A, Expr *const *a, int i);
    /* a simpler equal expression at these arguments (a number where the
     * value is exact, the argument of identity), or NULL */
    Expr *(*simplify)(Arena *A, Expr *const *a);
    /* the article's convention for a network neuron: a live one passes its
     * input on (derivative 1, forward sum its input); a dead one gives 0,
     * and only these rows may be declared dead */
    bool live_is_identity;
    bool can_die;
    /* an activation of a whole layer: value, deriv, dsym and simplify are
     * NULL, and a graph may not call it */
    const LayerOp *layer;
} Op;

/* A network's loss: the sum over the outputs y^k of the last layer of
 * part(y^k, t_k), t_k a target where the loss takes them. */
typedef struct LossOp {
    const char *name;             /* as written after `loss NAME =` */
    bool targets;                 /* takes targets t[k] */
    bool distribution;            /* its targets are a distribution (sum 1) */
    double (*part)(double y, double t);
    double (*deriv)(double y, double t);          /* d part / d y */
    Expr *(*dsym)(Arena *A, Expr *y, Expr *t);    /* the same in symbols */
    const char *formula;          /* its value, as eval says it */
} LossOp;

int ops_count(void);
const Op *op_get(int id);
/* the row of a name a .net file may write (a function or an activation),
 * or OP_OPAQUE */
int ops_lookup(const char *name);
/* the same, for an activation only; -1 if NAME is none */
int ops_activation(const char *name);
/* the names of every row of KIND, in table order, separated by SEP, the
 * last two by LAST (", " and " or ", say) */
void ops_list(OpKind kind, const char *sep, const char *last, Buf *out);
/* the activation a layer without one has */
int ops_default_activation(void);

/* the losses: their rows by name (-1 if none), the row of `loss NAME;`,
 * a row, and their names listed as ops_list does */
int ops_loss(const char *name);
int ops_default_loss(void);
const LossOp *loss_get(int id);
void ops_loss_list(const char *sep, const char *last, Buf *out);

#endif
