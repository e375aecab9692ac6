/*
 * test_core.c — unit tests of the core module: slices, UTF-8, buffers and JSON
 * escaping, arenas, hashing, civil time and RFC 3339, the YAML config tree, memory
 * accounting and injected allocation failure, the audit sink.
 */
#include "core/core.h"
#include "testlib.h"

#include <stdio.h>
#include <string.h>

static void slices(void)
{
    struct slice s = SLICE_LIT("  hello world\t");
    T_EQ_SLICE(slice_trim(s), "hello world");
    T_CHECK(slice_eq(slice_trim(s), "hello world"));
    T_CHECK(slice_eq_nocase(SLICE_LIT("SSHD"), "sshd"));
    T_CHECK(!slice_eq_nocase(SLICE_LIT("sshd2"), "sshd"));
    T_EQ_INT(slice_find(s, SLICE_LIT("world")), 8);
    T_EQ_INT(slice_find(s, SLICE_LIT("absent")), -1);
    T_EQ_INT(slice_find_byte(s, 'o'), 6);
    uint64_t u;
    T_EQ_INT(slice_to_u64(SLICE_LIT("18446744073709551615"), &u), 0);
    T_CHECK(u == UINT64_MAX);
    T_EQ_INT(slice_to_u64(SLICE_LIT("18446744073709551616"), &u), ERR_PARSE);
    T_EQ_INT(slice_to_u64(SLICE_LIT("12a"), &u), ERR_PARSE);
    T_EQ_INT(slice_to_u64(SLICE_LIT(""), &u), ERR_PARSE);
    int64_t i;
    T_EQ_INT(slice_to_i64(SLICE_LIT("-9223372036854775808"), &i), 0);
    T_CHECK(i == INT64_MIN);
    T_EQ_INT(slice_to_i64(SLICE_LIT("9223372036854775808"), &i), ERR_PARSE);
}

static void utf8(void)
{
    T_CHECK(utf8_valid("plain ascii text, longer than eight", 35));
    T_CHECK(utf8_valid("\xe4\xb8\xad\xe6\x96\x87", 6)); /* 中文 */
    T_CHECK(utf8_valid("\xf0\x9f\x98\x80", 4));         /* emoji */
    T_CHECK(!utf8_valid("\xc0\xaf", 2));                /* overlong '/' */
    T_CHECK(!utf8_valid("\xed\xa0\x80", 3));            /* surrogate */
    T_CHECK(!utf8_valid("\xf4\x90\x80\x80", 4));        /* > U+10FFFF */
    T_CHECK(!utf8_valid("\xd6\xd0\xce\xc4", 4));        /* GBK 中文 */
    T_CHECK(!utf8_valid("abc\xe4\xb8", 5));             /* cut sequence */
}

static void buffers_and_json(void)
{
    struct buf b;
    buf_init(&b, 0);
    buf_json_str(&b, "a\"b\\c\n\x01\xff\xe4\xb8\xad", 11);
    T_EQ_STR(buf_cstr(&b), "a\\\"b\\\\c\\n\\u0001\\u00ff\xe4\xb8\xad");
    buf_reset(&b);
    buf_printf(&b, "%s-%d", "x", 42);
    T_EQ_STR(buf_cstr(&b), "x-42");
    buf_fini(&b);

    struct buf small;
    buf_init(&small, 8);
    T_EQ_INT(buf_puts(&small, "12345678"), 0);
    T_EQ_INT(buf_puts(&small, "9"), ERR_TOOBIG);
    T_EQ_INT(small.len, 8);
    T_EQ_INT(small.err, ERR_TOOBIG);
    buf_fini(&small);
}

static void arenas(void)
{
    struct arena a;
    arena_init(&a, 128, 1024);
    char *p = arena_dup(&a, "abc", 3);
    T_EQ_STR(p, "abc");
    T_CHECK(((uintptr_t)arena_alloc(&a, 1) % _Alignof(max_align_t)) == 0);
    T_CHECK(arena_alloc(&a, 900) != NULL); /* a chunk bigger than chunk_size */
    T_CHECK(arena_alloc(&a, 200) == NULL); /* over the cap */
    arena_reset(&a);
    T_CHECK(arena_alloc(&a, 1000) != NULL);
    arena_fini(&a);
}

static void hashing(void)
{
    T_CHECK(hash64("abc", 3, 1) == hash64("abc", 3, 1));
    T_CHECK(hash64("abc", 3, 1) != hash64("abc", 3, 2));
    T_CHECK(hash64("abcdefghi", 9, 0) != hash64("abcdefghj", 9, 0));
    T_CHECK(hash64("", 0, 0) != hash64("\0", 1, 0));
    T_CHECK(hash_mix(1, 2) != hash_mix(2, 1));
}

static void civil_time(void)
{
    T_EQ_INT(vtime_days_from_civil(1970, 1, 1), 0);
    T_EQ_INT(vtime_from_civil(2024, 2, 29, 12, 0, 0), 1709208000);
    T_EQ_INT(vtime_from_civil(1969, 12, 31, 23, 59, 59), -1);
    /* Round trip across a wide range, leap years included. */
    for (int64_t t = -5000000000LL; t < 5000000000LL; t += 86400 * 37 + 3601) {
        int64_t y;
        unsigned mo, d, h, mi, s;
        vtime_to_civil(t, &y, &mo, &d, &h, &mi, &s);
        T_EQ_INT(vtime_from_civil(y, mo, d, h, mi, s), t);
    }
    char ts[48];
    T_EQ_INT(vtime_format(1709208000LL * NS_PER_SEC + 5, ts, sizeof ts), 0);
    T_EQ_STR(ts, "2024-02-29T12:00:00.000000005Z");
    T_EQ_INT(vtime_month3("Sep"), 9);
    T_EQ_INT(vtime_month3("dec"), 12);
    T_EQ_INT(vtime_month3("Foo"), 0);
}

static void time_parsing(void)
{
    int64_t ns, now = 1709208000LL * NS_PER_SEC;
    T_EQ_INT(vtime_parse(SLICE_LIT("2024-02-29T12:00:00Z"), now, &ns), 0);
    T_CHECK(ns == now);
    T_EQ_INT(vtime_parse(SLICE_LIT("2024-02-29T20:00:00+08:00"), now, &ns), 0);
    T_CHECK(ns == now);
    T_EQ_INT(vtime_parse(SLICE_LIT("2024-02-29T12:00:00.25"), now, &ns), 0);
    T_CHECK(ns == now + NS_PER_SEC / 4);
    T_EQ_INT(vtime_parse(SLICE_LIT("2024-02-29"), now, &ns), 0);
    T_CHECK(ns == now - 12 * 3600 * NS_PER_SEC);
    T_EQ_INT(vtime_parse(SLICE_LIT("-2h"), now, &ns), 0);
    T_CHECK(ns == now - 2 * 3600 * NS_PER_SEC);
    T_EQ_INT(vtime_parse(SLICE_LIT("now"), now, &ns), 0);
    T_CHECK(ns == now);
    T_EQ_INT(vtime_parse(SLICE_LIT("2024-13-01"), now, &ns), ERR_PARSE);
    T_EQ_INT(vtime_parse(SLICE_LIT("2024-02-29T12:00:00Zjunk"), now, &ns), ERR_PARSE);
    T_EQ_INT(vtime_parse(SLICE_LIT("-99999999999999d"), now, &ns), ERR_PARSE);
    T_EQ_INT(vtime_parse(SLICE_LIT(""), now, &ns), ERR_PARSE);
    T_EQ_INT(vtime_parse(SLICE_LIT("9999-12-31T23:59:59Z"), now, &ns), ERR_PARSE);
}

static void config_tree(void)
{
    const char *yaml = "data_dir: ./var\n"
                       "inputs:\n"
                       "  - type: syslog_udp\n"
                       "    listen: 127.0.0.1:5514\n"
                       "  - type: file\n";
    struct cfg_node *root;
    char err[200];
    T_EQ_INT(cfg_parse(yaml, strlen(yaml), 0, &root, err, sizeof err), 0);
    T_EQ_STR(cfg_get(root, "data_dir")->text, "./var");
    const struct cfg_node *inputs = cfg_get(root, "inputs");
    T_CHECK(inputs && inputs->kind == CFG_SEQ);
    const struct cfg_node *first = inputs->children;
    T_EQ_INT(first->line, 3);
    T_EQ_INT(cfg_get(first, "listen")->key_line, 4);
    T_EQ_STR(cfg_get(first->next, "type")->text, "file");
    T_CHECK(cfg_get(root, "absent") == NULL);
    cfg_free(root);

    const char *dup = "a: 1\nb: 2\na: 3\n";
    T_EQ_INT(cfg_parse(dup, strlen(dup), 0, &root, err, sizeof err), ERR_PARSE);
    T_CHECK(strstr(err, "line 3") && strstr(err, "duplicate"));
    const char *alias = "a: &x 1\nb: *x\n";
    T_EQ_INT(cfg_parse(alias, strlen(alias), 0, &root, err, sizeof err), ERR_PARSE);
    const char *broken = "a: [1, 2\nb: 3\n";
    T_EQ_INT(cfg_parse(broken, strlen(broken), 0, &root, err, sizeof err), ERR_PARSE);
    T_CHECK(strncmp(err, "line ", 5) == 0);
    const char *many = "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]";
    T_EQ_INT(cfg_parse(many, strlen(many), 5, &root, err, sizeof err), ERR_PARSE);
    T_CHECK(strstr(err, "too many nodes"));
    T_EQ_INT(cfg_parse("", 0, 0, &root, err, sizeof err), 0);
    T_CHECK(root->kind == CFG_MAP && root->children == NULL);
    cfg_free(root);
}

static void memory_accounting(void)
{
    size_t before = mem_in_use();
    char *p = mem_alloc(1000);
    T_CHECK(p);
    T_EQ_INT(mem_in_use() - before, 1000);
    p = mem_realloc(p, 3000);
    T_EQ_INT(mem_in_use() - before, 3000);
    mem_free(p);
    T_EQ_INT(mem_in_use(), before);
    mem_fail_after(1);
    void *ok = mem_alloc(10);
    void *fails = mem_alloc(10);
    mem_fail_after(-1);
    T_CHECK(ok && !fails);
    mem_free(ok);
    T_CHECK(mem_calloc(SIZE_MAX / 2, 4) == NULL); /* overflow refused */
    /* mem_grow: room for element n, doubling from `first`; a failure leaves the array */
    uint32_t *arr = NULL;
    size_t cap = 0;
    T_EQ_INT(mem_grow((void **)&arr, &cap, 0, sizeof *arr, 8), 0);
    T_EQ_INT(cap, 8);
    for (uint32_t i = 0; i < 100; i++) {
        T_EQ_INT(mem_grow((void **)&arr, &cap, i, sizeof *arr, 8), 0);
        arr[i] = i;
    }
    T_EQ_INT(cap, 128);
    mem_fail_after(0);
    T_EQ_INT(mem_grow((void **)&arr, &cap, 128, sizeof *arr, 8), ERR_NOMEM);
    mem_fail_after(-1);
    T_CHECK(cap == 128 && arr[99] == 99);
    T_EQ_INT(mem_grow((void **)&arr, &cap, SIZE_MAX - 1, sizeof *arr, 8), ERR_NOMEM);
    mem_free(arr);
}

static int audit_seen;
static char audit_action[64];

static int test_sink(void *ctx, const struct audit_entry *e)
{
    (void)ctx;
    audit_seen++;
    snprintf(audit_action, sizeof audit_action, "%s/%s", e->action, e->actor);
    return e->time_ns > 0 ? 0 : -1;
}

static void audit_sink(void)
{
    audit_set_sink(test_sink, NULL);
    struct audit_entry e = {.action = "search", .object = "x"};
    T_EQ_INT(audit_record(&e), 0);
    audit_set_sink(NULL, NULL);
    T_EQ_INT(audit_seen, 1);
    T_EQ_STR(audit_action, "search/system");
}

int main(void)
{
    t_run("slices", slices);
    t_run("utf8", utf8);
    t_run("buffers_and_json", buffers_and_json);
    t_run("arenas", arenas);
    t_run("hashing", hashing);
    t_run("civil_time", civil_time);
    t_run("time_parsing", time_parsing);
    t_run("config_tree", config_tree);
    t_run("memory_accounting", memory_accounting);
    t_run("audit_sink", audit_sink);
    return t_done();
}
