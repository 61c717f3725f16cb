/* texwidth.h — how wide a line of pathgrad's LaTeX sets, without TeX.
 *
 * An estimate, in points, of the width of the math pathgrad writes
 * (fractions, sub- and superscripts, \operatorname, \sum with limits,
 * Greek letters, \Bigl( ...) set in display style at 11 pt, the size of
 * the --standalone document.  Glyph widths are Computer Modern's (cmmi
 * and cmr at 10.95 pt); what it does not know it counts as an em.  The
 * estimate errs wide: a line it says fits, fits (tests/latex_check.sh
 * compiles every document and fails on an overfull line).
 */
#ifndef PG_TEXWIDTH_H
#define PG_TEXWIDTH_H

#include <stddef.h>

/* the width of S[0..N) as display math, in pt */
double tex_width(const char *s, size_t n);

/* a TeX length: "345pt", "12cm", "120mm", "4.5in", "30em" (of 11 pt
 * type), "0" or "none" (never break): 0 and *PT set, or -1 */
int tex_length_parse(const char *s, double *pt);

/* the measure of the --standalone document: A4 less 2 cm margins */
#define TEX_STANDALONE_WIDTH 483.69687

#endif
