/* fuzz_values.c — libFuzzer target: the VALUES-file parser (eval --values)
 * and the command-line reference parser (--wrt/--of/--node text).
 *
 * Three fixed blocks are built once: a network with biases and an mse loss,
 * a network with a sum loss, and a scalar graph.  Each input is loaded as
 * a VALUES file for each block (numbers_load reads a path: the bytes go to
 * a memfd, read back through /proc/self/fd), and when it loads and is
 * complete, evaluated; each of its first lines is also resolved as a
 * command-line reference.  stderr goes to /dev/null unless FUZZ_VERBOSE.
 */
#define _GNU_SOURCE
#include "ast.h"
#include "eval.h"
#include "graph.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const char net_text[] =
    "network m {\n"
    "    layer in : 2;\n"
    "    layer h : 3 tanh bias;\n"
    "    layer out : 2 sigmoid = dense(h) bias;\n"
    "    loss L = mse;\n"
    "}\n"
    "network s {\n"
    "    layer n-2 : 2;\n"
    "    layer n-1 : 2 relu;\n"
    "    layer n : 2 relu = dense(n-1) + skip(n-1);\n"
    "    loss Loss;\n"
    "}\n"
    "graph g {\n"
    "    input x, y;\n"
    "    m = f(x) * y;\n"
    "    n = log(x) + sqrt(y) ^ 2;\n"
    "    F = h(m, n) + 2 * sin(m) / exp(n);\n"
    "}\n";

#define NG 3
static Source src;
static Arena arena;
static Program prog;
static Graph graphs[NG];
static int ngraphs;
static FILE *devnull;
static int memfd = -1;
static char mempath[64];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void silent(void *ctx, const Diag *d)
{
    (void)ctx;
    (void)d;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    devnull = fopen("/dev/null", "w");
    source_from_string(&src, "fixed.net", net_text, sizeof net_text - 1);
    if (!devnull || parse_program(&src, &arena, &prog) < 0)
        abort();
    for (const Block *b = prog.blocks; b && ngraphs < NG; b = b->next)
        if (graph_build(&graphs[ngraphs++], &src, b) < 0)
            abort();
    memfd = memfd_create("values", 0);
    if (memfd < 0)
        abort();
    snprintf(mempath, sizeof mempath, "/proc/self/fd/%d", memfd);
    /* pathgrad's messages (and Graphviz's, which render routes to them)
     * go through diag's sink: silence it.  libFuzzer and the sanitizers
     * write to fd 2 and stay visible. */
    if (!getenv("FUZZ_VERBOSE"))
        diag_set_sink((DiagSink){silent, NULL});
    return 0;
}

static int put_input(const uint8_t *data, size_t size)
{
    if (ftruncate(memfd, 0) < 0)
        return -1;
    size_t off = 0;
    while (off < size) {
        ssize_t w = pwrite(memfd, data + off, size - off, (off_t)off);
        if (w <= 0)
            return -1;
        off += (size_t)w;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 64 * 1024 || put_input(data, size) < 0)
        return 0;
    for (int i = 0; i < ngraphs; i++) {
        const Graph *g = &graphs[i];
        Numbers n;
        numbers_init(&n, g);
        if (numbers_load(&n, mempath) == 0) {
            int of = g->kind == B_NETWORK ? g->loss : g->output;
            if (numbers_complete(&n, "fuzz") == 0) {
                EvalOpts eo = {of, (size & 1) != 0, true};
                eval_write(&n, &eo, devnull);
            } else {
                /* what the CLI does not do: fill in the rest and go on */
                numbers_seed(&n, size);
                EvalOpts eo = {of, false, false};
                eval_write(&n, &eo, devnull);
            }
        }
        numbers_free(&n);
    }
    /* the first lines, as command-line references */
    char line[600];
    size_t pos = 0;
    for (int k = 0; k < 4 && pos < size; k++) {
        size_t len = 0;
        while (pos < size && data[pos] != '\n') {
            if (len + 1 < sizeof line)
                line[len++] = (char)data[pos];
            pos++;
        }
        pos++;
        line[len] = '\0';
        for (int i = 0; i < ngraphs; i++)
            graph_resolve_text(&graphs[i], line, "--wrt");
    }
    return 0;
}
