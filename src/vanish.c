/* vanish.c — the mean |dLoss/dw| of every weight layer: the article's
 * thesis in numbers.  One network's table, or several networks' series in
 * one chart (sigmoid falls, ReLU and ResNet stay flat), drawn by PLplot's
 * SVG driver. */
#define _POSIX_C_SOURCE 200809L
#include "eval.h"

#include <errno.h>
#include <math.h>
#include <plplot.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* the series' colours: the highlight red first, then PLplot's cmap0 slots 3.. */
static const int series_rgb[][3] = {
    {214, 39, 40}, {31, 119, 180}, {44, 160, 44}, {148, 103, 189}, {255, 127, 14},
    {140, 86, 75}, {227, 119, 194}, {127, 127, 127}, {188, 189, 34}, {23, 190, 207},
};
#define NCOLORS ((int)(sizeof series_rgb / sizeof series_rgb[0]))

/* draw each series' log10 means (one point a weight layer) to PATH */
static void chart(const VanishSeries *s, int ns, const char *path)
{
    double ymin = 0, ymax = 0;
    int nmax = 0;
    bool first = true;
    for (int k = 0; k < ns; k++) {
        nmax = s[k].n > nmax ? s[k].n : nmax;
        for (int i = 0; i < s[k].n; i++) {
            double v = s[k].mean[i] > 0 ? log10(s[k].mean[i]) : -300;
            if (first || v < ymin)
                ymin = v;
            if (first || v > ymax)
                ymax = v;
            first = false;
        }
    }
    ymin = floor(ymin) - 0.5;
    ymax = ceil(ymax) + 0.5;
    plsdev("svg");
    plsfnam(path);
    plspage(0, 0, 800, 480, 0, 0);
    plscolbg(255, 255, 255);
    plscol0(1, 40, 40, 40);       /* axes, labels */
    for (int k = 0; k < NCOLORS; k++)
        plscol0(2 + k, series_rgb[k][0], series_rgb[k][1], series_rgb[k][2]);
    plinit();
    plcol0(1);
    /* y: log10 of the mean, a labelled tick every STEP decades (about ten) */
    double step = ceil((ymax - ymin) / 10);
    plenv(-0.5, nmax - 0.5, ymin, ymax, 0, -2);
    plbox("bcnst", 0, 0, "bcnstv", step < 1 ? 1 : step, 0);
    char title[256];
    if (ns == 1)
        snprintf(title, sizeof title, "%s: mean |dLoss/dw| of each weight layer", s[0].network);
    else
        snprintf(title, sizeof title, "mean |dLoss/dw| of each weight layer, %d networks", ns);
    pllab("weight layer (inputs left, loss right)", "log#d10#u mean |dLoss/dw|", title);
    for (int k = 0; k < ns; k++) {
        int n = s[k].n;
        double *x = xmalloc(xmul((size_t)n + 1, sizeof *x)), *y = xmalloc(xmul((size_t)n + 1, sizeof *y));
        for (int i = 0; i < n; i++) {
            x[i] = i;
            y[i] = s[k].mean[i] > 0 ? log10(s[k].mean[i]) : -300;
        }
        plcol0(2 + k % NCOLORS);
        plwidth(2);
        plline(n, x, y);
        plpoin(n, x, y, 17);
        free(x);
        free(y);
    }
    if (ns > 1) {
        /* the legend, bottom right inside the frame (where a vanishing
         * series has already risen): a swatch and a name */
        plwidth(1);
        for (int k = 0; k < ns; k++) {
            double yk = ymin + (ymax - ymin) * (0.06 + 0.06 * (ns - 1 - k));
            double xs[2] = {nmax * 0.62, nmax * 0.67};
            double ys[2] = {yk, yk};
            plcol0(2 + k % NCOLORS);
            plwidth(3);
            plline(2, xs, ys);
            plcol0(1);
            plptex(xs[1] + nmax * 0.01, yk, 1, 0, 0, s[k].network);
        }
    }
    plend();
}

int vanish_compute(Numbers *n, int of, VanishSeries *out)
{
    const Graph *g = n->g;
    memset(out, 0, sizeof *out);
    if (g->kind != B_NETWORK) {
        pg_error("vanish: %s is a graph; weight layers belong to networks", g->name);
        return -1;
    }
    double loss;
    if (numbers_forward(n, of, &loss) < 0)
        return -1;
    double *adj = xmalloc(xmul((size_t)g->nnodes + 1, sizeof *adj));
    numbers_reverse(n, of, adj);
    /* one row a family of weights, in the order of their nodes: a plain
     * family by the layer it comes from, w[L]; NAME[L]; a shared NAME */
    int nf = g->nfamilies;
    int *fam = xmalloc(xmul((size_t)nf + 1, sizeof *fam));
    for (int f = 0; f < nf; f++)
        fam[f] = f;
    for (int i = 1; i < nf; i++)             /* by first node: a few, sorted in place */
        for (int k = i; k > 0 && g->families[fam[k - 1]].w0 > g->families[fam[k]].w0; k--) {
            int t = fam[k];
            fam[k] = fam[k - 1];
            fam[k - 1] = t;
        }
    out->network = xstrdup(g->name);
    out->of = xstrdup(node_name(g, of) ? node_name(g, of) : "Loss");
    out->loss = loss;
    out->n = nf;
    out->mean = xcalloc((size_t)nf + 1, sizeof *out->mean);
    out->count = xcalloc((size_t)nf + 1, sizeof *out->count);
    out->label = xcalloc((size_t)nf + 1, sizeof *out->label);
    out->uses = xcalloc((size_t)nf + 1, sizeof *out->uses);
    out->nuses = xcalloc((size_t)nf + 1, sizeof *out->nuses);
    for (int i = 0; i < nf; i++) {
        const Family *F = &g->families[fam[i]];
        int nw = F->rows * F->cols;
        double s = 0;
        for (int k = 0; k < nw; k++)
            s += fabs(adj[F->w0 + k]);
        out->mean[i] = s / nw;
        out->count[i] = nw;
        Buf b = {0};
        if (strcmp(F->name, "w") == 0)
            buf_puts(&b, g->layers[F->from].label);
        else if (F->shared)
            buf_puts(&b, F->name);
        else
            buf_printf(&b, "%s[%s]", F->name, g->layers[F->from].label);
        out->label[i] = xstrdup(buf_cstr(&b));
        buf_free(&b);
        if (!F->shared || F->nuses < 2)
            continue;
        /* a shared family's uses: the part of dL/dW through each layer it
         * feeds, d L / d x * y on that layer's junction edges */
        out->uses[i] = xcalloc((size_t)F->nuses, sizeof *out->uses[i]);
        double *part = xcalloc((size_t)nw * (size_t)F->nuses, sizeof *part);
        for (int k = 0; k < g->nedges; k++) {
            const Edge *e = &g->edges[k];
            if (e->kind != E_JW || e->to < F->w0 || e->to >= F->w0 + nw)
                continue;
            int layer = g->nodes[e->from].layer, u = 0;
            while (u < out->nuses[i] && out->uses[i][u].layer != layer)
                u++;
            if (u == out->nuses[i]) {
                if (u == F->nuses)
                    continue;           /* cannot happen: nuses counts them */
                out->uses[i][out->nuses[i]++].layer = layer;
            }
            part[(size_t)u * (size_t)nw + (size_t)(e->to - F->w0)] += adj[e->from] * numbers_local(n, k);
        }
        for (int u = 0; u < out->nuses[i]; u++) {
            double s2 = 0;
            for (int k = 0; k < nw; k++)
                s2 += fabs(part[(size_t)u * (size_t)nw + (size_t)k]);
            out->uses[i][u].mean = s2 / nw;
            out->uses[i][u].label = xstrdup(g->layers[out->uses[i][u].layer].label);
        }
        free(part);
    }
    free(fam);
    free(adj);
    if (nf == 0) {
        pg_error("vanish: network %s has no weights", g->name);
        return -1;
    }
    return 0;
}

void vanish_series_free(VanishSeries *s)
{
    for (int i = 0; i < s->n; i++) {
        free(s->label ? s->label[i] : NULL);
        for (int u = 0; s->uses && u < s->nuses[i]; u++)
            free(s->uses[i][u].label);
        free(s->uses ? s->uses[i] : NULL);
    }
    free(s->label);
    free(s->uses);
    free(s->nuses);
    free(s->mean);
    free(s->count);
    free(s->network);
    free(s->of);
    memset(s, 0, sizeof *s);
}

static void write_text(const VanishSeries *s, FILE *out)
{
    fprintf(out, "network %s: mean |d%s/dw| of each weight layer (loss %.6g)\n\n", s->network, s->of, s->loss);
    fprintf(out, "%-12s %8s %16s %9s %12s\n", "layer", "weights", "mean |dL/dw|", "log10", "vs the last");
    double last = s->mean[s->n - 1];
    for (int i = 0; i < s->n; i++) {
        fprintf(out, "%-12s %8d %16.6g %9.2f %12.3g\n", s->label[i], s->count[i], s->mean[i],
                s->mean[i] > 0 ? log10(s->mean[i]) : -INFINITY, last > 0 ? s->mean[i] / last : 0);
        for (int u = 0; u < s->nuses[i]; u++) {
            double m = s->uses[i][u].mean;
            char lab[64];
            snprintf(lab, sizeof lab, "  @ %s", s->uses[i][u].label);
            fprintf(out, "%-12s %8d %16.6g %9.2f %12.3g\n", lab, s->count[i], m, m > 0 ? log10(m) : -INFINITY,
                    last > 0 ? m / last : 0);
        }
    }
}

static void write_json(const VanishSeries *s, FILE *out)
{
    fprintf(out, "{\"network\": \"%s\", \"loss\": %.17g, \"layers\": [", s->network, s->loss);
    for (int i = 0; i < s->n; i++) {
        fprintf(out, "%s\n  {\"layer\": \"%s\", \"weights\": %d, \"mean_abs_grad\": %.17g", i ? "," : "",
                s->label[i], s->count[i], s->mean[i]);
        if (s->nuses[i]) {
            fputs(", \"uses\": [", out);
            for (int u = 0; u < s->nuses[i]; u++)
                fprintf(out, "%s{\"layer\": \"%s\", \"mean_abs_grad\": %.17g}", u ? ", " : "", s->uses[i][u].label,
                        s->uses[i][u].mean);
            fputc(']', out);
        }
        fputc('}', out);
    }
    fputs("]}\n", out);
}

int vanish_write_all(const VanishSeries *s, int ns, VanishFormat fmt, FILE *out)
{
    if (fmt == VANISH_TEXT) {
        for (int k = 0; k < ns; k++) {
            if (k)
                fputc('\n', out);
            write_text(&s[k], out);
        }
        return 0;
    }
    if (fmt == VANISH_JSON) {
        /* one object a network, one after the other (as derive's JSON) */
        for (int k = 0; k < ns; k++)
            write_json(&s[k], out);
        return 0;
    }
    /* PLplot writes a file of its own: a private one, copied out */
    char tmpl[] = "/tmp/pathgrad-vanish-XXXXXX";
    int fd = mkstemp(tmpl);
    if (fd < 0) {
        pg_error("vanish: cannot make a temporary file: %s", strerror(errno));
        return -1;
    }
    close(fd);
    chart(s, ns, tmpl);
    FILE *f = fopen(tmpl, "rb");
    int rc = 0;
    if (!f) {
        pg_error("vanish: PLplot wrote no chart");
        rc = -1;
    } else {
        char buf[65536];
        size_t k;
        while ((k = fread(buf, 1, sizeof buf, f)) > 0)
            fwrite(buf, 1, k, out);
        fclose(f);
    }
    unlink(tmpl);
    return rc;
}

int vanish_write(Numbers *n, int of, VanishFormat fmt, FILE *out)
{
    VanishSeries s;
    int rc = vanish_compute(n, of, &s);
    if (rc == 0)
        rc = vanish_write_all(&s, 1, fmt, out);
    vanish_series_free(&s);
    return rc;
}
