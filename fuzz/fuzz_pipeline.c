/* fuzz_pipeline.c — libFuzzer target: the whole pipeline on one .net source.
 *
 * The bytes are parsed as a .net file; every block small enough (see
 * FUZZ_MAX_*) is built, and for each of its derivations (the file's derive
 * statements, plus the default OF against a few chosen nodes) the harness
 * counts the paths, derives at every stage (chain, act, local, forward,
 * factored, and --collapse) with a term bound of 50, expands, renders
 * through libgvc into /dev/null, and evaluates with a seed (with --check on
 * small graphs), as src/main.c's commands do.  It also checks two
 * invariants: every node's reference text resolves back to that node, and
 * `fmt` is idempotent (its output parses, and formats to itself).
 *
 * Errors are expected (bad input returns -1 and prints to stderr); crashes,
 * sanitizer reports, exit() (libFuzzer reports "fuzz target exited") and
 * timeouts are findings.  Messages are silenced (diag's sink) unless
 * FUZZ_VERBOSE is set in the environment.
 */
#include "ast.h"
#include "derive.h"
#include "eval.h"
#include "fmt_invariant.h"
#include "graph.h"
#include "render.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* caps that keep one run in milliseconds (a harness limit, not the tool's) */
#define FUZZ_MAX_CELLS 20000      /* network: sum over layers of width * max width */
#define FUZZ_MAX_NODES 5000
#define FUZZ_MAX_EDGES 20000
#define FUZZ_MAX_RENDER_NODES 120 /* dot layouts get slow quickly */
#define FUZZ_MAX_CHECK_NODES 150  /* eval --check: finite differences */
#define FUZZ_MAX_CHECK_PATHS 2000 /* eval --check: paths summed one by one */
#define FUZZ_MAX_BLOCKS 4
#define FUZZ_MAX_JOBS 6
#define FUZZ_MAX_TERMS 50

static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void silent(void *ctx, const Diag *d)
{
    (void)ctx;
    (void)d;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    devnull = fopen("/dev/null", "w");
    if (!devnull)
        abort();
    /* pathgrad's messages (and Graphviz's, which render routes to them)
     * go through diag's sink: silence it.  libFuzzer and the sanitizers
     * write to fd 2 and stay visible. */
    if (!getenv("FUZZ_VERBOSE"))
        diag_set_sink((DiagSink){silent, NULL});
    return 0;
}

/* a network block whose graph would be too large for a quick run */
static int too_big(const Block *b)
{
    if (b->kind != B_NETWORK)
        return 0;
    unsigned long long sum = 0, max = 0;
    int nl = 0;
    for (const Stmt *s = b->stmts; s; s = s->next)
        if (s->kind == S_LAYER) {
            unsigned long long w = s->width > 0 ? (unsigned long long)s->width : 0;
            if (w > PG_MAX_WIDTH)
                return 0;          /* refused by the builder: cheap */
            sum += w;
            if (w > max)
                max = w;
            nl++;
        }
    return sum * (max + 3) > FUZZ_MAX_CELLS || nl > 200;
}

typedef struct Job {
    int of, wrt;
    int has_stmt;
} Job;

static void add_job(Job *v, int *n, int of, int wrt, int has_stmt)
{
    if (of < 0 || wrt < 0 || *n >= FUZZ_MAX_JOBS)
        return;
    for (int i = 0; i < *n; i++)
        if (v[i].of == of && v[i].wrt == wrt)
            return;
    v[*n].of = of;
    v[*n].wrt = wrt;
    v[*n].has_stmt = has_stmt;
    (*n)++;
}

/* one writer into /dev/null in format F */
typedef int (*Writer)(Deriver *d, int of, int wrt, Emitter *em);
static void write_to_null(Writer w, Deriver *d, const Job *j, int f)
{
    Emitter *em = emit_open(emit_format_at(f), devnull);
    w(d, j->of, j->wrt, em);
    emit_close(em);
}

static int collapse_bounded(Deriver *d, int of, int wrt, Emitter *em)
{
    return collapse_write(d, of, wrt, FUZZ_MAX_TERMS, em);
}

static void derive_all(const Graph *g, const Job *j)
{
    mpz_t count;
    mpz_init(count);
    paths_count(g, j->of, j->wrt, NULL, count);
    for (Stage st = ST_CHAIN; st <= ST_FORWARD; st++) {
        Deriver d;
        deriver_init(&d, g, st);
        if (stage_count_terms(&d, j->of, j->wrt, count) == 0 && mpz_cmp_ui(count, FUZZ_MAX_TERMS) <= 0)
            write_to_null(derive_write, &d, j, (int)st % 3);
        if (st != ST_FORWARD)
            write_to_null(collapse_bounded, &d, j, ((int)st + 1) % 3);
        deriver_free(&d);
    }
    Deriver d;
    deriver_init(&d, g, ST_FACTORED);
    for (int f = 0; emit_format_at(f); f++)
        write_to_null(factored_write, &d, j, f);
    deriver_free(&d);
    mpz_clear(count);
}

static void render_some(const Graph *g, const Job *j, int node, unsigned variant)
{
    if (g->nnodes > FUZZ_MAX_RENDER_NODES)
        return;
    RenderOpts ro = {0};
    ro.view = (variant & 1) && g->kind == B_NETWORK ? VIEW_NETWORK : VIEW_GRAPH;
    ro.dot = (variant & 2) != 0;
    ro.top_bottom = (variant & 4) != 0;
    ro.labels = (variant & 8) == 0;
    ro.only_paths = (variant & 16) != 0;
    ro.stage = (Stage)(variant % 5);
    if (node >= 0) {
        render_write(g, -1, -1, node, &ro, devnull);
        return;
    }
    if (j) {
        ro.colors = (variant & 32) != 0;
        ro.term = (variant & 64) ? 1 + variant % 3 : 0;
        render_write(g, j->of, j->wrt, -1, &ro, devnull);
    } else {
        render_write(g, -1, -1, -1, &ro, devnull);
    }
}

/* eval --check sums every path OF -> leaf one by one: only when few */
static int few_paths(const Graph *g, int of)
{
    if (g->nnodes > FUZZ_MAX_CHECK_NODES)
        return 0;
    mpz_t n, total;
    mpz_init(n);
    mpz_init(total);
    for (int v = 0; v < g->nnodes; v++) {
        paths_count(g, of, v, NULL, n);
        mpz_add(total, total, n);
    }
    int few = mpz_cmp_ui(total, FUZZ_MAX_CHECK_PATHS) <= 0;
    mpz_clear(n);
    mpz_clear(total);
    return few;
}

static void numeric(const Graph *g, int of, int wrt)
{
    if (of < 0)
        return;
    Numbers n;
    numbers_init(&n, g);
    numbers_seed(&n, 1);
    EvalOpts eo = {of, false, few_paths(g, of)};
    eval_write(&n, &eo, devnull);
    eo.json = true;
    eo.check = false;
    eval_write(&n, &eo, devnull);
    if (wrt >= 0)
        paths_write(&n, of, wrt, true, false, devnull);
    if (g->kind == B_NETWORK)
        vanish_write(&n, of, VANISH_TEXT, devnull);
    numbers_free(&n);
}

/* every node's reference text resolves back to the node (a loss's
 * target t[k] is refused by design: it is a value, not a variable) */
static void roundtrip(const Graph *g)
{
    Buf b = {0};
    int step = g->nnodes > 200 ? g->nnodes / 97 : 1;
    for (int v = 0; v < g->nnodes; v += step) {
        if (g->nodes[v].kind == N_TARGET)
            continue;
        buf_truncate(&b, 0);
        graph_node_ref(g, v, &b);
        int r = graph_resolve_text(g, buf_cstr(&b), "--wrt");
        if (r != v) {
            fprintf(stdout, "roundtrip: node %d prints as '%s', resolves to %d\n", v, buf_cstr(&b), r);
            abort();
        }
    }
    buf_free(&b);
}

static void one_block(const Graph *g, const Block *b, unsigned variant)
{
    Job jobs[FUZZ_MAX_JOBS];
    int nj = 0;
    int expand_node = -1;
    for (const Stmt *s = b->stmts; s; s = s->next) {
        if (s->kind == S_DERIVE) {
            int of = graph_resolve(g, &s->ref);
            int wrt = of >= 0 ? graph_resolve(g, &s->wrt) : -1;
            add_job(jobs, &nj, of, wrt, 1);
        } else if (s->kind == S_EXPAND) {
            int v = graph_resolve(g, &s->ref);
            if (v >= 0) {
                Deriver d;
                deriver_init(&d, g, ST_FORWARD);
                Emitter *em = emit_open(emit_format_at((int)(variant % 3)), devnull);
                expand_write(&d, v, em);
                emit_close(em);
                deriver_free(&d);
                if (expand_node < 0)
                    expand_node = v;
            }
        }
    }
    int dflt = g->kind == B_NETWORK ? g->loss : g->output;
    if (dflt >= 0 && g->nnodes > 0) {
        add_job(jobs, &nj, dflt, 0, 0);
        add_job(jobs, &nj, dflt, g->nnodes - 1, 0);
        add_job(jobs, &nj, dflt, (int)(variant % (unsigned)g->nnodes), 0);
        add_job(jobs, &nj, dflt, dflt, 0);
    }
    for (int i = 0; i < nj; i++)
        derive_all(g, &jobs[i]);
    roundtrip(g);
    render_some(g, nj ? &jobs[0] : NULL, -1, variant);
    if (expand_node >= 0)
        render_some(g, NULL, expand_node, variant >> 3);
    else if (nj > 1)
        render_some(g, &jobs[1], -1, variant >> 3);
    numeric(g, dflt, nj ? jobs[0].wrt : -1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 64 * 1024)
        return 0;
    Source src;
    source_from_string(&src, "fuzz.net", (const char *)data, size);
    Arena arena = {0};
    Program prog;
    if (parse_program(&src, &arena, &prog) == 0) {
        check_fmt(&src, &prog);
        unsigned variant = 0;
        for (size_t i = 0; i < size; i++)
            variant = variant * 31 + data[i];
        int nb = 0;
        for (const Block *b = prog.blocks; b && nb < FUZZ_MAX_BLOCKS; b = b->next, nb++) {
            if (too_big(b))
                continue;
            Graph g;
            if (graph_build(&g, &src, b) < 0)
                continue;
            if (g.nnodes <= FUZZ_MAX_NODES && g.nedges <= FUZZ_MAX_EDGES)
                one_block(&g, b, variant);
            graph_free(&g);
        }
    }
    arena_free(&arena);
    source_free(&src);
    return 0;
}
