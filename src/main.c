/* main.c — the command table, the options, and exit statuses.
 *
 * A command is one row of `commands` and one function: the row names the
 * options it takes, and any other option is a usage error that names the
 * command.  An option is one row of `options`.  `pathgrad --help` and
 * `pathgrad COMMAND --help` are printed from the two tables.
 *
 * Exit status: 0 success, 1 bad input (the file, its references, a failed
 * write), 2 bad usage (options; a malformed or unknown --of/--wrt/--node),
 * 3 eval --check found a disagreement.  Library functions report and
 * return -1; only this file turns failures into statuses.  Nothing is
 * written to the output before every derivation asked for has been
 * resolved and checked, so a bad input never leaves half a result.
 */
#include "ast.h"
#include "derive.h"
#include "eval.h"
#include "fmt.h"
#include "graph.h"
#include "jobs.h"
#include "latexdoc.h"
#include "texwidth.h"
#include "output.h"
#include "render.h"
#include "slides.h"
#include "report.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

enum { EXIT_BAD_INPUT = 1, EXIT_USAGE = 2, EXIT_CHECK = 3 };

/* ---- options ---- */

typedef enum {
    O_OF, O_WRT, O_NODE, O_BLOCK, O_STAGE, O_FORMAT, O_MAX_TERMS, O_COLLAPSE,
    O_STANDALONE, O_ENV, O_WIDTH, O_LATEX_NAMES, O_NOTATION, O_INIT, O_VIEW, O_RANKDIR, O_TERM, O_COLORS,
    O_ONLY_PATHS, O_NO_LABELS, O_NO_PATHS, O_VALUES, O_SEED, O_CHECK, O_IN_PLACE,
    O_KATEX, O_OUT,
    NOPTS
} OptId;

typedef struct OptDef {
    const char *name, *alias;
    const char *arg;         /* its value's name, NULL for a flag */
    const char *help;        /* lines after the first are indented under it */
} OptDef;

static const OptDef options[NOPTS] = {
    [O_OF] = {"--of", NULL, "NAME", "the variable differentiated (default: the network's loss, or the\n"
                                   "graph's output, the one variable no other uses)"},
    [O_WRT] = {"--wrt", NULL, "REF", "differentiate with respect to REF: x[L][j] y[L][j] w[L][i][j]\n"
                                    "b[L][j], the loss, or a graph's variable"},
    [O_NODE] = {"--node", NULL, "REF", "the variable to expand"},
    [O_BLOCK] = {"--block", NULL, "NAME", "the network or graph of the file to use (default: the first)"},
    [O_STAGE] = {"--stage", NULL, "S", "chain | act | local | forward | factored (default: local)\n"
                                      "  chain    every factor a partial derivative\n"
                                      "  act      activation factors replaced (ReLU 1, dead ReLU 0)\n"
                                      "  local    also junctions (dx/dw = y, dx/dy = w), skips, biases,\n"
                                      "           and scalar operators differentiated\n"
                                      "  forward  also every y that is not an input replaced by its\n"
                                      "           forward path sum\n"
                                      "  factored the backprop equations: a delta for each variable\n"
                                      "           on the paths, defined by its parents; linear size,\n"
                                      "           never refused by --max-terms"},
    [O_FORMAT] = {"--format", NULL, "F", "the output's format (the command's usage lists them)"},
    [O_MAX_TERMS] = {"--max-terms", NULL, "N", "refuse to expand more than N terms (default 10000; 0: no bound);\n"
                                              "with --collapse, more than N families"},
    [O_COLLAPSE] = {"--collapse", NULL, NULL, "write each family of terms that differ only in neuron indices\n"
                                             "as sums over those indices (networks)"},
    [O_STANDALONE] = {"--standalone", NULL, NULL, "(latex) a complete document (amsmath), each derivation in\n"
                                                 "align*, long sums one path a line"},
    [O_ENV] = {"--env", NULL, "E", "(latex) wrap each derivation in E for pasting into a paper:\n"
                                  "equation | align | multline (each also starred) | bare\n"
                                  "(the default without --standalone)"},
    [O_WIDTH] = {"--width", NULL, "LEN", "(latex) break lines wider than LEN (pt, cm, mm, in, em) at a +\n"
                                      "or between factors; with --env or --standalone the default is\n"
                                      "483.7pt (the --standalone page), else none (never break)"},
    [O_LATEX_NAMES] = {"--latex-names", NULL, "S", "how names print in LaTeX: textbook (default: h_1 as h_{1}, Whh\n"
                                                  "one symbol, a network's Loss as the article prints it), plain\n"
                                                  "(letter by letter, '_' is \\_), mathit (\\mathit{Loss}) or mathrm"},
    [O_NOTATION] = {"--notation", NULL, "N,..", "how a network's neurons and weights print: xy (x, y; default) or\n"
                                              "za (z, a); out (w^{ij}_l from layer l; default) or into\n"
                                              "(w^m_{ji} into layer m, the layer up as Nielsen writes it)"},
    [O_VIEW] = {"--view", NULL, "V", "graph (variables, junctions) | network (neurons; networks only)"},
    [O_RANKDIR] = {"--rankdir", NULL, "D", "LR (inputs left, loss right; default) or TB"},
    [O_TERM] = {"--term", NULL, "K", "light only the K-th term's path"},
    [O_COLORS] = {"--colors", "--colours", NULL, "each term's path in its own colour, with a legend"},
    [O_ONLY_PATHS] = {"--only-paths", NULL, NULL, "draw only what the paths use"},
    [O_NO_LABELS] = {"--no-labels", NULL, NULL, "no local derivatives on the edges"},
    [O_NO_PATHS] = {"--no-paths", NULL, NULL, "the graph alone, nothing highlighted"},
    [O_VALUES] = {"--values", NULL, "FILE", "numbers for the inputs, weights, biases and targets: one\n"
                                          "REF = NUMBER a line, # comments (y[n-2][1] = 0.5, t[1] = 1)"},
    [O_SEED] = {"--seed", NULL, "N", "draw them: weights Glorot-uniform, biases U(-0.1, 0.1), network\n"
                                    "inputs and targets U(-1, 1), graph inputs U(0.5, 1.5)"},
    [O_INIT] = {"--init", NULL, "I", "how --seed draws weights: glorot (default), he, lecun, standard\n"
                                  "(U(+-1/sqrt(fan-in)), Glorot and Bengio's), normal:SD, uniform:A"},
    [O_CHECK] = {"--check", NULL, NULL, "eval: also sum the paths numerically and take finite differences;\n"
                                       "fmt: exit 1 if the file is not formatted"},
    [O_IN_PLACE] = {"--in-place", NULL, NULL, "rewrite FILE in canonical layout"},
    [O_KATEX] = {"--katex", NULL, "DIR", "where KaTeX is (default: Debian's libjs-katex, or $PATHGRAD_KATEX)"},
    [O_OUT] = {"-o", "--output", "OUT", "write to OUT (atomically: a temporary file renamed on success)"},
};

#define B(o) (1u << (o))

/* ---- what a command line says ---- */

typedef struct Opts {
    const struct Command *cmd;
    const char *file;
    const char *val[NOPTS];  /* each option's value ("" for a flag), NULL if absent */
    Stage stage;
    const EmitOps *emit;     /* derive, expand: the output's format */
    int format;              /* the index of --format among the command's formats */
    unsigned long long max_terms, term, seed;
    View view;
    bool top_bottom;
    LatexNames latex_names;
    double width;             /* --width in pt; 0: none */
    unsigned notation;       /* NOTE_* of jobs.h */
    Init init;               /* --init */
    const char *more[PG_MAX_VANISH_FILES];  /* vanish: the files after the first */
    int nmore;
    LatexEnv env;
} Opts;

static bool has(const Opts *o, OptId id) { return o->val[id] != NULL; }

typedef struct Loaded {
    Source src;
    Arena arena;
    Program prog;
} Loaded;

typedef struct Command {
    const char *name;
    int (*run)(const Loaded *L, const Opts *o);
    unsigned opts;           /* the options it takes (B(O_...)) */
    const char *formats;     /* its --format values, the default first
                              * (EMITTERS: those of emit.h) */
    const char *summary;
} Command;

static int cmd_derive(const Loaded *, const Opts *);
static int cmd_expand(const Loaded *, const Opts *);
static int cmd_count(const Loaded *, const Opts *);
static int cmd_check(const Loaded *, const Opts *);
static int cmd_render(const Loaded *, const Opts *);
static int cmd_numeric(const Loaded *, const Opts *);
static int cmd_report(const Loaded *, const Opts *);
static int cmd_fmt(const Loaded *, const Opts *);
static int cmd_slides(const Loaded *, const Opts *);

#define LATEX_DOC (B(O_STANDALONE) | B(O_ENV) | B(O_WIDTH) | B(O_LATEX_NAMES) | B(O_NOTATION))
#define EMITTERS "*"

static const struct Command commands[] = {
    {"derive", cmd_derive,
     B(O_OF) | B(O_WRT) | B(O_BLOCK) | B(O_STAGE) | B(O_FORMAT) | B(O_MAX_TERMS) | B(O_COLLAPSE) | LATEX_DOC | B(O_OUT),
     EMITTERS,
     "the derivative d(OF)/d(REF) as a sum over paths; without --wrt,\n"
     "the file's own 'derive' statements"},
    {"expand", cmd_expand, B(O_NODE) | B(O_BLOCK) | B(O_FORMAT) | LATEX_DOC | B(O_OUT), EMITTERS,
     "the forward path sum of a variable; without --node, the file's\n"
     "'expand' statements"},
    {"count", cmd_count, B(O_OF) | B(O_WRT) | B(O_BLOCK) | B(O_OUT), NULL,
     "the exact number of paths (big integers, no enumeration)"},
    {"check", cmd_check, B(O_OUT), NULL, "parse and build; print a summary of each block"},
    {"report", cmd_report, B(O_BLOCK) | B(O_VALUES) | B(O_SEED) | B(O_INIT) | B(O_KATEX) | B(O_OUT), NULL,
     "one self-contained HTML page: the source, every derivation at\n"
     "every stage typeset by KaTeX beside the drawing of its paths,\n"
     "the counts; each term (D.K: derivation D, term K) lights its path\n"
     "in the drawing when clicked or named by the address (page.html#2.2);\n"
     "an edge's tooltip is its local derivative, with --values or --seed\n"
     "also its value, and the drawings show values and gradients.  KaTeX\n"
     "(Debian's libjs-katex, or --katex DIR, or $PATHGRAD_KATEX) is\n"
     "inlined with its fonts: the page works offline"},
    {"slides", cmd_slides, B(O_OF) | B(O_WRT) | B(O_BLOCK) | B(O_STAGE) | B(O_OUT), NULL,
     "a Beamer talk of one derivative (LaTeX): a frame a path, its term\n"
     "red in the formula and its path lit in the TikZ drawing, then one\n"
     "with every path (at most 30)"},
    {"fmt", cmd_fmt, B(O_CHECK) | B(O_IN_PLACE) | B(O_OUT), NULL,
     "the file in canonical layout, comments kept; --check: exit 1\n"
     "if it is not formatted; --in-place: rewrite FILE"},
    {"eval", cmd_numeric, B(O_VALUES) | B(O_SEED) | B(O_INIT) | B(O_OF) | B(O_BLOCK) | B(O_CHECK) | B(O_FORMAT) | B(O_OUT),
     "text json",
     "every variable's value, the loss, and its gradient with respect to\n"
     "every weight, bias and input (reverse mode); --check also sums\n"
     "the paths numerically and takes central finite differences, and\n"
     "fails (exit 3) beyond 1e-9 and 1e-6 relative, except where a kink\n"
     "(a function without a derivative at its argument) explains it"},
    {"paths", cmd_numeric, B(O_OF) | B(O_WRT) | B(O_BLOCK) | B(O_VALUES) | B(O_SEED) | B(O_INIT) | B(O_FORMAT) | B(O_OUT),
     "text json",
     "how many paths have each length (exact): weight layers crossed\n"
     "in a network, edges in a graph; with values the sum of |path\n"
     "product| of each length"},
    {"vanish", cmd_numeric, B(O_SEED) | B(O_INIT) | B(O_VALUES) | B(O_OF) | B(O_BLOCK) | B(O_FORMAT) | B(O_OUT), "text json svg",
     "mean |dLoss/dw| of every weight layer (seed 1 by default), and\n"
     "of each use of a shared family; svg: a chart drawn with PLplot"},
    {"render", cmd_render,
     B(O_OF) | B(O_WRT) | B(O_NODE) | B(O_BLOCK) | B(O_STAGE) | B(O_VIEW) | B(O_FORMAT) | B(O_RANKDIR) |
         B(O_TERM) | B(O_NOTATION) | B(O_COLORS) | B(O_ONLY_PATHS) | B(O_NO_LABELS) | B(O_NO_PATHS) |
         B(O_VALUES) | B(O_SEED) | B(O_INIT) | B(O_STANDALONE) | B(O_OUT),
     "svg dot tikz",
     "draw the computational graph through Graphviz (libgvc), the paths\n"
     "of d(OF)/d(REF) in red (default: the file's first derive), or with\n"
     "--node the paths of a forward path sum; edges carry their local\n"
     "derivative at the stage.  Networks are placed on a layered grid\n"
     "computed by pathgrad (Graphviz's nop engine: linear time); scalar\n"
     "graphs are laid out by dot up to 600 nodes and 2500 edges, larger\n"
     "ones by depth on the grid.  Drawings of more than 5000 edges leave\n"
     "out the edge labels; more than 1,000,000 nodes are refused"},
};
#define NCOMMANDS ((int)(sizeof commands / sizeof commands[0]))

static const Command *find_command(const char *name)
{
    for (int i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

/* the index of V among the space-separated WORDS, or -1 */
static int word_index(const char *words, const char *v)
{
    int i = 0;
    size_t n = strlen(v);
    for (const char *p = words; *p; i++) {
        const char *e = strchr(p, ' ');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == n && strncmp(p, v, n) == 0)
            return i;
        if (!e)
            break;
        p = e + 1;
    }
    return -1;
}

/* C's --format values, the default first, space-separated (TMP holds
 * them when they are the emitters') */
static const char *formats_of(const Command *c, Buf *tmp)
{
    if (!c->formats || strcmp(c->formats, EMITTERS) != 0)
        return c->formats;
    buf_truncate(tmp, 0);
    for (int i = 0; emit_format_at(i); i++)
        buf_printf(tmp, "%s%s", i ? " " : "", emit_format_at(i)->name);
    return buf_cstr(tmp);
}

/* ---- help ---- */

/* OPTION's help, the first line after a column, the others under it */
static void put_option_help(Buf *b, const OptDef *d)
{
    size_t start = b->len;
    buf_printf(b, "  %s%s%s", d->name, d->arg ? " " : "", d->arg ? d->arg : "");
    if (d->alias)
        buf_printf(b, ", %s%s%s", d->alias, d->arg ? " " : "", d->arg ? d->arg : "");
    size_t w = b->len - start;
    for (const char *p = d->help; *p;) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (w < 19) {
            while (w++ < 19)
                buf_putc(b, ' ');
        } else {
            buf_putc(b, '\n');
            for (int i = 0; i < 19; i++)
                buf_putc(b, ' ');
        }
        buf_add(b, p, len);
        w = 100;
        p += len + (e != NULL);
    }
    buf_putc(b, '\n');
}

/* "derive FILE [--of NAME] ..." */
static void put_synopsis(Buf *b, const Command *c)
{
    buf_printf(b, "%s FILE", c->name);
    for (int i = 0; i < NOPTS; i++) {
        if (!(c->opts & B(i)))
            continue;
        const OptDef *d = &options[i];
        Buf tmp = {0};
        const char *formats = formats_of(c, &tmp);
        if (i == O_FORMAT && formats) {
            buf_puts(b, " [--format ");
            for (const char *p = formats; *p; p++)
                buf_putc(b, *p == ' ' ? '|' : *p);
            buf_putc(b, ']');
        } else {
            buf_printf(b, " [%s%s%s]", d->name, d->arg ? " " : "", d->arg ? d->arg : "");
        }
        buf_free(&tmp);
    }
}

/* wrap a synopsis at the width of a terminal, continuation lines indented */
static void put_wrapped(Buf *out, const char *s, size_t indent)
{
    size_t col = indent;
    for (const char *p = s; *p;) {
        const char *e = strstr(p + 1, " [");
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (col + len > 90 && col > indent + 10) {
            buf_putc(out, '\n');
            for (size_t i = 0; i < indent + 7; i++)
                buf_putc(out, ' ');
            col = indent + 7;
            if (*p == ' ')
                p++, len--;
        }
        buf_add(out, p, len);
        col += len;
        p += len;
    }
}

static void usage_all(Buf *b)
{
    buf_puts(b, "usage: pathgrad COMMAND FILE [OPTIONS]\n"
                "       pathgrad COMMAND --help      the command's options\n"
                "\n"
                "The chain rule as a sum over paths: pathgrad reads a .net file (a network\n"
                "or a scalar graph), finds every path between two variables and prints the\n"
                "derivative as a sum over paths of products of local derivatives.\n"
                "\ncommands:\n");
    for (int i = 0; i < NCOMMANDS; i++) {
        Buf syn = {0};
        put_synopsis(&syn, &commands[i]);
        buf_puts(b, "  ");
        put_wrapped(b, buf_cstr(&syn), 2);
        buf_putc(b, '\n');
        for (const char *p = commands[i].summary; *p;) {
            const char *e = strchr(p, '\n');
            size_t len = e ? (size_t)(e - p) : strlen(p);
            buf_puts(b, "                 ");
            buf_add(b, p, len);
            buf_putc(b, '\n');
            p += len + (e != NULL);
        }
        buf_free(&syn);
    }
    buf_puts(b, "\noptions:\n");
    for (int i = 0; i < NOPTS; i++)
        put_option_help(b, &options[i]);
    put_option_help(b, &(OptDef){"-h", "--help", NULL, "this help"});
    put_option_help(b, &(OptDef){"--version", NULL, NULL, "the version"});
    buf_putc(b, '\n');
    buf_puts(b, "activations: ");
    ops_list(OPK_ACTIVATION, " ", " ", b);
    buf_puts(b, "\nfunctions:   ");
    ops_list(OPK_FUNCTION, " ", " ", b);
    buf_puts(b, " (and the activations of one\n"
                "             neuron); any other name is an opaque function: its derivatives\n"
                "             stay symbols\n"
                "losses:      ");
    ops_loss_list(" ", " ", b);
    buf_puts(b, "\n"
                "\nFILE '-' is standard input. Exit status: 0 success, 1 bad input, 2 bad usage,\n"
                "3 eval --check found a disagreement.\n");
}

static void usage_command(Buf *b, const Command *c)
{
    Buf syn = {0};
    put_synopsis(&syn, c);
    buf_puts(b, "usage: pathgrad ");
    put_wrapped(b, buf_cstr(&syn), 9);
    buf_puts(b, "\n\n");
    buf_puts(b, c->summary);
    buf_puts(b, "\n\noptions:\n");
    for (int i = 0; i < NOPTS; i++) {
        if (!(c->opts & B(i)))
            continue;
        Buf tmp = {0};
        const char *formats = formats_of(c, &tmp);
        if (i == O_FORMAT && formats) {
            /* this command's formats, the default first */
            Buf h = {0};
            for (const char *p = formats; *p; p++)
                buf_puts(&h, *p == ' ' ? " | " : (char[]){*p, 0});
            buf_printf(&h, " (default: %.*s)", (int)strcspn(formats, " "), formats);
            put_option_help(b, &(OptDef){options[i].name, NULL, options[i].arg, buf_cstr(&h)});
            buf_free(&h);
        } else {
            put_option_help(b, &options[i]);
        }
        buf_free(&tmp);
    }
    put_option_help(b, &(OptDef){"-h", "--help", NULL, "this help"});
    buf_free(&syn);
}

static int print_help(const Command *c)
{
    Buf b = {0};
    if (c)
        usage_command(&b, c);
    else
        usage_all(&b);
    fputs(buf_cstr(&b), stdout);
    buf_free(&b);
    return fflush(stdout) == 0 && !ferror(stdout) ? 0 : EXIT_BAD_INPUT;
}

/* ---- parsing ---- */

static int usage_error(const Command *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int usage_error(const Command *c, const char *fmt, ...)
{
    Buf msg = {0};
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&msg, fmt, ap);
    va_end(ap);
    pg_usage_error(c ? c->name : NULL, "%s", buf_cstr(&msg));
    buf_free(&msg);
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

/* the commands that take option ID, for a message: "eval, paths and vanish" */
static void takers(OptId id, Buf *out)
{
    int n = 0, k = 0;
    for (int i = 0; i < NCOMMANDS; i++)
        n += (commands[i].opts & B(id)) != 0;
    for (int i = 0; i < NCOMMANDS; i++)
        if (commands[i].opts & B(id)) {
            buf_printf(out, "%s%s", k == 0 ? "" : k == n - 1 ? " and " : ", ", commands[i].name);
            k++;
        }
}

static int parse_opts(int argc, char **argv, Opts *o)
{
    const Command *c = o->cmd;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || a[1] == '\0') {
            if (o->file && c->run == cmd_numeric && strcmp(c->name, "vanish") == 0) {
                /* vanish compares networks: a series a file */
                if (o->nmore + 1 >= PG_MAX_VANISH_FILES)
                    return usage_error(c, "vanish compares at most %d files", PG_MAX_VANISH_FILES);
                o->more[o->nmore++] = a;
                continue;
            }
            if (o->file)
                return usage_error(c, "unexpected argument '%s' (one FILE at a time)", a);
            o->file = a;
            continue;
        }
        int id = -1;
        for (int k = 0; k < NOPTS && id < 0; k++)
            if (strcmp(a, options[k].name) == 0 || (options[k].alias && strcmp(a, options[k].alias) == 0))
                id = k;
        if (id < 0)
            return usage_error(c, "unknown option '%s'", a);
        if (!(c->opts & B(id))) {
            Buf who = {0};
            takers((OptId)id, &who);
            usage_error(c, "%s does not take %s (it is for %s)", c->name, a, buf_cstr(&who));
            buf_free(&who);
            return EXIT_USAGE;
        }
        if (!options[id].arg) {
            o->val[id] = "";
            continue;
        }
        if (i + 1 >= argc)
            return usage_error(c, "option '%s' needs a value", a);
        o->val[id] = argv[++i];
    }
    if (!o->file)
        return usage_error(c, "%s needs a FILE ('-' for standard input)", c->name);

    /* the values */
    const char *v;
    o->stage = ST_LOCAL;
    if ((v = o->val[O_STAGE]) && stage_parse(v, &o->stage) < 0)
        return usage_error(c, "unknown stage '%s' (chain, act, local, forward or factored)", v);
    Buf ftmp = {0};
    const char *formats = formats_of(c, &ftmp);
    if ((v = o->val[O_FORMAT]) && (o->format = word_index(formats, v)) < 0) {
        Buf list = {0};
        for (const char *p = formats; *p; p++)
            buf_puts(&list, *p != ' ' ? (char[]){*p, 0} : strchr(p + 1, ' ') ? ", " : " or ");
        usage_error(c, "unknown format '%s' for %s (%s)", v, c->name, buf_cstr(&list));
        buf_free(&list);
        buf_free(&ftmp);
        return EXIT_USAGE;
    }
    buf_free(&ftmp);
    o->emit = emit_format_at(o->format);     /* (read by derive and expand only) */
    o->max_terms = PG_DEFAULT_MAX_TERMS;
    if ((v = o->val[O_MAX_TERMS]) && !whole_number(v, &o->max_terms))
        return usage_error(c, "--max-terms takes a whole number, not '%s'", v);
    if ((v = o->val[O_TERM]) && (!whole_number(v, &o->term) || o->term == 0))
        return usage_error(c, "--term takes a term number from 1, not '%s'", v);
    if ((v = o->val[O_SEED]) && !whole_number(v, &o->seed))
        return usage_error(c, "--seed takes a whole number, not '%s'", v);
    if ((v = o->val[O_VIEW])) {
        int k = word_index("graph network", v);     /* View's order */
        if (k < 0)
            return usage_error(c, "unknown view '%s' (graph or network)", v);
        o->view = (View)k;
    }
    if ((v = o->val[O_RANKDIR])) {
        int k = word_index("LR TB", v);
        if (k < 0)
            return usage_error(c, "unknown rankdir '%s' (LR or TB)", v);
        o->top_bottom = k == 1;
    }
    if ((v = o->val[O_LATEX_NAMES])) {
        int k = word_index("textbook plain mathit mathrm", v);     /* LatexNames' order */
        if (k < 0)
            return usage_error(c, "unknown name style '%s' (textbook, plain, mathit or mathrm)", v);
        o->latex_names = (LatexNames)k;
    }
    if ((v = o->val[O_NOTATION])) {
        const char *p = v;
        while (*p) {
            size_t n = strcspn(p, ",");
            int k = -1;
            static const char *const words[] = {"xy", "za", "out", "into"};
            for (int i = 0; i < 4; i++)
                if (strlen(words[i]) == n && strncmp(p, words[i], n) == 0)
                    k = i;
            if (k < 0)
                return usage_error(c, "unknown notation '%.*s' (xy or za, out or into, joined by commas)", (int)n, p);
            unsigned set = k < 2 ? NOTE_SET_ZA : NOTE_SET_INTO;
            if (o->notation & set)
                return usage_error(c, "--notation says its %s twice", k < 2 ? "letters" : "weight indices");
            o->notation |= set | (k & 1 ? set << 1 : 0);
            p += n;
            if (*p == ',' && !*++p)
                return usage_error(c, "--notation ends in a comma: a word is missing (xy or za, out or into)");
        }
        if (!o->notation)
            return usage_error(c, "--notation needs a word (xy or za, out or into)");
    }
    o->init.kind = INIT_GLOROT;
    if ((v = o->val[O_INIT]) && init_parse(v, &o->init) < 0)
        return usage_error(c, "unknown --init '%s' (glorot, he, lecun, standard, normal:SD or uniform:A, "
                           "SD and A > 0)", v);
    if (has(o, O_INIT) && has(o, O_VALUES))
        return usage_error(c, "--init says how --seed draws the weights: it does not go with --values");
    o->env = ENV_BARE;
    if ((v = o->val[O_ENV]) && latex_env_parse(v, &o->env) < 0)
        return usage_error(c, "unknown environment '%s' (equation, align, multline, each also starred, or bare)", v);
    /* bare lines stay as the writer gives them unless --width says */
    o->width = has(o, O_ENV) || has(o, O_STANDALONE) ? TEX_STANDALONE_WIDTH : 0;
    if ((v = o->val[O_WIDTH]) && tex_length_parse(v, &o->width) < 0)
        return usage_error(c, "--width needs a length of at least 50pt, as 345pt, 12cm, 120mm, 4.5in or 30em, "
                           "or none");

    /* the combinations */
    if (has(o, O_IN_PLACE) && (strcmp(o->file, "-") == 0 || has(o, O_OUT) || has(o, O_CHECK)))
        return usage_error(c, "%s", strcmp(o->file, "-") == 0 ? "fmt --in-place needs a FILE, not standard input"
                                    : "fmt --in-place goes with neither -o nor --check");
    if (c->run == cmd_render) {
        if (has(o, O_STANDALONE) && o->format != 2)
            return usage_error(c, "--standalone needs --format tikz");
    } else if (has(o, O_STANDALONE) || has(o, O_ENV) || has(o, O_WIDTH)) {
        if (!o->emit->latex)
            return usage_error(c, "%s needs --format latex", has(o, O_STANDALONE) ? "--standalone"
                                                               : has(o, O_ENV) ? "--env" : "--width");
        if (has(o, O_STANDALONE) && !has(o, O_ENV))
            o->env = ENV_ALIGN_STAR;
    }
    if (has(o, O_VALUES) && has(o, O_SEED))
        return usage_error(c, "give --values or --seed, not both");
    if (has(o, O_NODE) && has(o, O_WRT))
        return usage_error(c, "give --wrt (a derivative's paths) or --node (a forward sum's), not both");
    return 0;
}

/* ---- loading ---- */

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

static int jobs_status(int rc)
{
    return rc == JOBS_USAGE ? EXIT_USAGE : rc < 0 ? EXIT_BAD_INPUT : 0;
}

/* LaTeX for a document: the preamble, and a stream that wraps each
 * equation in the environment; latex_finish closes both */
static FILE *latex_start(const Opts *o, const char *file, FILE *out)
{
    if (has(o, O_STANDALONE)) {
        char what[96];
        if (o->cmd->run == cmd_derive)
            snprintf(what, sizeof what, "derive, stage %s%s", stage_name(o->stage),
                     has(o, O_COLLAPSE) ? ", collapsed" : "");
        else
            snprintf(what, sizeof what, "expand");
        latex_doc_begin(out, file, what);
    }
    bool latex = o->emit && o->emit->latex;
    return latex && (o->env != ENV_BARE || o->width > 0) ? latex_env_open(out, o->env, o->width, has(o, O_STANDALONE)) : out;
}

static int latex_finish(const Opts *o, FILE *w, FILE *out)
{
    int rc = 0;
    if (w != out && fclose(w) != 0)
        rc = -1;
    if (has(o, O_STANDALONE))
        latex_doc_end(out);
    return rc;
}

/* ---- commands ---- */

/* --collapse: a network's families, an unrolled graph's sums over time */
static bool collapsed(const Opts *o, const Job *j)
{
    (void)j;
    return has(o, O_COLLAPSE);
}

static int cmd_derive(const Loaded *L, const Opts *o)
{
    Jobs J;
    JobsSpec spec = {S_DERIVE, o->val[O_OF], o->val[O_WRT], o->val[O_BLOCK], o->latex_names, false, false, false,
                     o->notation};
    int rc = jobs_status(jobs_collect(&L->src, &L->prog, &spec, &J));
    Deriver *d = xcalloc((size_t)J.n + 1, sizeof *d);
    /* first resolve and bound every derivation; only then write */
    mpz_t count;
    mpz_init(count);
    for (int i = 0; i < J.n && rc == 0; i++) {
        Job *j = &J.v[i];
        deriver_init(&d[i], j->g, o->stage);
        if (o->stage == ST_FACTORED || collapsed(o, j))
            continue;           /* never refused: no count needed */
        if (stage_count_terms(&d[i], j->of, j->wrt, count) < 0) {
            rc = EXIT_BAD_INPUT;
            break;
        }
        if (o->max_terms && mpz_cmp_ui(count, o->max_terms) > 0) {
            Buf lab = {0};
            job_label(j, &lab);
            char *n = mpz_get_str(NULL, 10, count);
            const char *fmt = "%s has %s terms at stage %s, more than --max-terms %llu: "
                              "raise the bound (--max-terms 0 lifts it) or ask 'pathgrad count'";
            if (j->stmt)
                diag_error(&L->src, j->stmt->loc, fmt, buf_cstr(&lab), n, stage_name(o->stage), o->max_terms);
            else
                pg_error(fmt, buf_cstr(&lab), n, stage_name(o->stage), o->max_terms);
            free(n);
            buf_free(&lab);
            rc = EXIT_BAD_INPUT;
        }
    }
    mpz_clear(count);
    Output out;
    if (rc == 0 && output_open(&out, o->val[O_OUT]) < 0)
        rc = EXIT_BAD_INPUT;
    else if (rc == 0) {
        FILE *w = latex_start(o, L->src.name, out.f);
        Emitter *em = emit_open(o->emit, w);
        for (int i = 0; i < J.n && rc == 0; i++) {
            const Job *j = &J.v[i];
            if (i)
                fputs(o->emit->between, w);
            int r = o->stage == ST_FACTORED ? factored_write(&d[i], j->of, j->wrt, em)
                    : collapsed(o, j)       ? collapse_write(&d[i], j->of, j->wrt, o->max_terms, em)
                                            : derive_write(&d[i], j->of, j->wrt, em);
            if (r < 0)
                rc = EXIT_BAD_INPUT;
        }
        emit_close(em);
        if (latex_finish(o, w, out.f) < 0 && rc == 0)
            rc = EXIT_BAD_INPUT;
        if (output_close(&out, rc == 0) < 0)
            rc = EXIT_BAD_INPUT;
    }
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
    JobsSpec spec = {S_EXPAND, NULL, o->val[O_NODE], o->val[O_BLOCK], o->latex_names, false, false, false,
                     o->notation};
    int rc = jobs_status(jobs_collect(&L->src, &L->prog, &spec, &J));
    /* every sum is made (and bounded) before anything is written */
    Deriver *d = xcalloc((size_t)J.n + 1, sizeof *d);
    for (int i = 0; i < J.n && rc == 0; i++) {
        deriver_init(&d[i], J.v[i].g, ST_FORWARD);
        if (J.v[i].g->nodes[J.v[i].wrt].kind != N_LOSS && !stage_forward(&d[i], J.v[i].wrt, "expand"))
            rc = EXIT_BAD_INPUT;
    }
    Output out;
    if (rc == 0 && output_open(&out, o->val[O_OUT]) < 0)
        rc = EXIT_BAD_INPUT;
    else if (rc == 0) {
        FILE *w = latex_start(o, L->src.name, out.f);
        Emitter *em = emit_open(o->emit, w);
        for (int i = 0; i < J.n && rc == 0; i++) {
            if (i && o->env != ENV_BARE)
                fputs(o->emit->between, w);    /* one environment each */
            if (expand_write(&d[i], J.v[i].wrt, em) < 0)
                rc = EXIT_BAD_INPUT;
        }
        emit_close(em);
        if (latex_finish(o, w, out.f) < 0 && rc == 0)
            rc = EXIT_BAD_INPUT;
        if (output_close(&out, rc == 0) < 0)
            rc = EXIT_BAD_INPUT;
    }
    for (int i = 0; i < J.n; i++)
        if (d[i].g)
            deriver_free(&d[i]);
    free(d);
    jobs_free(&J);
    return rc;
}

static int cmd_count(const Loaded *L, const Opts *o)
{
    Jobs J;
    JobsSpec spec = {S_DERIVE, o->val[O_OF], o->val[O_WRT], o->val[O_BLOCK], NAMES_TEXTBOOK, false, false, false, 0};
    int rc = jobs_status(jobs_collect(&L->src, &L->prog, &spec, &J));
    Output out;
    if (rc == 0 && output_open(&out, o->val[O_OUT]) < 0)
        rc = EXIT_BAD_INPUT;
    else if (rc == 0) {
        mpz_t n;
        mpz_init(n);
        for (int i = 0; i < J.n; i++) {
            paths_count(J.v[i].g, J.v[i].of, J.v[i].wrt, NULL, n);
            if (!has(o, O_WRT)) {
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
/* N's leaves from --values FILE, else drawn from --seed (1 by default)
 * by --init: 0, or EXIT_BAD_INPUT after a located error in FILE */
static int numbers_fill(Numbers *n, const Opts *o)
{
    if (has(o, O_VALUES))
        return numbers_load(n, o->val[O_VALUES]) < 0 ? EXIT_BAD_INPUT : 0;
    numbers_seed_init(n, has(o, O_SEED) ? o->seed : 1, &o->init);
    return 0;
}

static int cmd_render(const Loaded *L, const Opts *o)
{
    Jobs J;
    bool highlight = !has(o, O_NO_PATHS);
    JobsSpec spec = {has(o, O_NODE) ? S_EXPAND : S_DERIVE, o->val[O_OF],
                     has(o, O_NODE) ? o->val[O_NODE] : o->val[O_WRT], o->val[O_BLOCK], NAMES_TEXTBOOK, false,
                     true, !highlight, o->notation};
    int rc = jobs_status(jobs_collect(&L->src, &L->prog, &spec, &J));
    const Graph *g = J.ngraphs ? &J.graphs[0] : NULL;
    int of = -1, wrt = -1, node = -1;
    if (rc == 0 && J.n && highlight) {
        if (has(o, O_NODE))
            node = J.v[0].wrt;
        else
            of = J.v[0].of, wrt = J.v[0].wrt;
    }
    if (rc == 0 && (has(o, O_TERM) || has(o, O_COLORS)) && wrt < 0)
        rc = usage_error(o->cmd, "--term and --colors need a derivation: give --wrt REF");
    if (rc == 0 && o->view == VIEW_NETWORK && g->kind != B_NETWORK)
        rc = usage_error(o->cmd, "--view network draws a network's neurons; '%s' is a scalar graph", g->name);
    if (rc == 0 && has(o, O_TERM)) {
        /* a term that is not there is the command line's mistake */
        Deriver d;
        deriver_init(&d, g, o->stage);
        mpz_t count;
        mpz_init(count);
        if (stage_count_terms(&d, of, wrt, count) < 0)
            rc = EXIT_BAD_INPUT;
        else if (mpz_cmp_ui(count, o->term) < 0) {
            char *s = mpz_get_str(NULL, 10, count);
            rc = usage_error(o->cmd, "--term %llu: the derivative has %s term%s", o->term, s,
                             mpz_cmp_ui(count, 1) == 0 ? "" : "s");
            free(s);
        }
        mpz_clear(count);
        deriver_free(&d);
    }
    /* --values / --seed: every node's value and the gradient of OF */
    double *value = NULL, *grad = NULL;
    Buf of_name = {0};
    if (rc == 0 && (has(o, O_VALUES) || has(o, O_SEED))) {
        int nof = of >= 0 ? of : jobs_default_of(g, o->val[O_OF]);
        Numbers n;
        numbers_init(&n, g);
        double loss;
        if (nof < 0)
            rc = EXIT_USAGE;
        else if ((rc = numbers_fill(&n, o)) == 0) {
            if (numbers_forward(&n, nof, &loss) < 0) {
                rc = EXIT_BAD_INPUT;
            } else {
                grad = xmalloc(xmul((size_t)g->nnodes + 1, sizeof *grad));
                value = xmalloc(xmul((size_t)g->nnodes + 1, sizeof *value));
                numbers_reverse(&n, nof, grad);
                for (int v = 0; v < g->nnodes; v++)
                    value[v] = n.v[v];
                graph_node_name(g, nof, FMT_HTML, &of_name);
            }
        }
        numbers_free(&n);
    }
    if (rc == 0) {
        RenderOpts ro = {o->view, o->format == 1, o->top_bottom, o->term, has(o, O_COLORS),
                         has(o, O_ONLY_PATHS), !has(o, O_NO_LABELS), o->stage, value, grad,
                         of_name.len ? buf_cstr(&of_name) : NULL, o->format == 2, has(o, O_STANDALONE), NULL, NULL, NULL, NULL};
        Output out;
        if (output_open(&out, o->val[O_OUT]) < 0)
            rc = EXIT_BAD_INPUT;
        else {
            if (render_write(g, of, wrt, node, &ro, out.f) < 0)
                rc = EXIT_BAD_INPUT;
            if (output_close(&out, rc == 0) < 0)
                rc = EXIT_BAD_INPUT;
        }
    }
    free(value);
    free(grad);
    buf_free(&of_name);
    jobs_free(&J);
    return rc;
}

/* vanish of several files: a series each, the first's already built (N,
 * OF, J); every file takes the same options (--seed, --init, --of, --block) */
static int vanish_files(const Opts *o, Numbers *n0, int of0, Jobs *J0)
{
    int ns = 1 + o->nmore, rc = 0;
    VanishSeries *s = xcalloc((size_t)ns, sizeof *s);
    if (vanish_compute(n0, of0, &s[0]) < 0)
        rc = EXIT_BAD_INPUT;
    numbers_free(n0);
    jobs_free(J0);
    for (int k = 1; k < ns && rc == 0; k++) {
        Loaded L;
        if (load(&L, o->more[k - 1], true) < 0) {
            unload(&L);
            rc = EXIT_BAD_INPUT;
            break;
        }
        Jobs J;
        JobsSpec spec = {S_DERIVE, o->val[O_OF], NULL, o->val[O_BLOCK], NAMES_TEXTBOOK, false, true, true, 0};
        rc = jobs_status(jobs_collect(&L.src, &L.prog, &spec, &J));
        const Graph *g = J.ngraphs ? &J.graphs[0] : NULL;
        int of = -1;
        if (rc == 0 && (of = jobs_default_of(g, o->val[O_OF])) < 0)
            rc = EXIT_USAGE;
        if (rc == 0) {
            Numbers n;
            numbers_init(&n, g);
            rc = numbers_fill(&n, o);
            if (rc == 0 && vanish_compute(&n, of, &s[k]) < 0)
                rc = EXIT_BAD_INPUT;
            numbers_free(&n);
        }
        jobs_free(&J);
        unload(&L);
    }
    Output out;
    if (rc == 0 && output_open(&out, o->val[O_OUT]) < 0)
        rc = EXIT_BAD_INPUT;
    else if (rc == 0) {
        VanishFormat fmt = o->format == 2 ? VANISH_SVG : o->format == 1 ? VANISH_JSON : VANISH_TEXT;
        rc = vanish_write_all(s, ns, fmt, out.f) < 0 ? EXIT_BAD_INPUT : 0;
        if (output_close(&out, rc == 0) < 0)
            rc = EXIT_BAD_INPUT;
    }
    for (int k = 0; k < ns; k++)
        vanish_series_free(&s[k]);
    free(s);
    return rc;
}

/* eval, paths and vanish share their set-up: one block, its numbers
 * (--values FILE or --seed N; vanish: seed 1 by default) */
static int cmd_numeric(const Loaded *L, const Opts *o)
{
    bool is_paths = strcmp(o->cmd->name, "paths") == 0, is_vanish = strcmp(o->cmd->name, "vanish") == 0;
    if (is_paths && !has(o, O_WRT))
        return usage_error(o->cmd, "paths needs --wrt REF");
    bool with_values = !is_paths || has(o, O_VALUES) || has(o, O_SEED);
    if (with_values && !is_vanish && !has(o, O_VALUES) && !has(o, O_SEED))
        return usage_error(o->cmd, "%s needs --values FILE or --seed N", o->cmd->name);
    Jobs J;
    JobsSpec spec = {S_DERIVE, o->val[O_OF], is_paths ? o->val[O_WRT] : NULL, o->val[O_BLOCK], NAMES_TEXTBOOK,
                     false, true, !is_paths, 0};
    int rc = jobs_status(jobs_collect(&L->src, &L->prog, &spec, &J));
    const Graph *g = J.ngraphs ? &J.graphs[0] : NULL;
    int of = -1, ref = -1;
    if (rc == 0) {
        if (is_paths) {
            of = J.v[0].of;
            ref = J.v[0].wrt;
        } else if ((of = jobs_default_of(g, o->val[O_OF])) < 0) {
            rc = EXIT_USAGE;
        }
    }
    Numbers n;
    if (g)
        numbers_init(&n, g);
    if (rc == 0 && with_values)
        rc = numbers_fill(&n, o);
    if (rc == 0 && is_vanish && o->nmore)
        return vanish_files(o, &n, of, &J);
    Output out;
    if (rc == 0 && output_open(&out, o->val[O_OUT]) < 0)
        rc = EXIT_BAD_INPUT;
    else if (rc == 0) {
        bool json = o->format == 1;
        int r;
        if (is_paths) {
            r = paths_write(&n, of, ref, with_values, json, out.f);
        } else if (is_vanish) {
            r = vanish_write(&n, of, o->format == 2 ? VANISH_SVG : json ? VANISH_JSON : VANISH_TEXT, out.f);
        } else {
            EvalOpts eo = {of, json, has(o, O_CHECK)};
            r = eval_write(&n, &eo, out.f);
        }
        rc = r < 0 ? EXIT_BAD_INPUT : r > 0 ? EXIT_CHECK : 0;
        /* a failed check still writes its report */
        if (output_close(&out, rc == 0 || rc == EXIT_CHECK) < 0)
            rc = EXIT_BAD_INPUT;
    }
    if (g)
        numbers_free(&n);
    jobs_free(&J);
    return rc;
}

/* slides: the file's first derivation (or --of/--wrt) as a Beamer talk */
static int cmd_slides(const Loaded *L, const Opts *o)
{
    Jobs J;
    JobsSpec spec = {S_DERIVE, o->val[O_OF], o->val[O_WRT], o->val[O_BLOCK], NAMES_TEXTBOOK, false, true, false, 0};
    int rc = jobs_status(jobs_collect(&L->src, &L->prog, &spec, &J));
    if (rc == 0 && J.n == 0)
        rc = usage_error(o->cmd, "the file asks for no derivative: give --wrt REF");
    if (rc == 0) {
        Output out;
        if (output_open(&out, o->val[O_OUT]) < 0)
            rc = EXIT_BAD_INPUT;
        else {
            if (slides_write(&L->src, J.v[0].g, J.v[0].of, J.v[0].wrt, o->stage, out.f) < 0)
                rc = EXIT_BAD_INPUT;
            if (output_close(&out, rc == 0) < 0)
                rc = EXIT_BAD_INPUT;
        }
    }
    jobs_free(&J);
    return rc;
}

static int cmd_check(const Loaded *L, const Opts *o)
{
    int nb = 0;
    for (const Block *b = L->prog.blocks; b; b = b->next)
        nb++;
    Graph *graphs = xcalloc((size_t)nb + 1, sizeof *graphs);
    int ng = 0;
    Buf rep = {0};
    int rc = 0;
    for (const Block *b = L->prog.blocks; b && rc == 0; b = b->next) {
        Graph *g = &graphs[ng];
        if (graph_build(g, &L->src, b) < 0) {
            rc = EXIT_BAD_INPUT;
            break;
        }
        ng++;
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
                const char *kind = l == 0 ? "" : g->layers[l].input ? "input" : op_get(g->layers[l].act)->name;
                buf_printf(&rep, "%s%s:%d%s%s", l ? ", " : "", g->layers[l].label, g->layers[l].width,
                           *kind ? " " : "", kind);
            }
            buf_printf(&rep, "), %d weights, %d biases, %d dead, loss %s; %d derive, %d expand\n",
                       w, bias, dead, g->loss >= 0 ? node_name(g, g->loss) : "(none)", nd, ne);
        } else {
            int in = 0;
            for (int v = 0; v < g->nnodes; v++)
                in += node_def(g, v) == NULL;
            buf_printf(&rep, "graph %s: %d variable%s (%d input%s), %d edge%s; %d derive, %d expand\n", g->name,
                       g->nnodes, g->nnodes == 1 ? "" : "s", in, in == 1 ? "" : "s", g->nedges,
                       g->nedges == 1 ? "" : "s", nd, ne);
        }
    }
    if (rc == 0) {
        Output out;
        if (output_open(&out, o->val[O_OUT]) < 0)
            rc = EXIT_BAD_INPUT;
        else {
            fputs(buf_cstr(&rep), out.f);
            if (output_close(&out, true) < 0)
                rc = EXIT_BAD_INPUT;
        }
    }
    buf_free(&rep);
    for (int i = 0; i < ng; i++)
        graph_free(&graphs[i]);
    free(graphs);
    return rc;
}

static int report_fill(void *ctx, Numbers *n)
{
    return numbers_fill(n, ctx) == 0 ? 0 : -1;
}

/* report: one HTML page with everything */
static int cmd_report(const Loaded *L, const Opts *o)
{
    const char *katex = o->val[O_KATEX] ? o->val[O_KATEX] : getenv("PATHGRAD_KATEX");
    if (!katex || !*katex)
        katex = REPORT_KATEX_DIR;
    if (o->val[O_BLOCK] && !jobs_block(&L->src, &L->prog, o->val[O_BLOCK]))
        return EXIT_USAGE;
    if (has(o, O_VALUES) && !has(o, O_BLOCK) && L->prog.blocks && L->prog.blocks->next)
        return usage_error(o->cmd, "--values names one block's variables: give --block NAME (the file has "
                           "several)");
    if (report_check_katex(katex) < 0)
        return EXIT_BAD_INPUT;
    Output out;
    if (output_open(&out, o->val[O_OUT]) < 0)
        return EXIT_BAD_INPUT;
    ReportOpts ro = {o->val[O_BLOCK], katex, NULL, NULL};
    if (has(o, O_VALUES) || has(o, O_SEED)) {
        ro.fill = report_fill;
        ro.fill_ctx = (void *)o;
    }
    int rc = report_write(&L->src, &L->prog, &ro, out.f) < 0 ? EXIT_BAD_INPUT : 0;
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
    if (has(o, O_CHECK)) {
        if (!same) {
            pg_error("%s is not formatted ('pathgrad fmt %s' shows the canonical layout)", L->src.name,
                     L->src.name);
            rc = EXIT_BAD_INPUT;
        }
    } else if (!has(o, O_IN_PLACE) || !same) {
        Output out;
        if (output_open(&out, has(o, O_IN_PLACE) ? o->file : o->val[O_OUT]) < 0) {
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
    if (argc < 2) {
        Buf b = {0};
        usage_all(&b);
        fputs(buf_cstr(&b), stderr);
        buf_free(&b);
        return EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0)
        return print_help(NULL);
    if (strcmp(name, "help") == 0) {
        const Command *c = argc > 2 ? find_command(argv[2]) : NULL;
        if (argc > 2 && !c)
            return usage_error(NULL, "unknown command '%s'", argv[2]);
        return print_help(c);
    }
    if (strcmp(name, "--version") == 0) {
        puts(PG_NAME " " PG_VERSION);
        return fflush(stdout) == 0 && !ferror(stdout) ? 0 : EXIT_BAD_INPUT;
    }
    const Command *c = find_command(name);
    if (!c)
        return usage_error(NULL, "unknown command '%s'", name);
    for (int i = 2; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return print_help(c);
    Opts o = {0};
    o.cmd = c;
    int rc = parse_opts(argc, argv, &o);
    if (rc)
        return rc;
    Loaded L;
    if (load(&L, o.file, c->run != cmd_fmt) < 0) {
        unload(&L);
        return EXIT_BAD_INPUT;
    }
    rc = c->run(&L, &o);
    unload(&L);
    return rc;
}
