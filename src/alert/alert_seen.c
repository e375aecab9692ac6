/*
 * alert_seen.c — the set behind `vigil_first_seen` (alert.h): 64-bit keys in an open-
 * addressing table (linear probing, at most half full, never shrinks: keys are only
 * added). Key 0 marks an empty slot, so a key that hashes to 0 is stored as 1.
 */
#include "alert/alert.h"
#include "event/event.h"

#include <string.h>

struct alert_seen {
    uint64_t *slots;
    size_t mask, n, max;
    uint64_t full;
};

/* See alert.h. */
struct alert_seen *alert_seen_new(size_t max)
{
    struct alert_seen *s = mem_calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->max = max ? max : 1000000;
    s->slots = mem_calloc(1024, sizeof *s->slots);
    if (!s->slots) {
        mem_free(s);
        return NULL;
    }
    s->mask = 1023;
    return s;
}

/* See alert.h. */
void alert_seen_free(struct alert_seen *s)
{
    if (!s)
        return;
    mem_free(s->slots);
    mem_free(s);
}

/* See alert.h. */
bool alert_seen_values(const char *const *fields, unsigned n, const struct event *ev,
                       struct slice *v)
{
    for (unsigned i = 0; i < n; i++)
        if (!event_get_named(ev, slice_cstr(fields[i]), &v[i]) || !v[i].len)
            return false;
    return true;
}

/* See alert.h. */
uint64_t alert_seen_key(const char *rule_id, const struct slice *v, unsigned n)
{
    uint64_t k = hash64(rule_id, strlen(rule_id), 0x66697273);
    for (unsigned i = 0; i < n; i++)
        k = hash_mix(k, hash64(v[i].p, v[i].len, i + 1));
    return k ? k : 1;
}

static void put(uint64_t *slots, size_t mask, uint64_t key)
{
    size_t i = key & mask;
    while (slots[i] && slots[i] != key)
        i = (i + 1) & mask;
    slots[i] = key;
}

/* See alert.h. */
bool alert_seen_add(struct alert_seen *s, uint64_t key)
{
    key = key ? key : 1;
    for (size_t i = key & s->mask; s->slots[i]; i = (i + 1) & s->mask)
        if (s->slots[i] == key)
            return false;
    if (s->n >= s->max) {
        s->full++;
        return true;
    }
    if ((s->n + 1) * 2 > s->mask + 1) {
        size_t nm = (s->mask + 1) * 2 - 1;
        uint64_t *t = mem_calloc(nm + 1, sizeof *t);
        if (!t) {
            s->full++;
            return true;
        }
        for (size_t i = 0; i <= s->mask; i++)
            if (s->slots[i])
                put(t, nm, s->slots[i]);
        mem_free(s->slots);
        s->slots = t;
        s->mask = nm;
    }
    put(s->slots, s->mask, key);
    s->n++;
    return true;
}

/* See alert.h. */
void alert_seen_counts(const struct alert_seen *s, size_t *held, uint64_t *full)
{
    *held = s->n;
    *full = s->full;
}
