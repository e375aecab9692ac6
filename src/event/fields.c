/*
 * fields.c — the field registry: names interned to small ids (fields.def first, then
 * names that rules and queries add at load), looked up through an open-addressing hash
 * table. Interning happens at start-up or rule load, under a mutex; lookups take no
 * lock, which is safe because the table only grows before field_registry_freeze and
 * entries never move (the table is sized for FIELD_MAX_IDS up front).
 */
#include "event/event.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#define TABLE_SIZE 8192 /* power of two, > 2 * FIELD_MAX_IDS */

static const char *builtin_names[FIELD_BUILTIN_COUNT] = {
    [FIELD_NONE] = NULL,
    [FIELD_EXTRA] = NULL,
#define X(ident, name) [FIELD_##ident] = name,
#include "event/fields.def"
#undef X
};

static const char *names[FIELD_MAX_IDS];
static size_t name_lens[FIELD_MAX_IDS];
static _Atomic uint16_t table[TABLE_SIZE]; /* 0 = empty, else field id */
static atomic_uint count;
static bool frozen;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static uint16_t find(const char *name, size_t len, size_t *slot)
{
    size_t i = hash64(name, len, 0x5eed) & (TABLE_SIZE - 1);
    for (;;) {
        uint16_t id = atomic_load_explicit(&table[i], memory_order_acquire);
        if (!id) {
            if (slot)
                *slot = i;
            return FIELD_NONE;
        }
        if (name_lens[id] == len && !memcmp(names[id], name, len))
            return id;
        i = (i + 1) & (TABLE_SIZE - 1);
    }
}

/* Adds name (stored, not copied: callers pass static or heap-owned strings). */
static int add(const char *name, size_t len, uint16_t *out)
{
    size_t slot;
    uint16_t id = find(name, len, &slot);
    if (id) {
        *out = id;
        return 0;
    }
    unsigned n = atomic_load(&count);
    if (n >= FIELD_MAX_IDS)
        return ERR_FULL;
    names[n] = name;
    name_lens[n] = len;
    atomic_store(&count, n + 1);
    atomic_store_explicit(&table[slot], (uint16_t)n, memory_order_release);
    *out = (uint16_t)n;
    return 0;
}

static void init_once(void)
{
    atomic_store(&count, FIELD_EXTRA + 1);
    for (unsigned i = FIELD_EXTRA + 1; i < FIELD_BUILTIN_COUNT; i++) {
        uint16_t id;
        /* Builtin ids must equal their enum values: they are added in order. */
        add(builtin_names[i], strlen(builtin_names[i]), &id);
    }
}

void field_registry_init(void)
{
    pthread_once(&once, init_once);
}

int field_intern(const char *name, size_t len, uint16_t *out)
{
    field_registry_init();
    if (!len || len > EVENT_MAX_EXTRA_NAME)
        return ERR_INVAL;
    pthread_mutex_lock(&lock);
    int rc;
    uint16_t id = find(name, len, NULL);
    if (id) {
        *out = id;
        rc = 0;
    } else if (frozen) {
        rc = ERR_FULL;
    } else {
        char *copy = mem_strndup(name, len); /* lives as long as the process */
        rc = copy ? add(copy, len, out) : ERR_NOMEM;
        if (rc)
            mem_free(copy);
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

uint16_t field_lookup(const char *name, size_t len)
{
    field_registry_init();
    return find(name, len, NULL);
}

const char *field_name(uint16_t id)
{
    field_registry_init();
    return id > FIELD_EXTRA && id < atomic_load(&count) ? names[id] : NULL;
}

void field_registry_freeze(void)
{
    pthread_mutex_lock(&lock);
    frozen = true;
    pthread_mutex_unlock(&lock);
}
