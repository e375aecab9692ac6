/*
 * an_scanner.c — known attack tools and vulnerability scanners recognized by the
 * User-Agent header they send unless told otherwise (sqlmap, Nikto, the Nmap Scripting
 * Engine, Nuclei, ...), and the out-of-band testing domains their payloads call back to
 * (Burp Collaborator, interactsh). A hit says who is knocking, not that a request is an
 * attack, and a tool told to send a browser's User-Agent is not seen here.
 *
 * The value is cut into tokens (runs of ASCII letters and digits) and a tool's name must
 * be a whole token, or consecutive tokens for names of several words, compared without
 * case; a version glued to the name ("zgrab2", "sqlmap1") still matches, a longer word
 * does not ("Hydrangea" is not Hydra). curl, Wget, python-requests, Go-http-client and
 * the search engines' crawlers are general clients, not attack tools, and are not in the
 * table. One pass over the tokens, each compared with the tools whose name starts with
 * its first letter: linear in n.
 */
#include "analyze/analyze.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

/* Tools by the name they put in their User-Agent (words separated by one space). */
static const struct tool {
    const char *name;
    const char *why;
} tools[] = {
    {"sqlmap", "sqlmap user agent"},
    {"sqlninja", "sqlninja user agent"},
    {"havij", "Havij user agent"},
    {"bsqlbf", "bsqlbf user agent"},
    {"nikto", "Nikto user agent"},
    {"nmap", "Nmap user agent"},
    {"masscan", "masscan user agent"},
    {"zgrab", "zgrab user agent"},
    {"nuclei", "Nuclei user agent"},
    {"jaeles", "Jaeles user agent"},
    {"acunetix", "Acunetix user agent"},
    {"netsparker", "Netsparker user agent"},
    {"invicti", "Invicti user agent"},
    {"w3af", "w3af user agent"},
    {"wapiti", "Wapiti user agent"},
    {"arachni", "Arachni user agent"},
    {"skipfish", "skipfish user agent"},
    {"webinspect", "WebInspect user agent"},
    {"appscan", "AppScan user agent"},
    {"paros", "Paros user agent"},
    {"zaproxy", "OWASP ZAP user agent"},
    {"owasp zap", "OWASP ZAP user agent"},
    {"openvas", "OpenVAS user agent"},
    {"nessus", "Nessus user agent"},
    {"qualys", "Qualys user agent"},
    {"qualysguard", "Qualys user agent"},
    {"wpscan", "WPScan user agent"},
    {"joomscan", "JoomScan user agent"},
    {"droopescan", "droopescan user agent"},
    {"cmsmap", "CMSmap user agent"},
    {"whatweb", "WhatWeb user agent"},
    {"dirbuster", "DirBuster user agent"},
    {"dirsearch", "dirsearch user agent"},
    {"gobuster", "gobuster user agent"},
    {"feroxbuster", "feroxbuster user agent"},
    {"ffuf", "ffuf user agent"},
    {"fuzz faster u fool", "ffuf user agent"},
    {"wfuzz", "Wfuzz user agent"},
    {"gospider", "gospider user agent"},
    {"hakrawler", "hakrawler user agent"},
    {"commix", "commix user agent"},
    {"xsstrike", "XSStrike user agent"},
    {"xsser", "XSSer user agent"},
    {"fimap", "fimap user agent"},
    {"hydra", "Hydra user agent"},
    {"metasploit", "Metasploit user agent"},
    {"zmeu", "ZmEu user agent"},
    {"morfeus", "Morfeus scanner user agent"},
    {"jorgee", "Jorgee scanner user agent"},
    {"burpcollaborator", "Burp Collaborator domain"},
    {"oastify", "Burp Collaborator domain"},
    {"interactsh", "interactsh domain"},
};

static bool alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

/* Tokens of a multi-word name may be apart by this many other bytes (" - ", "/"). */
#define GAP_MAX 3

/*
 * Matches the tool name at the token starting at s[i]: each word of the name a whole
 * token (a glued version allowed on the last), the words apart by 1..GAP_MAX
 * separators. *end gets the end of the match.
 */
static bool match_tool(const char *s, size_t n, size_t i, const char *name, size_t *end)
{
    for (;;) {
        const char *sp = strchr(name, ' ');
        size_t wl = sp ? (size_t)(sp - name) : strlen(name);
        if (n - i < wl || strncasecmp(s + i, name, wl))
            return false;
        size_t k = i + wl;
        if (sp) {
            if (k < n && alnum((unsigned char)s[k]))
                return false;
        } else {
            while (k < n && s[k] >= '0' && s[k] <= '9')
                k++; /* zgrab2, sqlmap1 */
            if (k < n && alnum((unsigned char)s[k]))
                return false;
            *end = k;
            return true;
        }
        size_t g = k;
        while (g < n && g - k < GAP_MAX + 1 && !alnum((unsigned char)s[g]))
            g++;
        if (g == k || g - k > GAP_MAX || g >= n)
            return false;
        i = g;
        name = sp + 1;
    }
}

/* Bit t: tools[t]'s name starts with this byte, in either case (0 for a byte that
 * cannot start a token). Built once from the table. */
static uint64_t tool_first[256];
static pthread_once_t tool_once = PTHREAD_ONCE_INIT;

static void tool_index(void)
{
    _Static_assert(sizeof tools / sizeof tools[0] <= 64, "tool_first holds 64 tools");
    for (unsigned c = 0; c < 256; c++)
        for (size_t t = 0; t < sizeof tools / sizeof tools[0]; t++)
            if (alnum((unsigned char)c) &&
                (unsigned char)(c | 0x20) == (unsigned char)tools[t].name[0])
                tool_first[c] |= (uint64_t)1 << t;
}

/*
 * See analyze.h. At each token's start, the tools whose name starts with its letter are
 * tried in the table's order (tool_first's bits, lowest first), so the finding is the
 * one a walk over the whole table would give.
 */
bool analyze_scanner(const char *s, size_t n, struct analyze_finding *f)
{
    pthread_once(&tool_once, tool_index);
    for (size_t i = 0; i < n;) {
        if (!alnum((unsigned char)s[i])) {
            i++;
            continue;
        }
        /* a token starts at i: its tools tried, then the rest of the token skipped */
        size_t start = i;
        while (i < n && alnum((unsigned char)s[i]))
            i++;
        for (uint64_t cand = tool_first[(unsigned char)s[start]]; cand; cand &= cand - 1) {
            const struct tool *t = &tools[__builtin_ctzll(cand)];
            size_t end;
            /* every name's second byte is a lower case letter or a digit: most tools
             * fail on it before match_tool */
            if (start + 1 >= n || (s[start + 1] | 0x20) != t->name[1])
                continue;
            if (match_tool(s, n, start, t->name, &end)) {
                f->why = t->why;
                f->off = start;
                f->len = end - start;
                return true;
            }
        }
    }
    return false;
}
