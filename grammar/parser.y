/* parser.y — the grammar of .net files (LANGUAGE.md §2–5).
 *
 * Pure and reentrant: all state is the ParseState passed as a parameter.
 * %expect 0: a new conflict is a build failure — resolve it with precedence
 * or a clearer rule, never by raising this number.
 * The syntax tree lives in ps->arena, so nothing a syntax error drops needs
 * freeing (the arena goes as a whole); there are no %destructor rules.
 * One syntax error stops the parse: one typo, one message.
 */
%define api.pure full
%define api.prefix {pg}
%define api.location.type {Loc}
%define parse.error custom
%define parse.lac full
%locations
%expect 0

%param {struct ParseState *ps}

%code requires {
#include "ast.h"
#include "diag.h"
struct ParseState;
typedef struct Tok {
    const char *text;
    long ival;
    double num;
} Tok;
typedef struct { Stmt *head, *tail; } StmtList;
typedef struct { Block *head, *tail; } BlockList;
typedef struct { Input *head, *tail; } InputList;
typedef struct { Name *head, *tail; } NameList;
typedef struct { Expr **v; int n, cap; } ArgList;
typedef struct Word { const char *text; Loc loc; } Word;
typedef struct { Word *v; int n, cap; } WordList;
}

%union {
    Tok tok;
    int act;
    Label label;
    Ref ref;
    Expr *expr;
    Stmt *stmt;
    Block *block;
    StmtList stmts;
    BlockList blocks;
    Input *input;
    InputList inputs;
    NameList names;
    Name *name;
    ArgList args;
    WordList words;
    long ival;
    double num;
}

%code {
#include "parse_state.h"
#include <stdarg.h>
#include <string.h>

int pgscanlex(PGSTYPE *lval, Loc *lloc, void *scanner);
void pgerror(Loc *loc, ParseState *ps, const char *msg);

/* the parser's view of the lexer: remembers the last two tokens' places,
 * which the syntax-error messages point at */
static int pglex(PGSTYPE *lval, Loc *lloc, ParseState *ps)
{
    if (ps->start_token) {
        /* the first token says which language follows */
        int t = ps->start_token;
        ps->start_token = 0;
        lloc->first_line = lloc->last_line = 1;
        lloc->first_column = lloc->last_column = 1;
        return t;
    }
    int t = pgscanlex(lval, lloc, ps->scanner);
    ps->kinds[2] = ps->kinds[1];
    ps->kinds[1] = ps->kinds[0];
    ps->kinds[0] = t;
    ps->prev = ps->cur;
    ps->have_prev = ps->cur.first_line > 0;
    ps->cur = *lloc;
    return t;
}

/* L with one more word (a notation's), its array doubled when full */
static WordList word_push(ParseState *ps, WordList l, const char *text, Loc loc)
{
    if (l.n == l.cap) {
        l.cap = l.cap ? 2 * l.cap : 4;
        Word *v = arena_alloc(ps->arena, xmul((size_t)l.cap, sizeof *v));
        for (int i = 0; i < l.n; i++)
            v[i] = l.v[i];
        l.v = v;
    }
    l.v[l.n++] = (Word){text, loc};
    return l;
}

static Loc span(Loc a, Loc b)
{
    Loc l = a;
    l.last_line = b.last_line;
    l.last_column = b.last_column;
    return l;
}

static Stmt *stmt_new(ParseState *ps, StmtKind k, Loc loc)
{
    Stmt *s = arena_alloc(ps->arena, sizeof *s);
    s->kind = k;
    s->loc = loc;
    s->act = ACT_NONE;
    return s;
}

static Label label_make(ParseState *ps, const char *text, Loc loc, bool is_int, long v)
{
    Label l = {arena_strdup(ps->arena, text), loc, is_int, v};
    return l;
}

static int expr_depth(const Expr *e)
{
    return e ? e->depth : 0;
}

/* every parsed operator node records its depth in the tree; a tree deeper
 * than PG_MAX_EXPR_DEPTH is refused before any recursive pass sees it */
static int call_depth(ParseState *ps, Expr *e);

static Expr *node(ParseState *ps, ExprKind k, Expr *a, Expr *b, Loc loc, int *ok)
{
    Expr *e = arena_alloc(ps->arena, sizeof *e);
    e->kind = k;
    e->a = a;
    e->b = b;
    e->loc = loc;
    e->node = e->wrt = -1;
    int d = expr_depth(a) > expr_depth(b) ? expr_depth(a) : expr_depth(b);
    e->depth = d + 1;
    if (d + 1 > PG_MAX_EXPR_DEPTH) {
        ps_error(ps, loc, "expression is nested too deeply: more than %d levels of operators (a long sum counts a level a term)",
                 PG_MAX_EXPR_DEPTH);
        *ok = 0;
    }
    return e;
}

static int call_depth(ParseState *ps, Expr *e)
{
    int d = 0;
    for (int i = 0; i < e->nargs; i++)
        if (e->args[i]->depth > d)
            d = e->args[i]->depth;
    e->depth = d + 1;
    if (e->depth > PG_MAX_EXPR_DEPTH) {
        ps_error(ps, e->loc, "expression is nested too deeply: more than %d levels of operators (a long sum counts a level a term)",
                 PG_MAX_EXPR_DEPTH);
        return 0;
    }
    return 1;
}
}

%token <tok> INT "integer" NUMBER "number" IDENT "name"
%token NETWORK "network" GRAPH "graph" LAYER "layer" LOSS "loss" DEAD "dead"
%token DERIVE "derive" WRT "wrt" EXPAND "expand" INPUT "input"
%token DENSE "dense" SKIP "skip" BIAS "bias"
%token VALUES_MODE "values file"
%token DOTDOT ".."

%type <blocks> blocks
%type <block> block
%type <words> notes
%type <stmts> net_stmts graph_stmts
%type <stmt> net_stmt graph_stmt common_stmt layer_stmt
%type <label> label index
%type <ref> ref
%type <inputs> inputs opt_inputs
%type <input> input
%type <names> names
%type <name> decl
%type <args> subs
%type <expr> expr
%type <args> args
%type <act> opt_act
%type <ival> opt_bias exponent
%type <num> signed_number

%left '+' '-'
%left '*' '/'
%precedence UMINUS
%precedence '^'

%%

program
    : blocks                { ps->prog->blocks = $1.head; }
    | VALUES_MODE values
    ;

/* a VALUES file: REF = NUMBER, one a line (newlines are not needed:
 * a reference always starts with a name); an optional ';' may end each */
values
    : %empty
    | values value
    ;

value
    : ref '=' signed_number opt_semi
        {
            Value *v = arena_alloc(ps->arena, sizeof *v);
            v->ref = $1; v->num = $3; v->loc = @$; v->num_loc = @3;
            if (ps->prog->values_tail) ps->prog->values_tail->next = v; else ps->prog->values = v;
            ps->prog->values_tail = v;
        }
    ;

signed_number
    : INT                   { $$ = $1.num; }
    | NUMBER                { $$ = $1.num; }
    | '-' INT               { $$ = -$2.num; }
    | '-' NUMBER            { $$ = -$2.num; }
    | '+' INT               { $$ = $2.num; }
    | '+' NUMBER            { $$ = $2.num; }
    ;

opt_semi
    : %empty
    | ';'
    ;

blocks
    : %empty                { $$.head = $$.tail = NULL; }
    | blocks block          { $$ = $1; if ($$.tail) $$.tail->next = $2; else $$.head = $2; $$.tail = $2; }
    ;

block
    : NETWORK IDENT '{'     { ps->open_kind = "network"; ps->open_name = $2.text; ps->open_loc = @1; }
      net_stmts '}'
        {
            $$ = arena_alloc(ps->arena, sizeof *$$);
            $$->kind = B_NETWORK; $$->name = $2.text; $$->loc = @1; $$->name_loc = @2;
            $$->stmts = $5.head;
            ps->open_kind = NULL;
        }
    | GRAPH IDENT '{'       { ps->open_kind = "graph"; ps->open_name = $2.text; ps->open_loc = @1; }
      graph_stmts '}'
        {
            $$ = arena_alloc(ps->arena, sizeof *$$);
            $$->kind = B_GRAPH; $$->name = $2.text; $$->loc = @1; $$->name_loc = @2;
            $$->stmts = $5.head;
            ps->open_kind = NULL;
        }
    ;

net_stmts
    : %empty                { $$.head = $$.tail = NULL; }
    | net_stmts net_stmt    { $$ = $1; if ($$.tail) $$.tail->next = $2; else $$.head = $2; $$.tail = $2; }
    ;

graph_stmts
    : %empty                { $$.head = $$.tail = NULL; }
    | graph_stmts graph_stmt { $$ = $1; if ($$.tail) $$.tail->next = $2; else $$.head = $2; $$.tail = $2; }
    ;

/* layer LABEL : WIDTH [ACTIVATION] [= INPUT (+ INPUT)*] [bias] ;
 * layer LABEL : WIDTH input ;
 * loss NAME [= sum|mse|xent] ;   dead REF ; */
net_stmt
    : layer_stmt
    | LOSS IDENT ';'
        { $$ = stmt_new(ps, S_LOSS, @$); $$->name = $2.text; $$->name_loc = @2; $$->loss_kind = ops_default_loss(); }
    | LOSS IDENT '=' IDENT ';'
        {
            $$ = stmt_new(ps, S_LOSS, @$); $$->name = $2.text; $$->name_loc = @2;
            $$->loss_kind = ops_loss($4.text);
            $$->loss_explicit = true;
            if ($$->loss_kind < 0) {
                Buf list = {0};
                ops_loss_list(", ", " or ", &list);
                ps_error(ps, @4, "unknown loss '%s': the losses are %s", $4.text, buf_cstr(&list));
                buf_free(&list);
                YYABORT;
            }
        }
    | DEAD ref ';'          { $$ = stmt_new(ps, S_DEAD, @$); $$->ref = $2; }
    | IDENT notes ';'
        {
            /* notation NOTE...; ('notation' is a word here, not a keyword) */
            if (strcmp($1.text, "notation") != 0) {
                ps_error(ps, @1, "unexpected name '%s': a network's statements are layer, loss, dead, "
                         "notation, derive and expand", $1.text);
                YYABORT;
            }
            $$ = stmt_new(ps, S_NOTATION, @$);
            $$->za = $$->into = -1;
            for (int i = 0; i < $2.n; i++) {
                static const char *const words[] = {"xy", "za", "out", "into"};
                int k = 0;
                while (k < 4 && strcmp($2.v[i].text, words[k]) != 0)
                    k++;
                if (k == 4) {
                    ps_error(ps, $2.v[i].loc, "unknown notation '%s': the notations are xy or za (letters) "
                             "and out or into (weight indices)", $2.v[i].text);
                    YYABORT;
                }
                signed char *slot = k < 2 ? &$$->za : &$$->into;
                if (*slot >= 0) {
                    ps_error(ps, $2.v[i].loc, "'%s' after '%s': a notation says its %s once", $2.v[i].text,
                             words[(k & ~1) + *slot], k < 2 ? "letters" : "weight indices");
                    YYABORT;
                }
                *slot = (signed char)(k & 1);
            }
        }
    | common_stmt
    ;

/* the words of a notation statement */
notes
    : IDENT                 { $$.n = $$.cap = 0; $$.v = NULL; $$ = word_push(ps, $$, $1.text, @1); }
    | notes IDENT           { $$ = word_push(ps, $1, $2.text, @2); }
    ;

layer_stmt
    : LAYER label ':' INT opt_act opt_inputs opt_bias ';'
        {
            $$ = stmt_new(ps, S_LAYER, @$);
            $$->label = $2; $$->width = $4.ival; $$->width_loc = @4;
            $$->act = $5; $$->act_loc = @5;
            $$->inputs = $6.head; $$->bias = $7;
        }
    | LAYER label ':' INT INPUT opt_act opt_inputs opt_bias ';'
        {
            /* what an input layer cannot have is a located error in build */
            $$ = stmt_new(ps, S_LAYER, @$);
            $$->label = $2; $$->width = $4.ival; $$->width_loc = @4;
            $$->act = $6; $$->act_loc = @6;
            $$->inputs = $7.head; $$->bias = $8;
            $$->input_layer = true;
        }
    ;

/* an activation is a name the table of operations knows (ops.h) */
opt_act
    : %empty                { $$ = ACT_NONE; }
    | IDENT
        {
            $$ = ops_activation($1.text);
            if ($$ < 0) {
                Buf list = {0};
                ops_list(OPK_ACTIVATION, ", ", " or ", &list);
                ps_error(ps, @1, "unknown activation '%s': the activations are %s", $1.text, buf_cstr(&list));
                buf_free(&list);
                YYABORT;
            }
        }
    ;

opt_inputs
    : %empty                { $$.head = $$.tail = NULL; }
    | '=' inputs            { $$ = $2; }
    ;

inputs
    : input                 { $$.head = $$.tail = $1; }
    | inputs '+' input      { $$ = $1; $$.tail->next = $3; $$.tail = $3; }
    ;

/* dense(L) [as NAME | shared NAME]: 'as' and 'shared' are words only here
 * (names elsewhere), so no file that used them as names changes meaning */
input
    : DENSE '(' label ')'
        { $$ = arena_alloc(ps->arena, sizeof *$$); $$->kind = IN_DENSE; $$->from = $3; $$->loc = @$; }
    | DENSE '(' label ')' IDENT IDENT
        {
            $$ = arena_alloc(ps->arena, sizeof *$$); $$->kind = IN_DENSE; $$->from = $3; $$->loc = @$;
            if (strcmp($5.text, "as") != 0 && strcmp($5.text, "shared") != 0) {
                ps_error(ps, @5, "expected 'as NAME' or 'shared NAME' after dense(%s), not '%s'", $3.text, $5.text);
                YYABORT;
            }
            $$->shared = $5.text[0] == 's';
            $$->family = $6.text; $$->family_loc = @6;
        }
    | SKIP '(' label ')'
        { $$ = arena_alloc(ps->arena, sizeof *$$); $$->kind = IN_SKIP; $$->from = $3; $$->loc = @$; }
    ;

opt_bias
    : %empty                { $$ = 0; }
    | BIAS                  { $$ = 1; }
    ;

/* input DECL (, DECL)* ;   NAME[i]... = EXPR ;
 * for NAME in A..B { ... }: 'for' and 'in' are words only here (a file
 * may still name a variable 'for') */
graph_stmt
    : INPUT names ';'       { $$ = stmt_new(ps, S_INPUT, @$); $$->names = $2.head; }
    | IDENT '=' expr ';'
        { $$ = stmt_new(ps, S_ASSIGN, @$); $$->name = $1.text; $$->name_loc = @1; $$->expr = $3; }
    | IDENT subs '=' expr ';'
        {
            $$ = stmt_new(ps, S_ASSIGN, @$); $$->name = $1.text; $$->name_loc = span(@1, @2); $$->expr = $4;
            $$->subs = $2.v; $$->nsubs = $2.n;
        }
    | IDENT IDENT IDENT expr DOTDOT expr '{' graph_stmts '}'
        {
            if (strcmp($1.text, "for") != 0) {
                ps_error(ps, @2, "unexpected name '%s' after '%s': expected '=' (or 'for NAME in A..B {')",
                         $2.text, $1.text);
                YYABORT;
            }
            if (strcmp($3.text, "in") != 0) {
                ps_error(ps, @3, "expected 'in' after 'for %s', not '%s'", $2.text, $3.text);
                YYABORT;
            }
            $$ = stmt_new(ps, S_FOR, span(@1, @7)); $$->name = $2.text; $$->name_loc = @2;
            $$->lo = $4; $$->hi = $6; $$->body = $8.head; $$->close_loc = @9;
        }
    | common_stmt
    ;

names
    : decl                  { $$.head = $$.tail = $1; }
    | names ',' decl        { $$ = $1; $$.tail->next = $3; $$.tail = $3; }
    ;

/* NAME, NAME[3], NAME[1..5][0] */
decl
    : IDENT
        { $$ = arena_alloc(ps->arena, sizeof *$$); $$->text = $1.text; $$->loc = @1; }
    | decl '[' INT ']'
        {
            $$ = $1;
            if ($$->nsubs == PG_MAX_SUBS) { ps_error(ps, @3, "too many indices (at most %d)", PG_MAX_SUBS); YYABORT; }
            $$->lo[$$->nsubs] = $$->hi[$$->nsubs] = $3.ival; $$->nsubs++;
            $$->loc = span($$->loc, @4);
        }
    | decl '[' INT DOTDOT INT ']'
        {
            $$ = $1;
            if ($$->nsubs == PG_MAX_SUBS) { ps_error(ps, @3, "too many indices (at most %d)", PG_MAX_SUBS); YYABORT; }
            if ($5.ival < $3.ival) {
                ps_error(ps, span(@3, @5), "empty range %ld..%ld: the last index comes before the first",
                         $3.ival, $5.ival);
                YYABORT;
            }
            $$->lo[$$->nsubs] = $3.ival; $$->hi[$$->nsubs] = $5.ival; $$->range[$$->nsubs] = true;
            $$->nsubs++;
            $$->loc = span($$->loc, @6);
        }
    ;

/* [EXPR]...: the indices of an indexed name */
subs
    : '[' expr ']'
        { $$.cap = PG_MAX_SUBS; $$.v = arena_alloc(ps->arena, PG_MAX_SUBS * sizeof(Expr *)); $$.v[0] = $2; $$.n = 1; }
    | subs '[' expr ']'
        {
            $$ = $1;
            if ($$.n == PG_MAX_SUBS) { ps_error(ps, @3, "too many indices (at most %d)", PG_MAX_SUBS); YYABORT; }
            $$.v[$$.n++] = $3;
        }
    ;

/* derive OF wrt REF ;   expand REF ; */
common_stmt
    : DERIVE ref WRT ref ';' { $$ = stmt_new(ps, S_DERIVE, @$); $$->ref = $2; $$->wrt = $4; }
    | EXPAND ref ';'         { $$ = stmt_new(ps, S_EXPAND, @$); $$->ref = $2; }
    ;

/* NAME ([LABEL])* */
ref
    : IDENT                 { memset(&$$, 0, sizeof $$); $$.name = $1.text; $$.name_loc = @1; $$.loc = @1; }
    | ref '[' index ']'
        {
            $$ = $1;
            if ($$.nsubs == PG_MAX_SUBS) {
                ps_error(ps, @3, "too many indices (at most %d)", PG_MAX_SUBS);
                YYABORT;
            }
            $$.subs[$$.nsubs++] = $3;
            $$.loc = span($1.loc, @4);
        }
    ;

index
    : label
    ;

/* 3, out, n-2, L+1 */
label
    : INT                   { $$ = label_make(ps, $1.text, @1, true, $1.ival); }
    | IDENT                 { $$ = label_make(ps, $1.text, @1, false, 0); }
    | IDENT '-' INT
        {
            char *t = arena_alloc(ps->arena, strlen($1.text) + strlen($3.text) + 2);
            strcpy(t, $1.text); strcat(t, "-"); strcat(t, $3.text);
            $$ = label_make(ps, t, span(@1, @3), false, 0);
        }
    | IDENT '+' INT
        {
            char *t = arena_alloc(ps->arena, strlen($1.text) + strlen($3.text) + 2);
            strcpy(t, $1.text); strcat(t, "+"); strcat(t, $3.text);
            $$ = label_make(ps, t, span(@1, @3), false, 0);
        }
    ;

expr
    : INT
        {
            int ok = 1; $$ = node(ps, X_NUM, NULL, NULL, @1, &ok);
            $$->num = $1.num;
        }
    | NUMBER
        {
            int ok = 1; $$ = node(ps, X_NUM, NULL, NULL, @1, &ok);
            $$->num = $1.num;
        }
    | IDENT
        {
            int ok = 1; $$ = node(ps, X_VAR, NULL, NULL, @1, &ok);
            $$->name = $1.text;
        }
    | IDENT subs
        {
            int ok = 1; $$ = node(ps, X_VAR, NULL, NULL, @$, &ok);
            $$->name = $1.text;
            $$->subs = $2.v; $$->nsubs = $2.n;
            for (int i = 0; i < $2.n; i++)
                if ($2.v[i]->depth + 1 > $$->depth)
                    $$->depth = $2.v[i]->depth + 1;
        }
    | IDENT '(' IDENT IDENT expr DOTDOT expr ',' expr ')'
        {
            /* sum(j in 1..3, EXPR), prod(...): words only here */
            bool is_sum = strcmp($1.text, "sum") == 0;
            if (!is_sum && strcmp($1.text, "prod") != 0) {
                ps_error(ps, @1, "'%s(%s %s ...)' is not a call: only sum and prod take 'NAME in A..B, EXPR'",
                         $1.text, $3.text, $4.text);
                YYABORT;
            }
            if (strcmp($4.text, "in") != 0) {
                ps_error(ps, @4, "expected 'in' after '%s(%s', not '%s'", $1.text, $3.text, $4.text);
                YYABORT;
            }
            int ok = 1; $$ = node(ps, is_sum ? X_SUM : X_PROD, $5, $7, @$, &ok);
            if (!ok) YYABORT;
            $$->name = $3.text;
            $$->args = arena_alloc(ps->arena, sizeof(Expr *));
            $$->args[0] = $9; $$->nargs = 1;
            if (!call_depth(ps, $$)) YYABORT;
        }
    | IDENT '(' args ')'
        {
            int ok = 1; $$ = node(ps, X_CALL, NULL, NULL, @$, &ok);
            $$->name = $1.text; $$->fn = ops_lookup($1.text);
            $$->args = $3.v; $$->nargs = $3.n;
            if (!call_depth(ps, $$)) YYABORT;
        }
    | '(' expr ')'          { $$ = $2; }
    | expr '+' expr         { int ok = 1; $$ = node(ps, X_ADD, $1, $3, @$, &ok); if (!ok) YYABORT; }
    | expr '-' expr         { int ok = 1; $$ = node(ps, X_SUB, $1, $3, @$, &ok); if (!ok) YYABORT; }
    | expr '*' expr         { int ok = 1; $$ = node(ps, X_MUL, $1, $3, @$, &ok); if (!ok) YYABORT; }
    | expr '/' expr         { int ok = 1; $$ = node(ps, X_DIV, $1, $3, @$, &ok); if (!ok) YYABORT; }
    | '-' expr %prec UMINUS { int ok = 1; $$ = node(ps, X_NEG, $2, NULL, @$, &ok); if (!ok) YYABORT; }
    | expr '^' exponent
        {
            int ok = 1; $$ = node(ps, X_POW, $1, NULL, @$, &ok);
            if (!ok) YYABORT;
            $$->ipow = $3;
        }
    ;

exponent
    : INT                   { $$ = $1.ival; }
    | '-' INT               { $$ = -$2.ival; }
    | '(' '-' INT ')'       { $$ = -$3.ival; }
    ;

args
    : expr
        { $$.cap = 4; $$.v = arena_alloc(ps->arena, 4 * sizeof(Expr *)); $$.v[0] = $1; $$.n = 1; }
    | args ',' expr
        {
            $$ = $1;
            if ($$.n == $$.cap) {
                Expr **v = arena_alloc(ps->arena, (size_t)$$.cap * 2 * sizeof(Expr *));
                memcpy(v, $$.v, (size_t)$$.n * sizeof(Expr *));
                $$.v = v; $$.cap *= 2;
            }
            $$.v[$$.n++] = $3;
        }
    ;

%%

/* ---- errors ---- */

void ps_error(ParseState *ps, Loc loc, const char *fmt, ...)
{
    if (ps->errors++)
        return;             /* one message a parse */
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    diag_error(ps->src, loc, "%s", msg);
}

/* Bison's own failures (its stack exhausted by deep nesting) */
void pgerror(Loc *loc, ParseState *ps, const char *msg)
{
    if (strstr(msg, "exhausted"))
        ps_error(ps, *loc, "input is nested too deeply for the parser");
    else
        ps_error(ps, *loc, "%s", msg);
}

static const char *describe(yysymbol_kind_t sym)
{
    switch (sym) {
    case YYSYMBOL_YYEOF: return "end of file";
    case YYSYMBOL_INT: return "an integer";
    case YYSYMBOL_NUMBER: return "a number";
    case YYSYMBOL_IDENT: return "a name";
    case YYSYMBOL_signed_number: return "a number";
    default: return yysymbol_name(sym);   /* "layer", ';' ... as declared */
    }
}

static bool is_keyword(yysymbol_kind_t sym)
{
    switch (sym) {
    case YYSYMBOL_NETWORK: case YYSYMBOL_GRAPH: case YYSYMBOL_LAYER:
    case YYSYMBOL_LOSS: case YYSYMBOL_DEAD: case YYSYMBOL_DERIVE:
    case YYSYMBOL_WRT: case YYSYMBOL_EXPAND: case YYSYMBOL_INPUT:
    case YYSYMBOL_DENSE: case YYSYMBOL_SKIP: case YYSYMBOL_BIAS:
        return true;
    default:
        return false;
    }
}

/* the text of the current token, for messages */
static void token_text(ParseState *ps, Loc loc, char *out, size_t n)
{
    const char *s = ps->src->text, *end = s + ps->src->len;
    int line = 1;
    const char *p = s;
    /* by length, not to the first NUL: a comment may hold NUL bytes */
    while (line < loc.first_line && p < end) {
        if (*p++ == '\n')
            line++;
    }
    size_t off = (size_t)(p - s) + (size_t)(loc.first_column - 1);
    p = s + (off < ps->src->len ? off : ps->src->len);
    size_t len = (size_t)(loc.last_column - loc.first_column + 1);
    if (len > (size_t)(end - p))
        len = (size_t)(end - p);
    if (len >= n)
        len = n - 1;
    memcpy(out, p, len);
    out[len] = '\0';
}

/* One message for a syntax error, naming the likely mistake:
 * a keyword where a name belongs, a missing ';' or '}', else what was
 * expected. */
static int yyreport_syntax_error(const yypcontext_t *ctx, ParseState *ps)
{
    yysymbol_kind_t expected[64];
    int n = yypcontext_expected_tokens(ctx, expected, 64);
    yysymbol_kind_t got = yypcontext_token(ctx);
    Loc loc = *yypcontext_location(ctx);
    bool want_name = false, want_semi = false;
    for (int i = 0; i < n; i++) {
        want_name |= expected[i] == YYSYMBOL_IDENT;
        want_semi |= strcmp(yysymbol_name(expected[i]), "';'") == 0;
    }
    char text[64];
    if (got != YYSYMBOL_YYEOF)
        token_text(ps, loc, text, sizeof text);
    /* a statement that could end here, and the next line goes on: the
     * ';' is missing (checked first: after a layer's width a name may
     * follow, its activation, but a keyword on the next line is the next
     * statement) */
    if (want_semi && ps->have_prev &&
        (got == YYSYMBOL_YYEOF || strcmp(yysymbol_name(got), "'}'") == 0 || loc.first_line > ps->prev.last_line)) {
        Loc at = ps->prev;
        at.first_line = at.last_line;
        at.first_column = at.last_column + 1;
        at.last_column = at.first_column;
        ps_error(ps, at, "missing ';' at the end of this statement");
        return 0;
    }
    if (is_keyword(got) && want_name) {
        ps_error(ps, loc, "'%s' is a keyword and cannot be used as a name", text);
        return 0;
    }
    /* a power whose exponent is not an integer: a^0.5, a^b, a^(1+1) */
    bool after_caret = ps->kinds[1] == '^' || (ps->kinds[1] == '(' && ps->kinds[2] == '^');
    if (after_caret && got != YYSYMBOL_YYEOF && ps->kinds[0] != '-') {
        ps_error(ps, loc, "the exponent of '^' must be an integer (a^2, a^-1, a^(-1)): "
                          "write sqrt(a) for a^0.5, exp(b * log(a)) for a^b");
        return 0;
    }
    if (ps->kinds[0] == '*' && ps->kinds[1] == '*' && loc.first_column == ps->prev.last_column + 1) {
        ps_error(ps, span(ps->prev, loc), "'**' is not an operator: a power is written with '^' (a^3)");
        return 0;
    }
    if (got == YYSYMBOL_YYEOF && ps->open_kind) {
        ps_error(ps, ps->open_loc, "%s '%s' is never closed: missing '}' at end of file",
                 ps->open_kind, ps->open_name);
        return 0;
    }
    char msg[400];
    int len;
    if (got == YYSYMBOL_YYEOF)
        len = snprintf(msg, sizeof msg, "unexpected end of file");
    else
        len = snprintf(msg, sizeof msg, "unexpected '%s'", text);
    if (n > 0 && n <= 6) {
        len += snprintf(msg + len, sizeof msg - (size_t)len, ", expected ");
        for (int i = 0; i < n && len < (int)sizeof msg - 40; i++)
            len += snprintf(msg + len, sizeof msg - (size_t)len, "%s%s",
                            i == 0 ? "" : i == n - 1 ? " or " : ", ", describe(expected[i]));
    }
    ps_error(ps, loc, "%s", msg);
    return 0;
}

