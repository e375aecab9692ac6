/*
 * audit_join.c — joins the records of one Linux audit event (dec_auditd.c).
 *
 * The kernel writes an event as several records sharing one stamp `audit(TIME:SERIAL)`:
 * SYSCALL first, then EXECVE, CWD, PATH, PROCTITLE, ... Each record stays an event of
 * its own (nothing is held back waiting for the rest, so nothing accepted can be lost
 * and file checkpoints stay exact), and each record after the SYSCALL carries the
 * SYSCALL's identity of the process (exe, comm, pid, ppid, uid, auid, ses, tty, key, the
 * syscall and its outcome): an EXECVE is then a whole process creation. A decode
 * context (one per worker thread; a sending host's records always reach the same
 * worker) remembers the last AUDIT_JOIN_SLOTS SYSCALL records, keyed by host and stamp.
 */
#include "decode/decode_int.h"

#define AUDIT_JOIN_SLOTS 16
#define AUDIT_JOIN_FIELDS 20
#define AUDIT_JOIN_BYTES 2048

struct audit_join_slot {
    uint64_t key; /* 0: empty */
    unsigned n;
    size_t used;
    struct {
        uint16_t name, nlen, value, vlen;
    } f[AUDIT_JOIN_FIELDS];
    char buf[AUDIT_JOIN_BYTES];
};

struct audit_join {
    struct audit_join_slot slot[AUDIT_JOIN_SLOTS];
    unsigned next; /* the slot the next SYSCALL takes */
};

/* See decode_int.h. */
void audit_join_free(struct audit_join *j)
{
    mem_free(j);
}

static struct audit_join_slot *find(struct audit_join *j, uint64_t key)
{
    for (unsigned i = 0; i < AUDIT_JOIN_SLOTS; i++)
        if (j->slot[i].key == key)
            return &j->slot[i];
    return NULL;
}

/* See decode_int.h. */
int audit_join_keep(struct decode_ctx *ctx, uint64_t key, const struct slice *names,
                    const struct slice *values, unsigned n)
{
    if (!ctx->audit && !(ctx->audit = mem_calloc(1, sizeof *ctx->audit)))
        return ERR_NOMEM;
    struct audit_join *j = ctx->audit;
    struct audit_join_slot *s = find(j, key);
    if (!s) {
        s = &j->slot[j->next];
        j->next = (j->next + 1) % AUDIT_JOIN_SLOTS;
    }
    s->key = key;
    s->n = 0;
    s->used = 0;
    for (unsigned i = 0; i < n && s->n < AUDIT_JOIN_FIELDS; i++) {
        size_t need = names[i].len + values[i].len;
        if (need > sizeof s->buf - s->used)
            continue; /* a value too long to carry: the SYSCALL record keeps it */
        s->f[s->n].name = (uint16_t)s->used;
        s->f[s->n].nlen = (uint16_t)names[i].len;
        memcpy(s->buf + s->used, names[i].p, names[i].len);
        s->used += names[i].len;
        s->f[s->n].value = (uint16_t)s->used;
        s->f[s->n].vlen = (uint16_t)values[i].len;
        if (values[i].len)
            memcpy(s->buf + s->used, values[i].p, values[i].len);
        s->used += values[i].len;
        s->n++;
    }
    return 0;
}

/* True when fields first.. of ev (the record's own) have one called name. */
static bool has_own(const struct event *ev, unsigned first, struct slice name)
{
    for (unsigned i = first; i < ev->nfields; i++) {
        struct slice n = event_field_name(&ev->fields[i]);
        if (n.len == name.len && !memcmp(n.p, name.p, n.len))
            return true;
    }
    return false;
}

/* See decode_int.h. */
int audit_join_add(struct decode_ctx *ctx, uint64_t key, struct arena *arena, struct event *ev,
                   unsigned first)
{
    struct audit_join_slot *s = ctx->audit ? find(ctx->audit, key) : NULL;
    if (!s)
        return 0;
    /* one copy into the arena: the slot is reused by a later SYSCALL */
    char *copy = s->used ? arena_dup(arena, s->buf, s->used) : NULL;
    if (s->used && !copy)
        return ERR_NOMEM;
    for (unsigned i = 0; i < s->n; i++) {
        struct slice name = slice_make(copy + s->f[i].name, s->f[i].nlen);
        if (has_own(ev, first, name))
            continue; /* the record's own value wins */
        event_add_named(ev, name, slice_make(copy + s->f[i].value, s->f[i].vlen));
    }
    return 0;
}
