/*
 * cmd_rules_test.c — `vigil rules test [--placeholder NAME=VALUE ...] [PATH...]`
 * (default `rules`): every rule file carries its own proof. Beside each `NAME.yml` lie
 * `NAME.match.log`, lines on which something NAME.yml defines must alert, and
 * `NAME.nomatch.log`, lines on which nothing it defines may alert (and, when the proof
 * needs an asset inventory, `NAME.assets.csv`, enriching both: a CSV, since every
 * .yml and .yaml under the PATHs is read as rules). All the rules under
 * the PATHs are loaded together (a correlation may name a rule of another file), each
 * log is read through the daemon's decoders, matcher and correlator (cli_detect.c),
 * and only what the file itself defines is counted. One line per file:
 *
 *   PASS rules/linux/ssh_brute_force.yml (match 1, nomatch 0)
 *   FAIL rules/web/scan.yml: nomatch: 2 alerts (Web scan x2)
 *
 * then "N passed, M failed". A refused rule, a file without both logs, or an unreadable
 * log fails. Exit status 0 when every file passed, 1 otherwise, 2 on bad usage.
 */
#include "cli/cli.h"
#include "cli/cli_detect.h"
#include "enrich/enrich.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MAX_PATHS 64
#define MAX_PH 256

struct run {
    const struct detect_rules *rules;
    const char *file; /* the rule file whose definitions count */
    uint64_t alerts;
    char first[160]; /* the title of the first counted alert */
};

static void note(struct run *r, const char *file, const char *title)
{
    if (!file || strcmp(file, r->file) != 0)
        return;
    if (!r->alerts++)
        snprintf(r->first, sizeof r->first, "%s", title);
}

static int on_match(void *ctx, size_t rule, const struct event *ev)
{
    (void)ev;
    struct run *r = ctx;
    struct detect_rule_info ri;
    detect_rule_info(r->rules, rule, &ri);
    note(r, ri.file, ri.title);
    return 0;
}

static void on_hit(void *ctx, const struct corr_hit *hit)
{
    struct run *r = ctx;
    struct detect_corr_info ci;
    detect_corr_info(r->rules, hit->corr, &ci);
    note(r, ci.file, ci.title);
}

struct line_ctx {
    struct cli_detector *d;
    const char *name;
    uint64_t hash;
};

static int on_line(void *ctx, const char *line, size_t len, uint64_t lineno)
{
    struct line_ctx *l = ctx;
    return len ? cli_detector_line(l->d, line, len, hash_mix(l->hash, lineno), l->name) : 0;
}

/* Runs the rules over one log; the alerts of r->file's definitions in *r. 0, or a
 * reason in why. */
static int run_log(struct detect_rules *rs, const struct assets *assets, const char *log,
                   struct run *r, char *why, size_t whylen)
{
    FILE *f = fopen(log, "rb");
    if (!f) {
        snprintf(why, whylen, "cannot open %s", log);
        return ERR_IO;
    }
    struct cli_detector d;
    char err[256];
    int rc = cli_detector_init(&d, rs, false, on_match, on_hit, r, err, sizeof err);
    d.assets = assets;
    if (rc == 0) {
        struct line_ctx lc = {&d, log, hash64(log, strlen(log), 0x74657374)};
        rc = cli_read_lines(f, on_line, &lc);
        cli_detector_flush(&d);
        if (rc)
            snprintf(why, whylen, "%s: %s", log, err_str(rc));
    } else {
        snprintf(why, whylen, "cannot prepare the rules: %s", err);
    }
    cli_detector_fini(&d);
    fclose(f);
    return rc;
}

/* NAME.yml -> NAME<suffix> into out; false when the name has no YAML suffix. */
static bool log_name(const char *file, const char *suffix, char *out, size_t outlen)
{
    size_t n = strlen(file);
    size_t cut = n > 4 && !strcmp(file + n - 4, ".yml")    ? n - 4
                 : n > 5 && !strcmp(file + n - 5, ".yaml") ? n - 5
                                                           : 0;
    if (!cut)
        return false;
    return (size_t)snprintf(out, outlen, "%.*s%s", (int)cut, file, suffix) < outlen;
}

/* Tests one rule file; true when it passed (its line printed either way). */
static bool test_file(struct detect_rules *rs, const char *file)
{
    char pos[4200], neg[4200], inv[4200], why[512] = "";
    struct run m = {rs, file, 0, ""}, n = {rs, file, 0, ""};
    bool ok = log_name(file, ".match.log", pos, sizeof pos) &&
              log_name(file, ".nomatch.log", neg, sizeof neg) &&
              log_name(file, ".assets.csv", inv, sizeof inv);
    if (!ok)
        snprintf(why, sizeof why, "name too long");
    struct assets *assets = NULL; /* NAME.assets.csv, when the proof needs an inventory */
    if (ok && access(inv, F_OK) == 0 && assets_load_file(inv, &assets, why, sizeof why))
        ok = false;
    if (ok && run_log(rs, assets, pos, &m, why, sizeof why))
        ok = false;
    if (ok && run_log(rs, assets, neg, &n, why, sizeof why))
        ok = false;
    assets_free(assets);
    if (ok && m.alerts == 0) {
        snprintf(why, sizeof why, "match: no alert from this file's rules");
        ok = false;
    }
    if (ok && n.alerts) {
        snprintf(why, sizeof why, "nomatch: %llu alert(s) (first: %s)",
                 (unsigned long long)n.alerts, n.first);
        ok = false;
    }
    if (ok)
        printf("PASS %s (match %llu, nomatch 0)\n", file, (unsigned long long)m.alerts);
    else
        printf("FAIL %s: %s\n", file, why);
    return ok;
}

static bool seen(const char *const *files, size_t n, const char *f)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(files[i], f))
            return true;
    return false;
}

static void print_refusal(void *ctx, const struct detect_refusal *r)
{
    (void)ctx;
    printf("FAIL %s:%u: %s: refused: %s\n", r->file, r->line, r->id, r->reason);
}

/* See cli.h. */
int cmd_rules_test(int argc, char **argv)
{
    const char *paths[MAX_PATHS];
    size_t npaths = 0;
    struct detect_placeholder ph[MAX_PH];
    const char *phv[MAX_PH];
    unsigned nph = 0;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--placeholder") && i + 1 < argc && nph < MAX_PH) {
            const char *eq = strchr(argv[++i], '=');
            if (!eq || eq == argv[i]) {
                fprintf(stderr, "vigil rules test: --placeholder takes NAME=VALUE\n");
                return 2;
            }
            argv[i][eq - argv[i]] = '\0';
            phv[nph] = eq + 1;
            ph[nph] = (struct detect_placeholder){argv[i], &phv[nph], 1};
            nph++;
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "vigil rules test: unknown option '%s'\n", argv[i]);
            return 2;
        } else if (npaths < MAX_PATHS) {
            paths[npaths++] = argv[i];
        }
    }
    if (!npaths)
        paths[npaths++] = "rules";
    struct detect_rules *rs = NULL;
    struct detect_load_stats st;
    struct detect_load_opts o = {ph, nph, false}; /* the user's rules alone */
    int rc = detect_rules_load(&o, paths, npaths, print_refusal, NULL, &rs, &st);
    if (rc) {
        fprintf(stderr, "vigil rules test: %s\n", err_str(rc));
        return 1;
    }
    /* the rule files, in load order */
    size_t nr = detect_rules_count(rs), nc = detect_corr_count(rs), nfiles = 0;
    const char **files = mem_calloc(nr + nc + 1, sizeof *files);
    if (!files) {
        detect_rules_free(rs);
        return 1;
    }
    for (size_t i = 0; i < nr; i++) {
        struct detect_rule_info ri;
        detect_rule_info(rs, i, &ri);
        if (!seen(files, nfiles, ri.file))
            files[nfiles++] = ri.file;
    }
    for (size_t i = 0; i < nc; i++) {
        struct detect_corr_info ci;
        detect_corr_info(rs, i, &ci);
        if (!seen(files, nfiles, ci.file))
            files[nfiles++] = ci.file;
    }
    size_t passed = 0;
    for (size_t i = 0; i < nfiles; i++)
        passed += test_file(rs, files[i]);
    size_t failed = nfiles - passed + st.refused;
    printf("%zu passed, %zu failed\n", passed, failed);
    mem_free(files);
    detect_rules_free(rs);
    return failed || st.unreadable || nfiles == 0 ? 1 : 0;
}
