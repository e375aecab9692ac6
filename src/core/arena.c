/*
 * arena.c — a bump allocator for one batch of records. Chunks are kept across resets,
 * so a steady stream of batches allocates nothing after warm-up. At the cap,
 * arena_alloc returns NULL and the caller degrades (keeps the record unparsed).
 */
#include "core/core.h"

#include <string.h>

struct arena_chunk {
    struct arena_chunk *next;
    size_t size;
    size_t used;
    max_align_t data[];
};

void arena_init(struct arena *a, size_t chunk_size, size_t cap)
{
    a->head = NULL;
    a->chunk_size = chunk_size ? chunk_size : 64 * 1024;
    a->used = 0;
    a->cap = cap ? cap : SIZE_MAX;
}

void arena_fini(struct arena *a)
{
    struct arena_chunk *c = a->head;
    while (c) {
        struct arena_chunk *next = c->next;
        mem_free(c);
        c = next;
    }
    a->head = NULL;
    a->used = 0;
}

void arena_reset(struct arena *a)
{
    /* Keep only the largest chunk (the head after growth), to bound idle memory. */
    struct arena_chunk *keep = a->head;
    if (keep) {
        struct arena_chunk *c = keep->next;
        while (c) {
            struct arena_chunk *next = c->next;
            mem_free(c);
            c = next;
        }
        keep->next = NULL;
        keep->used = 0;
    }
    a->used = 0;
}

void *arena_alloc(struct arena *a, size_t n)
{
    const size_t align = _Alignof(max_align_t);
    if (n > SIZE_MAX - align)
        return NULL;
    n = (n + align - 1) & ~(align - 1);
    if (n > a->cap || a->used > a->cap - n)
        return NULL;
    struct arena_chunk *c = a->head;
    if (!c || c->size - c->used < n) {
        size_t size = a->chunk_size > n ? a->chunk_size : n;
        /* Grow geometrically so a big batch costs few chunks. */
        if (c && c->size * 2 > size && c->size * 2 >= n)
            size = c->size * 2;
        struct arena_chunk *nc = mem_alloc(sizeof *nc + size);
        if (!nc)
            return NULL;
        nc->size = size;
        nc->used = 0;
        nc->next = c;
        a->head = nc;
        c = nc;
    }
    void *p = (char *)c->data + c->used;
    c->used += n;
    a->used += n;
    return p;
}

char *arena_dup(struct arena *a, const void *p, size_t n)
{
    if (n == SIZE_MAX)
        return NULL;
    char *d = arena_alloc(a, n + 1);
    if (!d)
        return NULL;
    if (n)
        memcpy(d, p, n);
    d[n] = 0;
    return d;
}
