/*
 * bench_sigma.c — the detection stage's speed on one core: every Sigma rule of a
 * directory, compiled (detect_matcher_compile), matched against decoded events
 * (detect_match) with one detect_scratch on one thread.
 *
 *   bench_sigma RULES_DIR INPUT [--check N] [--max-seconds S]
 *
 * Loading and compiling the rules are timed apart. The input is decoded line by line
 * before any timing (values in one arena per chunk of lines, each event copied into
 * that arena with only the fields it has), so the timed part is matching only. The
 * timed pass goes over all events, again and again until at least 2 s have passed;
 * a second pass times each logsource's events apart (grouped by their route set,
 * shown without the bare product route every Windows or Linux event has). A pass stops
 * early at --max-seconds (default 60), so a slow matcher cannot hold `make bench` for
 * hours; the figures then say how many events they cover.
 *
 * --check N compares the compiled matcher with the reference evaluator
 * (detect_match_all) on the first N events: both must give the same (event, rule)
 * pairs in the same order; the first differences are printed and the exit status is 1
 * when there is one. The reference's events/s gives the speed-up.
 *
 * Prints the goals next to the figures (>= 500,000 events/s per core, compile < 10 s,
 * RSS < 1 GB for rules and matcher), peak RSS, the machine and the command to rerun.
 * Input for the reference figure (scripts/bench.sh does this):
 *   python3 scripts/gen-sigma-bench.py 1000000 42 > /tmp/sigma-1m.log
 *   build/bench/bench_sigma ../shared/sigma-rules/rules /tmp/sigma-1m.log --check 20000
 */
#include "benchlib.h"
#include "core/core.h"
#include "decode/decode.h"
#include "detect/detect.h"
#include "event/event.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define MIN_SECONDS 2.0
#define GROUP_MIN_SECONDS 0.5
#define DEFAULT_MAX_SECONDS 60.0
#define CHUNK_LINES 16384 /* events per arena */
#define ARENA_CHUNK (4u << 20)
#define MAX_GROUPS 64
#define MAX_DIFFS_SHOWN 10
#define NLEVELS 5

#define GOAL_EPS 500000.0
#define GOAL_COMPILE_S 10.0
#define GOAL_RSS_MB 1024.0

static const char *const level_names[NLEVELS] = {"informational", "low", "medium", "high",
                                                 "critical"};

/* The decoded input: compact events (header and their own fields only) and the arenas
 * holding them and their values; raw slices point into the file buffer. */
struct corpus {
    char *data;
    size_t len;
    const struct event **ev;
    size_t *line; /* input line number of each event, for the check's messages */
    size_t n, cap;
    struct arena *arenas;
    size_t narenas;
    uint64_t generic, errors;
};

/* Events sharing one route set, and their timing. */
struct group {
    route_set routes;
    const struct event **ev;
    size_t n, cap;
    uint64_t done, matches;
    double secs;
};

/* What the timed callback counts: nothing else, to keep the measure the matcher's. */
struct tally {
    const unsigned char *level_of; /* per rule */
    uint64_t *per_rule;
    uint64_t matches, by_level[NLEVELS];
};

/* One (event, rule) pair of the check. */
struct pair {
    size_t ev, rule;
};
struct pairs {
    struct pair *p;
    size_t n, cap;
    size_t cur; /* the event being matched */
    int err;
};

static double now_s(void)
{
    return (double)vtime_mono_ns() / 1e9;
}

static double rss_mb(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru))
        return 0;
    return (double)ru.ru_maxrss / 1024.0; /* ru_maxrss is in KiB on Linux */
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t nc = *cap ? *cap * 2 : 1024;
    while (nc < need)
        nc *= 2;
    if (nc > SIZE_MAX / elem)
        return ERR_NOMEM;
    void *np = mem_realloc(*p, nc * elem);
    if (!np)
        return ERR_NOMEM;
    *p = np;
    *cap = nc;
    return 0;
}

static void print_refusal(void *ctx, const struct detect_refusal *r)
{
    size_t *shown = ctx;
    if ((*shown)++ < 5)
        fprintf(stderr, "bench_sigma: refused %s:%u: %s: %s\n", r->file, r->line, r->id, r->reason);
}

static int level_index(const char *level)
{
    for (int i = 0; i < NLEVELS; i++)
        if (!strcmp(level, level_names[i]))
            return i;
    return 2;
}

/* ---- decoding the input ------------------------------------------------------------- */

/* Appends ev (from input line `line`) to c; 0 or ERR_NOMEM. */
static int corpus_push(struct corpus *c, const struct event *ev, size_t line)
{
    if (c->n == c->cap) {
        size_t nc = c->cap ? c->cap * 2 : 65536;
        const struct event **ne = mem_realloc(c->ev, nc * sizeof *ne);
        if (!ne)
            return ERR_NOMEM;
        c->ev = ne;
        size_t *nl = mem_realloc(c->line, nc * sizeof *nl);
        if (!nl)
            return ERR_NOMEM;
        c->line = nl;
        c->cap = nc;
    }
    c->ev[c->n] = ev;
    c->line[c->n] = line;
    c->n++;
    return 0;
}

/* Decodes every non-empty line of c->data; 0 or ERR_NOMEM. */
static int corpus_decode(struct corpus *c)
{
    struct decode_ctx *dc = NULL;
    struct event *ev = mem_calloc(1, sizeof *ev);
    struct decode_source src = {.tz = NULL, .charset = CHARSET_AUTO, .format = NULL};
    int rc = ERR_NOMEM;
    size_t maxarenas = 16; /* doubled as needed: one arena per CHUNK_LINES events */
    c->arenas = mem_calloc(maxarenas, sizeof *c->arenas);
    if (!ev || !c->arenas || decode_ctx_new(&dc))
        goto out;
    int64_t received = vtime_now_ns();
    struct arena *a = NULL;
    size_t lineno = 0;
    for (size_t off = 0; off < c->len;) {
        const char *p = c->data + off;
        const char *nl = memchr(p, '\n', c->len - off);
        size_t n = nl ? (size_t)(nl - p) : c->len - off;
        off += n + 1;
        lineno++;
        if (n && p[n - 1] == '\r')
            n--;
        if (!n)
            continue;
        if (c->n % CHUNK_LINES == 0) {
            if (c->narenas == maxarenas) {
                void *na = mem_realloc(c->arenas, 2 * maxarenas * sizeof *c->arenas);
                if (!na)
                    goto out;
                c->arenas = na;
                maxarenas *= 2;
            }
            a = &c->arenas[c->narenas++];
            arena_init(a, ARENA_CHUNK, 0);
        }
        event_reset(ev);
        ev->id = hash_mix(0x6265, lineno);
        ev->input = slice_cstr("bench");
        if (decode_record(dc, &src, a, p, n, received, ev))
            c->errors++;
        c->generic += (ev->flags & EVF_GENERIC) != 0;
        /* Only the fields the event has (a full struct event is 2.6 KB): matching reads
         * fields[0..nfields) only. Such a compact event is never copied whole nor added
         * to, so nothing reads past its end. */
        size_t sz = offsetof(struct event, fields) + ev->nfields * sizeof ev->fields[0];
        struct event *keep = arena_alloc(a, sz);
        if (!keep || corpus_push(c, keep, lineno))
            goto out;
        memcpy(keep, ev, sz);
    }
    rc = 0;
out:
    decode_ctx_free(dc);
    mem_free(ev);
    return rc;
}

static void corpus_fini(struct corpus *c)
{
    for (size_t i = 0; i < c->narenas; i++)
        arena_fini(&c->arenas[i]);
    mem_free(c->arenas);
    mem_free(c->ev);
    mem_free(c->line);
    mem_free(c->data);
}

/* ---- matching ------------------------------------------------------------------------ */

static int on_match(void *ctx, size_t rule, const struct event *ev)
{
    struct tally *t = ctx;
    (void)ev;
    t->matches++;
    t->by_level[t->level_of[rule]]++;
    t->per_rule[rule]++;
    return 0;
}

static int on_pair(void *ctx, size_t rule, const struct event *ev)
{
    struct pairs *ps = ctx;
    (void)ev;
    if (grow((void **)&ps->p, &ps->cap, ps->n + 1, sizeof *ps->p)) {
        ps->err = ERR_NOMEM;
        return ERR_NOMEM;
    }
    ps->p[ps->n++] = (struct pair){.ev = ps->cur, .rule = rule};
    return 0;
}

/*
 * Matches ev[0..n) over and over until min_s have passed (whole passes), stopping
 * mid-pass once max_s have. Each pass starts with the matcher's memo of values empty:
 * a log does not repeat itself whole, and a pass must not be sped up by the last. The first pass's
 * matches go to `first` (when not NULL), so totals count each event once. Returns the events
 * matched; *secs the time taken; *errors counts detect_match failures.
 */
static uint64_t run_timed(const struct detect_matcher *m, struct detect_scratch *s,
                          const struct event *const *ev, size_t n, double min_s, double max_s,
                          struct tally *first, struct tally *rest, double *secs, uint64_t *errors)
{
    uint64_t done = 0;
    double t0 = now_s(), t = t0;
    for (int pass = 0; n && (t - t0 < min_s); pass++) {
        struct tally *tl = pass == 0 && first ? first : rest;
        detect_scratch_forget(s);
        size_t i;
        for (i = 0; i < n; i++) {
            if (detect_match(m, s, ev[i], on_match, tl))
                (*errors)++;
            if ((i & 255) == 255 && now_s() - t0 > max_s)
                break;
        }
        done += i;
        t = now_s();
        if (i < n)
            break;
    }
    *secs = t - t0;
    return done;
}

static struct group *group_of(struct group *g, size_t *ng, route_set routes)
{
    for (size_t i = 0; i < *ng; i++)
        if (g[i].routes == routes)
            return &g[i];
    if (*ng == MAX_GROUPS)
        return &g[MAX_GROUPS - 1]; /* past the cap, the last group takes the rest */
    g[*ng].routes = routes;
    return &g[(*ng)++];
}

/* Largest group first. */
static int by_size(const void *a, const void *b)
{
    const struct group *x = a, *y = b;
    return x->n < y->n ? 1 : x->n > y->n ? -1 : 0;
}

/* The route names of a set, without a bare product route ("windows", "linux") when a
 * more precise route of it is present: every Windows event has "windows". */
static void routes_label(route_set routes, char *out, size_t outlen)
{
    size_t o = 0;
    out[0] = 0;
    for (int r = 0; r < ROUTE_COUNT; r++) {
        if (!(routes & ROUTE_BIT(r)))
            continue;
        const char *name = route_table[r].name;
        size_t nl = strlen(name);
        bool parent = false;
        for (int q = 0; q < ROUTE_COUNT && !parent; q++)
            parent = q != r && (routes & ROUTE_BIT(q)) && !strncmp(route_table[q].name, name, nl) &&
                     route_table[q].name[nl] == '/';
        if (parent)
            continue;
        int w = snprintf(out + o, outlen - o, "%s%s", o ? "," : "", name);
        if (w < 0 || (size_t)w >= outlen - o)
            break;
        o += (size_t)w;
    }
    if (!o)
        snprintf(out, outlen, "(none)");
}

/* Collects the (event, rule) pairs of ev[0..n): with m when not NULL, else with the
 * reference evaluator. Returns 0 or ERR_NOMEM; *secs the time taken. */
static int collect(const struct detect_rules *rs, const struct detect_matcher *m,
                   struct detect_scratch *s, const struct event *const *ev, size_t n,
                   struct pairs *ps, double *secs)
{
    double t0 = now_s();
    for (size_t i = 0; i < n && !ps->err; i++) {
        ps->cur = i;
        if (m)
            detect_match(m, s, ev[i], on_pair, ps);
        else
            detect_match_all(rs, ev[i], on_pair, ps);
    }
    *secs = now_s() - t0;
    return ps->err;
}

/* Compares the pairs of the compiled matcher (a) and the reference (b); prints the first
 * differences and returns how many pairs differ. */
static size_t compare(const struct detect_rules *rs, const struct corpus *c, const struct pairs *a,
                      const struct pairs *b)
{
    size_t i = 0, j = 0, diffs = 0;
    while (i < a->n || j < b->n) {
        const struct pair *pa = i < a->n ? &a->p[i] : NULL, *pb = j < b->n ? &b->p[j] : NULL;
        if (pa && pb && pa->ev == pb->ev && pa->rule == pb->rule) {
            i++, j++;
            continue;
        }
        /* Which side has the extra pair: the one whose pair comes first in event order. */
        bool only_a;
        if (!pb)
            only_a = true;
        else if (!pa)
            only_a = false;
        else if (pa->ev != pb->ev)
            only_a = pa->ev < pb->ev;
        else
            only_a = pa->rule < pb->rule;
        const struct pair *p = only_a ? pa : pb;
        if (diffs++ < MAX_DIFFS_SHOWN) {
            struct detect_rule_info ri;
            detect_rule_info(rs, p->rule, &ri);
            fprintf(stderr, "  differs: line %zu, rule %s (%s): only the %s matches\n",
                    c->line[p->ev], ri.id, ri.title, only_a ? "compiled matcher" : "reference");
        }
        if (only_a)
            i++;
        else
            j++;
    }
    return diffs;
}

static void usage(const char *argv0)
{
    fprintf(stderr,
            "usage: %s RULES_DIR INPUT [--check N] [--max-seconds S]\n"
            "  (e.g. python3 scripts/gen-sigma-bench.py 1000000 42 > /tmp/sigma-1m.log;\n"
            "   %s ../shared/sigma-rules/rules /tmp/sigma-1m.log --check 20000)\n",
            argv0, argv0);
}

static const char *verdict(bool ok)
{
    return ok ? "ok" : "MISSED";
}

int main(int argc, char **argv)
{
    size_t check = 0;
    double max_s = DEFAULT_MAX_SECONDS;
    if (argc < 3) {
        usage(argv[0]);
        return 2;
    }
    for (int i = 3; i < argc; i++) {
        char *end;
        if (!strcmp(argv[i], "--check") && i + 1 < argc) {
            check = (size_t)strtoull(argv[++i], &end, 10);
        } else if (!strcmp(argv[i], "--max-seconds") && i + 1 < argc) {
            max_s = strtod(argv[++i], &end);
        } else {
            usage(argv[0]);
            return 2;
        }
        if (*end || max_s <= 0) {
            usage(argv[0]);
            return 2;
        }
    }
    field_registry_init();
    int status = 1;
    struct corpus c;
    memset(&c, 0, sizeof c);
    struct detect_rules *rs = NULL;
    struct detect_matcher *m = NULL;
    struct detect_scratch *s = NULL;
    struct tally first = {0}, rest = {0};
    unsigned char *level_of = NULL;
    struct group *groups = mem_calloc(MAX_GROUPS, sizeof *groups);
    size_t ngroups = 0;
    struct pairs pa = {0}, pb = {0};

    /* Rules: load, then compile, each timed. */
    const char *paths[1] = {argv[1]};
    struct detect_load_stats ls;
    size_t shown = 0;
    double t0 = now_s();
    if (!groups || detect_rules_load(NULL, paths, 1, print_refusal, &shown, &rs, &ls)) {
        fprintf(stderr, "bench_sigma: out of memory loading rules\n");
        goto out;
    }
    double load_s = now_s() - t0;
    size_t nrules = detect_rules_count(rs);
    if (!nrules) {
        fprintf(stderr, "bench_sigma: no rule loaded from %s\n", argv[1]);
        goto out;
    }
    struct detect_compile_stats cs;
    char err[256] = "";
    t0 = now_s();
    if (detect_matcher_compile(rs, &m, &cs, err, sizeof err)) {
        fprintf(stderr, "bench_sigma: compile failed: %s\n", err[0] ? err : "out of memory");
        goto out;
    }
    double compile_s = now_s() - t0;
    double rss_rules = rss_mb();
    s = detect_scratch_new(m);
    level_of = mem_alloc(nrules);
    first.per_rule = mem_calloc(nrules, sizeof *first.per_rule);
    rest.per_rule = mem_calloc(nrules, sizeof *rest.per_rule);
    if (!s || !level_of || !first.per_rule || !rest.per_rule) {
        fprintf(stderr, "bench_sigma: out of memory\n");
        goto out;
    }
    for (size_t i = 0; i < nrules; i++) {
        struct detect_rule_info ri;
        detect_rule_info(rs, i, &ri);
        level_of[i] = (unsigned char)level_index(ri.level);
    }
    first.level_of = rest.level_of = level_of;

    /* Input: decoded once, before any timing. */
    c.data = bench_read_all(argv[2], &c.len);
    if (!c.data) {
        fprintf(stderr, "bench_sigma: cannot read %s\n", argv[2]);
        goto out;
    }
    t0 = now_s();
    if (corpus_decode(&c)) {
        fprintf(stderr, "bench_sigma: out of memory decoding %s\n", argv[2]);
        goto out;
    }
    double decode_s = now_s() - t0;
    if (!c.n) {
        fprintf(stderr, "bench_sigma: no event in %s\n", argv[2]);
        goto out;
    }
    for (size_t i = 0; i < c.n; i++) {
        struct group *g = group_of(groups, &ngroups, c.ev[i]->routes);
        if (grow((void **)&g->ev, &g->cap, g->n + 1, sizeof *g->ev)) {
            fprintf(stderr, "bench_sigma: out of memory\n");
            goto out;
        }
        g->ev[g->n++] = c.ev[i];
    }

    qsort(groups, ngroups, sizeof *groups, by_size);

    printf("bench_sigma: %s, %s (%zu events, %zu bytes), 1 thread\n", argv[1], argv[2], c.n, c.len);
    printf("  rules        %zu loaded, %zu refused, %zu correlations, %zu filters, %zu files "
           "(%zu unreadable)\n",
           ls.rules, ls.refused, ls.correlations, ls.filters, ls.files, ls.unreadable);
    printf("  load         %.2f s\n", load_s);
    printf("  compile      %.2f s        goal < %.0f s: %s\n", compile_s, GOAL_COMPILE_S,
           verdict(compile_s < GOAL_COMPILE_S));
    printf("  compiled     %zu patterns in %zu databases (%zu bytes), %zu atoms; rules "
           "prefiltered %zu, unfiltered %zu\n",
           cs.patterns, cs.databases, cs.bytes, cs.atoms, cs.prefiltered, cs.unfiltered);
    printf("  decoded      %zu events in %.2f s (not timed below): %.1f%% generic, %llu arena "
           "errors\n",
           c.n, decode_s, 100.0 * (double)c.generic / (double)c.n, (unsigned long long)c.errors);
    fflush(stdout);

    /* Pass 1: all events, in input order. */
    uint64_t errors = 0;
    double secs;
    uint64_t done = run_timed(m, s, c.ev, c.n, MIN_SECONDS, max_s, &first, &rest, &secs, &errors);
    double eps = secs > 0 ? (double)done / secs : 0;
    bool whole = done >= c.n;
    printf("  matching     %llu events in %.2f s%s\n", (unsigned long long)done, secs,
           whole ? "" : " (stopped at --max-seconds: part of one pass)");
    printf("  events/s     %.0f on one core   goal >= %.0f: %s\n", eps, GOAL_EPS,
           verdict(eps >= GOAL_EPS));
    uint64_t lookups, found;
    detect_scratch_memo_counts(s, &lookups, &found);
    printf("  memo         %.1f%% of %llu value scans answered by the memo of recent values\n",
           lookups ? 100.0 * (double)found / (double)lookups : 0, (unsigned long long)lookups);
    printf("  matches      %llu%s (critical %llu, high %llu, medium %llu, low %llu, "
           "informational %llu)\n",
           (unsigned long long)first.matches, whole ? "" : " in the events matched",
           (unsigned long long)first.by_level[4], (unsigned long long)first.by_level[3],
           (unsigned long long)first.by_level[2], (unsigned long long)first.by_level[1],
           (unsigned long long)first.by_level[0]);
    for (int k = 0; k < 5; k++) { /* the rules that fired most */
        size_t best = SIZE_MAX;
        for (size_t i = 0; i < nrules; i++)
            if (first.per_rule[i] && (best == SIZE_MAX || first.per_rule[i] > first.per_rule[best]))
                best = i;
        if (best == SIZE_MAX)
            break;
        struct detect_rule_info ri;
        detect_rule_info(rs, best, &ri);
        printf("    %8llu  %-8s %s\n", (unsigned long long)first.per_rule[best], ri.level,
               ri.title);
        first.per_rule[best] = 0;
    }
    if (errors)
        printf("  match errors %llu (events the matcher handed to the reference)\n",
               (unsigned long long)errors);
    fflush(stdout);

    /* Pass 2: each logsource apart, its share of the time limit each. */
    printf("  per logsource (events/s on one core, matches in one pass):\n");
    for (size_t gi = 0; gi < ngroups; gi++) {
        struct group *g = &groups[gi];
        struct tally gt = {.level_of = level_of, .per_rule = rest.per_rule};
        struct tally gr = gt;
        g->done = run_timed(m, s, g->ev, g->n, GROUP_MIN_SECONDS, max_s / (double)ngroups, &gt, &gr,
                            &g->secs, &errors);
        g->matches = gt.matches;
        char label[256];
        routes_label(g->routes, label, sizeof label);
        printf("    %-60s %8zu events %5.1f%%  %12.0f/s  %7llu matches%s\n", label, g->n,
               100.0 * (double)g->n / (double)c.n, g->secs > 0 ? (double)g->done / g->secs : 0,
               (unsigned long long)g->matches, g->done >= g->n ? "" : " (part)");
    }
    fflush(stdout);

    /* The check against the reference evaluator. */
    if (check) {
        size_t n = check < c.n ? check : c.n;
        double ref_s, cmp_s;
        if (collect(rs, m, s, c.ev, n, &pa, &cmp_s) ||
            collect(rs, NULL, NULL, c.ev, n, &pb, &ref_s)) {
            fprintf(stderr, "bench_sigma: out of memory collecting matches\n");
            goto out;
        }
        size_t diffs = compare(rs, &c, &pa, &pb);
        double ref_eps = ref_s > 0 ? (double)n / ref_s : 0;
        printf("  check        first %zu events: %zu pairs (compiled) vs %zu (reference): %s\n", n,
               pa.n, pb.n, diffs ? "DIFFERENT" : "identical");
        if (diffs)
            printf("               %zu pairs differ (first %d on stderr)\n", diffs,
                   MAX_DIFFS_SHOWN);
        double cmp_eps = cmp_s > 0 ? (double)n / cmp_s : 0;
        printf("  reference    %.0f events/s (detect_match_all) on those events, compiled %.0f: "
               "%.1fx\n",
               ref_eps, cmp_eps, ref_eps > 0 ? cmp_eps / ref_eps : 0);
        if (diffs)
            goto out;
    }

    char cpu[256];
    bench_cpu_model(cpu, sizeof cpu);
    double rss_all = rss_mb();
    printf("  RSS          %.0f MB rules + matcher   goal < %.0f MB: %s; peak %.0f MB with the "
           "decoded events\n",
           rss_rules, GOAL_RSS_MB, verdict(rss_rules < GOAL_RSS_MB), rss_all);
    printf("  machine      nproc=%ld, %s\n", sysconf(_SC_NPROCESSORS_ONLN), cpu);
    printf("  rerun       ");
    for (int i = 0; i < argc; i++)
        printf(" %s", argv[i]);
    printf("\n");
    status = 0;
out:
    for (size_t gi = 0; gi < ngroups; gi++)
        mem_free(groups[gi].ev);
    mem_free(groups);
    mem_free(pa.p);
    mem_free(pb.p);
    mem_free(first.per_rule);
    mem_free(rest.per_rule);
    mem_free(level_of);
    detect_scratch_free(s);
    detect_matcher_free(m);
    detect_rules_free(rs);
    corpus_fini(&c);
    return status;
}
