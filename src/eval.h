/* eval.h — the numbers behind the symbols: values of every variable, the
 * gradient by reverse mode, by path sums and by finite differences, the
 * distribution of path lengths, and the per-layer gradient sizes.
 *
 * Ownership: a Numbers holds arrays sized to its Graph (borrowed) and is
 * released by numbers_free.  Errors are printed where they are found;
 * functions return -1 after one.
 */
#ifndef PG_EVAL_H
#define PG_EVAL_H

#include "graph.h"

#include <stdbool.h>
#include <stdio.h>

typedef struct Numbers {
    const Graph *g;
    double *v;              /* every variable's value */
    unsigned char *given;   /* leaves that have a value */
    double *t;              /* targets t[1..width of the last layer] */
    bool *t_given;
    int nt;
    int *order;             /* variables in evaluation order (operands first) */
    int norder;
    /* layers of a whole-layer activation: the forward pass that last
     * computed them (one pass computes each once) */
    unsigned *layer_pass;
    unsigned pass;
} Numbers;

/* the leaves a value is needed for: inputs, weights, biases, a graph's
 * inputs (and t[k] for an mse or xent loss) */
bool numbers_is_leaf(const Graph *g, int node);

int numbers_init(Numbers *n, const Graph *g);
void numbers_free(Numbers *n);
/* read VALUES (REF = NUMBER lines, the project's lexer); located errors */
int numbers_load(Numbers *n, const char *path);
/* draw every value from SEED: weights Glorot-uniform U(-a, a) with
 * a = sqrt(6 / (fan_in + fan_out)), biases U(-0.1, 0.1), network inputs and
 * targets U(-1, 1) (xent's U(0, 1) divided by their sum), a graph's inputs U(0.5, 1.5) (inside log's and sqrt's
 * domain); splitmix64, the same numbers on every machine */
void numbers_seed(Numbers *n, unsigned long long seed);
/* how weights are drawn (--init): glorot U(±√(6/(in+out))), the default;
 * he N(0, 2/in); lecun N(0, 1/in); standard U(±1/√in), Glorot and
 * Bengio's "standard" initialisation; normal:SD N(0, SD²); uniform:A
 * U(−A, A).  IN and OUT are the family's rows and columns. */
typedef enum { INIT_GLOROT, INIT_HE, INIT_LECUN, INIT_STANDARD, INIT_NORMAL, INIT_UNIFORM } InitKind;
typedef struct Init {
    InitKind kind;
    double param;            /* normal: SD; uniform: A */
} Init;
/* "he", "normal:0.5" ...: 0, or -1 if TEXT is none of them */
int init_parse(const char *text, Init *out);
void numbers_seed_init(Numbers *n, unsigned long long seed, const Init *init);
/* every value missing is an error naming it */
int numbers_complete(const Numbers *n, const char *what);

/* evaluate every variable; the loss (or OF) value in *out */
int numbers_forward(Numbers *n, int of, double *out);
/* the numeric local derivative of edge K */
double numbers_local(const Numbers *n, int k);
/* reverse mode: ADJ[v] = d(OF)/d(v) for every v */
void numbers_reverse(const Numbers *n, int of, double *adj);

/* the sum over paths OF -> REF of the products of local derivatives, and
 * the sum of their absolute values (the scale of its rounding); -1 when
 * there are more than LIMIT paths (not computed) */
int numbers_path_sum(const Numbers *n, int of, int ref, unsigned long long limit, double *out, double *abs_out);


typedef struct EvalOpts {
    int of;
    bool json;
    bool check;
} EvalOpts;

/* the eval command: values, loss, gradients, and with CHECK the three-way
 * comparison; returns 0, -1 after an error, or 1 when the check failed */
int eval_write(Numbers *n, const EvalOpts *o, FILE *out);

/* the paths command: the number of paths OF -> REF by weight layers
 * crossed, exactly, and with values their total |contribution| */
int paths_write(Numbers *n, int of, int ref, bool with_values, bool json, FILE *out);

/* the vanish command: mean |dLoss/dw| of every weight layer, as a table,
 * JSON, or an SVG chart drawn by PLplot */
typedef enum { VANISH_TEXT, VANISH_JSON, VANISH_SVG } VanishFormat;
int vanish_write(Numbers *n, int of, VanishFormat fmt, FILE *out);

/* one network's numbers (vanish of several files: a series each) */
typedef struct VanishUse {
    int layer;
    char *label;             /* the layer it feeds */
    double mean;
} VanishUse;
typedef struct VanishSeries {
    char *network, *of;
    double loss;
    int n;                   /* its families of weights, in node order */
    char **label;
    int *count;
    double *mean;
    VanishUse **uses;        /* a shared family's uses, nuses[i] of them */
    int *nuses;
} VanishSeries;
/* 0, or -1 after an error (a graph, no weights); free it either way */
int vanish_compute(Numbers *n, int of, VanishSeries *out);
void vanish_series_free(VanishSeries *s);
/* NS series: tables or JSON objects one after the other, or one chart
 * with a line a network and a legend */
int vanish_write_all(const VanishSeries *s, int ns, VanishFormat fmt, FILE *out);

#endif
