/*
 * dec_pam.c — Linux-PAM module messages, "MODULE(SERVICE:TYPE): TEXT", from any
 * program: chosen by decode.c when the program is unknown but the message starts with
 * "pam_", and called as a helper by the sshd, sudo, su and cron decoders. Gives
 * pam_module, pam_service, and from the text:
 *   "authentication failure; logname= uid= euid= tty= ruser= rhost= user="
 *       → those fields, outcome "failure"
 *   "session opened for user U(uid=N) by B(uid=M)" → user/target_user, action "session_open"
 *   "session closed for user U"                    → action "session_close"
 *   "check pass; user unknown", "auth could not identify password for [U]" → failure
 * Empty key=values ("rhost= ") are left out.
 */
#include "decode/decode_int.h"

static void add_str(struct event *ev, uint16_t id, const char *v)
{
    event_add(ev, id, slice_cstr(v));
}

/* Drops a "(uid=N)" suffix from a user name. */
static struct slice strip_uid(struct slice u)
{
    long p = slice_find_byte(u, '(');
    if (p >= 0)
        u.len = (size_t)p;
    return u;
}

/* Adds the key=value pairs of an "authentication failure;" tail. */
static void kv_pairs(struct slice s, struct event *ev)
{
    static const struct {
        const char *key;
        unsigned char len;
        uint16_t id;
    } keys[] = {
        {"logname", 7, FIELD_logname}, {"uid", 3, FIELD_uid},     {"euid", 4, FIELD_euid},
        {"tty", 3, FIELD_tty},         {"ruser", 5, FIELD_ruser}, {"rhost", 5, FIELD_rhost},
        {"user", 4, FIELD_user},
    };
    while (s.len) {
        struct slice rest;
        struct slice w = dec_word(s, &rest);
        s = rest;
        long eq = slice_find_byte(w, '=');
        if (eq <= 0)
            continue;
        struct slice k = slice_make(w.p, (size_t)eq), v = dec_skip(w, (size_t)eq + 1);
        if (!v.len)
            continue;
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
            if (keys[i].len == k.len && !memcmp(keys[i].key, k.p, k.len)) {
                event_add(ev, keys[i].id, v);
                break;
            }
    }
}

/* See decode_int.h. */
int decode_pam_line(struct slice msg, bool session_target, struct event *ev)
{
    long lp = slice_find_byte(msg, '(');
    if (lp <= 0 || lp > 64)
        return ERR_PARSE;
    struct slice inner = dec_skip(msg, (size_t)lp + 1);
    long rp = slice_find_byte(inner, ')');
    if (rp < 0 || rp > 128 || (size_t)rp + 1 >= inner.len || inner.p[rp + 1] != ':')
        return ERR_PARSE;
    event_add(ev, FIELD_pam_module, slice_make(msg.p, (size_t)lp));
    struct slice svc = slice_make(inner.p, (size_t)rp);
    long colon = slice_find_byte(svc, ':');
    if (colon >= 0)
        svc.len = (size_t)colon;
    if (svc.len)
        event_add(ev, FIELD_pam_service, svc);
    struct slice t = slice_trim(dec_skip(inner, (size_t)rp + 2));

    if (DEC_STARTS(t, "authentication failure;")) {
        kv_pairs(dec_skip(t, 23), ev);
        add_str(ev, FIELD_reason, "authentication failure");
        add_str(ev, FIELD_outcome, "failure");
    } else if (DEC_STARTS(t, "session opened for user ")) {
        struct slice s = dec_skip(t, 24);
        long by = DEC_FIND(s, " by ");
        struct slice u = strip_uid(by >= 0 ? slice_make(s.p, (size_t)by) : s);
        struct slice b = by >= 0 ? strip_uid(dec_skip(s, (size_t)by + 4)) : SLICE_NULL;
        if (session_target) {
            if (b.len)
                event_add(ev, FIELD_user, b);
            if (u.len)
                event_add(ev, FIELD_target_user, u);
        } else {
            if (u.len)
                event_add(ev, FIELD_user, u);
            if (b.len)
                event_add(ev, FIELD_logname, b);
        }
        add_str(ev, FIELD_action, "session_open");
        add_str(ev, FIELD_outcome, "success");
    } else if (DEC_STARTS(t, "session closed for user ")) {
        struct slice u = strip_uid(slice_trim(dec_skip(t, 24)));
        if (u.len)
            event_add(ev, session_target ? FIELD_target_user : FIELD_user, u);
        add_str(ev, FIELD_action, "session_close");
    } else if (DEC_STARTS(t, "check pass; user unknown")) {
        add_str(ev, FIELD_reason, "user unknown");
        add_str(ev, FIELD_outcome, "failure");
    } else if (DEC_STARTS(t, "auth could not identify password for [")) {
        struct slice u = dec_skip(t, 39);
        long e = slice_find_byte(u, ']');
        if (e > 0)
            event_add(ev, FIELD_user, slice_make(u.p, (size_t)e));
        add_str(ev, FIELD_reason, "could not identify password");
        add_str(ev, FIELD_outcome, "failure");
    }
    return 0;
}

static int pam_decode(const struct decode_job *job, struct event *ev)
{
    return decode_pam_line(job->msg, false, ev) == 0 ? DK_PAM : ERR_PARSE;
}

const struct decoder decode_pam = {.name = "pam", .decode = pam_decode};
