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
 */
#ifndef PG_REPORT_H
#define PG_REPORT_H

#include "ast.h"

#include <stdio.h>

#define REPORT_KATEX_DIR "/usr/share/javascript/katex"

/* Check that KaTeX is there before anything is written: 0, or -1 after a
 * message */
int report_check_katex(const char *katex_dir);

/* Write the page for PROG (parsed from SRC; BLOCK: only the block of that
 * name, which the caller has checked exists; NULL: all).  Returns 0, or -1
 * after a message (a block that does not build). */
int report_write(const Source *src, const Program *prog, const char *block, const char *katex_dir, FILE *out);

#endif
