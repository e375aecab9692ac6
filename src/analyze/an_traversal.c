/*
 * an_traversal.c — path traversal and local file inclusion judged on a request value
 * after analyze_decode, so %2e%2e%2f, %252e (double), %c0%ae (overlong) and ..%5c are
 * already plain "../" and "..\" here. The value is cut into path tokens (a token ends at
 * a space, a quote, '=', '&', '?', ':' and the like) and each token into segments at '/'
 * and '\'; a segment of two dots climbs one level, "." and empty segments are neutral,
 * any other segment ends the run of climbs.
 *
 * The rule, from the strongest sign to the weakest (the first that holds is the finding):
 *   1. an evasion form that climbs, whatever the depth: Tomcat's "..;/" (a path parameter
 *      a proxy keeps and Tomcat drops), a segment of three or more dots before a
 *      separator ("....//" and "..././" turn into "../" once a filter deletes "../"
 *      without repeating), Unicode lookalikes of '.' or '/' (IIS best-fit mapping);
 *   2. a run of two or more climbs ("../../x"): a relative link of an ordinary page
 *      rarely leaves two directories, an attack needs to leave the web root;
 *   3. a single climb with a NUL byte (the tail after it, such as ".png", is cut off by
 *      the C library below the application), or with a sensitive file (table below);
 *      a single "../" with an ordinary target ("../images/a.png") passes;
 *   4. a sensitive file named as a path without any climb: /etc/passwd, WEB-INF/web.xml;
 *      the milder names (web.config, .htaccess, .env) only after a separator ("/.env"),
 *      since a search for ".htaccess redirect" names them in prose; /etc/hosts,
 *      C:\Windows\System32 and the web server logs only with a climb (they are in
 *      ordinary questions: "C:\Windows\System32\drivers\etc\hosts");
 *   5. a file: URL to a system location (/etc, /proc, C:/Windows, the root itself) and
 *      the PHP stream wrappers that read files (php://filter, expect://); a file: URL to
 *      a user's documents is what users paste and passes.
 * A single climb in a value that the server decoded twice or from overlong UTF-8 is the
 * evasion of rule 1 too, but only the caller knows that: analyze_traversal_flags takes
 * the decoding flags. Each step looks at a bounded number of bytes per position: linear.
 * A first pass over the value's byte classes skips the steps that need a byte the value
 * lacks (most values have no dot before a separator and no ':').
 */
#include "analyze/analyze.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

enum pclass { P_OTHER, P_DOT, P_SEP, P_BREAK };

static bool found(struct analyze_finding *f, const char *why, size_t off, size_t len)
{
    f->why = why;
    f->off = off;
    f->len = len;
    return true;
}

static bool alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

/* The bytes that end a path token (P_BREAK): a space or control byte, quotes, the
 * delimiters of query strings, URLs and markup. */
static bool path_break(unsigned char c)
{
    return c <= ' ' || c == '"' || c == '\'' || c == '`' || c == '=' || c == '&' || c == '?' ||
           c == '#' || c == ':' || c == ',' || c == '(' || c == ')' || c == '<' || c == '>' ||
           c == '|' || c == '{' || c == '}' || c == '[' || c == ']' || c == 0x7f;
}

/*
 * Byte classes, built once from the predicates of this file so that each scan asks one
 * table instead of a chain of comparisons, and a first pass over the value says which
 * steps of the rule can apply (see analyze_traversal_flags):
 *   B_DOT B_SEP  '.' and '/' '\'; B_HIGH  0xe2 and 0xef, the first bytes of the
 *   Unicode lookalikes of '.' and '/' (pclass); B_COLON  ':', which every file: URL and
 *   PHP wrapper holds; B_NAME  a byte after which no name starts (find_target).
 * pclass_ascii is the class of each byte below 0x80 for the climb scan.
 */
enum {
    B_DOT = 1,
    B_SEP = 2,
    B_HIGH = 4,
    B_COLON = 8,
    B_NAME = 16,
};
static uint8_t byte_class[256];
static uint8_t pclass_ascii[128];
/* Bit t: targets[t] starts with this byte (either case); filled with byte_class. */
static uint64_t target_first[256];
static pthread_once_t class_once = PTHREAD_ONCE_INIT;

/*
 * The class of the character at s[i] for path parsing, *w its width in bytes, *uni set
 * when it is a multi-byte lookalike (U+FF0E fullwidth full stop, U+2024 one dot leader,
 * U+FF0F fullwidth solidus, U+FF3C fullwidth reverse solidus, U+2215 division slash,
 * U+2216 set minus, which best-fit mapping turns into '\'). ASCII through the table;
 * of the other bytes only 0xe2 and 0xef can start a lookalike.
 */
static enum pclass pclass(const char *s, size_t n, size_t i, size_t *w, bool *uni)
{
    unsigned char c = (unsigned char)s[i];
    *w = 1;
    if (c < 0x80)
        return (enum pclass)pclass_ascii[c];
    if (c == 0xef && i + 2 < n && (unsigned char)s[i + 1] == 0xbc) {
        unsigned char d = (unsigned char)s[i + 2];
        if (d == 0x8e || d == 0x8f || d == 0xbc) {
            *w = 3;
            *uni = true;
            return d == 0x8e ? P_DOT : P_SEP;
        }
    }
    if (c == 0xe2 && i + 2 < n &&
        (((unsigned char)s[i + 1] == 0x80 && (unsigned char)s[i + 2] == 0xa4) ||
         ((unsigned char)s[i + 1] == 0x88 &&
          ((unsigned char)s[i + 2] == 0x95 || (unsigned char)s[i + 2] == 0x96)))) {
        *w = 3;
        *uni = true;
        return (unsigned char)s[i + 1] == 0x80 ? P_DOT : P_SEP;
    }
    return P_OTHER;
}

/* What the climb scan saw. */
struct climbs {
    int best;              /* longest run of climbing segments */
    size_t off, len;       /* that run, in the value */
    bool any;              /* at least one climb */
    size_t ev_off, ev_len; /* the first evasion form that climbs */
    const char *evasion;   /* its why, or NULL */
    bool nul;              /* a NUL byte anywhere */
};

/* Scans every token's segments for runs of "..": fills *c. One pass. */
static void scan_climbs(const char *s, size_t n, struct climbs *c)
{
    memset(c, 0, sizeof *c);
    int run = 0;
    size_t run_off = 0;
    bool after_sep = false; /* the segment starts after a separator in this token */
    size_t i = 0;
    while (i < n) {
        size_t st = i, w;
        int dots = 0;
        bool only_dots = true, semi = false, uni = false;
        enum pclass k = P_OTHER;
        while (i < n) {
            if (s[i] == 0)
                c->nul = true;
            k = pclass(s, n, i, &w, &uni);
            if (semi && k != P_SEP && (unsigned char)s[i] > ' ' && s[i] != '"' && s[i] != '\'') {
                i += w; /* ..;jsessionid=x/ : the path parameter up to the separator */
                continue;
            }
            if (k == P_SEP || k == P_BREAK)
                break;
            if (k == P_DOT && only_dots)
                dots++;
            else if (s[i] == ';' && only_dots && dots == 2)
                semi = true;
            else if (s[i] == ';') {
                k = P_BREAK; /* a;b is a list, not a path */
                break;
            } else
                only_dots = false;
            i += w;
        }
        bool sep = i < n && k == P_SEP;
        size_t seg_end = sep ? i + w : i; /* the climb with its separator */
        bool climb = only_dots && dots >= 2 && (sep || (dots == 2 && !semi && after_sep));
        if (climb) {
            if (!run)
                run_off = st;
            run++;
            c->any = true;
            if (run > c->best) {
                c->best = run;
                c->off = run_off;
                c->len = seg_end - run_off;
            }
            /* uni: a lookalike among the dots or as the separator */
            const char *ev = semi       ? "..;/ path parameter traversal"
                             : dots > 2 ? "....// filter evasion"
                             : uni      ? "Unicode lookalike ../"
                                        : NULL;
            if (ev && !c->evasion) {
                c->evasion = ev;
                c->ev_off = st;
                c->ev_len = seg_end - st;
            }
        } else if (!(only_dots && dots == 1) && i > st) {
            run = 0; /* an ordinary segment ends the run ("." and "" do not) */
        }
        if (i >= n)
            break;
        if (k == P_BREAK) {
            run = 0;
            after_sep = false;
            if (s[i] == 0)
                c->nul = true;
            i++;
        } else {
            after_sep = true;
            (void)pclass(s, n, i, &w, &uni);
            i += w;
        }
    }
}

/* Where a sensitive name counts (rule 3 and 4 of the file's comment). */
enum tier {
    T_ABS,  /* wherever it starts a path: etc/passwd, WEB-INF/web.xml */
    T_PATH, /* after a separator or with a climb: /.env, c:\boot.ini */
    T_CLIMB /* only with a climb: ../etc/hosts */
};

/* Files an attacker reads through traversal or inclusion. '/' matches '/' or '\' (and
 * runs of them, and "./" between), '#' a process id (digits); letters match either case. */
static const struct target {
    const char *path;
    unsigned char tier;
    const char *why;
} targets[] = {
    {"etc/passwd", T_ABS, "Unix account file"},
    {"etc/shadow", T_ABS, "Unix password hashes"},
    {"etc/gshadow", T_ABS, "Unix password hashes"},
    {"etc/master.passwd", T_ABS, "Unix password hashes"},
    {"etc/sudoers", T_ABS, "sudo configuration"},
    {"proc/self", T_ABS, "process information under /proc"},
    {"proc/#/environ", T_ABS, "process information under /proc"},
    {"proc/#/cmdline", T_ABS, "process information under /proc"},
    {"proc/version", T_PATH, "process information under /proc"},
    {".ssh/id_rsa", T_ABS, "SSH private key"},
    {".ssh/id_dsa", T_ABS, "SSH private key"},
    {".ssh/id_ecdsa", T_ABS, "SSH private key"},
    {".ssh/id_ed25519", T_ABS, "SSH private key"},
    {".ssh/authorized_keys", T_ABS, "SSH authorized keys"},
    {".aws/credentials", T_ABS, "cloud credentials file"},
    {"WEB-INF/web.xml", T_ABS, "Java web application descriptor"},
    {"WEB-INF/classes", T_ABS, "Java web application classes"},
    {".git/config", T_ABS, "source control metadata"},
    {".git/HEAD", T_ABS, "source control metadata"},
    {".svn/entries", T_ABS, "source control metadata"},
    {"windows/win.ini", T_ABS, "Windows system file"},
    {"system32/config/sam", T_ABS, "Windows account database"},
    {"windows/repair/sam", T_ABS, "Windows account database"},
    {"windows/system32", T_CLIMB, "Windows system directory"},
    {"winnt/system32", T_CLIMB, "Windows system directory"},
    {"win.ini", T_PATH, "Windows system file"},
    {"boot.ini", T_PATH, "Windows system file"},
    {"system.ini", T_PATH, "Windows system file"},
    {"web.config", T_PATH, "web server configuration"},
    {"applicationHost.config", T_PATH, "web server configuration"},
    {".htaccess", T_PATH, "web server configuration"},
    {".htpasswd", T_PATH, "web server password file"},
    {".env", T_PATH, "application secrets file"},
    {"wp-config.php", T_PATH, "application secrets file"},
    {"config/database.yml", T_PATH, "application secrets file"},
    {"tomcat-users.xml", T_PATH, "web server password file"},
    {".git-credentials", T_PATH, "source control credentials"},
    {".bash_history", T_PATH, "shell history"},
    {"id_rsa", T_PATH, "SSH private key"},
    {".kube/config", T_PATH, "cloud credentials file"},
    {".docker/config.json", T_PATH, "cloud credentials file"},
    {"var/log/apache2/access.log", T_CLIMB, "web server log (log poisoning)"},
    {"var/log/apache/access.log", T_CLIMB, "web server log (log poisoning)"},
    {"var/log/httpd/access_log", T_CLIMB, "web server log (log poisoning)"},
    {"var/log/nginx/access.log", T_CLIMB, "web server log (log poisoning)"},
    {"var/log/auth.log", T_CLIMB, "system log"},
    {"etc/hosts", T_CLIMB, "system configuration file"},
    {"etc/group", T_CLIMB, "system configuration file"},
    {"etc/issue", T_CLIMB, "system configuration file"},
    {"etc/nginx/nginx.conf", T_CLIMB, "web server configuration"},
    {"etc/httpd/conf/httpd.conf", T_CLIMB, "web server configuration"},
    {"etc/apache2/apache2.conf", T_CLIMB, "web server configuration"},
    {"php.ini", T_CLIMB, "web server configuration"},
    {"my.cnf", T_CLIMB, "database configuration"},
    {"config.php", T_CLIMB, "application secrets file"},
    {"server.xml", T_CLIMB, "web server configuration"},
};

#define SEP_RUN_MAX 64 /* separators and "./" skipped between two words of a target */

/*
 * Matches target path p at s[i]; the end of the match in *end. '/' in p matches a run of
 * '/' and '\' with "./" segments between (etc//passwd, etc/./passwd); the character
 * after the match must not continue a name (etc/passwd2 is another file).
 */
static bool match_path(const char *s, size_t n, size_t i, const char *p, size_t *end)
{
    for (; *p; p++) {
        if (*p == '/') {
            size_t k = i, lim = i + SEP_RUN_MAX;
            if (k >= n || (s[k] != '/' && s[k] != '\\'))
                return false;
            while (k < n && k < lim) {
                if (s[k] == '/' || s[k] == '\\')
                    k++;
                else if (s[k] == '.' && k + 1 < n && (s[k + 1] == '/' || s[k + 1] == '\\'))
                    k += 2;
                else
                    break;
            }
            i = k;
            continue;
        }
        if (*p == '#') {
            size_t k = i;
            while (k < n && k < i + 10 && s[k] >= '0' && s[k] <= '9')
                k++;
            if (k == i)
                return false;
            i = k;
            continue;
        }
        if (i >= n || (s[i] | 0x20) != (*p | 0x20))
            return false;
        i++;
    }
    if (i < n && (alnum((unsigned char)s[i]) || s[i] == '_'))
        return false;
    *end = i;
    return true;
}

/* Targets of each tier (bits as in target_first), and the T_ABS targets whose path holds
 * no '/' (none today: every such name is a path), which the prefilter must not skip. */
static uint64_t tier_abs, tier_path, sepless_abs;

/* Fills the tables above from the predicates and the target table (once). */
static void classes_init(void)
{
    _Static_assert(sizeof targets / sizeof targets[0] <= 64, "target_first holds 64 targets");
    for (unsigned c = 0; c < 256; c++) {
        unsigned char b = (unsigned char)c;
        uint8_t k = 0;
        k |= b == '.' ? B_DOT : 0;
        k |= b == '/' || b == '\\' ? B_SEP : 0;
        k |= b == 0xe2 || b == 0xef ? B_HIGH : 0;
        k |= b == ':' ? B_COLON : 0;
        k |= alnum(b) || b == '_' || b == '-' || b == '.' || b >= 0x80 ? B_NAME : 0;
        byte_class[c] = k;
        if (c < 128)
            pclass_ascii[c] = (uint8_t)(b == '.'        ? P_DOT
                                        : (k & B_SEP)   ? P_SEP
                                        : path_break(b) ? P_BREAK
                                                        : P_OTHER);
        /* the first byte as find_target compared it: equal once both are or-ed with 0x20 */
        for (size_t t = 0; t < sizeof targets / sizeof targets[0]; t++)
            if ((unsigned char)(b | 0x20) == (unsigned char)(targets[t].path[0] | 0x20))
                target_first[c] |= (uint64_t)1 << t;
    }
    for (size_t t = 0; t < sizeof targets / sizeof targets[0]; t++) {
        uint64_t bit = (uint64_t)1 << t;
        if (targets[t].tier == T_ABS)
            tier_abs |= bit;
        if (targets[t].tier != T_CLIMB)
            tier_path |= bit;
        if (targets[t].tier == T_ABS && !strchr(targets[t].path, '/'))
            sepless_abs |= bit;
    }
}

/*
 * The first target in s[0..n) that counts, given whether the value climbs. At each start
 * of a name, only the targets whose first byte it is and whose tier counts there are
 * tried, in the table's order (target_first's bits, lowest first): the first match is
 * the one a walk over the whole table would find.
 */
static const struct target *find_target(const char *s, size_t n, bool climbs, size_t *off,
                                        size_t *len)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t cand = target_first[(unsigned char)s[i]];
        if (!cand)
            continue;
        unsigned char prev = i ? (unsigned char)s[i - 1] : 0;
        if (i && (byte_class[prev] & B_NAME))
            continue; /* not the start of a name */
        bool after_sep = prev == '/' || prev == '\\';
        if (!climbs)
            cand &= after_sep ? tier_path : tier_abs;
        for (; cand; cand &= cand - 1) {
            const struct target *tg = &targets[__builtin_ctzll(cand)];
            size_t e;
            if (match_path(s, n, i, tg->path, &e)) {
                *off = after_sep ? i - 1 : i;
                *len = e - *off;
                return tg;
            }
        }
    }
    return NULL;
}

/* System locations a file: URL must not reach: the first path component (with the drive,
 * "c:/windows") after the slashes and an optional "localhost"; nothing at all is the root
 * itself. */
static const char *const file_roots[] = {
    "etc", "proc",       "sys",      "root",        "var",        "usr", "boot", "dev",
    "bin", "c:/windows", "c:/winnt", "c:/boot.ini", "c:/inetpub", "c:/", "c:"};

/* A file: URL to a system location, or a PHP stream wrapper that reads files. */
static bool file_url(const char *s, size_t n, size_t *off, size_t *len, const char **why)
{
    for (size_t i = 0; i + 5 <= n; i++) {
        /* each form starts with p, e or f (either case): only there can one match */
        char first = (char)(s[i] | 0x20);
        if (first != 'p' && first != 'e' && first != 'f')
            continue;
        if (i && alnum((unsigned char)s[i - 1]))
            continue;
        if (n - i >= 12 && !strncasecmp(s + i, "php://filter", 12)) {
            *off = i, *len = 12, *why = "php://filter wrapper";
            return true;
        }
        if (n - i >= 9 && !strncasecmp(s + i, "expect://", 9)) {
            *off = i, *len = 9, *why = "expect:// wrapper";
            return true;
        }
        if (strncasecmp(s + i, "file:", 5))
            continue;
        size_t k = i + 5, slashes = 0;
        while (k < n && (s[k] == '/' || s[k] == '\\') && slashes < 8)
            k++, slashes++;
        if (slashes == 0 && !(k + 1 < n && s[k + 1] == ':'))
            continue; /* "file:" in prose */
        if (slashes >= 2 && n - k >= 9 && !strncasecmp(s + k, "localhost", 9))
            k += 9;
        while (k < n && (s[k] == '/' || s[k] == '\\'))
            k++;
        /* what follows, up to the end of the path component (or two for a drive) */
        size_t e = k;
        while (e < n &&
               (alnum((unsigned char)s[e]) || s[e] == '.' || s[e] == '_' || s[e] == '-' ||
                s[e] == ':' || ((s[e] == '/' || s[e] == '\\') && e > k && s[e - 1] == ':')))
            e++;
        for (size_t r = 0; r < sizeof file_roots / sizeof file_roots[0]; r++) {
            size_t rl = strlen(file_roots[r]);
            bool eq = e - k == rl;
            for (size_t q = 0; eq && q < rl; q++)
                eq = (s[k + q] | 0x20) == file_roots[r][q] ||
                     (file_roots[r][q] == '/' && s[k + q] == '\\');
            if (eq || e == k) {
                *off = i, *len = e - i, *why = "file: URL to a system path";
                return true;
            }
        }
    }
    return false;
}

static const char *const climb_why[] = {"../ climbs 2 levels", "../ climbs 3 levels",
                                        "../ climbs 4 levels", "../ climbs 5 levels",
                                        "../ climbs 6 levels", "../ climbs 7 or more levels"};

/* The classes of s's bytes, or-ed. */
static unsigned classes_of(const char *s, size_t n)
{
    unsigned cls = 0;
    for (size_t i = 0; i < n; i++)
        cls |= byte_class[(unsigned char)s[i]];
    return cls;
}

/*
 * See analyze.h.
 *
 * The first pass over the byte classes skips the steps that cannot find anything, so the
 * finding is the one of running every step. Why each skip holds:
 *   - a climb is two dots (or their lookalikes, which start with 0xe2 or 0xef) before or
 *     after a separator ('/', '\\' or a lookalike): without a dot and a separator of
 *     either kind, scan_climbs sees no climb, and what it reports besides (a NUL byte)
 *     only counts with a climb;
 *   - a target in the table matches its '/' only with '/' or '\\': without one and
 *     without a climb, only a T_ABS name without '/' could match (sepless_abs: none);
 *   - every file: URL and PHP wrapper holds a ':'.
 * tests/unit/test_analyze_web.c (traversal_prefilter_edges) holds attacks at each edge.
 */
bool analyze_traversal_flags(const char *s, size_t n, unsigned dflags, struct analyze_finding *f)
{
    pthread_once(&class_once, classes_init);
    unsigned cls = classes_of(s, n);
    struct climbs c;
    if ((cls & (B_DOT | B_HIGH)) && (cls & (B_SEP | B_HIGH)))
        scan_climbs(s, n, &c);
    else
        memset(&c, 0, sizeof c);
    if (c.evasion)
        return found(f, c.evasion, c.ev_off, c.ev_len);
    if (c.best >= 2) {
        size_t k = (size_t)c.best - 2;
        if (k >= sizeof climb_why / sizeof climb_why[0])
            k = sizeof climb_why / sizeof climb_why[0] - 1;
        return found(f, climb_why[k], c.off, c.len);
    }
    if (c.any && c.nul)
        return found(f, "NUL byte after ../", c.off, n - c.off);
    size_t off, len;
    const struct target *t =
        (cls & B_SEP) || c.any || sepless_abs ? find_target(s, n, c.any, &off, &len) : NULL;
    if (t)
        return found(f, t->why, off, len);
    const char *why;
    if ((cls & B_COLON) && file_url(s, n, &off, &len, &why))
        return found(f, why, off, len);
    if (c.any && (dflags & (ANALYZE_D_DOUBLE | ANALYZE_D_BAD_UTF8)))
        return found(f, "encoded ../", c.off, c.len);
    return false;
}

/* See analyze.h. */
bool analyze_traversal(const char *s, size_t n, struct analyze_finding *f)
{
    return analyze_traversal_flags(s, n, 0, f);
}
