/*
 * detect_engine.c — builds the daemon's matching bundle (rules + compiled matcher +
 * refusals) and publishes it to the decode workers through a holder (see
 * detect_engine.h). The holder is a mutex around one pointer and a reference count per
 * engine: acquiring happens once per batch, so the lock is nowhere near the per-event
 * path, and a swap never waits for workers — the old engine simply lives until its last
 * batch lets go of it.
 */
#include "detect/detect_engine.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct collect {
    struct detect_engine *e;
    size_t cap;
    int err;
};

/*
 * Reasons name lines ("line 6: placeholder %admins% has no value"); a line number is
 * not part of a refusal's identity, or editing a file above a known refusal would make
 * it new. The next character of reason r from *i, with the digits of "line N" skipped;
 * 0 at the end.
 */
static char reason_next(const char *r, size_t *i)
{
    if (*i >= 5 && !memcmp(r + *i - 5, "line ", 5))
        while (r[*i] >= '0' && r[*i] <= '9')
            (*i)++;
    return r[*i] ? r[(*i)++] : 0;
}

static bool reason_eq(const char *a, const char *b)
{
    size_t i = 0, j = 0;
    for (;;) {
        char x = reason_next(a, &i), y = reason_next(b, &j);
        if (x != y)
            return false;
        if (!x)
            return true;
    }
}

static uint64_t refusal_key(const char *file, const char *id, const char *reason)
{
    uint64_t h = hash64(file, strlen(file), 0x72656673);
    h = hash_mix(h, hash64(id, strlen(id), 0x6964));
    size_t i = 0;
    char c;
    while ((c = reason_next(reason, &i)) != 0)
        h = hash_mix(h, (unsigned char)c);
    return h;
}

static void on_refusal(void *ctx, const struct detect_refusal *r)
{
    struct collect *c = ctx;
    struct detect_engine *e = c->e;
    if (c->err)
        return;
    if (e->nrefusals == DETECT_ENGINE_MAX_REFUSALS) {
        e->nrefusals_over++; /* at the cap: counted, not kept */
        return;
    }
    if (e->nrefusals == c->cap) {
        size_t nc = c->cap ? c->cap * 2 : 16;
        struct detect_engine_refusal *p = mem_realloc(e->refusals, nc * sizeof *p);
        if (!p) {
            c->err = ERR_NOMEM;
            return;
        }
        e->refusals = p;
        c->cap = nc;
    }
    const char *file = r->file ? r->file : "-", *id = r->id ? r->id : "-",
               *reason = r->reason ? r->reason : "";
    struct detect_engine_refusal *x = &e->refusals[e->nrefusals];
    x->file = mem_strdup(file);
    x->id = mem_strdup(id);
    x->reason = mem_strdup(reason);
    x->line = r->line;
    x->key = refusal_key(file, id, reason);
    if (!x->file || !x->id || !x->reason) {
        mem_free(x->file);
        mem_free(x->id);
        mem_free(x->reason);
        c->err = ERR_NOMEM;
        return;
    }
    e->nrefusals++;
}

/* A configured path must open: a directory with opendir, anything else with open. */
static int check_path(const char *p, char *err, size_t errlen)
{
    struct stat sb;
    int fd = -1;
    DIR *d = NULL;
    if (stat(p, &sb) != 0)
        goto fail;
    if (S_ISDIR(sb.st_mode)) {
        if (!(d = opendir(p)))
            goto fail;
        closedir(d);
        return 0;
    }
    if ((fd = open(p, O_RDONLY | O_CLOEXEC)) < 0)
        goto fail;
    close(fd);
    return 0;
fail:;
    int e = errno;
    snprintf(err, errlen, "rules path %s: %s", p, err_errno(e));
    return e == ENOENT || e == ENOTDIR ? ERR_NOTFOUND : ERR_IO;
}

static void engine_free(struct detect_engine *e)
{
    detect_matcher_free(e->matcher);
    detect_rules_free(e->rules);
    for (size_t i = 0; i < e->nrefusals; i++) {
        mem_free(e->refusals[i].file);
        mem_free(e->refusals[i].id);
        mem_free(e->refusals[i].reason);
    }
    mem_free(e->refusals);
    mem_free(e->stats);
    mem_free(e);
}

/* See detect_engine.h. */
int detect_engine_build(const struct detect_load_opts *opts, const char *const *paths, size_t n,
                        uint64_t generation, struct detect_engine **out, char *err, size_t errlen)
{
    *out = NULL;
    if (errlen)
        err[0] = 0;
    int rc;
    for (size_t i = 0; i < n; i++)
        if ((rc = check_path(paths[i], err, errlen)))
            return rc;
    struct detect_engine *e = mem_calloc(1, sizeof *e);
    if (!e)
        return ERR_NOMEM;
    atomic_init(&e->refs, 1);
    e->generation = generation;
    struct collect c = {.e = e};
    int64_t t0 = vtime_mono_ns();
    rc = detect_rules_load(opts, paths, n, on_refusal, &c, &e->rules, &e->load);
    if (rc == 0 && c.err)
        rc = c.err;
    if (rc)
        goto fail;
    int64_t t1 = vtime_mono_ns();
    e->load_ns = t1 - t0;
    size_t nrules = detect_rules_count(e->rules);
    e->stats = mem_calloc(nrules ? nrules : 1, sizeof *e->stats);
    if (!e->stats) {
        rc = ERR_NOMEM;
        goto fail;
    }
    rc = detect_matcher_compile(e->rules, &e->matcher, &e->compile, err, errlen);
    if (rc)
        goto fail;
    e->compile_ns = vtime_mono_ns() - t1;
    *out = e;
    return 0;
fail:
    if (rc == ERR_NOMEM)
        snprintf(err, errlen, "out of memory loading the rules");
    else if (errlen && !err[0])
        snprintf(err, errlen, "compiling the rules: %s", err_str(rc));
    engine_free(e);
    return rc;
}

/* See detect_engine.h. */
struct detect_engine *detect_engine_ref(struct detect_engine *e)
{
    atomic_fetch_add_explicit(&e->refs, 1, memory_order_relaxed);
    return e;
}

/* See detect_engine.h. */
void detect_engine_release(struct detect_engine *e)
{
    if (!e)
        return;
    /* acq_rel: every use of e by the releasing threads happens before the free */
    if (atomic_fetch_sub_explicit(&e->refs, 1, memory_order_acq_rel) == 1)
        engine_free(e);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* See detect_engine.h. */
size_t detect_engine_new_refusals(const struct detect_engine *cur, const struct detect_engine *next,
                                  detect_engine_refusal_fn fn, void *ctx)
{
    size_t nold = cur ? cur->nrefusals : 0;
    uint64_t *keys = nold ? mem_alloc(nold * sizeof *keys) : NULL;
    if (nold && !keys)
        nold = 0; /* no memory to compare: every refusal counts as new (the safe side) */
    for (size_t i = 0; i < nold; i++)
        keys[i] = cur->refusals[i].key;
    if (nold)
        qsort(keys, nold, sizeof *keys, cmp_u64);
    size_t fresh = 0;
    for (size_t i = 0; i < next->nrefusals; i++) {
        const struct detect_engine_refusal *r = &next->refusals[i];
        if (nold && bsearch(&r->key, keys, nold, sizeof *keys, cmp_u64)) {
            /* a hash equal by chance is checked against the strings */
            bool same = false;
            for (size_t j = 0; j < cur->nrefusals && !same; j++) {
                const struct detect_engine_refusal *o = &cur->refusals[j];
                same = o->key == r->key && !strcmp(o->file, r->file) && !strcmp(o->id, r->id) &&
                       reason_eq(o->reason, r->reason);
            }
            if (same)
                continue;
        }
        fresh++;
        if (fn)
            fn(ctx, r);
    }
    /* refusals past the cap cannot be compared: more of them than before counts */
    if (next->nrefusals_over > (cur ? cur->nrefusals_over : 0))
        fresh += next->nrefusals_over - (cur ? cur->nrefusals_over : 0);
    mem_free(keys);
    return fresh;
}

/* See detect_engine.h. */
void detect_engine_holder_init(struct detect_engine_holder *h)
{
    pthread_mutex_init(&h->mu, NULL);
    h->cur = NULL;
}

/* See detect_engine.h. */
void detect_engine_holder_fini(struct detect_engine_holder *h)
{
    detect_engine_release(h->cur);
    h->cur = NULL;
    pthread_mutex_destroy(&h->mu);
}

/* See detect_engine.h. */
struct detect_engine *detect_engine_acquire(struct detect_engine_holder *h)
{
    pthread_mutex_lock(&h->mu);
    struct detect_engine *e = h->cur ? detect_engine_ref(h->cur) : NULL;
    pthread_mutex_unlock(&h->mu);
    return e;
}

/* See detect_engine.h. */
void detect_engine_swap(struct detect_engine_holder *h, struct detect_engine *e)
{
    pthread_mutex_lock(&h->mu);
    struct detect_engine *old = h->cur;
    h->cur = e;
    pthread_mutex_unlock(&h->mu);
    detect_engine_release(old); /* outside the lock: freeing a big set takes a while */
}
