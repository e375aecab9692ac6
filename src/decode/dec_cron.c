/*
 * dec_cron.c — cron daemon lines (program "CRON", "cron", "crond"):
 *   "(root) CMD (   cd / && run-parts --report /etc/cron.hourly)" → user, command
 *   "(alice) RELOAD (crontabs/alice)" and other "(U) WORD (...)" → user, action WORD
 *   "(CRON) INFO (...)", "(CRON) STARTUP (...)": the daemon speaking of itself: no user
 * crontab's own lines ("(alice) REPLACE (alice)", "(alice) LIST (alice)") are read alike.
 * PAM session lines from cron go to the PAM helper but stay cron events.
 */
#include "decode/decode_int.h"

static int cron_decode(const struct decode_job *job, struct event *ev)
{
    struct slice m = job->msg;
    if (DEC_STARTS(m, "pam_")) {
        decode_pam_line(m, false, ev);
        return DK_CRON;
    }
    if (!DEC_STARTS(m, "("))
        return DK_CRON;
    long rp = slice_find_byte(m, ')');
    if (rp <= 1)
        return DK_CRON;
    struct slice who = slice_make(m.p + 1, (size_t)rp - 1);
    if (slice_eq(who, "CRON"))
        return DK_CRON; /* the daemon's own notices */
    event_add(ev, FIELD_user, who);
    struct slice rest = slice_trim(dec_skip(m, (size_t)rp + 1)), after;
    struct slice word = dec_word(rest, &after);
    if (slice_eq(word, "CMD")) {
        after = slice_trim(after);
        if (after.len >= 2 && after.p[0] == '(' && after.p[after.len - 1] == ')')
            after = slice_trim(slice_make(after.p + 1, after.len - 2));
        if (after.len)
            event_add(ev, FIELD_command, after);
    } else if (word.len) {
        event_add(ev, FIELD_action, word);
    }
    return DK_CRON;
}

const struct decoder decode_cron = {.name = "cron", .decode = cron_decode};
