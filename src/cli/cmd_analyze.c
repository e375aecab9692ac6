/*
 * cmd_analyze.c — `vigil analyze`: the web attack analyzers on values given one per
 * line, and their accuracy harness.
 *
 *   vigil analyze [VALUE...]            judge each value (or each line of stdin) with
 *                                       all five analyzers and print "WHAT  WHY  value":
 *                                       WHAT the analyzers that flagged it, comma
 *                                       separated (sqli,xss,traversal,cmdi,scanner), or
 *                                       "-"; WHY their reasons in the same order, "; "
 *                                       between them
 *   vigil analyze --eval FILE...        labelled lines "LABEL<TAB>value" (LABEL: sqli,
 *                                       xss, traversal, cmdi, scanner or benign)
 *                 --sqli PATH...        attack lists, a file or a directory of them
 *                 --xss PATH...         (one payload per line; the family of a payload is
 *                 --traversal PATH...   its file's name); --scanner lists are User-Agent
 *                 --cmdi PATH...        headers
 *                 --scanner PATH...
 *                 --benign PATH...      values no analyzer may flag
 *                 --misses N            print up to N missed payloads per family
 *
 * The harness decodes each value as a query string value (analyze_decode, '+' a space)
 * and reports, per class, how many were detected, and per analyzer how many benign
 * values it flagged (the false positive rate), then each family's misses, and the
 * throughput of each analyzer over all the values (values per second on one core, the
 * fastest of 5 timed passes), and of a request value decoded and judged for both injections.
 * Path traversal is judged with the decoding flags (analyze_traversal_flags), as the
 * daemon would. Lines of a SQL injection or XSS list that are not attacks on their own
 * are left out and counted: blank lines, the lists' own "# ..." comment lines, and
 * single bare words ("update", "like", "asc"), which no query can be changed by in a
 * value position; the other lists are taken as they are, but for blank and comment lines.
 */
#include "analyze/analyze.h"
#include "cli/cli.h"
#include "core/core.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define VALUE_MAX 65536
#define MAX_FAMILIES 256
#define DIR_DEPTH 8

/* The analyzers, in the order of their report; a label is an analyzer's class or benign. */
enum label { L_SQLI, L_XSS, L_TRAVERSAL, L_CMDI, L_SCANNER, L_BENIGN, NLABELS };
#define NANALYZERS L_BENIGN
static const char *const label_names[NLABELS] = {"sqli", "xss",     "traversal",
                                                 "cmdi", "scanner", "benign"};

struct value {
    char *s; /* decoded */
    size_t n;
    char *raw;       /* as read */
    unsigned dflags; /* analyze_decode's flags */
    uint8_t label;
    uint8_t flagged; /* bit a: analyzer a (L_SQLI .. L_SCANNER) flagged it (report) */
    uint16_t family;
};

struct eval {
    struct value *v;
    size_t n, cap;
    char *family[MAX_FAMILIES];
    size_t nfamilies;
    size_t excluded[NLABELS];
    char *buf; /* decode scratch, VALUE_MAX */
};

static int family_of(struct eval *e, const char *name)
{
    for (size_t i = 0; i < e->nfamilies; i++)
        if (!strcmp(e->family[i], name))
            return (int)i;
    if (e->nfamilies == MAX_FAMILIES)
        return (int)e->nfamilies - 1; /* at the cap: the last family takes the rest */
    e->family[e->nfamilies] = mem_strdup(name);
    return e->family[e->nfamilies] ? (int)e->nfamilies++ : -1;
}

/*
 * Not an attack on its own (judged on the decoded value): blank; a "# " comment line of
 * the list; one bare word ("update", "asc"); or a fragment without a letter or a quote
 * ("0", "21%", "|", "=="), which changes no query and runs no script by itself.
 */
static bool not_an_attack(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    if (i == n || (s[i] == '#' && (i + 1 == n || s[i + 1] == ' ')))
        return true;
    bool letter = false, quote = false, other = false;
    for (size_t k = i; k < n; k++) {
        unsigned char c = (unsigned char)s[k];
        bool l = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
        letter |= l;
        quote |= c == '\'' || c == '"' || c == '`';
        other |= !l && c != ' ';
    }
    if (!letter && !quote)
        return true;
    if (other)
        return false;
    size_t e = n;
    while (e > i && s[e - 1] == ' ')
        e--;
    return memchr(s + i, ' ', e - i) == NULL; /* one word */
}

static int add_value(struct eval *e, const char *s, size_t n, int label, int family)
{
    if (n == 0)
        return 0;
    if (mem_grow((void **)&e->v, &e->cap, e->n, sizeof *e->v, 1024))
        return ERR_NOMEM;
    unsigned flags;
    size_t dn = analyze_decode(s, n, true, e->buf, VALUE_MAX, &flags);
    if ((label == L_SQLI || label == L_XSS) && not_an_attack(e->buf, dn)) {
        e->excluded[label]++;
        return 0;
    }
    if (label != L_BENIGN && (dn == 0 || (e->buf[0] == '#' && (dn == 1 || e->buf[1] == ' ')))) {
        e->excluded[label]++;
        return 0;
    }
    struct value *v = &e->v[e->n];
    v->s = mem_alloc(dn + 1);
    v->raw = mem_alloc(n + 1);
    if (!v->s || !v->raw) {
        mem_free(v->s);
        mem_free(v->raw);
        return ERR_NOMEM;
    }
    memcpy(v->s, e->buf, dn);
    v->s[dn] = 0;
    v->n = dn;
    memcpy(v->raw, s, n);
    v->raw[n] = 0;
    v->dflags = flags;
    v->label = (uint8_t)label;
    v->family = (uint16_t)family;
    e->n++;
    return 0;
}

/* Reads one file: label -1 means labelled lines ("LABEL<TAB>value"). */
static int read_list(struct eval *e, const char *path, int label)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "vigil analyze: %s: cannot open\n", path);
        return ERR_IO;
    }
    const char *base = strrchr(path, '/');
    int fam = family_of(e, base ? base + 1 : path);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int rc = fam < 0 ? ERR_NOMEM : 0;
    while (!rc && (len = getline(&line, &cap, f)) >= 0) {
        size_t n = (size_t)len;
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            n--;
        if (n > VALUE_MAX)
            n = VALUE_MAX;
        if (label >= 0) {
            rc = add_value(e, line, n, label, fam);
            continue;
        }
        const char *tab = memchr(line, '\t', n);
        int l = -1;
        for (int k = 0; tab && k < NLABELS; k++)
            if ((size_t)(tab - line) == strlen(label_names[k]) &&
                !memcmp(line, label_names[k], strlen(label_names[k])))
                l = k;
        if (l < 0)
            continue; /* not a labelled line */
        size_t off = (size_t)(tab - line) + 1;
        rc = add_value(e, line + off, n - off, l, fam);
    }
    free(line);
    fclose(f);
    return rc;
}

static int read_path(struct eval *e, const char *path, int label, int depth)
{
    struct stat st;
    if (stat(path, &st)) {
        fprintf(stderr, "vigil analyze: %s: not found\n", path);
        return ERR_NOTFOUND;
    }
    if (!S_ISDIR(st.st_mode))
        return read_list(e, path, label);
    if (depth >= DIR_DEPTH)
        return 0;
    struct dirent **names;
    int nn = scandir(path, &names, NULL, alphasort);
    if (nn < 0)
        return ERR_IO;
    int rc = 0;
    for (int i = 0; i < nn; i++) {
        const char *d = names[i]->d_name;
        if (!rc && d[0] != '.' && strcmp(d, "LICENSE") && strncmp(d, "README", 6)) {
            char sub[4096];
            snprintf(sub, sizeof sub, "%s/%s", path, d);
            rc = read_path(e, sub, label, depth + 1);
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

/* Runs one analyzer on decoded s[0..n) (dflags: its decoding flags). */
static bool run_analyzer(int analyzer, const char *s, size_t n, unsigned dflags,
                         struct analyze_finding *f)
{
    switch (analyzer) {
    case L_SQLI:
        return analyze_sqli(s, n, f);
    case L_XSS:
        return analyze_xss(s, n, f);
    case L_TRAVERSAL:
        return analyze_traversal_flags(s, n, dflags, f);
    case L_CMDI:
        return analyze_cmdi(s, n, f);
    case L_SCANNER:
        return analyze_scanner(s, n, f);
    default:
        return false;
    }
}

static bool judge(int analyzer, const struct value *v, struct analyze_finding *f)
{
    return run_analyzer(analyzer, v->s, v->n, v->dflags, f);
}

#define PASSES 5                   /* timed passes; the fastest is reported */
#define PASS_NS (NS_PER_SEC / 5)   /* each at least this long */
#define ALL_INJECTION (-1)         /* decoding, then SQL injection and XSS: a request value */

static char decode_buf[VALUE_MAX];

/* One value through `analyzer`, or (ALL_INJECTION) decoded from its raw text as the daemon
 * does and judged by both injection analyzers. */
static size_t time_one(int analyzer, const struct value *v, struct analyze_finding *f)
{
    if (analyzer != ALL_INJECTION)
        return judge(analyzer, v, f);
    unsigned fl;
    size_t dn = analyze_decode(v->raw, strlen(v->raw), true, decode_buf, VALUE_MAX, &fl);
    return (size_t)analyze_sqli(decode_buf, dn, f) + (size_t)analyze_xss(decode_buf, dn, f);
}

/*
 * Values per second of one analyzer over every value: PASSES passes of at least PASS_NS
 * each, every call timed; the fastest pass is the figure (other work on the machine only
 * ever slows a pass down) and *slowest the slowest, so the spread is seen.
 */
static double throughput(const struct eval *e, int analyzer, size_t *hits, double *slowest)
{
    struct analyze_finding f;
    double best = 0;
    *slowest = 0;
    for (int p = 0; p < PASSES && e->n; p++) {
        size_t done = 0;
        int64_t t0 = vtime_mono_ns(), t;
        do {
            for (size_t i = 0; i < e->n; i++)
                *hits += time_one(analyzer, &e->v[i], &f);
            done += e->n;
            t = vtime_mono_ns();
        } while (t - t0 < PASS_NS);
        double r = t > t0 ? (double)done * NS_PER_SEC / (double)(t - t0) : 0;
        if (r > best)
            best = r;
        if (!*slowest || r < *slowest)
            *slowest = r;
    }
    return best;
}

static void report(struct eval *e, int misses)
{
    size_t total[NLABELS] = {0}, caught[NLABELS][NANALYZERS] = {{0}};
    struct analyze_finding f;
    for (size_t i = 0; i < e->n; i++) {
        struct value *v = &e->v[i];
        total[v->label]++;
        v->flagged = 0;
        for (int a = 0; a < NANALYZERS; a++)
            if (judge(a, v, &f)) {
                v->flagged |= (uint8_t)(1u << a);
                caught[v->label][a]++;
            }
    }
    printf("web attack analyzers: accuracy\n");
    for (int c = 0; c < NANALYZERS; c++) {
        if (!total[c])
            continue;
        printf("  %-9s detected %zu of %zu (%.2f%%)", label_names[c], caught[c][c], total[c],
               100.0 * (double)caught[c][c] / (double)total[c]);
        printf("; left out as not attacks on their own: %zu\n", e->excluded[c]);
    }
    if (total[L_BENIGN])
        for (int a = 0; a < NANALYZERS; a++)
            printf("  %-9s flagged %zu of %zu benign values (false positives %.2f%%)\n",
                   label_names[a], caught[L_BENIGN][a], total[L_BENIGN],
                   100.0 * (double)caught[L_BENIGN][a] / (double)total[L_BENIGN]);
    for (size_t fam = 0; fam < e->nfamilies; fam++) {
        size_t tot = 0, miss = 0;
        int shown = 0;
        for (size_t i = 0; i < e->n; i++) {
            const struct value *v = &e->v[i];
            if (v->family != fam)
                continue;
            tot++;
            bool benign = v->label == L_BENIGN;
            bool wrong = benign ? v->flagged != 0 : !(v->flagged & (1u << v->label));
            if (!wrong)
                continue;
            miss++;
            if (shown++ < misses) {
                if (shown == 1)
                    printf("  %s %s:\n", e->family[fam], benign ? "flagged" : "missed");
                int a = 0;
                while (benign && a < NANALYZERS && !(v->flagged & (1u << a)))
                    a++;
                if (benign && a < NANALYZERS && judge(a, v, &f))
                    printf("      [%s: %s] %s\n", label_names[a], f.why, v->raw);
                else
                    printf("      %s\n", v->raw);
            }
        }
        if (miss)
            printf("  family %s: %zu of %zu wrong\n", e->family[fam], miss, tot);
    }
    size_t hits = 0;
    double slowest;
    for (int a = 0; a < NANALYZERS; a++) {
        double best = throughput(e, a, &hits, &slowest);
        printf("  %-9s throughput: %.0f values/s on one core (best of %d passes; slowest %.0f)\n",
               label_names[a], best, PASSES, slowest);
    }
    double best = throughput(e, ALL_INJECTION, &hits, &slowest);
    printf("  decoding + sqli + xss throughput: %.0f values/s on one core (best of %d passes;"
           " slowest %.0f)\n",
           best, PASSES, slowest);
}

static void judge_one(const char *s, size_t n, char *buf)
{
    unsigned flags;
    size_t dn = analyze_decode(s, n, true, buf, VALUE_MAX, &flags);
    struct analyze_finding f;
    char what[64] = "", why[512] = "";
    size_t wl = 0, yl = 0;
    for (int a = 0; a < NANALYZERS; a++) {
        if (!run_analyzer(a, buf, dn, flags, &f))
            continue;
        /* both buffers hold the longest lists: snprintf only cuts a why */
        int r = snprintf(what + wl, sizeof what - wl, "%s%s", wl ? "," : "", label_names[a]);
        wl += r > 0 ? (size_t)r : 0;
        r = snprintf(why + yl, sizeof why - yl, "%s%s", yl ? "; " : "", f.why);
        yl = r > 0 && (size_t)r < sizeof why - yl ? yl + (size_t)r : sizeof why - 1;
    }
    printf("%s\t%s\t%.*s\n", wl ? what : "-", why, (int)n, s);
}

/* See cli.h. */
int cmd_analyze(int argc, char **argv)
{
    struct eval e = {0};
    e.buf = mem_alloc(VALUE_MAX);
    if (!e.buf)
        return 1;
    int label = -2, misses = 10, rc = 0;
    bool harness = false;
    for (int i = 1; i < argc && !rc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--eval"))
            label = -1, harness = true;
        else if (!strcmp(a, "--sqli"))
            label = L_SQLI, harness = true;
        else if (!strcmp(a, "--xss"))
            label = L_XSS, harness = true;
        else if (!strcmp(a, "--traversal"))
            label = L_TRAVERSAL, harness = true;
        else if (!strcmp(a, "--cmdi"))
            label = L_CMDI, harness = true;
        else if (!strcmp(a, "--scanner"))
            label = L_SCANNER, harness = true;
        else if (!strcmp(a, "--benign"))
            label = L_BENIGN, harness = true;
        else if (!strcmp(a, "--misses") && i + 1 < argc)
            misses = (int)strtol(argv[++i], NULL, 10);
        else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            printf("usage: vigil analyze [VALUE...] | [--eval FILE...] [--sqli PATH...]"
                   " [--xss PATH...] [--traversal PATH...] [--cmdi PATH...]"
                   " [--scanner PATH...] [--benign PATH...] [--misses N]\n");
            mem_free(e.buf);
            return 0;
        } else if (label == -2)
            judge_one(a, strlen(a), e.buf);
        else
            rc = read_path(&e, a, label, 0);
    }
    if (!rc && harness)
        report(&e, misses);
    else if (!rc && argc == 1) {
        char *line = NULL;
        size_t cap = 0;
        ssize_t len;
        while ((len = getline(&line, &cap, stdin)) >= 0) {
            size_t n = (size_t)len;
            while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
                n--;
            judge_one(line, n, e.buf);
        }
        free(line);
    }
    for (size_t i = 0; i < e.n; i++) {
        mem_free(e.v[i].s);
        mem_free(e.v[i].raw);
    }
    for (size_t i = 0; i < e.nfamilies; i++)
        mem_free(e.family[i]);
    mem_free(e.v);
    mem_free(e.buf);
    return rc ? 2 : 0;
}
