/* fuzz_fmt.c — libFuzzer target for pathgrad fmt: every input that parses
 * is formatted; the result must parse again and format to itself.  Much
 * faster than the pipeline harness, so fmt gets many more executions. */
#include "fmt_invariant.h"

#include <stdint.h>
#include <stdio.h>

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
    /* parse errors go through diag's sink: silence it (the sanitizers
     * and libFuzzer write to fd 2 directly) */
    if (!getenv("FUZZ_VERBOSE"))
        diag_set_sink((DiagSink){silent, NULL});
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 64 * 1024)
        return 0;
    Source src;
    source_from_string(&src, "fuzz.net", (const char *)data, size);
    Arena arena = {0};
    Program prog;
    if (parse_program(&src, &arena, &prog) == 0)
        check_fmt(&src, &prog);
    arena_free(&arena);
    source_free(&src);
    return 0;
}
