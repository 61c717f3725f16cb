/* graph.h — the computational graph of one block.
 *
 * Variables are nodes; an edge runs from a variable to one it depends on
 * (parent -> operand), so the paths of d(OF)/d(REF) are the directed paths
 * OF -> ... -> REF.  Each node's out-edges are contiguous in `edges`
 * (first_edge .. first_edge+nedges) in the article's order: the loss's
 * outputs by neuron, then each weighted sum's inputs in declaration order,
 * neurons by increasing index, the weight's junction edge (E_JW) directly
 * before its input's (E_JY); then the bias.  Scalar graphs: names in order of first use.
 *
 * Ownership: a Graph owns its arrays and its Arena (expressions, strings);
 * graph_free releases everything.  The Source and Program it was built
 * from must outlive it (nodes point into them for locations and names);
 * the syntax tree is only read: a graph's definitions are copies of the
 * parsed expressions with their names resolved.
 */
#ifndef PG_GRAPH_H
#define PG_GRAPH_H

#include "ast.h"
#include "expr.h"

#include <stdbool.h>
#include <stdint.h>

typedef enum {
    N_INPUT,     /* y of the first layer */
    N_WEIGHT,    /* w^{ij}_L */
    N_BIAS,      /* b^{j}_L */
    N_PRE,       /* x^{j}_L, the weighted sum */
    N_ACT,       /* y^{j}_L = act(x^{j}_L), L not the first layer */
    N_LOSS,      /* the network's loss */
    N_SCALAR,    /* a scalar-graph variable (input or defined) */
    N_TARGET,    /* t_{k}: the target of output k (mse, xent); no edges, its
                  * value is given as t[k]; printed, never derived */
} NodeKind;

typedef enum {
    E_LOSS,      /* Loss -> y^{k}_n: stays abstract */
    E_ACT,       /* y -> x: the activation's derivative */
    E_JW,        /* x -> w: junction, d x / d w = y (aux: that y) */
    E_JY,        /* x -> y: junction, d x / d y = w (aux: that w) */
    E_SKIP,      /* x -> y: identity shortcut, 1 */
    E_BIAS,      /* x -> b: 1 */
    E_SCALAR,    /* scalar graph: partial derivative of the assignment */
} EdgeKind;

typedef struct Layer {
    const char *label;       /* verbatim, e.g. "n-2" */
    Loc loc;
    int width;
    int act;                 /* the activation's row in ops.h */
    bool bias;
    bool input;              /* its y are inputs (the first layer, or `input`) */
    int x0, y0, b0;          /* node index of neuron 1's x, y, b (-1: none) */
    int wfam;                /* the family of its plain weights w[L] (they
                              * feed the layer that takes dense(L)), -1 */
    int nskip;               /* number of skip inputs */
    const char *latex_sub;   /* the label as printed: LaTeX (n-2), text (ₙ₋₂) */
    const char *text_sub;
    size_t latex_sub_len, text_sub_len;
} Layer;

/* A family of weights: the plain w[L][i][j] of dense(L), a connection's
 * own NAME[L][i][j] (dense(L) as NAME), or tied NAME[i][j] (dense(L)
 * shared NAME), the same weights wherever NAME is used.  Weight (i, j) is
 * node w0 + (i-1)*cols + (j-1): i a neuron of the layer it comes from, j
 * one of the layer it feeds.  A weight node's `layer` is its family. */
typedef struct Family {
    const char *name;        /* "w" for the plain weights */
    bool shared;
    int from, to;            /* the layers of its first use */
    int rows, cols;
    int w0;
    int nuses;
    Loc loc;                 /* where it is named (its first use) */
} Family;

/* Node and Edge are kept small (24 and 12 bytes): a 1000-layer, 64-wide
 * network has 4.2 M nodes and 8.2 M edges.  What only named variables have
 * lives in g->syms; what only scalar edges have, in g->locals. */
typedef struct Node {
    NodeKind kind : 8;
    bool dead : 1;           /* N_ACT: a dead ReLU */
    int layer;               /* network: layer index; -1 otherwise */
    union {
        int i;               /* network: 1-based neuron index; weights: i -> j */
        int sym;             /* N_LOSS, N_SCALAR: index into g->syms */
    };
    int j;
    int first_edge, nedges;
} Node;

/* a named variable: the loss, or a scalar graph's variable */
typedef struct NodeSym {
    const char *name;
    Expr *def;               /* N_SCALAR: definition, NULL for inputs */
    Loc loc;                 /* where it was declared */
    /* defined in a for loop: the outermost loop (its statement) and that
     * loop variable's value, the time step of an unrolled recurrence;
     * loop NULL otherwise (render lays steps out as columns) */
    const void *loop;
    const char *loop_var;
    long step;
    const void *stmt;        /* the assignment that defined it (loops: every step's) */
} NodeSym;

typedef struct Edge {
    int from, to;
    int aux : 29;            /* E_JW: the y it multiplies; E_JY: the w */
    EdgeKind kind : 3;
} Edge;

/* how names print in LaTeX: textbook (the default: h_1 is h_{1}, Whh one
 * symbol \mathit{Whh}, a network's loss as the article prints it), plain
 * (every name letter by letter, '_' a literal underscore, as the article
 * prints Loss), or every name of several letters one word, italic or
 * upright ('_' literal) */
typedef enum { NAMES_TEXTBOOK, NAMES_PLAIN, NAMES_MATHIT, NAMES_MATHRM } LatexNames;

typedef struct Graph {
    BlockKind kind;
    LatexNames latex_names;
    /* networks' notation (names.c): z/a for x/y; the layer up and the
     * indices down, weights w^{m}_{ji} into layer m */
    bool za, into;
    const char *name;
    const Source *src;
    Node *nodes;
    int nnodes;
    Edge *edges;
    int nedges;
    NodeSym *syms;           /* named variables, by Node.sym */
    int nsyms;
    Expr **locals;           /* scalar graphs: d(from)/d(to) of each edge */
    Layer *layers;           /* networks */
    int nlayers;
    Family *families;        /* networks: their weights, plain ones first */
    int nfamilies, families_cap;
    int loss;                /* node of the loss, -1 if none */
    int t0;                  /* node of t_{1} (a loss with targets), -1 */
    int loss_kind;           /* the loss's row in ops.h */
    bool loss_explicit;      /* written `= KIND`: its derivative is concrete */
    /* scalar graphs: the defined variables no other uses; OUTPUT is the
     * one when there is exactly one, else -1 */
    unsigned char *is_output;
    int noutputs, output;
    StrMap names;            /* layer label -> layer, or name -> node */
    /* indexed names as printed, by style (names.c): a 100,000-step
     * recurrence prints each h_{t} many times */
    struct NameCache *name_cache;
    Arena arena;
} Graph;

/* the name, definition and location of a named node */
static inline const NodeSym *node_sym(const Graph *g, int v) { return &g->syms[g->nodes[v].sym]; }
static inline bool node_named(const Graph *g, int v)
{
    return g->nodes[v].kind == N_LOSS || g->nodes[v].kind == N_SCALAR;
}
static inline const char *node_name(const Graph *g, int v) { return node_named(g, v) ? node_sym(g, v)->name : NULL; }
static inline Expr *node_def(const Graph *g, int v)
{
    return g->nodes[v].kind == N_SCALAR ? node_sym(g, v)->def : NULL;
}


/* does the last layer's activation fold with the loss (softmax under
 * `loss L = xent;`: ops.h, LayerOp.fold_loss)? */
bool graph_folds(const Graph *g);

/* Build the graph of BLOCK.  On error print a located message and return -1
 * (the graph is then freed). */
int graph_build(Graph *g, const Source *src, const Block *block);
void graph_free(Graph *g);

/* resolve a reference written in the file (x[L][j], w[L][i][j], a name):
 * the node index, or -1 after printing a located error */
int graph_resolve(const Graph *g, const Ref *ref);
/* the same for a reference written in another file (a VALUES file) */
int graph_resolve_in(const Graph *g, const Source *src, const Ref *ref);
/* the same for a reference given as text on the command line; errors are
 * printed as "pathgrad: ..." with WHAT naming the option */
int graph_resolve_text(const Graph *g, const char *text, const char *what);

/* how a node prints: LaTeX (x^{1}_{n-1}), text (x¹ₙ₋₁), or reference
 * syntax for JSON and messages (x[n-1][1]) */
void graph_node_name(const void *g, int node, Style st, Buf *out);
/* frees what graph_node_name cached (graph_free calls it) */
void graph_name_cache_free(Graph *g);
/* NAME (h[k-1]: its indices any text of [A-Za-z0-9+-]) as a node's name
 * prints: h_{k-1}, hₖ₋₁ */
void graph_name_text(const Graph *g, const char *name, Style st, Buf *out);
void graph_node_ref(const Graph *g, int node, Buf *out);
/* the name of weight family F as it prints (w, W, P) */
void graph_family_name(const Graph *g, int f, Style st, Buf *out);
/* a layer label as a Unicode subscript (ₙ₋₁), or _[label] */
void graph_label_sub(const char *label, Buf *out);
/* the same as a superscript (notation into): ʰ¹, or ^[label] */
void graph_label_sup(const char *label, Buf *out);
/* fill each layer's latex_sub and text_sub (in the graph's arena) */
void graph_layer_subs(Graph *g);
/* a Printer whose variables are this graph's nodes */
Printer graph_printer(const Graph *g, Style st);

#endif
