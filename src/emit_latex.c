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

const EmitOps emit_latex_ops = {
    "latex", FMT_LATEX, true, false, "\n", "= ", "=", " \\\\\n+",
    sum_begin, sum_term, emit_plain_sum_end, emit_plain_eqs_begin, emit_plain_eq, emit_plain_eqs_end,
    emit_plain_collapsed, emit_plain_expanded,
};
