/* report.c — see report.h. */
#define _POSIX_C_SOURCE 200809L
#include "report.h"
#include "derive.h"
#include "emit.h"
#include "eval.h"
#include "graph.h"
#include "jobs.h"
#include "latexdoc.h"
#include "texwidth.h"
#include "render.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- small helpers ---- */

static void html_escaped(FILE *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        switch (s[i]) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        default:
            /* control bytes other than tab and newline are not text */
            if ((unsigned char)s[i] < 0x20 && s[i] != '\n' && s[i] != '\t')
                fputs("&#xFFFD;", out);
            else
                fputc(s[i], out);
        }
    }
}

static void html_text(FILE *out, const char *s) { html_escaped(out, s, strlen(s)); }

static int read_file(const char *path, Buf *out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        buf_add(out, tmp, n);
    int rc = ferror(f) ? -1 : 0;
    fclose(f);
    return rc;
}

static void base64(Buf *out, const unsigned char *p, size_t n)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);
        char q[4] = {tab[v >> 18 & 63], tab[v >> 12 & 63], i + 1 < n ? tab[v >> 6 & 63] : '=',
                     i + 2 < n ? tab[v & 63] : '='};
        buf_add(out, q, 4);
    }
}

/* The messages of a stage that fails (a forward sum too large, ...) are
 * collected into the page instead of reaching the terminal. */
typedef struct Capture {
    DiagSink saved;
    Buf *msg;
} Capture;

static void collect(void *ctx, const Diag *d)
{
    Buf *msg = ctx;
    if (d->level != DIAG_ERROR)
        return;
    if (msg->len)
        buf_puts(msg, "; ");
    buf_puts(msg, d->message);
}

static void capture_begin(Capture *c, Buf *msg)
{
    c->msg = msg;
    c->saved = diag_set_sink((DiagSink){collect, msg});
}

static void capture_end(Capture *c)
{
    diag_set_sink(c->saved);
    buf_cstr(c->msg);
}

/* ---- KaTeX, inlined ---- */

int report_check_katex(const char *dir)
{
    static const char *const need[] = {"katex.min.js", "katex.min.css", "fonts/KaTeX_Main-Regular.woff2"};
    for (size_t i = 0; i < sizeof need / sizeof need[0]; i++) {
        Buf p = {0};
        buf_printf(&p, "%s/%s", dir, need[i]);
        int ok = access(buf_cstr(&p), R_OK) == 0;
        buf_free(&p);
        if (!ok) {
            pg_error("report: KaTeX is not in %s (%s is missing): install Debian's libjs-katex, "
                    "or give its folder with --katex DIR", dir, need[i]);
            return -1;
        }
    }
    return 0;
}

/* KaTeX's style sheet with its woff2 fonts as data URLs (the woff and ttf
 * alternatives dropped: every browser that runs KaTeX reads woff2) */
static void katex_css(FILE *out, const char *dir)
{
    Buf css = {0}, res = {0}, path = {0};
    buf_printf(&path, "%s/katex.min.css", dir);
    read_file(buf_cstr(&path), &css);
    const char *s = buf_cstr(&css);
    size_t n = css.len, i = 0;
    while (i < n) {
        if (strncmp(s + i, "url(fonts/", 10) != 0) {
            buf_putc(&res, s[i++]);
            continue;
        }
        /* url(fonts/NAME) format('...') */
        const char *name = s + i + 10;
        size_t e = i + 10;
        while (e < n && s[e] != ')')
            e++;
        size_t nlen = e - (i + 10), f = e + 1;
        while (f < n && s[f] == ' ')
            f++;
        if (strncmp(s + f, "format(", 7) == 0) {
            while (f < n && s[f] != ')')
                f++;
            f++;
        } else {
            f = e + 1;
        }
        Buf font = {0};
        buf_truncate(&path, 0);
        buf_printf(&path, "%s/fonts/%.*s", dir, (int)nlen, name);
        if (nlen > 6 && memcmp(name + nlen - 6, ".woff2", 6) == 0 && read_file(buf_cstr(&path), &font) == 0) {
            buf_puts(&res, "url(data:font/woff2;base64,");
            base64(&res, (const unsigned char *)font.data, font.len);
            buf_puts(&res, ") format('woff2')");
        } else if (res.len && res.data[res.len - 1] == ',') {
            res.len--;                          /* the alternative and its comma */
        }
        buf_free(&font);
        i = f;
    }
    fwrite(res.data ? res.data : "", 1, res.len, out);
    buf_free(&res);
    buf_free(&css);
    buf_free(&path);
}

static void katex_js(FILE *out, const char *dir)
{
    Buf js = {0}, path = {0};
    buf_printf(&path, "%s/katex.min.js", dir);
    read_file(buf_cstr(&path), &js);
    /* "</script" cannot appear inside the element: written split */
    const char *s = buf_cstr(&js);
    for (const char *p = s; *p; p++) {
        if (strncmp(p, "</script", 8) == 0)
            fputs("<\\/", out), p++;
        else
            fputc(*p, out);
    }
    buf_free(&js);
    buf_free(&path);
}

/* ---- the derivations ---- */

/* the LaTeX of d(OF)/d(WRT) at STAGE in align*, or the reason it is not
 * shown in MSG; returns 1 if there is a formula */
static int formula(const Job *j, Stage stage, bool collapse, Buf *tex, Buf *msg)
{
    Deriver d;
    deriver_init(&d, j->g, stage);
    mpz_t count;
    mpz_init(count);
    int shown = 0;
    Capture cap;
    capture_begin(&cap, msg);
    bool expanded = stage != ST_FACTORED && !collapse;
    int ok = !expanded || stage_count_terms(&d, j->of, j->wrt, count) == 0;   /* else the message says why */
    if (ok && expanded && mpz_cmp_ui(count, REPORT_MAX_TERMS) > 0) {
        char *c = mpz_get_str(NULL, 10, count);
        buf_printf(msg, "%s terms: more than this page typesets (%d); the factored form is below, "
                   "and 'pathgrad derive' writes them all", c, REPORT_MAX_TERMS);
        free(c);
        ok = 0;
    }
    if (ok) {
        char *p = NULL;
        size_t n = 0;
        FILE *mem = open_memstream(&p, &n);
        FILE *w = latex_env_open(mem, ENV_ALIGN_STAR, TEX_STANDALONE_WIDTH, false);
        Emitter *em = emit_open(&emit_latex_ops, w);
        int r = stage == ST_FACTORED ? factored_write(&d, j->of, j->wrt, em)
                : collapse ? collapse_write(&d, j->of, j->wrt, REPORT_MAX_TERMS, em)
                : derive_write(&d, j->of, j->wrt, em);
        emit_close(em);
        fclose(w);
        fclose(mem);
        if (r == 0 && n > REPORT_MAX_TEX) {
            size_t lines = 0;
            for (size_t i = 0; i < n; i++)
                lines += p[i] == '\n';
            buf_printf(msg, "%zu lines of LaTeX (%zu bytes): more than this page typesets; "
                       "'pathgrad derive --stage %s%s' writes them", lines - 2, n, stage_name(stage),
                       collapse ? " --collapse" : "");
        } else if (r == 0) {
            buf_add(tex, p, n);
            shown = 1;
        }
        free(p);
    }
    capture_end(&cap);
    mpz_clear(count);
    deriver_free(&d);
    return shown;
}

static void math_div(FILE *out, const Buf *tex)
{
    fputs("<div class=\"math\" data-tex=\"", out);
    html_escaped(out, tex->data, tex->len);
    fputs("\"><code>", out);
    html_escaped(out, tex->data, tex->len);
    fputs("</code></div>\n", out);
}

/* ---- the terms, and the edges of their paths ---- */

/* the terms of d(OF)/d(WRT) at stage local as derive writes them: an
 * emitter that keeps each term's LaTeX and its path's graph edges */
typedef struct Terms {
    Emitter em;              /* first: the emitter's functions get it */
    int n, cap;
    Buf *tex;
    int **edges;
    int *nedges;
} Terms;

static void terms_begin(Emitter *em, const EmitHead *h, bool multiline) { (void)em, (void)h, (void)multiline; }
static void terms_end(Emitter *em) { (void)em; }

static void terms_term(Emitter *em, const EmitTerm *t)
{
    Terms *T = (Terms *)em;
    int cap = T->cap;
    T->tex = xgrow(T->tex, T->n, &cap, sizeof *T->tex);
    cap = T->cap;
    T->edges = xgrow(T->edges, T->n, &cap, sizeof *T->edges);
    T->nedges = xgrow(T->nedges, T->n, &T->cap, sizeof *T->nedges);
    Buf *b = &T->tex[T->n];
    memset(b, 0, sizeof *b);
    if (t->coef == 1 && t->exp2 == 0)
        buf_add(b, t->prod, t->len);
    else
        print_term(FMT_LATEX, t->coef, t->exp2, t->prod, t->len, b);
    buf_cstr(b);
    T->edges[T->n] = xmalloc(xmul((size_t)t->n + 1, sizeof(int)));
    memcpy(T->edges[T->n], t->edges, (size_t)t->n * sizeof(int));
    T->nedges[T->n] = t->n;
    T->n++;
}

static const EmitOps terms_ops = {
    "report-terms", FMT_LATEX, false, false, "", "", "", "",
    terms_begin, terms_term, terms_end, NULL, NULL, NULL, NULL, NULL,
};

static void terms_free(Terms *T)
{
    for (int i = 0; i < T->n; i++) {
        buf_free(&T->tex[i]);
        free(T->edges[i]);
    }
    free(T->tex);
    free(T->edges);
    free(T->nedges);
}

/* T gets the terms, if there are at most REPORT_MAX_TERMS; else MSG says
 * how many there are.  0, or -1 (MSG says why) */
static int terms_collect(const Job *j, Terms *T, Buf *msg)
{
    memset(T, 0, sizeof *T);
    T->em.ops = &terms_ops;
    Deriver d;
    deriver_init(&d, j->g, ST_LOCAL);
    mpz_t count;
    mpz_init(count);
    Capture cap;
    capture_begin(&cap, msg);
    int rc = stage_count_terms(&d, j->of, j->wrt, count) == 0 ? 0 : -1;
    if (rc == 0 && mpz_cmp_ui(count, REPORT_MAX_TERMS) > 0) {
        char *c = mpz_get_str(NULL, 10, count);
        buf_printf(msg, "%s terms: more than this page lists one by one (%d); the drawing shows all "
                   "their paths, and 'pathgrad render --term K' any one of them", c, REPORT_MAX_TERMS);
        free(c);
        rc = -1;
    }
    if (rc == 0)
        rc = derive_write(&d, j->of, j->wrt, &T->em);
    capture_end(&cap);
    mpz_clear(count);
    deriver_free(&d);
    return rc;
}

/* what render drew: each edge's SVG id, its ends', the graph edges it shows */
typedef struct Drawn {
    int n, cap;
    const char **id, **tail, **head;
    int *gedge;              /* two a drawn edge */
    Arena arena;
} Drawn;

static void drawn_edge(void *ctx, const char *id, const char *tail, const char *head, const int gedge[2])
{
    Drawn *D = ctx;
    int c = D->cap;
    D->id = xgrow(D->id, D->n, &c, sizeof *D->id);
    c = D->cap;
    D->tail = xgrow(D->tail, D->n, &c, sizeof *D->tail);
    c = D->cap;
    D->head = xgrow(D->head, D->n, &c, sizeof *D->head);
    D->gedge = xgrow(D->gedge, D->n, &D->cap, 2 * sizeof *D->gedge);
    D->id[D->n] = arena_strdup(&D->arena, id);
    D->tail[D->n] = arena_strdup(&D->arena, tail ? tail : "");
    D->head[D->n] = arena_strdup(&D->arena, head ? head : "");
    D->gedge[2 * D->n] = gedge[0];
    D->gedge[2 * D->n + 1] = gedge[1];
    D->n++;
}

static void drawn_free(Drawn *D)
{
    free(D->id);
    free(D->tail);
    free(D->head);
    free(D->gedge);
    arena_free(&D->arena);
}

/* {"edges": [[ids of term 1's edges], ...], "nodes": [[...], ...]}: a
 * drawn edge is on a term's path when a graph edge it shows is (render's
 * own rule for lighting it), its ends with it */
static void terms_map(FILE *out, const Graph *g, const Terms *T, const Drawn *D)
{
    /* graph edge -> the drawn edges showing it */
    int *first = xcalloc((size_t)g->nedges + 2, sizeof *first);
    for (int i = 0; i < 2 * D->n; i++)
        if (D->gedge[i] >= 0)
            first[D->gedge[i] + 1]++;
    for (int k = 0; k < g->nedges; k++)
        first[k + 1] += first[k];
    int *at = xmalloc(xmul((size_t)g->nedges + 1, sizeof *at));
    memcpy(at, first, (size_t)g->nedges * sizeof *at);
    int *shown = xmalloc(xmul((size_t)first[g->nedges] + 1, sizeof *shown));
    for (int i = 0; i < 2 * D->n; i++)
        if (D->gedge[i] >= 0)
            shown[at[D->gedge[i]]++] = i / 2;
    int *stamp = xcalloc((size_t)D->n + 1, sizeof *stamp);
    StrMap seen = {0};
    int nseen = 0;
    int *nstamp = NULL, ncap = 0;
    Buf e = {0}, v = {0};
    buf_puts(&e, "{\"edges\": [");
    buf_puts(&v, "], \"nodes\": [");
    for (int t = 0; t < T->n; t++) {
        buf_puts(&e, t ? ",\n[" : "[");
        buf_puts(&v, t ? ",\n[" : "[");
        int ne = 0, nv = 0;
        for (int q = 0; q < T->nedges[t]; q++) {
            int k = T->edges[t][q];
            for (int s = first[k]; s < first[k + 1]; s++) {
                int i = shown[s];
                if (stamp[i] == t + 1)
                    continue;
                stamp[i] = t + 1;
                buf_printf(&e, "%s\"%s\"", ne++ ? ", " : "", D->id[i]);
                const char *ends[2] = {D->tail[i], D->head[i]};
                for (int z = 0; z < 2; z++) {
                    if (!*ends[z])
                        continue;
                    int x = strmap_get(&seen, ends[z]);
                    if (x < 0) {
                        strmap_put(&seen, ends[z], x = nseen++);
                        nstamp = xgrow(nstamp, x, &ncap, sizeof *nstamp);
                        nstamp[x] = 0;
                    }
                    if (nstamp[x] == t + 1)
                        continue;
                    nstamp[x] = t + 1;
                    buf_printf(&v, "%s\"%s\"", nv++ ? ", " : "", ends[z]);
                }
            }
        }
        buf_putc(&e, ']');
        buf_putc(&v, ']');
    }
    buf_puts(&v, "]}");
    /* ids are letters, digits, '-' and '_': nothing to escape */
    fwrite(e.data, 1, e.len, out);
    fwrite(v.data, 1, v.len, out);
    buf_free(&e);
    buf_free(&v);
    strmap_free(&seen);
    free(nstamp);
    free(stamp);
    free(shown);
    free(at);
    free(first);
}

/* a derivation's numbers (--values / --seed) */
typedef struct JobNumbers {
    double *value, *grad, *local;
    Buf of_name;
} JobNumbers;

static int job_numbers(const ReportOpts *ro, const Job *j, JobNumbers *jn)
{
    const Graph *g = j->g;
    memset(jn, 0, sizeof *jn);
    Numbers n;
    numbers_init(&n, g);
    double loss;
    int rc = ro->fill(ro->fill_ctx, &n) < 0 || numbers_forward(&n, j->of, &loss) < 0 ? -1 : 0;
    if (rc == 0) {
        jn->value = xmalloc(xmul((size_t)g->nnodes + 1, sizeof *jn->value));
        jn->grad = xmalloc(xmul((size_t)g->nnodes + 1, sizeof *jn->grad));
        jn->local = xmalloc(xmul((size_t)g->nedges + 1, sizeof *jn->local));
        numbers_reverse(&n, j->of, jn->grad);
        memcpy(jn->value, n.v, (size_t)g->nnodes * sizeof *jn->value);
        for (int k = 0; k < g->nedges; k++)
            jn->local[k] = numbers_local(&n, k);
        graph_node_name(g, j->of, FMT_HTML, &jn->of_name);
    }
    numbers_free(&n);
    return rc;
}

static void job_numbers_free(JobNumbers *jn)
{
    free(jn->value);
    free(jn->grad);
    free(jn->local);
    buf_free(&jn->of_name);
}

/* the drawing of derivation NUM and, beside it, its terms */
static void figure(FILE *out, const Job *j, int num, const JobNumbers *jn)
{
    const Graph *g = j->g;
    char prefix[32];
    snprintf(prefix, sizeof prefix, "d%d-", num);
    Drawn drawn = {0};
    RenderOpts ro = {.view = g->nnodes <= 150 ? VIEW_GRAPH : VIEW_NETWORK, .only_paths = g->nnodes > 3000,
                     .labels = g->nedges <= 400, .stage = ST_LOCAL, .id_prefix = prefix,
                     .edge_fn = drawn_edge, .edge_ctx = &drawn};
    if (jn && jn->value) {
        ro.value = jn->value;
        ro.grad = jn->grad;
        ro.local = jn->local;
        ro.of_name = buf_cstr((Buf *)&jn->of_name);
    }
    char *p = NULL;
    size_t n = 0;
    FILE *mem = open_memstream(&p, &n);
    Buf msg = {0};
    Capture cap;
    capture_begin(&cap, &msg);
    int r = render_write(g, j->of, j->wrt, -1, &ro, mem);
    fclose(mem);
    capture_end(&cap);
    const char *svg = r == 0 && p ? strstr(p, "<svg") : NULL;

    /* the terms */
    Terms T;
    Buf tmsg = {0};
    int tr = terms_collect(j, &T, &tmsg);
    fprintf(out, "<div class=\"paths\">\n<div class=\"termbox\"><h4>terms at stage local, one a path</h4>\n");
    if (tr == 0 && T.n) {
        fprintf(out, "<p class=\"what\">Click a term (or step with the arrow keys) to light its path%s.</p>\n",
                svg ? "" : " (no drawing)");
        fprintf(out, "<ol class=\"terms\" role=\"listbox\" aria-label=\"the terms of derivation %d\" "
                "data-derivation=\"%d\">\n", num, num);
        for (int t = 0; t < T.n; t++) {
            fprintf(out, "<li id=\"%d.%d\" data-term=\"%d.%d\" role=\"option\" aria-selected=\"false\" "
                    "tabindex=\"%d\"><span class=\"k\">%d</span><span class=\"tm\" data-tex=\"",
                    num, t + 1, num, t + 1, t == 0 ? 0 : -1, t + 1);
            html_escaped(out, T.tex[t].data, T.tex[t].len);
            fputs("\"><code>", out);
            html_escaped(out, T.tex[t].data, T.tex[t].len);
            fputs("</code></span></li>\n", out);
        }
        fputs("</ol>\n", out);
    } else {
        fputs("<p class=\"note\">", out);
        if (tr == 0)
            fputs("No path: the derivative is 0.", out);
        else
            html_escaped(out, tmsg.data ? tmsg.data : "", tmsg.len);
        fputs(" The terms are not listed one by one.</p>\n", out);
    }
    fputs("</div>\n", out);

    fprintf(out, "<figure id=\"figure-%d\" data-derivation=\"%d\">", num, num);
    if (svg) {
        fwrite(svg, 1, n - (size_t)(svg - p), out);
        fputs("<figcaption>The paths of this derivative in red", out);
        if (ro.view == VIEW_NETWORK)
            fputs(" (network view: neurons as circles)", out);
        if (ro.only_paths)
            fputs(", only what they use", out);
        fputs("; an edge's tooltip is its local derivative", out);
        if (ro.value)
            fputs(" and its value; under each name its value (blue) and gradient (green)", out);
        fputs(".</figcaption>", out);
    } else {
        fputs("<p class=\"note\">No drawing: ", out);
        html_escaped(out, msg.data ? msg.data : "", msg.len);
        fputs("</p>", out);
    }
    fputs("</figure>\n", out);
    if (tr == 0 && T.n) {
        fprintf(out, "<script type=\"application/json\" id=\"terms-%d\">", num);
        terms_map(out, g, &T, &drawn);
        fputs("</script>\n", out);
    }
    fputs("</div>\n", out);
    terms_free(&T);
    buf_free(&tmsg);
    drawn_free(&drawn);
    free(p);
    buf_free(&msg);
}

static void derivation(FILE *out, const Job *j, int num, const JobNumbers *jn)
{
    const Graph *g = j->g;
    Buf r1 = {0}, r2 = {0};
    graph_node_ref(g, j->of, &r1);
    graph_node_ref(g, j->wrt, &r2);
    fprintf(out, "<article class=\"derivation\" id=\"derivation-%d\">\n<h3><span class=\"num\">%d</span> ", num, num);
    html_text(out, buf_cstr(&r1));
    fputs(" with respect to ", out);
    html_text(out, buf_cstr(&r2));
    fputs("</h3>\n", out);

    mpz_t paths;
    mpz_init(paths);
    paths_count(g, j->of, j->wrt, NULL, paths);
    char *pc = mpz_get_str(NULL, 10, paths);
    fprintf(out, "<p class=\"counts\">%s path%s from %s to %s", pc, strcmp(pc, "1") ? "s" : "",
            buf_cstr(&r1), buf_cstr(&r2));
    free(pc);
    mpz_clear(paths);
    /* terms at the stages where dead neurons can drop some */
    {
        Deriver d;
        deriver_init(&d, g, ST_LOCAL);
        mpz_t c;
        mpz_init(c);
        Buf m = {0};
        Capture cap;
        capture_begin(&cap, &m);
        if (stage_count_terms(&d, j->of, j->wrt, c) == 0) {
            char *s = mpz_get_str(NULL, 10, c);
            fprintf(out, "; %s term%s from stage act on", s, strcmp(s, "1") ? "s" : "");
            free(s);
        }
        capture_end(&cap);
        buf_free(&m);
        mpz_clear(c);
        deriver_free(&d);
    }
    fputs(".</p>\n<div class=\"pair\">\n<div class=\"formulas\">\n", out);
    static const struct {
        Stage stage;
        bool collapse;
        const char *title, *what;
    } rows[] = {
        {ST_CHAIN, false, "chain", "every factor a partial derivative"},
        {ST_ACT, false, "act", "activation factors replaced: ReLU 1, a dead ReLU 0"},
        {ST_LOCAL, false, "local", "junctions, skips and biases replaced by their local derivatives"},
        {ST_LOCAL, true, "collapsed", "families of terms that differ in neuron indices, as sums"},
        {ST_FORWARD, false, "forward", "every y that is not an input replaced by its forward path sum"},
        {ST_FACTORED, false, "factored", "the backprop equations: one δ a variable, linear in the graph"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        if (rows[i].collapse && g->kind != B_NETWORK)
            continue;
        Buf tex = {0}, msg = {0};
        fprintf(out, "<section class=\"stage\"><h4>%s</h4><p class=\"what\">%s</p>\n", rows[i].title, rows[i].what);
        if (formula(j, rows[i].stage, rows[i].collapse, &tex, &msg)) {
            math_div(out, &tex);
        } else {
            fputs("<p class=\"note\">", out);
            html_escaped(out, msg.data ? msg.data : "", msg.len);
            fputs("</p>\n", out);
        }
        fputs("</section>\n", out);
        buf_free(&tex);
        buf_free(&msg);
    }
    fputs("</div>\n", out);
    figure(out, j, num, jn);
    fputs("</div>\n</article>\n", out);
    buf_free(&r1);
    buf_free(&r2);
}

static const char page_css[] =
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;color:#222;background:#fafafa}"
    "header,main{max-width:1500px;margin:0 auto;padding:0 24px}"
    "header{padding-top:18px}h1{font-size:1.5em;margin:.3em 0}h1 code{font-size:1em}"
    "h2{border-bottom:1px solid #ccc;padding-bottom:4px;margin-top:1.6em}"
    "h3{margin:.2em 0 .4em}h4{margin:.8em 0 0;font-size:1em;color:#444}"
    "pre.source{background:#fff;border:1px solid #ddd;padding:12px;overflow:auto;font-size:13px;line-height:1.4}"
    "article.derivation{background:#fff;border:1px solid #ddd;border-radius:6px;padding:12px 18px;margin:18px 0}"
    /* formulas and drawing side by side while the drawing fits in what the
     * formulas leave, else the drawing on a row of its own, as wide as it
     * needs up to the page */
    ".pair{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}"
    ".formulas{flex:1 1 30em;min-width:0;overflow-x:auto}.math{overflow-x:auto;overflow-y:hidden;margin:.2em 0}"
    ".paths{flex:0 1 auto;max-width:100%;min-width:min(100%,24em)}"
    ".termbox{contain:inline-size}"
    "ol.terms{list-style:none;padding:0;margin:.3em 0 .8em;display:flex;flex-wrap:wrap;gap:4px 6px;"
    "max-height:14em;overflow-y:auto}"
    "ol.terms li{border:1px solid #ddd;border-radius:4px;padding:1px 8px;cursor:pointer;background:#fff}"
    "ol.terms li:hover{border-color:#d62728}"
    "ol.terms li[aria-selected=true]{background:#fde4e4;border-color:#d62728;box-shadow:0 0 0 2px #d62728}"
    "ol.terms .k{color:#888;font-size:.8em;margin-right:6px}"
    "figure.dim g.edge:not(.lit),figure.dim g.node:not(.lit):not([id$='-legend']){opacity:.13}"
    "figure.dim g.edge.lit path{stroke-width:3.5}"
    ".what{margin:.1em 0;color:#777;font-size:.85em}.note{color:#a33;font-size:.9em}"
    ".counts{color:#333}figure{margin:0}h3 .num{color:#888;font-weight:normal;margin-right:.4em}"
    "figure svg{max-width:100%;height:auto;display:block;margin:0 auto}"
    "figcaption{color:#777;font-size:.85em;text-align:center;margin-top:4px}"
    "footer{color:#888;font-size:.8em;text-align:center;padding:24px}";

/* after KaTeX: the page says how many formulas it typeset and which
 * failed, in data attributes the tests read */
static const char page_js[] =
    "(function(){\n"
    "  var errors = [];\n"
    "  window.addEventListener('error', function (e) { errors.push(String(e.message)); });\n"
    "  var done = 0, failed = 0;\n"
    "  document.querySelectorAll('div.math').forEach(function (el) {\n"
    "    try {\n"
    "      katex.render(el.getAttribute('data-tex'), el, {displayMode: true, throwOnError: true});\n"
    "      done++;\n"
    "    } catch (e) {\n"
    "      failed++;\n"
    "      errors.push(String(e.message));\n"
    "      el.classList.add('failed');\n"
    "    }\n"
    "  });\n"
    "  var terms = 0;\n"
    "  document.querySelectorAll('span.tm').forEach(function (el) {\n"
    "    try {\n"
    "      katex.render(el.getAttribute('data-tex'), el, {displayMode: false, throwOnError: true});\n"
    "      terms++;\n"
    "    } catch (e) {\n"
    "      failed++;\n"
    "      errors.push(String(e.message));\n"
    "    }\n"
    "  });\n"
    "  document.body.setAttribute('data-typeset', String(done));\n"
    "  document.body.setAttribute('data-typeset-terms', String(terms));\n"
    "  document.body.setAttribute('data-failed', String(failed));\n"
    "  document.body.setAttribute('data-errors', errors.join(' | '));\n"
    "})();\n"
    /* a term selected (a click, the arrow keys, the address #D.K): it
     * aria-selected, the edges and nodes of its path (the JSON pathgrad
     * wrote beside the drawing) class lit, the rest of the drawing dim */
    "(function(){\n"
    "  var current = null;\n"
    "  function map(d) {\n"
    "    var el = document.getElementById('terms-' + d);\n"
    "    if (el && !el.pgMap) el.pgMap = JSON.parse(el.textContent);\n"
    "    return el ? el.pgMap : null;\n"
    "  }\n"
    "  function select(d, k, focus) {\n"
    "    var li = document.getElementById(d + '.' + k);\n"
    "    if (!li || li.getAttribute('data-term') !== d + '.' + k) return false;\n"
    "    document.querySelectorAll('[data-term]').forEach(function (e) {\n"
    "      e.setAttribute('aria-selected', 'false');\n"
    "      e.tabIndex = -1;\n"
    "    });\n"
    "    document.querySelectorAll('ol.terms > li:first-child').forEach(function (e) { e.tabIndex = 0; });\n"
    "    document.querySelectorAll('figure .lit').forEach(function (e) { e.classList.remove('lit'); });\n"
    "    document.querySelectorAll('figure.dim').forEach(function (e) { e.classList.remove('dim'); });\n"
    "    li.setAttribute('aria-selected', 'true');\n"
    "    li.parentNode.querySelector('li').tabIndex = -1;\n"
    "    li.tabIndex = 0;\n"
    "    var m = map(d), fig = document.getElementById('figure-' + d);\n"
    "    if (m && fig && fig.querySelector('svg')) {\n"
    "      m.edges[k - 1].concat(m.nodes[k - 1]).forEach(function (id) {\n"
    "        var e = document.getElementById(id);\n"
    "        if (e) e.classList.add('lit');\n"
    "      });\n"
    "      fig.classList.add('dim');\n"
    "    }\n"
    "    current = [d, k];\n"
    "    if (focus) li.focus();\n"
    "    return true;\n"
    "  }\n"
    "  function address(d, k) {\n"
    "    try { history.replaceState(null, '', '#' + d + '.' + k); }\n"
    "    catch (e) { location.hash = '#' + d + '.' + k; }\n"
    "  }\n"
    "  function fromHash() {\n"
    "    var m = /^#(\\d+)\\.(\\d+)$/.exec(location.hash);\n"
    "    if (m) select(+m[1], +m[2], false);\n"
    "  }\n"
    "  document.addEventListener('click', function (e) {\n"
    "    var li = e.target.closest && e.target.closest('[data-term]');\n"
    "    if (!li) return;\n"
    "    var p = li.getAttribute('data-term').split('.');\n"
    "    if (select(+p[0], +p[1], true)) address(+p[0], +p[1]);\n"
    "  });\n"
    "  document.addEventListener('keydown', function (e) {\n"
    "    if (e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;\n"
    "    var li = e.target.closest && e.target.closest('[data-term]');\n"
    "    var step = {ArrowRight: 1, ArrowLeft: -1, ArrowDown: 1, ArrowUp: -1}[e.key];\n"
    "    if (!li && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) return;   /* the page scrolls */\n"
    "    var at = li ? li.getAttribute('data-term').split('.').map(Number) : current;\n"
    "    if (li && (e.key === 'Enter' || e.key === ' ')) step = 0;\n"
    "    else if (!step || !at) return;\n"
    "    e.preventDefault();\n"
    "    if (select(at[0], at[1] + step, true)) address(at[0], at[1] + step);\n"
    "  });\n"
    "  window.addEventListener('hashchange', fromHash);\n"
    "  fromHash();\n"
    "})();\n";

int report_write(const Source *src, const Program *prog, const ReportOpts *ro, FILE *out)
{
    /* build everything first: a bad block, or numbers that cannot be
     * had, write nothing */
    const char *katex_dir = ro->katex_dir;
    Jobs J;
    JobsSpec spec = {S_DERIVE, NULL, NULL, ro->block, NAMES_TEXTBOOK, true, false, false, 0};
    int rc = jobs_collect(src, prog, &spec, &J) < 0 ? -1 : 0;
    JobNumbers *jn = NULL;
    if (rc == 0 && ro->fill) {
        jn = xcalloc((size_t)J.n + 1, sizeof *jn);
        for (int k = 0; k < J.n && rc == 0; k++)
            rc = job_numbers(ro, &J.v[k], &jn[k]);
    }
    if (rc == 0) {
        int num = 0;
        fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
              "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>pathgrad: ", out);
        html_text(out, src->name);
        fputs("</title>\n<style>\n", out);
        katex_css(out, katex_dir);
        fputs("\n</style>\n<style>\n", out);
        fputs(page_css, out);
        fputs("\n</style>\n<script>\n", out);
        katex_js(out, katex_dir);
        fputs("\n</script>\n</head>\n<body>\n<header>\n<h1><code>", out);
        html_text(out, src->name);
        fputs("</code></h1>\n<p>The chain rule as a sum over paths: each derivative below is written at every "
              "stage of pathgrad, from a product of partial derivatives along each path down to the "
              "backprop equations, next to a drawing of its paths.</p>\n</header>\n<main>\n", out);
        fputs("<h2>Source</h2>\n<pre class=\"source\">", out);
        html_escaped(out, src->text, src->len);
        fputs("</pre>\n", out);
        for (int i = 0; i < J.ngraphs; i++) {
            const Graph *g = &J.graphs[i];
            int njobs = 0;
            for (int k = 0; k < J.n; k++)
                njobs += J.v[k].g == g;
            fprintf(out, "<section class=\"block\">\n<h2>%s <code>", g->kind == B_NETWORK ? "network" : "graph");
            html_text(out, g->name);
            fprintf(out, "</code></h2>\n<p>%d variables, %d edges", g->nnodes, g->nedges);
            if (g->kind == B_NETWORK)
                fprintf(out, ", %d layers", g->nlayers);
            fputs(".</p>\n", out);
            if (njobs == 0)
                fputs("<p class=\"note\">Nothing to derive: the block has no derive statement, and no loss "
                      "and weight (or variable and input) to default to.</p>\n", out);
            for (int k = 0; k < J.n; k++)
                if (J.v[k].g == g)
                    derivation(out, &J.v[k], ++num, jn ? &jn[k] : NULL);
            fputs("</section>\n", out);
        }
        fputs("</main>\n<footer>" PG_NAME " " PG_VERSION ", formulas typeset by KaTeX, drawings by "
              "Graphviz</footer>\n<script>\n", out);
        fputs(page_js, out);
        fputs("</script>\n</body>\n</html>\n", out);
    }
    if (jn)
        for (int k = 0; k < J.n; k++)
            job_numbers_free(&jn[k]);
    free(jn);
    jobs_free(&J);
    return rc;
}
