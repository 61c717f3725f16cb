/* latexdoc.h — LaTeX output that drops into a document.
 *
 * derive, expand and the factored and collapsed forms write "bare" LaTeX:
 * one equation a line, a long sum broken one path a line with \\ at each
 * line's end, derivations separated by an empty line.  A filter stream
 * placed between them and the output wraps that in an amsmath environment:
 *
 *   bare        the lines as they are (paste inside your own environment)
 *   multline    one multline per equation, unchanged inside
 *   align       LHS &= first path \\ &\quad + next path ...; every equation
 *               of a derivation a group of rows, numbered on its last row
 *   equation    the same rows in aligned, inside one equation
 *
 * each also starred (no numbers).  --standalone wraps everything in a
 * complete document (article, amsmath, graphicx, geometry,
 * \allowdisplaybreaks),
 * with align* unless --env says otherwise.
 */
#ifndef PG_LATEXDOC_H
#define PG_LATEXDOC_H

#include <stdbool.h>
#include <stdio.h>

typedef enum {
    ENV_BARE, ENV_EQUATION, ENV_EQUATION_STAR, ENV_ALIGN, ENV_ALIGN_STAR,
    ENV_MULTLINE, ENV_MULTLINE_STAR,
} LatexEnv;

/* 0 and *OUT set, or -1 for an unknown name */
int latex_env_parse(const char *s, LatexEnv *out);

/* a stream that writes DST's environment-wrapped form of what is written
 * to it, each line wider than WIDTH pt (texwidth.h; 0: none) broken into
 * rows that fit; SHRINK: a row that cannot (one symbol wider than the
 * measure) scaled down with graphicx's \resizebox (DST stays open; fclose the filter to finish the last
 * environment) */
FILE *latex_env_open(FILE *dst, LatexEnv env, double width, bool shrink);

/* the document around the equations; TITLE (a file name, any bytes) is
 * printed escaped as text */
void latex_doc_begin(FILE *out, const char *title, const char *what);
void latex_doc_end(FILE *out);
/* S in LaTeX text mode, every special character escaped (file names) */
void latex_text_escape(FILE *out, const char *s);

#endif
