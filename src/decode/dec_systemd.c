/*
 * dec_systemd.c — systemd and systemd-logind lines. Most are service state noise that
 * only needs the header; user sessions name the user:
 *   "Started Session 12 of User alice." / "Started Session 12 of user alice."
 *   "New session 12 of user alice."     → user, action "session_open"
 *   "Removed session 12."               → action "session_close"
 * Everything else is a plain syslog event of the systemd decoder.
 */
#include "decode/decode_int.h"

static void session_user(struct slice s, struct event *ev)
{
    long of = DEC_FIND(s, " of user ");
    if (of < 0)
        of = DEC_FIND(s, " of User ");
    if (of < 0)
        return;
    struct slice u = dec_skip(s, (size_t)of + 9);
    if (u.len && u.p[u.len - 1] == '.')
        u.len--;
    if (u.len)
        event_add(ev, FIELD_user, u);
}

static int systemd_decode(const struct decode_job *job, struct event *ev)
{
    struct slice m = job->msg;
    if (DEC_STARTS(m, "Started Session ") || DEC_STARTS(m, "New session ")) {
        session_user(m, ev);
        event_add(ev, FIELD_action, SLICE_LIT("session_open"));
    } else if (DEC_STARTS(m, "Removed session ")) {
        event_add(ev, FIELD_action, SLICE_LIT("session_close"));
    }
    return DK_SYSTEMD;
}

const struct decoder decode_systemd = {.name = "systemd", .decode = systemd_decode};
