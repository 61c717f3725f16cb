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
 * - The derivative of a shared weight is the sum over its uses: its terms
 *   come use by use, in the order of the layers that use it.
 */
#include "derive.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* what is known of the path prefix down to one depth */
typedef struct Frame {
    size_t len;              /* bytes of its printed product */
    double coef;
    long exp2;
    int nsym;                /* symbolic factors so far */
    int sym;                 /* the edge of the last one */
    Run run;                 /* equal factors in a row print as a power */
    int run_id;              /* the text id of the run's factor, -1: none */
} Frame;

/* a power rewrites the product back to where its run began, inside the
 * prefix of shallower frames: those bytes, kept (by depth, beside the
 * frames: rare) to be put back when the walk leaves the frame */
typedef struct Saved {
    char *bytes;
    size_t at, len;
} Saved;

/* the stage's filter, and with USE >= 0 only the paths that end in REF
 * through a junction of layer USE */
typedef struct UseFilter {
    EdgeFilter stage;
    const Graph *g;
    int wrt, use;
} UseFilter;

static int use_zero(void *ctx, int k)
{
    const UseFilter *u = ctx;
    const Edge *e = &u->g->edges[k];
    if (u->use >= 0 && e->to == u->wrt && e->kind == E_JW && u->g->nodes[e->from].layer != u->use)
        return 1;
    return u->stage.zero(u->stage.ctx, k);
}

/* the layers that use REF when it is a shared weight used more than once,
 * in order (*N of them); NULL otherwise */
static int *tied_uses(const Graph *g, int wrt, int *n)
{
    *n = 0;
    const Node *w = &g->nodes[wrt];
    if (w->kind != N_WEIGHT || !g->families[w->layer].shared || g->families[w->layer].nuses < 2)
        return NULL;
    unsigned char *uses = xcalloc((size_t)g->nlayers, 1);
    for (int k = 0; k < g->nedges; k++)
        if (g->edges[k].to == wrt && g->edges[k].kind == E_JW)
            uses[g->nodes[g->edges[k].from].layer] = 1;
    int *v = xmalloc(xmul((size_t)g->nlayers, sizeof *v));
    for (int l = 0; l < g->nlayers; l++)
        if (uses[l])
            v[(*n)++] = l;
    free(uses);
    return v;
}

/* stream the terms of one marking */
static void walk_terms(Deriver *d, int of, int wrt, const unsigned char *mark, const EdgeFilter *f,
                       bool single, Emitter *em)
{
    const Graph *g = d->g;
    Style st = em->ops->style;
    PathKids kids;
    paths_kids(g, mark, wrt, f, &kids);
    PathWalk w;
    paths_walk_begin(&w, g, of, wrt, mark, &kids);
    size_t cap = w.cap;
    Frame *fr = xmalloc(cap * sizeof *fr);
    fr[0] = (Frame){0, 1.0, 0, 0, -1, {0, NULL, 0, 0}, -1};
    Saved *sv = xcalloc(cap, sizeof *sv);
    /* equal factor texts get one id (a factor is printed once an edge), so
     * that telling a run of equal factors costs an int compare, not a
     * memcmp a factor */
    int *fid = xmalloc(xmul((size_t)g->nedges + 1, sizeof *fid));
    for (int k = 0; k < g->nedges; k++)
        fid[k] = -1;
    StrMap ids = {0};
    int nids = 0;
    Buf pb = {0};
    buf_cstr(&pb);
    int ev, deepest = 0, nsaved = 0;   /* frames holding overwritten bytes */
    while ((ev = paths_walk_next(&w)) != WALK_DONE) {
        if (ev == WALK_DOWN) {
            if (w.cap > cap) {
                sv = xrealloc(sv, xmul(w.cap, sizeof *sv));
                memset(sv + cap, 0, (w.cap - cap) * sizeof *sv);
                cap = w.cap;
                fr = xrealloc(fr, xmul(cap, sizeof *fr));
            }
            int dep = w.depth, k = w.via[dep];
            /* the frames of the branch left behind, deepest first: put
             * back what their powers overwrote */
            for (int q = deepest; q >= dep && nsaved > 0; q--)
                if (sv[q].bytes) {
                    memcpy(pb.data + sv[q].at, sv[q].bytes, sv[q].len);
                    free(sv[q].bytes);
                    sv[q].bytes = NULL;
                    nsaved--;
                }
            deepest = dep;
            const Frame *p = &fr[dep - 1];
            /* the marking made every factor on the paths: none fails here */
            const Factor *fc = stage_factor_printed(d, k, printed_style(st));
            assert(fc);
            double coef = p->coef;
            long exp2 = p->exp2;
            if (fc->coef != 1)
                coef_mul(&coef, &exp2, fc->coef);
            int nsym = p->nsym, sym = p->sym;
            Run run = p->run;
            pb.len = p->len;
            int run_id = p->run_id;
            if (fc->core) {
                const char *ft = st == FMT_LATEX ? fc->latex : fc->text;
                size_t fn = st == FMT_LATEX ? fc->latex_len : fc->text_len;
                if (fid[k] < 0) {
                    int id = strmap_get(&ids, ft);
                    if (id < 0)
                        strmap_put(&ids, ft, id = nids++);
                    fid[k] = id;
                }
                bool same = run.count > 0 && fid[k] == run_id;
                run_id = fid[k];
                if (!same) {
                    run = (Run){pb.len, ft, fn, 1};
                    product_join(st, &pb, 0, ft, fn);
                    nsym++;
                    sym = k;
                    fr[dep] = (Frame){pb.len, coef, exp2, nsym, sym, run, run_id};
                    continue;
                }
                if (run.start < p->len) {
                    sv[dep].at = run.start;
                    sv[dep].len = p->len - run.start;
                    sv[dep].bytes = xmalloc(sv[dep].len + 1);
                    memcpy(sv[dep].bytes, pb.data + sv[dep].at, sv[dep].len);
                    nsaved++;
                }
                product_join_run(st, &pb, 0, &run, ft, fn);
                nsym++;
                sym = k;
            } else {
                pb.data[pb.len] = '\0';
            }
            fr[dep] = (Frame){pb.len, coef, exp2, nsym, sym, run, run_id};
            continue;
        }
        const Frame *t = &fr[w.depth];
        EmitTerm et = {t->coef, t->exp2, pb.data, t->len, w.node, w.via + 1, w.depth};
        /* a lone factor needs no parentheses: "(b+1)" prints as "b+1" */
        if (single && t->nsym == 1 && t->coef == 1 && t->exp2 == 0) {
            const Factor *fc = stage_factor_printed(d, t->sym, printed_style(st));
            et.prod = st == FMT_LATEX ? fc->latex_bare : fc->text_bare;
            et.len = st == FMT_LATEX ? fc->latex_bare_len : fc->text_bare_len;
        }
        em->ops->sum_term(em, &et);
    }
    for (size_t q = 0; q < cap; q++)
        free(sv[q].bytes);
    free(sv);
    free(fid);
    strmap_free(&ids);
    paths_walk_end(&w);
    paths_kids_free(&kids);
    free(fr);
    buf_free(&pb);
}

int derive_write(Deriver *d, int of, int wrt, Emitter *em)
{
    const Graph *g = d->g;
    deriver_target(d, of, wrt);
    int nuses;
    int *uses = tied_uses(g, wrt, &nuses);
    int ngroups = uses ? nuses : 1;
    UseFilter *uf = xmalloc(xmul((size_t)ngroups, sizeof *uf));
    unsigned char **mark = xcalloc((size_t)ngroups, sizeof *mark);
    EdgeFilter *f = xmalloc(xmul((size_t)ngroups, sizeof *f));
    mpz_t count, part;
    mpz_init(count);
    mpz_init(part);
    int rc = 0;
    for (int u = 0; u < ngroups && rc == 0; u++) {
        uf[u] = (UseFilter){stage_filter(d), g, wrt, uses ? uses[u] : -1};
        f[u] = (EdgeFilter){use_zero, &uf[u]};
        if (!(mark[u] = paths_mark(g, of, wrt, &f[u])))
            rc = -1;
        else {
            paths_count_marked(g, of, wrt, mark[u], &f[u], part);
            mpz_add(count, count, part);
        }
    }
    if (rc == 0) {
        char *cs = mpz_get_str(NULL, 10, count);
        EmitHead h = {d, of, wrt, cs};
        emit_sum_begin(em, &h, mpz_cmp_ui(count, 2) > 0);
        for (int u = 0; u < ngroups; u++)
            walk_terms(d, of, wrt, mark[u], &f[u], mpz_cmp_ui(count, 1) == 0, em);
        em->ops->sum_end(em);
        free(cs);
    }
    for (int u = 0; u < ngroups; u++)
        free(mark[u]);
    free(mark);
    free(f);
    free(uf);
    free(uses);
    mpz_clear(count);
    mpz_clear(part);
    return rc;
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
