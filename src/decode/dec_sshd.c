/*
 * dec_sshd.c — OpenSSH server messages (program "sshd" or "sshd-session"), chosen by
 * program name in decode.c. Logins and their failures, invalid users, disconnects and
 * PAM sessions become user, src_ip, src_port, auth_method, action and outcome:
 *   action "login"      Accepted / Failed METHOD for ..., Invalid user ...
 *   action "logout"     Disconnected from user U ... (a logged-in user leaving)
 *   action "disconnect" Connection closed/reset by ..., Disconnected from
 *                       authenticating/invalid user ..., Received disconnect ...
 *   action "session_open" / "session_close"  pam_unix(sshd:session) lines (dec_pam.c)
 * Every sshd line is an sshd event (routes linux/sshd, linux/auth, ...) even when its
 * text is none of these: keyword rules for sshd must still see it.
 *
 * User names are chosen by the attacker and may hold spaces, so the address and port
 * are read from the end of the message ("... from IP port N ..."), and the user is
 * what lies between the fixed prefix and the address.
 */
#include "decode/decode_int.h"

/* Index of the last occurrence of lit in s, or -1. */
static long rfind(struct slice s, const char *lit, size_t n)
{
    if (s.len < n)
        return -1;
    for (size_t i = s.len - n + 1; i-- > 0;)
        if (s.p[i] == lit[0] && !memcmp(s.p + i, lit, n))
            return (long)i;
    return -1;
}

/*
 * In s = "HEAD IP port N[...]" finds the last " port N", adds src_ip and src_port and
 * returns HEAD in *head (empty when the address starts s). False when absent.
 */
static bool tail_addr(struct slice s, struct slice *head, struct event *ev)
{
    long at = rfind(s, " port ", 6);
    if (at < 0)
        return false;
    size_t p0 = (size_t)at + 6, p1 = p0;
    while (p1 < s.len && dec_isdigit(s.p[p1]))
        p1++;
    if (p1 == p0)
        return false;
    size_t a1 = (size_t)at, a0 = a1;
    while (a0 > 0 && s.p[a0 - 1] != ' ')
        a0--;
    struct slice ip = slice_make(s.p + a0, a1 - a0);
    if (!decode_looks_addr(ip))
        return false;
    event_add(ev, FIELD_src_ip, ip);
    event_add(ev, FIELD_src_port, slice_make(s.p + p0, p1 - p0));
    *head = slice_make(s.p, a0 ? a0 - 1 : 0);
    return true;
}

static void add_str(struct event *ev, uint16_t id, const char *v)
{
    event_add(ev, id, slice_cstr(v));
}

/* "METHOD for [invalid user ]USER from IP port N ..." after "Accepted "/"Failed ". */
static void auth_result(struct slice s, bool ok, struct event *ev)
{
    long f = DEC_FIND(s, " for ");
    if (f <= 0)
        return;
    event_add(ev, FIELD_auth_method, slice_make(s.p, (size_t)f));
    struct slice rest = dec_skip(s, (size_t)f + 5);
    long fr = rfind(rest, " from ", 6);
    struct slice user = fr >= 0 ? slice_make(rest.p, (size_t)fr) : rest;
    if (DEC_STARTS(user, "invalid user ")) {
        user = dec_skip(user, 13);
        add_str(ev, FIELD_reason, "invalid user");
    }
    if (user.len)
        event_add(ev, FIELD_user, user);
    if (fr >= 0) {
        struct slice head;
        tail_addr(dec_skip(rest, (size_t)fr + 6), &head, ev);
    }
    add_str(ev, FIELD_action, "login");
    add_str(ev, FIELD_outcome, ok ? "success" : "failure");
}

/* "[authenticating user |invalid user |user ]U IP port N" after a disconnect prefix. */
static void closed_by(struct slice s, bool may_logout, struct event *ev)
{
    struct slice head;
    const char *action = "disconnect";
    if (tail_addr(s, &head, ev)) {
        struct slice user = SLICE_NULL;
        if (DEC_STARTS(head, "authenticating user "))
            user = dec_skip(head, 20);
        else if (DEC_STARTS(head, "invalid user "))
            user = dec_skip(head, 13);
        else if (DEC_STARTS(head, "user ")) {
            user = dec_skip(head, 5);
            if (may_logout)
                action = "logout";
        }
        if (user.len)
            event_add(ev, FIELD_user, user);
    }
    add_str(ev, FIELD_action, action);
}

static int sshd_decode(const struct decode_job *job, struct event *ev)
{
    struct slice m = job->msg;
    if (!m.len)
        return DK_SSHD;
    switch (m.p[0]) {
    case 'F':
        if (DEC_STARTS(m, "Failed "))
            auth_result(dec_skip(m, 7), false, ev);
        break;
    case 'A':
        if (DEC_STARTS(m, "Accepted "))
            auth_result(dec_skip(m, 9), true, ev);
        break;
    case 'I':
        if (DEC_STARTS(m, "Invalid user ")) {
            struct slice head, rest = dec_skip(m, 13);
            long fr = rfind(rest, " from ", 6);
            if (fr >= 0) {
                event_add(ev, FIELD_user, slice_make(rest.p, (size_t)fr));
                struct slice a = dec_skip(rest, (size_t)fr + 6);
                if (!tail_addr(a, &head, ev)) {
                    struct slice r2;
                    struct slice ip = dec_word(a, &r2);
                    if (decode_looks_addr(ip))
                        event_add(ev, FIELD_src_ip, ip);
                }
            } else if (rest.len) {
                event_add(ev, FIELD_user, rest);
            }
            add_str(ev, FIELD_reason, "invalid user");
            add_str(ev, FIELD_action, "login");
            add_str(ev, FIELD_outcome, "failure");
        }
        break;
    case 'C':
        if (DEC_STARTS(m, "Connection closed by "))
            closed_by(dec_skip(m, 21), false, ev);
        else if (DEC_STARTS(m, "Connection reset by "))
            closed_by(dec_skip(m, 20), false, ev);
        break;
    case 'D':
        if (DEC_STARTS(m, "Disconnected from "))
            closed_by(dec_skip(m, 18), true, ev);
        break;
    case 'R':
        if (DEC_STARTS(m, "Received disconnect from ")) {
            struct slice s = dec_skip(m, 25), head;
            /* "IP port N:CODE: reason [preauth]" */
            long c = DEC_FIND(s, ":");
            /* the address may be IPv6 (colons): take the colon after " port N" */
            long pt = DEC_FIND(s, " port ");
            if (pt >= 0) {
                struct slice after = dec_skip(s, (size_t)pt);
                long c2 = DEC_FIND(after, ":");
                c = c2 >= 0 ? pt + c2 : -1;
            }
            if (c > 0 && tail_addr(slice_make(s.p, (size_t)c), &head, ev)) {
                struct slice r = dec_skip(s, (size_t)c + 1);
                long c3 = DEC_FIND(r, ": ");
                if (c3 >= 0) {
                    r = dec_skip(r, (size_t)c3 + 2);
                    if (r.len > 10 && !memcmp(r.p + r.len - 10, " [preauth]", 10))
                        r.len -= 10;
                    if (r.len)
                        event_add(ev, FIELD_reason, r);
                }
            }
            add_str(ev, FIELD_action, "disconnect");
        }
        break;
    case 'p':
        if (DEC_STARTS(m, "pam_"))
            decode_pam_line(m, false, ev);
        break;
    default:
        break;
    }
    return DK_SSHD;
}

const struct decoder decode_sshd = {.name = "sshd", .decode = sshd_decode};
