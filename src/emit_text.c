/* emit_text.c — Unicode text: the continuation lines of a sum start under
 * its first term, "+ " or "− " hanging in the margin. */
#include "emit.h"

static void sum_begin(Emitter *em, const EmitHead *h, bool multiline)
{
    (void)multiline;
    Buf lhs = {0};
    emit_lhs(h->d->g, h->of, h->wrt, FMT_TEXT, &lhs);
    buf_puts(&lhs, " = ");
    em->pad = emit_display_width(buf_cstr(&lhs));
    fwrite(lhs.data, 1, lhs.len, em->out);
    buf_free(&lhs);
    /* the separator between two terms; without its last two bytes, the
     * continuation a signed term follows */
    buf_truncate(&em->sep, 0);
    buf_putc(&em->sep, '\n');
    for (size_t i = 0; i + 2 < em->pad; i++)
        buf_putc(&em->sep, ' ');
    buf_puts(&em->sep, "+ ");
}

static void sum_term(Emitter *em, const EmitTerm *t)
{
    if (t->coef == 1 && t->exp2 == 0 && t->len && !(t->len >= 3 && t->prod[0] == '\xe2' &&
                                                    t->prod[1] == '\x88' && t->prod[2] == '\x92')) {
        if (em->nterms)
            buf_add(&em->wbuf, em->sep.data, em->sep.len);
        buf_add(&em->wbuf, t->prod, t->len);
    } else {
        Buf term = {0}, cont = {0};
        print_term(FMT_TEXT, t->coef, t->exp2, t->prod, t->len, &term);
        buf_add(&cont, em->sep.data, em->sep.len - 2);
        emit_sum_append(FMT_TEXT, em->nterms == 0, true, &cont, &em->wbuf, term.data, term.len);
        buf_free(&term);
        buf_free(&cont);
    }
    em->nterms++;
    if (em->wbuf.len >= EMIT_FLUSH)
        emit_flush(em);
}

const EmitOps emit_text_ops = {
    "text", FMT_TEXT, false, false, "\n", " = ", " = ", "\n  + ",
    sum_begin, sum_term, emit_plain_sum_end, emit_plain_eqs_begin, emit_plain_eq, emit_plain_eqs_end,
    emit_plain_collapsed, emit_plain_expanded,
};
