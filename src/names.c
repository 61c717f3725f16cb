/* names.c — how graph variables print: LaTeX, Unicode text, reference syntax. */
#include "graph.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void latex_escaped(Buf *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '_')
            buf_puts(out, "\\_");
        else
            buf_putc(out, *s);
    }
}

static const char *sub_char(char c)
{
    static const char *const digits[] = {"₀", "₁", "₂", "₃", "₄", "₅", "₆", "₇", "₈", "₉"};
    if (c >= '0' && c <= '9')
        return digits[c - '0'];
    switch (c) {
    case '+': return "₊";
    case '-': return "₋";
    case 'a': return "ₐ";
    case 'e': return "ₑ";
    case 'h': return "ₕ";
    case 'i': return "ᵢ";
    case 'j': return "ⱼ";
    case 'k': return "ₖ";
    case 'l': return "ₗ";
    case 'm': return "ₘ";
    case 'n': return "ₙ";
    case 'o': return "ₒ";
    case 'p': return "ₚ";
    case 'r': return "ᵣ";
    case 's': return "ₛ";
    case 't': return "ₜ";
    case 'u': return "ᵤ";
    case 'v': return "ᵥ";
    case 'x': return "ₓ";
    default: return NULL;
    }
}

void graph_label_sub(const char *label, Buf *out)
{
    for (const char *c = label; *c; c++)
        if (!sub_char(*c)) {
            buf_printf(out, "_[%s]", label);
            return;
        }
    for (const char *c = label; *c; c++)
        buf_puts(out, sub_char(*c));
}

void graph_layer_subs(Graph *g)
{
    Buf b = {0};
    for (int l = 0; l < g->nlayers; l++) {
        Layer *L = &g->layers[l];
        buf_truncate(&b, 0);
        latex_escaped(&b, L->label);
        L->latex_sub_len = b.len;
        L->latex_sub = arena_strndup(&g->arena, buf_cstr(&b), b.len);
        buf_truncate(&b, 0);
        graph_label_sub(L->label, &b);
        L->text_sub_len = b.len;
        L->text_sub = arena_strndup(&g->arena, buf_cstr(&b), b.len);
    }
    buf_free(&b);
}

/* V in decimal at P (no NUL): the number of characters, at most 10 */
static int put_uint(char *p, unsigned v)
{
    char tmp[12];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    for (int k = 0; k < n; k++)
        p[k] = tmp[n - 1 - k];
    return n;
}

/* a label's character as a Unicode superscript, NULL if it has none */
static const char *sup_char(char c)
{
    static const char *const digits[] = {"⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"};
    static const char *const lower[] = {"ᵃ", "ᵇ", "ᶜ", "ᵈ", "ᵉ", "ᶠ", "ᵍ", "ʰ", "ⁱ", "ʲ", "ᵏ", "ˡ", "ᵐ",
                                        "ⁿ", "ᵒ", "ᵖ", NULL, "ʳ", "ˢ", "ᵗ", "ᵘ", "ᵛ", "ʷ", "ˣ", "ʸ", "ᶻ"};
    if (c >= '0' && c <= '9')
        return digits[c - '0'];
    if (c >= 'a' && c <= 'z')
        return lower[c - 'a'];
    return c == '+' ? "⁺" : c == '-' ? "⁻" : NULL;
}

/* a label as a superscript (text, notation into): ʰ¹, or ^[label] */
void graph_label_sup(const char *label, Buf *out)
{
    for (const char *c = label; *c; c++)
        if (!sup_char(*c)) {
            buf_printf(out, "^[%s]", label);
            return;
        }
    for (const char *c = label; *c; c++)
        buf_puts(out, sup_char(*c));
}

/* V >= 0 in subscript digits */
static void text_subd(Buf *out, int v)
{
    char tmp[12];
    int n = put_uint(tmp, (unsigned)v);
    for (int k = 0; k < n; k++)
        buf_puts(out, sub_char(tmp[k]));
}

/* V >= 0 in superscript digits (¹²³ take 2 bytes of UTF-8, the others 3) */
static void text_sup(Buf *out, int v)
{
    static const char *const digits[] = {"⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"};
    char tmp[12];
    int n = put_uint(tmp, (unsigned)v);
    buf_reserve(out, (size_t)n * 3);
    char *p = out->data + out->len;
    for (int k = 0; k < n; k++) {
        const char *dg = digits[tmp[k] - '0'];
        *p++ = dg[0], *p++ = dg[1];
        if ((unsigned char)dg[0] != 0xc2)
            *p++ = dg[2];
    }
    out->len = (size_t)(p - out->data);
    *p = '\0';
}

static const char *node_letter(const Graph *g, NodeKind k)
{
    switch (k) {
    case N_INPUT: case N_ACT: return g->za ? "a" : "y";
    case N_PRE: return g->za ? "z" : "x";
    case N_WEIGHT: return "w";
    case N_BIAS: return "b";
    default: return "?";
    }
}

static void put_plain_name(const Graph *g, const char *nm, Style st, Buf *out);

/* --latex-names textbook: where NM's subscript begins (its first '_'), or
 * 0 when it has none: h_1 is h_{1}, W_hh W_{hh}, a_b_c a_{b,c}.  A name
 * with an empty part (_x, x__1, end_) keeps its underscores.  Text splits
 * only when every character has a Unicode subscript (h_1 is h₁). */
static size_t sub_split(const Graph *g, const char *nm, Style st)
{
    if (g->latex_names != NAMES_TEXTBOOK)
        return 0;
    const char *u = strchr(nm, '_');
    if (!u || u == nm)
        return 0;
    for (const char *p = u; *p; p++) {
        if (*p == '_' && (p[1] == '_' || p[1] == '\0'))
            return 0;
        if (st == FMT_TEXT && *p != '_' && !sub_char(*p))
            return 0;
    }
    return (size_t)(u - nm);
}

/* a network's loss prints as the article prints it (Loss, letter by
 * letter: A1-A13 come out verbatim); every other name of several
 * characters is one symbol */
static bool article_loss(const Graph *g, const char *nm, size_t n)
{
    if (g->kind != B_NETWORK || g->loss < 0)
        return false;
    const char *l = node_name(g, g->loss);
    return strlen(l) == n && memcmp(l, nm, n) == 0;
}

/* the first N characters of the name NM as one symbol (no underscore
 * among them) */
static void put_symbol(const Graph *g, const char *nm, size_t n, Style st, Buf *out)
{
    if (st == FMT_LATEX) {
        bool word = n > 1 && g->latex_names == NAMES_TEXTBOOK && !article_loss(g, nm, strlen(nm));
        buf_puts(out, word ? "\\mathit{" : "");
        buf_add(out, nm, n);
        buf_puts(out, word ? "}" : "");
    } else if (st == FMT_HTML && n == 1) {
        buf_printf(out, "<I>%c</I>", nm[0]);
    } else {
        buf_add(out, nm, n);
    }
}

/* a name's subscript after its first '_': the parts a comma apart */
static void put_sub_parts(const char *p, Style st, Buf *out)
{
    for (; *p; p++) {
        if (*p == '_')
            buf_putc(out, ',');
        else if (st == FMT_TEXT)
            buf_puts(out, sub_char(*p));
        else
            buf_putc(out, *p);
    }
}

/* an element of an indexed variable, "h[3]" or "W[1][12]": its indices as
 * a subscript, h_{3}, W_{1,12} (a comma once an index has two digits) */
static void put_indexed(const Graph *g, const char *nm, const char *br, Style st, Buf *out)
{
    char base[PG_MAX_NAME + 1];
    size_t n = (size_t)(br - nm);
    memcpy(base, nm, n);
    base[n] = '\0';
    bool comma = false;
    for (const char *p = br; *p; p++)
        if (*p == '[' && p[1] && p[2] && p[2] != ']' && !(p[1] == '-' && p[3] == ']'))
            comma = true;              /* an index of two digits or more */
    size_t split = sub_split(g, base, st);
    if (split) {                           /* W_hh[3]: W_{hh,3} */
        put_symbol(g, base, split, st, out);
        buf_puts(out, st == FMT_LATEX ? "_{" : st == FMT_HTML ? "<SUB>" : "");
        put_sub_parts(base + split + 1, st, out);
        comma = true;
    } else {
        put_plain_name(g, base, st, out);
        buf_puts(out, st == FMT_LATEX ? "_{" : st == FMT_HTML ? "<SUB>" : "");
    }
    char idx[24];
    for (const char *p = br; *p == '[';) {
        const char *e = strchr(p, ']');
        size_t k = (size_t)(e - p - 1);
        memcpy(idx, p + 1, k < sizeof idx ? k : sizeof idx - 1);
        idx[k < sizeof idx ? k : sizeof idx - 1] = '\0';
        if ((p != br || split) && comma)
            buf_puts(out, st == FMT_TEXT ? "," : ",");
        if (st == FMT_TEXT)
            graph_label_sub(idx, out);
        else
            buf_puts(out, idx);
        p = e + 1;
    }
    buf_puts(out, st == FMT_LATEX ? "}" : st == FMT_HTML ? "</SUB>" : "");
}

/* a name as it prints, by --latex-names (graph.h), in a drawing one
 * letter italic */
struct NameCache {
    char **text[3];           /* by Style, by node; NULL: not printed yet */
    LatexNames latex_names[3];  /* what each style's were printed with */
    Arena arena;
};

void graph_name_cache_free(Graph *g)
{
    struct NameCache *c = g->name_cache;
    if (!c)
        return;
    for (int i = 0; i < 3; i++)
        free(c->text[i]);
    arena_free(&c->arena);
    free(c);
    g->name_cache = NULL;
}

static void put_name(const Graph *g, const char *nm, Style st, Buf *out);

void graph_name_text(const Graph *g, const char *name, Style st, Buf *out)
{
    put_name(g, name, st, out);
}

static void put_name(const Graph *g, const char *nm, Style st, Buf *out)
{
    const char *br = strchr(nm, '[');
    if (br)
        put_indexed(g, nm, br, st, out);
    else
        put_plain_name(g, nm, st, out);
}

/* an indexed name, printed once per style and then copied: the graph is
 * const to its printers, its cache is not */
static void put_node_name(const Graph *g, int node, Style st, Buf *out)
{
    const char *nm = node_name(g, node);
    const char *br = strchr(nm, '[');
    if (!br || (unsigned)st > FMT_HTML) {
        put_name(g, nm, st, out);
        return;
    }
    struct NameCache *c = g->name_cache;
    if (!c) {
        c = xcalloc(1, sizeof *c);
        ((Graph *)g)->name_cache = c;
    }
    if (c->text[st] && c->latex_names[st] != g->latex_names) {
        free(c->text[st]);
        c->text[st] = NULL;
    }
    if (!c->text[st]) {
        c->text[st] = xcalloc((size_t)g->nnodes + 1, sizeof(char *));
        c->latex_names[st] = g->latex_names;
    }
    char *s = c->text[st][node];
    if (!s) {
        Buf b = {0};
        put_indexed(g, nm, br, st, &b);
        s = c->text[st][node] = arena_strndup(&c->arena, b.data ? b.data : "", b.len);
        buf_free(&b);
    }
    buf_puts(out, s);
}

static void put_plain_name(const Graph *g, const char *nm, Style st, Buf *out)
{
    size_t k = sub_split(g, nm, st);
    if (k) {
        put_symbol(g, nm, k, st, out);
        buf_puts(out, st == FMT_LATEX ? "_{" : st == FMT_HTML ? "<SUB>" : "");
        put_sub_parts(nm + k + 1, st, out);
        buf_puts(out, st == FMT_LATEX ? "}" : st == FMT_HTML ? "</SUB>" : "");
        return;
    }
    if (g->latex_names == NAMES_TEXTBOOK && !strchr(nm, '_')) {
        put_symbol(g, nm, strlen(nm), st, out);
        return;
    }
    if (st == FMT_LATEX && nm[0] && nm[1] && g->latex_names != NAMES_PLAIN && g->latex_names != NAMES_TEXTBOOK) {
        buf_puts(out, g->latex_names == NAMES_MATHIT ? "\\mathit{" : "\\mathrm{");
        latex_escaped(out, nm);
        buf_putc(out, '}');
    } else if (st == FMT_LATEX) {
        latex_escaped(out, nm);
    } else if (st == FMT_HTML) {
        /* one letter in italics, as in mathematics; longer names upright
         * (italic text overruns Graphviz's width estimates) */
        buf_printf(out, strlen(nm) == 1 ? "<I>%s</I>" : "%s", nm);
    } else {
        buf_puts(out, nm);
    }
}

void graph_family_name(const Graph *g, int f, Style st, Buf *out)
{
    const char *nm = g->families[f].name;
    if (strcmp(nm, "w") == 0)
        buf_puts(out, st == FMT_HTML ? "<I>w</I>" : "w");
    else
        put_name(g, nm, st, out);
}

/* notation into (Nielsen): the layer up, the indices down; a weight
 * w^{m}_{ji} into neuron j of layer m from neuron i */
static void put_into(const Graph *g, const Node *n, Style st, Buf *out)
{
    bool weight = n->kind == N_WEIGHT;
    const Family *F = weight ? &g->families[n->layer] : NULL;
    const Layer *L = weight ? (F->shared ? NULL : &g->layers[F->to]) : &g->layers[n->layer];
    int idx[2] = {n->j, n->i}, ni = weight ? 2 : 1;
    bool comma = weight && (n->i >= 10 || n->j >= 10);
    if (weight)
        graph_family_name(g, n->layer, st, out);
    else if (st == FMT_HTML)
        buf_printf(out, "<I>%s</I>", node_letter(g, n->kind));
    else
        buf_puts(out, node_letter(g, n->kind));
    if (L) {
        if (st == FMT_LATEX) {
            buf_puts(out, "^{");
            buf_add(out, L->latex_sub, L->latex_sub_len);
            buf_putc(out, '}');
        } else if (st == FMT_HTML) {
            buf_printf(out, "<SUP>%s</SUP>", L->label);
        } else {
            graph_label_sup(L->label, out);
        }
    }
    buf_puts(out, st == FMT_LATEX ? "_{" : st == FMT_HTML ? "<SUB>" : "");
    for (int k = 0; k < ni; k++) {
        if (k && comma)
            buf_putc(out, ',');
        if (st == FMT_TEXT)
            text_subd(out, idx[k]);
        else
            buf_int(out, idx[k]);
    }
    buf_puts(out, st == FMT_LATEX ? "}" : st == FMT_HTML ? "</SUB>" : "");
}

void graph_node_name(const void *gp, int node, Style st, Buf *out)
{
    const Graph *g = gp;
    const Node *n = &g->nodes[node];
    if (n->kind == N_LOSS || n->kind == N_SCALAR) {
        put_node_name(g, node, st, out);
        return;
    }
    if (n->kind == N_TARGET) {            /* t_{k}: a subscript, no layer */
        char k[16];
        snprintf(k, sizeof k, "%d", n->j);
        if (st == FMT_LATEX)
            buf_printf(out, "t_{%s}", k);
        else if (st == FMT_HTML)
            buf_printf(out, "<I>t</I><SUB>%s</SUB>", k);
        else {
            buf_putc(out, 't');
            graph_label_sub(k, out);
        }
        return;
    }
    bool weight = n->kind == N_WEIGHT;
    const Family *F = weight ? &g->families[n->layer] : NULL;
    const Layer *L = &g->layers[weight ? F->from : n->layer];
    bool sub = !weight || !F->shared;        /* tied weights carry no layer */
    if (g->into) {
        put_into(g, n, st, out);
        return;
    }
    if (st == FMT_HTML) {
        /* names, labels and indices are [A-Za-z0-9_+-]: nothing to escape */
        if (weight)
            graph_family_name(g, n->layer, st, out);
        else
            buf_printf(out, "<I>%s</I>", node_letter(g, n->kind));
        buf_puts(out, "<SUP>");
        if (weight)
            buf_printf(out, n->i >= 10 || n->j >= 10 ? "%d,%d" : "%d%d", n->i, n->j);
        else
            buf_printf(out, "%d", n->j);
        buf_puts(out, "</SUP>");
        if (sub)
            buf_printf(out, "<SUB>%s</SUB>", L->label);
        return;
    }
    if (weight)
        graph_family_name(g, n->layer, st, out);
    else
        buf_puts(out, node_letter(g, n->kind));
    if (st == FMT_LATEX) {
        /* derive writes millions of these: one reservation, no printf */
        buf_reserve(out, 2 + 24 + 3 + L->latex_sub_len + 1);
        char *p = out->data + out->len;
        *p++ = '^', *p++ = '{';
        if (weight) {
            p += put_uint(p, (unsigned)n->i);
            if (n->i >= 10 || n->j >= 10)
                *p++ = ',';
        }
        p += put_uint(p, (unsigned)n->j);
        *p++ = '}';
        if (sub) {
            *p++ = '_', *p++ = '{';
            memcpy(p, L->latex_sub, L->latex_sub_len);
            p += L->latex_sub_len;
            *p++ = '}';
        }
        out->len = (size_t)(p - out->data);
        *p = '\0';
    } else {
        if (weight) {
            text_sup(out, n->i);
            if (n->i >= 10 || n->j >= 10)
                buf_putc(out, ',');
        }
        text_sup(out, n->j);
        if (sub)
            buf_add(out, L->text_sub, L->text_sub_len);
    }
}

void graph_node_ref(const Graph *g, int node, Buf *out)
{
    const Node *n = &g->nodes[node];
    if (n->kind == N_LOSS || n->kind == N_SCALAR) {
        buf_puts(out, node_name(g, node));
        return;
    }
    if (n->kind == N_TARGET) {
        buf_printf(out, "t[%d]", n->j);
        return;
    }
    bool weight = n->kind == N_WEIGHT;
    const Family *F = weight ? &g->families[n->layer] : NULL;
    buf_puts(out, weight ? F->name : node_letter(g, n->kind));
    if (!weight || !F->shared) {
        buf_putc(out, '[');
        buf_puts(out, g->layers[weight ? F->from : n->layer].label);
        buf_putc(out, ']');
    }
    if (weight) {
        buf_putc(out, '[');
        buf_int(out, n->i);
        buf_putc(out, ']');
    }
    buf_putc(out, '[');
    buf_int(out, n->j);
    buf_putc(out, ']');
}

Printer graph_printer(const Graph *g, Style st)
{
    Printer p = {st, graph_node_name, g};
    return p;
}
