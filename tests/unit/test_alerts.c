/*
 * test_alerts.c — the pieces `vigil serve` detects with: the alerts table of vigil.db
 * (store_alerts.c: insert, update of a merged alert, a closed one left alone, newest first, level
 * filter, replays, migration of a v2 vigil.db), the refcounted rule engine and its holder
 * (detect_engine.c: build, path errors, refusal comparison across reloads, swap while referenced)
 * and the `rules:` section of the daemon's configuration (config.c).
 */
#include "core/core.h"
#include "detect/detect_engine.h"
#include "ingest/ingest.h"
#include "store/store.h"
#include "store/store_int.h"
#include "testlib.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *data_dir(void)
{
    static char p[4096];
    snprintf(p, sizeof p, "%s/data", t_tmpdir());
    return p;
}

static struct store *open_store(void)
{
    struct store_opts o = {.dir = data_dir()};
    struct store *st = NULL;
    return store_open(&o, &st) == 0 ? st : NULL;
}

/* ---- store_alerts ----------------------------------------------------------------- */

static struct alert_row mk_alert(uint64_t id, const char *rule, const char *level, int64_t first,
                                 const uint64_t *evid)
{
    struct alert_row a = {
        .id = id,
        .is_new = true,
        .rule_id = rule,
        .rule_title = "title \"quoted\"",
        .rule_level = level,
        .tags_json = "[\"attack.credential_access\",\"attack.t1110\"]",
        .first_seen_ns = first,
        .last_seen_ns = first,
        .count = 1,
        .src_ip = slice_cstr("10.0.0.1"),
        .user = slice_cstr("root"),
        .event_ids = {*evid},
        .nevents = 1,
        .created_ns = first + 5,
        .risk = 6.4,
        .asset = "web01",
    };
    return a;
}

/* store_alerts_write with room for the closed indexes of up to 8 rows. */
static int write_rows(struct store *st, const struct alert_row *rows, size_t n, size_t *ins)
{
    size_t closed[8], nclosed = 0;
    return n <= 8 ? store_alerts_write(st, rows, n, closed, &nclosed, ins) : ERR_INVAL;
}

struct seen {
    size_t n;
    uint64_t ids[16];
    char levels[16][16];
    char tags[256], events[64], status[16];
    bool dst_null, risk_null;
    double risk;
    char asset[32];
    char src[32];
    int64_t created;
};

static int note(void *ctx, const struct store_alert *a)
{
    struct seen *s = ctx;
    if (s->n < 16) {
        s->ids[s->n] = a->id;
        snprintf(s->levels[s->n], sizeof s->levels[0], "%s", a->rule_level);
    }
    if (s->n == 0) {
        snprintf(s->tags, sizeof s->tags, "%s", a->tags_json);
        snprintf(s->events, sizeof s->events, "%s", a->event_ids_json);
        snprintf(s->status, sizeof s->status, "%s", a->status);
        snprintf(s->src, sizeof s->src, "%.*s", (int)a->src_ip.len, a->src_ip.p);
        s->dst_null = a->dst_ip.p == NULL;
        s->risk_null = !a->has_risk;
        s->risk = a->risk;
        snprintf(s->asset, sizeof s->asset, "%s", a->asset ? a->asset : "(null)");
        s->created = a->created_ns;
    }
    s->n++;
    return 0;
}

static void t_insert_list(void)
{
    struct store *st = open_store();
    T_CHECK(st);
    uint64_t e1 = 0x1111, e2 = 0x2222, e3 = 0xfedcba9876543210ULL;
    struct alert_row rows[3] = {
        mk_alert(1, "r-a", "low", 1000, &e1), mk_alert(2, "r-b", "high", 3000, &e2),
        mk_alert(0x8000000000000001ULL, "r-c", "medium", 2000, &e3), /* top bit set */
    };
    size_t ins = 0;
    int rc = write_rows(st, rows, 3, &ins);
    store_close(st);
    T_EQ_INT(rc, 0);
    T_EQ_INT(ins, 3);
    st = open_store(); /* durable across a reopen */
    T_CHECK(st);
    struct seen s = {0};
    rc = store_alerts_list(st, NULL, note, &s);
    store_close(st);
    T_EQ_INT(rc, 0);
    T_EQ_INT(s.n, 3);
    /* newest first by first seen */
    T_CHECK(s.ids[0] == 2);
    T_CHECK(s.ids[1] == 0x8000000000000001ULL);
    T_CHECK(s.ids[2] == 1);
    T_EQ_STR(s.tags, "[\"attack.credential_access\",\"attack.t1110\"]");
    T_EQ_STR(s.events, "[\"0000000000002222\"]");
    T_EQ_STR(s.status, "new");
    T_EQ_STR(s.src, "10.0.0.1");
    T_CHECK(s.dst_null);
    T_CHECK(!s.risk_null);
    T_CHECK(s.risk > 6.39 && s.risk < 6.41);
    T_EQ_STR(s.asset, "web01");
    T_EQ_INT(s.created, 3005);
}

static void t_level_filter(void)
{
    struct store *st = open_store();
    T_CHECK(st);
    uint64_t e = 7;
    static const char *const levels[] = {"informational", "low", "medium", "high", "critical"};
    struct alert_row rows[5];
    for (int i = 0; i < 5; i++)
        rows[i] = mk_alert((uint64_t)(100 + i), "r", levels[i], 1000 + i, &e);
    T_EQ_INT(write_rows(st, rows, 5, NULL), 0);
    struct seen s = {0};
    struct store_alert_filter f = {.min_level = "high"};
    T_EQ_INT(store_alerts_list(st, &f, note, &s), 0);
    T_EQ_INT(s.n, 2);
    T_EQ_STR(s.levels[0], "critical");
    T_EQ_STR(s.levels[1], "high");
    memset(&s, 0, sizeof s);
    f = (struct store_alert_filter){.min_level = "informational", .limit = 3};
    T_EQ_INT(store_alerts_list(st, &f, note, &s), 0);
    T_EQ_INT(s.n, 3);
    T_EQ_STR(s.levels[2], "medium");
    f = (struct store_alert_filter){.min_level = "severe"};
    int rc = store_alerts_list(st, &f, note, &s);
    store_close(st);
    T_EQ_INT(rc, ERR_INVAL);
    T_EQ_INT(store_alert_level_rank("critical"), 4);
    T_EQ_INT(store_alert_level_rank(NULL), -1);
}

static void t_replay_ignored(void)
{
    struct store *st = open_store();
    T_CHECK(st);
    uint64_t e = 9;
    struct alert_row a[2] = {mk_alert(42, "r", "medium", 5, &e), mk_alert(43, "r", "low", 6, &e)};
    size_t ins = 9;
    T_EQ_INT(write_rows(st, a, 2, &ins), 0);
    T_EQ_INT(ins, 2);
    T_EQ_INT(write_rows(st, a, 2, &ins), 0); /* the same batch matched again */
    T_EQ_INT(ins, 0);
    T_EQ_INT(write_rows(st, a, 0, &ins), 0);
    struct seen s = {0};
    int rc = store_alerts_list(st, NULL, note, &s);
    store_close(st);
    T_EQ_INT(rc, 0);
    T_EQ_INT(s.n, 2);
}

/* A merged row updates count, times and event ids; a closed alert is left alone and
 * its index reported. */
static void t_update_and_closed(void)
{
    struct store *st = open_store();
    T_CHECK(st);
    uint64_t e = 0x10;
    struct alert_row a[2] = {mk_alert(70, "r", "high", 1000, &e),
                             mk_alert(71, "r", "low", 1000, &e)};
    T_EQ_INT(write_rows(st, a, 2, NULL), 0);
    T_CHECK(sqlite3_exec(st->main_db, "UPDATE alerts SET status = 'closed' WHERE id = 71", NULL,
                         NULL, NULL) == SQLITE_OK);
    for (int i = 0; i < 2; i++) {
        a[i].is_new = false;
        a[i].count = 100000;
        a[i].first_seen_ns = 900;
        a[i].last_seen_ns = 5000;
        a[i].event_ids[1] = 0x20;
        a[i].nevents = 2;
    }
    size_t closed[2] = {9, 9}, nclosed = 9, ins = 9;
    int rc = store_alerts_write(st, a, 2, closed, &nclosed, &ins);
    struct seen s = {0};
    if (rc == 0)
        rc = store_alerts_list(st, NULL, note, &s);
    sqlite3_stmt *q = NULL;
    long long count = -1, first = -1, last = -1;
    if (sqlite3_prepare_v2(st->main_db,
                           "SELECT count, first_seen, last_seen FROM alerts WHERE id = 70", -1, &q,
                           NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW) {
        count = sqlite3_column_int64(q, 0);
        first = sqlite3_column_int64(q, 1);
        last = sqlite3_column_int64(q, 2);
    }
    sqlite3_finalize(q);
    store_close(st);
    T_EQ_INT(rc, 0);
    T_EQ_INT(ins, 0);
    T_EQ_INT(nclosed, 1);
    T_EQ_INT(closed[0], 1);
    T_EQ_INT(count, 100000);
    T_EQ_INT(first, 900);
    T_EQ_INT(last, 5000);
}

/* A vigil.db written by the previous version (v2: no alerts table) is migrated. */
static void t_migrate_v2(void)
{
    T_CHECK(mkdir(data_dir(), 0700) == 0);
    char path[4200];
    snprintf(path, sizeof path, "%s/vigil.db", data_dir());
    sqlite3 *db = NULL;
    T_CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    bool ok = sqlite3_exec(db, store_schema_step(STORE_FILE_MAIN, 1), NULL, NULL, NULL) == 0 &&
              sqlite3_exec(db, store_schema_step(STORE_FILE_MAIN, 2), NULL, NULL, NULL) == 0 &&
              sqlite3_exec(db, "PRAGMA user_version = 2", NULL, NULL, NULL) == 0;
    sqlite3_close(db);
    T_CHECK(ok);
    T_CHECK(store_schema_current(STORE_FILE_MAIN) >= 3);
    struct store *st = open_store();
    T_CHECK(st);
    uint64_t e = 1;
    struct alert_row a = mk_alert(5, "r", "high", 1, &e);
    size_t ins = 0;
    int rc = write_rows(st, &a, 1, &ins);
    store_close(st);
    T_EQ_INT(rc, 0);
    T_EQ_INT(ins, 1);
}

/* ---- detect_engine ---------------------------------------------------------------- */

static const char RULE_OK[] = "title: ok rule\n"
                              "id: 11111111-0000-4000-8000-000000000001\n"
                              "level: high\n"
                              "logsource: {product: linux, service: sshd}\n"
                              "detection:\n"
                              "  sel: {user: root}\n"
                              "  condition: sel\n";
/* needs a placeholder nobody configured: refused */
static const char RULE_PH[] = "title: placeholder rule\n"
                              "id: 22222222-0000-4000-8000-000000000002\n"
                              "logsource: {product: linux, service: sshd}\n"
                              "detection:\n"
                              "  sel:\n"
                              "    user|expand: '%admins%'\n"
                              "  condition: sel\n";
/* an unknown modifier: refused */
static const char RULE_BAD[] = "title: broken rule\n"
                               "id: 33333333-0000-4000-8000-000000000003\n"
                               "logsource: {product: linux, service: sshd}\n"
                               "detection:\n"
                               "  sel:\n"
                               "    user|nosuchmodifier: x\n"
                               "  condition: sel\n";

static int write_file(const char *dir, const char *name, const char *text)
{
    char p[4200];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    if (!f)
        return -1;
    fputs(text, f);
    return fclose(f);
}

static const char *rules_dir(void)
{
    static char p[4096];
    snprintf(p, sizeof p, "%s/rules", t_tmpdir());
    mkdir(p, 0700);
    return p;
}

static struct detect_engine *build(const struct detect_load_opts *o, uint64_t gen)
{
    const char *paths[] = {rules_dir()};
    struct detect_engine *e = NULL;
    char err[256];
    return detect_engine_build(o, paths, 1, gen, &e, err, sizeof err) == 0 ? e : NULL;
}

static void t_engine_build(void)
{
    T_CHECK(write_file(rules_dir(), "a.yml", RULE_OK) == 0);
    T_CHECK(write_file(rules_dir(), "b.yml", RULE_PH) == 0);
    struct detect_engine *e = build(NULL, 7);
    T_CHECK(e);
    bool ok = e->generation == 7 && e->load.rules == 1 && e->nrefusals == 1 && e->matcher &&
              !strcmp(e->refusals[0].id, "22222222-0000-4000-8000-000000000002");
    detect_engine_release(e);
    T_CHECK(ok);
    /* with the placeholder configured, both rules load */
    const char *const vals[] = {"root", "admin"};
    struct detect_placeholder ph = {"admins", vals, 2};
    struct detect_load_opts o = {&ph, 1, false};
    e = build(&o, 8);
    T_CHECK(e);
    ok = e->load.rules == 2 && e->nrefusals == 0;
    detect_engine_release(e);
    T_CHECK(ok);
    /* a configured path that cannot be read fails the build, naming the path */
    char missing[4200], err[512] = "";
    snprintf(missing, sizeof missing, "%s/nope", t_tmpdir());
    const char *paths[] = {rules_dir(), missing};
    e = NULL;
    T_EQ_INT(detect_engine_build(NULL, paths, 2, 1, &e, err, sizeof err), ERR_NOTFOUND);
    T_CHECK(e == NULL);
    T_CHECK(strstr(err, missing) != NULL);
}

static void count_new(void *ctx, const struct detect_engine_refusal *r)
{
    (void)r;
    (*(int *)ctx)++;
}

static void t_engine_refusals(void)
{
    T_CHECK(write_file(rules_dir(), "a.yml", RULE_OK) == 0);
    T_CHECK(write_file(rules_dir(), "b.yml", RULE_PH) == 0);
    struct detect_engine *cur = build(NULL, 1);
    T_CHECK(cur);
    /* the same refusal again (even on another line) is not new */
    char moved[1024];
    snprintf(moved, sizeof moved, "\n\n%s", RULE_PH);
    bool ok = write_file(rules_dir(), "b.yml", moved) == 0;
    struct detect_engine *same = build(NULL, 2);
    int calls = 0;
    size_t fresh_same = same ? detect_engine_new_refusals(cur, same, count_new, &calls) : 99;
    /* a newly broken rule is new */
    ok = ok && write_file(rules_dir(), "c.yml", RULE_BAD) == 0;
    struct detect_engine *broken = build(NULL, 3);
    size_t fresh_broken = broken ? detect_engine_new_refusals(cur, broken, NULL, NULL) : 0;
    size_t fresh_all = broken ? detect_engine_new_refusals(NULL, broken, NULL, NULL) : 0;
    detect_engine_release(cur);
    detect_engine_release(same);
    detect_engine_release(broken);
    T_CHECK(ok);
    T_EQ_INT(fresh_same, 0);
    T_EQ_INT(calls, 0);
    T_EQ_INT(fresh_broken, 1);
    T_EQ_INT(fresh_all, 2);
}

static void t_engine_holder(void)
{
    T_CHECK(write_file(rules_dir(), "a.yml", RULE_OK) == 0);
    struct detect_engine_holder h;
    detect_engine_holder_init(&h);
    T_CHECK(detect_engine_acquire(&h) == NULL);
    struct detect_engine *e1 = build(NULL, 1), *e2 = build(NULL, 2);
    if (!e1 || !e2) {
        detect_engine_release(e1);
        detect_engine_release(e2);
        detect_engine_holder_fini(&h);
        T_CHECK(!"build");
    }
    detect_engine_swap(&h, e1);
    struct detect_engine *held = detect_engine_acquire(&h); /* a batch in flight */
    detect_engine_swap(&h, e2);                             /* a reload meanwhile */
    struct detect_engine *now = detect_engine_acquire(&h);
    /* the swapped-out engine is still whole for its holder (ASan would see a free) */
    bool ok = held == e1 && held->generation == 1 && held->load.rules == 1 &&
              detect_rules_count(held->rules) == 1 && now == e2 && now->generation == 2;
    detect_engine_release(held); /* frees e1 */
    detect_engine_release(now);
    detect_engine_holder_fini(&h); /* frees e2 */
    T_CHECK(ok);
}

/* ---- the rules: section of the configuration ---------------------------------------- */

static void t_config_rules(void)
{
    static const char ok[] = "data_dir: /tmp/x\n"
                             "rules:\n"
                             "  paths: [/etc/vigil/rules, ./more.yml]\n"
                             "  placeholders:\n"
                             "    admins: [root, 'adm*']\n"
                             "    domain_controllers: dc1\n";
    struct ingest_config c;
    ingest_config_defaults(&c);
    char err[512] = "";
    int rc = ingest_config_load("t.yaml", ok, sizeof ok - 1, &c, err, sizeof err);
    bool good = rc == 0 && c.rules.npaths == 2 && !strcmp(c.rules.paths[1], "./more.yml") &&
                c.rules.nplaceholders == 2 && !strcmp(c.rules.placeholders[0].name, "admins") &&
                c.rules.placeholders[0].nvalues == 2 &&
                !strcmp(c.rules.placeholders[0].values[1], "adm*") &&
                c.rules.placeholders[1].nvalues == 1;
    ingest_config_fini(&c);
    T_CHECK(good);
    static const struct {
        const char *text;
        const char *want;
    } bad[] = {
        {"rules:\n  pathz: [x]\n", "t.yaml:2: unknown key 'pathz' in rules"},
        {"rules:\n  paths: {a: b}\n", "t.yaml:2: rules.paths"},
        {"rules:\n  paths: [x]\n  placeholders:\n    '%a%': [x]\n", "t.yaml:4:"},
        {"rules:\n  placeholders:\n    a: [x]\n    a: [y]\n", "t.yaml:"},
        {"rules: [x]\n", "t.yaml:1: rules: expected a map"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ingest_config_defaults(&c);
        err[0] = 0;
        rc = ingest_config_load("t.yaml", bad[i].text, strlen(bad[i].text), &c, err, sizeof err);
        ingest_config_fini(&c);
        if (rc == 0 || !strstr(err, bad[i].want))
            t_fail(__FILE__, __LINE__, "case %zu: rc %d err '%s'", i, rc, err);
        T_CHECK(!t_failed());
    }
}

int main(void)
{
    field_registry_init();
    t_run("alerts insert and list newest first, fields round-trip", t_insert_list);
    t_run("alerts filter by minimum level and limit", t_level_filter);
    t_run("alerts inserted again are ignored (deterministic ids)", t_replay_ignored);
    t_run("alerts merged update count and times; a closed one is left and reported",
          t_update_and_closed);
    t_run("alerts table added to a v2 vigil.db", t_migrate_v2);
    t_run("engine build: rules, refusals, placeholders, unreadable path", t_engine_build);
    t_run("engine refusals compared by file, id and reason across reloads", t_engine_refusals);
    t_run("engine holder: swap while a batch holds the old engine", t_engine_holder);
    t_run("config rules section: paths, placeholders, errors", t_config_rules);
    return t_done();
}
