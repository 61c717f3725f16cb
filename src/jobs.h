/* jobs.h — which derivations (or expansions) a file asks for.
 *
 * Every command and report ask here, so they agree: the file's own
 * `derive` (`expand`) statements in every block, or, when the command line
 * names a reference (--wrt, --node), that one in the block --block names
 * (the first by default), OF being --of or the block's default: a
 * network's loss, a graph's output (the one variable no other uses).
 *
 * Ownership: a Jobs owns the graphs it built; jobs_free releases them.
 * The Source and Program must outlive it.
 */
#ifndef PG_JOBS_H
#define PG_JOBS_H

#include "ast.h"
#include "graph.h"

typedef struct Job {
    Graph *g;
    int of, wrt;            /* S_EXPAND: wrt is the node expanded */
    const Stmt *stmt;       /* the file's statement, NULL from the command line */
} Job;

typedef struct Jobs {
    Graph *graphs;
    int ngraphs;
    Job *v;
    int n;
} Jobs;

typedef struct JobsSpec {
    StmtKind kind;          /* S_DERIVE or S_EXPAND */
    const char *of;         /* --of, or NULL */
    const char *ref;        /* --wrt / --node, or NULL: the file's statements */
    const char *block;      /* --block, or NULL */
    LatexNames names;       /* --latex-names, for the graphs built */
    /* a block with no statement gets the default derivation, OF with
     * respect to its first weight (a graph: its first input), and none is
     * an error; report's choice */
    bool fallback;
    /* only the first job of the chosen block (render) */
    bool first_only;
    /* only build the chosen block: no jobs (eval, vanish) */
    bool build_only;
    /* --notation, over the file's: NOTE_* bits (0: the file's own) */
    unsigned notation;
} JobsSpec;

enum { NOTE_SET_ZA = 1, NOTE_ZA = 2, NOTE_SET_INTO = 4, NOTE_INTO = 8 };

enum { JOBS_BAD_INPUT = -1, JOBS_USAGE = -2 };

/* 0, or JOBS_BAD_INPUT (the file: a block that does not build, a statement
 * that does not resolve) or JOBS_USAGE (the command line: an unknown block,
 * a bad --of/--wrt, nothing to do) after a message.  J is filled either
 * way and must be freed. */
int jobs_collect(const Source *src, const Program *prog, const JobsSpec *spec, Jobs *J);
void jobs_free(Jobs *J);

/* the block named NAME (NULL: the first), or NULL after a message */
const Block *jobs_block(const Source *src, const Program *prog, const char *name);
/* OF given on the command line (TEXT, or NULL for the default): its node,
 * or -1 after a message */
int jobs_default_of(const Graph *g, const char *text);
/* "OF wrt REF", for messages */
void job_label(const Job *j, Buf *out);

#endif
