/* util.h — allocation, arenas and growable byte buffers.
 *
 * Ownership: xmalloc/xrealloc/xstrdup results belong to the caller (free()).
 * Everything allocated from an Arena lives until arena_free(); nothing in it
 * is freed one by one.  A Buf owns its bytes until buf_free().
 * Every allocation failure ends the program with a message naming pathgrad:
 * there is no partial recovery from out-of-memory.
 */
#ifndef PG_UTIL_H
#define PG_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define PG_NAME "pathgrad"
#define PG_VERSION "0.1.0"

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* the same for arrays of many MiB: aligned for, and advised to use, huge
 * pages (free() releases them as usual) */
void *xmalloc_big(size_t n);
void *xcalloc_big(size_t count, size_t size);
/* a*b, or exit with a message when it overflows size_t */
size_t xmul(size_t a, size_t b);
/* room for element N of the array P of elements of SIZE bytes whose
 * capacity is *CAP: the capacity doubles, so N appends cost O(N) */
void *xgrow(void *p, int n, int *cap, size_t size);
void pg_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

typedef struct ArenaBlock ArenaBlock;
typedef struct Arena {
    ArenaBlock *head;
} Arena;

void *arena_alloc(Arena *a, size_t n);            /* zeroed, 16-byte aligned */
char *arena_strdup(Arena *a, const char *s);
char *arena_strndup(Arena *a, const char *s, size_t n);
void arena_free(Arena *a);

typedef struct Buf {
    char *data;
    size_t len, cap;
} Buf;

void buf_reserve(Buf *b, size_t extra);
void buf_grow(Buf *b, size_t extra);     /* buf_reserve's slow path */
/* (inline: the expanded sum appends millions of pieces) */
static inline void buf_add(Buf *b, const char *s, size_t n)
{
    if (b->cap - b->len <= n)
        buf_grow(b, n);
    if (n)                   /* S may be NULL when N is 0 (an empty Buf's data) */
        memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}
void buf_puts(Buf *b, const char *s);
void buf_putc(Buf *b, char c);
void buf_printf(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(Buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
void buf_truncate(Buf *b, size_t len);
/* a decimal integer, without printf (names are printed millions of times) */
void buf_int(Buf *b, long v);
const char *buf_cstr(Buf *b);                    /* NUL-terminated view */
void buf_free(Buf *b);

/* shortest "%g"-style text that reads back as the same double; integers
 * without a decimal point */
void fmt_number(Buf *b, double v);



/* A map from strings to non-negative ints (open addressing).  Keys are
 * borrowed: they must outlive the map.  strmap_free releases the table. */
typedef struct StrMap {
    const char **keys;
    int *vals;
    size_t cap, len;
} StrMap;

int strmap_get(const StrMap *m, const char *key);          /* -1 if absent */
void strmap_put(StrMap *m, const char *key, int val);      /* insert or replace */
void strmap_free(StrMap *m);
#endif
