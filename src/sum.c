/* sum.c — the expanded sum, streamed, and the forward path sums.
 *
 * Invariants:
 * - The walk (paths.h) only descends into nodes that reach REF through
 *   non-zero factors, so every branch ends in a term.
 * - The printed product of the current path prefix is kept in one buffer;
 *   after backtracking only its suffix is rewritten: a term costs the
 *   factors that differ from the previous term's, plus one copy.
 * - Numeric factors are multiplied into one coefficient printed first; it
 *   is kept as coef * 2^exp2, so that a product of many numbers neither
 *   overflows nor underflows.
 */
#include "derive.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>

/* what is known of the path prefix down to one depth */
typedef struct Frame {
    size_t len;              /* bytes of its printed product */
    double coef;
    long exp2;
    int nsym;                /* symbolic factors so far */
    int sym;                 /* the edge of the last one */
} Frame;

int derive_write(Deriver *d, int of, int wrt, Emitter *em)
{
    const Graph *g = d->g;
    EdgeFilter f = stage_filter(d);
    unsigned char *mark = paths_mark(g, of, wrt, &f);
    if (!mark)
        return -1;
    mpz_t count;
    mpz_init(count);
    paths_count_marked(g, of, wrt, mark, &f, count);
    char *cs = mpz_get_str(NULL, 10, count);
    bool single = mpz_cmp_ui(count, 1) == 0;
    EmitHead h = {d, of, wrt, cs};
    emit_sum_begin(em, &h, mpz_cmp_ui(count, 2) > 0);
    Style st = em->ops->style;

    PathKids kids;
    paths_kids(g, mark, wrt, &f, &kids);
    PathWalk w;
    paths_walk_begin(&w, g, of, wrt, mark, &kids);
    size_t cap = w.cap;
    Frame *fr = xmalloc(cap * sizeof *fr);
    fr[0] = (Frame){0, 1.0, 0, 0, -1};
    Buf pb = {0};
    buf_cstr(&pb);
    int ev;
    while ((ev = paths_walk_next(&w)) != WALK_DONE) {
        if (ev == WALK_DOWN) {
            if (w.cap > cap) {
                cap = w.cap;
                fr = xrealloc(fr, xmul(cap, sizeof *fr));
            }
            int dep = w.depth, k = w.via[dep];
            const Frame *p = &fr[dep - 1];
            /* the marking made every factor on the paths: none fails here */
            const Factor *fc = stage_factor_printed(d, k);
            assert(fc);
            double coef = p->coef;
            long exp2 = p->exp2;
            if (fc->coef != 1)
                coef_mul(&coef, &exp2, fc->coef);
            int nsym = p->nsym, sym = p->sym;
            pb.len = p->len;
            if (fc->core) {
                if (st == FMT_LATEX)
                    product_join(st, &pb, 0, fc->latex, fc->latex_len);
                else
                    product_join(st, &pb, 0, fc->text, fc->text_len);
                nsym++;
                sym = k;
            } else {
                pb.data[pb.len] = '\0';
            }
            fr[dep] = (Frame){pb.len, coef, exp2, nsym, sym};
            continue;
        }
        const Frame *t = &fr[w.depth];
        EmitTerm et = {t->coef, t->exp2, pb.data, t->len, w.node, w.via + 1, w.depth};
        /* a lone factor needs no parentheses: "(b+1)" prints as "b+1" */
        if (single && t->nsym == 1 && t->coef == 1 && t->exp2 == 0) {
            const Factor *fc = stage_factor_printed(d, t->sym);
            et.prod = st == FMT_LATEX ? fc->latex_bare : fc->text_bare;
            et.len = st == FMT_LATEX ? fc->latex_bare_len : fc->text_bare_len;
        }
        em->ops->sum_term(em, &et);
    }
    em->ops->sum_end(em);
    paths_walk_end(&w);
    paths_kids_free(&kids);
    free(fr);
    buf_free(&pb);
    free(cs);
    mpz_clear(count);
    free(mark);
    return 0;
}

int expand_write(Deriver *d, int node, Emitter *em)
{
    const Graph *g = d->g;
    if (g->nodes[node].kind == N_LOSS) {
        pg_error("the loss %s stays abstract: expand a y or an x of the network", node_name(g, node));
        return -1;
    }
    Expr *e = stage_forward(d, node, "expand");
    if (!e)
        return -1;
    em->ops->expanded(em, g, node, e);
    return 0;
}
