/* parse_state.h — what the lexer and the parser share: one struct, no
 * globals, so that several parses can run in one process. */
#ifndef PG_PARSE_STATE_H
#define PG_PARSE_STATE_H

#include "ast.h"
#include "bounds.h"
#include "util.h"


typedef struct ParseState {
    const Source *src;
    Arena *arena;
    Program *prog;
    void *scanner;
    int line, col;          /* lexer position of the next byte */
    int errors;
    int parens;             /* '(' open in the lexer */
    int start_token;        /* VALUES_MODE: parse a values file */
    Loc prev;               /* the last token handed to the parser */
    Loc cur;                /* the token before it ... and the current one */
    int kinds[3];           /* the kinds of the last three tokens, newest first */
    bool have_prev;
    const char *open_kind, *open_name;   /* the block being parsed */
    Loc open_loc;
} ParseState;

void ps_error(ParseState *ps, Loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#include "parser.h"
#define YYSTYPE PGSTYPE
#ifndef YYLTYPE
#define YYLTYPE Loc
#endif

#endif
