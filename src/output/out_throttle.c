/*
 * out_throttle.c — updates of a merged alert go out at most once a minute (output.h):
 * a brute force adding a hit every second would otherwise send sixty messages a minute.
 * An update within the minute is held (the latest replaces the earlier) and released
 * when the minute is over, so the receivers end up with the alert's last state.
 *
 * The table is 4-way set associative, 16,384 sets (65,536 alerts, 1.5 MiB): an alert id
 * picks its set, a full set gives its slot sent longest ago to the newcomer, releasing
 * the update it held (sent early rather than lost). Writer thread only.
 */
#include "output/output.h"

#define WAYS 4

struct slot {
    uint64_t id; /* 0: free (an alert id of 0 is stored as 1) */
    int64_t sent_mono;
    struct output_alert *held; /* the latest update not yet sent, or NULL */
};

struct output_throttle {
    struct slot *slots; /* OUTPUT_THROTTLE_SETS x WAYS */
    size_t held;
};

/* See output.h. */
struct output_throttle *output_throttle_new(void)
{
    struct output_throttle *t = mem_calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->slots = mem_calloc((size_t)OUTPUT_THROTTLE_SETS * WAYS, sizeof *t->slots);
    if (!t->slots) {
        mem_free(t);
        return NULL;
    }
    return t;
}

/* See output.h. */
void output_throttle_free(struct output_throttle *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < (size_t)OUTPUT_THROTTLE_SETS * WAYS; i++)
        output_alert_unref(t->slots[i].held);
    mem_free(t->slots);
    mem_free(t);
}

/* See output.h. */
bool output_throttle_pass(struct output_throttle *t, struct output_alert *a, int64_t now_mono,
                          struct output_alert **evicted)
{
    *evicted = NULL;
    uint64_t id = a->id ? a->id : 1;
    struct slot *set = &t->slots[(hash_mix(id, 0x6f7574707574ULL) % OUTPUT_THROTTLE_SETS) * WAYS];
    struct slot *s = NULL, *oldest = &set[0];
    for (int w = 0; w < WAYS; w++) {
        if (set[w].id == id) {
            s = &set[w];
            break;
        }
        if (!set[w].id || (oldest->id && set[w].sent_mono < oldest->sent_mono))
            oldest = &set[w];
    }
    if (s && !a->is_new && now_mono - s->sent_mono < OUTPUT_UPDATE_EVERY_NS) {
        if (s->held)
            output_alert_unref(s->held);
        else
            t->held++;
        output_alert_ref(a);
        s->held = a;
        return false;
    }
    if (!s) {
        s = oldest;
        if (s->held) {
            *evicted = s->held;
            t->held--;
        }
        s->held = NULL;
        s->id = id;
    } else if (s->held) { /* a new alert with this id again (reopened): the old hold goes */
        output_alert_unref(s->held);
        s->held = NULL;
        t->held--;
    }
    s->sent_mono = now_mono;
    return true;
}

/* See output.h. */
void output_throttle_due(struct output_throttle *t, int64_t now_mono, bool all,
                         void (*fn)(void *ctx, struct output_alert *a), void *ctx)
{
    for (size_t i = 0; t->held && i < (size_t)OUTPUT_THROTTLE_SETS * WAYS; i++) {
        struct slot *s = &t->slots[i];
        if (!s->held || (!all && now_mono - s->sent_mono < OUTPUT_UPDATE_EVERY_NS))
            continue;
        struct output_alert *a = s->held;
        s->held = NULL;
        s->sent_mono = now_mono;
        t->held--;
        fn(ctx, a);
    }
}

/* See output.h. */
size_t output_throttle_held(const struct output_throttle *t)
{
    return t->held;
}
