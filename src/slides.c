/* slides.c — the article's argument as a talk: a Beamer document with a
 * title frame, one frame a term of the derivative (the formula with that
 * term in red, the rest grey, beside the TikZ drawing with that term's path
 * lit), and a last frame with every path.  The terms come from sum.c
 * through an emitter that keeps them; the drawings from render.c's TikZ. */
#define _POSIX_C_SOURCE 200809L
#include "slides.h"

#include "derive.h"
#include "diag.h"
#include "emit.h"
#include "latexdoc.h"
#include "render.h"

#include <gmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the terms of a sum, kept as LaTeX */
typedef struct Kept {
    Emitter em;
    char **term;
    int n, cap;
} Kept;

static void keep_begin(Emitter *em, const EmitHead *h, bool multiline)
{
    (void)em, (void)h, (void)multiline;
}

static void keep_term(Emitter *em, const EmitTerm *t)
{
    Kept *k = (Kept *)em;
    Buf b = {0};
    print_term(FMT_LATEX, t->coef, t->exp2, t->prod, t->len, &b);
    if (k->n == k->cap) {
        k->cap = k->cap ? 2 * k->cap : 16;
        k->term = xrealloc(k->term, xmul((size_t)k->cap, sizeof *k->term));
    }
    k->term[k->n++] = xstrdup(b.data ? b.data : "1");
    buf_free(&b);
}

static void keep_end(Emitter *em) { (void)em; }

static const EmitOps keep_ops = {
    "slides", FMT_LATEX, true, false, "", "= ", "=", "+",
    keep_begin, keep_term, keep_end, NULL, NULL, NULL, NULL, NULL,
};

/* the TikZ picture of the drawing with term TERM lit (0: every path) */
static int picture(const Graph *g, int of, int wrt, Stage st, unsigned long long term, Buf *out)
{
    char *p = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&p, &n);
    if (!f) {
        pg_error("slides: no memory for a drawing");
        return -1;
    }
    /* a network as its neurons (the compact drawing), a graph as itself */
    RenderOpts ro = {g->kind == B_NETWORK ? VIEW_NETWORK : VIEW_GRAPH, false, false, term, false, false, true, st,
                     NULL, NULL, NULL, true, false, NULL, NULL, NULL, NULL};
    int rc = render_write(g, of, wrt, -1, &ro, f);
    fclose(f);
    if (rc == 0)
        buf_add(out, p, n);
    free(p);
    return rc;
}

/* the sum with term K (1-based) red and the others grey; K 0: all black */
static void formula(const Graph *g, int of, int wrt, const Kept *k, int hi, Buf *out)
{
    /* shrunk to the frame's width when wider, never enlarged */
    buf_puts(out, "\\[\\resizebox{\\ifdim\\width>\\linewidth\\linewidth\\else\\width\\fi}{!}{$\\displaystyle ");
    emit_lhs(g, of, wrt, FMT_LATEX, out);
    buf_puts(out, " = ");
    for (int i = 0; i < k->n; i++) {
        const char *t = k->term[i];
        bool neg = t[0] == '-';
        if (i || neg)
            buf_puts(out, neg ? " - " : " + ");
        if (hi)
            buf_printf(out, "\\textcolor{%s}{", i + 1 == hi ? "pghighlight" : "pgdim");
        buf_puts(out, neg ? t + 1 : t);
        if (hi)
            buf_putc(out, '}');
    }
    buf_puts(out, "$}\\]\n");
}

int slides_write(const Source *src, const Graph *g, int of, int wrt, Stage st, FILE *out)
{
    Deriver d;
    deriver_init(&d, g, st);
    mpz_t count;
    mpz_init(count);
    int rc = stage_count_terms(&d, of, wrt, count);
    if (rc == 0 && mpz_cmp_ui(count, PG_MAX_SLIDES) > 0) {
        char *s = mpz_get_str(NULL, 10, count);
        pg_error("slides: the derivative has %s terms, more than %d frames; pick a derivative with fewer paths "
                 "(--wrt) or an earlier stage", s, PG_MAX_SLIDES);
        free(s);
        rc = -1;
    }
    Kept k = {0};
    if (rc == 0) {
        k.em.ops = &keep_ops;
        rc = derive_write(&d, of, wrt, &k.em);
    }
    Buf doc = {0}, lhs = {0};
    emit_lhs(g, of, wrt, FMT_LATEX, &lhs);
    if (rc == 0) {
        fputs("\\documentclass[aspectratio=169]{beamer}\n\\usepackage{tikz}\n\\usetikzlibrary{arrows.meta}\n"
              "\\setbeamertemplate{navigation symbols}{}\n"
              "\\definecolor{pghighlight}{HTML}{D62728}\\definecolor{pgdim}{HTML}{9A9A9A}\n", out);
        fprintf(out, "\\title{$%s$ as a sum over %d path%s}\n\\subtitle{", buf_cstr(&lhs), k.n, k.n == 1 ? "" : "s");
        latex_text_escape(out, src->name ? src->name : "");
        fputs("}\n\\date{}\n\\begin{document}\n\\begin{frame}\n\\titlepage\n\\end{frame}\n", out);
    }
    /* a frame a path, then one with all of them */
    for (int t = 1; t <= k.n + 1 && rc == 0; t++) {
        bool all = t == k.n + 1;
        buf_truncate(&doc, 0);
        if (all)
            buf_printf(&doc, "\\begin{frame}{All %d path%s}\n", k.n, k.n == 1 ? "" : "s");
        else
            buf_printf(&doc, "\\begin{frame}{Path %d of %d}\n", t, k.n);
        formula(g, of, wrt, &k, all ? 0 : t, &doc);
        buf_puts(&doc, "\\begin{center}\\resizebox{!}{0.55\\textheight}{%\n");
        rc = picture(g, of, wrt, st, all ? 0 : (unsigned long long)t, &doc);
        buf_puts(&doc, "}\\end{center}\n\\end{frame}\n");
        if (rc == 0)
            fwrite(doc.data, 1, doc.len, out);
    }
    if (rc == 0)
        fputs("\\end{document}\n", out);
    for (int i = 0; i < k.n; i++)
        free(k.term[i]);
    free(k.term);
    buf_free(&doc);
    buf_free(&lhs);
    mpz_clear(count);
    deriver_free(&d);
    return rc;
}
