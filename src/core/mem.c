/*
 * mem.c — the one allocation wrapper of Vigil. Every block carries a small header with
 * its size so that the bytes in use are accounted (mem_in_use) without a table, and a
 * test can make allocations fail after a count (mem_fail_after) to exercise the
 * failure paths.
 */
#include "core/core.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* 16 bytes keep the user pointer aligned for any type. */
struct mem_header {
    size_t size;
    size_t pad;
};

static atomic_size_t in_use;
static atomic_long fail_after = -1;

static bool should_fail(void)
{
    long n = atomic_load_explicit(&fail_after, memory_order_relaxed);
    if (n < 0)
        return false;
    if (n == 0)
        return true;
    atomic_fetch_sub_explicit(&fail_after, 1, memory_order_relaxed);
    return false;
}

void *mem_alloc(size_t n)
{
    if (n > SIZE_MAX - sizeof(struct mem_header) || should_fail())
        return NULL;
    struct mem_header *h = malloc(sizeof *h + n);
    if (!h)
        return NULL;
    h->size = n;
    atomic_fetch_add_explicit(&in_use, n, memory_order_relaxed);
    return h + 1;
}

void *mem_calloc(size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    void *p = mem_alloc(count * size);
    if (p)
        memset(p, 0, count * size);
    return p;
}

void *mem_realloc(void *p, size_t n)
{
    if (!p)
        return mem_alloc(n);
    if (n > SIZE_MAX - sizeof(struct mem_header) || should_fail())
        return NULL;
    struct mem_header *h = (struct mem_header *)p - 1;
    size_t old = h->size;
    struct mem_header *nh = realloc(h, sizeof *nh + n);
    if (!nh)
        return NULL;
    nh->size = n;
    atomic_fetch_add_explicit(&in_use, n, memory_order_relaxed);
    atomic_fetch_sub_explicit(&in_use, old, memory_order_relaxed);
    return nh + 1;
}

void mem_free(void *p)
{
    if (!p)
        return;
    struct mem_header *h = (struct mem_header *)p - 1;
    atomic_fetch_sub_explicit(&in_use, h->size, memory_order_relaxed);
    free(h);
}

int mem_grow(void **arr, size_t *cap, size_t n, size_t elem, size_t first)
{
    if (n < *cap)
        return 0;
    size_t nc = *cap ? *cap : (first ? first : 1);
    while (nc <= n) {
        if (nc > SIZE_MAX / 2)
            return ERR_NOMEM;
        nc *= 2;
    }
    if (elem && nc > SIZE_MAX / elem)
        return ERR_NOMEM;
    void *na = mem_realloc(*arr, nc * elem);
    if (!na)
        return ERR_NOMEM;
    *arr = na;
    *cap = nc;
    return 0;
}

char *mem_strndup(const char *s, size_t n)
{
    if (n == SIZE_MAX)
        return NULL;
    char *d = mem_alloc(n + 1);
    if (!d)
        return NULL;
    if (n)
        memcpy(d, s, n);
    d[n] = 0;
    return d;
}

char *mem_strdup(const char *s)
{
    return s ? mem_strndup(s, strlen(s)) : NULL;
}

size_t mem_in_use(void)
{
    return atomic_load_explicit(&in_use, memory_order_relaxed);
}

void mem_fail_after(long n)
{
    atomic_store(&fail_after, n);
}
