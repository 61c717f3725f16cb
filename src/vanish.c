/* vanish.c — the mean |dLoss/dw| of every weight layer: the article's
 * thesis in numbers.  The chart is drawn by PLplot's SVG driver. */
#define _POSIX_C_SOURCE 200809L
#include "eval.h"

#include <errno.h>
#include <math.h>
#include <plplot.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* one use of a shared family: the layer it feeds, the mean |part| */
typedef struct Use {
    int layer;
    double mean;
} Use;

/* draw LOG10 (one point a weight layer) to PATH */
static int chart(const Graph *g, const int *layer, const double *log10m, int n, const char *path)
{
    double *x = xmalloc(xmul((size_t)n + 1, sizeof *x));
    double ymin = 0, ymax = 0;
    for (int i = 0; i < n; i++) {
        x[i] = i;
        if (i == 0 || log10m[i] < ymin)
            ymin = log10m[i];
        if (i == 0 || log10m[i] > ymax)
            ymax = log10m[i];
    }
    ymin = floor(ymin) - 0.5;
    ymax = ceil(ymax) + 0.5;
    plsdev("svg");
    plsfnam(path);
    plspage(0, 0, 800, 480, 0, 0);
    plscolbg(255, 255, 255);
    plscol0(1, 40, 40, 40);       /* axes, labels */
    plscol0(2, 214, 39, 40);      /* the line: the highlight red */
    plinit();
    plcol0(1);
    /* y: log10 of the mean, a labelled tick every STEP decades (about ten) */
    double step = ceil((ymax - ymin) / 10);
    plenv(-0.5, n - 0.5, ymin, ymax, 0, -2);
    plbox("bcnst", 0, 0, "bcnstv", step < 1 ? 1 : step, 0);
    char title[256];
    snprintf(title, sizeof title, "%s: mean |dLoss/dw| of each weight layer", g->name);
    pllab("weight layer (inputs left, loss right)", "log#d10#u mean |dLoss/dw|", title);
    plcol0(2);
    plwidth(2);
    plline(n, x, (PLFLT *)log10m);
    plpoin(n, x, (PLFLT *)log10m, 17);
    (void)layer;
    plend();
    free(x);
    return 0;
}

int vanish_write(Numbers *n, int of, VanishFormat fmt, FILE *out)
{
    const Graph *g = n->g;
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
    int nl = 0, nf = g->nfamilies;
    int *fam = xmalloc(xmul((size_t)nf + 1, sizeof *fam));
    double *mean = xcalloc((size_t)nf + 1, sizeof *mean);
    int *count = xcalloc((size_t)nf + 1, sizeof *count);
    char **label = xcalloc((size_t)nf + 1, sizeof *label);
    for (int f = 0; f < nf; f++)
        fam[nl++] = f;
    for (int i = 1; i < nl; i++)             /* by first node: a few, sorted in place */
        for (int k = i; k > 0 && g->families[fam[k - 1]].w0 > g->families[fam[k]].w0; k--) {
            int t = fam[k];
            fam[k] = fam[k - 1];
            fam[k - 1] = t;
        }
    for (int i = 0; i < nl; i++) {
        const Family *F = &g->families[fam[i]];
        int nw = F->rows * F->cols;
        double s = 0;
        for (int k = 0; k < nw; k++)
            s += fabs(adj[F->w0 + k]);
        mean[i] = s / nw;
        count[i] = nw;
        Buf b = {0};
        if (strcmp(F->name, "w") == 0)
            buf_puts(&b, g->layers[F->from].label);
        else if (F->shared)
            buf_puts(&b, F->name);
        else
            buf_printf(&b, "%s[%s]", F->name, g->layers[F->from].label);
        label[i] = xstrdup(buf_cstr(&b));
        buf_free(&b);
    }
    /* a shared family's uses: the part of dL/dW through each layer it
     * feeds, d L / d x * y on that layer's junction edges */
    Use **uses = xcalloc((size_t)nl + 1, sizeof *uses);
    int *nuses = xcalloc((size_t)nl + 1, sizeof *nuses);
    for (int i = 0; i < nl; i++) {
        const Family *F = &g->families[fam[i]];
        if (!F->shared || F->nuses < 2)
            continue;
        int nw = F->rows * F->cols;
        uses[i] = xcalloc((size_t)F->nuses, sizeof *uses[i]);
        double *part = xcalloc((size_t)nw * (size_t)F->nuses, sizeof *part);
        for (int k = 0; k < g->nedges; k++) {
            const Edge *e = &g->edges[k];
            if (e->kind != E_JW || e->to < F->w0 || e->to >= F->w0 + nw)
                continue;
            int layer = g->nodes[e->from].layer, u = 0;
            while (u < nuses[i] && uses[i][u].layer != layer)
                u++;
            if (u == nuses[i]) {
                if (u == F->nuses)
                    continue;           /* cannot happen: nuses counts them */
                uses[i][nuses[i]++].layer = layer;
            }
            part[(size_t)u * (size_t)nw + (size_t)(e->to - F->w0)] += adj[e->from] * numbers_local(n, k);
        }
        for (int u = 0; u < nuses[i]; u++) {
            double s = 0;
            for (int k = 0; k < nw; k++)
                s += fabs(part[(size_t)u * (size_t)nw + (size_t)k]);
            uses[i][u].mean = s / nw;
        }
        free(part);
    }
    int rc = 0;
    if (nl == 0) {
        pg_error("vanish: network %s has no weights", g->name);
        rc = -1;
    } else if (fmt == VANISH_JSON) {
        fprintf(out, "{\"network\": \"%s\", \"loss\": %.17g, \"layers\": [", g->name, loss);
        for (int i = 0; i < nl; i++) {
            fprintf(out, "%s\n  {\"layer\": \"%s\", \"weights\": %d, \"mean_abs_grad\": %.17g",
                    i ? "," : "", label[i], count[i], mean[i]);
            if (nuses[i]) {
                fputs(", \"uses\": [", out);
                for (int u = 0; u < nuses[i]; u++)
                    fprintf(out, "%s{\"layer\": \"%s\", \"mean_abs_grad\": %.17g}", u ? ", " : "",
                            g->layers[uses[i][u].layer].label, uses[i][u].mean);
                fputc(']', out);
            }
            fputc('}', out);
        }
        fputs("]}\n", out);
    } else if (fmt == VANISH_TEXT) {
        fprintf(out, "network %s: mean |d%s/dw| of each weight layer (loss %.6g)\n\n", g->name,
                node_name(g, of) ? node_name(g, of) : "Loss", loss);
        fprintf(out, "%-12s %8s %16s %9s %12s\n", "layer", "weights", "mean |dL/dw|", "log10", "vs the last");
        for (int i = 0; i < nl; i++) {
            fprintf(out, "%-12s %8d %16.6g %9.2f %12.3g\n", label[i], count[i], mean[i],
                    mean[i] > 0 ? log10(mean[i]) : -INFINITY, mean[nl - 1] > 0 ? mean[i] / mean[nl - 1] : 0);
            for (int u = 0; u < nuses[i]; u++) {
                double m = uses[i][u].mean;
                char lab[64];
                snprintf(lab, sizeof lab, "  @ %s", g->layers[uses[i][u].layer].label);
                fprintf(out, "%-12s %8d %16.6g %9.2f %12.3g\n", lab, count[i], m, m > 0 ? log10(m) : -INFINITY,
                        mean[nl - 1] > 0 ? m / mean[nl - 1] : 0);
            }
        }
    } else {
        /* PLplot writes a file of its own: a private one, copied out */
        double *lg = xmalloc(xmul((size_t)nl, sizeof *lg));
        for (int i = 0; i < nl; i++)
            lg[i] = mean[i] > 0 ? log10(mean[i]) : -300;
        char tmpl[] = "/tmp/pathgrad-vanish-XXXXXX";
        int fd = mkstemp(tmpl);
        if (fd < 0) {
            pg_error("vanish: cannot make a temporary file: %s", strerror(errno));
            rc = -1;
        } else {
            close(fd);
            chart(g, fam, lg, nl, tmpl);
            FILE *f = fopen(tmpl, "rb");
            char buf[65536];
            size_t k;
            if (!f) {
                pg_error("vanish: PLplot wrote no chart");
                rc = -1;
            } else {
                while ((k = fread(buf, 1, sizeof buf, f)) > 0)
                    fwrite(buf, 1, k, out);
                fclose(f);
            }
            unlink(tmpl);
        }
        free(lg);
    }
    free(adj);
    for (int i = 0; i < nl; i++) {
        free(label[i]);
        free(uses[i]);
    }
    free(uses);
    free(nuses);
    free(label);
    free(fam);
    free(mean);
    free(count);
    return rc;
}
