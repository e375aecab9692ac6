/*
 * dec_kv.c — generic key=value lines, used only when an input forces `format: kv` (it
 * has no dispatch of its own: too many formats look like it). Pairs are separated by
 * spaces (a ',' or ';' ending an unquoted value is dropped); a value is "quoted" or
 * 'quoted' (may hold spaces; a backslash escapes the next byte, undone in the arena) or
 * runs to the next space. Words that are not pairs (a prefix "app: a=1 b=2") are
 * skipped. Every key becomes a field under its own name (declared names such as src_ip,
 * user, action are those fields). A time, ts or timestamp key holding an ISO 8601 time
 * sets the event time. A line with no pair is not ours (ERR_PARSE).
 */
#include "decode/decode_int.h"

static bool is_kv_key_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || dec_isdigit(c) || c == '_' ||
           c == '-' || c == '.' || c == ':' || c == '@';
}

/* The quoted value at s (s.p[0] is the quote): its text, unescaped into arena when it
 * holds backslashes; *used is the bytes taken (a missing closing quote: the rest). */
static int quoted(struct slice s, struct arena *arena, struct slice *v, size_t *used)
{
    char q = s.p[0];
    size_t i = 1;
    bool esc = false;
    while (i < s.len && s.p[i] != q) {
        if (s.p[i] == '\\' && i + 1 < s.len) {
            esc = true;
            i++;
        }
        i++;
    }
    *v = slice_make(s.p + 1, i - 1);
    *used = i < s.len ? i + 1 : i;
    if (!esc)
        return 0;
    char *d = arena_alloc(arena, v->len);
    if (!d)
        return ERR_NOMEM;
    size_t o = 0;
    for (size_t j = 0; j < v->len; j++) {
        if (v->p[j] == '\\' && j + 1 < v->len)
            j++;
        d[o++] = v->p[j];
    }
    *v = slice_make(d, o);
    return 0;
}

static int kv_decode(const struct decode_job *job, struct event *ev)
{
    struct slice s = job->msg;
    unsigned n = 0;
    while (s.len) {
        size_t i = 0;
        while (i < s.len && s.p[i] == ' ')
            i++;
        size_t k0 = i;
        while (i < s.len && is_kv_key_char(s.p[i]))
            i++;
        if (i == k0 || i >= s.len || s.p[i] != '=') {
            /* not a pair: skip the word */
            while (i < s.len && s.p[i] != ' ')
                i++;
            s = dec_skip(s, i);
            continue;
        }
        struct slice k = slice_make(s.p + k0, i - k0), v;
        i++;
        if (i < s.len && (s.p[i] == '"' || s.p[i] == '\'')) {
            size_t used;
            int rc = quoted(dec_skip(s, i), job->arena, &v, &used);
            if (rc)
                return rc;
            i += used;
        } else {
            size_t v0 = i;
            while (i < s.len && s.p[i] != ' ')
                i++;
            v = slice_make(s.p + v0, i - v0);
            if (v.len && (v.p[v.len - 1] == ',' || v.p[v.len - 1] == ';'))
                v.len--;
        }
        event_add_named(ev, k, v);
        n++;
        if (slice_eq(k, "time") || slice_eq(k, "ts") || slice_eq(k, "timestamp")) {
            int64_t ns;
            size_t used;
            const struct vtz *tz = job->src && job->src->tz ? job->src->tz : vtz_utc();
            if (decode_iso_time(v, tz, &ns, &used) == 0 && used == v.len) {
                ev->time_ns = ns;
                ev->flags &= ~(uint32_t)EVF_TIME_RECEIVED;
            }
        }
        s = dec_skip(s, i);
    }
    if (!n)
        return ERR_PARSE;
    if (!job->hdr->present)
        event_add(ev, FIELD_message, job->msg);
    return DK_KV;
}

const struct decoder decode_kv = {.name = "kv", .decode = kv_decode};
