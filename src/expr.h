/* expr.h — symbolic expressions: scalar-graph assignments as parsed, and the
 * local derivatives and forward sums computed from them.
 *
 * Ownership: every Expr lives in an Arena passed to its constructor; trees
 * share subtrees freely and are never freed one by one.
 * Invariant: the mk_* constructors simplify as they build (0 and 1 rules,
 * constant folding, x+x -> 2x), so no printed result holds "1\cdot" or "+0".
 */
#ifndef PG_EXPR_H
#define PG_EXPR_H

#include "diag.h"
#include "ops.h"
#include "util.h"

#include <math.h>
#include <stdbool.h>

typedef enum {
    X_NUM,      /* number */
    X_VAR,      /* a graph variable (node) */
    X_ADD, X_SUB, X_MUL, X_DIV,
    X_NEG,
    X_POW,      /* a ^ integer */
    X_CALL,     /* known or opaque function */
    X_PARTIAL,  /* the symbol d(node)/d(wrt): a derivative left abstract */
    /* parsed only (build writes them out): sum(NAME in a..b, args[0]) */
    X_SUM, X_PROD,
} ExprKind;


/* 80 bytes: a graph recurrence of 100,000 steps holds millions */
typedef struct Expr Expr;
struct Expr {
    ExprKind kind;
    int node;                /* X_VAR, X_PARTIAL: the variable; -1 unresolved */
    int wrt;                 /* X_PARTIAL: differentiated by */
    int fn;                  /* X_CALL: its row in ops.h's table, or OP_OPAQUE */
    int depth;               /* height of the tree */
    Loc loc;                 /* where it was written (parsed exprs only) */
    union {
        double num;          /* X_NUM */
        long ipow;           /* X_POW exponent */
    };
    const char *name;        /* X_VAR as written; X_CALL function name */
    Expr *a, *b;             /* operands */
    union {
        struct {
            Expr **args;     /* X_CALL; X_SUM, X_PROD: the body */
            int nargs;
        };
        struct {
            Expr **subs;     /* parsed X_VAR: its index expressions, h[t-1] */
            int nsubs;
        };
    };
};


Expr *mk_num(Arena *A, double v);
Expr *mk_var(Arena *A, int node);
Expr *mk_partial(Arena *A, int node, int wrt);
Expr *mk_add(Arena *A, Expr *a, Expr *b);
Expr *mk_sub(Arena *A, Expr *a, Expr *b);
Expr *mk_mul(Arena *A, Expr *a, Expr *b);
Expr *mk_div(Arena *A, Expr *a, Expr *b);
Expr *mk_neg(Arena *A, Expr *a);
Expr *mk_pow(Arena *A, Expr *a, long n);
/* OP(ARGS): the row's simplification first (its exact values, identity) */
Expr *mk_call(Arena *A, int op, Expr *const *args, int n);
Expr *mk_call1(Arena *A, int op, Expr *arg);

bool expr_is_num(const Expr *e, double v);
bool expr_equal(const Expr *a, const Expr *b);
/* is every number in E finite? */
bool expr_finite(const Expr *e);
/* the first subexpression of E made of numbers only whose value is not
 * finite (1e300 * 1e300, log(0)), or NULL */
const Expr *expr_bad_constant(const Expr *e);
/* does E mention variable NODE? */
bool expr_uses(const Expr *e, int node);
/* d E / d NODE.  NODE_SELF is the variable E defines: where an opaque
 * function depends on NODE the result is the abstract partial
 * d(NODE_SELF)/d(NODE). */
Expr *expr_diff(Arena *A, Expr *e, int node, int node_self);
/* E collected: a sum's like terms added (2a^2 + a^2 = 3a^2), a product's
 * equal factors joined in one power (a·a·a = a^3, b/b = 1), numbers
 * multiplied out; sums inside products are simplified but not expanded.
 * Order is kept: terms and factors in the order they first appear. */
Expr *expr_simplify(Arena *A, Expr *e);
/* a deep copy of E in A (E's own arena can then be freed) */
Expr *expr_copy(Arena *A, const Expr *e);
/* is A the same expression as B once A's variables FROM[i] are read as
 * TO[i] (an unlisted variable never matches)? */
bool expr_equal_renamed(const Expr *a, const Expr *b, const int *from, const int *to, int n);
/* a copy of E in A with variables FROM[i] (also in partials) as TO[i] */
Expr *expr_rename(Arena *A, const Expr *e, const int *from, const int *to, int n);
/* E with every subexpression equal to WHAT written as variable NODE: a
 * derivative in terms of the node it belongs to, as textbooks write it
 * (v = σ(a): σ(a)(1−σ(a)) is v(1−v)) */
Expr *expr_replace(Arena *A, Expr *e, const Expr *what, int node);
/* E with every variable v for which SUB(v) is non-NULL replaced by it */
Expr *expr_subst(Arena *A, Expr *e, Expr *(*sub)(void *ctx, int node), void *ctx);

/* LaTeX; Unicode text; Graphviz HTML-like labels (text with <SUB>/<SUP>) */
typedef enum { FMT_LATEX, FMT_TEXT, FMT_HTML } Style;

/* how a variable prints: supplied by whoever owns the variables */
typedef void (*VarNamer)(const void *ctx, int node, Style st, Buf *out);

typedef struct Printer {
    Style style;
    VarNamer name;
    const void *ctx;
} Printer;

void expr_print(const Printer *p, const Expr *e, Buf *out);
/* a number: plain decimals from 1e-4 to 1e15, else m\cdot 10^{k} (LaTeX)
 * or m·10ᵏ (text) */
void print_number(Style st, double v, Buf *out);
/* a factor of a product: parenthesised when it is a sum or difference */
void expr_print_factor(const Printer *p, const Expr *e, Buf *out);
/* LaTeX: what goes between the product D[START..LEN) and a factor that
 * begins NEXT (N bytes) where juxtaposition would misread: \cdot before
 * a number (x\cdot 2), before or after a symbol of several letters or a
 * function (e\cdot\operatorname{relu}'(a), \mathit{f2}\cdot\mathit{f1}),
 * a thin space between two letters (e\,b); else nothing */
const char *latex_product_sep(const char *d, size_t start, size_t len, const char *next, size_t n);
/* append FACTOR (already printed) to a product being built in OUT,
 * inserting \cdot (or ·) where juxtaposition would be ambiguous */
static inline void product_join(Style st, Buf *out, size_t start, const char *factor, size_t n)
{
    if (out->len > start && n > 0) {
        if (st == FMT_HTML) {
            /* SVG drops the spaces that open a text span (sub- and
             * superscripts end one): only a trailing space keeps a gap */
            buf_add(out, "· ", sizeof "· " - 1);
        } else if (st == FMT_TEXT) {
            buf_add(out, " · ", sizeof " · " - 1);
        } else {
            buf_puts(out, latex_product_sep(out->data, start, out->len, factor, n));
        }
    }
    buf_add(out, factor, n);
}
/* Consecutive equal factors of a product print as a power: w·w·w is w^{3}
 * (Pascanu's dh_T/dh_0 = w^T).  A Run is the last factor appended and how
 * many times in a row; count 0: none yet. */
typedef struct Run {
    size_t start;            /* where the run begins in the product */
    const char *f;
    size_t n;
    int count;
} Run;
/* FACTOR^{K} joined to the product (the slow path of product_join_run) */
void product_join_power(Style st, Buf *out, size_t start, const char *factor, size_t n, int k);
/* is FACTOR (N bytes) the run's factor again?  (lengths and first bytes
 * first: most factors differ there, and this runs for every factor of
 * every term) */
static inline bool run_continues(const Run *run, const char *factor, size_t n)
{
    return run->count > 0 && n == run->n && n > 0 &&
           (factor == run->f || (factor[n - 1] == run->f[n - 1] && factor[0] == run->f[0] &&
                                 memcmp(factor, run->f, n) == 0));
}

static inline void product_join_run(Style st, Buf *out, size_t start, Run *run, const char *factor, size_t n)
{
    if (run_continues(run, factor, n)) {
        out->len = run->start;
        out->data[out->len] = '\0';
        run->f = factor;           /* equal: the caller may reuse the old text */
        product_join_power(st, out, start, factor, n, ++run->count);
        return;
    }
    *run = (Run){out->len, factor, n, 1};
    product_join(st, out, start, factor, n);
}
/* multiply a term's coefficient, kept as COEF * 2^EXP2 so that a product
 * of many numbers neither overflows nor underflows, by F */
static inline void coef_mul(double *coef, long *exp2, double f)
{
    *coef *= f;
    if (*coef != 0 && (*coef > 0x1p500 || *coef < -0x1p500 || (*coef < 0x1p-500 && *coef > -0x1p-500))) {
        int shift;
        *coef = frexp(*coef, &shift);
        *exp2 += shift;
    }
}

/* a term: the coefficient coef * 2^exp2 (as a number when a double holds
 * it, else m * 10^k), then the product PROD of its symbolic factors:
 * "2\cdot y", "-y", "1" */
void print_term(Style st, double coef, long exp2, const char *prod, size_t n, Buf *out);

#endif
