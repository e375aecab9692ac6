/*
 * builtin_rules.c — the rules Vigil ships inside the binary: its web attack analyzers
 * (src/analyze) written as Sigma rules with Vigil's `|vigil_attack` modifier. Being
 * rules, their findings take the path of any match — counted per rule on /metrics,
 * switched off from the console like any rule, merged into alerts, scored for risk, fed
 * to correlations (a correlation may name them by id) — and `vigil hunt` runs them
 * beside the user's rules. The loader reads this text first, as the file
 * DETECT_BUILTIN_FILE, when the load options ask for it (the daemon unless
 * `rules: builtin: false`, hunt unless --no-builtin).
 *
 * Levels: a SQL, command injection or traversal attempt that reaches a server is high
 * (it works often enough to be worth a look at once); reflected XSS needs a victim's
 * browser and a scanner's user agent is reconnaissance, so they are medium. Status is
 * test: they are Vigil's own, measured on the development and benign sets (README).
 */
#include "detect/detect_int.h"

#define WEB_LOGSOURCE                                                                          \
    "logsource:\n"                                                                            \
    "  category: webserver\n"

static const char builtin_text[] =
    "title: SQL injection in a web request\n"
    "id: vigil-web-sqli\n"
    "status: test\n"
    "description: A query parameter or path segment, decoded as the application receives it,"
    " reads as SQL that changes the query (Vigil's SQL lexer, not a keyword list).\n"
    "author: Vigil\n"
    "tags: [attack.initial-access, attack.t1190]\n" WEB_LOGSOURCE "detection:\n"
    "  query:\n"
    "    cs-uri-query|vigil_attack: sqli\n"
    "  path:\n"
    "    cs-uri-stem|vigil_attack: sqli\n"
    "  condition: 1 of them\n"
    "level: high\n"
    "---\n"
    "title: Cross-site scripting in a web request\n"
    "id: vigil-web-xss\n"
    "status: test\n"
    "description: A query parameter or the path, decoded as the application receives it,"
    " would run script if the page reflected it (tags, handlers, script URLs, sinks).\n"
    "author: Vigil\n"
    "tags: [attack.initial-access, attack.t1189, attack.execution, attack.t1059.007]\n"
    WEB_LOGSOURCE "detection:\n"
    "  query:\n"
    "    cs-uri-query|vigil_attack: xss\n"
    "  path:\n"
    "    cs-uri-stem|vigil_attack: xss\n"
    "  condition: 1 of them\n"
    "level: medium\n"
    "---\n"
    "title: Path traversal in a web request\n"
    "id: vigil-web-traversal\n"
    "status: test\n"
    "description: The path or a query parameter climbs out of the web root (../ in any"
    " encoding) or names a sensitive system file.\n"
    "author: Vigil\n"
    "tags: [attack.initial-access, attack.t1190, attack.discovery, attack.t1083]\n"
    WEB_LOGSOURCE "detection:\n"
    "  query:\n"
    "    cs-uri-query|vigil_attack: traversal\n"
    "  path:\n"
    "    cs-uri-stem|vigil_attack: traversal\n"
    "  condition: 1 of them\n"
    "level: high\n"
    "---\n"
    "title: OS command injection in a web request\n"
    "id: vigil-web-cmdi\n"
    "status: test\n"
    "description: A query parameter or path segment chains a shell command after a shell"
    " metacharacter (; | && ` $()).\n"
    "author: Vigil\n"
    "tags: [attack.initial-access, attack.t1190, attack.execution, attack.t1059.004]\n"
    WEB_LOGSOURCE "detection:\n"
    "  query:\n"
    "    cs-uri-query|vigil_attack: cmdi\n"
    "  path:\n"
    "    cs-uri-stem|vigil_attack: cmdi\n"
    "  condition: 1 of them\n"
    "level: high\n"
    "---\n"
    "title: Web request from an attack tool or vulnerability scanner\n"
    "id: vigil-web-scanner\n"
    "status: test\n"
    "description: The user agent names a known attack tool or scanner (sqlmap, nikto,"
    " nuclei, ...).\n"
    "author: Vigil\n"
    "tags: [attack.reconnaissance, attack.t1595.002]\n" WEB_LOGSOURCE "detection:\n"
    "  agent:\n"
    "    cs-user-agent|vigil_attack: scanner\n"
    "  condition: agent\n"
    "level: medium\n";

/* See detect_int.h. */
const char *detect_builtin_text(size_t *len)
{
    *len = sizeof builtin_text - 1;
    return builtin_text;
}
