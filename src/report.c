/* report.c — see report.h. */
#define _POSIX_C_SOURCE 200809L
#include "report.h"
#include "derive.h"
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
        FILE *w = latex_env_open(mem, ENV_ALIGN_STAR, TEX_STANDALONE_WIDTH);
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

static void figure(FILE *out, const Job *j)
{
    const Graph *g = j->g;
    RenderOpts ro = {g->nnodes <= 150 ? VIEW_GRAPH : VIEW_NETWORK, false, false, 0, false,
                     g->nnodes > 3000, g->nedges <= 400, ST_LOCAL, NULL, NULL, NULL, false, false};
    char *p = NULL;
    size_t n = 0;
    FILE *mem = open_memstream(&p, &n);
    Buf msg = {0};
    Capture cap;
    capture_begin(&cap, &msg);
    int r = render_write(g, j->of, j->wrt, -1, &ro, mem);
    fclose(mem);
    capture_end(&cap);
    fputs("<figure>", out);
    const char *svg = r == 0 && p ? strstr(p, "<svg") : NULL;
    if (svg) {
        fwrite(svg, 1, n - (size_t)(svg - p), out);
        fputs("<figcaption>The paths of this derivative in red", out);
        if (ro.view == VIEW_NETWORK)
            fputs(" (network view: neurons as circles)", out);
        if (ro.only_paths)
            fputs(", only what they use", out);
        fputs(".</figcaption>", out);
    } else {
        fputs("<p class=\"note\">No drawing: ", out);
        html_escaped(out, msg.data ? msg.data : "", msg.len);
        fputs("</p>", out);
    }
    fputs("</figure>\n", out);
    free(p);
    buf_free(&msg);
}

static void derivation(FILE *out, const Job *j)
{
    const Graph *g = j->g;
    Buf r1 = {0}, r2 = {0};
    graph_node_ref(g, j->of, &r1);
    graph_node_ref(g, j->wrt, &r2);
    fputs("<article class=\"derivation\">\n<h3>", out);
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
    figure(out, j);
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
    ".pair{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:24px;align-items:start}"
    "@media (max-width:1000px){.pair{grid-template-columns:1fr}}"
    ".formulas{overflow-x:auto}.math{overflow-x:auto;overflow-y:hidden;margin:.2em 0}"
    ".what{margin:.1em 0;color:#777;font-size:.85em}.note{color:#a33;font-size:.9em}"
    ".counts{color:#333}figure{margin:0;position:sticky;top:8px}"
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
    "  document.body.setAttribute('data-typeset', String(done));\n"
    "  document.body.setAttribute('data-failed', String(failed));\n"
    "  document.body.setAttribute('data-errors', errors.join(' | '));\n"
    "})();\n";

int report_write(const Source *src, const Program *prog, const char *only, const char *katex_dir, FILE *out)
{
    /* build everything first: a bad block writes nothing */
    Jobs J;
    JobsSpec spec = {S_DERIVE, NULL, NULL, only, NAMES_TEXTBOOK, true, false, false, 0};
    int rc = jobs_collect(src, prog, &spec, &J) < 0 ? -1 : 0;
    if (rc == 0) {
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
                    derivation(out, &J.v[k]);
            fputs("</section>\n", out);
        }
        fputs("</main>\n<footer>" PG_NAME " " PG_VERSION ", formulas typeset by KaTeX, drawings by "
              "Graphviz</footer>\n<script>\n", out);
        fputs(page_js, out);
        fputs("</script>\n</body>\n</html>\n", out);
    }
    jobs_free(&J);
    return rc;
}
