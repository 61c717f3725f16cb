/* slides.h — `pathgrad slides`: a Beamer talk of one derivative, a frame a
 * term (the formula with that term red, the drawing with its path lit),
 * then one with every path.  At most PG_MAX_SLIDES terms. */
#ifndef PG_SLIDES_H
#define PG_SLIDES_H

#include "diag.h"
#include "graph.h"
#include "stage.h"

#include <stdio.h>

/* 0, or -1 after an error (too many terms, a drawing that failed) */
int slides_write(const Source *src, const Graph *g, int of, int wrt, Stage st, FILE *out);

#endif
