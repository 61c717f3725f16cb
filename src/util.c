/* util.c — see util.h. */
#define _DEFAULT_SOURCE
#include "util.h"
#include "diag.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <sys/mman.h>

void pg_fatal(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pg_verror(fmt, ap);
    va_end(ap);
    exit(1);
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        pg_fatal("out of memory (%zu bytes)", n);
    return p;
}

void *xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        pg_fatal("out of memory (%zu x %zu bytes)", count, size);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        pg_fatal("out of memory (%zu bytes)", n);
    return q;
}

void *xgrow(void *p, int n, int *cap, size_t size)
{
    if (n < *cap)
        return p;
    size_t c = *cap > 0 ? (size_t)*cap : 8;
    while (c <= (size_t)n)
        c *= 2;
    if (c > (size_t)0x7fffffff)
        pg_fatal("out of memory (an array of %zu elements)", c);
    p = xrealloc(p, xmul(c, size));
    *cap = (int)c;
    return p;
}

void *xmalloc_big(size_t n)
{
    /* a large array is touched page by page as it fills: 2 MiB pages,
     * where the kernel gives them, make that 512 times fewer faults */
    if (n < ((size_t)8 << 20))
        return xmalloc(n);
    void *p = NULL;
    size_t huge = (size_t)2 << 20;
    if (posix_memalign(&p, huge, n) != 0 || !p)
        pg_fatal("out of memory (%zu bytes)", n);
#ifdef MADV_HUGEPAGE
    madvise(p, (n + huge - 1) & ~(huge - 1), MADV_HUGEPAGE);
#endif
    return p;
}

void *xcalloc_big(size_t count, size_t size)
{
    size_t n = xmul(count, size);
    if (n < ((size_t)8 << 20))
        return xcalloc(count, size);
    return memset(xmalloc_big(n), 0, n);
}

char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(xmalloc(n), s, n);
}

size_t xmul(size_t a, size_t b)
{
    if (b && a > SIZE_MAX / b)
        pg_fatal("size overflow (%zu x %zu)", a, b);
    return a * b;
}

/* ---- arena ---- */

struct ArenaBlock {
    ArenaBlock *next;
    size_t used, cap;
    _Alignas(16) unsigned char mem[];
};

#define ARENA_BLOCK 65536

void *arena_alloc(Arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    ArenaBlock *b = a->head;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > ARENA_BLOCK / 2 ? n : ARENA_BLOCK;
        b = xmalloc(sizeof *b + cap);
        b->cap = cap;
        b->used = 0;
        if (n > ARENA_BLOCK / 2 && a->head) {
            /* a big block goes behind the current one so that the
             * current one keeps serving small requests */
            b->next = a->head->next;
            a->head->next = b;
        } else {
            b->next = a->head;
            a->head = b;
        }
    }
    void *p = b->mem + b->used;
    b->used += n;
    memset(p, 0, n);
    return p;
}

char *arena_strndup(Arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(Arena *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

void arena_free(Arena *a)
{
    ArenaBlock *b = a->head;
    while (b) {
        ArenaBlock *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
}

/* ---- buffers ---- */

void buf_reserve(Buf *b, size_t extra)
{
    if (b->cap - b->len > extra)
        return;
    buf_grow(b, extra);
}

void buf_grow(Buf *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    if (need < b->len)
        pg_fatal("buffer overflow");
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = xmul(cap, 2);
    b->data = xrealloc(b->data, cap);
    b->cap = cap;
}

void buf_puts(Buf *b, const char *s) { buf_add(b, s, strlen(s)); }

void buf_putc(Buf *b, char c) { buf_add(b, &c, 1); }

void buf_vprintf(Buf *b, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0)
        pg_fatal("formatting failed");
    buf_reserve(b, (size_t)n);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void buf_printf(Buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void buf_truncate(Buf *b, size_t len)
{
    if (len < b->len) {
        b->len = len;
        b->data[len] = '\0';
    }
}

const char *buf_cstr(Buf *b)
{
    if (!b->data)
        buf_reserve(b, 0), b->data[0] = '\0';
    return b->data;
}

void buf_free(Buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void fmt_number(Buf *b, double v)
{
    if (v == 0) {
        buf_putc(b, '0');
        return;
    }
    if (isnan(v)) {
        buf_puts(b, "nan");
        return;
    }
    if (isinf(v)) {
        buf_puts(b, v < 0 ? "-inf" : "inf");
        return;
    }
    if (v == floor(v) && fabs(v) < 1e15) {
        buf_int(b, (long)v);
        return;
    }
    char tmp[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    buf_puts(b, tmp);
}

/* ---- string map ---- */

static size_t str_hash(const char *s)
{
    size_t h = 1469598103934665603ULL;     /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

int strmap_get(const StrMap *m, const char *key)
{
    if (!m->cap)
        return -1;
    for (size_t i = str_hash(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        if (!m->keys[i])
            return -1;
        if (strcmp(m->keys[i], key) == 0)
            return m->vals[i];
    }
}

void strmap_put(StrMap *m, const char *key, int val)
{
    if ((m->len + 1) * 2 > m->cap) {
        StrMap bigger = {0};
        bigger.cap = m->cap ? m->cap * 2 : 64;
        bigger.keys = xcalloc(bigger.cap, sizeof *bigger.keys);
        bigger.vals = xcalloc(bigger.cap, sizeof *bigger.vals);
        for (size_t i = 0; i < m->cap; i++)
            if (m->keys[i])
                strmap_put(&bigger, m->keys[i], m->vals[i]);
        strmap_free(m);
        *m = bigger;
    }
    size_t i = str_hash(key) & (m->cap - 1);
    while (m->keys[i] && strcmp(m->keys[i], key) != 0)
        i = (i + 1) & (m->cap - 1);
    if (!m->keys[i])
        m->len++;
    m->keys[i] = key;
    m->vals[i] = val;
}

void strmap_free(StrMap *m)
{
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}

void buf_int(Buf *b, long v)
{
    char tmp[24];
    int n = 0;
    unsigned long u = v < 0 ? 0UL - (unsigned long)v : (unsigned long)v;
    do
        tmp[n++] = (char)('0' + u % 10);
    while ((u /= 10) > 0);
    if (v < 0)
        tmp[n++] = '-';
    buf_reserve(b, (size_t)n);
    while (n > 0)
        b->data[b->len++] = tmp[--n];
    b->data[b->len] = '\0';
}
