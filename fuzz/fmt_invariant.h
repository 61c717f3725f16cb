/* fmt_invariant.h — the fuzzers' check of pathgrad fmt (one copy, included
 * by each harness that uses it). */
#ifndef PG_FMT_INVARIANT_H
#define PG_FMT_INVARIANT_H

#include "ast.h"
#include "fmt.h"

#include <stdlib.h>
#include <string.h>

/* fmt's output must parse and be a fixed point of fmt */
static inline void check_fmt(const Source *src, const Program *prog)
{
    Buf once = {0}, twice = {0};
    fmt_program(src, prog, &once);
    Source s2;
    source_from_string(&s2, "fmt.net", once.data ? once.data : "", once.len);
    Arena a2 = {0};
    Program p2;
    if (parse_program(&s2, &a2, &p2) != 0)
        abort();                     /* fmt wrote something that does not parse */
    fmt_program(&s2, &p2, &twice);
    if (twice.len != once.len || memcmp(twice.data ? twice.data : "", once.data ? once.data : "", once.len) != 0)
        abort();                     /* fmt is not idempotent */
    arena_free(&a2);
    source_free(&s2);
    buf_free(&once);
    buf_free(&twice);
}

#endif
