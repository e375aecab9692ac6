/*
 * test_tz.c — unit tests of core's time zones (src/core/tz.c): UTC, fixed offsets,
 * named zones read from the system's TZif files (Asia/Shanghai, America/New_York with
 * its DST gaps and overlaps), and refusal of bad names and broken TZif images.
 * Expected instants were worked out by hand from the published zone rules.
 */
#include "core/core.h"
#include "testlib.h"

#include <stdio.h>
#include <string.h>

static int64_t civ(int64_t y, unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned s)
{
    return vtime_from_civil(y, mo, d, h, mi, s);
}

static void utc_zone(void)
{
    const struct vtz *u = vtz_utc();
    T_EQ_INT(vtz_offset_at_utc(u, 1732500000), 0);
    T_EQ_INT(vtz_local_to_utc(u, 1732500000), 1732500000);
    T_EQ_STR(vtz_name(u), "UTC");
    struct vtz *z;
    T_EQ_INT(vtz_open("UTC", &z), 0);
    T_EQ_INT(vtz_offset_at_utc(z, 0), 0);
    vtz_free(z);
    vtz_free(NULL);
}

static void fixed_offsets(void)
{
    static const struct {
        const char *name;
        int32_t off;
    } ok[] = {{"+08:00", 28800}, {"+0800", 28800}, {"-05", -18000},
              {"+0530", 19800},  {"-03:30", -12600}, {"+5", 18000}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        struct vtz *z;
        T_EQ_INT(vtz_open(ok[i].name, &z), 0);
        T_EQ_INT(vtz_offset_at_utc(z, 1732500000), ok[i].off);
        T_EQ_INT(vtz_local_to_utc(z, 1000000), 1000000 - ok[i].off);
        T_EQ_STR(vtz_name(z), ok[i].name);
        vtz_free(z);
    }
    static const char *const bad[] = {"+", "+123", "+08:0", "+25", "+08:60", "08:00", "+08:00x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct vtz *z = NULL;
        T_CHECK(vtz_open(bad[i], &z) != 0);
        T_CHECK(z == NULL);
    }
}

static void shanghai(void)
{
    struct vtz *z;
    T_EQ_INT(vtz_open("Asia/Shanghai", &z), 0);
    /* China has used +08:00 without DST since 1991. */
    T_EQ_INT(vtz_offset_at_utc(z, civ(2024, 7, 1, 0, 0, 0)), 8 * 3600);
    T_EQ_INT(vtz_local_to_utc(z, civ(2024, 11, 25, 10, 0, 0)), civ(2024, 11, 25, 2, 0, 0));
    /* 1988 had DST (+09:00 in summer). */
    T_EQ_INT(vtz_offset_at_utc(z, civ(1988, 7, 1, 0, 0, 0)), 9 * 3600);
    /* Past the last transition the last type stays. */
    T_EQ_INT(vtz_offset_at_utc(z, civ(2100, 1, 1, 0, 0, 0)), 8 * 3600);
    vtz_free(z);
}

static void new_york(void)
{
    struct vtz *z;
    T_EQ_INT(vtz_open("America/New_York", &z), 0);
    T_EQ_INT(vtz_offset_at_utc(z, civ(2024, 1, 15, 12, 0, 0)), -5 * 3600);
    T_EQ_INT(vtz_offset_at_utc(z, civ(2024, 7, 15, 12, 0, 0)), -4 * 3600);
    /* DST began 2024-03-10 at 07:00Z (02:00 EST). */
    T_EQ_INT(vtz_offset_at_utc(z, civ(2024, 3, 10, 6, 59, 59)), -5 * 3600);
    T_EQ_INT(vtz_offset_at_utc(z, civ(2024, 3, 10, 7, 0, 0)), -4 * 3600);
    /* Ordinary local times either side. */
    T_EQ_INT(vtz_local_to_utc(z, civ(2024, 3, 10, 1, 59, 59)), civ(2024, 3, 10, 6, 59, 59));
    T_EQ_INT(vtz_local_to_utc(z, civ(2024, 3, 10, 3, 0, 0)), civ(2024, 3, 10, 7, 0, 0));
    /* DST ended 2024-11-03 at 06:00Z (02:00 EDT): 01:30 occurs twice; the earlier
     * (EDT, 05:30Z) is chosen. 02:30 is EST only. */
    T_EQ_INT(vtz_local_to_utc(z, civ(2024, 11, 3, 1, 30, 0)), civ(2024, 11, 3, 5, 30, 0));
    T_EQ_INT(vtz_local_to_utc(z, civ(2024, 11, 3, 2, 30, 0)), civ(2024, 11, 3, 7, 30, 0));
    /* 2037 is still covered by the file's transitions (fat files). */
    T_EQ_INT(vtz_offset_at_utc(z, civ(2037, 7, 1, 0, 0, 0)), -4 * 3600);
    /* Before the first transition: local mean time (type 0), -4:56:02. */
    T_EQ_INT(vtz_offset_at_utc(z, civ(1850, 1, 1, 0, 0, 0)), -(4 * 3600 + 56 * 60 + 2));
    T_EQ_STR(vtz_name(z), "America/New_York");
    vtz_free(z);
}

static void bad_names(void)
{
    struct vtz *z = NULL;
    T_CHECK(vtz_open("../../etc/passwd", &z) != 0);
    T_CHECK(vtz_open("/etc/passwd", &z) != 0);
    T_CHECK(vtz_open("No/Such_Zone", &z) == ERR_NOTFOUND);
    T_CHECK(vtz_open("", &z) != 0);
    T_CHECK(vtz_open("Asia", &z) != 0); /* a directory */
    T_CHECK(vtz_open("zone.tab", &z) != 0); /* not TZif */
    T_CHECK(z == NULL);
}

/* Reads a zone file into buf; returns its length. */
static size_t load(const char *path, unsigned char *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

static void broken_tzif(void)
{
    static unsigned char img[8192];
    size_t n = load("/usr/share/zoneinfo/America/New_York", img, sizeof img);
    T_CHECK(n > 1000);
    struct vtz *z = NULL;
    T_EQ_INT(vtz_parse_tzif("ny", img, n, &z), 0);
    vtz_free(z);
    /* Every truncation is refused or parsed, never read past its end (ASan checks). */
    for (size_t cut = 0; cut < n; cut += 7) {
        z = NULL;
        int rc = vtz_parse_tzif("cut", img, cut, &z);
        T_CHECK(rc != 0 || z != NULL);
        vtz_free(z);
    }
    /* A v1-only image of the first block: still a zone. */
    z = NULL;
    unsigned char v1[8192];
    memcpy(v1, img, n);
    v1[4] = 0;
    T_EQ_INT(vtz_parse_tzif("v1", v1, n, &z), 0);
    T_EQ_INT(vtz_offset_at_utc(z, civ(2024, 7, 15, 12, 0, 0)), -4 * 3600);
    vtz_free(z);
    /* A huge transition count is refused before anything is read. */
    memcpy(v1, img, n);
    v1[32] = 0x7f;
    z = NULL;
    T_CHECK(vtz_parse_tzif("big", v1, n, &z) != 0);
    T_CHECK(z == NULL);
    /* An image shorter than a header is refused. */
    T_CHECK(vtz_parse_tzif("x", (const unsigned char *)"TZif2", 5, &z) != 0);
}

int main(void)
{
    t_run("tz_utc", utc_zone);
    t_run("tz_fixed_offsets", fixed_offsets);
    t_run("tz_shanghai", shanghai);
    t_run("tz_new_york_dst", new_york);
    t_run("tz_bad_names", bad_names);
    t_run("tz_broken_tzif", broken_tzif);
    return t_done();
}
