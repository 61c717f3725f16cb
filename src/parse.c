/* parse.c — runs the Flex scanner and the Bison parser over one Source. */
#include "parse_state.h"
#include "lexer.h"

#include <string.h>

static int parse(const Source *src, Arena *arena, Program *prog, int start)
{
    ParseState ps = {0};
    ps.start_token = start;
    ps.src = src;
    ps.arena = arena;
    ps.prog = prog;
    ps.line = ps.col = 1;
    memset(prog, 0, sizeof *prog);
    yyscan_t scanner;
    if (pgscanlex_init_extra(&ps, &scanner))
        pg_fatal("cannot start the lexer");
    ps.scanner = scanner;
    YY_BUFFER_STATE buf = pgscan_scan_bytes(src->text, (int)src->len, scanner);
    int rc = pgparse(&ps);
    pgscan_delete_buffer(buf, scanner);
    pgscanlex_destroy(scanner);
    return rc == 0 && ps.errors == 0 ? 0 : -1;
}

int parse_program(const Source *src, Arena *arena, Program *prog)
{
    return parse(src, arena, prog, 0);
}

int parse_values(const Source *src, Arena *arena, Program *prog)
{
    return parse(src, arena, prog, VALUES_MODE);
}
