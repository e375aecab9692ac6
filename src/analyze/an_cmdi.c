/*
 * an_cmdi.c — OS command injection judged on a request value after analyze_decode (so
 * %0a is a newline and %26 an '&' here). An application that pastes the value into a
 * shell command line ("ping -c 1 VALUE") runs whatever follows a character that ends or
 * nests a command: ; | || & && a newline, `...` and $(...). The analyzer looks at each of
 * those places and reads what a shell would read there: a command word, with the quotes
 * and backslashes a shell removes ("w'h'o'am'i", "c\at"), ${IFS} and $IFS$9 as spaces,
 * /bin/ and C:\Windows\System32\ paths and ".exe" dropped; then its first argument.
 *
 * A command word alone is not enough: "Tom & Jerry", "a; b", "rock | pop" and "dogs &
 * cat toys" are prose. Each command in the table says which first argument makes it a
 * command line: nothing at all for words that are only commands (whoami, ifconfig), an
 * option or an absolute path for words that are also English (cat, type, head), a host
 * or a URL for the network tools (ping, curl, nc), a number then the end for sleep. The
 * tricks that only evade a filter are signs by themselves, wherever the word starts: a
 * command word split by quotes or backslashes, ${IFS} after a command word, a brace
 * expansion {cat,/etc/passwd}; and after a separator, a system binary by its absolute
 * path (/bin/cat) or a path of glob characters (/???/??t, which the shell expands).
 * Markdown's inline code in prose ("use `ls -la` to list files") and capitalized words
 * ("Sales & Marketing; Net User Growth") are prose too. Every position reads a bounded
 * number of bytes (WORD_RAW, ARG_RAW): linear in n.
 */
#include "analyze/analyze.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

#define WORD_RAW 64 /* bytes of the value read for one command word */
#define WORD_MAX 32 /* its length once quotes and escapes are removed */
#define ARG_RAW 256 /* bytes read for its first argument */
#define ARG_MAX 128

/* What the first argument of a command looks like (struct cmd's any and all). */
enum {
    S_END = 1u << 0,       /* no argument: the end of the value or of the command */
    S_FLAG = 1u << 1,      /* -x, --long, /c (Windows) */
    S_ABSPATH = 1u << 2,   /* /etc/passwd, ~/x, ./x, ../x, C:\x, %WINDIR%\x */
    S_PATH = 1u << 3,      /* anything with a / or \ in it, or a * */
    S_FILE = 1u << 4,      /* name.ext with an extension of the files attackers read */
    S_HOST = 1u << 5,      /* a URL, an IPv4 address or a dotted host name */
    S_NUM = 1u << 6,       /* 5, 10.5, 5s */
    S_STR = 1u << 7,       /* quoted, a $variable or $(...), a redirection */
    S_MARK = 1u << 8,      /* a token of letters and digits (a random marker: abc123) */
    S_WORD = 1u << 9,      /* one of the command's subcommands (net user) */
    S_ANY = 1u << 10,      /* any argument */
    S_THEN_END = 1u << 11, /* the argument is followed by the end of the command */
    S_THEN_SEP = 1u << 12, /* ... by a separator, not by the end of the value */
};

#define S_NAMED (S_ABSPATH | S_FILE | S_STR) /* a file named the way a shell would take it */

static const char *const net_words[] = {"user",  "users", "localgroup", "group",    "view",
                                        "share", "use",   "session",    "accounts", "config",
                                        "start", "stop",  NULL};
static const char *const reg_words[] = {"query", "add", "save", "export", "delete", NULL};
static const char *const ps_words[] = {"aux", "ax", "ef", NULL};
/* The options that make an interpreter run code given on its command line. */
static const char *const py_words[] = {"-c", NULL};
static const char *const perl_words[] = {"-e", NULL};
static const char *const php_words[] = {"-r", NULL};
static const char *const node_words[] = {"-e", "-p", "--eval", NULL};
static const char *const dig_words[] = {"txt", "any", "axfr", "mx", "ns", "aaaa", "cname", NULL};

/* Commands attackers run first, with the arguments that make each one a command line:
 * the word is a command when its first argument has one of the shapes of `any` and all
 * the shapes of `all`. */
static const struct cmd {
    const char *name;
    unsigned any, all;
    const char *const *words;
} cmds[] = {
    {"id", S_END | S_FLAG, 0, NULL},
    {"whoami", S_END | S_ANY, 0, NULL},
    {"uname", S_END | S_FLAG, 0, NULL},
    {"hostname", S_END | S_FLAG, 0, NULL},
    {"ifconfig", S_END | S_ANY, 0, NULL},
    {"ipconfig", S_END | S_ANY, 0, NULL},
    {"netstat", S_END | S_FLAG, 0, NULL},
    {"systeminfo", S_END | S_ANY, 0, NULL},
    {"tasklist", S_END | S_ANY, 0, NULL},
    {"env", S_END, 0, NULL},
    {"printenv", S_END | S_ANY, 0, NULL},
    {"pwd", S_END, 0, NULL},
    {"ps", S_FLAG | S_WORD, 0, ps_words},
    {"ls", S_END | S_FLAG | S_ABSPATH, 0, NULL},
    {"dir", S_ABSPATH | S_FLAG, 0, NULL},
    {"cat", S_NAMED | S_FLAG, 0, NULL},
    {"tac", S_NAMED | S_FLAG, 0, NULL},
    {"nl", S_NAMED, 0, NULL},
    {"more", S_NAMED, 0, NULL},
    {"less", S_NAMED, 0, NULL},
    {"head", S_NAMED, 0, NULL},
    {"tail", S_NAMED, 0, NULL},
    {"type", S_ABSPATH, 0, NULL},
    {"strings", S_ABSPATH, 0, NULL},
    {"xxd", S_NAMED, 0, NULL},
    {"base64", S_FLAG | S_ABSPATH, 0, NULL},
    {"find", S_ABSPATH, 0, NULL},
    {"touch", S_ABSPATH, 0, NULL},
    {"rm", S_FLAG, 0, NULL},
    {"chmod", S_ANY, 0, NULL},
    {"mkfifo", S_ANY, 0, NULL},
    {"passwd", S_END | S_FLAG, 0, NULL},
    {"crontab", S_FLAG, 0, NULL},
    {"useradd", S_ANY, 0, NULL},
    {"echo", S_STR | S_MARK | S_THEN_SEP, 0, NULL},
    {"printf", S_STR, 0, NULL},
    {"sleep", S_NUM, S_THEN_END, NULL},
    {"timeout", S_FLAG, 0, NULL},
    {"ping", S_FLAG | S_HOST, 0, NULL},
    {"nslookup", S_END | S_ANY, 0, NULL},
    {"dig", S_HOST | S_WORD, 0, dig_words},
    {"host", S_HOST, 0, NULL},
    {"curl", S_HOST | S_FLAG, 0, NULL},
    {"wget", S_HOST | S_FLAG, 0, NULL},
    {"tftp", S_HOST | S_FLAG, 0, NULL},
    {"nc", S_HOST | S_FLAG, 0, NULL},
    {"ncat", S_HOST | S_FLAG, 0, NULL},
    {"netcat", S_HOST | S_FLAG, 0, NULL},
    {"socat", S_ANY, 0, NULL},
    {"telnet", S_HOST, 0, NULL},
    {"sh", S_FLAG | S_ABSPATH | S_STR, 0, NULL},
    {"bash", S_FLAG | S_ABSPATH | S_STR, 0, NULL},
    {"zsh", S_FLAG | S_ABSPATH | S_STR, 0, NULL},
    {"dash", S_FLAG | S_ABSPATH | S_STR, 0, NULL},
    {"ksh", S_FLAG | S_ABSPATH | S_STR, 0, NULL},
    {"csh", S_FLAG | S_ABSPATH | S_STR, 0, NULL},
    {"tcsh", S_FLAG | S_ABSPATH | S_STR, 0, NULL},
    {"python", S_WORD | S_ABSPATH, 0, py_words},
    {"python2", S_WORD | S_ABSPATH, 0, py_words},
    {"python3", S_WORD | S_ABSPATH, 0, py_words},
    {"perl", S_WORD | S_ABSPATH, 0, perl_words},
    {"ruby", S_WORD | S_ABSPATH, 0, perl_words},
    {"php", S_WORD | S_ABSPATH, 0, php_words},
    {"node", S_WORD | S_ABSPATH, 0, node_words},
    {"lua", S_WORD | S_ABSPATH, 0, perl_words},
    {"xterm", S_FLAG, 0, NULL},
    {"powershell", S_FLAG | S_STR, 0, NULL},
    {"pwsh", S_FLAG | S_STR, 0, NULL},
    {"cmd", S_FLAG, 0, NULL},
    {"certutil", S_END | S_ANY, 0, NULL},
    {"bitsadmin", S_END | S_ANY, 0, NULL},
    {"mshta", S_ANY, 0, NULL},
    {"rundll32", S_ANY, 0, NULL},
    {"regsvr32", S_ANY, 0, NULL},
    {"wmic", S_END | S_ANY, 0, NULL},
    {"cscript", S_ANY, 0, NULL},
    {"wscript", S_ANY, 0, NULL},
    {"schtasks", S_ANY, 0, NULL},
    {"nltest", S_ANY, 0, NULL},
    {"vssadmin", S_ANY, 0, NULL},
    {"net", S_WORD, 0, net_words},
    {"net1", S_WORD, 0, net_words},
    {"reg", S_WORD, 0, reg_words},
};

/* Directories of system binaries: a command by its absolute path (normalized: '\' is
 * '/', lower case). */
static const char *const bin_dirs[] = {"/bin/",
                                       "/usr/bin/",
                                       "/sbin/",
                                       "/usr/sbin/",
                                       "/usr/local/bin/",
                                       "c:/windows/system32/",
                                       "c:/windows/syswow64/",
                                       "%windir%/system32/",
                                       "%systemroot%/system32/"};

/* File extensions that make "cat NAME.EXT" a command line. */
static const char *const file_exts[] = {
    "txt", "php",  "log", "conf",   "ini",    "xml",      "json",   "sh",        "py",
    "env", "cfg",  "yml", "yaml",   "bak",    "sql",      "db",     "key",       "pem",
    "asp", "aspx", "jsp", "passwd", "shadow", "htpasswd", "config", "properties"};

static bool found(struct analyze_finding *f, const char *why, size_t off, size_t len)
{
    f->why = why;
    f->off = off;
    f->len = len;
    return true;
}

static bool alpha(unsigned char c)
{
    return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

static bool digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* Ends a command: ; | & a newline, and what closes a nested one. */
static bool cmd_end_byte(unsigned char c)
{
    return c == ';' || c == '|' || c == '&' || c == '\n' || c == '\r' || c == '`' || c == ')' ||
           c == '#' || c == '}';
}

/* Ends a word in a shell. */
static bool word_delim_byte(unsigned char c)
{
    return c == ' ' || c == '\t' || cmd_end_byte(c) || c == '(' || c == '<' || c == '>' ||
           c == '{' || c == ',' || c == '=' || c == 0;
}

/* A byte without which a word read by read_word is neither obfuscated nor followed by
 * ${IFS}: the quotes and the backslash a shell removes, the '$' of an expansion. */
static bool evasion_byte(unsigned char c)
{
    return c == '\'' || c == '"' || c == '\\' || c == '$';
}

/*
 * The predicates above and the bytes analyze_cmdi stops at, as a table built once
 * (tables_init): C_END cmd_end_byte, C_DELIM word_delim_byte, C_EVASION evasion_byte,
 * C_OPENS a byte after which a command may start (; | & a newline ` $ {), C_WORD a byte
 * a word judge_evasion reads starts with (a letter or '/').
 */
enum { C_END = 1, C_DELIM = 2, C_EVASION = 4, C_OPENS = 8, C_WORD = 16 };
static uint8_t cmd_class[256];

static bool cmd_end(unsigned char c)
{
    return cmd_class[c] & C_END;
}

static bool word_delim(unsigned char c)
{
    return cmd_class[c] & C_DELIM;
}

/* The length of ${IFS}, $IFS$9, ${IFS%??} or $IFS at s[i] (a shell reads a space), or 0. */
static size_t ifs_at(const char *s, size_t n, size_t i)
{
    if (i + 4 > n || s[i] != '$')
        return 0;
    if (i + 5 < n && s[i + 1] == '{' && !memcmp(s + i + 2, "IFS", 3)) {
        for (size_t k = i + 5; k < n && k < i + 12; k++)
            if (s[k] == '}')
                return k + 1 - i;
        return 0;
    }
    if (memcmp(s + i + 1, "IFS", 3))
        return 0;
    if (i + 6 <= n && s[i + 4] == '$' && digit((unsigned char)s[i + 5]))
        return 6;
    if (i + 4 < n &&
        (alpha((unsigned char)s[i + 4]) || digit((unsigned char)s[i + 4]) || s[i + 4] == '_'))
        return 0; /* $IFSX is another variable */
    return 4;
}

/* Skips spaces, tabs and ${IFS} forms from i; *ifs when an IFS form was among them. */
static size_t skip_space(const char *s, size_t n, size_t i, bool *ifs)
{
    while (i < n) {
        size_t l;
        if (s[i] == ' ' || s[i] == '\t')
            i++;
        else if ((l = ifs_at(s, n, i))) {
            i += l;
            *ifs = true;
        } else
            break;
    }
    return i;
}

/* A word as the shell reads it. */
struct word {
    char t[ARG_MAX];
    size_t len;
    size_t end;     /* where reading stopped in the value */
    bool obf;       /* a quote, backslash or empty expansion inside the word */
    bool quoted;    /* it started with a quote */
    bool dollar;    /* a $ expansion in it */
    bool ifs_after; /* ${IFS} right after it */
    bool mixed;     /* its last path component mixes cases ("Net", "Sleep": prose) */
};

/*
 * Reads the word at s[i] the way a shell would (quotes dropped, backslash escapes
 * dropped, $@ $* ${} $() expansions to nothing dropped), lower-cased into w->t (at most
 * cap bytes, raw at most raw bytes). A command word that does not fit is no command
 * (false); an argument (arg) keeps its first cap bytes.
 */
static bool read_word(const char *s, size_t n, size_t i, size_t cap, size_t raw, bool arg,
                      struct word *w)
{
    w->len = 0;
    w->obf = w->quoted = w->dollar = w->ifs_after = w->mixed = false;
    unsigned cases = 0;   /* 1: a lower case letter, 2: an upper case one, since the last '/' */
    bool pending = false; /* something a shell drops was just skipped */
    unsigned quotes[2] = {0, 0}; /* ' and " seen: a shell needs them paired ("i'd" is prose) */
    bool win_path = i + 2 < n && alpha((unsigned char)s[i]) && s[i + 1] == ':' &&
                    (s[i + 2] == '\\' || s[i + 2] == '/');
    win_path |= i < n && s[i] == '%';
    if (i < n && (s[i] == '\'' || s[i] == '"'))
        w->quoted = true;
    size_t lim = n - i > raw ? i + raw : n;
    while (i < lim) {
        unsigned char c = (unsigned char)s[i];
        size_t l;
        if (c == '$' && (l = ifs_at(s, n, i))) {
            w->ifs_after = w->len > 0;
            break;
        }
        if (c == '\'' || c == '"') {
            pending = w->len > 0;
            quotes[c == '"']++;
            i++;
            continue;
        }
        if (c == '\\' && !win_path) {
            pending = w->len > 0;
            i++;
            if (i < lim && s[i] != '\n')
                c = (unsigned char)s[i];
            else
                continue;
        } else if (c == '$' && i + 1 < lim &&
                   (s[i + 1] == '@' || s[i + 1] == '*' ||
                    (s[i + 1] == '{' && i + 2 < lim && s[i + 2] == '}') ||
                    (s[i + 1] == '(' && i + 2 < lim && s[i + 2] == ')'))) {
            pending = w->len > 0;
            i += s[i + 1] == '@' || s[i + 1] == '*' ? 2 : 3;
            continue;
        } else if (c == '$') {
            w->dollar = true;
        } else if (word_delim(c)) {
            break;
        }
        if (w->len == cap) {
            if (!arg)
                return false;
            i++;
            continue;
        }
        if (pending)
            w->obf = true;
        pending = false;
        if (c == '/' || c == '\\')
            cases = 0;
        else
            cases |= (c >= 'a' && c <= 'z') ? 1u : (c >= 'A' && c <= 'Z') ? 2u : 0u;
        w->t[w->len++] = c == '\\' && win_path ? '/' : (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        i++;
    }
    if (!arg && i == lim && lim < n && !word_delim((unsigned char)s[i]))
        return false; /* longer than anything in the table */
    w->mixed = cases == 3;
    if ((quotes[0] | quotes[1]) & 1)
        w->obf = false;
    w->end = i;
    return true;
}

static bool has(const char *t, size_t n, const char *sub)
{
    size_t l = strlen(sub);
    return n >= l && memmem(t, n, sub, l) != NULL;
}

/* An IPv4 address, "localhost" or a dotted name whose last label is letters (a TLD). */
static bool host_like(const char *t, size_t n)
{
    size_t dots = 0, digits = 0, last_dot = 0;
    for (size_t k = 0; k < n; k++) {
        unsigned char c = (unsigned char)t[k];
        if (c == '.')
            dots++, last_dot = k;
        else if (digit(c))
            digits++;
        else if (!alpha(c) && c != '-' && c != '_')
            return false;
    }
    if (n && dots == 3 && digits + dots == n)
        return true;
    if (n == 9 && !memcmp(t, "localhost", 9))
        return true;
    if (!dots || last_dot == 0 || last_dot + 2 > n - 1)
        return false;
    for (size_t k = last_dot + 1; k < n; k++)
        if (!alpha((unsigned char)t[k]))
            return false;
    return true;
}

/* The shapes of argument a (read by read_word). */
static unsigned shape_of(const struct word *a)
{
    const char *t = a->t;
    size_t n = a->len;
    unsigned sh = S_ANY;
    if (a->quoted || a->dollar)
        sh |= S_STR;
    if (n >= 2 && t[0] == '-' && (alpha((unsigned char)t[1]) || t[1] == '-'))
        sh |= S_FLAG;
    if (n >= 2 && n <= 8 && t[0] == '/') {
        bool letters = true;
        for (size_t k = 1; k < n; k++)
            letters &= alpha((unsigned char)t[k]) != 0;
        if (letters)
            sh |= S_FLAG; /* /c /all /priv */
    }
    if (n >= 1 && (t[0] == '/' || t[0] == '~' || t[0] == '%' || has(t, n, "./") ||
                   (n >= 3 && alpha((unsigned char)t[0]) && t[1] == ':' && t[2] == '/')))
        sh |= S_ABSPATH | S_PATH;
    if (memchr(t, '/', n) || memchr(t, '*', n))
        sh |= S_PATH;
    /* digits, letters and dots: a number, an IPv4 address, a host or a file name */
    size_t dots = 0, digits = 0, letters = 0, last_dot = 0;
    bool plain = n > 0;
    for (size_t k = 0; k < n; k++) {
        unsigned char c = (unsigned char)t[k];
        if (c == '.')
            dots++, last_dot = k;
        else if (digit(c))
            digits++;
        else if (alpha(c))
            letters++;
        else if (c != '-' && c != '_')
            plain = false;
    }
    if (has(t, n, "://"))
        sh |= S_HOST;
    if (plain && digits && !letters && dots <= 1 && t[0] != '.' && t[n - 1] != '.')
        sh |= S_NUM;
    if (plain && n >= 2 && digits + 1 == n && (t[n - 1] == 's' || t[n - 1] == 'm'))
        sh |= S_NUM; /* sleep 5s */
    /* a host, alone or before a port or a path: 10.0.0.1:80, x.example/s.sh */
    size_t h = 0;
    while (h < n && t[h] != '/' && t[h] != ':')
        h++;
    if (host_like(t, h))
        sh |= S_HOST;
    if (plain && dots >= 1 && last_dot > 0 && last_dot + 1 < n) {
        size_t tld = n - last_dot - 1;
        for (size_t e = 0; e < sizeof file_exts / sizeof file_exts[0]; e++)
            if (strlen(file_exts[e]) == tld && !memcmp(t + last_dot + 1, file_exts[e], tld))
                sh |= S_FILE;
    }
    if (plain && n >= 5 && digits && letters && !dots)
        sh |= S_MARK;
    return sh;
}

#define NCMDS (sizeof cmds / sizeof cmds[0])
#define NO_CMD 0xff

/*
 * The command table by first byte, built once: cmd_head[c] is the first command whose
 * name starts with c, cmd_next[k] the next one after cmds[k] (NO_CMD ends a chain), in
 * the table's order; cmd_len[k] is the length of cmds[k]'s name.
 */
static uint8_t cmd_head[256], cmd_next[NCMDS], cmd_len[NCMDS];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

/* Builds cmd_class and the command chains (once, from analyze_cmdi). */
static void tables_init(void)
{
    for (unsigned c = 0; c < 256; c++) {
        unsigned char b = (unsigned char)c;
        cmd_class[c] =
            (uint8_t)((cmd_end_byte(b) ? C_END : 0) | (word_delim_byte(b) ? C_DELIM : 0) |
                      (evasion_byte(b) ? C_EVASION : 0) |
                      (strchr(";|&\n\r`${", b) && b ? C_OPENS : 0) |
                      (alpha(b) || b == '/' ? C_WORD : 0));
    }
    _Static_assert(NCMDS < NO_CMD, "the command chains index at most 254 commands");
    memset(cmd_head, NO_CMD, sizeof cmd_head);
    for (size_t k = NCMDS; k-- > 0;) { /* backwards: each chain in the table's order */
        unsigned char c = (unsigned char)cmds[k].name[0];
        cmd_len[k] = (uint8_t)strlen(cmds[k].name);
        cmd_next[k] = cmd_head[c];
        cmd_head[c] = (uint8_t)k;
    }
}

/* The command named t[0..n) (lower case), the first of the table's. */
static const struct cmd *cmd_find(const char *t, size_t n)
{
    for (unsigned k = cmd_head[(unsigned char)t[0]]; k != NO_CMD; k = cmd_next[k])
        if (cmd_len[k] == n && !memcmp(cmds[k].name, t, n))
            return &cmds[k];
    return NULL;
}

/* A command word, its path and ".exe" taken off; *sys when the path is a system one. */
static const struct cmd *cmd_of(struct word *w, bool *sys)
{
    *sys = false;
    if (!w->len)
        return NULL;
    /* every directory starts with '/', 'c' or '%' */
    bool dir_start = w->t[0] == '/' || w->t[0] == 'c' || w->t[0] == '%';
    for (size_t d = 0; dir_start && d < sizeof bin_dirs / sizeof bin_dirs[0]; d++) {
        size_t l = strlen(bin_dirs[d]);
        if (w->len > l && !memcmp(w->t, bin_dirs[d], l))
            *sys = true;
    }
    const char *base = w->t;
    size_t n = w->len;
    const char *slash = NULL;
    for (size_t k = 0; k < n; k++)
        if (w->t[k] == '/')
            slash = w->t + k;
    if (slash) {
        base = slash + 1;
        n = w->len - (size_t)(base - w->t);
    }
    if (n > 4 && !memcmp(base + n - 4, ".exe", 4))
        n -= 4;
    return n ? cmd_find(base, n) : NULL;
}

/* Does the first argument after the word (reading from i) make c a command line? *end
 * gets the end of the evidence. */
static bool args_fit(const char *s, size_t n, size_t i, const struct cmd *c, size_t *end)
{
    bool ifs = false;
    size_t k = skip_space(s, n, i, &ifs);
    unsigned sh;
    *end = k;
    if (k >= n || cmd_end((unsigned char)s[k])) {
        sh = S_END | S_THEN_END;
    } else if (s[k] == '<' || s[k] == '>') {
        sh = S_STR | S_ANY;
    } else {
        struct word a;
        if (!read_word(s, n, k, ARG_MAX, ARG_RAW, true, &a) || a.end == k)
            return false;
        sh = shape_of(&a);
        *end = a.end;
        if (c->words)
            for (size_t w = 0; c->words[w]; w++)
                if (strlen(c->words[w]) == a.len && !memcmp(c->words[w], a.t, a.len))
                    sh |= S_WORD;
        size_t e = skip_space(s, n, a.end, &ifs);
        if (e >= n || cmd_end((unsigned char)s[e]))
            sh |= S_THEN_END;
        if (e < n && cmd_end((unsigned char)s[e]))
            sh |= S_THEN_SEP;
    }
    return (sh & c->any) && (sh & c->all) == c->all;
}

/* Words that run the next word as the command. */
static bool prefix_word(const struct word *w)
{
    return (w->len == 4 && !memcmp(w->t, "sudo", 4)) || (w->len == 5 && !memcmp(w->t, "nohup", 5));
}

/*
 * Judges the command that starts at s[i] (after a separator, sep_why its phrase):
 * true with *f filled. at is where the evidence starts.
 */
static bool judge_cmd(const char *s, size_t n, size_t i, size_t at, const char *sep_why,
                      struct analyze_finding *f)
{
    bool ifs = false;
    i = skip_space(s, n, i, &ifs);
    while (i < n && (s[i] == '(' || s[i] == '!'))
        i = skip_space(s, n, i + 1, &ifs);
    struct word w;
    if (i >= n || !read_word(s, n, i, WORD_MAX, WORD_RAW, false, &w))
        return false;
    if (prefix_word(&w)) {
        i = skip_space(s, n, w.end, &ifs);
        if (i >= n || !read_word(s, n, i, WORD_MAX, WORD_RAW, false, &w))
            return false;
    }
    if (w.end < n && s[w.end] == '=')
        return false; /* an assignment (a&id=5 in a URL) */
    if (w.mixed)
        return false; /* "; Sleep well", "& Net User Growth": commands are not capitalized
                         (Windows takes WHOAMI as well as whoami) */
    bool sys;
    const struct cmd *c = cmd_of(&w, &sys);
    size_t end = w.end;
    if (c && w.obf)
        return found(f, "command word split by quotes or backslashes", at, end - at);
    if (c && w.ifs_after)
        return found(f, "${IFS} used as a space", at, end - at);
    if (sys)
        return found(f, "system binary by path after a separator", at, end - at);
    if (!c && w.len >= 4 && w.t[0] == '/' && memchr(w.t + 1, '/', w.len - 1) &&
        (memchr(w.t, '?', w.len) || memchr(w.t, '*', w.len)))
        return found(f, "glob as a command path", at, end - at); /* /???/??t /???/p??s?? */
    if (c && args_fit(s, n, w.end, c, &end))
        return found(f, sep_why, at, end - at);
    return false;
}

/* At a word that is not after a separator: only the evasions count. */
static bool judge_evasion(const char *s, size_t n, size_t i, struct analyze_finding *f)
{
    struct word w;
    if (!read_word(s, n, i, WORD_MAX, WORD_RAW, false, &w) || !(w.obf || w.ifs_after))
        return false;
    bool sys;
    const struct cmd *c = cmd_of(&w, &sys);
    if (!c)
        return false;
    return found(f,
                 w.obf ? "command word split by quotes or backslashes" : "${IFS} used as a space",
                 i, w.end - i);
}

/* {cat,/etc/passwd}: bash runs the words of a brace expansion as a command line. */
static bool judge_brace(const char *s, size_t n, size_t i, struct analyze_finding *f)
{
    struct word w;
    if (i + 1 >= n || s[i + 1] == '"' || s[i + 1] == '\'' ||
        !read_word(s, n, i + 1, WORD_MAX, WORD_RAW, false, &w) || w.end + 1 >= n ||
        s[w.end] != ',' || s[w.end + 1] == ' ')
        return false;
    bool sys;
    if (!cmd_of(&w, &sys) && !sys)
        return false;
    const char *close = memchr(s + w.end, '}', n - w.end < ARG_RAW ? n - w.end : ARG_RAW);
    size_t end = close ? (size_t)(close - s) + 1 : w.end + 1;
    return found(f, "brace expansion runs a command", i, end - i);
}

/* Markdown's inline code in prose ("use `ls -la` to list"): a backtick after a space whose
 * closing one is followed by a space. */
static bool inline_code(const char *s, size_t n, size_t i)
{
    if (i == 0 || s[i - 1] != ' ')
        return false;
    size_t lim = n - i > ARG_RAW ? i + ARG_RAW : n;
    const char *close = memchr(s + i + 1, '`', lim - i - 1);
    return close && close + 1 < s + n && close[1] == ' ';
}

/* The first evasion byte in s[i..n), or n. */
static size_t next_evasion(const char *s, size_t n, size_t i)
{
    while (i < n && !(cmd_class[(unsigned char)s[i]] & C_EVASION))
        i++;
    return i;
}

/*
 * See analyze.h.
 *
 * judge_evasion only says yes for a word that read_word found obfuscated (a quote, a
 * backslash or a $ expansion dropped inside it) or followed by ${IFS} (a '$'): each needs
 * an evasion byte among the WORD_RAW bytes read_word reads from the word's start. The
 * scan keeps the next such byte (ev) and skips judge_evasion where none is in reach, so
 * prose costs one look per byte. A byte that neither opens a command nor starts a word
 * is passed at once.
 */
bool analyze_cmdi(const char *s, size_t n, struct analyze_finding *f)
{
    pthread_once(&tables_once, tables_init);
    size_t ev = next_evasion(s, n, 0);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!(cmd_class[c] & (C_OPENS | C_WORD)))
            continue;
        const char *why = NULL;
        size_t start = i + 1;
        switch (c) {
        case ';':
            why = "command after ;";
            break;
        case '|':
            why = i && s[i - 1] == '|' ? "command after ||" : "command after |";
            break;
        case '&':
            why = i && s[i - 1] == '&' ? "command after &&" : "command after &";
            break;
        case '\n':
        case '\r':
            why = "command after a newline";
            break;
        case '`':
            why = inline_code(s, n, i) ? NULL : "command in backticks";
            break;
        case '$':
            if (i + 1 < n && s[i + 1] == '(') {
                why = "command in $(...)";
                start = i + 2;
            }
            break;
        case '{':
            if (judge_brace(s, n, i, f))
                return true;
            break;
        default:
            break;
        }
        if (why && judge_cmd(s, n, start, i, why, f))
            return true;
        if (why || ev >= n || !(alpha(c) || c == '/'))
            continue;
        if (ev < i)
            ev = next_evasion(s, n, i);
        bool word_start = i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t' || s[i - 1] == '"' ||
                          s[i - 1] == '\'' || s[i - 1] == '=';
        if (word_start && ev - i < WORD_RAW && judge_evasion(s, n, i, f))
            return true;
    }
    return false;
}
