/*
 * dec_sudo.c — sudo's own log lines (program "sudo"):
 *   "U : TTY=pts/0 ; PWD=/home/u ; USER=root ; COMMAND=/bin/ls -l"
 *       → user, tty, pwd, target_user, command; outcome "success"
 *   "U : 3 incorrect password attempts ; TTY=... ; COMMAND=..."
 *   "U : user NOT in sudoers ; TTY=..."   → the same fields, reason, outcome "failure"
 * and PAM lines from sudo ("pam_unix(sudo:auth): authentication failure; ...",
 * sessions, where the account opened is target_user). COMMAND= is last and may itself
 * hold " ; ", so it takes the rest of the line. Other sudo lines keep header fields.
 */
#include "decode/decode_int.h"

static int sudo_decode(const struct decode_job *job, struct event *ev)
{
    struct slice m = job->msg;
    if (DEC_STARTS(m, "pam_")) {
        decode_pam_line(m, true, ev);
        return DK_SUDO;
    }
    long sep = DEC_FIND(m, " : ");
    if (sep <= 0)
        return DK_SUDO;
    struct slice user = slice_trim(slice_make(m.p, (size_t)sep));
    if (!user.len || memchr(user.p, ' ', user.len))
        return DK_SUDO;
    event_add(ev, FIELD_user, user);
    struct slice s = dec_skip(m, (size_t)sep + 3);
    bool failed = false;
    while (s.len) {
        struct slice part;
        if (DEC_STARTS(s, "COMMAND=")) {
            part = s;
            s = dec_skip(s, s.len);
        } else {
            long e = DEC_FIND(s, " ; ");
            part = e >= 0 ? slice_make(s.p, (size_t)e) : s;
            s = e >= 0 ? dec_skip(s, (size_t)e + 3) : dec_skip(s, s.len);
        }
        part = slice_trim(part);
        if (DEC_STARTS(part, "TTY="))
            event_add(ev, FIELD_tty, dec_skip(part, 4));
        else if (DEC_STARTS(part, "PWD="))
            event_add(ev, FIELD_pwd, dec_skip(part, 4));
        else if (DEC_STARTS(part, "USER="))
            event_add(ev, FIELD_target_user, dec_skip(part, 5));
        else if (DEC_STARTS(part, "COMMAND="))
            event_add(ev, FIELD_command, dec_skip(part, 8));
        else if (part.len && !memchr(part.p, '=', part.len)) {
            /* free text before the key=values: why sudo refused */
            event_add(ev, FIELD_reason, part);
            failed = true;
        }
    }
    event_add(ev, FIELD_outcome, slice_cstr(failed ? "failure" : "success"));
    return DK_SUDO;
}

const struct decoder decode_sudo = {.name = "sudo", .decode = sudo_decode};
