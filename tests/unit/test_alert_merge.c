/*
 * test_alert_merge.c — merging repeats into one alert (src/alert/alert_merge.c): the
 * same rule on the same entities within the window is one alert whatever the number of
 * hits; other entities, another rule or a hit past the window open another; the rows
 * handed out say insert or update; a write that fails leaves them changed; an alert
 * closed meanwhile reopens as a new one holding the hits it had not written; past
 * max_open the written alert hit longest ago is forgotten, never an unwritten one. And
 * risk accumulated per entity (alert_entity.c): decay, crossing, re-arming, the cap.
 */
#include "alert/alert.h"
#include "core/core.h"
#include "testlib.h"

#include <stdio.h>
#include <string.h>

#define S(n) ((int64_t)(n)*1000000000LL)

static const char *const tags[] = {"attack.t1110"};

static struct alert_hit hit(const char *rule, const char *src, const char *user, int64_t t,
                            const uint64_t *id)
{
    struct alert_hit h = {
        .rule_id = rule,
        .rule_title = "a \"title\"",
        .rule_level = "high",
        .tags = tags,
        .ntags = 1,
        .first_ns = t,
        .last_ns = t,
        .received_ns = t + 1,
        .src_ip = src ? slice_cstr(src) : SLICE_NULL,
        .user = user ? slice_cstr(user) : SLICE_NULL,
        .event_ids = id,
        .nevents = 1,
    };
    return h;
}

/* Takes the changed rows as written (no closed alerts); returns how many there were. */
static size_t write_all(struct alert_merge *m, struct alert_row *copy, size_t max)
{
    const struct alert_row *rows;
    size_t n;
    alert_merge_changed(m, &rows, &n);
    for (size_t i = 0; i < n && i < max; i++)
        copy[i] = rows[i];
    alert_merge_written(m, true, NULL, 0);
    return n;
}

static void hundred_thousand_hits_one_alert(void)
{
    struct alert_merge *m = alert_merge_new(NULL);
    T_CHECK(m);
    struct alert_row r[4];
    for (uint64_t i = 0; i < 100000; i++) {
        uint64_t id = 1000 + i;
        struct alert_hit h =
            hit("rule-a", "192.0.2.99", "flood", S(100) + (int64_t)i * 10000000, &id);
        T_CHECK(alert_merge_add(m, &h) == 0);
        if (i == 0) {
            T_EQ_INT(write_all(m, r, 4), 1);
            T_CHECK(r[0].is_new);
        } else if (i % 1000 == 0) { /* written batch by batch: one update each time */
            T_EQ_INT(write_all(m, r, 4), 1);
            T_CHECK(!r[0].is_new);
        }
    }
    T_EQ_INT(write_all(m, r, 4), 1);
    T_EQ_INT(r[0].count, 100000);
    T_CHECK(!r[0].is_new);
    T_EQ_INT(r[0].first_seen_ns, S(100));
    T_EQ_INT(r[0].last_seen_ns, S(100) + 99999LL * 10000000);
    T_EQ_INT(r[0].nevents, ALERT_SAMPLE_IDS);
    T_EQ_INT(r[0].event_ids[ALERT_SAMPLE_IDS - 1], 1000 + 99999); /* the newest, last */
    T_EQ_INT(r[0].event_ids[0], 1000 + 99999 - (ALERT_SAMPLE_IDS - 1));
    T_EQ_STR(r[0].tags_json, "[\"attack.t1110\"]");
    T_EQ_STR(r[0].rule_title, "a \"title\"");
    T_EQ_SLICE(r[0].src_ip, "192.0.2.99");
    T_CHECK(r[0].dst_ip.p == NULL);
    struct alert_merge_stats st;
    alert_merge_stats(m, &st);
    T_EQ_INT(st.hits, 100000);
    T_EQ_INT(st.opened, 1);
    T_EQ_INT(st.merged, 99999);
    alert_merge_free(m);
}

static void entities_rule_and_window_separate(void)
{
    struct alert_merge *m = alert_merge_new(&(struct alert_merge_opts){.window_ns = S(3600)});
    T_CHECK(m);
    uint64_t id[8] = {1, 2, 3, 4, 5, 6, 7, 8}; /* each hit its own event */
    struct alert_hit hs[] = {
        hit("rule-a", "10.0.0.1", "root", S(0), &id[0]),
        hit("rule-a", "10.0.0.1", "root", S(10), &id[1]),   /* merged */
        hit("rule-a", "10.0.0.2", "root", S(20), &id[2]),   /* another source */
        hit("rule-a", "10.0.0.1", NULL, S(30), &id[3]),     /* no user is not user "" */
        hit("rule-a", "10.0.0.1", "", S(31), &id[4]),       /* an empty user */
        hit("rule-b", "10.0.0.1", "root", S(40), &id[5]),   /* another rule */
        hit("rule-a", "10.0.0.1", "root", S(3610), &id[6]), /* 1 h after the last: merged */
        hit("rule-a", "10.0.0.1", "root", S(7211), &id[7]), /* 1 h 1 s after: a new alert */
    };
    for (size_t i = 0; i < sizeof hs / sizeof hs[0]; i++)
        T_CHECK(alert_merge_add(m, &hs[i]) == 0);
    struct alert_row r[16];
    size_t n = write_all(m, r, 16);
    T_EQ_INT(n, 6);
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        total += r[i].count;
        T_CHECK(r[i].is_new);
    }
    T_EQ_INT(total, 8);
    struct alert_merge_stats st;
    alert_merge_stats(m, &st);
    T_EQ_INT(st.opened, 6);
    T_EQ_INT(st.merged, 2);
    /* ids differ: each alert's first event x its rule (r's strings are gone by now: the
     * rows are valid until alert_merge_written only) */
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            T_CHECK(r[i].id != r[j].id);
    alert_merge_free(m);
}

static void failed_write_stays_changed(void)
{
    struct alert_merge *m = alert_merge_new(NULL);
    T_CHECK(m);
    uint64_t id = 5;
    struct alert_hit h = hit("r", "10.0.0.1", "u", S(1), &id);
    T_CHECK(alert_merge_add(m, &h) == 0);
    const struct alert_row *rows;
    size_t n;
    alert_merge_changed(m, &rows, &n);
    T_EQ_INT(n, 1);
    alert_merge_written(m, false, NULL, 0); /* the store refused */
    alert_merge_changed(m, &rows, &n);
    T_EQ_INT(n, 1);
    T_CHECK(rows[0].is_new); /* still to be inserted */
    alert_merge_written(m, true, NULL, 0);
    alert_merge_changed(m, &rows, &n);
    T_EQ_INT(n, 0);
    alert_merge_free(m);
}

static void closed_alert_reopens(void)
{
    struct alert_merge *m = alert_merge_new(NULL);
    T_CHECK(m);
    uint64_t ids[5] = {11, 12, 13, 14, 15};
    struct alert_hit h = hit("r", "10.0.0.1", "u", S(1), &ids[0]);
    T_CHECK(alert_merge_add(m, &h) == 0);
    struct alert_row r[4];
    T_EQ_INT(write_all(m, r, 4), 1);
    uint64_t first_id = r[0].id;
    for (int i = 1; i < 4; i++) { /* three more hits; meanwhile an analyst closed it */
        h = hit("r", "10.0.0.1", "u", S(1 + i), &ids[i]);
        T_CHECK(alert_merge_add(m, &h) == 0);
    }
    const struct alert_row *rows;
    size_t n;
    alert_merge_changed(m, &rows, &n);
    T_EQ_INT(n, 1);
    T_EQ_INT(rows[0].count, 4);
    size_t closed = 0;
    alert_merge_written(m, true, &closed, 1);
    alert_merge_changed(m, &rows, &n);
    T_EQ_INT(n, 1);
    T_CHECK(rows[0].is_new);
    T_CHECK(rows[0].id != first_id);
    T_EQ_INT(rows[0].count, 3); /* the hits the closed alert had not written */
    T_EQ_INT(rows[0].first_seen_ns, S(2));
    T_EQ_INT(rows[0].last_seen_ns, S(4));
    alert_merge_written(m, true, NULL, 0);
    h = hit("r", "10.0.0.1", "u", S(9), &ids[4]); /* merges into the new one */
    T_CHECK(alert_merge_add(m, &h) == 0);
    alert_merge_changed(m, &rows, &n);
    T_EQ_INT(n, 1);
    T_CHECK(!rows[0].is_new);
    T_EQ_INT(rows[0].count, 4);
    struct alert_merge_stats st;
    alert_merge_stats(m, &st);
    T_EQ_INT(st.reopened, 3);
    alert_merge_free(m);
}

static void max_open_forgets_written_oldest(void)
{
    struct alert_merge *m = alert_merge_new(&(struct alert_merge_opts){.max_open = 100});
    T_CHECK(m);
    char ip[32];
    uint64_t id = 1;
    for (int i = 0; i < 150; i++) { /* 150 unwritten: none may be forgotten */
        snprintf(ip, sizeof ip, "10.0.0.%d", i);
        struct alert_hit h = hit("r", ip, "u", S(i), &id);
        T_CHECK(alert_merge_add(m, &h) == 0);
    }
    struct alert_merge_stats st;
    alert_merge_stats(m, &st);
    T_EQ_INT(st.forgotten, 0);
    T_EQ_INT(st.open, 150);
    struct alert_row r[1];
    T_EQ_INT(write_all(m, r, 1), 150); /* written: now the 50 oldest go */
    alert_merge_stats(m, &st);
    T_EQ_INT(st.open, 100);
    T_EQ_INT(st.forgotten, 50);
    /* 10.0.0.0 was forgotten: its next hit opens a new alert; 10.0.0.149 merges */
    struct alert_hit a = hit("r", "10.0.0.0", "u", S(200), &id);
    struct alert_hit b = hit("r", "10.0.0.149", "u", S(200), &id);
    T_CHECK(alert_merge_add(m, &a) == 0);
    T_CHECK(alert_merge_add(m, &b) == 0);
    alert_merge_stats(m, &st);
    T_EQ_INT(st.opened, 151);
    T_EQ_INT(st.merged, 1);
    alert_merge_free(m);
}

static void entity_risk_accumulates(void)
{
    struct alert_entities_opts o = {.halflife_ns = S(3600), .threshold = 20, .max = 3};
    struct alert_entities *e = alert_entities_new(&o);
    T_CHECK(e);
    double score;
    struct slice ip = slice_cstr("203.0.113.9");
    /* 4 hits of risk 4.48 within a minute: below 20 */
    for (int i = 0; i < 4; i++)
        T_CHECK(!alert_entities_add(e, ALERT_ENTITY_SRC_IP, ip, S(i * 15), 4.48, &score));
    T_CHECK(score > 17.8 && score < 17.92); /* 4 x 4.48, a little decayed */
    /* the fifth crosses: once */
    T_CHECK(alert_entities_add(e, ALERT_ENTITY_SRC_IP, ip, S(60), 4.48, &score));
    T_CHECK(!alert_entities_add(e, ALERT_ENTITY_SRC_IP, ip, S(61), 4.48, &score));
    /* the same value as a user is another entity */
    T_CHECK(!alert_entities_add(e, ALERT_ENTITY_USER, ip, S(61), 4.48, &score));
    T_CHECK(score > 4.47 && score < 4.49);
    /* three half-lives later (score ~3.4 < 10): re-armed, and 17 more cross again */
    T_CHECK(!alert_entities_add(e, ALERT_ENTITY_SRC_IP, ip, S(61 + 3 * 3600), 0.01, &score));
    T_CHECK(score < 10);
    T_CHECK(alert_entities_add(e, ALERT_ENTITY_SRC_IP, ip, S(61 + 3 * 3600), 17, &score));
    /* at the cap (3) the entity updated longest ago (the user) goes first */
    T_CHECK(!alert_entities_add(e, ALERT_ENTITY_HOST, slice_cstr("h1"), S(20000), 1, &score));
    T_CHECK(!alert_entities_add(e, ALERT_ENTITY_HOST, slice_cstr("h2"), S(20001), 1, &score));
    size_t held;
    uint64_t forgotten, crossed;
    alert_entities_counts(e, &held, &forgotten, &crossed);
    T_EQ_INT(held, 3);
    T_EQ_INT(forgotten, 1);
    T_EQ_INT(crossed, 2);
    T_CHECK(!alert_entities_add(e, ALERT_ENTITY_USER, ip, S(20002), 1, &score));
    T_CHECK(score > 0.99 && score < 1.01); /* forgotten: starts over */
    /* no value, or no risk: nothing */
    T_CHECK(!alert_entities_add(e, ALERT_ENTITY_USER, SLICE_NULL, S(1), 50, &score));
    T_CHECK(!alert_entities_add(e, ALERT_ENTITY_USER, slice_cstr("u"), S(1), 0, &score));
    alert_entities_free(e);
}

int main(void)
{
    t_run("alert merge: 100,000 hits on one entity are one alert of count 100,000",
          hundred_thousand_hits_one_alert);
    t_run("alert merge: other entities, rule or a hit past the window open another",
          entities_rule_and_window_separate);
    t_run("alert merge: a failed write leaves the rows changed", failed_write_stays_changed);
    t_run("alert merge: an alert closed meanwhile reopens as a new one", closed_alert_reopens);
    t_run("alert merge: past max_open the written alert hit longest ago is forgotten",
          max_open_forgets_written_oldest);
    t_run("entity risk: decays, crosses once, re-arms below half, capped oldest first",
          entity_risk_accumulates);
    return t_done();
}
