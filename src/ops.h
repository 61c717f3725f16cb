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
} Op;

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

#endif
