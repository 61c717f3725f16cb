/* expr.c — construction with simplification, differentiation, printing. */
#include "expr.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- construction ---- */

static Expr *mk(Arena *A, ExprKind k)
{
    Expr *e = arena_alloc(A, sizeof *e);
    e->kind = k;
    e->node = -1;
    e->wrt = -1;
    return e;
}

/* 0 and 1 are made millions of times (every derivative of a long graph
 * starts from them): one node each, shared (expressions are never
 * changed once made) */
static Expr num_zero = {.kind = X_NUM, .num = 0, .node = -1, .wrt = -1, .depth = 1};
static Expr num_one = {.kind = X_NUM, .num = 1, .node = -1, .wrt = -1, .depth = 1};

Expr *mk_num(Arena *A, double v)
{
    if (v == 0)
        return &num_zero;
    if (v == 1)
        return &num_one;
    Expr *e = mk(A, X_NUM);
    e->num = v == 0 ? 0 : v;    /* no -0 */
    return e;
}

Expr *mk_var(Arena *A, int node)
{
    Expr *e = mk(A, X_VAR);
    e->node = node;
    return e;
}

Expr *mk_partial(Arena *A, int node, int wrt)
{
    Expr *e = mk(A, X_PARTIAL);
    e->node = node;
    e->wrt = wrt;
    return e;
}

static Expr *mk2(Arena *A, ExprKind k, Expr *a, Expr *b)
{
    Expr *e = mk(A, k);
    e->a = a;
    e->b = b;
    return e;
}

bool expr_is_num(const Expr *e, double v)
{
    return e->kind == X_NUM && e->num == v;
}

Expr *mk_neg(Arena *A, Expr *a)
{
    if (a->kind == X_NUM)
        return mk_num(A, -a->num);
    if (a->kind == X_NEG)
        return a->a;
    if (a->kind == X_SUB)
        return mk_sub(A, a->b, a->a);
    return mk2(A, X_NEG, a, NULL);
}

Expr *mk_add(Arena *A, Expr *a, Expr *b)
{
    if (expr_is_num(a, 0))
        return b;
    if (expr_is_num(b, 0))
        return a;
    if (a->kind == X_NUM && b->kind == X_NUM)
        return mk_num(A, a->num + b->num);
    if (b->kind == X_NEG)
        return mk_sub(A, a, b->a);
    if (b->kind == X_NUM && b->num < 0)
        return mk_sub(A, a, mk_num(A, -b->num));
    if (b->kind == X_MUL && b->a->kind == X_NUM && b->a->num < 0)
        return mk_sub(A, a, mk_mul(A, mk_num(A, -b->a->num), b->b));
    if (expr_equal(a, b))
        return mk_mul(A, mk_num(A, 2), a);
    return mk2(A, X_ADD, a, b);
}

Expr *mk_sub(Arena *A, Expr *a, Expr *b)
{
    if (expr_is_num(b, 0))
        return a;
    if (expr_is_num(a, 0))
        return mk_neg(A, b);
    if (a->kind == X_NUM && b->kind == X_NUM)
        return mk_num(A, a->num - b->num);
    if (b->kind == X_NEG)
        return mk_add(A, a, b->a);
    if (b->kind == X_NUM && b->num < 0)
        return mk_add(A, a, mk_num(A, -b->num));
    if (b->kind == X_MUL && b->a->kind == X_NUM && b->a->num < 0)
        return mk_add(A, a, mk_mul(A, mk_num(A, -b->a->num), b->b));
    if (expr_equal(a, b))
        return mk_num(A, 0);
    return mk2(A, X_SUB, a, b);
}

Expr *mk_mul(Arena *A, Expr *a, Expr *b)
{
    if (expr_is_num(a, 0) || expr_is_num(b, 0))
        return mk_num(A, 0);
    if (expr_is_num(a, 1))
        return b;
    if (expr_is_num(b, 1))
        return a;
    if (expr_is_num(a, -1))
        return mk_neg(A, b);
    if (expr_is_num(b, -1))
        return mk_neg(A, a);
    if (a->kind == X_NUM && b->kind == X_NUM)
        return mk_num(A, a->num * b->num);
    if (b->kind == X_NUM)                       /* numbers first */
        return mk_mul(A, b, a);
    if (a->kind == X_NUM && b->kind == X_MUL && b->a->kind == X_NUM)
        return mk_mul(A, mk_num(A, a->num * b->a->num), b->b);
    /* numbers move to the front of a product: a(2x) -> 2(ax) */
    if (a->kind != X_NUM && b->kind == X_MUL && b->a->kind == X_NUM)
        return mk_mul(A, b->a, mk_mul(A, a, b->b));
    if (a->kind == X_MUL && a->a->kind == X_NUM)
        return mk_mul(A, a->a, mk_mul(A, a->b, b));
    if (a->kind == X_NEG)
        return mk_neg(A, mk_mul(A, a->a, b));
    if (b->kind == X_NEG)
        return mk_neg(A, mk_mul(A, a, b->a));
    if (expr_equal(a, b))
        return mk_pow(A, a, 2);
    return mk2(A, X_MUL, a, b);
}

Expr *mk_div(Arena *A, Expr *a, Expr *b)
{
    if (expr_is_num(a, 0))
        return mk_num(A, 0);
    if (expr_is_num(b, 1))
        return a;
    if (expr_equal(a, b))
        return mk_num(A, 1);
    if (a->kind == X_NUM && b->kind == X_NUM && b->num != 0)
        return mk_num(A, a->num / b->num);
    if (a->kind == X_NEG)
        return mk_neg(A, mk_div(A, a->a, b));
    return mk2(A, X_DIV, a, b);
}

Expr *mk_pow(Arena *A, Expr *a, long n)
{
    if (n == 0)
        return mk_num(A, 1);
    if (n == 1)
        return a;
    if (a->kind == X_NUM && (a->num == 0 || a->num == 1))
        return a;
    /* (a^m)^n = a^(mn) for integers m, n */
    if (a->kind == X_POW && labs(a->ipow) < 1000000 && labs(n) < 1000000)
        return mk_pow(A, a->a, a->ipow * n);
    Expr *e = mk2(A, X_POW, a, NULL);
    e->ipow = n;
    return e;
}

Expr *mk_call(Arena *A, int op, Expr *const *args, int n)
{
    const Op *o = op_get(op);
    if (o && o->simplify) {
        Expr *r = o->simplify(A, args);
        if (r)
            return r;
    }
    Expr *e = mk(A, X_CALL);
    e->fn = op;
    e->name = o ? o->name : "?";
    e->args = arena_alloc(A, sizeof(Expr *) * (size_t)(n ? n : 1));
    memcpy(e->args, args, sizeof(Expr *) * (size_t)n);
    e->nargs = n;
    return e;
}

Expr *mk_call1(Arena *A, int op, Expr *arg)
{
    return mk_call(A, op, &arg, 1);
}

bool expr_equal(const Expr *a, const Expr *b)
{
    if (a == b)
        return true;
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case X_NUM: return a->num == b->num;
    case X_SUM: case X_PROD: return false;      /* parsed only: build writes them out */
    case X_VAR: return a->node == b->node;
    case X_PARTIAL: return a->node == b->node && a->wrt == b->wrt;
    case X_NEG: return expr_equal(a->a, b->a);
    case X_POW: return a->ipow == b->ipow && expr_equal(a->a, b->a);
    case X_ADD: case X_SUB: case X_MUL: case X_DIV:
        return expr_equal(a->a, b->a) && expr_equal(a->b, b->b);
    case X_CALL:
        if (a->fn != b->fn || a->nargs != b->nargs || a->wrt != b->wrt || strcmp(a->name, b->name) != 0)
            return false;
        for (int i = 0; i < a->nargs; i++)
            if (!expr_equal(a->args[i], b->args[i]))
                return false;
        return true;
    }
    return false;
}

bool expr_finite(const Expr *e)
{
    switch (e->kind) {
    case X_SUM: case X_PROD: return true;       /* parsed only */
    case X_NUM: return isfinite(e->num);
    case X_VAR: case X_PARTIAL: return true;
    case X_NEG: case X_POW: return expr_finite(e->a);
    case X_ADD: case X_SUB: case X_MUL: case X_DIV:
        return expr_finite(e->a) && expr_finite(e->b);
    case X_CALL:
        for (int i = 0; i < e->nargs; i++)
            if (!expr_finite(e->args[i]))
                return false;
        return true;
    }
    return true;
}

/* E's value if it is made of numbers only (*IS_CONST true); the first
 * (innermost) constant subexpression that is not finite goes to *BAD */
static double const_value(const Expr *e, bool *is_const, const Expr **bad)
{
    double a = 0, b = 0, v = 0;
    bool ca, cb;
    *is_const = false;
    switch (e->kind) {
    case X_SUM: case X_PROD:                    /* parsed only */
        return 0;
    case X_NUM:
        *is_const = true;
        v = e->num;
        break;
    case X_VAR: case X_PARTIAL:
        return 0;
    case X_NEG: case X_POW:
        a = const_value(e->a, &ca, bad);
        if (!ca)
            return 0;
        *is_const = true;
        v = e->kind == X_NEG ? -a : pow(a, (double)e->ipow);
        break;
    case X_ADD: case X_SUB: case X_MUL: case X_DIV:
        a = const_value(e->a, &ca, bad);
        b = const_value(e->b, &cb, bad);
        if (!ca || !cb)
            return 0;
        *is_const = true;
        v = e->kind == X_ADD ? a + b : e->kind == X_SUB ? a - b : e->kind == X_MUL ? a * b : a / b;
        break;
    case X_CALL: {
        double args[OP_MAX_ARITY] = {0};
        bool all = e->fn != OP_OPAQUE;
        for (int i = 0; i < e->nargs; i++) {
            double x = const_value(e->args[i], &ca, bad);
            if (i < OP_MAX_ARITY)
                args[i] = x;
            all &= ca;
        }
        if (!all)
            return 0;
        *is_const = true;
        v = op_get(e->fn)->value(args);
        break;
    }
    }
    if (!isfinite(v) && !*bad)
        *bad = e;
    return v;
}

const Expr *expr_bad_constant(const Expr *e)
{
    const Expr *bad = NULL;
    bool c;
    const_value(e, &c, &bad);
    return bad;
}

bool expr_uses(const Expr *e, int node)
{
    switch (e->kind) {
    case X_SUM: case X_PROD: return false;      /* parsed only */
    case X_NUM: return false;
    case X_VAR: return e->node == node;
    case X_PARTIAL: return false;
    case X_NEG: case X_POW: return expr_uses(e->a, node);
    case X_ADD: case X_SUB: case X_MUL: case X_DIV:
        return expr_uses(e->a, node) || expr_uses(e->b, node);
    case X_CALL:
        for (int i = 0; i < e->nargs; i++)
            if (expr_uses(e->args[i], node))
                return true;
        return false;
    }
    return false;
}

/* does NODE reach E through the derivative of an opaque function (which
 * pathgrad does not differentiate again)? */
static bool opaque_uses(const Expr *e, int node)
{
    switch (e->kind) {
    case X_NEG: case X_POW: return opaque_uses(e->a, node);
    case X_ADD: case X_SUB: case X_MUL: case X_DIV:
        return opaque_uses(e->a, node) || opaque_uses(e->b, node);
    case X_CALL:
        if (e->fn == OP_OPAQUE && e->wrt >= 0 && expr_uses(e, node))
            return true;
        for (int i = 0; i < e->nargs; i++)
            if (opaque_uses(e->args[i], node))
                return true;
        return false;
    default:
        return false;
    }
}

static Expr *diff(Arena *A, Expr *e, int v)
{
    if (!expr_uses(e, v))
        return mk_num(A, 0);
    switch (e->kind) {
    case X_VAR: return mk_num(A, 1);
    case X_ADD: return mk_add(A, diff(A, e->a, v), diff(A, e->b, v));
    case X_SUB: return mk_sub(A, diff(A, e->a, v), diff(A, e->b, v));
    case X_MUL:
        return mk_add(A, mk_mul(A, diff(A, e->a, v), e->b), mk_mul(A, e->a, diff(A, e->b, v)));
    case X_DIV: {
        Expr *da = diff(A, e->a, v), *db = diff(A, e->b, v);
        return mk_sub(A, mk_div(A, da, e->b),
                      mk_div(A, mk_mul(A, e->a, db), mk_pow(A, e->b, 2)));
    }
    case X_NEG: return mk_neg(A, diff(A, e->a, v));
    case X_POW:
        return mk_mul(A, mk_mul(A, mk_num(A, (double)e->ipow), mk_pow(A, e->a, e->ipow - 1)),
                      diff(A, e->a, v));
    case X_CALL: {
        /* the chain rule over the arguments: sum of df/da_i * da_i/dv; an
         * opaque f's derivative is the symbol f'(a), or D_i f(a, b) for
         * its i-th argument (a derivative of one never gets here:
         * expr_diff keeps the partial) */
        const Op *o = op_get(e->fn);
        Expr *r = mk_num(A, 0);
        for (int i = 0; i < e->nargs; i++)
            if (expr_uses(e->args[i], v)) {
                Expr *df;
                if (o) {
                    df = o->dsym(A, e->args, i);
                } else {
                    df = mk(A, X_CALL);
                    *df = *e;
                    df->wrt = i;
                }
                r = mk_add(A, r, mk_mul(A, df, diff(A, e->args[i], v)));
            }
        return r;
    }
    default:
        return mk_num(A, 0);
    }
}

Expr *expr_diff(Arena *A, Expr *e, int node, int node_self)
{
    if (opaque_uses(e, node))
        return mk_partial(A, node_self, node);
    return diff(A, e, node);
}

/* ---- collecting like terms ---- */

/* a product: COEF times BASE[i]^EXP[i] (integer exponents; a negative one
 * divides) */
typedef struct Mono {
    double coef;
    Expr **base;
    long *exp;
    int n, cap;
} Mono;

typedef struct Poly {
    Mono *m;
    int n, cap;
} Poly;

static void mono_put(Mono *m, Expr *base, long exp)
{
    for (int i = 0; i < m->n; i++)
        if (expr_equal(m->base[i], base)) {
            m->exp[i] += exp;
            return;
        }
    if (m->n == m->cap) {
        m->cap = m->cap ? 2 * m->cap : 4;
        m->base = xrealloc(m->base, xmul((size_t)m->cap, sizeof *m->base));
        m->exp = xrealloc(m->exp, xmul((size_t)m->cap, sizeof *m->exp));
    }
    m->base[m->n] = base;
    m->exp[m->n++] = exp;
}

static Expr *simplify_at(Arena *A, Expr *e);
static void poly_free(Poly *p);

/* E ^ EXP multiplied into M (E's own products and quotients flattened) */
static void mono_collect(Arena *A, Expr *e, long exp, Mono *m)
{
    switch (e->kind) {
    case X_NUM:
        m->coef *= pow(e->num, (double)exp);
        return;
    case X_NEG:
        if (exp % 2)
            m->coef = -m->coef;
        mono_collect(A, e->a, exp, m);
        return;
    case X_MUL:
        mono_collect(A, e->a, exp, m);
        mono_collect(A, e->b, exp, m);
        return;
    case X_DIV:
        mono_collect(A, e->a, exp, m);
        mono_collect(A, e->b, -exp, m);
        return;
    case X_POW:
        if (labs(e->ipow) < 1000000 && labs(exp) < 1000000)
            mono_collect(A, e->a, exp * e->ipow, m);
        else
            mono_put(m, e, exp);       /* too large to multiply out */
        return;
    case X_ADD: case X_SUB: {
        /* a sum is one factor; one that simplifies to a number or to a
         * product joins this product instead */
        Expr *s = simplify_at(A, e);
        if (s->kind == X_NUM || s->kind == X_MUL || s->kind == X_DIV || s->kind == X_NEG || s->kind == X_POW ||
            s->kind == X_VAR)
            mono_collect(A, s, exp, m);
        else
            mono_put(m, s, exp);
        return;
    }
    default:
        mono_put(m, simplify_at(A, e), exp);
        return;
    }
}

static bool mono_same(const Mono *a, const Mono *b)
{
    int na = 0, nb = 0;
    for (int i = 0; i < a->n; i++)
        na += a->exp[i] != 0;
    for (int i = 0; i < b->n; i++)
        nb += b->exp[i] != 0;
    if (na != nb)
        return false;
    for (int i = 0; i < a->n; i++) {
        if (!a->exp[i])
            continue;
        bool found = false;
        for (int j = 0; j < b->n && !found; j++)
            found = b->exp[j] == a->exp[i] && expr_equal(a->base[i], b->base[j]);
        if (!found)
            return false;
    }
    return true;
}

/* E (times SIGN) added into P term by term */
static void poly_collect(Arena *A, Expr *e, double sign, Poly *p)
{
    switch (e->kind) {
    case X_ADD:
        poly_collect(A, e->a, sign, p);
        poly_collect(A, e->b, sign, p);
        return;
    case X_SUB:
        poly_collect(A, e->a, sign, p);
        poly_collect(A, e->b, -sign, p);
        return;
    case X_NEG:
        poly_collect(A, e->a, -sign, p);
        return;
    default:
        break;
    }
    Mono m = {sign, NULL, NULL, 0, 0};
    mono_collect(A, e, 1, &m);
    for (int i = 0; i < p->n; i++)
        if (mono_same(&p->m[i], &m)) {
            p->m[i].coef += m.coef;
            free(m.base);
            free(m.exp);
            return;
        }
    if (p->n == p->cap) {
        p->cap = p->cap ? 2 * p->cap : 4;
        p->m = xrealloc(p->m, xmul((size_t)p->cap, sizeof *p->m));
    }
    p->m[p->n++] = m;
}

static void poly_free(Poly *p)
{
    for (int i = 0; i < p->n; i++) {
        free(p->m[i].base);
        free(p->m[i].exp);
    }
    free(p->m);
}

/* C (> 0) times M's factors: positive powers over negative ones, the
 * coefficient in the numerator (2/x^3), or as the denominator's when it
 * is one over a whole number (1/(2 sqrt(u))) */
static Expr *mono_build(Arena *A, const Mono *m, double c)
{
    Expr *num = mk_num(A, 1), *den = mk_num(A, 1);
    for (int i = 0; i < m->n; i++) {
        if (m->exp[i] > 0)
            num = mk_mul(A, num, mk_pow(A, m->base[i], m->exp[i]));
        else if (m->exp[i] < 0)
            den = mk_mul(A, den, mk_pow(A, m->base[i], -m->exp[i]));
    }
    double inv = 1 / c;
    if (c != floor(c) && inv == floor(inv) && inv < 1e15 && den->kind != X_NUM)
        return mk_div(A, num, mk_mul(A, mk_num(A, inv), den));
    return mk_div(A, mk_mul(A, mk_num(A, c), num), den);
}

static Expr *simplify_at(Arena *A, Expr *e)
{
    switch (e->kind) {
    case X_NUM: case X_VAR: case X_PARTIAL: case X_SUM: case X_PROD:
        return e;
    case X_CALL: {
        Expr **args = arena_alloc(A, sizeof(Expr *) * (size_t)(e->nargs ? e->nargs : 1));
        bool same = true;
        for (int i = 0; i < e->nargs; i++) {
            args[i] = simplify_at(A, e->args[i]);
            same &= args[i] == e->args[i];
        }
        if (same)
            return e;
        if (e->fn != OP_OPAQUE && e->wrt < 0)
            return mk_call(A, e->fn, args, e->nargs);
        Expr *c = mk(A, X_CALL);
        *c = *e;
        c->args = args;
        return c;
    }
    default:
        break;
    }
    Poly p = {0};
    poly_collect(A, e, 1, &p);
    Expr *r = mk_num(A, 0);
    for (int i = 0; i < p.n; i++) {
        const Mono *m = &p.m[i];
        if (m->coef == 0 || !isfinite(m->coef))
            continue;
        Expr *t = mono_build(A, m, fabs(m->coef));
        r = m->coef < 0 ? mk_sub(A, r, t) : mk_add(A, r, t);
    }
    bool bad = false;
    for (int i = 0; i < p.n; i++)
        bad |= !isfinite(p.m[i].coef);
    poly_free(&p);
    return bad ? e : r;               /* an overflowing constant stays as it was */
}

Expr *expr_simplify(Arena *A, Expr *e)
{
    return simplify_at(A, e);
}

Expr *expr_copy(Arena *A, const Expr *e)
{
    Expr *c = mk(A, e->kind);
    *c = *e;
    if (e->a)
        c->a = expr_copy(A, e->a);
    if (e->b)
        c->b = expr_copy(A, e->b);
    /* args and subs share their place: X_VAR holds subs, the rest args */
    Expr **v = e->kind == X_VAR ? e->subs : e->args;
    int n = e->kind == X_VAR ? e->nsubs : e->nargs;
    if (v && n > 0) {
        Expr **w = arena_alloc(A, sizeof(Expr *) * (size_t)n);
        for (int i = 0; i < n; i++)
            w[i] = v[i] ? expr_copy(A, v[i]) : NULL;
        if (e->kind == X_VAR)
            c->subs = w;
        else
            c->args = w;
    }
    return c;
}

static int rename_find(int node, const int *from, int n)
{
    for (int i = 0; i < n; i++)
        if (from[i] == node)
            return i;
    return -1;
}

bool expr_equal_renamed(const Expr *a, const Expr *b, const int *from, const int *to, int n)
{
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case X_NUM: return a->num == b->num;
    case X_SUM: case X_PROD: return false;
    case X_VAR: {
        int i = rename_find(a->node, from, n);
        return i >= 0 && to[i] == b->node;
    }
    case X_PARTIAL: {
        int i = rename_find(a->node, from, n), k = rename_find(a->wrt, from, n);
        return i >= 0 && k >= 0 && to[i] == b->node && to[k] == b->wrt;
    }
    case X_NEG: return expr_equal_renamed(a->a, b->a, from, to, n);
    case X_POW: return a->ipow == b->ipow && expr_equal_renamed(a->a, b->a, from, to, n);
    case X_ADD: case X_SUB: case X_MUL: case X_DIV:
        return expr_equal_renamed(a->a, b->a, from, to, n) && expr_equal_renamed(a->b, b->b, from, to, n);
    case X_CALL:
        if (a->fn != b->fn || a->nargs != b->nargs || a->wrt != b->wrt || strcmp(a->name, b->name) != 0)
            return false;
        for (int i = 0; i < a->nargs; i++)
            if (!expr_equal_renamed(a->args[i], b->args[i], from, to, n))
                return false;
        return true;
    }
    return false;
}

Expr *expr_rename(Arena *A, const Expr *e, const int *from, const int *to, int n)
{
    Expr *c = mk(A, e->kind);
    *c = *e;
    switch (e->kind) {
    case X_VAR: case X_PARTIAL: {
        int i = rename_find(e->node, from, n);
        if (i >= 0)
            c->node = to[i];
        if (e->kind == X_PARTIAL && (i = rename_find(e->wrt, from, n)) >= 0)
            c->wrt = to[i];
        c->subs = NULL;
        c->nsubs = 0;
        return c;
    }
    case X_CALL:
        c->args = arena_alloc(A, sizeof(Expr *) * (size_t)(e->nargs ? e->nargs : 1));
        for (int i = 0; i < e->nargs; i++)
            c->args[i] = expr_rename(A, e->args[i], from, to, n);
        return c;
    default:
        if (e->a)
            c->a = expr_rename(A, e->a, from, to, n);
        if (e->b)
            c->b = expr_rename(A, e->b, from, to, n);
        return c;
    }
}

Expr *expr_replace(Arena *A, Expr *e, const Expr *what, int node)
{
    /* unchanged subtrees are shared, not copied: a 100,000-step
     * recurrence replaces in 400,000 derivatives */
    if (expr_equal(e, what))
        return mk_var(A, node);
    switch (e->kind) {
    case X_ADD: case X_SUB: case X_MUL: case X_DIV: {
        Expr *l = expr_replace(A, e->a, what, node), *r = expr_replace(A, e->b, what, node);
        if (l == e->a && r == e->b)
            return e;
        switch (e->kind) {
        case X_ADD: return mk_add(A, l, r);
        case X_SUB: return mk_sub(A, l, r);
        case X_MUL: return mk_mul(A, l, r);
        default: return mk_div(A, l, r);
        }
    }
    case X_NEG: {
        Expr *a = expr_replace(A, e->a, what, node);
        return a == e->a ? e : mk_neg(A, a);
    }
    case X_POW: {
        Expr *a = expr_replace(A, e->a, what, node);
        return a == e->a ? e : mk_pow(A, a, e->ipow);
    }
    case X_CALL: {
        Expr **args = NULL;
        for (int i = 0; i < e->nargs; i++) {
            Expr *x = expr_replace(A, e->args[i], what, node);
            if (x != e->args[i] && !args) {
                args = arena_alloc(A, sizeof(Expr *) * (size_t)e->nargs);
                for (int k = 0; k < i; k++)
                    args[k] = e->args[k];
            }
            if (args)
                args[i] = x;
        }
        if (!args)
            return e;
        Expr *c = mk(A, X_CALL);
        *c = *e;
        c->args = args;
        return c;
    }
    default:
        return e;
    }
}

Expr *expr_subst(Arena *A, Expr *e, Expr *(*sub)(void *ctx, int node), void *ctx)
{
    switch (e->kind) {
    case X_NUM: case X_PARTIAL: return e;
    case X_SUM: case X_PROD: return e;          /* parsed only */
    case X_VAR: {
        Expr *r = sub(ctx, e->node);
        return r ? r : e;
    }
    case X_ADD: return mk_add(A, expr_subst(A, e->a, sub, ctx), expr_subst(A, e->b, sub, ctx));
    case X_SUB: return mk_sub(A, expr_subst(A, e->a, sub, ctx), expr_subst(A, e->b, sub, ctx));
    case X_MUL: return mk_mul(A, expr_subst(A, e->a, sub, ctx), expr_subst(A, e->b, sub, ctx));
    case X_DIV: return mk_div(A, expr_subst(A, e->a, sub, ctx), expr_subst(A, e->b, sub, ctx));
    case X_NEG: return mk_neg(A, expr_subst(A, e->a, sub, ctx));
    case X_POW: return mk_pow(A, expr_subst(A, e->a, sub, ctx), e->ipow);
    case X_CALL: {
        Expr *c = mk(A, X_CALL);
        *c = *e;
        c->args = arena_alloc(A, sizeof(Expr *) * (size_t)(e->nargs ? e->nargs : 1));
        for (int i = 0; i < e->nargs; i++)
            c->args[i] = expr_subst(A, e->args[i], sub, ctx);
        return c;
    }
    }
    return e;
}

/* ---- printing ---- */

/* precedence of the printed form: how tightly it binds */
enum { P_SUM = 1, P_NEG = 2, P_PROD = 3, P_ATOM = 5 };

static int prec(Style st, const Expr *e)
{
    switch (e->kind) {
    case X_ADD: case X_SUB: return P_SUM;
    case X_NEG: return P_NEG;
    case X_NUM: return e->num < 0 ? P_NEG : P_ATOM;
    case X_MUL: return P_PROD;
    case X_DIV: return st == FMT_LATEX ? P_ATOM : P_PROD;
    default: return P_ATOM;
    }
}

static void print_at(const Printer *p, const Expr *e, int min_prec, Buf *out);

static const char *const sup_digits[] = {"⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"};

/* K in Unicode superscripts: ⁻¹² */
static void text_exponent(long k, Buf *out)
{
    char t[32];
    snprintf(t, sizeof t, "%ld", k);
    for (char *c = t; *c; c++)
        buf_puts(out, *c == '-' ? "⁻" : sup_digits[*c - '0']);
}

/* is F (printed) one symbol that takes an exponent as it is: a name with
 * subscripts but no superscript, or a parenthesised group? */
static bool power_atom(Style st, const char *f, size_t n, bool *braces)
{
    *braces = false;
    if (n >= 2 && f[0] == '(' && f[n - 1] == ')') {
        int depth = 0;
        for (size_t i = 0; i < n; i++) {
            depth += f[i] == '(' ? 1 : f[i] == ')' ? -1 : 0;
            if (depth == 0 && i + 1 < n)
                return false;          /* (a)(b) */
        }
        return true;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)f[i];
        if (st == FMT_LATEX) {
            if (c == '^') {
                *braces = true;        /* y^{1}_{n}: {y^{1}_{n}}^{2} */
                continue;
            }
            if (!((c | 32) >= 'a' && (c | 32) <= 'z') && !(c >= '0' && c <= '9') && c != '_' && c != '{' &&
                c != '}' && c != '\\' && c != ',')
                return false;
        } else if (st == FMT_TEXT) {
            /* letters, digits and subscripts (U+2080..U+209C) only */
            if (c == 0xE2 && i + 2 < n && (unsigned char)f[i + 1] == 0x82) {
                i += 2;
                continue;
            }
            if (!((c | 32) >= 'a' && (c | 32) <= 'z') && !(c >= '0' && c <= '9') && c != '_')
                return false;
        } else {
            return false;
        }
    }
    return true;
}

static bool is_alpha(unsigned char c) { return (c | 32) >= 'a' && (c | 32) <= 'z'; }

static bool starts_word(const char *s, size_t n)
{
    return (n >= 8 && memcmp(s, "\\mathit{", 8) == 0) || (n >= 8 && memcmp(s, "\\mathrm{", 8) == 0) ||
           (n >= 14 && memcmp(s, "\\operatorname{", 14) == 0);
}

const char *latex_product_sep(const char *d, size_t start, size_t len, const char *next, size_t n)
{
    unsigned char prev = (unsigned char)d[len - 1], c = (unsigned char)next[0];
    if ((c >= '0' && c <= '9') || c == '.' || c == '-')
        return "\\cdot ";
    if (c == '\\' && starts_word(next, n))
        return prev >= '0' && prev <= '9' && len - start <= 1 ? "" : "\\cdot ";
    if (prev == '}' && (is_alpha(c) || c == '\\' || c == '(')) {
        /* the group that ends here: a word's? */
        int depth = 0;
        for (size_t i = len; i-- > start;) {
            if (d[i] == '}')
                depth++;
            else if (d[i] == '{' && --depth == 0) {
                if (i >= start + 7 && (memcmp(d + i - 7, "\\mathit", 7) == 0 || memcmp(d + i - 7, "\\mathrm", 7) == 0))
                    return "\\cdot ";
                break;
            }
        }
        return "";
    }
    return is_alpha(prev) && is_alpha(c) ? "\\," : "";
}

void product_join_power(Style st, Buf *out, size_t start, const char *factor, size_t n, int k)
{
    bool braces;
    bool atom = power_atom(st, factor, n, &braces);
    if (atom && braces) {
        product_join(st, out, start, "{", 1);
        buf_add(out, factor, n);
        buf_putc(out, '}');
    } else if (atom) {
        product_join(st, out, start, factor, n);
    } else {
        product_join(st, out, start, "(", 1);
        buf_add(out, factor, n);
        buf_putc(out, ')');
    }
    if (st == FMT_LATEX)
        buf_printf(out, "^{%d}", k);
    else if (st == FMT_HTML)
        buf_printf(out, "<SUP>%d</SUP>", k);
    else
        text_exponent(k, out);
}

void print_number(Style st, double v, Buf *out)
{
    double a = fabs(v);
    if (v < 0)
        buf_puts(out, st == FMT_LATEX ? "-" : "−");
    if (a == 0 || !isfinite(a) || (a >= 1e-4 && a < 1e15)) {
        fmt_number(out, a);
        return;
    }
    /* m * 10^k with the shortest m that reads back as the same double */
    Buf t = {0};
    fmt_number(&t, a);
    char tmp[48];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*e", prec - 1, a);
        if (strtod(tmp, NULL) == a)
            break;
    }
    buf_free(&t);
    char *ex = strchr(tmp, 'e');
    *ex = '\0';
    long k = strtol(ex + 1, NULL, 10);
    buf_puts(out, tmp);
    if (st == FMT_LATEX) {
        buf_printf(out, "\\cdot 10^{%ld}", k);
    } else if (st == FMT_HTML) {
        buf_printf(out, "·10<SUP>%ld</SUP>", k);
    } else {
        buf_puts(out, "·10");
        text_exponent(k, out);
    }
}


static void print_exponent(const Printer *p, long n, Buf *out)
{
    if (p->style == FMT_LATEX) {
        buf_puts(out, "^{");
        buf_int(out, n);
        buf_putc(out, '}');
        return;
    }
    if (p->style == FMT_HTML) {
        buf_puts(out, "<SUP>");
        buf_int(out, n);
        buf_puts(out, "</SUP>");
        return;
    }
    text_exponent(n, out);
}

static void print_fname(const Printer *p, const Expr *e, Buf *out)
{
    bool tex = p->style == FMT_LATEX;
    const Op *o = op_get(e->fn);
    if (o) {
        buf_puts(out, tex ? o->latex : o->text);
        return;
    }
    /* an opaque function's derivative: f'(a) of one argument, D_2 h(a, b)
     * (the partial derivative in its second argument) of several */
    bool d = e->wrt >= 0, several = d && e->nargs > 1;
    if (several) {
        if (tex) {
            buf_printf(out, "D_{%d}", e->wrt + 1);
        } else {
            static const char *const sub_digits[] = {"₀", "₁", "₂", "₃", "₄", "₅", "₆", "₇", "₈", "₉"};
            char k[12];
            snprintf(k, sizeof k, "%d", e->wrt + 1);
            buf_puts(out, "D");
            for (const char *c = k; *c; c++)
                buf_puts(out, sub_digits[*c - '0']);
        }
    }
    if (!tex) {
        buf_puts(out, e->name);
        if (d && !several)
            buf_puts(out, "′");
        return;
    }
    bool one = strlen(e->name) == 1;
    if (!one)
        buf_puts(out, "\\operatorname{");
    for (const char *c = e->name; *c; c++)
        buf_puts(out, *c == '_' ? "\\_" : (char[]){*c, 0});
    if (!one)
        buf_putc(out, '}');
    if (d && !several)
        buf_putc(out, '\'');
}

static void print_args(const Printer *p, const Expr *e, Buf *out)
{
    buf_putc(out, '(');
    for (int i = 0; i < e->nargs; i++) {
        if (i)
            buf_puts(out, p->style == FMT_LATEX ? "," : ", ");
        print_at(p, e->args[i], P_SUM, out);
    }
    buf_putc(out, ')');
}

static void print_call(const Printer *p, const Expr *e, long power, Buf *out)
{
    const Op *o = op_get(e->fn);
    OpPrint how = o ? o->print : PRINT_CALL;
    if (how == PRINT_ROOT && p->style == FMT_LATEX) {
        buf_puts(out, "\\sqrt{");
        print_at(p, e->args[0], P_SUM, out);
        buf_putc(out, '}');
    } else if (how == PRINT_BARS) {
        buf_putc(out, '|');
        print_at(p, e->args[0], P_SUM, out);
        buf_putc(out, '|');
    } else if (how == PRINT_BRACKET) {
        buf_putc(out, '[');
        print_at(p, e->args[0], P_SUM, out);
        /* a drawing's label is Graphviz's HTML: '<' and '>' escaped */
        for (const char *c = p->style == FMT_LATEX ? o->latex : o->text; *c; c++)
            buf_puts(out, p->style != FMT_HTML ? (char[]){*c, 0} : *c == '<' ? "&lt;" : *c == '>' ? "&gt;" : (char[]){*c, 0});
        print_at(p, e->args[1], P_SUM, out);
        buf_putc(out, ']');
    } else {
        print_fname(p, e, out);
        if (power)
            print_exponent(p, power, out);
        print_args(p, e, out);
        return;
    }
    if (power)
        print_exponent(p, power, out);
}


static void print_product(const Printer *p, const Expr *e, Buf *out)
{
    /* flatten a*b*c (left-deep) and join the factors, each printed in
     * place and the separator put before it (no buffer a factor: a long
     * graph prints millions of products) */
    int n = 1;
    for (const Expr *c = e; c->kind == X_MUL; c = c->a)
        n++;
    const Expr *small[16];
    const Expr **stack = n <= 16 ? small : xmalloc(xmul((size_t)n, sizeof *stack));
    n = 0;
    const Expr *cur = e;
    while (cur->kind == X_MUL) {
        stack[n++] = cur->b;
        cur = cur->a;
    }
    stack[n++] = cur;
    size_t start = out->len;
    for (int i = n - 1; i >= 0; i--) {
        size_t at = out->len;
        const Expr *x = stack[i];
        /* a leading negative number reads fine; later ones need parentheses */
        if (prec(p->style, x) < P_PROD && !(i == n - 1 && x->kind == X_NUM)) {
            buf_putc(out, '(');
            print_at(p, x, P_SUM, out);
            buf_putc(out, ')');
        } else {
            print_at(p, x, P_PROD, out);
        }
        if (at == start || out->len == at)
            continue;
        /* the separator product_join would put between the two */
        const char *sep = NULL;
        unsigned char next = (unsigned char)out->data[at];
        if (p->style != FMT_LATEX) {
            /* inside an expression: juxtapose before '(' else a tight dot */
            if (next != '(')
                sep = "·";
        } else {
            sep = latex_product_sep(out->data, start, at, out->data + at, out->len - at);
        }
        if (sep && *sep) {
            size_t k = strlen(sep), len = out->len - at;
            buf_reserve(out, k);
            memmove(out->data + at + k, out->data + at, len);
            memcpy(out->data + at, sep, k);
            out->len += k;
            out->data[out->len] = '\0';
        }
    }
    if (stack != small)
        free(stack);
}

static void print_at(const Printer *p, const Expr *e, int min_prec, Buf *out)
{
    bool tex = p->style == FMT_LATEX;
    if (prec(p->style, e) < min_prec) {
        buf_putc(out, '(');
        print_at(p, e, P_SUM, out);
        buf_putc(out, ')');
        return;
    }
    switch (e->kind) {
    case X_NUM:
        print_number(p->style, e->num, out);
        return;
    case X_SUM: case X_PROD:                    /* parsed only */
        return;
    case X_VAR:
        p->name(p->ctx, e->node, p->style, out);
        return;
    case X_PARTIAL:
        if (tex) {
            buf_puts(out, "\\frac{\\partial ");
            p->name(p->ctx, e->node, p->style, out);
            buf_puts(out, "}{\\partial ");
            p->name(p->ctx, e->wrt, p->style, out);
            buf_putc(out, '}');
        } else {
            buf_puts(out, "∂");
            p->name(p->ctx, e->node, p->style, out);
            buf_puts(out, "/∂");
            p->name(p->ctx, e->wrt, p->style, out);
        }
        return;
    case X_ADD: {
        print_at(p, e->a, P_SUM, out);
        size_t mark = out->len;
        buf_putc(out, '+');
        size_t at = out->len;
        print_at(p, e->b, P_SUM, out);
        /* a+-b reads as a-b */
        if (out->len > at && out->data[at] == '-')
            memmove(out->data + mark, out->data + at, out->len - at + 1), out->len--;
        return;
    }
    case X_SUB:
        print_at(p, e->a, P_SUM, out);
        buf_puts(out, tex ? "-" : "−");
        print_at(p, e->b, P_NEG + 1, out);
        return;
    case X_NEG:
        buf_puts(out, tex ? "-" : "−");
        print_at(p, e->a, P_PROD, out);
        return;
    case X_MUL:
        print_product(p, e, out);
        return;
    case X_DIV:
        if (tex) {
            buf_puts(out, "\\frac{");
            print_at(p, e->a, P_SUM, out);
            buf_puts(out, "}{");
            print_at(p, e->b, P_SUM, out);
            buf_putc(out, '}');
        } else {
            print_at(p, e->a, P_PROD, out);
            buf_putc(out, '/');
            print_at(p, e->b, P_ATOM, out);
        }
        return;
    case X_POW:
        if (e->a->kind == X_CALL && e->a->fn != OP_OPAQUE && op_get(e->a->fn)->print == PRINT_CALL) {
            print_call(p, e->a, e->ipow, out);     /* \tanh^{2}(x) */
            return;
        }
        if (tex && e->a->kind == X_VAR) {
            /* braces keep y^{1}_{n} from taking a second superscript */
            size_t at = out->len;
            print_at(p, e->a, P_ATOM, out);
            if (memchr(out->data + at, '^', out->len - at)) {
                buf_putc(out, '}');
                memmove(out->data + at + 1, out->data + at, out->len - at);
                out->data[at] = '{';
            }
        } else if (e->a->kind == X_POW || e->a->kind == X_DIV) {
            /* (a^2)^3 as written, (a/b)^2: a superscript on \frac{a}{b}
             * or on a^{2} would read wrong */
            buf_putc(out, '(');
            print_at(p, e->a, P_SUM, out);
            buf_putc(out, ')');
        } else {
            print_at(p, e->a, P_ATOM, out);
        }
        print_exponent(p, e->ipow, out);
        return;
    case X_CALL:
        print_call(p, e, 0, out);
        return;
    }
}

void expr_print(const Printer *p, const Expr *e, Buf *out)
{
    print_at(p, e, P_SUM, out);
}

void expr_print_factor(const Printer *p, const Expr *e, Buf *out)
{
    print_at(p, e, P_PROD, out);
}

/* c * 2^e as text: as a number when a double holds it, else m * 10^k */
static void print_scaled(Style st, double c, long e, Buf *out)
{
    double v = e ? ldexp(c, (int)(e > 100000 ? 100000 : e < -100000 ? -100000 : e)) : c;
    if (e == 0 || (isfinite(v) && fabs(v) >= 0x1p-1000)) {
        print_number(st, v, out);
        return;
    }
    if (c < 0)
        buf_puts(out, st == FMT_LATEX ? "-" : "−");
    double l = log10(fabs(c)) + (double)e * log10(2.0);
    double k = floor(l);
    buf_printf(out, "%.6g", pow(10.0, l - k));
    if (st == FMT_LATEX) {
        buf_printf(out, "\\cdot 10^{%.0f}", k);
    } else {
        buf_puts(out, "·10");
        text_exponent((long)k, out);
    }
}

void print_term(Style st, double coef, long exp2, const char *prod, size_t n, Buf *out)
{
    size_t start = out->len;
    if (coef == -1 && exp2 == 0 && n > 0) {
        buf_puts(out, st == FMT_LATEX ? "-" : "−");
        start = out->len;
    } else if (coef != 1 || exp2 != 0 || n == 0) {
        print_scaled(st, coef, exp2, out);
    }
    product_join(st, out, start, prod ? prod : "", n);
}
