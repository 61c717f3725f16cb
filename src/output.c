/* output.c — see output.h. */
#define _POSIX_C_SOURCE 200809L
#include "output.h"
#include "diag.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* the temporary file being written, removed if a signal ends the run
 * (SIGINT, SIGTERM, SIGHUP, SIGXFSZ): an interrupted -o leaves nothing.
 * The handler only reads the pointer (set once the name is complete) and
 * calls unlink, which is async-signal-safe. */
static const char *volatile pending_tmp;

static void on_signal(int sig)
{
    const char *p = pending_tmp;
    if (p)
        unlink(p);
    signal(sig, SIG_DFL);
    raise(sig);
}

static void guard(const char *tmp)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGXFSZ};
    static bool installed;
    if (!installed) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
            struct sigaction old;
            /* a signal the shell ignores (nohup, &) stays ignored */
            if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
                sigaction(sigs[i], &sa, NULL);
        }
        installed = true;
    }
    pending_tmp = tmp;
}

int output_open(Output *o, const char *path)
{
    memset(o, 0, sizeof *o);
    if (!path || strcmp(path, "-") == 0) {
        o->f = stdout;
        return 0;
    }
    o->path = path;
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        if (S_ISDIR(st.st_mode)) {
            pg_error("cannot write '%s': it is a directory", path);
            return -1;
        }
        o->f = fopen(path, "w");
        if (!o->f) {
            pg_error("cannot write '%s': %s", path, strerror(errno));
            return -1;
        }
        return 0;
    }
    size_t n = strlen(path);
    o->tmp = xmalloc(n + 16);
    snprintf(o->tmp, n + 16, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(o->tmp);
    if (fd < 0) {
        pg_error("cannot write '%s': %s", path, strerror(errno));
        free(o->tmp);
        o->tmp = NULL;
        return -1;
    }
    /* mkstemp makes 0600; a new output file gets the usual permissions */
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    guard(o->tmp);
    o->f = fdopen(fd, "w");
    if (!o->f) {
        pending_tmp = NULL;
        pg_error("cannot write '%s': %s", path, strerror(errno));
        close(fd);
        unlink(o->tmp);
        free(o->tmp);
        o->tmp = NULL;
        return -1;
    }
    return 0;
}

int output_close(Output *o, bool ok)
{
    int rc = 0;
    const char *shown = o->path ? o->path : "standard output";
    if (!o->f)
        return ok ? 0 : -1;
    if (fflush(o->f) != 0 || ferror(o->f)) {
        if (ok)
            pg_error("cannot write %s%s%s: %s", o->path ? "'" : "", shown,
                    o->path ? "'" : "", strerror(errno ? errno : EIO));
        rc = -1;
    }
    if (o->f != stdout) {
        if (fclose(o->f) != 0 && rc == 0) {
            if (ok)
                pg_error("cannot write '%s': %s", shown, strerror(errno));
            rc = -1;
        }
    }
    o->f = NULL;
    if (o->tmp) {
        if (ok && rc == 0) {
            if (rename(o->tmp, o->path) != 0) {
                pg_error("cannot write '%s': %s", o->path, strerror(errno));
                rc = -1;
            }
        }
        if (!ok || rc != 0)
            unlink(o->tmp);
        pending_tmp = NULL;
        free(o->tmp);
        o->tmp = NULL;
    }
    return ok ? rc : -1;
}
