/* emit.h — output formats: one interface, one file a format.
 *
 * The writers of a derivation (sum.c: the expanded sum, streamed;
 * factored.c: the backprop equations; collapse.c: families of terms; and
 * the forward path sums) compute what to say and hand it to an Emitter,
 * which decides how it looks.  emit_latex.c, emit_text.c and emit_json.c
 * are the three formats; a new format is one new file with an EmitOps and
 * a line in emit.c's list (which --format and the help read).
 *
 * Products and sums reach an emitter already printed in the emitter's
 * style (ops->style: LaTeX for LaTeX and JSON, Unicode text for text), so
 * a term costs one copy.  Ownership: emit_open's Emitter writes to the
 * caller's FILE and is released by emit_close, which flushes it.
 */
#ifndef PG_EMIT_H
#define PG_EMIT_H

#include "graph.h"
#include "stage.h"

#include <stdbool.h>
#include <stdio.h>

/* what a derivation's output starts with */
typedef struct EmitHead {
    Deriver *d;              /* the graph, the stage, and its factors */
    int of, wrt;
    const char *count;       /* the number of paths (terms), in decimal */
} EmitHead;

/* one term of an expanded sum */
typedef struct EmitTerm {
    double coef;             /* its coefficient, coef * 2^exp2 */
    long exp2;
    const char *prod;        /* the product of its symbolic factors, printed */
    size_t len;
    const int *nodes;        /* its path: nodes[0..n] from OF, edges[0..n-1] */
    const int *edges;
    int n;
} EmitTerm;

typedef struct Emitter Emitter;

typedef struct EmitOps {
    const char *name;        /* its --format value */
    Style style;
    bool latex;              /* LaTeX lines: --env and --standalone wrap them */
    bool counts;             /* the equations' head reports the number of paths */
    const char *between;     /* what separates two derivations */
    /* LaTeX and text (the "plain" formats, emit_plain_* below): "= " or
     * " = " after a derivative, "=" or " = " after a delta, and what
     * separates two families of --collapse */
    const char *sum_equals, *eq_equals, *family_sep;
    /* the expanded sum: MULTILINE when it has more than two terms */
    void (*sum_begin)(Emitter *em, const EmitHead *h, bool multiline);
    void (*sum_term)(Emitter *em, const EmitTerm *t);
    void (*sum_end)(Emitter *em);
    /* the backprop equations: DELTA (the node's delta, printed) = RHS, then
     * d(OF)/d(REF) = FINAL */
    void (*eqs_begin)(Emitter *em, const EmitHead *h);
    void (*eq)(Emitter *em, int node, const char *delta, const char *rhs, size_t n);
    void (*eqs_end)(Emitter *em, const char *final, size_t n);
    /* the collapsed form: its families (each printed), TERMS paths in all */
    void (*collapsed)(Emitter *em, const EmitHead *h, const char *const *fam, const size_t *len,
                      unsigned long long nfam);
    /* a forward path sum: NODE = E */
    void (*expanded)(Emitter *em, const Graph *g, int node, const Expr *e);
} EmitOps;

#define EMIT_FLUSH (1u << 20)    /* bytes gathered before a write */

struct Emitter {
    const EmitOps *ops;
    FILE *out;
    EmitHead head;
    bool multiline;
    unsigned long long nterms;   /* terms written of the current sum */
    size_t pad;                  /* text: the width of "LHS = " */
    Buf wbuf;                    /* output gathered, written in large blocks */
    Buf sep;                     /* what goes between two plain terms */
    Buf all;                     /* JSON: the whole formula in LaTeX */
};

extern const EmitOps emit_latex_ops, emit_text_ops, emit_json_ops;

/* the formats, the default first: the I-th, NULL past the last */
const EmitOps *emit_format_at(int i);
/* the format called NAME, or NULL */
const EmitOps *emit_format(const char *name);

Emitter *emit_open(const EmitOps *ops, FILE *out);
/* start a sum, a set of equations, or write a collapsed form: these set
 * the emitter's state (head, term count) and call its ops */
void emit_sum_begin(Emitter *em, const EmitHead *h, bool multiline);
void emit_eqs_begin(Emitter *em, const EmitHead *h);
void emit_collapsed(Emitter *em, const EmitHead *h, const char *const *fam, const size_t *len,
                    unsigned long long nfam);
/* does the head of the equations report the number of paths (which costs
 * a count over the whole graph)? */
bool emit_wants_count(const Emitter *em);
/* flush and release; 0, or -1 if a write failed */
int emit_close(Emitter *em);

/* ---- helpers the formats share (emit.c) ---- */

/* the left-hand side, d(OF)/d(REF), in style ST */
void emit_lhs(const Graph *g, int of, int wrt, Style st, Buf *out);
/* append a term (printed, with its sign) to a sum being written in style
 * ST: the first term, or SEP-less separator then the sign; TEXT_SEP is the
 * text continuation ("\n      "), LaTeX breaks " \\\n" when MULTILINE */
void emit_sum_append(Style st, bool first, bool multiline, const Buf *text_sep, Buf *sum,
                     const char *t, size_t n);
void emit_flush(Emitter *em);
void emit_json_string(FILE *out, const char *s, size_t n);
/* {"of": ..., "wrt": ..., "stage": ... */
void emit_json_head(FILE *out, const EmitHead *h, const char *stage);
size_t emit_display_width(const char *s);

/* the parts the plain formats (LaTeX, text) share: they differ only in the
 * emitter's style and EmitOps' separators */
void emit_plain_sum_end(Emitter *em);
void emit_plain_eqs_begin(Emitter *em, const EmitHead *h);
void emit_plain_eq(Emitter *em, int node, const char *delta, const char *rhs, size_t n);
void emit_plain_eqs_end(Emitter *em, const char *final, size_t n);
void emit_plain_collapsed(Emitter *em, const EmitHead *h, const char *const *fam, const size_t *len,
                          unsigned long long nfam);
void emit_plain_expanded(Emitter *em, const Graph *g, int node, const Expr *e);

#endif
