/* ast.h — the syntax tree of a .net file.
 *
 * Ownership: the whole tree lives in the Arena given to the parser
 * (Program.arena is the caller's); strings are copied into it.  Every node
 * carries the Loc of the text it came from so that later stages can point
 * at it.  Lists are singly linked in source order.
 */
#ifndef PG_AST_H
#define PG_AST_H

#include "bounds.h"
#include "diag.h"
#include "expr.h"

#include <stdbool.h>

/* a layer label or an index as written: "n-2", "3", "out", "L+1" */
typedef struct Label {
    const char *text;       /* normalised, no spaces */
    Loc loc;
    bool is_int;
    long value;             /* when is_int */
} Label;

/* NAME or NAME[a][b]...: x[L][j], w[L][i][j], Loss, m */
typedef struct Ref {
    const char *name;
    Loc name_loc, loc;
    int nsubs;
    Label subs[PG_MAX_SUBS];
} Ref;

/* a layer without an activation */
#define ACT_NONE (-1)

typedef enum { IN_DENSE, IN_SKIP } InputKind;
typedef struct Input {
    InputKind kind;
    Label from;
    Loc loc;                /* the whole dense(...) or skip(...) */
    /* dense(L) as NAME: its weights are NAME[L][i][j]; dense(L) shared
     * NAME: tied weights NAME[i][j] (NULL: the plain w[L][i][j]) */
    const char *family;
    bool shared;
    Loc family_loc;
    struct Input *next;
} Input;

typedef enum {
    S_LAYER, S_LOSS, S_DEAD, S_DERIVE, S_EXPAND, S_INPUT, S_ASSIGN, S_FOR, S_NOTATION
} StmtKind;

/* a name an `input` declares: NAME, or NAME[a..b][c]... (indices, ranges) */
typedef struct Name {
    const char *text;
    Loc loc;
    int nsubs;
    long lo[PG_MAX_SUBS], hi[PG_MAX_SUBS];
    bool range[PG_MAX_SUBS];           /* written a..b (else lo = hi) */
    struct Name *next;
} Name;

typedef struct Stmt {
    StmtKind kind;
    Loc loc;
    struct Stmt *next;
    /* S_LAYER */
    Label label;
    long width;
    Loc width_loc;
    int act;                /* the activation's row in ops.h, ACT_NONE */
    Loc act_loc;
    Input *inputs;          /* NULL: dense(previous layer) */
    bool bias;
    bool input_layer;       /* layer L : W input; */
    /* S_NOTATION: each -1 (not said), 0 (xy, out) or 1 (za, into) */
    signed char za, into;
    /* S_LOSS */
    const char *name;       /* also S_ASSIGN: the defined name */
    Loc name_loc;
    int loss_kind;          /* the loss's row in ops.h */
    bool loss_explicit;     /* written out: loss NAME = KIND; */
    /* S_DEAD, S_EXPAND: ref; S_DERIVE: of wrt */
    Ref ref, wrt;
    /* S_INPUT */
    Name *names;
    /* S_ASSIGN: NAME (name) [subs]... = expr */
    Expr *expr;
    Expr **subs;
    int nsubs;
    /* S_FOR: for NAME (name) in lo..hi { body } (close_loc: its '}') */
    Expr *lo, *hi;
    struct Stmt *body;
    Loc close_loc;
} Stmt;

typedef enum { B_NETWORK, B_GRAPH } BlockKind;

typedef struct Block {
    BlockKind kind;
    const char *name;
    Loc loc, name_loc;
    Stmt *stmts;
    struct Block *next;
} Block;

/* one line of a VALUES file: REF = NUMBER */
typedef struct Value {
    Ref ref;
    double num;
    Loc loc, num_loc;
    struct Value *next;
} Value;

typedef struct Program {
    Block *blocks;
    Value *values, *values_tail;   /* a values file */
} Program;

/* parse SRC into PROG (nodes in ARENA); on error print it and return -1 */
int parse_program(const Source *src, Arena *arena, Program *prog);
/* parse a VALUES file (REF = NUMBER lines) into PROG->values */
int parse_values(const Source *src, Arena *arena, Program *prog);

#endif
