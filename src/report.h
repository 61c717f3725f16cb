/* report.h — pathgrad report: one self-contained HTML page for a .net file.
 *
 * The page holds the source, and for every derivation of every block (the
 * file's derive statements; without any, the loss or last variable with
 * respect to the first weight or input) its path and term counts, its
 * formula at every stage and collapsed, typeset by KaTeX, beside the SVG
 * drawing of its paths.  KaTeX's script, style and fonts (woff2, as data
 * URLs) are read from KATEX_DIR (Debian's libjs-katex) and inlined: the
 * page makes no request and works offline.  Formulas of more than
 * REPORT_MAX_TERMS terms or REPORT_MAX_TEX bytes are left out with
 * their size (the factored form
 * is always there); a stage that cannot be shown says why.
 *
 * Each derivation D (counted from 1 down the page) lists its terms at
 * stage local, term K (from 1, in derive's order) an element with
 * data-term="D.K" and id "D.K", when there are at most REPORT_MAX_TERMS.
 * Beside the list, a JSON script (id "terms-D") gives for each term the
 * SVG ids of the drawn edges and nodes on its path, from the terms derive
 * writes and the edges render drew (ids "dD-e-..", "dD-n-.."): the page's
 * script lights them (class "lit", the rest of the drawing dimmed) when a
 * term is clicked, stepped to with the arrow keys, or named by the
 * page's address (page.html#2.2).
 */
#ifndef PG_REPORT_H
#define PG_REPORT_H

#include "ast.h"

#include <stdio.h>

#define REPORT_KATEX_DIR "/usr/share/javascript/katex"

/* Check that KaTeX is there before anything is written: 0, or -1 after a
 * message */
int report_check_katex(const char *katex_dir);

struct Numbers;

typedef struct ReportOpts {
    const char *block;       /* only the block of that name, which the
                              * caller has checked exists; NULL: all */
    const char *katex_dir;
    /* --values / --seed: FILL gives N's leaves (0, or -1 after a
     * message), and each drawing shows every node's value and gradient,
     * each edge's local derivative's value in its tooltip; NULL: none */
    int (*fill)(void *ctx, struct Numbers *n);
    void *fill_ctx;
} ReportOpts;

/* Write the page for PROG (parsed from SRC).  Returns 0, or -1 after a
 * message (a block that does not build, numbers that cannot be had);
 * nothing is written then. */
int report_write(const Source *src, const Program *prog, const ReportOpts *ro, FILE *out);

#endif
