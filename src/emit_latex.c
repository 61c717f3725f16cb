/* emit_latex.c — LaTeX: one equation a line; a sum of more than two terms
 * broken one path a line (" \\" then "+" on the next line), as the article
 * prints them. */
#include "emit.h"

static void sum_begin(Emitter *em, const EmitHead *h, bool multiline)
{
    Buf lhs = {0};
    emit_lhs(h->d->g, h->of, h->wrt, FMT_LATEX, &lhs);
    buf_puts(&lhs, "= ");
    fwrite(lhs.data, 1, lhs.len, em->out);
    buf_free(&lhs);
    buf_truncate(&em->sep, 0);
    buf_puts(&em->sep, multiline ? " \\\\\n+" : "+");
}

static void sum_term(Emitter *em, const EmitTerm *t)
{
    /* the common case, a product with no coefficient: the separator and
     * the product, copied once */
    if (t->coef == 1 && t->exp2 == 0 && t->len && t->prod[0] != '-') {
        if (em->nterms)
            buf_add(&em->wbuf, em->sep.data, em->sep.len);
        buf_add(&em->wbuf, t->prod, t->len);
    } else {
        Buf term = {0};
        print_term(FMT_LATEX, t->coef, t->exp2, t->prod, t->len, &term);
        emit_sum_append(FMT_LATEX, em->nterms == 0, em->multiline, NULL, &em->wbuf, term.data, term.len);
        buf_free(&term);
    }
    em->nterms++;
    if (em->wbuf.len >= EMIT_FLUSH)
        emit_flush(em);
}

static void sum_end(Emitter *em)
{
    if (em->nterms == 0)
        buf_putc(&em->wbuf, '0');
    buf_putc(&em->wbuf, '\n');
    emit_flush(em);
}

static void eqs_begin(Emitter *em, const EmitHead *h)
{
    (void)em, (void)h;
}

static void eq(Emitter *em, int node, const char *delta, const char *rhs, size_t n)
{
    (void)node;
    buf_puts(&em->wbuf, delta);
    buf_putc(&em->wbuf, '=');
    buf_add(&em->wbuf, rhs, n);
    buf_putc(&em->wbuf, '\n');
    if (em->wbuf.len >= EMIT_FLUSH)
        emit_flush(em);
}

static void eqs_end(Emitter *em, const char *final, size_t n)
{
    emit_lhs(em->head.d->g, em->head.of, em->head.wrt, FMT_LATEX, &em->wbuf);
    buf_putc(&em->wbuf, '=');
    buf_add(&em->wbuf, final, n);
    buf_putc(&em->wbuf, '\n');
    emit_flush(em);
}

static void collapsed(Emitter *em, const EmitHead *h, const char *const *fam, const size_t *len,
                      unsigned long long nfam)
{
    emit_lhs(h->d->g, h->of, h->wrt, FMT_LATEX, &em->wbuf);
    buf_puts(&em->wbuf, "= ");
    for (unsigned long long i = 0; i < nfam; i++) {
        if (i)
            buf_puts(&em->wbuf, " \\\\\n+");
        buf_add(&em->wbuf, fam[i], len[i]);
        if (em->wbuf.len >= EMIT_FLUSH)
            emit_flush(em);
    }
    if (nfam == 0)
        buf_putc(&em->wbuf, '0');
    buf_putc(&em->wbuf, '\n');
    emit_flush(em);
}

static void expanded(Emitter *em, const Graph *g, int node, const Expr *e)
{
    Printer p = graph_printer(g, FMT_LATEX);
    graph_node_name(g, node, FMT_LATEX, &em->wbuf);
    buf_puts(&em->wbuf, " = ");
    expr_print(&p, e, &em->wbuf);
    buf_putc(&em->wbuf, '\n');
    emit_flush(em);
}

const EmitOps emit_latex_ops = {
    "latex", FMT_LATEX, true, false, "\n", sum_begin, sum_term, sum_end, eqs_begin, eq, eqs_end, collapsed, expanded,
};
