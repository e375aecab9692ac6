/*
 * dec_auditd.c — Linux audit records, as auditd writes them to audit.log (a file input:
 * no syslog header) or as audisp-syslog forwards them (programs audit, auditd, audisp,
 * audispd, audisp-syslog):
 *   [node=HOST ]type=TYPE msg=audit(SECONDS.MILLIS:SERIAL): key=value ...[\x1dKEY="v" ...]
 * Values are "quoted", unquoted tokens, or hex when the kernel had to encode an untrusted
 * string (comm, exe, name, cwd, proctitle, key, EXECVE's arguments, ...): those are decoded.
 * User-space records nest their text as msg='op=... acct="bob" res=failed', whose pairs
 * become fields too. The part after the \x1d byte (log_format=ENRICHED) holds the names
 * auditd resolved (SYSCALL, UID, AUID, ...), kept under their upper-case names.
 * EXECVE's arguments (a0, a1, ... and the pieces aN[i] of long ones) are decoded and
 * joined into CommandLine. Records of one event are joined by their stamp (audit_join.c):
 * the records after the SYSCALL carry the process's identity, so an EXECVE is a whole
 * process creation (route linux/process_creation; Image is exe).
 * Without auditd the kernel prints the records itself, with the type as a number:
 * "kernel: [  12.3] audit: type=1400 audit(1700000000.123:45): apparmor=..." (see
 * printk_head; decode.c hands the kernel's lines that netfilter refuses here).
 */
#include "decode/decode_int.h"

#include <stdio.h>

#define MAX_ARGS 256

/* A list of keys, with their lengths. */
struct keys {
    const char *s;
    size_t n;
};
#define K(s)                                                                                       \
    {                                                                                              \
        s, sizeof(s) - 1                                                                           \
    }

static bool in_keys(const struct keys *keys, struct slice k)
{
    for (; keys->s; keys++)
        if (keys->n == k.len && keys->s[0] == k.p[0] && !memcmp(keys->s, k.p, k.len))
            return true;
    return false;
}

/* Keys whose unquoted values are hex-encoded strings (EXECVE's aN apart). */
static bool hex_key(struct slice k)
{
    static const struct keys keys[] = {K("comm"), K("exe"),  K("name"), K("cwd"),  K("proctitle"),
                                       K("key"),  K("acct"), K("cmd"),  K("path"), K("ocomm"),
                                       K("dir"),  K("data"), {NULL, 0}};
    return in_keys(keys, k);
}

/* "a" digits, optionally "[" digits "]" (a piece); *piece tells which. */
static bool arg_key(struct slice k, bool *piece)
{
    if (k.len < 2 || k.p[0] != 'a' || !dec_isdigit(k.p[1]))
        return false;
    size_t i = 1;
    while (i < k.len && dec_isdigit(k.p[i]))
        i++;
    *piece = i < k.len;
    if (i == k.len)
        return true;
    if (k.p[i] != '[' || k.p[k.len - 1] != ']' || k.len - i < 3)
        return false;
    for (size_t j = i + 1; j + 1 < k.len; j++)
        if (!dec_isdigit(k.p[j]))
            return false;
    return true;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

static bool is_hex(struct slice v)
{
    if (v.len == 0 || v.len % 2)
        return false;
    for (size_t i = 0; i < v.len; i++)
        if (hexval(v.p[i]) < 0)
            return false;
    return true;
}

/* v decoded from hex into the arena; NUL bytes (proctitle's separators) become spaces
 * when nul_space, and trailing ones go. */
static int unhex(struct arena *a, struct slice v, bool nul_space, struct slice *out)
{
    char *d = arena_alloc(a, v.len / 2 + 1);
    if (!d)
        return ERR_NOMEM;
    size_t n = v.len / 2;
    for (size_t i = 0; i < n; i++) {
        char c = (char)(hexval(v.p[2 * i]) << 4 | hexval(v.p[2 * i + 1]));
        d[i] = nul_space && c == 0 ? ' ' : c;
    }
    while (nul_space && n && d[n - 1] == ' ')
        n--;
    *out = slice_make(d, n);
    return 0;
}

/* One key=value of a record. */
struct pair {
    struct slice k, v;
    char quote; /* '"', '\'' or 0 */
    bool enriched;
};

/* The next pair of *s, advancing it; false at the end. A token with no '=' is
 * skipped; a quote left open takes the rest. The \x1d byte starts the enriched part. */
static bool next_pair(struct slice *s, bool *enriched, struct pair *out)
{
    for (;;) {
        size_t i = 0;
        while (i < s->len && (s->p[i] == ' ' || s->p[i] == '\x1d')) {
            if (s->p[i] == '\x1d')
                *enriched = true;
            i++;
        }
        *s = dec_skip(*s, i);
        if (!s->len)
            return false;
        size_t k = 0;
        while (k < s->len && s->p[k] != '=' && s->p[k] != ' ' && s->p[k] != '\x1d')
            k++;
        if (k == s->len || s->p[k] != '=' || k == 0) { /* a bare token, or "=..." */
            *s = dec_skip(*s, k ? k : 1);
            continue;
        }
        out->k = slice_make(s->p, k);
        out->enriched = *enriched;
        struct slice rest = dec_skip(*s, k + 1);
        char q = rest.len && (rest.p[0] == '"' || rest.p[0] == '\'') ? rest.p[0] : 0;
        out->quote = q;
        if (q) {
            const char *end = memchr(rest.p + 1, q, rest.len - 1);
            size_t vlen = end ? (size_t)(end - rest.p - 1) : rest.len - 1;
            out->v = slice_make(rest.p + 1, vlen);
            *s = dec_skip(rest, end ? vlen + 2 : rest.len);
        } else {
            size_t v = 0;
            while (v < rest.len && rest.p[v] != ' ' && rest.p[v] != '\x1d')
                v++;
            out->v = slice_make(rest.p, v);
            *s = dec_skip(rest, v);
        }
        return true;
    }
}

/* Fields of the SYSCALL record that its event's later records carry. */
static bool carried(struct slice k)
{
    static const struct keys keys[] = {
        K("syscall"), K("success"), K("exit"), K("ppid"), K("pid"),  K("auid"),
        K("uid"),     K("euid"),    K("tty"),  K("ses"),  K("comm"), K("exe"),
        K("key"),     K("SYSCALL"), K("AUID"), K("UID"),  K("EUID"), {NULL, 0}};
    return in_keys(keys, k);
}

/* What a record's body gave, for the join and for EXECVE. */
struct body {
    struct slice args[MAX_ARGS];
    unsigned nargs;
    bool last_piece; /* args[nargs - 1] is being built from aN[i] pieces */
    struct slice keep_k[24], keep_v[24];
    unsigned nkeep;
    struct slice res;
};

/* Appends piece p to the argument being built (pieces of one long argument). */
static int add_piece(struct arena *a, struct body *b, struct slice p)
{
    struct slice *last = &b->args[b->nargs - 1];
    char *d = arena_alloc(a, last->len + p.len + 1);
    if (!d)
        return ERR_NOMEM;
    if (last->len)
        memcpy(d, last->p, last->len);
    if (p.len)
        memcpy(d + last->len, p.p, p.len);
    *last = slice_make(d, last->len + p.len);
    return 0;
}

/* Adds the pairs of text (a record's body, or a nested msg='...') to ev. */
static int add_pairs(struct arena *a, struct slice text, bool execve, bool syscall, bool nested,
                     struct body *b, struct event *ev)
{
    bool enriched = false;
    struct pair p;
    while (next_pair(&text, &enriched, &p)) {
        if (!nested && p.quote == '\'' && p.k.len == 3 && !memcmp(p.k.p, "msg", 3)) {
            int rc = add_pairs(a, p.v, false, false, true, b, ev);
            if (rc)
                return rc;
            continue;
        }
        struct slice v = p.v;
        bool piece = false, arg = execve && !p.enriched && arg_key(p.k, &piece);
        if (!p.quote && (arg || hex_key(p.k)) && is_hex(v)) {
            bool title = p.k.len == 9 && !memcmp(p.k.p, "proctitle", 9);
            int rc = unhex(a, v, title, &v);
            if (rc)
                return rc;
        }
        if (arg) {
            if (piece) {
                bool first = p.k.len > 3 && !memcmp(p.k.p + p.k.len - 3, "[0]", 3);
                if ((first || !b->last_piece) && b->nargs < MAX_ARGS) {
                    b->args[b->nargs++] = SLICE_NULL;
                    b->last_piece = true;
                }
                int rc = b->last_piece ? add_piece(a, b, v) : 0;
                if (rc)
                    return rc;
                continue; /* the joined argument is added once, below */
            }
            b->last_piece = false;
            if (b->nargs < MAX_ARGS)
                b->args[b->nargs++] = v;
            continue; /* added after CommandLine: that one must fit */
        }
        if (execve && p.k.len > 4 && !memcmp(p.k.p + p.k.len - 4, "_len", 4))
            continue; /* aN_len: the pieces' total, implied */
        if (syscall && carried(p.k) && b->nkeep < 24) {
            b->keep_k[b->nkeep] = p.k;
            b->keep_v[b->nkeep++] = v;
        }
        if (p.k.len == 3 && !memcmp(p.k.p, "res", 3))
            b->res = v;
        int rc = event_add_named(ev, p.k, v);
        if (rc && rc != ERR_FULL)
            return rc;
    }
    return 0;
}

/* "audit(SECONDS.MILLIS:SERIAL)" at s: the stamp's text and time; false when absent. */
static bool stamp(struct slice s, struct slice *id, int64_t *ns, size_t *used)
{
    if (!DEC_STARTS(s, "audit("))
        return false;
    size_t i = 6, j = i;
    int64_t secs = 0, ms = 0;
    while (j < s.len && dec_isdigit(s.p[j]) && j - i < 12)
        secs = secs * 10 + (s.p[j++] - '0');
    if (j == i || j >= s.len || s.p[j] != '.' || secs > 9000000000LL)
        return false; /* past 2255: not a time int64 nanoseconds hold */
    size_t k = ++j;
    while (j < s.len && dec_isdigit(s.p[j]) && j - k < 3)
        ms = ms * 10 + (s.p[j++] - '0');
    if (j - k != 3 || j >= s.len || s.p[j] != ':')
        return false;
    size_t l = ++j;
    while (j < s.len && dec_isdigit(s.p[j]) && j - l < 20)
        j++;
    if (j == l || j >= s.len || s.p[j] != ')')
        return false;
    *id = slice_make(s.p + i, j - i);
    *ns = secs * NS_PER_SEC + ms * 1000000;
    *used = j + 1;
    return true;
}

static uint64_t join_key(struct slice host, struct slice id)
{
    uint64_t k = hash64(host.p ? host.p : "", host.len, 0) ^ hash64(id.p, id.len, 1);
    return k ? k : 1;
}

/* Builds CommandLine from the arguments, then adds them as a0, a1, ... */
static int add_command(struct arena *a, const struct body *b, struct event *ev)
{
    size_t n = 0;
    for (unsigned i = 0; i < b->nargs; i++)
        n += b->args[i].len + 1;
    char *d = arena_alloc(a, n + 1);
    if (!d)
        return ERR_NOMEM;
    size_t o = 0;
    for (unsigned i = 0; i < b->nargs; i++) {
        if (i)
            d[o++] = ' ';
        if (b->args[i].len)
            memcpy(d + o, b->args[i].p, b->args[i].len);
        o += b->args[i].len;
    }
    event_add(ev, FIELD_CommandLine, slice_make(d, o));
    static const char names[] = "a0a1a2a3a4a5a6a7a8a9";
    for (unsigned i = 0; i < b->nargs; i++) {
        struct slice name;
        if (i < 10) {
            name = slice_make(names + 2 * i, 2);
        } else {
            char *nb = arena_alloc(a, 8);
            if (!nb)
                return ERR_NOMEM;
            name = slice_make(nb, (size_t)snprintf(nb, 8, "a%u", i));
        }
        if (event_add_named(ev, name, b->args[i]) == ERR_FULL)
            break;
    }
    return 0;
}

/* The names of the record types the kernel prints by number (linux/audit.h), or NULL. */
static const char *type_name(struct slice n)
{
    static const struct {
        short num;
        const char *name;
    } types[] = {
        {1100, "USER_AUTH"},
        {1101, "USER_ACCT"},
        {1102, "USER_MGMT"},
        {1103, "CRED_ACQ"},
        {1104, "CRED_DISP"},
        {1105, "USER_START"},
        {1106, "USER_END"},
        {1107, "USER_AVC"},
        {1108, "USER_CHAUTHTOK"},
        {1109, "USER_ERR"},
        {1110, "CRED_REFR"},
        {1112, "USER_LOGIN"},
        {1113, "USER_LOGOUT"},
        {1123, "USER_CMD"},
        {1130, "SERVICE_START"},
        {1131, "SERVICE_STOP"},
        {1300, "SYSCALL"},
        {1302, "PATH"},
        {1305, "CONFIG_CHANGE"},
        {1306, "SOCKADDR"},
        {1307, "CWD"},
        {1309, "EXECVE"},
        {1320, "EOE"},
        {1325, "NETFILTER_CFG"},
        {1326, "SECCOMP"},
        {1327, "PROCTITLE"},
        {1334, "BPF"},
        {1400, "AVC"},
        {1401, "SELINUX_ERR"},
        {1403, "MAC_POLICY_LOAD"},
        {1404, "MAC_STATUS"},
        {1700, "ANOM_PROMISCUOUS"},
        {1701, "ANOM_ABEND"},
        {1702, "ANOM_LINK"},
    };
    if (n.len != 4)
        return NULL;
    int v = 0;
    for (size_t i = 0; i < 4; i++) {
        if (!dec_isdigit(n.p[i]))
            return NULL;
        v = v * 10 + (n.p[i] - '0');
    }
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (types[i].num == v)
            return types[i].name;
    return NULL;
}

/*
 * The kernel's own print of a record, when no auditd takes them (syslog program
 * "kernel", from kmsg through rsyslog or journald): "[  12.345678] audit: type=1400
 * audit(1700000000.123:45): apparmor=..." (the uptime and "audit: " may be absent).
 * Returns m after "[uptime] audit: ", or m itself.
 */
static struct slice printk_head(struct slice m)
{
    if (DEC_STARTS(m, "[")) {
        size_t i = 1;
        while (i < m.len && i < 24 && (m.p[i] == ' ' || m.p[i] == '.' || dec_isdigit(m.p[i])))
            i++;
        if (i > 1 && i + 1 < m.len && m.p[i] == ']' && m.p[i + 1] == ' ')
            m = dec_skip(m, i + 2);
    }
    if (DEC_STARTS(m, "audit: "))
        m = dec_skip(m, 7);
    return m;
}

static int auditd_decode(const struct decode_job *job, struct event *ev)
{
    struct slice m = job->msg, node = SLICE_NULL;
    unsigned first = ev->nfields;
    if (DEC_STARTS(m, "node=")) {
        struct slice rest;
        node = dec_word(dec_skip(m, 5), &rest);
        m = rest;
    } else {
        m = printk_head(m);
    }
    if (!DEC_STARTS(m, "type="))
        return ERR_PARSE;
    struct slice rest, type = dec_word(dec_skip(m, 5), &rest);
    struct slice id = SLICE_NULL;
    int64_t ns = 0;
    size_t used = 0;
    /* "msg=audit(...)" from auditd; the kernel's print has "audit(...)" and a number */
    size_t skip = DEC_STARTS(rest, "msg=") ? 4 : 0;
    const char *tname = skip ? NULL : type_name(type);
    if (!skip && tname)
        type = slice_cstr(tname);
    else if (!skip && (type.len != 4 || !dec_isdigit(type.p[0])))
        return ERR_PARSE;
    if (!type.len || !stamp(dec_skip(rest, skip), &id, &ns, &used))
        return ERR_PARSE;
    rest = dec_skip(rest, skip + used);
    if (DEC_STARTS(rest, ":"))
        rest = dec_skip(rest, 1);
    if (node.len)
        event_add(ev, FIELD_node, node);
    event_add(ev, FIELD_type, type);
    event_add(ev, FIELD_audit_id, id);
    ev->time_ns = ns;
    ev->flags &= ~(uint32_t)EVF_TIME_RECEIVED;

    bool execve = type.len == 6 && !memcmp(type.p, "EXECVE", 6);
    bool syscall = type.len == 7 && !memcmp(type.p, "SYSCALL", 7);
    struct body body, *b = &body; /* on the stack: 4.5 KB, no arena growth per record */
    b->nargs = 0;
    b->last_piece = false;
    b->nkeep = 0;
    b->res = SLICE_NULL;
    struct slice host = node.len ? node : job->hdr->host;
    uint64_t key = join_key(host, id);
    int rc = add_pairs(job->arena, rest, execve, syscall, false, b, ev);
    if (!rc && !syscall) /* the process's identity before the arguments: it must fit */
        rc = audit_join_add(job->ctx, key, job->arena, ev, first);
    if (!rc && execve)
        rc = add_command(job->arena, b, ev);
    if (!rc && syscall)
        rc = audit_join_keep(job->ctx, key, b->keep_k, b->keep_v, b->nkeep);
    if (rc)
        return rc;
    if (b->res.len) /* user-space records: res=success / res=failed */
        event_add(ev, FIELD_outcome,
                  DEC_STARTS(b->res, "succ") || DEC_STARTS(b->res, "yes") ? SLICE_LIT("success")
                                                                          : SLICE_LIT("failure"));
    return execve ? DK_AUDITD_EXEC : DK_AUDITD;
}

const struct decoder decode_auditd = {.name = "auditd", .decode = auditd_decode};
