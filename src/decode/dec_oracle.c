/*
 * dec_oracle.c — Oracle Database audit records written to syslog:
 *   standard audit (AUDIT_TRAIL=OS, AUDIT_SYSLOG_LEVEL), program "Oracle Audit":
 *     LENGTH: "340" SESSIONID:[6] "123456" ... USERID:[6] "SCOTT" ... RETURNCODE:[4] "1017"
 *   SYS operations (AUDIT_SYS_OPERATIONS), program "Oracle Audit" too: LENGTH : '340'
 *     ACTION :[7] 'CONNECT' DATABASE USER:[1] '/' PRIVILEGE :[6] 'SYSDBA' CLIENT USER:[6]
 *     'oracle' CLIENT TERMINAL:[5] 'pts/0' STATUS:[1] '0' DBID:[10] '...'; 11.2.0.4 and
 *     later add SESSIONID, USERHOST, CLIENT ADDRESS:[n] '(ADDRESS=(PROTOCOL=tcp)(HOST=..)
 *     (PORT=..))' and ACTION NUMBER. ACTION is the statement's text there.
 *   unified audit (UNIFIED_AUDIT_SYSTEMLOG), program "Oracle Unified Audit":
 *     LENGTH: '228' TYPE:"4" DBID:"..." SESID:"..." CLIENTID:"" ENTRYID:"1" STMTID:"1"
 *     DBUSER:"SCOTT" CURUSER:"SCOTT" ACTION:"100" RETCODE:"1017" SCHEMA:"" OBJNAME:""
 *     (PDB_GUID:"..." in a PDB): no client address in this form.
 * Solaris' syslogd puts "[ID 748625 local7.warning] " before LENGTH; journald forwarding
 * gives the program "journal" with "Oracle Audit[pid]: " left in the message.
 * A value is NAME[ ]:[ ][len] then a quoted value; with [len] the length, not the
 * quote, says where it ends (values may hold quotes). Every pair is kept as an extra
 * under its own name; the ones a SIEM asks for also as user, tty, src_ip, src_port
 * (from COMMENT$TEXT's "(HOST=...)(PORT=...)"), src_host, action (login / logout /
 * Oracle's action name), outcome (return code 0 or not), error_code and reason; the
 * SYS records' CLIENT ADDRESS gives src_ip and src_port as COMMENT$TEXT does.
 * The syslog header parser does not take "Oracle Audit[pid]:" (a space in the name)
 * for a program: this decoder is picked by content and sets program and pid itself.
 */
#include "decode/decode_int.h"

/* Oracle's audit action numbers that matter for logons (AUDIT_ACTIONS). */
static const char *action_name(struct slice v)
{
    if (slice_eq(v, "100") || slice_eq(v, "CONNECT") || slice_eq(v, "LOGON"))
        return "login";
    if (slice_eq(v, "101") || slice_eq(v, "102") || slice_eq(v, "LOGOFF"))
        return "logout";
    return NULL;
}

/* "(KEY=value)" inside s, or an empty slice. */
static struct slice paren_kv(struct slice s, const char *key, size_t klen)
{
    long k = dec_find(s, key, klen);
    if (k < 0)
        return SLICE_NULL;
    struct slice v = dec_skip(s, (size_t)k + klen);
    long rp = slice_find_byte(v, ')');
    return rp < 0 ? SLICE_NULL : slice_make(v.p, (size_t)rp);
}

static bool is_addr(struct slice h)
{
    bool sep = false;
    if (!h.len || h.len > 64)
        return false;
    for (size_t i = 0; i < h.len; i++) {
        char c = h.p[i];
        if (c == ':')
            sep = true;
        else if (c == '.')
            sep = true;
        else if (!dec_isdigit(c) && !((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return false;
    }
    return sep;
}

/* Gives the declared fields of one pair. */
static void map_pair(struct slice n, struct slice v, struct event *ev, bool *have_user)
{
    if (slice_eq(n, "USERID") || slice_eq(n, "DBUSER") || slice_eq(n, "DATABASE USER")) {
        if (v.len && !*have_user) {
            event_add(ev, FIELD_user, v);
            *have_user = true;
        }
    } else if (slice_eq(n, "TERMINAL") || slice_eq(n, "CLIENT TERMINAL")) {
        if (v.len)
            event_add(ev, FIELD_tty, v);
    } else if (slice_eq(n, "USERHOST")) {
        if (v.len)
            event_add_named(ev, SLICE_LIT("src_host"), v);
    } else if (slice_eq(n, "ACTION")) {
        const char *a = action_name(v);
        if (a)
            event_add(ev, FIELD_action, slice_cstr(a));
        else if (v.len && !dec_isdigit(v.p[0])) /* SYS audit's names: "ALTER SYSTEM ..." */
            event_add(ev, FIELD_action, v);
    } else if (slice_eq(n, "RETURNCODE") || slice_eq(n, "RETCODE") || slice_eq(n, "STATUS")) {
        bool ok = slice_eq(v, "0");
        event_add(ev, FIELD_outcome, ok ? SLICE_LIT("success") : SLICE_LIT("failure"));
        if (!ok && v.len) {
            event_add(ev, FIELD_error_code, v);
            if (slice_eq(v, "1017"))
                event_add(ev, FIELD_reason, SLICE_LIT("invalid username/password"));
            else if (slice_eq(v, "28000"))
                event_add(ev, FIELD_reason, SLICE_LIT("account locked"));
        }
    } else if (slice_eq(n, "COMMENT$TEXT") || slice_eq(n, "CLIENT ADDRESS")) {
        struct slice h = paren_kv(v, "(HOST=", 6), p = paren_kv(v, "(PORT=", 6);
        if (is_addr(h))
            event_add(ev, FIELD_src_ip, h);
        if (p.len)
            event_add(ev, FIELD_src_port, p);
    }
}

/* Reads the pairs of m into ev (values are slices of m); returns how many were read. */
static int pairs(struct slice m, struct event *ev)
{
    int n = 0;
    bool have_user = false;
    size_t i = 0;
    while (i < m.len) {
        while (i < m.len && m.p[i] == ' ')
            i++;
        /* NAME: up to ':' (names hold spaces and '$'), at most 40 bytes */
        size_t ns = i;
        while (i < m.len && m.p[i] != ':' && m.p[i] != '"' && m.p[i] != '\'' && i - ns < 40)
            i++;
        if (i >= m.len || m.p[i] != ':')
            break;
        struct slice name = slice_trim(slice_make(m.p + ns, i - ns));
        i++;
        while (i < m.len && m.p[i] == ' ')
            i++;
        long len = -1;
        if (i < m.len && m.p[i] == '[') {
            size_t j = i + 1;
            len = 0;
            while (j < m.len && dec_isdigit(m.p[j]) && len < 1000000)
                len = len * 10 + (m.p[j++] - '0');
            if (j >= m.len || m.p[j] != ']' || j == i + 1)
                break;
            i = j + 1;
            while (i < m.len && m.p[i] == ' ')
                i++;
        }
        if (i >= m.len || (m.p[i] != '"' && m.p[i] != '\'') || !name.len)
            break;
        char q = m.p[i++];
        size_t vs = i, ve;
        if (len >= 0) {
            if ((size_t)len > m.len - vs)
                break; /* cut short: keep what was read */
            ve = vs + (size_t)len;
            if (ve < m.len && m.p[ve] != q)
                break;
        } else {
            const char *e = memchr(m.p + vs, q, m.len - vs);
            if (!e)
                break;
            ve = (size_t)(e - m.p);
        }
        struct slice v = slice_make(m.p + vs, ve - vs);
        event_add_named(ev, name, v); /* past EVENT_MAX_FIELDS: dropped and flagged */
        map_pair(name, v, ev, &have_user);
        n++;
        i = ve + 1;
    }
    return n;
}

static int oracle_decode(const struct decode_job *job, struct event *ev)
{
    struct slice m = job->msg;
    /* "Oracle Audit[pid]: " / "Oracle Unified Audit[pid]: " in the message */
    struct slice prog = SLICE_NULL;
    if (DEC_STARTS(m, "Oracle Audit"))
        prog = slice_make(m.p, 12);
    else if (DEC_STARTS(m, "Oracle Unified Audit"))
        prog = slice_make(m.p, 20);
    if (prog.len) {
        struct slice r = dec_skip(m, prog.len);
        if (r.len && r.p[0] == '[') {
            long rb = slice_find_byte(r, ']');
            if (rb < 2)
                return ERR_PARSE;
            event_add(ev, FIELD_pid, slice_make(r.p + 1, (size_t)rb - 1));
            r = dec_skip(r, (size_t)rb + 1);
        }
        if (!DEC_STARTS(r, ": "))
            return ERR_PARSE;
        event_add(ev, FIELD_program, prog);
        m = dec_skip(r, 2);
    }
    /* Solaris: "[ID 748625 local7.warning] " */
    if (DEC_STARTS(m, "[ID ")) {
        long rb = slice_find_byte(m, ']');
        if (rb < 0 || rb > 64)
            return ERR_PARSE;
        size_t d = 4;
        while (d < (size_t)rb && dec_isdigit(m.p[d]))
            d++;
        if (d > 4)
            event_add(ev, FIELD_msgid, slice_make(m.p + 4, d - 4));
        m = slice_trim(dec_skip(m, (size_t)rb + 1));
    }
    if (!DEC_STARTS(m, "LENGTH"))
        return ERR_PARSE;
    if (pairs(m, ev) < 2)
        return ERR_PARSE;
    return DK_ORACLE;
}

const struct decoder decode_oracle = {.name = "oracle", .decode = oracle_decode};
