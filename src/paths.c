/* paths.c — see paths.h. */
#include "paths.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

static int zero(const EdgeFilter *f, int k)
{
    return f && f->zero ? f->zero(f->ctx, k) : 0;
}

unsigned char *paths_mark(const Graph *g, int of, int wrt, const EdgeFilter *f)
{
    unsigned char *mark = xcalloc((size_t)g->nnodes + 1, 1);
    /* the search stack holds (node, next edge) pairs and grows with the
     * depth of the search, not the size of the graph */
    struct Visit {
        int v, cur;
    } *stack;
    size_t cap = 256, sp = 0;
    stack = xmalloc(cap * sizeof *stack);
    mark[of] = R_OPEN;
    stack[sp++] = (struct Visit){of, 0};
    while (sp > 0) {
        struct Visit *top = &stack[sp - 1];
        int v = top->v;
        const Node *n = &g->nodes[v];
        if (v == wrt) {
            mark[v] = R_YES;
            sp--;
            continue;
        }
        if (top->cur == n->nedges) {
            /* every edge to a marked child is asked, not only until one
             * answers: a filter that fails (a forward sum too large) then
             * fails here, and every later question has a cached answer */
            bool yes = false;
            for (int k = 0; k < n->nedges; k++) {
                if (mark[g->edges[n->first_edge + k].to] != R_YES)
                    continue;
                int z = zero(f, n->first_edge + k);
                if (z < 0) {
                    free(stack);
                    free(mark);
                    return NULL;
                }
                yes |= !z;
            }
            mark[v] = yes ? R_YES : R_NO;
            sp--;
            continue;
        }
        int u = g->edges[n->first_edge + top->cur++].to;
        if (mark[u] == R_NEW && u != wrt && g->nodes[u].nedges == 0) {
            mark[u] = R_NO;           /* a leaf (most of a network's weights) */
        } else if (mark[u] == R_NEW) {
            mark[u] = R_OPEN;
            if (sp == cap)
                stack = xrealloc(stack, xmul(cap *= 2, sizeof *stack));
            stack[sp++] = (struct Visit){u, 0};
        }
    }
    free(stack);
    return mark;
}

bool paths_edge_on(const Graph *g, const unsigned char *mark, int wrt, const EdgeFilter *f, int k)
{
    const Edge *e = &g->edges[k];
    /* the filter answered every such edge while marking: it cannot fail */
    return e->from != wrt && mark[e->from] == R_YES && mark[e->to] == R_YES && !zero(f, k);
}

int *paths_topological(const Graph *g, int *n)
{
    int nn = g->nnodes;
    int *order = xmalloc(xmul((size_t)nn + 1, sizeof *order));
    unsigned char *state = xcalloc((size_t)nn + 1, 1);
    int *stack = xmalloc(xmul((size_t)nn + 1, sizeof *stack));
    int *cur = xcalloc((size_t)nn + 1, sizeof *cur);
    *n = 0;
    for (int root = 0; root < nn; root++) {
        if (state[root])
            continue;
        int sp = 0;
        stack[sp++] = root;
        state[root] = 1;
        while (sp) {
            int v = stack[sp - 1];
            const Node *nv = &g->nodes[v];
            if (cur[v] < nv->nedges) {
                int u = g->edges[nv->first_edge + cur[v]++].to;
                if (!state[u]) {
                    state[u] = 1;
                    stack[sp++] = u;
                }
                continue;
            }
            order[(*n)++] = v;
            sp--;
        }
    }
    free(state);
    free(stack);
    free(cur);
    return order;
}

void paths_below(const Graph *g, int node, unsigned char *on)
{
    int *stack = xmalloc(xmul((size_t)g->nnodes + 1, sizeof *stack));
    unsigned char *seen = xcalloc((size_t)g->nnodes + 1, 1);
    int sp = 0;
    stack[sp++] = node;
    seen[node] = 1;
    while (sp) {
        const Node *n = &g->nodes[stack[--sp]];
        if (n->dead)
            continue;
        for (int k = n->first_edge; k < n->first_edge + n->nedges; k++) {
            on[k] = 1;
            int u = g->edges[k].to;
            if (!seen[u]) {
                seen[u] = 1;
                stack[sp++] = u;
            }
        }
    }
    free(stack);
    free(seen);
}

int *paths_postorder(const Graph *g, int of, int wrt, const unsigned char *mark, int *n)
{
    int nr = 0;
    for (int v = 0; v < g->nnodes; v++)
        nr += mark[v] == R_YES;
    int *order = xmalloc(xmul((size_t)nr + 1, sizeof *order));
    *n = 0;
    if (mark[of] != R_YES)
        return order;
    unsigned char *seen = xcalloc((size_t)g->nnodes + 1, 1);
    struct Visit {
        int v, cur;
    } *stack;
    size_t cap = 256, sp = 0;
    stack = xmalloc(cap * sizeof *stack);
    stack[sp++] = (struct Visit){of, 0};
    seen[of] = 1;
    while (sp > 0) {
        struct Visit *top = &stack[sp - 1];
        const Node *nd = &g->nodes[top->v];
        if (top->v == wrt || top->cur == nd->nedges) {
            order[(*n)++] = top->v;
            sp--;
            continue;
        }
        int u = g->edges[nd->first_edge + top->cur++].to;
        if (mark[u] == R_YES && !seen[u]) {
            seen[u] = 1;
            if (sp == cap)
                stack = xrealloc(stack, xmul(cap *= 2, sizeof *stack));
            stack[sp++] = (struct Visit){u, 0};
        }
    }
    free(stack);
    free(seen);
    return order;
}

void paths_count_marked(const Graph *g, int of, int wrt, const unsigned char *mark,
                        const EdgeFilter *f, mpz_t out)
{
    mpz_set_ui(out, 0);
    if (mark[of] != R_YES)
        return;
    int n;
    int *post = paths_postorder(g, of, wrt, mark, &n);
    /* compact indices for the marked nodes, in post-order */
    int *idx = xmalloc(xmul((size_t)g->nnodes + 1, sizeof *idx));
    mpz_t *cnt = xmalloc(xmul((size_t)n + 1, sizeof *cnt));
    for (int i = 0; i < n; i++) {
        int v = post[i];
        const Node *nd = &g->nodes[v];
        idx[v] = i;
        mpz_init(cnt[i]);
        if (v == wrt) {
            mpz_set_ui(cnt[i], 1);
            continue;
        }
        for (int k = nd->first_edge; k < nd->first_edge + nd->nedges; k++)
            if (mark[g->edges[k].to] == R_YES && !zero(f, k))
                mpz_add(cnt[i], cnt[i], cnt[idx[g->edges[k].to]]);
    }
    mpz_set(out, cnt[idx[of]]);
    for (int i = 0; i < n; i++)
        mpz_clear(cnt[i]);
    free(cnt);
    free(idx);
    free(post);
}

int paths_count(const Graph *g, int of, int wrt, const EdgeFilter *f, mpz_t out)
{
    unsigned char *mark = paths_mark(g, of, wrt, f);
    if (!mark) {
        mpz_set_ui(out, 0);
        return -1;
    }
    paths_count_marked(g, of, wrt, mark, f, out);
    free(mark);
    return 0;
}

void paths_kids(const Graph *g, const unsigned char *mark, int wrt, const EdgeFilter *f, PathKids *k)
{
    k->kid0 = xmalloc(xmul((size_t)g->nnodes + 1, sizeof *k->kid0));
    int nk = 0;
    for (int v = 0; v < g->nnodes; v++) {
        k->kid0[v] = nk;
        if (mark[v] == R_YES && v != wrt)
            for (int e = g->nodes[v].first_edge; e < g->nodes[v].first_edge + g->nodes[v].nedges; e++)
                nk += mark[g->edges[e].to] == R_YES && !zero(f, e);
    }
    k->kid0[g->nnodes] = nk;
    k->kids = xmalloc(xmul((size_t)nk + 1, sizeof *k->kids));
    nk = 0;
    for (int v = 0; v < g->nnodes; v++)
        if (mark[v] == R_YES && v != wrt)
            for (int e = g->nodes[v].first_edge; e < g->nodes[v].first_edge + g->nodes[v].nedges; e++)
                if (mark[g->edges[e].to] == R_YES && !zero(f, e))
                    k->kids[nk++] = e;
}

void paths_kids_free(PathKids *k)
{
    free(k->kid0);
    free(k->kids);
    k->kid0 = k->kids = NULL;
}

void paths_walk_begin(PathWalk *w, const Graph *g, int of, int wrt, const unsigned char *mark,
                      const PathKids *k)
{
    memset(w, 0, sizeof *w);
    w->g = g;
    w->wrt = wrt;
    w->kid0 = k->kid0;
    w->kids = k->kids;
    w->cap = 64;
    w->node = xmalloc(w->cap * sizeof *w->node);
    w->cursor = xmalloc(w->cap * sizeof *w->cursor);
    w->via = xmalloc(w->cap * sizeof *w->via);
    w->depth = -1;
    assert(of >= 0 && of < g->nnodes && wrt >= 0 && wrt < g->nnodes);
    if (mark[of] == R_YES) {
        w->depth = 0;
        w->node[0] = of;
        w->cursor[0] = k->kid0[of];
        w->via[0] = -1;
    }
}

void paths_walk_grow(PathWalk *w)
{
    w->cap *= 2;
    w->node = xrealloc(w->node, xmul(w->cap, sizeof *w->node));
    w->cursor = xrealloc(w->cursor, xmul(w->cap, sizeof *w->cursor));
    w->via = xrealloc(w->via, xmul(w->cap, sizeof *w->via));
}

void paths_walk_end(PathWalk *w)
{
    free(w->node);
    free(w->cursor);
    free(w->via);
    memset(w, 0, sizeof *w);
}

int paths_each(const Graph *g, int of, int wrt, const EdgeFilter *f, PathFn fn, void *ctx)
{
    unsigned char *mark = paths_mark(g, of, wrt, f);
    if (!mark)
        return -1;
    PathKids k;
    paths_kids(g, mark, wrt, f, &k);
    PathWalk w;
    paths_walk_begin(&w, g, of, wrt, mark, &k);
    unsigned long long index = 0;
    int ev;
    while ((ev = paths_walk_next(&w)) != WALK_DONE)
        if (ev == WALK_TERM && fn(ctx, w.via + 1, w.depth, index++))
            break;
    paths_walk_end(&w);
    paths_kids_free(&k);
    free(mark);
    return 0;
}

int paths_edges(const Graph *g, int of, int wrt, const EdgeFilter *f, unsigned char *on)
{
    unsigned char *mark = paths_mark(g, of, wrt, f);
    if (!mark)
        return -1;
    /* a visited node that reaches REF lies on a path from OF: every node on
     * the way to it reaches REF through it */
    for (int k = 0; k < g->nedges; k++)
        on[k] = paths_edge_on(g, mark, wrt, f, k);
    free(mark);
    return 0;
}

int paths_lengths(const Graph *g, int of, int wrt, int (*len)(const Edge *e),
                  double (*weight)(void *ctx, int edge), void *ctx, PathLengths *out)
{
    memset(out, 0, sizeof *out);
    out->longest = -1;
    unsigned char *mark = paths_mark(g, of, wrt, NULL);
    int np;
    int *post = paths_postorder(g, of, wrt, mark, &np);
    /* the longest path below each node bounds its counters */
    int *maxlen = xcalloc((size_t)g->nnodes + 1, sizeof *maxlen);
    unsigned long long cells = 0;
    for (int i = 0; i < np; i++) {
        int v = post[i];
        const Node *nd = &g->nodes[v];
        if (v != wrt)
            for (int k = nd->first_edge; k < nd->first_edge + nd->nedges; k++) {
                int u = g->edges[k].to;
                if (mark[u] == R_YES && maxlen[u] + len(&g->edges[k]) > maxlen[v])
                    maxlen[v] = maxlen[u] + len(&g->edges[k]);
            }
        cells += (unsigned long long)maxlen[v] + 1;
    }
    if (limit_check(cells, PG_MAX_HIST_CELLS, NULL, (Loc){0, 0, 0, 0},
                    "paths: the histogram needs %llu counters, more than the limit of %llu",
                    cells, PG_MAX_HIST_CELLS) < 0) {
        free(mark);
        free(post);
        free(maxlen);
        return -1;
    }
    mpz_t **cnt = xcalloc((size_t)g->nnodes + 1, sizeof *cnt);
    double **wt = weight ? xcalloc((size_t)g->nnodes + 1, sizeof *wt) : NULL;
    for (int i = 0; i < np; i++) {
        int v = post[i], L = maxlen[v];
        cnt[v] = xmalloc(xmul((size_t)L + 1, sizeof **cnt));
        for (int l = 0; l <= L; l++)
            mpz_init(cnt[v][l]);
        if (wt)
            wt[v] = xcalloc((size_t)L + 1, sizeof **wt);
        if (v == wrt) {
            mpz_set_ui(cnt[v][0], 1);
            if (wt)
                wt[v][0] = 1;
            continue;
        }
        const Node *nd = &g->nodes[v];
        for (int k = nd->first_edge; k < nd->first_edge + nd->nedges; k++) {
            int u = g->edges[k].to, c = len(&g->edges[k]);
            if (mark[u] != R_YES)
                continue;
            double lw = wt ? weight(ctx, k) : 0;
            if (lw < 0)
                lw = -lw;
            for (int l = 0; l <= maxlen[u]; l++) {
                mpz_add(cnt[v][l + c], cnt[v][l + c], cnt[u][l]);
                if (wt)
                    wt[v][l + c] += lw * wt[u][l];
            }
        }
    }
    if (mark[of] == R_YES) {
        out->longest = maxlen[of];
        out->count = cnt[of];
        cnt[of] = NULL;
        if (wt) {
            out->weight = wt[of];
            wt[of] = NULL;
        }
    }
    for (int i = 0; i < np; i++) {
        int v = post[i];
        if (cnt[v])
            for (int l = 0; l <= maxlen[v]; l++)
                mpz_clear(cnt[v][l]);
        free(cnt[v]);
        if (wt)
            free(wt[v]);
    }
    free(cnt);
    free(wt);
    free(mark);
    free(post);
    free(maxlen);
    return 0;
}

void paths_lengths_free(PathLengths *pl)
{
    if (pl->count)
        for (int l = 0; l <= pl->longest; l++)
            mpz_clear(pl->count[l]);
    free(pl->count);
    free(pl->weight);
    memset(pl, 0, sizeof *pl);
    pl->longest = -1;
}
