/*
 * analyze.h — the stateless web attack analyzers (docs/ARCHITECTURE.md "Analyzers"):
 * SQL injection judged by lexing a value as SQL in the contexts it may be pasted into,
 * XSS by scanning it as HTML, path traversal, command injection and scanner user
 * agents. Each looks at one value after the decoding a web server would do
 * (analyze_decode) and says whether it is an attack and why, with the fragment that
 * shows it. They keep no state, allocate nothing and take time linear in the value, so
 * any worker calls them; the caller owns the value and the finding, whose why is static
 * text and whose evidence is a range of the value.
 */
#ifndef VIGIL_ANALYZE_H
#define VIGIL_ANALYZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What an analyzer found: why (a short phrase) and where in the value it was judged. */
struct analyze_finding {
    const char *why;   /* static text, e.g. "UNION SELECT" */
    size_t off, len;   /* the evidence: a fragment of the decoded value */
};

/* Decoding flags (analyze_decode). */
#define ANALYZE_D_URL 1u       /* %XX decoded at least once */
#define ANALYZE_D_DOUBLE 2u    /* %XX decoded twice or more (double encoding) */
#define ANALYZE_D_PLUS 4u      /* '+' read as a space */
#define ANALYZE_D_ENTITY 8u    /* HTML entities decoded */
#define ANALYZE_D_BAD_UTF8 16u /* overlong or invalid UTF-8 (e.g. %c0%ae for '.') */
#define ANALYZE_D_NUL 32u      /* a NUL byte (%00) */
#define ANALYZE_D_CUT 64u      /* longer than the output: the rest was not decoded */

/*
 * Decodes in[0..n) as a server would before the application sees it: %XX (and %uXXXX)
 * repeated until nothing changes (at most 4 rounds), '+' as a space when plus is true
 * (query strings), then overlong UTF-8 forms of ASCII folded to ASCII. HTML entities are
 * left to the XSS analyzer, which decodes them where a browser would. Writes at most cap
 * bytes to out (no NUL added) and returns the length; *flags gets ANALYZE_D_*.
 */
size_t analyze_decode(const char *in, size_t n, bool plus, char *out, size_t cap,
                      unsigned *flags);

/* SQL injection in s[0..n) (decoded): true with *f filled when the value, pasted as is
 * or after a quote, reads as SQL that changes the query. */
bool analyze_sqli(const char *s, size_t n, struct analyze_finding *f);

/* Cross-site scripting in s[0..n) (decoded): true with *f filled when the value, placed
 * in HTML text, an attribute or a URL, would run script. */
bool analyze_xss(const char *s, size_t n, struct analyze_finding *f);

/* Path traversal and local file inclusion in s[0..n) (decoded): true with *f filled when
 * the value climbs two directories or more ("../../"), climbs through an evasion form
 * ("..;/", "....//", Unicode dots), climbs once to a sensitive file or with a NUL byte,
 * names a sensitive file as a path (/etc/passwd, WEB-INF/web.xml), or is a file: URL to
 * a system location. A single "../" to an ordinary file ("../images/a.png") passes. The
 * caller keeps s and f; *f points into s and its why is static text. */
bool analyze_traversal(const char *s, size_t n, struct analyze_finding *f);

/* The same, also true when a single climb arrived double-encoded or as overlong UTF-8:
 * dflags are analyze_decode's flags for s. */
bool analyze_traversal_flags(const char *s, size_t n, unsigned dflags,
                             struct analyze_finding *f);

/* OS command injection in s[0..n) (decoded): true with *f filled when, after ; | & && ||
 * a newline, `...` or $(...), a shell would read a command attackers run with an argument
 * that makes it a command line ("; cat /etc/passwd", "|id", "$(sleep 5)"), or when a
 * command word is split by quotes or backslashes, followed by ${IFS}, run by its /bin/
 * path after a separator or from a brace expansion. Prose ("Tom & Jerry") passes. */
bool analyze_cmdi(const char *s, size_t n, struct analyze_finding *f);

/* A known attack tool or scanner in s[0..n) (a User-Agent header, decoded): true with *f
 * filled when a tool's name is a token of the value (sqlmap, Nikto, Nmap, Nuclei, ...) or
 * an out-of-band testing domain is in it. Browsers, curl, Wget, HTTP libraries and
 * search engine crawlers pass. */
bool analyze_scanner(const char *s, size_t n, struct analyze_finding *f);

/* ---- a web event's field judged (an_request.c) ---------------------------------------- */

/* The analyzers, by the name the `|vigil_attack` modifier gives them. */
enum analyze_kind {
    ANALYZE_SQLI,      /* "sqli" */
    ANALYZE_XSS,       /* "xss" */
    ANALYZE_TRAVERSAL, /* "traversal" */
    ANALYZE_CMDI,      /* "cmdi" */
    ANALYZE_SCANNER,   /* "scanner" */
    ANALYZE_KINDS
};

/* What a field holds, so it is split and decoded as the server would. */
enum analyze_form {
    ANALYZE_FORM_RAW,   /* one value, %XX decoded */
    ANALYZE_FORM_QUERY, /* a query string: parameters split at '&', '+' a space */
    ANALYZE_FORM_PATH,  /* a URL path */
    ANALYZE_FORM_URL,   /* a path, then '?' and a query string */
};

#define ANALYZE_EVIDENCE_MAX 160 /* bytes of decoded evidence kept */
#define ANALYZE_PARAM_MAX 64     /* bytes of a parameter name kept */

/* A finding with its evidence copied out of the analyzer's buffer (NUL-terminated). */
struct analyze_evidence {
    const char *why;                        /* static text */
    char fragment[ANALYZE_EVIDENCE_MAX + 1]; /* the decoded fragment with some context */
    size_t len;
    char param[ANALYZE_PARAM_MAX + 1]; /* the query parameter, "" when none */
    unsigned flags;                    /* ANALYZE_D_* of the decoding */
};

/* The kind called name[0..n) ("sqli", ...), or -1. */
int analyze_kind_by_name(const char *name, size_t n);
/* The name of kind k (static). */
const char *analyze_kind_name(enum analyze_kind k);
/* The form a field of that name holds (cs-uri-query a query string, cs-uri-stem a path,
 * cs-uri and cs-referer a URL, anything else raw). */
enum analyze_form analyze_form_of_field(const char *field, size_t n);

/*
 * Judges the field value s[0..n) (as logged: still encoded) of the given form with
 * analyzer k: split and decoded as the application would receive it, each part judged.
 * True at the first finding, with ev (may be NULL) filled. Decodes into a per-thread
 * buffer: any thread may call it; nothing is allocated.
 */
bool analyze_field(enum analyze_kind k, enum analyze_form form, const char *s, size_t n,
                   struct analyze_evidence *ev);

#endif
