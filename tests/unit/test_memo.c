/*
 * test_memo.c — the memo of value scans (detect_memo) on its own, where the matcher's
 * tests cannot steer it: a record the ring's head has written over is gone even when
 * the bytes of its value came back at the same place, a newer value takes an older
 * one's slot, the scan number is part of the key, and what does not fit is not kept.
 */
#include "core/core.h"
#include "detect/detect_memo.h"
#include "testlib.h"

static struct target tg[4];

/* Remembers value v of scan `scan` under hash h with the targets t[0..n). */
static void remember(struct scan_memo *mo, uint64_t h, uint32_t scan, struct slice v,
                     const struct target *const *t, int n)
{
    if (!scan_memo_start(mo, h, scan, v))
        return;
    for (int i = 0; i < n; i++)
        scan_memo_add(mo, t[i]);
    scan_memo_end(mo, true);
}

static void t_find_and_keys(void)
{
    struct scan_memo *mo = scan_memo_new(4, 15);
    T_CHECK(mo);
    const struct target *two[] = {&tg[0], &tg[1], &tg[1]}; /* the repeat is kept once */
    struct slice v = slice_cstr("C:\\Windows\\System32\\svchost.exe");
    uint64_t h = scan_memo_hash(7, v);
    T_CHECK(h != scan_memo_hash(8, v)); /* the scan is part of the key */
    remember(mo, h, 7, v, two, 3);
    const struct target *const *got;
    T_EQ_INT(scan_memo_find(mo, h, 7, v, &got), 2);
    T_CHECK(got[0] == &tg[0] && got[1] == &tg[1]);
    T_EQ_INT(scan_memo_find(mo, scan_memo_hash(8, v), 8, v, &got), -1);
    /* a value with no target is remembered too: its scan found nothing */
    struct slice none = slice_cstr("nothing here");
    remember(mo, scan_memo_hash(7, none), 7, none, NULL, 0);
    T_EQ_INT(scan_memo_find(mo, scan_memo_hash(7, none), 7, none, &got), 0);
    /* a scan that failed is forgotten */
    struct slice bad = slice_cstr("failed");
    T_CHECK(scan_memo_start(mo, scan_memo_hash(7, bad), 7, bad));
    scan_memo_add(mo, &tg[2]);
    scan_memo_end(mo, false);
    T_EQ_INT(scan_memo_find(mo, scan_memo_hash(7, bad), 7, bad, &got), -1);
    /* same slot (the hash's low bits), another value: the newer one stays */
    struct slice other = slice_cstr("C:\\Windows\\explorer.exe");
    uint64_t h2 = (scan_memo_hash(7, other) & ~(uint64_t)15) | (h & 15);
    remember(mo, h2, 7, other, two + 1, 1);
    T_EQ_INT(scan_memo_find(mo, h, 7, v, &got), -1);
    T_EQ_INT(scan_memo_find(mo, h2, 7, other, &got), 1);
    uint64_t lookups, found;
    scan_memo_counts(mo, &lookups, &found);
    T_EQ_INT(lookups, 6);
    T_EQ_INT(found, 3);
    scan_memo_free(mo);
}

static void t_limits(void)
{
    struct scan_memo *mo = scan_memo_new(4, 15);
    T_CHECK(mo);
    static char big[MEMO_VALUE_MAX + 1];
    memset(big, 'x', sizeof big);
    struct slice v = slice_make(big, sizeof big);
    T_CHECK(!scan_memo_start(mo, 1, 0, v)); /* too long to keep */
    const struct target *const *got;
    T_EQ_INT(scan_memo_find(mo, 1, 0, v, &got), -1);
    /* more targets than a record holds: forgotten, never cut short */
    v.len = 10;
    T_CHECK(scan_memo_start(mo, 2, 0, v));
    for (int i = 0; i <= MEMO_TARGETS; i++)
        scan_memo_add(mo, &tg[i % 2]); /* alternating: no two in a row are the same */
    scan_memo_end(mo, true);
    T_EQ_INT(scan_memo_find(mo, 2, 0, v, &got), -1);
    scan_memo_free(mo);
}

static void t_overwritten(void)
{
    /* 16 slots over 32 KB: records of 1,000 bytes wrap the ring every 32 or so */
    struct scan_memo *mo = scan_memo_new(4, 15);
    T_CHECK(mo);
    static char x[1000], y[1000];
    memset(x, 'x', sizeof x);
    struct slice vx = slice_make(x, sizeof x);
    const struct target *first[] = {&tg[0]}, *second[] = {&tg[3]};
    remember(mo, 0, 0, vx, first, 1); /* slot 0, at the ring's start */
    const struct target *const *got;
    T_EQ_INT(scan_memo_find(mo, 0, 0, vx, &got), 1);
    /* other values in other slots until the ring is full: a record starts where its
     * largest size (the value and MEMO_TARGETS targets, 9,192 bytes here) fits before
     * the ring's end, so after x (1,008 bytes) and 23 of these (24,008), the next wraps
     * to the start. That next one is x again (slot 1), with another target where x's
     * was. */
    for (int i = 0; i < 23; i++) {
        memset(y, 'a' + i % 26, sizeof y);
        y[0] = (char)i;
        remember(mo, 2 + (uint64_t)i % 14, 0, slice_make(y, sizeof y), NULL, 0);
    }
    remember(mo, 1, 0, vx, second, 1);
    /* slot 0 still names the old place: its value's bytes are there, but the record
     * was written over, and must not be taken */
    T_EQ_INT(scan_memo_find(mo, 0, 0, vx, &got), -1);
    T_EQ_INT(scan_memo_find(mo, 1, 0, vx, &got), 1);
    T_CHECK(got[0] == &tg[3]);
    scan_memo_free(mo);
}

int main(void)
{
    t_run("memo: found by value and scan, a failed scan forgotten, a newer value's slot",
          t_find_and_keys);
    t_run("memo: values too long and records too big are not kept", t_limits);
    t_run("memo: a record written over is gone, even with its value's bytes back", t_overwritten);
    return t_done();
}
