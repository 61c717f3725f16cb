/* collapse_graph.c — --collapse on an unrolled graph: backpropagation
 * through time written as textbooks write it,
 *
 *   dh_5/dw = Σ_{t=1}^{5} (Π_{k=t+1}^{5} dh_k/dh_{k-1}) dh_t/dw
 *
 * The paths are enumerated.  On each, the first run of nodes made by one
 * recurrent statement at steps T, T-1, ..., t (h[5] -> h[4] -> ... -> h[t])
 * is cut out: the paths that agree before the run, start it at the same T
 * and agree after it once the names there are read relative to t (h_{t-1},
 * x_{t}) form one family, a sum over their t of the product over the run.
 * A name is relative when the same operand one step away is the same name
 * with the index moved by one step (found by aligning two steps'
 * definitions), else it prints as itself.  Paths without such a run, and
 * families of one path, print as the expanded sum prints them.  When the
 * factors of a run differ in more than their step (a coefficient that
 * depends on t), the derivative is written out expanded instead. */
#include "derive.h"
#include "diag.h"
#include "paths.h"
#include "stage.h"

#include <gmp.h>
#include <stdint.h>

#include <stdlib.h>
#include <string.h>

/* at most this many paths are enumerated for the families */
#define CG_MAX_PATHS 1000000ULL
/* and their nodes, all together (a 100,000-step recurrence has 5e9) */
#define CG_MAX_NODES 20000000u

typedef struct TFamily {
    char *key;               /* before the run, the run's start, after it */
    int first;               /* the member that prints it: its path */
    int *members;            /* the members' paths and their t, in path order */
    long *steps;
    int nsteps, cap;
} TFamily;

typedef struct CG {
    Deriver *d;
    const Graph *g;
    Style st;
    int of, wrt;
    /* the paths, as nodes: path i is nodes[off[i] .. off[i+1]) */
    int *nodes;
    size_t nn, cap_nn;
    size_t *off;
    size_t npaths, cap_paths;
    int *edges;              /* edge i of path p: edges[off[p] - p + i] */
    size_t ne, cap_ne;
    /* steps: the nodes of each (statement, step), to find a neighbour */
    struct StepKey *by_step; /* the loops' nodes sorted by (stmt, step) */
    int nby_step;
    bool too_long;           /* the paths hold more than CG_MAX_NODES nodes */
    /* the relative names of the factor being printed */
    const int *rel_from;
    char **rel_text;
    int nrel;
} CG;

static int on_path(void *ctx, const int *edges, int n, unsigned long long index)
{
    (void)index;
    CG *c = ctx;
    const Graph *g = c->g;
    if (c->npaths + 2 > c->cap_paths) {
        c->cap_paths = c->cap_paths ? 2 * c->cap_paths : 64;
        c->off = xrealloc(c->off, xmul(c->cap_paths, sizeof *c->off));
    }
    if (c->nn + (size_t)n + 1 > c->cap_nn) {
        c->cap_nn = 2 * (c->nn + (size_t)n + 1);
        c->nodes = xrealloc(c->nodes, xmul(c->cap_nn, sizeof *c->nodes));
    }
    if (c->ne + (size_t)n > c->cap_ne) {
        c->cap_ne = 2 * (c->ne + (size_t)n) + 16;
        c->edges = xrealloc(c->edges, xmul(c->cap_ne, sizeof *c->edges));
    }
    c->off[c->npaths] = c->nn;
    c->nodes[c->nn++] = n ? g->edges[edges[0]].from : c->of;
    for (int i = 0; i < n; i++) {
        c->nodes[c->nn++] = g->edges[edges[i]].to;
        c->edges[c->ne++] = edges[i];
    }
    c->npaths++;
    if (c->nn > CG_MAX_NODES) {
        c->too_long = true;
        return -1;
    }
    c->off[c->npaths] = c->nn;
    return 0;
}

static const NodeSym *sym(const CG *c, int v)
{
    return c->g->nodes[v].kind == N_SCALAR ? node_sym(c->g, v) : NULL;
}

/* a node a loop made, keyed by its statement and step */
typedef struct StepKey {
    uintptr_t stmt;
    long step;
    int node;
} StepKey;

static int key_cmp(uintptr_t s1, long t1, uintptr_t s2, long t2)
{
    return s1 != s2 ? (s1 < s2 ? -1 : 1) : (t1 > t2) - (t1 < t2);
}

static int by_key(const void *pa, const void *pb)
{
    const StepKey *a = pa, *b = pb;
    return key_cmp(a->stmt, a->step, b->stmt, b->step);
}

/* the node STMT made at STEP, -1 if none or several (a nested loop) */
static int at_step(const CG *c, const void *stmt, long step)
{
    uintptr_t s = (uintptr_t)stmt;
    int lo = 0, hi = c->nby_step;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (key_cmp(c->by_step[mid].stmt, c->by_step[mid].step, s, step) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo >= c->nby_step || key_cmp(c->by_step[lo].stmt, c->by_step[lo].step, s, step) != 0)
        return -1;
    if (lo + 1 < c->nby_step && key_cmp(c->by_step[lo + 1].stmt, c->by_step[lo + 1].step, s, step) == 0)
        return -1;
    return c->by_step[lo].node;
}

/* the pairs of variables at the same place of two definitions */
static bool align(const Expr *a, const Expr *b, int *from, int *to, int *n, int max)
{
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case X_VAR:
        if (*n == max)
            return false;
        from[*n] = a->node;
        to[(*n)++] = b->node;
        return true;
    case X_NUM: case X_PARTIAL: case X_SUM: case X_PROD:
        return true;
    case X_NEG: case X_POW:
        return align(a->a, b->a, from, to, n, max);
    case X_ADD: case X_SUB: case X_MUL: case X_DIV:
        return align(a->a, b->a, from, to, n, max) && align(a->b, b->b, from, to, n, max);
    case X_CALL:
        if (a->nargs != b->nargs)
            return false;
        for (int i = 0; i < a->nargs; i++)
            if (!align(a->args[i], b->args[i], from, to, n, max))
                return false;
        return true;
    }
    return false;
}

/* the indices of a name, h[3][-1] -> 3, -1; their number, -1 if none */
static int indices(const char *nm, size_t *base, long *idx)
{
    const char *br = strchr(nm, '[');
    if (!br)
        return -1;
    *base = (size_t)(br - nm);
    int n = 0;
    for (const char *p = br; *p == '[' && n < PG_MAX_SUBS; n++) {
        char *end;
        idx[n] = strtol(p + 1, &end, 10);
        p = end + 1;
    }
    return n;
}

/* A's name relative to the variable VAR standing for step BASE, A2 being
 * the same operand one step away (A at step S, A2 at S2): h[4] with h[3]
 * one step down, BASE 5, is h[VAR-1]; a name that does not move is
 * itself.  NULL: it moves otherwise (no relative name). */
static char *relative(const CG *c, int a, long s, int a2, long s2, long base, const char *var)
{
    const Graph *g = c->g;
    Buf b = {0};
    if (a == a2) {
        graph_node_name(g, a, c->st, &b);
        return b.data ? b.data : xstrdup("");
    }
    size_t nb, nb2;
    long i1[PG_MAX_SUBS], i2[PG_MAX_SUBS];
    const char *n1 = node_name(g, a), *n2 = node_name(g, a2);
    int k1 = n1 ? indices(n1, &nb, i1) : -1, k2 = n2 ? indices(n2, &nb2, i2) : -1;
    if (k1 < 1 || k1 != k2 || nb != nb2 || strncmp(n1, n2, nb) != 0)
        return NULL;
    Buf nm = {0};
    buf_add(&nm, n1, nb);
    for (int p = 0; p < k1; p++) {
        long dlt = i2[p] - i1[p], off = i1[p] - base;
        if (dlt == 0) {
            buf_printf(&nm, "[%ld]", i1[p]);
        } else if (dlt == s2 - s) {
            buf_printf(&nm, "[%s", var);
            if (off)
                buf_printf(&nm, "%+ld", off);
            buf_putc(&nm, ']');
        } else {
            buf_free(&nm);
            return NULL;
        }
    }
    graph_name_text(g, buf_cstr(&nm), c->st, &b);
    buf_free(&nm);
    return b.data ? b.data : xstrdup("");
}

static void rel_namer(const void *ctx, int node, Style st, Buf *out)
{
    const CG *c = ctx;
    for (int i = 0; i < c->nrel; i++)
        if (c->rel_from[i] == node) {
            buf_puts(out, c->rel_text[i]);
            return;
        }
    graph_node_name(c->g, node, st, out);
}

/* edge K's factor (its node made in a loop) with its names relative to VAR
 * standing for step BASE: the core into CORE, *COEF its coefficient; false
 * when it has no relative form */
static bool factor_relative(CG *c, int k, long base, const char *var, Buf *core, double *coef)
{
    const Graph *g = c->g;
    int v = g->edges[k].from;
    const NodeSym *sv = sym(c, v);
    if (!sv || !sv->stmt)
        return false;
    long s = sv->step, s2 = s - 1;
    int v2 = at_step(c, sv->stmt, s2);
    if (v2 < 0) {
        s2 = s + 1;
        v2 = at_step(c, sv->stmt, s2);
    }
    if (v2 < 0 || at_step(c, sv->stmt, s) != v)
        return false;
    enum { MAXV = 64 };
    int from[MAXV + 1], to[MAXV + 1], n = 0;
    if (!align(node_def(g, v), node_def(g, v2), from, to, &n, MAXV))
        return false;
    from[n] = v;
    to[n++] = v2;
    char *text[MAXV + 1];
    bool ok = true;
    for (int i = 0; i < n; i++) {
        text[i] = ok ? relative(c, from[i], s, to[i], s2, base, var) : NULL;
        ok &= text[i] != NULL;
    }
    if (ok) {
        const Factor *f = stage_factor(c->d, k);
        Printer pr = {c->st, rel_namer, c};
        c->rel_from = from;
        c->rel_text = text;
        c->nrel = n;
        if (f->core)
            expr_print_factor(&pr, f->core, core);
        *coef = f->coef;
        c->nrel = 0;
    }
    for (int i = 0; i < n; i++)
        free(text[i]);
    return ok;
}

/* the node of a recurrent statement: one of its steps uses another */
static bool recurrent(const CG *c, int v)
{
    const NodeSym *s = sym(c, v);
    if (!s || !s->stmt)
        return false;
    for (int w = v, pass = 0; pass < 2 && w >= 0; pass++, w = at_step(c, s->stmt, s->step - 1)) {
        const Node *nd = &c->g->nodes[w];
        for (int k = nd->first_edge; k < nd->first_edge + nd->nedges; k++) {
            const NodeSym *u = sym(c, c->g->edges[k].to);
            if (u && u->stmt == s->stmt)
                return true;
        }
    }
    return false;
}

/* path P's run: its first node of a recurrent statement at *A and the last
 * of the run (one statement, the steps falling by one) at *B */
static bool run_of(const CG *c, size_t p, int *a, int *b)
{
    const int *nd = c->nodes + c->off[p];
    int n = (int)(c->off[p + 1] - c->off[p]);
    for (int i = 0; i < n; i++) {
        if (!recurrent(c, nd[i]))
            continue;
        const NodeSym *s = sym(c, nd[i]);
        int j = i;
        while (j + 1 < n) {
            const NodeSym *t = sym(c, nd[j + 1]);
            if (!t || t->stmt != s->stmt || t->step != sym(c, nd[j])->step - 1)
                break;
            j++;
        }
        *a = i;
        *b = j;
        return true;
    }
    return false;
}

/* a product being built: its coefficient and its symbolic factors */
typedef struct Prod {
    double coef;
    long exp2;
    Buf text;
    Run run;
    char *keep[2];           /* the run's last factor text stays alive */
    int cur;
} Prod;

static void prod_factor(CG *c, Prod *p, double coef, const char *f, size_t n)
{
    coef_mul(&p->coef, &p->exp2, coef);
    if (!n)
        return;
    free(p->keep[p->cur]);
    p->keep[p->cur] = xstrdup(f);
    product_join_run(c->st, &p->text, 0, &p->run, p->keep[p->cur], n);
    p->cur ^= 1;
}

static void prod_free(Prod *p)
{
    buf_free(&p->text);
    free(p->keep[0]);
    free(p->keep[1]);
}

/* path P's factors on edges [I, J) with their own names */
static void concrete(CG *c, size_t p, int i, int j, Prod *out)
{
    const int *ed = c->edges + (c->off[p] - p);
    Printer pr = {c->st, graph_node_name, c->g};
    Buf fb = {0};
    for (int k = i; k < j; k++) {
        const Factor *f = stage_factor(c->d, ed[k]);
        buf_truncate(&fb, 0);
        if (f->core)
            expr_print_factor(&pr, f->core, &fb);
        prod_factor(c, out, f->coef, buf_cstr(&fb), fb.len);
    }
    buf_free(&fb);
}

/* path P's factors after its run (from edge B on), relative to t = its
 * last step where they can be; false if the run's end has no relative form */
static bool after_run(CG *c, size_t p, int b, const char *var, Prod *out)
{
    const int *nd = c->nodes + c->off[p];
    const int *ed = c->edges + (c->off[p] - p);
    int n = (int)(c->off[p + 1] - c->off[p]);
    long t = sym(c, nd[b])->step;
    Buf fb = {0};
    bool ok = true;
    for (int k = b; k < n - 1 && ok; k++) {
        buf_truncate(&fb, 0);
        double coef = 1;
        if (factor_relative(c, ed[k], t, var, &fb, &coef)) {
            prod_factor(c, out, coef, buf_cstr(&fb), fb.len);
        } else if (k == b) {
            ok = false;
        } else {
            concrete(c, p, k, k + 1, out);
        }
    }
    buf_free(&fb);
    return ok;
}

static void bounds_text(const CG *c, const char *var, const char *lo, const char *hi, Buf *out)
{
    /* _{var=lo}^{hi}, in text as Unicode sub- and superscripts */
    if (c->st == FMT_LATEX) {
        buf_printf(out, "_{%s=%s}^{%s}", var, lo, hi);
        return;
    }
    graph_label_sub(var, out);
    buf_puts(out, "₌");
    graph_label_sub(lo, out);
    graph_label_sup(hi, out);
}

/* family F, a sum over t, printed into OUT; false: its run's factors
 * differ beyond their step */
static bool print_family(CG *c, const TFamily *F, const char *var, const char *kvar, Buf *out)
{
    size_t p = (size_t)F->first;
    int a, b;
    run_of(c, p, &a, &b);
    const int *nd = c->nodes + c->off[p];
    long T = sym(c, nd[a])->step;
    /* the product over the run: the factor of every member's run edge,
     * the same for all once relative to k */
    Buf rf = {0}, fb = {0};
    double rcoef = 1;
    bool have = false, ok = true;
    for (int m = 0; m < F->nsteps && ok; m++) {
        size_t q = (size_t)F->members[m];
        int qa, qb;
        run_of(c, q, &qa, &qb);
        const int *qed = c->edges + (c->off[q] - q);
        for (int i = qa; i < qb && ok; i++) {
            buf_truncate(&fb, 0);
            double coef = 1;
            long base = sym(c, c->nodes[c->off[q] + i])->step;
            if (!factor_relative(c, qed[i], base, kvar, &fb, &coef)) {
                ok = false;
            } else if (!have) {
                buf_add(&rf, fb.data, fb.len);
                rcoef = coef;
                have = true;
            } else if (coef != rcoef || rf.len != fb.len || memcmp(rf.data, fb.data, rf.len) != 0) {
                ok = false;
            }
        }
    }
    Prod pre = {1, 0, {0}, {0, NULL, 0, 0}, {NULL, NULL}, 0};
    Prod post = {1, 0, {0}, {0, NULL, 0, 0}, {NULL, NULL}, 0};
    if (ok) {
        concrete(c, p, 0, a, &pre);
        ok = after_run(c, p, b, var, &post);
    }
    if (ok) {
        /* pre · Σ_t [Π_k run] post, the coefficients in front */
        Buf sum = {0};
        long lo = F->steps[0], hi = F->steps[0];
        for (int i = 1; i < F->nsteps; i++) {
            lo = F->steps[i] < lo ? F->steps[i] : lo;
            hi = F->steps[i] > hi ? F->steps[i] : hi;
        }
        char los[32], his[32], ts[64];
        snprintf(los, sizeof los, "%ld", lo);
        snprintf(his, sizeof his, "%ld", hi);
        buf_puts(&sum, c->st == FMT_LATEX ? "\\sum" : "Σ");
        if (hi - lo + 1 == F->nsteps) {
            bounds_text(c, var, los, his, &sum);
        } else {
            /* not a range: the steps listed */
            Buf set = {0};
            for (int i = 0; i < F->nsteps; i++)
                buf_printf(&set, i ? ",%ld" : "%ld", F->steps[i]);
            if (c->st == FMT_LATEX)
                buf_printf(&sum, "_{%s\\in\\{%s\\}}", var, buf_cstr(&set));
            else {
                graph_label_sub(var, &sum);
                buf_printf(&sum, "∈{%s}", buf_cstr(&set));
            }
            buf_free(&set);
        }
        buf_puts(&sum, c->st == FMT_LATEX ? "" : " ");
        if (have) {
            /* the product in parentheses: what follows is not in it */
            buf_puts(&sum, c->st == FMT_LATEX ? "\\Bigl(\\prod" : "(∏");
            snprintf(ts, sizeof ts, "%s+1", var);
            snprintf(his, sizeof his, "%ld", T);
            bounds_text(c, kvar, ts, his, &sum);
            Buf rt = {0};
            print_term(c->st, rcoef, 0, rf.data, rf.len, &rt);
            /* a negative factor in parentheses: Π (−w) */
            bool neg = rt.len && (rt.data[0] == '-' || (rt.len >= 3 && memcmp(rt.data, "−", 3) == 0));
            buf_printf(&sum, neg ? " (%s)" : " %s", buf_cstr(&rt));
            buf_puts(&sum, c->st == FMT_LATEX ? "\\Bigr)" : ")");
            buf_free(&rt);
            buf_puts(&sum, c->st == FMT_LATEX ? "" : " ");
        }
        /* Σ and Π hold what follows: written as one factor */
        Buf whole = {0};
        buf_add(&whole, pre.text.data, pre.text.len);
        if (whole.len)
            buf_puts(&whole, c->st == FMT_LATEX ? "" : " · ");
        buf_add(&whole, sum.data, sum.len);
        if (post.text.len) {
            if (have && c->st != FMT_LATEX)
                buf_puts(&whole, "· ");
            buf_add(&whole, post.text.data, post.text.len);
        } else if (!have) {
            buf_putc(&whole, '1');
        }
        double coef = pre.coef * post.coef;
        long exp2 = pre.exp2 + post.exp2;
        print_term(c->st, coef, exp2, whole.data, whole.len, out);
        buf_free(&whole);
        buf_free(&sum);
    }
    prod_free(&pre);
    prod_free(&post);
    buf_free(&rf);
    buf_free(&fb);
    return ok;
}

static void family_add(TFamily *F, int path, long step)
{
    if (F->nsteps == F->cap) {
        F->cap = F->cap ? 2 * F->cap : 4;
        F->members = xrealloc(F->members, xmul((size_t)F->cap, sizeof *F->members));
        F->steps = xrealloc(F->steps, xmul((size_t)F->cap, sizeof *F->steps));
    }
    F->members[F->nsteps] = path;
    F->steps[F->nsteps++] = step;
}

int collapse_graph_write(Deriver *d, int of, int wrt, unsigned long long limit, Emitter *em)
{
    const Graph *g = d->g;
    EdgeFilter f = stage_filter(d);
    mpz_t count;
    mpz_init(count);
    if (paths_count(g, of, wrt, &f, count) < 0) {
        mpz_clear(count);
        return -1;
    }
    if (mpz_cmp_ui(count, CG_MAX_PATHS) > 0) {
        char *cs = mpz_get_str(NULL, 10, count);
        pg_error("--collapse on a graph groups its paths one by one: %s paths, more than %llu", cs, CG_MAX_PATHS);
        free(cs);
        mpz_clear(count);
        return -1;
    }
    CG c = {0};
    c.d = d;
    c.g = g;
    c.st = em->ops->style;
    c.of = of;
    c.wrt = wrt;
    int rc = of == wrt ? 0 : paths_each(g, of, wrt, &f, on_path, &c);
    if (c.too_long) {
        pg_error("--collapse on a graph groups its paths one by one: they hold more than %u nodes in all "
                 "(the factored form, --stage factored, is linear in the graph)", CG_MAX_NODES);
        rc = -1;
    }
    /* the steps' nodes, sorted for at_step */
    c.by_step = xmalloc(xmul((size_t)g->nnodes + 1, sizeof *c.by_step));
    for (int v = 0; v < g->nnodes; v++) {
        const NodeSym *s = sym(&c, v);
        if (s && s->stmt)
            c.by_step[c.nby_step++] = (StepKey){(uintptr_t)s->stmt, s->step, v};
    }
    qsort(c.by_step, (size_t)c.nby_step, sizeof *c.by_step, by_key);
    /* the families: a key each, in the order of their first path */
    TFamily *fam = NULL;
    int nfam = 0, capfam = 0;
    StrMap index = {0};
    bool grouped = false;
    const char *var = NULL, *kvar = "k";
    Buf key = {0};
    for (size_t p = 0; p < c.npaths && rc == 0; p++) {
        int a, b;
        buf_truncate(&key, 0);
        const int *nd = c.nodes + c.off[p];
        const int *ed = c.edges + (c.off[p] - p);
        long t = 0;
        bool run = run_of(&c, p, &a, &b);
        Prod post = {1, 0, {0}, {0, NULL, 0, 0}, {NULL, NULL}, 0};
        if (run) {
            const NodeSym *s = sym(&c, nd[a]);
            const char *lv = s->loop_var;
            if (!var)
                var = lv;
            run = strcmp(var, lv) == 0 && after_run(&c, p, b, var, &post);
            t = sym(&c, nd[b])->step;
            if (run) {
                for (int i = 0; i < a; i++)
                    buf_printf(&key, "%d,", ed[i]);
                buf_printf(&key, "|%p|%ld|%.17g|%ld|", s->stmt, s->step, post.coef, post.exp2);
                buf_add(&key, post.text.data, post.text.len);
            }
        }
        prod_free(&post);
        if (!run)
            buf_printf(&key, "path %zu", p);
        int fi = strmap_get(&index, buf_cstr(&key));
        if (fi < 0) {
            if (nfam == capfam) {
                capfam = capfam ? 2 * capfam : 16;
                fam = xrealloc(fam, xmul((size_t)capfam, sizeof *fam));
            }
            fi = nfam++;
            fam[fi] = (TFamily){xstrdup(buf_cstr(&key)), (int)p, NULL, NULL, 0, 0};
            strmap_put(&index, fam[fi].key, fi);
        }
        family_add(&fam[fi], (int)p, t);
        grouped |= fam[fi].nsteps > 1;
    }
    buf_free(&key);
    if (var && strcmp(var, "k") == 0)
        kvar = "j";
    if (rc == 0 && limit && (unsigned long long)nfam > limit) {
        pg_error("--collapse: more than %llu families of terms; raise --max-terms", limit);
        rc = -1;
    }
    /* the families printed; any that will not: the expanded sum instead */
    Buf all = {0};
    size_t *off = xmalloc(xmul((size_t)nfam + 1, sizeof *off));
    for (int i = 0; i < nfam && rc == 0 && grouped; i++) {
        off[i] = all.len;
        if (fam[i].nsteps > 1) {
            if (!print_family(&c, &fam[i], var, kvar, &all)) {
                grouped = false;
                break;
            }
        } else {
            Prod pr = {1, 0, {0}, {0, NULL, 0, 0}, {NULL, NULL}, 0};
            size_t p = (size_t)fam[i].first;
            concrete(&c, p, 0, (int)(c.off[p + 1] - c.off[p]) - 1, &pr);
            print_term(c.st, pr.coef, pr.exp2, pr.text.data, pr.text.len, &all);
            prod_free(&pr);
        }
    }
    off[nfam] = all.len;
    if (rc == 0 && grouped) {
        const char **fs = xmalloc(xmul((size_t)nfam + 1, sizeof *fs));
        size_t *len = xmalloc(xmul((size_t)nfam + 1, sizeof *len));
        for (int i = 0; i < nfam; i++) {
            fs[i] = all.data + off[i];
            len[i] = off[i + 1] - off[i];
        }
        char *cs = mpz_get_str(NULL, 10, count);
        EmitHead h = {d, of, wrt, cs};
        emit_collapsed(em, &h, fs, len, (unsigned long long)nfam);
        free(cs);
        free(fs);
        free(len);
    } else if (rc == 0) {
        rc = derive_write(d, of, wrt, em);
    }
    free(off);
    buf_free(&all);
    for (int i = 0; i < nfam; i++) {
        free(fam[i].key);
        free(fam[i].members);
        free(fam[i].steps);
    }
    free(fam);
    strmap_free(&index);
    free(c.by_step);
    free(c.nodes);
    free(c.off);
    free(c.edges);
    mpz_clear(count);
    return rc;
}
