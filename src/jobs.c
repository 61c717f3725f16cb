/* jobs.c — see jobs.h. */
#include "jobs.h"

#include <stdlib.h>
#include <string.h>

const Block *jobs_block(const Source *src, const Program *prog, const char *name)
{
    if (!name)
        return prog->blocks;
    for (const Block *b = prog->blocks; b; b = b->next)
        if (strcmp(b->name, name) == 0)
            return b;
    pg_error("%s has no network or graph named '%s'", src->name, name);
    return NULL;
}

int jobs_default_of(const Graph *g, const char *text)
{
    if (text)
        return graph_resolve_text(g, text, "--of");
    if (g->kind == B_NETWORK) {
        if (g->loss < 0)
            pg_error("network '%s' has no loss: name the variable with --of", g->name);
        return g->loss;
    }
    if (g->noutputs == 1)
        return g->output;
    if (g->noutputs == 0) {
        pg_error("graph '%s' defines nothing: name the variable with --of", g->name);
        return -1;
    }
    /* several variables that nothing uses: which one is meant is the
     * user's to say */
    Buf names = {0};
    int shown = 0;
    for (int v = 0; v < g->nnodes && shown < 5; v++)
        if (g->is_output[v]) {
            buf_printf(&names, "%s%s", shown ? ", " : "", node_name(g, v));
            shown++;
        }
    pg_error("graph '%s' has %d outputs (%s%s): name one with --of", g->name, g->noutputs, buf_cstr(&names),
             g->noutputs > shown ? ", ..." : "");
    buf_free(&names);
    return -1;
}

void job_label(const Job *j, Buf *out)
{
    graph_node_ref(j->g, j->of, out);
    buf_puts(out, " wrt ");
    graph_node_ref(j->g, j->wrt, out);
}

static void add(Jobs *J, int *cap, Job j)
{
    if (J->n == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        J->v = xrealloc(J->v, xmul((size_t)*cap, sizeof *J->v));
    }
    J->v[J->n++] = j;
}

/* the default derivation of a block without statements: OF with respect
 * to its first weight (a graph: its first input) */
static void fallback(Jobs *J, int *cap, Graph *g)
{
    int of = g->kind == B_NETWORK ? g->loss : g->noutputs == 1 ? g->output : -1;
    int wrt = -1;
    if (g->kind == B_NETWORK) {
        for (int l = 0; l < g->nlayers && wrt < 0; l++)
            if (g->layers[l].wfam >= 0)
                wrt = g->families[g->layers[l].wfam].w0;
        if (wrt < 0 && g->nfamilies)
            wrt = g->families[0].w0;
    } else {
        for (int v = 0; v < g->nnodes && wrt < 0; v++)
            if (!node_def(g, v))
                wrt = v;
    }
    if (of >= 0 && wrt >= 0)
        add(J, cap, (Job){g, of, wrt, NULL});
}

int jobs_collect(const Source *src, const Program *prog, const JobsSpec *spec, Jobs *J)
{
    memset(J, 0, sizeof *J);
    int nb = 0, cap = 0;
    for (const Block *b = prog->blocks; b; b = b->next)
        nb++;
    J->graphs = xcalloc((size_t)nb + 1, sizeof *J->graphs);
    const Block *only = NULL;
    if (spec->ref || spec->block || spec->first_only || spec->build_only) {
        only = jobs_block(src, prog, spec->block);
        if (!only)
            return JOBS_USAGE;
    }
    bool derive = spec->kind == S_DERIVE;
    for (const Block *b = prog->blocks; b; b = b->next) {
        if (only && b != only)
            continue;
        Graph *g = &J->graphs[J->ngraphs];
        if (graph_build(g, src, b) < 0)
            return JOBS_BAD_INPUT;
        g->latex_names = spec->names;
        if (g->kind == B_NETWORK && (spec->notation & NOTE_SET_ZA)) {
            g->za = (spec->notation & NOTE_ZA) != 0;
            for (int f = 0; f < g->nfamilies && g->za; f++)
                if (strcmp(g->families[f].name, "a") == 0 || strcmp(g->families[f].name, "z") == 0) {
                    pg_error("--notation za: network %s has weights named %s, which would print as its neurons",
                             g->name, g->families[f].name);
                    J->ngraphs++;
                    return JOBS_USAGE;
                }
        }
        if (g->kind == B_NETWORK && (spec->notation & NOTE_SET_INTO))
            g->into = (spec->notation & NOTE_INTO) != 0;
        J->ngraphs++;
        if (spec->build_only)
            return 0;
        if (spec->ref) {
            Job j = {g, -1, -1, NULL};
            if (derive && (j.of = jobs_default_of(g, spec->of)) < 0)
                return JOBS_USAGE;
            j.wrt = graph_resolve_text(g, spec->ref, derive ? "--wrt" : "--node");
            if (j.wrt < 0)
                return JOBS_USAGE;
            add(J, &cap, j);
            continue;
        }
        int before = J->n;
        for (const Stmt *s = b->stmts; s; s = s->next) {
            if (s->kind != spec->kind)
                continue;
            Job j = {g, -1, -1, s};
            if (derive && (j.of = graph_resolve(g, &s->ref)) < 0)
                return JOBS_BAD_INPUT;
            j.wrt = graph_resolve(g, derive ? &s->wrt : &s->ref);
            if (j.wrt < 0)
                return JOBS_BAD_INPUT;
            add(J, &cap, j);
            if (spec->first_only)
                break;
        }
        if (J->n == before && spec->fallback && derive)
            fallback(J, &cap, g);
    }
    if (J->n == 0 && !spec->fallback && !spec->first_only) {
        pg_error("%s has no '%s' statement: give %s", src->name, derive ? "derive" : "expand",
                 derive ? "--wrt REF" : "--node REF");
        return JOBS_USAGE;
    }
    return 0;
}

void jobs_free(Jobs *J)
{
    for (int i = 0; i < J->ngraphs; i++)
        graph_free(&J->graphs[i]);
    free(J->graphs);
    free(J->v);
    memset(J, 0, sizeof *J);
}
