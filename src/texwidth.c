/* texwidth.c — see texwidth.h.  A recursive reading of the subset of
 * LaTeX math pathgrad writes; every width in em of the 11 pt type. */
#include "texwidth.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define EM 10.95                 /* pt: \documentclass[11pt] */
#define SCRIPT 0.76              /* 8 pt script type over 10.95, and its wider design */
#define BIN (0.778 + 2 * 0.222)  /* + or - between its medium spaces */
#define REL (0.778 + 2 * 0.278)  /* = between its thick spaces */

/* cmmi10 widths with the italic correction, A-Z then a-z */
static const float italic_upper[26] = {
    .750f, .809f, .786f, .856f, .796f, .782f, .786f, .912f, .518f, .651f, .921f, .681f, 1.079f,
    .912f, .791f, .781f, .791f, .767f, .671f, .723f, .792f, .806f, 1.083f, .907f, .803f, .754f,
};
static const float italic_lower[26] = {
    .529f, .429f, .433f, .520f, .466f, .597f, .513f, .576f, .345f, .469f, .552f, .318f, .878f,
    .600f, .485f, .503f, .482f, .479f, .469f, .361f, .572f, .521f, .743f, .572f, .526f, .509f,
};
/* cmr10, for upright words (\operatorname, \mathrm, \tanh) */
static const float roman_upper[26] = {
    .750f, .708f, .722f, .764f, .681f, .653f, .785f, .750f, .361f, .514f, .778f, .625f, .917f,
    .750f, .778f, .681f, .778f, .736f, .556f, .722f, .750f, .750f, 1.028f, .750f, .750f, .611f,
};
static const float roman_lower[26] = {
    .500f, .556f, .444f, .556f, .444f, .306f, .500f, .556f, .278f, .306f, .528f, .278f, .833f,
    .556f, .500f, .556f, .528f, .392f, .394f, .389f, .556f, .528f, .722f, .528f, .528f, .444f,
};

typedef struct {
    const char *p, *end;
} Rd;

static double group(Rd *r, double sz, bool display, bool roman);

static bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

static double letter(char c, bool roman)
{
    if (c >= 'a' && c <= 'z')
        return roman ? roman_lower[c - 'a'] : italic_lower[c - 'a'];
    return roman ? roman_upper[c - 'A'] : italic_upper[c - 'A'];
}

/* past the control sequence at P: \\word or \\ and one character */
static const char *control_end(const char *p, const char *end)
{
    const char *q = p + 1;
    if (q < end && is_letter(*q))
        while (q < end && is_letter(*q))
            q++;
    else if (q < end)
        q++;
    return q;
}

/* one argument: a braced group or a single token */
static double argument(Rd *r, double sz, bool display, bool roman)
{
    while (r->p < r->end && *r->p == ' ')
        r->p++;
    if (r->p >= r->end)
        return 0;
    if (*r->p == '{') {
        r->p++;
        double w = group(r, sz, display, roman);
        if (r->p < r->end && *r->p == '}')
            r->p++;
        return w;
    }
    Rd one = {r->p, *r->p == '\\' ? control_end(r->p, r->end) : r->p + 1};
    r->p = one.end;
    return group(&one, sz, display, roman);
}

/* the scripts after an atom: ^ and _ stacked, their width the wider */
static double scripts_at(Rd *r, double sz);
static inline double scripts(Rd *r, double sz)
{
    if (r->p >= r->end || (*r->p != '^' && *r->p != '_' && *r->p != '\''))
        return 0;
    return scripts_at(r, sz);
}

static double scripts_at(Rd *r, double sz)
{
    double ss = sz >= 0.99 ? sz * SCRIPT : sz * 0.86, up = 0, down = 0;
    bool any = false;
    while (r->p < r->end && (*r->p == '^' || *r->p == '_' || *r->p == '\'')) {
        char c = *r->p++;
        any = true;
        if (c == '\'')
            up += 0.3 * sz;
        else if (c == '^')
            up += argument(r, ss, false, false);
        else
            down += argument(r, ss, false, false);
    }
    return any ? (up > down ? up : down) + 0.06 * sz : 0;
}

static const struct {
    const char *name;
    float w;                 /* em; <0: a word set upright, its letters */
} symbols[] = {
    {"partial", .60f}, {"cdot", .278f + 2 * .222f}, {"times", .778f + 2 * .222f}, {",", .167f},
    {";", .278f}, {":", .222f}, {"!", 0}, {"quad", 1}, {"qquad", 2}, {"nonumber", 0}, {"notag", 0},
    {"alpha", .643f}, {"beta", .618f}, {"gamma", .573f}, {"delta", .482f}, {"epsilon", .406f},
    {"varepsilon", .466f}, {"zeta", .511f}, {"eta", .532f}, {"theta", .497f}, {"iota", .354f},
    {"kappa", .576f}, {"lambda", .583f}, {"mu", .603f}, {"nu", .558f}, {"xi", .484f},
    {"pi", .606f}, {"rho", .517f}, {"sigma", .607f}, {"tau", .550f}, {"upsilon", .576f},
    {"phi", .596f}, {"varphi", .654f}, {"chi", .626f}, {"psi", .687f}, {"omega", .658f},
    {"Gamma", .625f}, {"Delta", .833f}, {"Theta", .778f}, {"Lambda", .694f}, {"Sigma", .722f},
    {"Phi", .722f}, {"Psi", .778f}, {"Omega", .722f}, {"top", .778f}, {"prime", .3f},
    {"odot", .778f + 2 * .222f}, {"infty", 1}, {"ldots", 1.2f}, {"cdots", 1.2f}, {"dots", 1.2f},
    {"_", .5f}, {"{", .5f}, {"}", .5f}, {"#", .833f}, {"%", .833f}, {"&", .778f}, {"$", .5f},
    {"lvert", .278f}, {"rvert", .278f}, {"mid", .278f + 2 * .278f}, {"le", .778f + 2 * .278f},
    {"ge", .778f + 2 * .278f}, {"leq", .778f + 2 * .278f}, {"geq", .778f + 2 * .278f},
    {"ne", .778f + 2 * .278f}, {"to", 1.0f + 2 * .278f}, {"in", .667f + 2 * .278f},
    {"tanh", -1}, {"exp", -1}, {"log", -1}, {"ln", -1}, {"sin", -1}, {"cos", -1}, {"max", -1},
    {"min", -1}, {"sinh", -1}, {"cosh", -1},
};

static double control(Rd *r, double sz, bool display)
{
    const char *q = control_end(r->p, r->end);
    size_t n = (size_t)(q - r->p - 1);
    const char *nm = r->p + 1;
    r->p = q;
#define IS(s) (n == sizeof s - 1 && memcmp(nm, s, n) == 0)
    if (IS("frac") || IS("dfrac") || IS("tfrac")) {
        /* in display style the parts are set at full size */
        double ps = display ? sz : sz * SCRIPT;
        double a = argument(r, ps, false, false), b = argument(r, ps, false, false);
        return (a > b ? a : b) + 0.24 * sz + scripts(r, sz);
    }
    if (IS("operatorname") || IS("mathrm") || IS("text") || IS("textrm") || IS("mathsf") ||
        IS("mathbf")) {
        double w = argument(r, sz, display, true) * (IS("mathbf") ? 1.15 : 1);
        return w + (IS("operatorname") ? 0.167 * 2 * sz : 0) + scripts(r, sz);
    }
    if (IS("mathit") || IS("mathcal") || IS("mathbb") || IS("boldsymbol"))
        return argument(r, sz, display, false) * (IS("mathit") ? 1 : 1.15) + scripts(r, sz);
    if (IS("sqrt"))
        return 0.85 * sz + argument(r, sz, false, false) + scripts(r, sz);
    if (IS("left") || IS("right") || IS("bigl") || IS("bigr") || IS("Bigl") || IS("Bigr") ||
        IS("biggl") || IS("biggr") || IS("Biggl") || IS("Biggr") || IS("big") || IS("Big")) {
        /* the delimiter that follows, enlarged */
        double w = argument(r, sz, false, false);
        return (w < 0.2 ? 0.12 : w * 1.25 + 0.05) * sz + scripts(r, sz);
    }
    if (IS("sum") || IS("prod")) {
        /* display: the limits above and below, as wide as the wider */
        double op = (display ? 1.444 : 1.0) * sz, lim = 0;
        double ss = sz * SCRIPT;
        while (r->p < r->end && (*r->p == '_' || *r->p == '^')) {
            r->p++;
            double w = argument(r, ss, false, false);
            if (display)
                lim = w > lim ? w : lim;
            else
                lim += w;
        }
        return (display ? (op > lim ? op : lim) : op + lim) + 0.167 * sz;
    }
    for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++)
        if (strlen(symbols[i].name) == n && memcmp(symbols[i].name, nm, n) == 0) {
            double w;
            if (symbols[i].w < 0) {
                w = 0.167 * 2;
                for (size_t k = 0; k < n; k++)
                    w += letter(nm[k], true);
            } else {
                w = symbols[i].w;
            }
            return w * sz + scripts(r, sz);
        }
    return 1.0 * sz + scripts(r, sz);      /* unknown: an em */
#undef IS
}

/* until the end or an unmatched '}' (left for the caller) */
static double group(Rd *r, double sz, bool display, bool roman)
{
    double w = 0;
    while (r->p < r->end) {
        char c = *r->p;
        if (c == '}')
            return w;
        if (c == '{') {
            r->p++;
            w += group(r, sz, display, roman);
            if (r->p < r->end && *r->p == '}')
                r->p++;
            w += scripts(r, sz);
            continue;
        }
        if (c == '\\') {
            w += control(r, sz, display);
            continue;
        }
        r->p++;
        double g;
        if (is_letter(c))
            g = letter(c, roman);
        else if (c >= '0' && c <= '9')
            g = 0.5;
        else if (c == ' ' || c == '&' || c == '~')
            g = c == '~' ? 0.333 : 0;
        else if (c == '+' || c == '-')
            g = sz >= 0.99 ? BIN : 0.778;
        else if (c == '=' || c == '<' || c == '>')
            g = sz >= 0.99 ? REL : 0.778;
        else if (c == ',' || c == ';')
            g = 0.278 + 0.167;
        else if (c == '(' || c == ')' || c == '[' || c == ']')
            g = 0.389;
        else if (c == '.' || c == '|' || c == ':' || c == '!')
            g = 0.278;
        else if (c == '/')
            g = 0.5;
        else if (c == '\'')
            g = 0.3;
        else if (c == '^' || c == '_') {
            r->p--;
            w += scripts(r, sz);
            continue;
        } else if ((unsigned char)c >= 0x80) {
            while (r->p < r->end && ((unsigned char)*r->p & 0xc0) == 0x80)
                r->p++;
            g = 1;
        } else {
            g = 1;
        }
        w += g * sz;
        w += scripts(r, sz);
    }
    return w;
}

double tex_width(const char *s, size_t n)
{
    Rd r = {s, s + n};
    double w = 0;
    while (r.p < r.end) {
        w += group(&r, 1.0, true, false);
        if (r.p < r.end)       /* an unmatched '}' */
            r.p++;
    }
    return w * EM;
}

int tex_length_parse(const char *s, double *pt)
{
    if (strcmp(s, "none") == 0 || strcmp(s, "0") == 0) {
        *pt = 0;
        return 0;
    }
    char *end;
    double v = strtod(s, &end);
    static const struct {
        const char *unit;
        double pt;
    } units[] = {{"pt", 1}, {"bp", 72.27 / 72}, {"mm", 72.27 / 25.4}, {"cm", 72.27 / 2.54},
                 {"in", 72.27}, {"pc", 12}, {"em", EM}};
    if (end == s || !(v > 0) || v > 1e5)
        return -1;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcmp(end, units[i].unit) == 0) {
            *pt = v * units[i].pt;
            return *pt >= 50 ? 0 : -1;     /* narrower sets nothing but a fraction a line */
        }
    return -1;
}
