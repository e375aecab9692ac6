/*
 * test_ingest.c — unit tests of the ingest module: the RFC 6587 framer (both framings,
 * caps, chunking, EOF), the configuration loader's refusals with FILE:LINE, and the
 * file input end to end on a real store (checkpoints: a restart reads each line once,
 * a rotation by rename while stopped is finished first, multi-line joining).
 */
#include "ingest/ingest.h"
#include "store/store.h"
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- framer ---------------------------------------------------------------------- */

#define MAXF 16

struct frames {
    size_t n;
    char text[MAXF][128];
    unsigned flags[MAXF];
    size_t len[MAXF];
};

static void grab(void *ctx, const char *p, size_t len, unsigned flags)
{
    struct frames *f = ctx;
    if (f->n >= MAXF)
        return;
    snprintf(f->text[f->n], sizeof f->text[0], "%.*s", (int)len, p);
    f->len[f->n] = len;
    f->flags[f->n++] = flags;
}

/* Feeds s in chunks of `step` bytes (0 = whole), then EOF; returns the bytes lost. */
static size_t frame(const char *s, size_t len, size_t max, bool lf, size_t step, struct frames *out)
{
    struct ingest_framer f;
    memset(out, 0, sizeof *out);
    ingest_framer_init(&f, max, lf);
    for (size_t off = 0; off < len;) {
        size_t k = step && step < len - off ? step : len - off;
        ingest_framer_feed(&f, s + off, k, grab, out);
        off += k;
    }
    size_t lost = ingest_framer_eof(&f, grab, out);
    ingest_framer_fini(&f);
    return lost;
}

static void t_framer_lf(void)
{
    const char s[] = "<13>one\r\n\n<13>two\0three";
    for (size_t step = 0; step < 5; step++) {
        struct frames fr;
        T_EQ_INT(frame(s, sizeof s - 1, 0, false, step, &fr), 0);
        T_EQ_INT(fr.n, 3);
        T_EQ_STR(fr.text[0], "<13>one");
        T_EQ_STR(fr.text[1], "<13>two");
        T_EQ_STR(fr.text[2], "three"); /* the trailing line is delivered at EOF */
        T_EQ_INT(fr.flags[0] | fr.flags[1] | fr.flags[2], 0);
    }
}

static void t_framer_octet(void)
{
    const char s[] = "9 <13>a b c\n12 line\nwith lf3 xyz";
    for (size_t step = 0; step < 4; step++) {
        struct frames fr;
        T_EQ_INT(frame(s, sizeof s - 1, 0, false, step, &fr), 0);
        T_EQ_INT(fr.n, 3);
        T_EQ_STR(fr.text[0], "<13>a b c");
        T_EQ_STR(fr.text[1], "line\nwith lf"); /* octet counting keeps the LF */
        T_EQ_STR(fr.text[2], "xyz");
    }
}

static void t_framer_octet_partial_lost(void)
{
    struct frames fr;
    const char s[] = "5 hello20 only part";
    size_t lost = frame(s, sizeof s - 1, 0, false, 3, &fr);
    T_EQ_INT(fr.n, 1);
    T_EQ_STR(fr.text[0], "hello");
    T_CHECK(lost > 0); /* the half frame is lost, and said so */
}

static void t_framer_cap(void)
{
    char s[700];
    memset(s, 'A', 600);
    memcpy(s + 600, "\nok\n", 4);
    for (size_t step = 0; step < 300; step += 97) {
        struct frames fr;
        frame(s, 604, 256, false, step, &fr);
        T_EQ_INT(fr.n, 2);
        T_EQ_INT(fr.len[0], 256);
        T_EQ_INT(fr.flags[0], INGEST_FRAME_TRUNCATED);
        T_EQ_STR(fr.text[1], "ok"); /* the rest of the long line was skipped */
    }
    /* octet counting over the cap: cut, flagged, the rest skipped */
    char o[700];
    int n = snprintf(o, sizeof o, "600 ");
    memset(o + n, 'B', 600);
    memcpy(o + n + 600, "2 ok", 4);
    struct frames fr;
    frame(o, (size_t)n + 604, 256, false, 50, &fr);
    T_EQ_INT(fr.n, 2);
    T_EQ_INT(fr.len[0], 256);
    T_EQ_INT(fr.flags[0], INGEST_FRAME_TRUNCATED);
    T_EQ_STR(fr.text[1], "ok");
}

static void t_framer_bad_header(void)
{
    struct frames fr;
    const char s[] = "3 abcX7 oops\nnext\n";
    frame(s, sizeof s - 1, 0, false, 0, &fr);
    T_EQ_INT(fr.n, 3);
    T_EQ_STR(fr.text[0], "abc");
    T_EQ_STR(fr.text[1], "X7 oops"); /* fell back to newline framing, flagged */
    T_EQ_INT(fr.flags[1], INGEST_FRAME_MALFORMED);
    T_EQ_STR(fr.text[2], "next");
    T_EQ_INT(fr.flags[2], 0);
}

static void t_framer_lf_only(void)
{
    struct frames fr;
    const char s[] = "12 not octet\n";
    frame(s, sizeof s - 1, 0, true, 0, &fr);
    T_EQ_INT(fr.n, 1);
    T_EQ_STR(fr.text[0], "12 not octet");
}

/* ---- config ---------------------------------------------------------------------- */

static int load(const char *text, struct ingest_config *c, char *err, size_t errlen)
{
    ingest_config_defaults(c);
    return ingest_config_load("t.yaml", text, strlen(text), c, err, errlen);
}

static void t_config_defaults(void)
{
    struct ingest_config c;
    char err[256];
    T_EQ_INT(load("", &c, err, sizeof err), 0);
    T_EQ_STR(c.data_dir, "./var");
    T_EQ_INT(c.ninputs, 2);
    T_EQ_STR(c.inputs[0].listen, "127.0.0.1:5514");
    T_EQ_STR(c.inputs[0].name, "syslog_udp");
    T_EQ_STR(c.inputs[1].name, "syslog_tcp");
    ingest_config_fini(&c);
}

static void t_config_full(void)
{
    struct ingest_config c;
    char err[256] = "";
    const char *y = "data_dir: /tmp/x\nworkers: 2\nstats_interval: 5\nlog_level: debug\n"
                    "inputs:\n"
                    "  - type: file\n    path: /var/log/a.log\n    start_pattern: '^[0-9]'\n"
                    "  - type: file\n    path: /var/log/b.log\n    tz: '+08:00'\n"
                    "  - {type: syslog_tcp, listen: '[::1]:0', max_frame: 1024}\n";
    int rc = load(y, &c, err, sizeof err);
    if (rc)
        t_fail(__FILE__, __LINE__, "%s", err);
    T_EQ_INT(rc, 0);
    T_EQ_INT(c.workers, 2);
    T_EQ_INT(c.log_level, LOG_DEBUG);
    T_EQ_INT(c.ninputs, 3);
    T_EQ_STR(c.inputs[0].name, "file");
    T_EQ_STR(c.inputs[1].name, "file2");
    T_EQ_INT(c.inputs[2].max_frame, 1024);
    ingest_config_fini(&c);
}

static void expect_refused(const char *text, const char *want)
{
    struct ingest_config c;
    char err[256] = "";
    int rc = load(text, &c, err, sizeof err);
    ingest_config_fini(&c);
    if (rc == 0 || strncmp(err, want, strlen(want)) != 0)
        t_fail(__FILE__, __LINE__, "want '%s…', got rc %d '%s'", want, rc, err);
}

static void t_config_refusals(void)
{
    expect_refused("data_dir: x\nbogus: 1\n", "t.yaml:2: unknown key 'bogus'");
    expect_refused("inputs:\n  - type: syslog_tcp\n    listen: 127.0.0.1:99999\n",
                   "t.yaml:3: listen");
    expect_refused("inputs:\n  - type: file\n", "t.yaml:2: a file input needs a path");
    expect_refused("inputs:\n  - type: udp\n", "t.yaml:2: type");
    expect_refused("inputs:\n  - type: file\n    path: a\n    listen: 1.2.3.4:5\n",
                   "t.yaml:4: unknown key 'listen'");
    expect_refused("workers: 0\n", "t.yaml:1: workers");
    expect_refused("inputs:\n  - {type: stdin, tz: Nowhere/Null}\n", "t.yaml:2: tz");
    expect_refused("inputs:\n  - {type: stdin, charset: latin9}\n", "t.yaml:2: charset");
    expect_refused("inputs:\n  - {type: file, path: a, start_pattern: '(['}\n",
                   "t.yaml:2: start_pattern");
    expect_refused("inputs:\n  - {type: stdin, name: a}\n  - {type: stdin, name: a}\n",
                   "t.yaml:3: duplicate");
    expect_refused("a: [1, 2\n", "t.yaml:");
    expect_refused("geo: {mmdb: a, cache: 9}\n", "t.yaml:1: unknown key 'cache' in geo");
    expect_refused("geo:\n  enabled: maybe\n", "t.yaml:2: geo.enabled");
    expect_refused("lists:\n  - {name: s, file: f}\n", "t.yaml:2: lists: a list needs");
    expect_refused("lists:\n  - {name: s, file: f, type: ip}\n", "t.yaml:2: lists.type");
    expect_refused("lists:\n  - {name: s, file: f, type: address}\n"
                   "  - {name: s, file: g, type: domain}\n",
                   "t.yaml:3: lists: the name 's' is used twice");
    expect_refused("lists: scanners.txt\n", "t.yaml:1: lists: expected a list");
}

static void t_config_enrich(void)
{
    struct ingest_config c;
    char err[256] = "";
    T_EQ_INT(load("geo: {mmdb: /x/City.mmdb}\n"
                  "lists:\n"
                  "  - {name: scanners, file: /l/s.txt, type: address}\n"
                  "  - {name: ti_domains, file: /l/d.csv, type: domain}\n",
                  &c, err, sizeof err),
             0);
    T_EQ_STR(c.geo_mmdb, "/x/City.mmdb");
    T_CHECK(!c.geo_off);
    T_EQ_INT(c.nlists, 2);
    T_EQ_STR(c.lists[0].name, "scanners");
    T_EQ_STR(c.lists[1].file, "/l/d.csv");
    T_CHECK(c.lists[0].type == LIST_ADDRESS && c.lists[1].type == LIST_DOMAIN);
    ingest_config_fini(&c);
    T_EQ_INT(load("geo: {enabled: false}\n", &c, err, sizeof err), 0);
    T_CHECK(c.geo_off && !c.geo_mmdb && !c.nlists);
    ingest_config_fini(&c);
}

/* ---- the file input on a real store ---------------------------------------------- */

static void append(const char *path, const char *mode, int from, int to, const char *tag)
{
    FILE *f = fopen(path, mode);
    for (int i = from; i < to; i++)
        fprintf(f, "Nov 25 10:00:00 h prog: %s line %d\n", tag, i);
    fclose(f);
}

static uint64_t count(struct store *st, const char *q)
{
    struct query_node *root = NULL;
    char err[128];
    uint64_t n = 0;
    if (store_query_parse(q, &root, err, sizeof err))
        return (uint64_t)-1;
    struct store_query sq = {.root = root};
    if (store_count(st, &sq, &n))
        n = (uint64_t)-1;
    store_query_free(root);
    return n;
}

/* Runs the daemon's pipeline on cfg until `expect` events are stored (or 5 s). */
static int run_pipeline(struct ingest_config *cfg, uint64_t expect)
{
    struct store *st = NULL;
    struct store_opts so = {.dir = cfg->data_dir};
    if (store_open(&so, &st))
        return -1;
    struct ingest *ig = NULL;
    char err[256];
    int rc = ingest_new(cfg, st, &ig, err, sizeof err);
    if (!rc)
        rc = ingest_start(ig);
    for (int i = 0; !rc && i < 100; i++) {
        if (count(st, "") >= expect)
            break;
        usleep(50000);
    }
    ingest_free(ig);
    store_close(st);
    return rc;
}

static struct ingest_config file_config(const char *dir, const char *path, const char *pattern)
{
    struct ingest_config c;
    ingest_config_defaults(&c);
    c.data_dir = mem_strdup(dir);
    c.flush_ms = 10;
    struct ingest_input_cfg *in = ingest_config_add_input(&c, INGEST_FILE);
    in->name = mem_strdup("f");
    in->path = mem_strdup(path);
    in->multiline_timeout_ms = 50;
    if (pattern)
        in->start_pattern = mem_strdup(pattern);
    return c;
}

static uint64_t stored_total(const char *dir)
{
    struct store *st = NULL;
    struct store_opts so = {.dir = dir, .read_only = true};
    if (store_open(&so, &st))
        return (uint64_t)-1;
    uint64_t n = count(st, "");
    store_close(st);
    return n;
}

static void t_file_restart_once(void)
{
    char dir[512], path[600], rot[620];
    snprintf(dir, sizeof dir, "%s/data", t_tmpdir());
    snprintf(path, sizeof path, "%s/app.log", t_tmpdir());
    snprintf(rot, sizeof rot, "%s.1", path);
    append(path, "w", 0, 100, "a");
    struct ingest_config c = file_config(dir, path, NULL);
    T_EQ_INT(run_pipeline(&c, 100), 0);
    T_EQ_INT(stored_total(dir), 100);
    /* stopped: 50 more lines, rotation by rename, 30 lines in the new file */
    append(path, "a", 100, 150, "a");
    T_CHECK(rename(path, rot) == 0);
    append(path, "w", 0, 30, "b");
    T_EQ_INT(run_pipeline(&c, 180), 0);
    T_EQ_INT(stored_total(dir), 180);
    /* a third run with nothing new stores nothing */
    T_EQ_INT(run_pipeline(&c, 181), 0);
    T_EQ_INT(stored_total(dir), 180);
    ingest_config_fini(&c);
}

static void t_file_multiline(void)
{
    char dir[512], path[600];
    snprintf(dir, sizeof dir, "%s/data", t_tmpdir());
    snprintf(path, sizeof path, "%s/java.log", t_tmpdir());
    FILE *f = fopen(path, "w");
    fputs("2024-01-01 ERROR boom\n  at a.b(C.java:1)\n  at d.e(F.java:2)\n"
          "2024-01-01 INFO fine\n2024-01-01 WARN last\n  continued\n",
          f);
    fclose(f);
    struct ingest_config c = file_config(dir, path, "^[0-9]{4}-");
    T_EQ_INT(run_pipeline(&c, 3), 0);
    T_EQ_INT(stored_total(dir), 3);
    struct store *st = NULL;
    struct store_opts so = {.dir = dir, .read_only = true};
    T_EQ_INT(store_open(&so, &st), 0);
    uint64_t n = count(st, "\"C.java:1\"");
    store_close(st);
    T_EQ_INT(n, 1);
    ingest_config_fini(&c);
}

int main(void)
{
    t_run("framer newline framing, any chunking", t_framer_lf);
    t_run("framer octet counting, any chunking", t_framer_octet);
    t_run("framer half octet frame at EOF is lost and counted", t_framer_octet_partial_lost);
    t_run("framer caps frames and skips the rest", t_framer_cap);
    t_run("framer bad octet header falls back to newlines", t_framer_bad_header);
    t_run("framer lf-only mode ignores counts", t_framer_lf_only);
    t_run("config defaults", t_config_defaults);
    t_run("config full", t_config_full);
    t_run("config refusals name FILE:LINE", t_config_refusals);
    t_run("config geo and lists", t_config_enrich);
    t_run("file input: restart and rotation store each line once", t_file_restart_once);
    t_run("file input: multi-line records", t_file_multiline);
    return t_done();
}
