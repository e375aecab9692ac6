/*
 * dec_su.c — su's log lines (program "su"), util-linux and shadow forms:
 *   "(to root) alice on pts/0"        → target_user root, user alice, tty; success
 *   "FAILED SU (to root) alice on pts/0" → the same, outcome "failure"
 *   "+ pts/0 alice:root" / "- pts/0 alice:root" (shadow's short form)
 * and PAM lines ("pam_unix(su:session): session opened for user root by alice(uid=1000)",
 * where the account opened is target_user and the one who ran su is user).
 */
#include "decode/decode_int.h"

/* "(to T) U on TTY" */
static void to_line(struct slice s, struct event *ev)
{
    long rp = slice_find_byte(s, ')');
    if (rp < 4)
        return;
    event_add(ev, FIELD_target_user, slice_make(s.p + 4, (size_t)rp - 4));
    struct slice rest = slice_trim(dec_skip(s, (size_t)rp + 1));
    long on = DEC_FIND(rest, " on ");
    struct slice u = on >= 0 ? slice_make(rest.p, (size_t)on) : rest;
    if (u.len)
        event_add(ev, FIELD_user, u);
    if (on >= 0 && (size_t)on + 4 < rest.len)
        event_add(ev, FIELD_tty, dec_skip(rest, (size_t)on + 4));
}

static int su_decode(const struct decode_job *job, struct event *ev)
{
    struct slice m = job->msg;
    if (DEC_STARTS(m, "pam_")) {
        decode_pam_line(m, true, ev);
    } else if (DEC_STARTS(m, "(to ")) {
        to_line(m, ev);
        event_add(ev, FIELD_outcome, SLICE_LIT("success"));
    } else if (DEC_STARTS(m, "FAILED SU (to ")) {
        to_line(dec_skip(m, 10), ev);
        event_add(ev, FIELD_outcome, SLICE_LIT("failure"));
    } else if (m.len > 2 && (m.p[0] == '+' || m.p[0] == '-') && m.p[1] == ' ') {
        struct slice rest;
        struct slice tty = dec_word(dec_skip(m, 2), &rest);
        long c = slice_find_byte(rest, ':');
        if (tty.len && c > 0 && (size_t)c + 1 < rest.len) {
            event_add(ev, FIELD_tty, tty);
            event_add(ev, FIELD_user, slice_make(rest.p, (size_t)c));
            event_add(ev, FIELD_target_user, slice_trim(dec_skip(rest, (size_t)c + 1)));
            event_add(ev, FIELD_outcome,
                      m.p[0] == '+' ? SLICE_LIT("success") : SLICE_LIT("failure"));
        }
    }
    return DK_SU;
}

const struct decoder decode_su = {.name = "su", .decode = su_decode};
