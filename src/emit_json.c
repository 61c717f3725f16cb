/* emit_json.c — JSON: one object a derivation, a stream of them (as jq
 * reads them), each term with its path and factors, and the whole formula
 * in LaTeX.  The layout is docs/LANGUAGE.md's. */
#include "emit.h"

static void sum_begin(Emitter *em, const EmitHead *h, bool multiline)
{
    (void)multiline;
    emit_json_head(em->out, h, stage_name(h->d->stage));
    fprintf(em->out, ", \"count\": \"%s\",\n \"terms\": [", h->count);
    buf_truncate(&em->all, 0);
    emit_lhs(h->d->g, h->of, h->wrt, FMT_LATEX, &em->all);
    buf_puts(&em->all, "= ");
}

static void sum_term(Emitter *em, const EmitTerm *t)
{
    const Graph *g = em->head.d->g;
    Buf piece = {0}, term = {0};
    fputs(em->nterms ? ",\n  {\"path\": [" : "\n  {\"path\": [", em->out);
    for (int k = 0; k <= t->n; k++) {
        buf_truncate(&piece, 0);
        graph_node_ref(g, t->nodes[k], &piece);
        if (k)
            fputs(", ", em->out);
        emit_json_string(em->out, piece.data, piece.len);
    }
    fputs("], \"factors\": [", em->out);
    int nf = 0;
    for (int k = 0; k < t->n; k++) {
        /* the walk made every factor of a path it found */
        const Factor *f = stage_factor_printed(em->head.d, t->edges[k], PRINTED_JSON);
        if (f->one)
            continue;
        if (nf++)
            fputs(", ", em->out);
        emit_json_string(em->out, f->json, f->json_len);
    }
    fputs("]}", em->out);
    print_term(FMT_LATEX, t->coef, t->exp2, t->prod, t->len, &term);
    emit_sum_append(FMT_LATEX, em->nterms == 0, em->multiline, NULL, &em->all, term.data, term.len);
    buf_free(&term);
    buf_free(&piece);
    em->nterms++;
}

static void sum_end(Emitter *em)
{
    if (em->nterms == 0)
        buf_putc(&em->all, '0');
    fputs("],\n \"latex\": ", em->out);
    emit_json_string(em->out, em->all.data, em->all.len);
    fputs("}\n", em->out);
}

static void eqs_begin(Emitter *em, const EmitHead *h)
{
    emit_json_head(em->out, h, "factored");
    fprintf(em->out, ", \"count\": \"%s\", \"terms\": [],\n \"equations\": [", h->count);
    buf_truncate(&em->all, 0);
    em->nterms = 0;
}

static void eq(Emitter *em, int node, const char *delta, const char *rhs, size_t n)
{
    Buf r = {0};
    graph_node_ref(em->head.d->g, node, &r);
    fputs(em->nterms++ ? ",\n  {\"delta\": " : "\n  {\"delta\": ", em->out);
    emit_json_string(em->out, r.data, r.len);
    fputs(", \"latex\": ", em->out);
    emit_json_string(em->out, rhs, n);
    fputc('}', em->out);
    buf_puts(&em->all, delta);
    buf_putc(&em->all, '=');
    buf_add(&em->all, rhs, n);
    buf_putc(&em->all, '\n');
    buf_free(&r);
}

static void eqs_end(Emitter *em, const char *final, size_t n)
{
    emit_lhs(em->head.d->g, em->head.of, em->head.wrt, FMT_LATEX, &em->all);
    buf_putc(&em->all, '=');
    buf_add(&em->all, final, n);
    fputs("],\n \"latex\": ", em->out);
    emit_json_string(em->out, em->all.data, em->all.len);
    fputs("}\n", em->out);
}

static void collapsed(Emitter *em, const EmitHead *h, const char *const *fam, const size_t *len,
                      unsigned long long nfam)
{
    emit_json_head(em->out, h, stage_name(h->d->stage));
    fprintf(em->out, ", \"collapse\": true, \"count\": \"%s\", \"families\": %llu, \"terms\": [],\n \"latex\": ",
            h->count, nfam);
    buf_truncate(&em->all, 0);
    emit_lhs(h->d->g, h->of, h->wrt, FMT_LATEX, &em->all);
    buf_puts(&em->all, "= ");
    for (unsigned long long i = 0; i < nfam; i++) {
        if (i)
            buf_puts(&em->all, " \\\\\n+");
        buf_add(&em->all, fam[i], len[i]);
    }
    if (nfam == 0)
        buf_putc(&em->all, '0');
    emit_json_string(em->out, em->all.data, em->all.len);
    fputs("}\n", em->out);
}

static void expanded(Emitter *em, const Graph *g, int node, const Expr *e)
{
    Buf b = {0};
    graph_node_ref(g, node, &b);
    fputs("{\"node\": ", em->out);
    emit_json_string(em->out, b.data, b.len);
    buf_truncate(&b, 0);
    Printer p = graph_printer(g, FMT_LATEX);
    graph_node_name(g, node, FMT_LATEX, &b);
    buf_puts(&b, " = ");
    expr_print(&p, e, &b);
    fputs(", \"latex\": ", em->out);
    emit_json_string(em->out, b.data, b.len);
    buf_truncate(&b, 0);
    p = graph_printer(g, FMT_TEXT);
    expr_print(&p, e, &b);
    fputs(", \"text\": ", em->out);
    emit_json_string(em->out, b.data, b.len);
    fputs("}\n", em->out);
    buf_free(&b);
}

const EmitOps emit_json_ops = {
    "json", FMT_LATEX, false, true, "", NULL, NULL, NULL, sum_begin, sum_term, sum_end, eqs_begin, eq, eqs_end, collapsed, expanded,
};
