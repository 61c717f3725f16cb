/* emit.c — the emitters' shared helpers, and the choice of a format. */
#include "emit.h"

#include <stdlib.h>
#include <string.h>

/* every format, the default first */
static const EmitOps *const formats[] = {&emit_latex_ops, &emit_text_ops, &emit_json_ops};

const EmitOps *emit_format_at(int i)
{
    return i >= 0 && i < (int)(sizeof formats / sizeof formats[0]) ? formats[i] : NULL;
}

const EmitOps *emit_format(const char *name)
{
    for (int i = 0; emit_format_at(i); i++)
        if (strcmp(formats[i]->name, name) == 0)
            return formats[i];
    return NULL;
}

Emitter *emit_open(const EmitOps *ops, FILE *out)
{
    Emitter *em = xcalloc(1, sizeof *em);
    em->ops = ops;
    em->out = out;
    return em;
}

int emit_close(Emitter *em)
{
    emit_flush(em);
    int rc = ferror(em->out) ? -1 : 0;
    buf_free(&em->wbuf);
    buf_free(&em->sep);
    buf_free(&em->all);
    free(em);
    return rc;
}

void emit_sum_begin(Emitter *em, const EmitHead *h, bool multiline)
{
    em->head = *h;
    em->multiline = multiline;
    em->nterms = 0;
    em->ops->sum_begin(em, h, multiline);
}

void emit_eqs_begin(Emitter *em, const EmitHead *h)
{
    em->head = *h;
    em->nterms = 0;
    em->ops->eqs_begin(em, h);
}

void emit_collapsed(Emitter *em, const EmitHead *h, const char *const *fam, const size_t *len,
                    unsigned long long nfam)
{
    em->head = *h;
    em->ops->collapsed(em, h, fam, len, nfam);
}

bool emit_wants_count(const Emitter *em)
{
    return em->ops->counts;
}

void emit_flush(Emitter *em)
{
    if (em->wbuf.len) {
        fwrite(em->wbuf.data, 1, em->wbuf.len, em->out);
        buf_truncate(&em->wbuf, 0);
    }
}

void emit_lhs(const Graph *g, int of, int wrt, Style st, Buf *out)
{
    Arena tmp = {0};
    Printer p = graph_printer(g, st);
    expr_print(&p, mk_partial(&tmp, of, wrt), out);
    arena_free(&tmp);
}

void emit_sum_append(Style st, bool first, bool multiline, const Buf *text_sep, Buf *sum,
                     const char *t, size_t n)
{
    bool neg = false;
    if (st == FMT_LATEX && n && t[0] == '-')
        neg = true, t++, n--;
    if (st != FMT_LATEX && n >= 3 && memcmp(t, "−", 3) == 0)
        neg = true, t += 3, n -= 3;
    if (first) {
        if (neg)
            buf_puts(sum, st == FMT_LATEX ? "-" : "−");
    } else if (st == FMT_LATEX) {
        buf_puts(sum, multiline ? " \\\\\n" : "");
        buf_puts(sum, neg ? "-" : "+");
    } else {
        buf_add(sum, text_sep->data, text_sep->len);
        buf_puts(sum, neg ? "− " : "+ ");
    }
    buf_add(sum, t, n);
}

void emit_json_string(FILE *out, const char *s, size_t n)
{
    putc('"', out);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            putc('\\', out);
            putc(c, out);
        } else if (c == '\n') {
            fputs("\\n", out);
        } else if (c < 0x20) {
            fprintf(out, "\\u%04x", c);
        } else {
            putc(c, out);
        }
    }
    putc('"', out);
}

void emit_json_head(FILE *out, const EmitHead *h, const char *stage)
{
    const Graph *g = h->d->g;
    Buf r = {0};
    fputs("{\"of\": ", out);
    graph_node_ref(g, h->of, &r);
    emit_json_string(out, r.data, r.len);
    buf_truncate(&r, 0);
    fputs(", \"wrt\": ", out);
    graph_node_ref(g, h->wrt, &r);
    emit_json_string(out, r.data, r.len);
    fprintf(out, ", \"stage\": \"%s\"", stage);
    buf_free(&r);
}

size_t emit_display_width(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

/* ---- the plain formats ---- */

void emit_plain_sum_end(Emitter *em)
{
    if (em->nterms == 0)
        buf_putc(&em->wbuf, '0');
    buf_putc(&em->wbuf, '\n');
    emit_flush(em);
}

void emit_plain_eqs_begin(Emitter *em, const EmitHead *h)
{
    (void)em, (void)h;
}

void emit_plain_eq(Emitter *em, int node, const char *delta, const char *rhs, size_t n)
{
    (void)node;
    buf_puts(&em->wbuf, delta);
    buf_puts(&em->wbuf, em->ops->eq_equals);
    buf_add(&em->wbuf, rhs, n);
    buf_putc(&em->wbuf, '\n');
    if (em->wbuf.len >= EMIT_FLUSH)
        emit_flush(em);
}

void emit_plain_eqs_end(Emitter *em, const char *final, size_t n)
{
    emit_lhs(em->head.d->g, em->head.of, em->head.wrt, em->ops->style, &em->wbuf);
    buf_puts(&em->wbuf, em->ops->eq_equals);
    buf_add(&em->wbuf, final, n);
    buf_putc(&em->wbuf, '\n');
    emit_flush(em);
}

void emit_plain_collapsed(Emitter *em, const EmitHead *h, const char *const *fam, const size_t *len,
                          unsigned long long nfam)
{
    emit_lhs(h->d->g, h->of, h->wrt, em->ops->style, &em->wbuf);
    buf_puts(&em->wbuf, em->ops->sum_equals);
    for (unsigned long long i = 0; i < nfam; i++) {
        const char *f = fam[i];
        size_t n = len[i];
        if (i) {
            /* a family with a minus sign takes the place of the separator's
             * plus: "\\ -w^{2}", "  − w²", never "+-" */
            const char *sep = em->ops->family_sep;
            size_t plus = strlen(sep);
            while (plus > 0 && sep[plus - 1] != '+')
                plus--;
            size_t sign = n >= 1 && f[0] == '-' ? 1 : n >= 3 && memcmp(f, "−", 3) == 0 ? 3 : 0;
            if (sign && plus > 0) {
                buf_add(&em->wbuf, sep, plus - 1);
                buf_add(&em->wbuf, f, sign);
                buf_puts(&em->wbuf, sep + plus);
                f += sign;
                n -= sign;
            } else {
                buf_puts(&em->wbuf, sep);
            }
        }
        buf_add(&em->wbuf, f, n);
        if (em->wbuf.len >= EMIT_FLUSH)
            emit_flush(em);
    }
    if (nfam == 0)
        buf_putc(&em->wbuf, '0');
    buf_putc(&em->wbuf, '\n');
    emit_flush(em);
}

void emit_plain_expanded(Emitter *em, const Graph *g, int node, const Expr *e)
{
    Printer p = graph_printer(g, em->ops->style);
    graph_node_name(g, node, em->ops->style, &em->wbuf);
    buf_puts(&em->wbuf, " = ");
    expr_print(&p, e, &em->wbuf);
    buf_putc(&em->wbuf, '\n');
    emit_flush(em);
}
