/*
 * dec_shadow.c — shadow-utils account management lines (programs useradd, usermod,
 * userdel, groupadd, groupmod, groupdel, passwd, chpasswd, gpasswd, chage), chosen by
 * program name in decode.c. Each known message gives the account acted on
 * (target_user), the group, the one who did it when the line says so (user: passwd's
 * "changed by", gpasswd's "by"), new values (uid, gid, home, shell; the old ones as
 * extras old_uid, old_gid, ...), action and outcome:
 *   user_add        "new user: name=bob, UID=1001, GID=1001, home=..., shell=..., from=..."
 *   group_add       "new group: name=bob, GID=1001", "group added to /etc/group: name=..."
 *   group_member_add / group_member_remove
 *                   "add 'bob' to [shadow ]group 'sudo'", "delete 'bob' from group 'x'",
 *                   "user bob added by root to group sudo" (gpasswd)
 *   user_delete     "delete user 'bob'"
 *   group_delete    "removed group 'bob' owned by 'bob'", "group 'bob' removed from ..."
 *   user_modify     "change user 'bob' shell from '/bin/sh' to '/bin/bash'", ...
 *   user_lock / user_unlock   "lock user 'bob' password"
 *   group_modify    groupmod's "group changed in ...", gpasswd's "members of group ..."
 *   password_change "change user 'bob' password", "password for 'bob' changed by 'root'",
 *                   PAM "pam_unix(passwd:chauthtok): password changed for bob"
 * Shadow 4.1 wrote names as `bob' and 4.2+ as 'bob': both are read. userdel's lines end
 * in a line feed that syslog daemons keep, drop or write as "#012": it is dropped.
 * A message that is none of these is left to the generic syslog path (ERR_PARSE).
 */
#include "decode/decode_int.h"

/* At most this many placeholders in a template. */
#define SH_CAPS 4

/*
 * A message template: literal text, '%' a value (the shortest run up to the literal
 * that follows it; a '%' at the end takes the rest up to the first space), '`' an
 * opening quote (' or `). names[i] is the field the i-th value goes to (NULL: not
 * kept); declared names become their field ids through event_add_named.
 */
static const struct sh_tmpl {
    const char *pat;
    const char *action;
    bool failure;
    const char *names[SH_CAPS];
} templates[] = {
    /* useradd, usermod, userdel: membership */
    {"add `%' to group `%'", "group_member_add", false, {"target_user", "group"}},
    {"add `%' to shadow group `%'", "group_member_add", false, {"target_user", "group"}},
    {"delete `%' from group `%'", "group_member_remove", false, {"target_user", "group"}},
    {"delete `%' from shadow group `%'", "group_member_remove", false, {"target_user", "group"}},
    {"delete user `%'", "user_delete", false, {"target_user"}},
    {"removed group `%' owned by `%'", "group_delete", false, {"group", "target_user"}},
    {"removed shadow group `%' owned by `%'", "group_delete", false, {"group", "target_user"}},
    {"failed adding user `%', exit code: %", "user_add", true, {"target_user", "exit_code"}},
    {"failed adding user `%', data deleted", "user_add", true, {"target_user"}},
    /* usermod */
    {"lock user `%' password", "user_lock", false, {"target_user"}},
    {"unlock user `%' password", "user_unlock", false, {"target_user"}},
    {"change user `%' password", "password_change", false, {"target_user"}},
    {"change user name `%' to `%'", "user_modify", false, {"target_user", "new_name"}},
    {"change user `%' UID from `%' to `%'",
     "user_modify",
     false,
     {"target_user", "old_uid", "uid"}},
    {"change user `%' GID from `%' to `%'",
     "user_modify",
     false,
     {"target_user", "old_gid", "gid"}},
    {"change user `%' home from `%' to `%'",
     "user_modify",
     false,
     {"target_user", "old_home", "home"}},
    {"change user `%' shell from `%' to `%'",
     "user_modify",
     false,
     {"target_user", "old_shell", "shell"}},
    {"change user `%' inactive from `%' to `%'",
     "user_modify",
     false,
     {"target_user", "old_inactive", "inactive"}},
    {"change user `%' expiration from `%' to `%'",
     "user_modify",
     false,
     {"target_user", "old_expiration", "expiration"}},
    {"change `%' to `%' in group `%'", "user_modify", false, {"target_user", "new_name", "group"}},
    {"change `%' to `%' in shadow group `%'",
     "user_modify",
     false,
     {"target_user", "new_name", "group"}},
    {"change admin `%' to `%' in shadow group `%'",
     "user_modify",
     false,
     {"target_user", "new_name", "group"}},
    /* groupadd, groupdel, groupmod */
    {"group added to %: name=%, GID=%", "group_add", false, {NULL, "group", "gid"}},
    {"group added to %: name=%", "group_add", false, {NULL, "group"}},
    {"group `%' removed from %", "group_delete", false, {"group"}},
    {"group `%' removed", "group_delete", false, {"group"}},
    {"remove group `%'", "group_delete", false, {"group"}},
    {"change group `%' to `%'", "group_modify", false, {"group", "new_name"}},
    {"change GID for `%' to %", "group_modify", false, {"group", "gid"}},
    {"group changed in % (group %/%, new name: %)",
     "group_modify",
     false,
     {NULL, "group", "gid", "new_name"}},
    {"group changed in % (group %/%, new gid: %)",
     "group_modify",
     false,
     {NULL, "group", "old_gid", "gid"}},
    {"group changed in % (group %, new name: %)",
     "group_modify",
     false,
     {NULL, "group", "new_name"}},
    {"group changed in % (group %/%, %)", "group_modify", false, {NULL, "group", "gid", "change"}},
    {"group changed in % (group %, %)", "group_modify", false, {NULL, "group", "change"}},
    /* passwd, chage */
    {"password for `%' changed by `%'", "password_change", false, {"target_user", "user"}},
    {"password locked for `%'", "password_change", true, {"target_user"}},
    {"now < minimum age for `%'", "password_change", true, {"target_user"}},
    {"incorrect password for %", "password_change", true, {"target_user"}},
    {"can't view or modify password information for %", "password_change", true, {"target_user"}},
    {"changed password expiry for %", "user_modify", false, {"target_user"}},
    /* gpasswd (the value after the group may be followed by " in /etc/gshadow") */
    {"user % added by % to group %", "group_member_add", false, {"target_user", "user", "group"}},
    {"user % removed by % from group %",
     "group_member_remove",
     false,
     {"target_user", "user", "group"}},
    {"password of group % removed by %", "group_modify", false, {"group", "user"}},
    {"password of group % changed by %", "group_modify", false, {"group", "user"}},
    {"access to group % restricted by %", "group_modify", false, {"group", "user"}},
    {"administrators of group % set by % to %", "group_modify", false, {"group", "user", "admins"}},
    {"members of group % set by % to %", "group_modify", false, {"group", "user", "members"}},
    {"% failed to add user % to group %",
     "group_member_add",
     true,
     {"user", "target_user", "group"}},
    {"% failed to remove user % from group %",
     "group_member_remove",
     true,
     {"user", "target_user", "group"}},
    {"add member % to group % by %", "group_member_add", false, {"target_user", "group", "user"}},
    {"remove member % from group % by %",
     "group_member_remove",
     false,
     {"target_user", "group", "user"}},
    {"change the password for group % by %", "group_modify", false, {"group", "user"}},
    {"set members of % to %", "group_modify", false, {"group", "members"}},
    /* cleanup after a failed change (all programs) */
    {"failed to add user % to %", "user_add", true, {"target_user"}},
    {"failed to add user %", "user_add", true, {"target_user"}},
    {"failed to add group % to %", "group_add", true, {"group"}},
    {"failed to add group %", "group_add", true, {"group"}},
    {"failed to remove group % from %", "group_delete", true, {"group"}},
    {"failed to remove group %", "group_delete", true, {"group"}},
};

/* True when literal pattern bytes pat[0..n) match s at p ('`' matches ' or `). */
static bool lit_at(struct slice s, size_t p, const char *pat, size_t n)
{
    if (n > s.len - p)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s.p[p + i];
        if (pat[i] == '`' ? c != '\'' && c != '`' : c != pat[i])
            return false;
    }
    return true;
}

/* Matches all of s against template pat, filling caps; the number of values, or -1. */
static int tmatch(struct slice s, const char *pat, struct slice caps[SH_CAPS])
{
    size_t p = 0;
    int nc = 0;
    while (*pat) {
        if (*pat != '%') {
            size_t n = strcspn(pat, "%");
            if (!lit_at(s, p, pat, n))
                return -1;
            p += n;
            pat += n;
            continue;
        }
        pat++;
        if (nc == SH_CAPS)
            return -1;
        size_t n = strcspn(pat, "%");
        size_t end, next;
        if (n == 0) { /* value at the end: up to the first space (gpasswd's suffix) */
            end = p;
            while (end < s.len && s.p[end] != ' ')
                end++;
            next = s.len;
        } else if (pat[n] == '\0') { /* the literal ends the template: anchor it at the end */
            if (s.len - p < n || !lit_at(s, s.len - n, pat, n))
                return -1;
            end = next = s.len - n;
        } else { /* the shortest value followed by the literal */
            end = p;
            while (end < s.len && !lit_at(s, end, pat, n))
                end++;
            if (end == s.len)
                return -1;
            next = end;
        }
        if (end == p)
            return -1; /* an empty name says nothing */
        caps[nc++] = slice_make(s.p + p, end - p);
        p = next;
    }
    return p == s.len ? nc : -1;
}

static void add_name(struct event *ev, const char *name, struct slice v)
{
    event_add_named(ev, slice_cstr(name), v);
}

static void add_result(struct event *ev, const char *action, bool failure)
{
    add_name(ev, "action", slice_cstr(action));
    add_name(ev, "outcome", failure ? SLICE_LIT("failure") : SLICE_LIT("success"));
}

/*
 * "name=bob, UID=1001, GID=1001, home=/home/bob, shell=/bin/bash, from=/dev/pts/0"
 * (useradd's new user; name_field "target_user") or "name=bob, GID=1001" (new group;
 * "group"). Pairs are split at ", "; unknown keys are skipped. False without a name.
 */
static bool new_kv(struct slice s, const char *name_field, struct event *ev)
{
    static const struct {
        const char *key;
        const char *field;
    } keys[] = {
        {"UID", "uid"}, {"GID", "gid"}, {"home", "home"}, {"shell", "shell"}, {"from", "tty"}};
    if (!DEC_STARTS(s, "name=") || s.len == 5 || s.p[5] == ',')
        return false;
    while (s.len) {
        long cm = DEC_FIND(s, ", ");
        struct slice kv = cm >= 0 ? slice_make(s.p, (size_t)cm) : s;
        s = cm >= 0 ? dec_skip(s, (size_t)cm + 2) : slice_make(s.p + s.len, 0);
        long eq = slice_find_byte(kv, '=');
        if (eq <= 0 || (size_t)eq + 1 >= kv.len)
            continue;
        struct slice k = slice_make(kv.p, (size_t)eq), v = dec_skip(kv, (size_t)eq + 1);
        if (slice_eq(k, "name")) {
            add_name(ev, name_field, v);
            continue;
        }
        if (slice_eq(k, "from") && slice_eq(v, "none"))
            continue;
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
            if (slice_eq(k, keys[i].key)) {
                add_name(ev, keys[i].field, v);
                break;
            }
    }
    return true;
}

/* A PAM line of passwd/chpasswd/...: dec_pam.c's fields, and a password change. */
static int pam_part(struct slice m, struct event *ev)
{
    if (decode_pam_line(m, false, ev) != 0)
        return ERR_PARSE;
    long rp = DEC_FIND(m, "):");
    if (rp < 0)
        return DK_SHADOW;
    struct slice head = slice_make(m.p, (size_t)rp);
    struct slice t = slice_trim(dec_skip(m, (size_t)rp + 2));
    bool chauthtok = head.len >= 10 && !memcmp(head.p + head.len - 10, ":chauthtok", 10);
    if (DEC_STARTS(t, "password changed for ")) {
        struct slice u = slice_trim(dec_skip(t, 21));
        if (u.len)
            add_name(ev, "target_user", u);
        add_result(ev, "password_change", false);
    } else if (chauthtok) {
        add_name(ev, "action", SLICE_LIT("password_change"));
    }
    return DK_SHADOW;
}

static int shadow_decode(const struct decode_job *job, struct event *ev)
{
    struct slice m = slice_trim(job->msg);
    if (DEC_STARTS(m, "pam_"))
        return pam_part(m, ev);
    /* userdel's trailing line feed, as a syslog daemon may have escaped it */
    while (m.len >= 4 && !memcmp(m.p + m.len - 4, "#012", 4))
        m = slice_trim(slice_make(m.p, m.len - 4));
    if (DEC_STARTS(m, "new user: ")) {
        if (!new_kv(dec_skip(m, 10), "target_user", ev))
            return ERR_PARSE;
        add_result(ev, "user_add", false);
        return DK_SHADOW;
    }
    if (DEC_STARTS(m, "new group: ")) {
        if (!new_kv(dec_skip(m, 11), "group", ev))
            return ERR_PARSE;
        add_result(ev, "group_add", false);
        return DK_SHADOW;
    }
    for (size_t i = 0; i < sizeof templates / sizeof templates[0]; i++) {
        const struct sh_tmpl *t = &templates[i];
        struct slice caps[SH_CAPS];
        int nc = tmatch(m, t->pat, caps);
        if (nc < 0)
            continue;
        for (int c = 0; c < nc; c++)
            if (t->names[c])
                add_name(ev, t->names[c], caps[c]);
        add_result(ev, t->action, t->failure);
        return DK_SHADOW;
    }
    return ERR_PARSE;
}

const struct decoder decode_shadow = {.name = "shadow", .decode = shadow_decode};
