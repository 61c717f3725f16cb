/* fmt.h — pathgrad fmt: the canonical layout of a .net file (fmt.c). */
#ifndef PG_FMT_H
#define PG_FMT_H

#include "ast.h"
#include "util.h"

/* PROG, parsed from SRC, in canonical layout with SRC's comments */
void fmt_program(const Source *src, const Program *prog, Buf *out);

#endif
