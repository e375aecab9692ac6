/*
 * cmd_hunt.c — `vigil hunt [--rules DIR ...] [--no-builtin] [--format jsonl|table] FILE...`:
 * offline detection over log files, the way analysts use chainsaw or hayabusa. Each line
 * of each file goes through the daemon's decoders (text logs, JSON lines flat or nested)
 * and every routed Sigma rule — the user's and Vigil's built-in web attack analyzers
 * (builtin_rules.c) unless --no-builtin; each match is printed as it is found:
 *
 *   jsonl  {"rule":{"id","title","level","tags"},"event":{... as vigil parse prints it}}
 *          and, for an analyzer's match, "evidence":{"analyzer","field","param","why",
 *          "fragment"} (the decoded fragment that shows the attack)
 *   table  time  level  rule title  host  [why: fragment] the raw record (cut)
 *
 * With the built-in rules come the rate analyzers (detect/rate.h: floods, DDoS
 * indications, scans, in event time against adaptive baselines); their findings are
 * printed by hunt_rates.c, an episode once with its whole span:
 *
 *   jsonl  {"rule":{...},"rate":{"kind","key","first","last","peak","summary",...}}
 *
 * Correlation rules among them run too (in event time, the order of the files read):
 * each correlation that holds is printed when it does, as
 *
 *   jsonl  {"rule":{...},"correlation":{"type","group":{...},"count","first","last",...}}
 *   table  time  level  title  count N  group-by field=value ...
 *
 * and a rule that only feeds correlations (generate: false) prints nothing itself.
 * Refused rules are listed on stderr (as `vigil rules check` does); a progress line is
 * drawn on stderr when it is a terminal and the input is over 16 MiB; a summary ends
 * the run on stderr: events read, matches by level, rules loaded and refused, time.
 * Exit status: 0 when every file was read, 1 when one could not be, 2 on bad usage.
 *
 * Windows event logs (a `.evtx` name, or a file starting with "ElfFile") are read record
 * by record through libevtx (src/decode/evtx.c): each record becomes the event its
 * JSON export would (same fields, routes and aliases). A corrupt record is reported
 * with its number and skipped, the rest of the file still read (status 1); a damaged
 * file (a chunk cut short) reports after which record it breaks off. The summary then
 * also counts the EVTX records read and skipped.
 */
#include "cli/cli.h"
#include "cli/cli_detect.h"
#include "core/core.h"
#include "decode/decode.h"
#include "decode/evtx.h"
#include "detect/detect.h"
#include "event/event.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_RULE_DIRS 64
#define PROGRESS_MIN_BYTES (16u << 20)
#define NLEVELS 5

static const char *const level_names[NLEVELS] = {"informational", "low", "medium", "high",
                                                 "critical"};

struct hunt {
    struct detect_rules *rules;
    struct cli_detector det;
    struct buf out;
    bool table;
    const char *file;
    FILE *f;
    uint64_t file_hash;
    uint64_t matches, by_level[NLEVELS];
    /* EVTX files: the one being read (NULL otherwise), its size, and the totals */
    const struct evtx_stats *evtx;
    off_t evtx_size;
    uint64_t evtx_files, evtx_read, evtx_corrupt;
    bool progress;
    off_t total, done_before;
    int64_t last_draw;
    struct hunt_rates *rates; /* the rate analyzers' printer (with the built-in rules) */
};

static void usage(FILE *f)
{
    fprintf(f, "usage: vigil hunt [--rules PATH ...] [--no-builtin] [--format jsonl|table] "
               "[--engine compiled|reference] [--placeholder NAME=VALUE ...] FILE...\n"
               "  runs the Sigma rules under each PATH and Vigil's built-in web attack and\n"
               "  rate analyzers (not with --no-builtin) over the log files (text logs through\n"
               "  the decoders, JSON lines flat or nested, Windows .evtx files) and prints\n"
               "  every match; --engine reference evaluates every rule one by one instead of\n"
               "  the compiled matcher (slow: for checking the matcher); --placeholder gives\n"
               "  a value to %%NAME%% for |expand (repeat it for more values)\n");
}

static void print_refusal(void *ctx, const struct detect_refusal *r)
{
    (void)ctx;
    fprintf(stderr, "vigil hunt: refused %s:%u: %s: %s\n", r->file, r->line, r->id, r->reason);
}

static int level_index(const char *level)
{
    for (int i = 0; i < NLEVELS; i++)
        if (!strcmp(level, level_names[i]))
            return i;
    return 2;
}

/* Prints a correlation that held (the correlator calls it). */
static void on_hit(void *ctx, const struct corr_hit *hit)
{
    struct hunt *h = ctx;
    struct detect_corr_info ci;
    detect_corr_info(h->rules, hit->corr, &ci);
    h->matches++;
    h->by_level[level_index(ci.level)]++;
    struct buf *b = &h->out;
    buf_reset(b);
    if (h->table) {
        char when[40];
        vtime_format(hit->last_ns, when, sizeof when);
        buf_printf(b, "%s  %-13s %-50.50s count %llu", when, ci.level, ci.title,
                   (unsigned long long)hit->count);
        for (unsigned i = 0; i < ci.ngroup_by; i++) {
            struct slice v = SLICE_NULL;
            corr_key_value(hit->key, i, &v);
            buf_printf(b, " %s=%.*s", ci.group_by[i], (int)(v.len > 64 ? 64 : v.len),
                       v.p ? v.p : "");
        }
    } else {
        detect_corr_hit_json(h->rules, hit, b);
    }
    buf_putc(b, '\n');
    if (!b->err)
        (void)fwrite(b->p, 1, b->len, stdout);
}

static int on_match(void *ctx, size_t rule, const struct event *ev)
{
    struct hunt *h = ctx;
    struct detect_rule_info ri;
    detect_rule_info(h->rules, rule, &ri);
    h->matches++;
    h->by_level[level_index(ri.level)]++;
    struct buf *b = &h->out;
    buf_reset(b);
    if (h->table) {
        char when[40];
        vtime_format(ev->time_ns, when, sizeof when);
        struct slice host = SLICE_NULL;
        event_get(ev, FIELD_host, &host);
        struct slice raw = ev->text.p ? ev->text : ev->raw;
        buf_printf(b, "%s  %-13s %-50.50s %-16.*s ", when, ri.level, ri.title,
                   (int)(host.len > 16 ? 16 : host.len), host.p ? host.p : "-");
        struct detect_evidence e;
        if (detect_rule_evidence(h->rules, rule, ev, &e))
            buf_printf(b, "[%s: %s] ", e.at.why, e.at.fragment);
        for (size_t i = 0; i < raw.len && i < 400; i++) {
            unsigned char c = (unsigned char)raw.p[i];
            buf_putc(b, c < 0x20 || c == 0x7f ? ' ' : (char)c);
        }
    } else {
        buf_puts(b, "{\"rule\":{\"id\":\"");
        buf_json_str(b, ri.id, strlen(ri.id));
        buf_puts(b, "\",\"title\":\"");
        buf_json_str(b, ri.title, strlen(ri.title));
        buf_printf(b, "\",\"level\":\"%s\",\"tags\":[", ri.level);
        for (unsigned i = 0; i < ri.ntags; i++) {
            buf_puts(b, i ? ",\"" : "\"");
            buf_json_str(b, ri.tags[i], strlen(ri.tags[i]));
            buf_putc(b, '"');
        }
        buf_puts(b, "],\"file\":\"");
        buf_json_str(b, ri.file, strlen(ri.file));
        buf_puts(b, "\"},\"event\":");
        event_to_json(ev, b);
        struct detect_evidence e;
        if (detect_rule_evidence(h->rules, rule, ev, &e)) {
            buf_puts(b, ",\"evidence\":");
            detect_evidence_json(&e, b);
        }
        buf_putc(b, '}');
    }
    buf_putc(b, '\n');
    if (b->err)
        return b->err;
    return fwrite(b->p, 1, b->len, stdout) == b->len ? 0 : ERR_IO;
}

/* Counts a rate finding printed (hunt_rates.c prints it). */
static void on_rate_level(void *ctx, const char *level)
{
    struct hunt *h = ctx;
    h->matches++;
    h->by_level[level_index(level)]++;
}

static void draw_progress(struct hunt *h, bool final)
{
    int64_t now = vtime_mono_ns();
    if (!final && now - h->last_draw < 250000000LL)
        return;
    h->last_draw = now;
    long pos = h->f ? ftell(h->f) : 0;
    if (h->evtx && h->evtx->records) /* records are spread evenly enough over the file */
        pos = (long)((double)h->evtx_size * (double)h->evtx->events / (double)h->evtx->records);
    double done = (double)(h->done_before + (pos > 0 ? pos : 0));
    double pct = h->total ? 100.0 * done / (double)h->total : 100.0;
    fprintf(stderr, "\r%5.1f%%  %llu events  %llu matches%s", pct > 100 ? 100 : pct,
            (unsigned long long)h->det.events, (unsigned long long)h->matches, final ? "\n" : "");
}

static int on_line(void *ctx, const char *line, size_t len, uint64_t lineno)
{
    struct hunt *h = ctx;
    if (len == 0)
        return 0;
    int rc = cli_detector_line(&h->det, line, len, hash_mix(h->file_hash, lineno), h->file);
    if (h->progress && (h->det.events & 1023) == 0)
        draw_progress(h, false);
    return rc;
}

static bool is_evtx(const char *path)
{
    size_t n = strlen(path);
    return n > 5 && !strcasecmp(path + n - 5, ".evtx");
}

static int on_evtx_event(void *ctx, uint64_t record_no, struct event *ev)
{
    struct hunt *h = ctx;
    ev->id = hash_mix(h->file_hash, record_no);
    int rc = cli_detector_event(&h->det, ev); /* the same detection as on_line's */
    if (h->progress && (h->det.events & 1023) == 0)
        draw_progress(h, false);
    return rc;
}

static void on_evtx_skip(void *ctx, uint64_t record_no, const char *why)
{
    struct hunt *h = ctx;
    fprintf(stderr, "vigil hunt: %s: record %llu skipped: %s\n", h->file,
            (unsigned long long)record_no, why);
}

/* Reads one EVTX file; 0, or 1 when some of it could not be read. */
static int hunt_evtx(struct hunt *h, const char *path, off_t size)
{
    struct evtx_stats st;
    struct evtx_reader r = {.dc = h->det.dc,
                            .arena = &h->det.arena,
                            .ev = h->det.ev,
                            .on_event = on_evtx_event,
                            .on_skip = on_evtx_skip,
                            .ctx = h};
    h->file = path;
    h->file_hash = hash64(path, strlen(path), 0x68756e74);
    h->evtx = &st;
    h->evtx_size = size;
    int rc = evtx_read_file(&r, path, &st);
    h->evtx = NULL;
    h->done_before += size;
    arena_reset(&h->det.arena);
    h->evtx_files++;
    h->evtx_read += st.events;
    h->evtx_corrupt += st.corrupt;
    if (rc) {
        fprintf(stderr, "vigil hunt: %s: %s\n", path, st.error[0] ? st.error : err_str(rc));
        return 1;
    }
    if (st.damaged && st.last_id + 1 < st.next_id) {
        fprintf(stderr,
                "vigil hunt: %s: damaged after record %llu (EventRecordID %llu): a"
                " chunk is cut short or fails its checksum; the records after it, up to"
                " EventRecordID %llu, are missing\n",
                path, (unsigned long long)st.records, (unsigned long long)st.last_id,
                (unsigned long long)st.next_id - 1);
        return 1;
    }
    if (st.damaged)
        fprintf(stderr,
                "vigil hunt: %s: damaged (a chunk fails its checksum); its %llu"
                " records were read\n",
                path, (unsigned long long)st.records);
    return st.corrupt ? 1 : 0;
}

/* Reads one file; 0, or 1 when it could not be read. */
static int hunt_file(struct hunt *h, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "vigil hunt: %s: cannot open\n", path);
        return 1;
    }
    char magic[8];
    bool elf =
        fread(magic, 1, sizeof magic, f) == sizeof magic && !memcmp(magic, "ElfFile", sizeof magic);
    if (elf || is_evtx(path)) { /* never read as text, even when it is not EVTX */
        struct stat esb;
        off_t size = fstat(fileno(f), &esb) == 0 ? esb.st_size : 0;
        fclose(f);
        return hunt_evtx(h, path, size);
    }
    rewind(f);
    h->file = path;
    h->f = f;
    h->file_hash = hash64(path, strlen(path), 0x68756e74);
    int rc = cli_read_lines(f, on_line, h);
    struct stat sb;
    if (fstat(fileno(f), &sb) == 0)
        h->done_before += sb.st_size;
    fclose(f);
    h->f = NULL;
    if (rc) {
        fprintf(stderr, "vigil hunt: %s: %s\n", path, err_str(rc));
        return 1;
    }
    return 0;
}

/* See cli.h. */
/* --placeholder NAME=VALUE options, grouped by name into detect.h's form. */
#define MAX_PLACEHOLDER_VALUES 256
struct placeholders {
    struct detect_placeholder items[MAX_PLACEHOLDER_VALUES];
    const char *values[MAX_PLACEHOLDER_VALUES][MAX_PLACEHOLDER_VALUES];
    char *names[MAX_PLACEHOLDER_VALUES];
    unsigned n, total;
};

static int placeholder_add(struct placeholders *ph, const char *arg)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg || ph->total >= MAX_PLACEHOLDER_VALUES)
        return ERR_INVAL;
    for (const char *c = arg; c < eq; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '_'))
            return ERR_INVAL;
    size_t nl = (size_t)(eq - arg);
    unsigned k = 0;
    while (k < ph->n && (strlen(ph->names[k]) != nl || strncmp(ph->names[k], arg, nl) != 0))
        k++;
    if (k == ph->n) {
        if (!(ph->names[k] = mem_strndup(arg, nl)))
            return ERR_NOMEM;
        ph->items[k] = (struct detect_placeholder){ph->names[k], ph->values[k], 0};
        ph->n++;
    }
    ph->values[k][ph->items[k].nvalues++] = eq + 1;
    ph->total++;
    return 0;
}

static void placeholders_fini(struct placeholders *ph)
{
    for (unsigned i = 0; i < ph->n; i++)
        mem_free(ph->names[i]);
    ph->n = 0;
}

int cmd_hunt(int argc, char **argv)
{
    static struct placeholders ph; /* 0.5 MiB of pointers: not on the stack */
    ph.n = ph.total = 0;
    const char *dirs[MAX_RULE_DIRS];
    size_t ndirs = 0;
    const char *format = "jsonl", *engine = "compiled";
    bool builtin = true;
    int first_file = argc;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--rules") && i + 1 < argc && ndirs < MAX_RULE_DIRS) {
            dirs[ndirs++] = argv[++i];
        } else if (!strcmp(argv[i], "--no-builtin")) {
            builtin = false;
        } else if (!strcmp(argv[i], "--format") && i + 1 < argc) {
            format = argv[++i];
        } else if (!strcmp(argv[i], "--engine") && i + 1 < argc) {
            engine = argv[++i];
        } else if (!strcmp(argv[i], "--placeholder") && i + 1 < argc) {
            if (placeholder_add(&ph, argv[++i]) != 0) {
                fprintf(stderr,
                        "vigil hunt: --placeholder takes NAME=VALUE (NAME of letters,"
                        " digits and _), at most %d\n",
                        MAX_PLACEHOLDER_VALUES);
                placeholders_fini(&ph);
                return 2;
            }
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "vigil hunt: unknown option '%s'\n", argv[i]);
            usage(stderr);
            placeholders_fini(&ph);
            return 2;
        } else {
            first_file = i;
            break;
        }
    }
    if ((!ndirs && !builtin) || first_file >= argc ||
        (strcmp(format, "jsonl") != 0 && strcmp(format, "table") != 0) ||
        (strcmp(engine, "compiled") != 0 && strcmp(engine, "reference") != 0)) {
        usage(stderr);
        placeholders_fini(&ph);
        return 2;
    }
    int64_t t0 = vtime_mono_ns();
    struct hunt h;
    memset(&h, 0, sizeof h);
    h.table = !strcmp(format, "table");
    struct detect_load_stats ls;
    struct detect_load_opts opts = {ph.items, ph.n, builtin};
    int lrc = detect_rules_load(&opts, dirs, ndirs, print_refusal, NULL, &h.rules, &ls);
    placeholders_fini(&ph);
    if (lrc) {
        fprintf(stderr, "vigil hunt: out of memory loading rules\n");
        return 1;
    }
    int status = ls.unreadable ? 1 : 0;
    buf_init(&h.out, 0);
    char err[256];
    if (cli_detector_init(&h.det, h.rules, !strcmp(engine, "reference"), on_match, on_hit, &h, err,
                          sizeof err)) {
        fprintf(stderr, "vigil hunt: cannot prepare the rules: %s\n", err);
        status = 1;
        goto out;
    }
    if (builtin && (!(h.rates = hunt_rates_new(h.table, on_rate_level, &h)) ||
                    !(h.det.rate = rate_new(NULL, hunt_rates_finding, h.rates)))) {
        fprintf(stderr, "vigil hunt: out of memory for the rate analyzers\n");
        status = 1;
        goto out;
    }
    for (int i = first_file; i < argc; i++) {
        struct stat sb;
        if (stat(argv[i], &sb) == 0)
            h.total += sb.st_size;
    }
    h.progress = isatty(2) && h.total > (off_t)PROGRESS_MIN_BYTES;
    for (int i = first_file; i < argc; i++)
        if (hunt_file(&h, argv[i]))
            status = 1;
    cli_detector_flush(&h.det); /* judges the correlation windows still open */
    hunt_rates_flush(h.rates);  /* the scans, merged */
    if (h.progress)
        draw_progress(&h, true);
    fflush(stdout);
    if (h.det.corr) {
        struct correlator_stats cs;
        correlator_stats(h.det.corr, &cs);
        fprintf(stderr,
                "vigil hunt: correlations %zu: %llu hits from %llu items (late %llu,"
                " without a group-by field %llu, evicted groups %llu, lost %llu)\n",
                detect_corr_count(h.rules), (unsigned long long)cs.hits,
                (unsigned long long)cs.items, (unsigned long long)cs.late,
                (unsigned long long)h.det.corr_missing, (unsigned long long)cs.evicted,
                (unsigned long long)(h.det.corr_lost + cs.dropped));
    }
    double secs = (double)(vtime_mono_ns() - t0) / 1e9;
    char evtx[160] = "";
    if (h.evtx_files)
        snprintf(evtx, sizeof evtx, "; evtx files %llu: records read %llu, corrupt %llu",
                 (unsigned long long)h.evtx_files, (unsigned long long)h.evtx_read,
                 (unsigned long long)h.evtx_corrupt);
    fprintf(stderr,
            "vigil hunt: %llu events, %llu matches (critical %llu, high %llu, medium"
            " %llu, low %llu, informational %llu); rules loaded %zu%s, refused %zu%s;"
            " %.2f s\n",
            (unsigned long long)h.det.events, (unsigned long long)h.matches,
            (unsigned long long)h.by_level[4], (unsigned long long)h.by_level[3],
            (unsigned long long)h.by_level[2], (unsigned long long)h.by_level[1],
            (unsigned long long)h.by_level[0], ls.rules - ls.builtin,
            ls.builtin ? " and the built-in analyzers" : "", ls.refused, evtx, secs);
out:
    cli_detector_fini(&h.det);
    hunt_rates_free(h.rates);
    buf_fini(&h.out);
    detect_rules_free(h.rules);
    return status;
}
