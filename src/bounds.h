/* bounds.h — every limit pathgrad enforces, in one place, and the one
 * helper that checks them.
 *
 * A limit is refused with a message (exit 1), never truncated, wrapped or
 * answered wrongly.  Each bound below is checked where the quantity is
 * known, before anything depending on it is allocated or printed, through
 * limit_check; a fixed-size array elsewhere in the code is sized by one of
 * these or by a constant of the language (the number of tokens, say) and
 * says so where it is declared.
 */
#ifndef PG_BOUNDS_H
#define PG_BOUNDS_H

#include "diag.h"

#include <stddef.h>

/* ---- input ---- */
#define PG_MAX_INPUT ((size_t)64 << 20)     /* bytes of one input file */
#define PG_MAX_INT 1000000000000L           /* integers above 10^12 */
#define PG_MAX_NAME 200                     /* characters in a name */
#define PG_MAX_EXPR_DEPTH 1000              /* operator levels in one expression */
#define PG_MAX_PARENS 1000                  /* open parentheses at once */
#define PG_MAX_SUBS 4                       /* indices of one reference: w[L][i][j] */
#define PG_MAX_ARGS 1000                    /* arguments of one call */
#define PG_MAX_LOOP_DEPTH 64                /* for loops, one inside another */
#define PG_MAX_ITERATIONS 20000000ULL       /* for loops' bodies run, in all */
#define PG_MAX_EXPANDED 1000000             /* operations of one definition, sums written out */

/* ---- the graph ---- */
#define PG_MAX_WIDTH 1000000                /* neurons in one layer */
#define PG_MAX_NODES 20000000               /* under 2^28: Edge.aux holds a node */
#define PG_MAX_EDGES 60000000

/* ---- derivations ---- */
#define PG_DEFAULT_MAX_TERMS 10000ULL       /* --max-terms: terms expanded */
#define PG_MAX_FORWARD_TERMS 5000           /* terms of one forward path sum */
#define PG_MAX_FORWARD_DEPTH 3000           /* its nesting (printing recurses) */
#define PG_MAX_FORWARD_SIZE 20000           /* symbols of a graph's forward-substituted factor */

/* ---- numbers ---- */
#define PG_PATHSUM_LIMIT 1000000ULL         /* --check: paths summed one by one */
#define PG_FD_MAX_PARAMS 2000               /* --check: finite differences taken */
#define PG_MAX_HIST_CELLS 50000000ULL       /* paths: counters (paths x lengths) */

/* ---- drawings ---- */
#define PG_MAX_DRAW_NODES 1000000
#define PG_MAX_DRAW_EDGES 3000000
#define PG_DOT_MAX_NODES 600                /* above: the grid, not dot's layout */
#define PG_DOT_MAX_EDGES 2500
#define PG_MAX_LABELED_EDGES 5000           /* above: no edge labels */
#define PG_MAX_COLORS 10                    /* --colors: terms told apart */
#define PG_MAX_SLIDES 30                    /* slides: frames of terms, one a path */
#define PG_MAX_VANISH_FILES 10              /* vanish: networks in one chart (a colour each) */
#define PG_MAX_TERM_BITS 64                 /* terms whose edges carry termK classes */

/* ---- report ---- */
#define REPORT_MAX_TERMS 64                 /* terms typeset in one formula */
#define REPORT_MAX_TEX 24000                /* bytes of LaTeX in one formula */

/* V within LIMIT: 0.  Else report MESSAGE (printf-style; located at LOC
 * in SRC when SRC is not NULL) and return -1. */
int limit_check(unsigned long long v, unsigned long long limit, const Source *src, Loc loc,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* the same for two quantities bounded together (a graph's nodes and edges) */
int limit_check2(unsigned long long v1, unsigned long long limit1, unsigned long long v2,
                 unsigned long long limit2, const Source *src, Loc loc, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

#endif
