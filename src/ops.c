/* ops.c — the table of functions and activations (see ops.h).
 *
 * To add an activation: write its value, derivative and symbolic
 * derivative below, add a row to `ops` (and its number to the enum), and
 * list it in docs/LANGUAGE.md, the man pages, the completion and the
 * editor grammars; tests/install.sh checks those against `pathgrad --help`,
 * which prints this table's names.
 */
#include "ops.h"
#include "expr.h"

#include <math.h>
#include <string.h>

/* the rows, in table order (names outside this file go by properties) */
enum {
    IDENTITY, RELU, SIGMOID, TANH, LEAKY, SOFTPLUS, ELU, GELU, SWISH, SOFTMAX,
    EXP, LOG, SIN, COS, SQRT, ABS, MAX, MIN,
    RELU_D, LEAKY_D, ELU_D, CDF, PDF, SGN, GE, GT, LE, LT,
    NOPS
};

#define LEAKY_SLOPE 0.01

/* ---- numbers ---- */

static double sigma(double x) { return x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x)); }
static double cdf(double x) { return 0.5 * erfc(-x / sqrt(2.0)); }
static double pdf(double x) { return exp(-0.5 * x * x) * 0.39894228040143267794; }  /* 1/√(2π) */

static double v_identity(const double *a) { return a[0]; }
static double v_relu(const double *a) { return a[0] > 0 ? a[0] : 0; }
static double v_sigmoid(const double *a) { return sigma(a[0]); }
static double v_tanh(const double *a) { return tanh(a[0]); }
static double v_leaky(const double *a) { return a[0] > 0 ? a[0] : LEAKY_SLOPE * a[0]; }
static double v_softplus(const double *a) { return a[0] > 0 ? a[0] + log1p(exp(-a[0])) : log1p(exp(a[0])); }
static double v_elu(const double *a) { return a[0] > 0 ? a[0] : expm1(a[0]); }
static double v_gelu(const double *a) { return a[0] * cdf(a[0]); }
static double v_swish(const double *a) { return a[0] * sigma(a[0]); }
static double v_exp(const double *a) { return exp(a[0]); }
static double v_log(const double *a) { return log(a[0]); }
static double v_sin(const double *a) { return sin(a[0]); }
static double v_cos(const double *a) { return cos(a[0]); }
static double v_sqrt(const double *a) { return sqrt(a[0]); }
static double v_abs(const double *a) { return fabs(a[0]); }
static double v_max(const double *a) { return a[0] >= a[1] ? a[0] : a[1]; }
static double v_min(const double *a) { return a[0] <= a[1] ? a[0] : a[1]; }
static double v_relu_d(const double *a) { return a[0] > 0; }
static double v_leaky_d(const double *a) { return a[0] > 0 ? 1 : LEAKY_SLOPE; }
static double v_elu_d(const double *a) { return a[0] > 0 ? 1 : exp(a[0]); }
static double v_cdf(const double *a) { return cdf(a[0]); }
static double v_pdf(const double *a) { return pdf(a[0]); }
static double v_sgn(const double *a) { return (a[0] > 0) - (a[0] < 0); }
static double v_ge(const double *a) { return a[0] >= a[1]; }
static double v_gt(const double *a) { return a[0] > a[1]; }
static double v_le(const double *a) { return a[0] <= a[1]; }
static double v_lt(const double *a) { return a[0] < a[1]; }

/* derivatives; VALUE is the function's value at A.  At a kink they take
 * one side, as reverse mode in the usual libraries does: relu'(0) = 0,
 * |a|'(0) = 0, max's tie goes to its first argument */
static double d_one(const double *a, double v, int i) { (void)a, (void)v, (void)i; return 1; }
static double d_zero(const double *a, double v, int i) { (void)a, (void)v, (void)i; return 0; }
static double d_relu(const double *a, double v, int i) { (void)v, (void)i; return a[0] > 0; }
static double d_sigmoid(const double *a, double v, int i) { (void)a, (void)i; return v * (1 - v); }
static double d_tanh(const double *a, double v, int i) { (void)a, (void)i; return 1 - v * v; }
static double d_leaky(const double *a, double v, int i) { (void)v, (void)i; return a[0] > 0 ? 1 : LEAKY_SLOPE; }
static double d_softplus(const double *a, double v, int i) { (void)v, (void)i; return sigma(a[0]); }
static double d_elu(const double *a, double v, int i) { (void)v, (void)i; return a[0] > 0 ? 1 : exp(a[0]); }
static double d_gelu(const double *a, double v, int i) { (void)v, (void)i; return cdf(a[0]) + a[0] * pdf(a[0]); }
static double d_swish(const double *a, double v, int i)
{
    (void)v, (void)i;
    double s = sigma(a[0]);
    return s + a[0] * s * (1 - s);
}
static double d_exp(const double *a, double v, int i) { (void)a, (void)i; return v; }
static double d_log(const double *a, double v, int i) { (void)v, (void)i; return 1 / a[0]; }
static double d_sin(const double *a, double v, int i) { (void)v, (void)i; return cos(a[0]); }
static double d_cos(const double *a, double v, int i) { (void)v, (void)i; return -sin(a[0]); }
static double d_sqrt(const double *a, double v, int i) { (void)a, (void)i; return 1 / (2 * v); }
static double d_abs(const double *a, double v, int i) { (void)v, (void)i; return (a[0] > 0) - (a[0] < 0); }
static double d_max(const double *a, double v, int i) { (void)v; return i == 0 ? a[0] >= a[1] : a[0] < a[1]; }
static double d_min(const double *a, double v, int i) { (void)v; return i == 0 ? a[0] <= a[1] : a[0] > a[1]; }
static double d_elu_d(const double *a, double v, int i) { (void)v, (void)i; return a[0] > 0 ? 0 : exp(a[0]); }
static double d_cdf(const double *a, double v, int i) { (void)v, (void)i; return pdf(a[0]); }
static double d_pdf(const double *a, double v, int i) { (void)i; return -a[0] * v; }

static bool k_zero(const double *a) { return a[0] == 0; }
static bool k_tie(const double *a) { return a[0] == a[1]; }

/* ---- symbols ---- */

static Expr *call1(Arena *A, int op, Expr *a) { return mk_call(A, op, &a, 1); }
static Expr *call2(Arena *A, int op, Expr *a, Expr *b)
{
    Expr *args[2] = {a, b};
    return mk_call(A, op, args, 2);
}

/* σ(a)(1−σ(a)) */
static Expr *sigma_d(Arena *A, Expr *a)
{
    Expr *s = call1(A, SIGMOID, a);
    return mk_mul(A, s, mk_sub(A, mk_num(A, 1), s));
}

static Expr *s_identity(Arena *A, Expr *const *a, int i) { (void)a, (void)i; return mk_num(A, 1); }
static Expr *s_relu(Arena *A, Expr *const *a, int i) { (void)i; return call1(A, RELU_D, a[0]); }
static Expr *s_sigmoid(Arena *A, Expr *const *a, int i) { (void)i; return sigma_d(A, a[0]); }
static Expr *s_tanh(Arena *A, Expr *const *a, int i)
{
    (void)i;
    return mk_sub(A, mk_num(A, 1), mk_pow(A, call1(A, TANH, a[0]), 2));
}
static Expr *s_leaky(Arena *A, Expr *const *a, int i) { (void)i; return call1(A, LEAKY_D, a[0]); }
static Expr *s_softplus(Arena *A, Expr *const *a, int i) { (void)i; return call1(A, SIGMOID, a[0]); }
static Expr *s_elu(Arena *A, Expr *const *a, int i) { (void)i; return call1(A, ELU_D, a[0]); }
/* Φ(a) + a·φ(a) */
static Expr *s_gelu(Arena *A, Expr *const *a, int i)
{
    (void)i;
    return mk_add(A, call1(A, CDF, a[0]), mk_mul(A, a[0], call1(A, PDF, a[0])));
}
/* σ(a) + a·σ(a)(1−σ(a)) */
static Expr *s_swish(Arena *A, Expr *const *a, int i)
{
    (void)i;
    return mk_add(A, call1(A, SIGMOID, a[0]), mk_mul(A, a[0], sigma_d(A, a[0])));
}
static Expr *s_exp(Arena *A, Expr *const *a, int i) { (void)i; return call1(A, EXP, a[0]); }
static Expr *s_log(Arena *A, Expr *const *a, int i) { (void)i; return mk_div(A, mk_num(A, 1), a[0]); }
static Expr *s_sin(Arena *A, Expr *const *a, int i) { (void)i; return call1(A, COS, a[0]); }
static Expr *s_cos(Arena *A, Expr *const *a, int i) { (void)i; return mk_neg(A, call1(A, SIN, a[0])); }
static Expr *s_sqrt(Arena *A, Expr *const *a, int i)
{
    (void)i;
    return mk_div(A, mk_num(A, 1), mk_mul(A, mk_num(A, 2), call1(A, SQRT, a[0])));
}
static Expr *s_abs(Arena *A, Expr *const *a, int i) { (void)i; return call1(A, SGN, a[0]); }
/* max: [a ≥ b] and [a < b]; min: [a ≤ b] and [a > b] (a tie goes to a) */
static Expr *s_max(Arena *A, Expr *const *a, int i) { return call2(A, i == 0 ? GE : LT, a[0], a[1]); }
static Expr *s_min(Arena *A, Expr *const *a, int i) { return call2(A, i == 0 ? LE : GT, a[0], a[1]); }

/* exact values at constant arguments */
static bool num1(Expr *const *a, double *v)
{
    if (a[0]->kind != X_NUM)
        return false;
    *v = a[0]->num;
    return true;
}
static bool num2(Expr *const *a, double *v, double *w)
{
    if (a[0]->kind != X_NUM || a[1]->kind != X_NUM)
        return false;
    *v = a[0]->num;
    *w = a[1]->num;
    return true;
}

static Expr *f_identity(Arena *A, Expr *const *a) { (void)A; return a[0]; }
static Expr *f_relu(Arena *A, Expr *const *a)
{
    double v;
    return num1(a, &v) ? mk_num(A, v < 0 ? 0 : v) : NULL;
}
/* the value at 0 is 0 (tanh, sin, sqrt, leaky_relu, elu, gelu, swish) */
static Expr *f_zero_at_zero(Arena *A, Expr *const *a)
{
    double v;
    return num1(a, &v) && v == 0 ? mk_num(A, 0) : NULL;
}
static Expr *f_sigmoid(Arena *A, Expr *const *a)
{
    double v;
    return num1(a, &v) && v == 0 ? mk_num(A, 0.5) : NULL;
}
static Expr *f_one_at_zero(Arena *A, Expr *const *a)     /* exp, cos */
{
    double v;
    return num1(a, &v) && v == 0 ? mk_num(A, 1) : NULL;
}
static Expr *f_log(Arena *A, Expr *const *a)
{
    double v;
    return num1(a, &v) && v == 1 ? mk_num(A, 0) : NULL;
}
static Expr *f_sqrt(Arena *A, Expr *const *a)
{
    double v;
    return num1(a, &v) && (v == 0 || v == 1) ? mk_num(A, v) : NULL;
}
static Expr *f_abs(Arena *A, Expr *const *a)
{
    double v;
    return num1(a, &v) ? mk_num(A, fabs(v)) : NULL;
}
static Expr *f_sgn(Arena *A, Expr *const *a)
{
    double v;
    return num1(a, &v) ? mk_num(A, (v > 0) - (v < 0)) : NULL;
}
static Expr *f_cdf(Arena *A, Expr *const *a)
{
    double v;
    return num1(a, &v) && v == 0 ? mk_num(A, 0.5) : NULL;
}
static Expr *f_max(Arena *A, Expr *const *a)
{
    double v, w;
    return num2(a, &v, &w) ? mk_num(A, v >= w ? v : w) : NULL;
}
static Expr *f_min(Arena *A, Expr *const *a)
{
    double v, w;
    return num2(a, &v, &w) ? mk_num(A, v <= w ? v : w) : NULL;
}
static Expr *f_ge(Arena *A, Expr *const *a)
{
    double v, w;
    return num2(a, &v, &w) ? mk_num(A, v >= w) : NULL;
}
static Expr *f_gt(Arena *A, Expr *const *a)
{
    double v, w;
    return num2(a, &v, &w) ? mk_num(A, v > w) : NULL;
}
static Expr *f_le(Arena *A, Expr *const *a)
{
    double v, w;
    return num2(a, &v, &w) ? mk_num(A, v <= w) : NULL;
}
static Expr *f_lt(Arena *A, Expr *const *a)
{
    double v, w;
    return num2(a, &v, &w) ? mk_num(A, v < w) : NULL;
}

/* ---- softmax: an activation of a whole layer ---- */

/* y^k = e^{x^k - m} / sum_j e^{x^j - m}, m the largest x (no overflow) */
static void l_softmax(const double *x, double *y, int n)
{
    double m = x[0], s = 0;
    for (int j = 1; j < n; j++)
        if (x[j] > m)
            m = x[j];
    for (int j = 0; j < n; j++)
        s += y[j] = exp(x[j] - m);
    for (int j = 0; j < n; j++)
        y[j] /= s;
}
/* y^k (delta_kj - y^j) */
static double ld_softmax(double yk, double yj, bool same) { return same ? yk * (1 - yk) : -yk * yj; }
static Expr *ls_softmax(Arena *A, Expr *yk, Expr *yj, bool same)
{
    return same ? mk_mul(A, yk, mk_sub(A, mk_num(A, 1), yk)) : mk_neg(A, mk_mul(A, yk, yj));
}
/* exp(x^k) / (exp(x^1) + ... + exp(x^n)) */
static Expr *lf_softmax(Arena *A, Expr *const *x, int n, int k)
{
    Expr *s = call1(A, EXP, x[0]);
    for (int j = 1; j < n; j++)
        s = mk_add(A, s, call1(A, EXP, x[j]));
    return mk_div(A, call1(A, EXP, x[k]), s);
}
static Expr *y_minus_t(Arena *A, Expr *y, Expr *t) { return mk_sub(A, y, t); }

enum { LOSS_SUM, LOSS_MSE, LOSS_XENT, NLOSSES };

static const LayerOp softmax_layer = {
    l_softmax, ld_softmax, ls_softmax, lf_softmax, LOSS_XENT, y_minus_t,
    "a graph has no layers: write its exponentials out, exp(a) / (exp(a) + exp(b))",
};

/* ---- losses ---- */

static double lp_sum(double y, double t) { (void)t; return y; }
static double ld_sum(double y, double t) { (void)y, (void)t; return 1; }
static Expr *ls_sum(Arena *A, Expr *y, Expr *t) { (void)y, (void)t; return mk_num(A, 1); }
static double lp_mse(double y, double t) { return 0.5 * (y - t) * (y - t); }
static double ld_mse(double y, double t) { return y - t; }
static double lp_xent(double y, double t) { return -t * log(y); }
static double ld_xent(double y, double t) { return -t / y; }
static Expr *ls_xent(Arena *A, Expr *y, Expr *t) { return mk_neg(A, mk_div(A, t, y)); }

static const LossOp losses[NLOSSES] = {
    [LOSS_SUM] = {"sum", false, false, lp_sum, ld_sum, ls_sum, "sum of the outputs"},
    [LOSS_MSE] = {"mse", true, false, lp_mse, ld_mse, y_minus_t, "mse: 1/2 sum (y - t)^2"},
    [LOSS_XENT] = {"xent", true, true, lp_xent, ld_xent, ls_xent, "xent: -sum t log y"},
};

int ops_loss(const char *name)
{
    for (int i = 0; i < NLOSSES; i++)
        if (strcmp(losses[i].name, name) == 0)
            return i;
    return -1;
}

int ops_default_loss(void) { return LOSS_SUM; }

const LossOp *loss_get(int id) { return id >= 0 && id < NLOSSES ? &losses[id] : NULL; }

void ops_loss_list(const char *sep, const char *last, Buf *out)
{
    for (int i = 0; i < NLOSSES; i++) {
        if (i)
            buf_puts(out, i == NLOSSES - 1 ? last : sep);
        buf_puts(out, losses[i].name);
    }
}

/* ---- the table ---- */

#define ACT OPK_ACTIVATION
#define FUN OPK_FUNCTION
#define DER OPK_DERIVED

static const Op ops[NOPS] = {
    /*            name          arity kind print   LaTeX                          text */
    [IDENTITY] = {"identity",   1, ACT, PRINT_CALL, "\\operatorname{id}",     "id",
                  v_identity, d_one, NULL, s_identity, f_identity, true, false},
    [RELU] =     {"relu",       1, ACT, PRINT_CALL, "\\operatorname{relu}",   "relu",
                  v_relu, d_relu, k_zero, s_relu, f_relu, true, true},
    [SIGMOID] =  {"sigmoid",    1, ACT, PRINT_CALL, "\\sigma",                 "σ",
                  v_sigmoid, d_sigmoid, NULL, s_sigmoid, f_sigmoid, false, false},
    [TANH] =     {"tanh",       1, ACT, PRINT_CALL, "\\tanh",                  "tanh",
                  v_tanh, d_tanh, NULL, s_tanh, f_zero_at_zero, false, false},
    [LEAKY] =    {"leaky_relu", 1, ACT, PRINT_CALL, "\\operatorname{leaky\\_relu}", "leaky_relu",
                  v_leaky, d_leaky, k_zero, s_leaky, f_zero_at_zero, false, false},
    [SOFTPLUS] = {"softplus",   1, ACT, PRINT_CALL, "\\operatorname{softplus}", "softplus",
                  v_softplus, d_softplus, NULL, s_softplus, NULL, false, false},
    [ELU] =      {"elu",        1, ACT, PRINT_CALL, "\\operatorname{elu}",     "elu",
                  v_elu, d_elu, NULL, s_elu, f_zero_at_zero, false, false},
    [GELU] =     {"gelu",       1, ACT, PRINT_CALL, "\\operatorname{gelu}",    "gelu",
                  v_gelu, d_gelu, NULL, s_gelu, f_zero_at_zero, false, false},
    [SWISH] =    {"swish",      1, ACT, PRINT_CALL, "\\operatorname{swish}",   "swish",
                  v_swish, d_swish, NULL, s_swish, f_zero_at_zero, false, false},
    [SOFTMAX] =  {"softmax",    1, ACT, PRINT_CALL, "\\operatorname{softmax}", "softmax",
                  NULL, NULL, NULL, NULL, NULL, false, false, &softmax_layer},
    [EXP] =      {"exp",        1, FUN, PRINT_CALL, "\\exp",                   "exp",
                  v_exp, d_exp, NULL, s_exp, f_one_at_zero, false, false},
    [LOG] =      {"log",        1, FUN, PRINT_CALL, "\\log",                   "log",
                  v_log, d_log, NULL, s_log, f_log, false, false},
    [SIN] =      {"sin",        1, FUN, PRINT_CALL, "\\sin",                   "sin",
                  v_sin, d_sin, NULL, s_sin, f_zero_at_zero, false, false},
    [COS] =      {"cos",        1, FUN, PRINT_CALL, "\\cos",                   "cos",
                  v_cos, d_cos, NULL, s_cos, f_one_at_zero, false, false},
    [SQRT] =     {"sqrt",       1, FUN, PRINT_ROOT, "\\sqrt",                  "√",
                  v_sqrt, d_sqrt, NULL, s_sqrt, f_sqrt, false, false},
    [ABS] =      {"abs",        1, FUN, PRINT_BARS, "",                        "",
                  v_abs, d_abs, k_zero, s_abs, f_abs, false, false},
    [MAX] =      {"max",        2, FUN, PRINT_CALL, "\\max",                   "max",
                  v_max, d_max, k_tie, s_max, f_max, false, false},
    [MIN] =      {"min",        2, FUN, PRINT_CALL, "\\min",                   "min",
                  v_min, d_min, k_tie, s_min, f_min, false, false},
    /* made by differentiation: relu′(a) is 1 for a > 0, else 0 */
    [RELU_D] =   {"relu'",      1, DER, PRINT_CALL, "\\operatorname{relu}'",  "relu′",
                  v_relu_d, d_zero, NULL, NULL, NULL, false, false},
    [LEAKY_D] =  {"leaky_relu'", 1, DER, PRINT_CALL, "\\operatorname{leaky\\_relu}'", "leaky_relu′",
                  v_leaky_d, d_zero, NULL, NULL, NULL, false, false},
    [ELU_D] =    {"elu'",       1, DER, PRINT_CALL, "\\operatorname{elu}'",    "elu′",
                  v_elu_d, d_elu_d, NULL, NULL, NULL, false, false},
    /* the standard normal's distribution and density (gelu's derivative) */
    [CDF] =      {"Phi",        1, DER, PRINT_CALL, "\\Phi",                   "Φ",
                  v_cdf, d_cdf, NULL, NULL, f_cdf, false, false},
    [PDF] =      {"phi",        1, DER, PRINT_CALL, "\\varphi",                "φ",
                  v_pdf, d_pdf, NULL, NULL, NULL, false, false},
    [SGN] =      {"sgn",        1, DER, PRINT_CALL, "\\operatorname{sgn}",     "sgn",
                  v_sgn, d_zero, NULL, NULL, f_sgn, false, false},
    [GE] =       {"[>=]",       2, DER, PRINT_BRACKET, "\\geq ",               " ≥ ",
                  v_ge, d_zero, NULL, NULL, f_ge, false, false},
    [GT] =       {"[>]",        2, DER, PRINT_BRACKET, ">",                    " > ",
                  v_gt, d_zero, NULL, NULL, f_gt, false, false},
    [LE] =       {"[<=]",       2, DER, PRINT_BRACKET, "\\leq ",               " ≤ ",
                  v_le, d_zero, NULL, NULL, f_le, false, false},
    [LT] =       {"[<]",        2, DER, PRINT_BRACKET, "<",                    " < ",
                  v_lt, d_zero, NULL, NULL, f_lt, false, false},
};

int ops_count(void) { return NOPS; }

const Op *op_get(int id)
{
    return id >= 0 && id < NOPS ? &ops[id] : NULL;
}

int ops_lookup(const char *name)
{
    for (int i = 0; i < NOPS; i++)
        if (ops[i].kind != OPK_DERIVED && strcmp(ops[i].name, name) == 0)
            return i;
    return OP_OPAQUE;
}

int ops_activation(const char *name)
{
    int i = ops_lookup(name);
    return i >= 0 && ops[i].kind == OPK_ACTIVATION ? i : -1;
}

int ops_default_activation(void) { return IDENTITY; }

void ops_list(OpKind kind, const char *sep, const char *last, Buf *out)
{
    int n = 0, k = 0;
    for (int i = 0; i < NOPS; i++)
        n += ops[i].kind == kind;
    for (int i = 0; i < NOPS; i++) {
        if (ops[i].kind != kind)
            continue;
        if (k)
            buf_puts(out, k == n - 1 ? last : sep);
        buf_puts(out, ops[i].name);
        k++;
    }
}
