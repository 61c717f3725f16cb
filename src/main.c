/* main.c — subcommands, options and exit codes.
 *
 * Exit status: 0 success, 1 bad input (the file, its references, a failed
 * write), 2 bad usage (unknown option, missing argument).
 * Nothing is written to the output before every derivation asked for has
 * been resolved and checked, so a bad input never leaves half a result.
 */
#include "ast.h"
#include "derive.h"
#include "graph.h"
#include "output.h"
#include "render.h"
#include "eval.h"
#include "latexdoc.h"
#include "fmt.h"
#include "report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum { EXIT_BAD_INPUT = 1, EXIT_USAGE = 2 };

static const char usage_text[] =
    "usage: pathgrad COMMAND FILE [OPTIONS]\n"
    "\n"
    "The chain rule as a sum over paths: pathgrad reads a .net file (a network\n"
    "or a scalar graph), finds every path between two variables and prints the\n"
    "derivative as a sum over paths of products of local derivatives.\n"
    "\n"
    "commands:\n"
    "  derive FILE [--of NAME] [--wrt REF] [--stage S] [--format F] [--max-terms N] [-o OUT]\n"
    "                 the derivative d(OF)/d(REF) as a sum over paths; without --wrt,\n"
    "                 the file's own 'derive' statements\n"
    "  expand FILE [--node REF] [--format F] [-o OUT]\n"
    "                 the forward path sum of a variable; without --node, the file's\n"
    "                 'expand' statements\n"
    "  count  FILE [--of NAME] [--wrt REF]\n"
    "                 the exact number of paths (big integers, no enumeration)\n"
    "  check  FILE    parse and build; print a summary of each block\n"
    "  report FILE [--block NAME] [--katex DIR] [-o OUT]\n"
    "                 one self-contained HTML page: the source, every derivation at\n"
    "                 every stage typeset by KaTeX beside the drawing of its paths,\n"
    "                 the counts; KaTeX (Debian's libjs-katex, or --katex DIR, or\n"
    "                 $PATHGRAD_KATEX) is inlined with its fonts: the page works offline\n"
    "  fmt    FILE [--check | --in-place] [-o OUT]\n"
    "                 the file in canonical layout, comments kept; --check: exit 1\n"
    "                 if it is not formatted; --in-place: rewrite FILE\n"
    "  eval   FILE (--values VALUES | --seed N) [--of NAME] [--check] [--format text|json]\n"
    "                 every variable's value, the loss, and its gradient with respect to\n"
    "                 every weight, bias and input (reverse mode); --check also sums\n"
    "                 the paths numerically and takes central finite differences, and\n"
    "                 fails (exit 3) beyond 1e-9 and 1e-6 relative\n"
    "  paths  FILE [--of NAME] --wrt REF [--values VALUES | --seed N] [--format text|json]\n"
    "                 how many paths cross each number of weight layers (exact), and\n"
    "                 with values the sum of |path product| of each length\n"
    "  vanish FILE [--seed N | --values VALUES] [--format text|json|svg] [-o OUT]\n"
    "                 mean |dLoss/dw| of every weight layer (seed 1 by default); svg:\n"
    "                 a chart drawn with PLplot\n"
    "  render FILE [--of NAME] [--wrt REF | --node REF] [--stage S] [--view graph|network]\n"
    "         [--format svg|dot] [--rankdir LR|TB] [--term K] [--colors] [--only-paths]\n"
    "         [--no-labels] [--no-paths] [-o OUT]\n"
    "                 draw the computational graph through Graphviz (libgvc), the paths\n"
    "                 of d(OF)/d(REF) in red (default: the file's first derive), or with\n"
    "                 --node the paths of a forward path sum; edges carry their local\n"
    "                 derivative at the stage.  Networks are placed on a layered grid\n"
    "                 computed by pathgrad (Graphviz's nop engine: linear time); scalar\n"
    "                 graphs are laid out by dot up to 600 nodes and 2500 edges, larger\n"
    "                 ones by depth on the grid.  Drawings of more than 5000 edges leave\n"
    "                 out the edge labels; more than 1,000,000 nodes are refused\n"
    "\n"
    "options:\n"
    "  --of NAME        the variable differentiated (default: the loss, or a graph's\n"
    "                   last assignment)\n"
    "  --wrt REF        differentiate with respect to REF: x[L][j] y[L][j] w[L][i][j]\n"
    "                   b[L][j], the loss, or a graph's variable\n"
    "  --node REF       the variable to expand\n"
    "  --block NAME     the network or graph of the file to use (default: the first)\n"
    "  --stage S        chain | act | local | forward | factored (default: local)\n"
    "                     chain    every factor a partial derivative\n"
    "                     act      activation factors replaced (ReLU 1, dead ReLU 0)\n"
    "                     local    also junctions (dx/dw = y, dx/dy = w), skips, biases,\n"
    "                              and scalar operators differentiated\n"
    "                     forward  also every y that is not an input replaced by its\n"
    "                              forward path sum\n"
    "                     factored the backprop equations: a delta for each variable\n"
    "                              on the paths, defined by its parents; linear size,\n"
    "                              never refused by --max-terms\n"
    "  --format F       latex | text | json (default: latex); render: svg | dot\n"
    "  --max-terms N    refuse to expand more than N terms (default 10000; 0: no bound);\n"
    "                   with --collapse, more than N families\n"
    "  --standalone     derive, expand (latex): a complete document (amsmath), each\n"
    "                   derivation in align*, long sums one path a line\n"
    "  --env E          derive, expand (latex): wrap each derivation in E for pasting\n"
    "                   into a paper: equation | align | multline (each also\n"
    "                   starred) | bare (default without --standalone)\n"
    "  --latex-names S  how names of several letters print in LaTeX: plain (as the\n"
    "                   article: Loss), mathit (\\mathit{Loss}) or mathrm; '_' is \\_\n"
    "  --collapse       write each family of terms that differ only in neuron indices\n"
    "                   as sums over those indices (networks)\n"
    "  -o OUT           write to OUT (atomically: a temporary file renamed on success)\n"
    "  --view V         render: graph (variables, junctions) | network (neurons)\n"
    "  --term K         render: only the K-th term's path\n"
    "  --colors         render: each term's path in its own colour, with a legend\n"
    "  --only-paths     render: draw only what the paths use\n"
    "  --no-labels      render: no local derivatives on the edges\n"
    "  --no-paths       render: the graph alone, nothing highlighted\n"
    "  --rankdir D      render: LR (inputs left, loss right; default) or TB\n"
    "  --values FILE    numbers for the inputs, weights, biases and targets: one\n"
    "                   REF = NUMBER a line, # comments (y[n-2][1] = 0.5, t[1] = 1)\n"
    "  --seed N         draw them: weights Glorot-uniform, biases U(-0.1, 0.1), network\n"
    "                   inputs and targets U(-1, 1), graph inputs U(0.5, 1.5)\n"
    "  -h, --help       this help\n"
    "  --version        the version\n"
    "\n"
    "FILE '-' is standard input. Exit status: 0 success, 1 bad input, 2 bad usage,\n"
    "3 eval --check found a disagreement.\n";

typedef struct Opts {
    const char *cmd, *file, *of, *wrt, *node, *block, *out, *format;
    Stage stage;
    OutFormat fmt;
    unsigned long long max_terms;
    /* render */
    View view;
    bool top_bottom, colors, only_paths, no_labels, no_paths, collapse;
    /* LaTeX for documents */
    bool standalone, have_env;
    bool in_place;          /* fmt */
    const char *katex;      /* report */
    LatexNames latex_names;
    LatexEnv env;
    unsigned long long term;
    /* eval, paths, vanish */
    const char *values;
    bool have_seed, check;
    unsigned long long seed;
} Opts;

static bool is_render(const Opts *o) { return strcmp(o->cmd, "render") == 0; }

static int usage_error(const char *fmt, const char *arg)
    __attribute__((format(printf, 1, 0)));
static int usage_error(const char *fmt, const char *arg)
{
    pg_usage_error(NULL, fmt, arg);
    return EXIT_USAGE;
}

/* a whole number option value: 1 if V is one (stored in *OUT) */
static int whole_number(const char *v, unsigned long long *out)
{
    char *end;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    if (*v == '-' || *end || end == v || errno)
        return 0;
    *out = n;
    return 1;
}

/* the index of V among NAMES, or -1 */
static int choice(const char *v, const char *const *names, int n)
{
    for (int i = 0; i < n; i++)
        if (strcmp(v, names[i]) == 0)
            return i;
    return -1;
}

static int parse_opts(int argc, char **argv, Opts *o)
{
    /* the options that take no value */
    const struct {
        const char *name, *alias;
        bool *flag;
    } flags[] = {
        {"--check", NULL, &o->check},       {"--colors", "--colours", &o->colors},
        {"--only-paths", NULL, &o->only_paths}, {"--no-labels", NULL, &o->no_labels},
        {"--collapse", NULL, &o->collapse}, {"--no-paths", NULL, &o->no_paths},
        {"--standalone", NULL, &o->standalone}, {"--in-place", NULL, &o->in_place},
    };
    o->stage = ST_LOCAL;
    o->fmt = OUT_LATEX;
    o->max_terms = 10000;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool takes = true;
        if (strcmp(a, "--of") == 0)
            o->of = v;
        else if (strcmp(a, "--wrt") == 0)
            o->wrt = v;
        else if (strcmp(a, "--node") == 0)
            o->node = v;
        else if (strcmp(a, "--block") == 0)
            o->block = v;
        else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0)
            o->out = v;
        else if (strcmp(a, "--stage") == 0) {
            if (v && stage_parse(v, &o->stage) < 0)
                return usage_error("unknown stage '%s' (chain, act, local, forward or factored)", v);
        } else if (strcmp(a, "--format") == 0) {
            o->format = v;
            if (!v)
                ;
            else if (is_render(o)) {
                if (strcmp(v, "svg") != 0 && strcmp(v, "dot") != 0)
                    return usage_error("unknown format '%s' for render (svg or dot)", v);
            } else if (strcmp(o->cmd, "vanish") == 0) {
                if (strcmp(v, "text") != 0 && strcmp(v, "json") != 0 && strcmp(v, "svg") != 0)
                    return usage_error("unknown format '%s' for vanish (text, json or svg)", v);
            } else if (strcmp(o->cmd, "eval") == 0 || strcmp(o->cmd, "paths") == 0) {
                if (strcmp(v, "text") != 0 && strcmp(v, "json") != 0)
                    return usage_error("unknown format '%s' (text or json)", v);
            } else if (strcmp(v, "latex") == 0)
                o->fmt = OUT_LATEX;
            else if (strcmp(v, "text") == 0)
                o->fmt = OUT_TEXT;
            else if (strcmp(v, "json") == 0)
                o->fmt = OUT_JSON;
            else
                return usage_error("unknown format '%s' (latex, text or json)", v);
        } else if (strcmp(a, "--env") == 0) {
            if (v && latex_env_parse(v, &o->env) < 0)
                return usage_error("unknown environment '%s' (equation, align, multline, each also "
                                   "starred, or bare)", v);
            o->have_env = v != NULL;
        } else if (strcmp(a, "--latex-names") == 0) {
            static const char *const styles[] = {"plain", "mathit", "mathrm"};
            int k = v ? choice(v, styles, 3) : 0;
            if (k < 0)
                return usage_error("unknown name style '%s' (plain, mathit or mathrm)", v);
            o->latex_names = (LatexNames)k;
        } else if (strcmp(a, "--katex") == 0) {
            o->katex = v;
        } else if (strcmp(a, "--values") == 0) {
            o->values = v;
        } else if (strcmp(a, "--seed") == 0) {
            if (v && !whole_number(v, &o->seed))
                return usage_error("--seed takes a whole number, not '%s'", v);
            o->have_seed = v != NULL;
        } else if (strcmp(a, "--view") == 0) {
            static const char *const views[] = {"graph", "network"};     /* View's order */
            int k = v ? choice(v, views, 2) : 0;
            if (k < 0)
                return usage_error("unknown view '%s' (graph or network)", v);
            o->view = (View)k;
        } else if (strcmp(a, "--rankdir") == 0) {
            static const char *const dirs[] = {"LR", "TB"};
            int k = v ? choice(v, dirs, 2) : 0;
            if (k < 0)
                return usage_error("unknown rankdir '%s' (LR or TB)", v);
            o->top_bottom = k == 1;
        } else if (strcmp(a, "--term") == 0) {
            if (v && (!whole_number(v, &o->term) || o->term == 0))
                return usage_error("--term takes a term number from 1, not '%s'", v);
        } else if (strcmp(a, "--max-terms") == 0) {
            if (v && !whole_number(v, &o->max_terms))
                return usage_error("--max-terms takes a whole number, not '%s'", v);
        } else if (a[0] == '-' && a[1] != '\0') {
            bool known = false;
            for (size_t f = 0; f < sizeof flags / sizeof flags[0]; f++)
                if (strcmp(a, flags[f].name) == 0 || (flags[f].alias && strcmp(a, flags[f].alias) == 0)) {
                    *flags[f].flag = true;
                    known = true;
                }
            if (!known)
                return usage_error("unknown option '%s'", a);
            takes = false;
        } else {
            takes = false;
            if (o->file)
                return usage_error("unexpected argument '%s' (one FILE at a time)", a);
            o->file = a;
        }
        if (takes) {
            if (!v)
                return usage_error("option '%s' needs a value", a);
            i++;
        }
    }
    if (!o->file)
        return usage_error("%s needs a FILE ('-' for standard input)", o->cmd);
    if (o->in_place && (strcmp(o->cmd, "fmt") != 0 || strcmp(o->file, "-") == 0 || o->out || o->check))
        return usage_error("%s", strcmp(o->cmd, "fmt") != 0 ? "--in-place is for fmt"
                                 : strcmp(o->file, "-") == 0 ? "fmt --in-place needs a FILE, not standard input"
                                 : "fmt --in-place goes with neither -o nor --check");
    if (o->standalone || o->have_env) {
        const char *opt = o->standalone ? "--standalone" : "--env";
        if (strcmp(o->cmd, "derive") != 0 && strcmp(o->cmd, "expand") != 0)
            return usage_error("%s is for derive and expand", opt);
        if (o->fmt != OUT_LATEX)
            return usage_error("%s needs --format latex", opt);
        if (o->standalone && !o->have_env)
            o->env = ENV_ALIGN_STAR;
    }
    return 0;
}

/* LaTeX for a document: the preamble, and a stream that wraps each
 * equation in the environment; latex_finish closes both */
static FILE *latex_start(const Opts *o, const char *file, FILE *out)
{
    if (o->standalone) {
        char what[96];
        if (strcmp(o->cmd, "derive") == 0)
            snprintf(what, sizeof what, "derive, stage %s%s", stage_name(o->stage),
                     o->collapse ? ", collapsed" : "");
        else
            snprintf(what, sizeof what, "expand");
        latex_doc_begin(out, file, what);
    }
    return o->env != ENV_BARE ? latex_env_open(out, o->env) : out;
}

static int latex_finish(const Opts *o, FILE *w, FILE *out)
{
    int rc = 0;
    if (w != out && fclose(w) != 0)
        rc = -1;
    if (o->standalone)
        latex_doc_end(out);
    return rc;
}

/* ---- loading ---- */

typedef struct Loaded {
    Source src;
    Arena arena;
    Program prog;
} Loaded;

static int load(Loaded *L, const char *path, bool need_blocks)
{
    memset(L, 0, sizeof *L);
    if (source_read(&L->src, path) < 0)
        return -1;
    if (parse_program(&L->src, &L->arena, &L->prog) < 0)
        return -1;
    if (!L->prog.blocks && need_blocks) {
        diag_file_error(L->src.name, "no network or graph in this file");
        return -1;
    }
    return 0;
}

static void unload(Loaded *L)
{
    arena_free(&L->arena);
    source_free(&L->src);
}

static const Block *pick_block(const Loaded *L, const char *name)
{
    if (!name)
        return L->prog.blocks;
    for (const Block *b = L->prog.blocks; b; b = b->next)
        if (strcmp(b->name, name) == 0)
            return b;
    pg_error("%s has no network or graph named '%s'", L->src.name, name);
    return NULL;
}

/* one requested derivation (or expansion) */
typedef struct Job {
    Graph *g;
    int of, wrt;
    const Stmt *stmt;       /* the file's statement, NULL from the command line */
} Job;

typedef struct Jobs {
    Graph *graphs;
    int ngraphs;
    Job *v;
    int n;
} Jobs;

static void jobs_free(Jobs *J)
{
    for (int i = 0; i < J->ngraphs; i++)
        graph_free(&J->graphs[i]);
    free(J->graphs);
    free(J->v);
}

static int default_of(const Graph *g, const char *opt_of)
{
    if (opt_of)
        return graph_resolve_text(g, opt_of, "--of");
    if (g->kind == B_NETWORK) {
        if (g->loss < 0)
            pg_error("network '%s' has no loss: name the variable with --of", g->name);
        return g->loss;
    }
    if (g->last_defined < 0)
        pg_error("graph '%s' defines nothing: name the variable with --of", g->name);
    return g->last_defined;
}

/* Build the graphs and collect the jobs: the option's REF (with --of), or
 * every statement of KIND in the file.  Returns 0, or the exit status. */
static int collect(const Loaded *L, const Opts *o, StmtKind kind, const char *opt_ref, Jobs *J)
{
    memset(J, 0, sizeof *J);
    int nb = 0;
    for (const Block *b = L->prog.blocks; b; b = b->next)
        nb++;
    J->graphs = xcalloc((size_t)nb, sizeof *J->graphs);
    const Block *only = NULL;
    if (opt_ref || o->block) {
        only = pick_block(L, o->block);
        if (!only)
            return EXIT_USAGE;
    }
    int cap = 8;
    J->v = xmalloc(cap * sizeof *J->v);
    for (const Block *b = L->prog.blocks; b; b = b->next) {
        if (only && b != only)
            continue;
        Graph *g = &J->graphs[J->ngraphs];
        if (graph_build(g, &L->src, b) < 0)
            return EXIT_BAD_INPUT;
        g->latex_names = o->latex_names;
        J->ngraphs++;
        if (opt_ref) {
            Job j = {g, -1, -1, NULL};
            if (kind == S_DERIVE) {
                j.of = default_of(g, o->of);
                if (j.of < 0)
                    return EXIT_USAGE;
            }
            j.wrt = graph_resolve_text(g, opt_ref, kind == S_DERIVE ? "--wrt" : "--node");
            if (j.wrt < 0)
                return EXIT_USAGE;
            J->v[J->n++] = j;
            continue;
        }
        for (const Stmt *s = b->stmts; s; s = s->next) {
            if (s->kind != kind)
                continue;
            Job j = {g, -1, -1, s};
            if (kind == S_DERIVE) {
                j.of = graph_resolve(g, &s->ref);
                if (j.of < 0)
                    return EXIT_BAD_INPUT;
                j.wrt = graph_resolve(g, &s->wrt);
            } else {
                j.wrt = graph_resolve(g, &s->ref);
            }
            if (j.wrt < 0)
                return EXIT_BAD_INPUT;
            if (J->n == cap) {
                cap *= 2;
                J->v = xrealloc(J->v, xmul((size_t)cap, sizeof *J->v));
            }
            J->v[J->n++] = j;
        }
    }
    if (J->n == 0) {
        pg_error("%s has no '%s' statement: give %s", L->src.name,
                kind == S_DERIVE ? "derive" : "expand", kind == S_DERIVE ? "--wrt REF" : "--node REF");
        return EXIT_USAGE;
    }
    return 0;
}

static void job_label(const Job *j, Buf *out)
{
    graph_node_ref(j->g, j->of, out);
    buf_puts(out, " wrt ");
    graph_node_ref(j->g, j->wrt, out);
}

/* ---- commands ---- */

static int cmd_derive(const Loaded *L, const Opts *o)
{
    Jobs J;
    int rc = collect(L, o, S_DERIVE, o->wrt, &J);
    Deriver *d = NULL;
    if (rc == 0) {
        /* first resolve and bound every derivation; only then write */
        d = xcalloc((size_t)J.n, sizeof *d);
        mpz_t count;
        mpz_init(count);
        for (int i = 0; i < J.n && rc == 0; i++) {
            Job *j = &J.v[i];
            deriver_init(&d[i], j->g, o->stage);
            if (o->stage == ST_FACTORED || o->collapse)
                continue;           /* never refused: no count needed */
            if (count_terms(&d[i], j->of, j->wrt, count) < 0) {
                rc = EXIT_BAD_INPUT;
                break;
            }
            if (o->stage != ST_FACTORED && !o->collapse && o->max_terms && mpz_cmp_ui(count, o->max_terms) > 0) {
                Buf lab = {0};
                job_label(j, &lab);
                char *n = mpz_get_str(NULL, 10, count);
                const char *fmt = "%s has %s terms at stage %s, more than --max-terms %llu: "
                                  "raise the bound (--max-terms 0 lifts it) or ask 'pathgrad count'";
                if (j->stmt)
                    diag_error(&L->src, j->stmt->loc, fmt, buf_cstr(&lab), n,
                               stage_name(o->stage), o->max_terms);
                else
                    pg_error(fmt, buf_cstr(&lab), n, stage_name(o->stage), o->max_terms);
                free(n);
                buf_free(&lab);
                rc = EXIT_BAD_INPUT;
            }
        }
        mpz_clear(count);
    }
    Output out;
    if (rc == 0 && output_open(&out, o->out) < 0)
        rc = EXIT_BAD_INPUT;
    else if (rc == 0) {
        FILE *w = latex_start(o, L->src.name, out.f);
        for (int i = 0; i < J.n && rc == 0; i++) {
            if (i && o->fmt != OUT_JSON)
                fputc('\n', w);
            int r = o->stage == ST_FACTORED ? factored_write(&d[i], J.v[i].of, J.v[i].wrt, o->fmt, w)
                    : o->collapse ? collapse_write(&d[i], J.v[i].of, J.v[i].wrt, o->fmt, o->max_terms, w)
                    : derive_write(&d[i], J.v[i].of, J.v[i].wrt, o->fmt, w);
            if (r < 0)
                rc = EXIT_BAD_INPUT;
        }
        if (latex_finish(o, w, out.f) < 0 && rc == 0)
            rc = EXIT_BAD_INPUT;
        if (output_close(&out, rc == 0) < 0)
            rc = EXIT_BAD_INPUT;
    }
    if (d)
        for (int i = 0; i < J.n; i++)
            if (d[i].g)
                deriver_free(&d[i]);
    free(d);
    jobs_free(&J);
    return rc;
}

static int cmd_expand(const Loaded *L, const Opts *o)
{
    Jobs J;
    int rc = collect(L, o, S_EXPAND, o->node, &J);
    Output out;
    if (rc == 0 && output_open(&out, o->out) < 0)
        rc = EXIT_BAD_INPUT;
    else if (rc == 0) {
        FILE *w = latex_start(o, L->src.name, out.f);
        for (int i = 0; i < J.n && rc == 0; i++) {
            Deriver d;
            deriver_init(&d, J.v[i].g, ST_FORWARD);
            if (i && o->fmt != OUT_JSON && o->env != ENV_BARE)
                fputc('\n', w);    /* one environment each */
            if (expand_write(&d, J.v[i].wrt, o->fmt, w) < 0)
                rc = EXIT_BAD_INPUT;
            deriver_free(&d);
        }
        if (latex_finish(o, w, out.f) < 0 && rc == 0)
            rc = EXIT_BAD_INPUT;
        if (output_close(&out, rc == 0) < 0)
            rc = EXIT_BAD_INPUT;
    }
    jobs_free(&J);
    return rc;
}

static int cmd_count(const Loaded *L, const Opts *o)
{
    Jobs J;
    int rc = collect(L, o, S_DERIVE, o->wrt, &J);
    Output out;
    if (rc == 0 && output_open(&out, o->out) < 0)
        rc = EXIT_BAD_INPUT;
    else if (rc == 0) {
        mpz_t n;
        mpz_init(n);
        for (int i = 0; i < J.n; i++) {
            count_paths(J.v[i].g, J.v[i].of, J.v[i].wrt, n);
            if (!o->wrt) {
                Buf lab = {0};
                job_label(&J.v[i], &lab);
                fprintf(out.f, "%s: ", buf_cstr(&lab));
                buf_free(&lab);
            }
            mpz_out_str(out.f, 10, n);
            fputc('\n', out.f);
        }
        mpz_clear(n);
        if (output_close(&out, true) < 0)
            rc = EXIT_BAD_INPUT;
    }
    jobs_free(&J);
    return rc;
}

/* render: the file's first derive statement (or --of/--wrt, or --node's
 * forward paths, or no highlight at all) drawn as SVG or DOT */
static int cmd_render(const Loaded *L, const Opts *o)
{
    const Block *b = pick_block(L, o->block);
    if (!b)
        return EXIT_USAGE;
    Graph g;
    if (graph_build(&g, &L->src, b) < 0)
        return EXIT_BAD_INPUT;
    int rc = 0, of = -1, wrt = -1, node = -1;
    if (o->node) {
        node = graph_resolve_text(&g, o->node, "--node");
        if (node < 0)
            rc = EXIT_USAGE;
    } else if (o->wrt) {
        of = default_of(&g, o->of);
        wrt = of >= 0 ? graph_resolve_text(&g, o->wrt, "--wrt") : -1;
        if (wrt < 0)
            rc = EXIT_USAGE;
    } else if (!o->no_paths) {
        for (const Stmt *s = b->stmts; s; s = s->next)
            if (s->kind == S_DERIVE) {
                of = graph_resolve(&g, &s->ref);
                wrt = of >= 0 ? graph_resolve(&g, &s->wrt) : -1;
                if (wrt < 0)
                    rc = EXIT_BAD_INPUT;
                break;
            }
    }
    if (rc == 0 && (o->term || o->colors) && wrt < 0) {
        pg_error("--term and --colors need a derivation: give --wrt REF");
        rc = EXIT_USAGE;
    }
    if (rc == 0) {
        RenderOpts ro = {o->view, o->format && strcmp(o->format, "dot") == 0, o->top_bottom,
                         o->term, o->colors, o->only_paths, !o->no_labels, o->stage};
        Output out;
        if (output_open(&out, o->out) < 0)
            rc = EXIT_BAD_INPUT;
        else {
            if (render_write(&g, of, wrt, node, &ro, out.f) < 0)
                rc = EXIT_BAD_INPUT;
            if (output_close(&out, rc == 0) < 0)
                rc = EXIT_BAD_INPUT;
        }
    }
    graph_free(&g);
    return rc;
}

/* the numbers of a block: --values FILE or --seed N (vanish: seed 1 by
 * default) */
static int load_numbers(const Graph *g, const Opts *o, Numbers *n, bool default_seed)
{
    numbers_init(n, g);
    if (o->values && o->have_seed) {
        pg_usage_error(NULL, "give --values or --seed, not both");
        return EXIT_USAGE;
    }
    if (o->values)
        return numbers_load(n, o->values) < 0 ? EXIT_BAD_INPUT : 0;
    if (o->have_seed || default_seed) {
        numbers_seed(n, o->have_seed ? o->seed : 1);
        return 0;
    }
    pg_usage_error(NULL, "%s needs --values FILE or --seed N", o->cmd);
    return EXIT_USAGE;
}

static int numeric_of(const Graph *g, const Opts *o)
{
    if (o->of)
        return graph_resolve_text(g, o->of, "--of");
    return default_of(g, NULL);
}

/* eval, paths and vanish share their set-up: one block, its numbers */
static int cmd_numeric(const Loaded *L, const Opts *o)
{
    const Block *b = pick_block(L, o->block);
    if (!b)
        return EXIT_USAGE;
    Graph g;
    if (graph_build(&g, &L->src, b) < 0)
        return EXIT_BAD_INPUT;
    bool is_paths = strcmp(o->cmd, "paths") == 0, is_vanish = strcmp(o->cmd, "vanish") == 0;
    int rc = 0, of = numeric_of(&g, o), ref = -1;
    if (of < 0)
        rc = EXIT_USAGE;
    if (rc == 0 && is_paths) {
        if (!o->wrt) {
            pg_usage_error(NULL, "paths needs --wrt REF");
            rc = EXIT_USAGE;
        } else if ((ref = graph_resolve_text(&g, o->wrt, "--wrt")) < 0) {
            rc = EXIT_USAGE;
        }
    }
    Numbers n;
    bool with_values = !is_paths || o->values || o->have_seed;
    if (rc == 0) {
        if (with_values)
            rc = load_numbers(&g, o, &n, is_vanish);
        else
            numbers_init(&n, &g);
    } else {
        numbers_init(&n, &g);
    }
    Output out;
    if (rc == 0 && output_open(&out, o->out) < 0)
        rc = EXIT_BAD_INPUT;
    else if (rc == 0) {
        bool json = o->format && strcmp(o->format, "json") == 0;
        if (is_paths) {
            rc = paths_write(&n, of, ref, with_values, json, out.f);
        } else if (is_vanish) {
            VanishFormat vf = !o->format || strcmp(o->format, "text") == 0 ? VANISH_TEXT
                              : strcmp(o->format, "json") == 0 ? VANISH_JSON : VANISH_SVG;
            rc = vanish_write(&n, of, vf, out.f);
        } else {
            EvalOpts eo = {of, json, o->check};
            rc = eval_write(&n, &eo, out.f);
        }
        /* a failed check still writes its report */
        if (output_close(&out, rc == 0 || rc == 3) < 0)
            rc = EXIT_BAD_INPUT;
    }
    numbers_free(&n);
    graph_free(&g);
    return rc;
}

static int cmd_check(const Loaded *L, const Opts *o)
{
    Jobs J = {0};
    int nb = 0;
    for (const Block *b = L->prog.blocks; b; b = b->next)
        nb++;
    J.graphs = xcalloc((size_t)nb, sizeof *J.graphs);
    Buf rep = {0};
    int rc = 0;
    for (const Block *b = L->prog.blocks; b && rc == 0; b = b->next) {
        Graph *g = &J.graphs[J.ngraphs];
        if (graph_build(g, &L->src, b) < 0) {
            rc = EXIT_BAD_INPUT;
            break;
        }
        J.ngraphs++;
        int nd = 0, ne = 0;
        for (const Stmt *s = b->stmts; s && rc == 0; s = s->next) {
            if (s->kind == S_DERIVE) {
                nd++;
                if (graph_resolve(g, &s->ref) < 0 || graph_resolve(g, &s->wrt) < 0)
                    rc = EXIT_BAD_INPUT;
            } else if (s->kind == S_EXPAND) {
                ne++;
                if (graph_resolve(g, &s->ref) < 0)
                    rc = EXIT_BAD_INPUT;
            }
        }
        if (g->kind == B_NETWORK) {
            int w = 0, bias = 0, dead = 0;
            for (int v = 0; v < g->nnodes; v++) {
                w += g->nodes[v].kind == N_WEIGHT;
                bias += g->nodes[v].kind == N_BIAS;
                dead += g->nodes[v].dead;
            }
            buf_printf(&rep, "network %s: %d layers (", g->name, g->nlayers);
            /* a long network shows its first and last layers */
            for (int l = 0; l < g->nlayers; l++) {
                if (g->nlayers > 12 && l == 5) {
                    buf_printf(&rep, ", ... %d more ...", g->nlayers - 10);
                    l = g->nlayers - 5;
                }
                buf_printf(&rep, "%s%s:%d%s%s", l ? ", " : "", g->layers[l].label, g->layers[l].width,
                           l ? " " : "", l ? op_get(g->layers[l].act)->name : "");
            }
            buf_printf(&rep, "), %d weights, %d biases, %d dead, loss %s; %d derive, %d expand\n",
                       w, bias, dead, g->loss >= 0 ? node_name(g, g->loss) : "(none)", nd, ne);
        } else {
            int in = 0;
            for (int v = 0; v < g->nnodes; v++)
                in += node_def(g, v) == NULL;
            buf_printf(&rep, "graph %s: %d variables (%d inputs), %d edges; %d derive, %d expand\n",
                       g->name, g->nnodes, in, g->nedges, nd, ne);
        }
    }
    if (rc == 0) {
        Output out;
        if (output_open(&out, o->out) < 0)
            rc = EXIT_BAD_INPUT;
        else {
            fputs(buf_cstr(&rep), out.f);
            if (output_close(&out, true) < 0)
                rc = EXIT_BAD_INPUT;
        }
    }
    buf_free(&rep);
    jobs_free(&J);
    return rc;
}

/* report: one HTML page with everything */
static int cmd_report(const Loaded *L, const Opts *o)
{
    const char *katex = o->katex ? o->katex : getenv("PATHGRAD_KATEX");
    if (!katex || !*katex)
        katex = REPORT_KATEX_DIR;
    if (o->block && !pick_block(L, o->block))
        return EXIT_USAGE;
    if (report_check_katex(katex) < 0)
        return EXIT_BAD_INPUT;
    Output out;
    if (output_open(&out, o->out) < 0)
        return EXIT_BAD_INPUT;
    int rc = report_write(&L->src, &L->prog, o->block, katex, out.f) < 0 ? EXIT_BAD_INPUT : 0;
    if (output_close(&out, rc == 0) < 0)
        rc = EXIT_BAD_INPUT;
    return rc;
}

/* fmt: the canonical layout; --check: 1 if the file differs from it;
 * --in-place: rewrite the file (atomically) */
static int cmd_fmt(const Loaded *L, const Opts *o)
{
    Buf b = {0};
    fmt_program(&L->src, &L->prog, &b);
    int rc = 0;
    bool same = b.len == L->src.len && memcmp(b.data ? b.data : "", L->src.text, b.len) == 0;
    if (o->check) {
        if (!same) {
            pg_error("%s is not formatted ('pathgrad fmt %s' shows the canonical layout)",
                    L->src.name, L->src.name);
            rc = EXIT_BAD_INPUT;
        }
    } else if (!o->in_place || !same) {
        Output out;
        if (output_open(&out, o->in_place ? o->file : o->out) < 0) {
            rc = EXIT_BAD_INPUT;
        } else {
            fwrite(b.data ? b.data : "", 1, b.len, out.f);
            if (output_close(&out, true) < 0)
                rc = EXIT_BAD_INPUT;
        }
    }
    buf_free(&b);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return fputs(usage_text, stderr), EXIT_USAGE;
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage_text, stdout);
        return fflush(stdout) == 0 && !ferror(stdout) ? 0 : EXIT_BAD_INPUT;
    }
    if (strcmp(cmd, "--version") == 0) {
        puts(PG_NAME " " PG_VERSION);
        return fflush(stdout) == 0 && !ferror(stdout) ? 0 : EXIT_BAD_INPUT;
    }
    int (*run)(const Loaded *, const Opts *) = NULL;
    if (strcmp(cmd, "derive") == 0)
        run = cmd_derive;
    else if (strcmp(cmd, "expand") == 0)
        run = cmd_expand;
    else if (strcmp(cmd, "count") == 0)
        run = cmd_count;
    else if (strcmp(cmd, "check") == 0)
        run = cmd_check;
    else if (strcmp(cmd, "render") == 0)
        run = cmd_render;
    else if (strcmp(cmd, "eval") == 0 || strcmp(cmd, "paths") == 0 || strcmp(cmd, "vanish") == 0)
        run = cmd_numeric;
    else if (strcmp(cmd, "fmt") == 0)
        run = cmd_fmt;
    else if (strcmp(cmd, "report") == 0)
        run = cmd_report;
    else
        return usage_error("unknown command '%s'", cmd);
    for (int i = 2; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(usage_text, stdout);
            return 0;
        }
    Opts o = {0};
    o.cmd = cmd;
    int rc = parse_opts(argc, argv, &o);
    if (rc)
        return rc;
    Loaded L;
    if (load(&L, o.file, run != cmd_fmt) < 0) {
        unload(&L);
        return EXIT_BAD_INPUT;
    }
    rc = run(&L, &o);
    unload(&L);
    return rc;
}
