/*
 * test_geo.c — geolocation (src/enrich/geo.c): Debian's geoip-database (GeoIP.dat,
 * GeoIPv6.dat, installed by scripts/setup.sh) gives public addresses their country and
 * private ones nothing; a MaxMind DB written by this test (a 24-node search tree for
 * 8.8.8.0/24 and one data record, by the format's specification) gives country, city,
 * AS number and organisation; a missing MaxMind DB is refused with its path.
 */
#include "core/core.h"
#include "enrich/geo.h"
#include "event/event.h"
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void legacy_default(void)
{
    struct geo *g = NULL;
    char err[256] = "";
    T_EQ_INT(geo_open(NULL, NULL, NULL, &g, err, sizeof err), 0);
    T_CHECK(g != NULL); /* geoip-database is a test dependency (scripts/setup.sh) */
    if (!g)
        return;
    struct geo_result r;
    /* what Debian's database says (`geoiplookup 8.8.8.8`: US, `geoiplookup 1.1.1.1`: AU) */
    T_CHECK(geo_lookup(g, slice_cstr("8.8.8.8"), &r));
    T_EQ_SLICE(r.country, "US");
    T_CHECK(geo_lookup(g, slice_cstr("1.1.1.1"), &r));
    T_EQ_SLICE(r.country, "AU");
    T_CHECK(geo_lookup(g, slice_cstr("8.8.8.8"), &r)); /* again: from the cache */
    T_EQ_SLICE(r.country, "US");
    T_CHECK(geo_lookup(g, slice_cstr("2001:4860:4860::8888"), &r));
    T_EQ_SLICE(r.country, "US");
    T_CHECK(geo_lookup(g, slice_cstr("::ffff:1.1.1.1"), &r));
    T_EQ_SLICE(r.country, "AU");
    T_CHECK(!geo_lookup(g, slice_cstr("10.0.0.1"), &r));
    T_EQ_INT(r.country.len, 0);
    T_CHECK(!geo_lookup(g, slice_cstr("192.168.1.1"), &r));
    T_CHECK(!geo_lookup(g, slice_cstr("fe80::1"), &r));
    T_CHECK(!geo_lookup(g, slice_cstr("not an address"), &r));

    static struct event ev;
    struct arena ar;
    arena_init(&ar, 4096, 1 << 20);
    event_reset(&ev);
    event_add(&ev, FIELD_src_ip, slice_cstr("1.1.1.1"));
    event_add(&ev, FIELD_dst_ip, slice_cstr("192.168.0.10"));
    geo_enrich(g, &ev, &ar);
    struct slice v;
    T_CHECK(event_get(&ev, FIELD_src_geo_country, &v));
    T_EQ_SLICE(v, "AU");
    T_CHECK(!event_get(&ev, FIELD_dst_geo_country, &v));
    T_CHECK(!event_get(&ev, FIELD_src_geo_city, &v)); /* the legacy files have countries only */
    arena_fini(&ar);
    geo_free(g);

    /* no legacy file: no database, no error */
    T_EQ_INT(
        geo_open(NULL, "/nonexistent/GeoIP.dat", "/nonexistent/GeoIPv6.dat", &g, err, sizeof err),
        0);
    T_CHECK(g == NULL);
}

/* ---- a MaxMind DB by hand ------------------------------------------------------------- */

struct w {
    uint8_t b[1024];
    size_t n;
};

static void put(struct w *w, const void *p, size_t n)
{
    memcpy(w->b + w->n, p, n);
    w->n += n;
}

static void byte(struct w *w, unsigned v)
{
    w->b[w->n++] = (uint8_t)v;
}

static void str(struct w *w, const char *s)
{
    size_t n = strlen(s);
    if (n < 29) {
        byte(w, 0x40 | (unsigned)n);
    } else {
        byte(w, 0x40 | 29);
        byte(w, (unsigned)(n - 29));
    }
    put(w, s, n);
}

static void map(struct w *w, unsigned n)
{
    byte(w, 0xe0 | n);
}

static void u16(struct w *w, unsigned v)
{
    byte(w, 0xa0 | 2);
    byte(w, v >> 8);
    byte(w, v & 0xff);
}

static void u32(struct w *w, unsigned v)
{
    byte(w, 0xc0 | 4);
    for (int i = 3; i >= 0; i--)
        byte(w, (v >> (8 * i)) & 0xff);
}

static bool write_mmdb(const char *path)
{
    static struct w w;
    memset(&w, 0, sizeof w);
    const unsigned nodes = 24, empty = nodes, data = nodes + 16; /* data at offset 0 */
    const uint8_t net[3] = {8, 8, 8};
    for (unsigned i = 0; i < nodes; i++) {
        unsigned bit = (net[i / 8] >> (7 - i % 8)) & 1;
        unsigned next = i + 1 < nodes ? i + 1 : data;
        unsigned rec[2];
        rec[bit] = next;
        rec[!bit] = empty;
        for (int s = 0; s < 2; s++) {
            byte(&w, rec[s] >> 16);
            byte(&w, (rec[s] >> 8) & 0xff);
            byte(&w, rec[s] & 0xff);
        }
    }
    for (int i = 0; i < 16; i++)
        byte(&w, 0);
    map(&w, 4);
    str(&w, "country");
    map(&w, 1);
    str(&w, "iso_code");
    str(&w, "US");
    str(&w, "city");
    map(&w, 1);
    str(&w, "names");
    map(&w, 1);
    str(&w, "en");
    str(&w, "Mountain View");
    str(&w, "autonomous_system_number");
    u32(&w, 15169);
    str(&w, "autonomous_system_organization");
    str(&w, "GOOGLE");
    put(&w, "\xab\xcd\xefMaxMind.com", 14);
    map(&w, 9);
    str(&w, "languages");
    byte(&w, 0x01);   /* extended type, 1 element */
    byte(&w, 11 - 7); /* array */
    str(&w, "en");
    str(&w, "description");
    map(&w, 1);
    str(&w, "en");
    str(&w, "a test database");
    str(&w, "node_count");
    u32(&w, nodes);
    str(&w, "record_size");
    u16(&w, 24);
    str(&w, "ip_version");
    u16(&w, 4);
    str(&w, "database_type");
    str(&w, "Vigil-Test-City");
    str(&w, "binary_format_major_version");
    u16(&w, 2);
    str(&w, "binary_format_minor_version");
    u16(&w, 0);
    str(&w, "build_epoch");
    byte(&w, 0x01);  /* extended type, size 1 */
    byte(&w, 9 - 7); /* uint64 */
    byte(&w, 1);
    FILE *f = fopen(path, "wb");
    if (!f)
        return false;
    bool ok = fwrite(w.b, 1, w.n, f) == w.n;
    return fclose(f) == 0 && ok;
}

static void maxmind(void)
{
    char path[] = "/tmp/vigil-geo-XXXXXX";
    int fd = mkstemp(path);
    T_CHECK(fd >= 0);
    close(fd);
    T_CHECK(write_mmdb(path));
    struct geo *g = NULL;
    char err[256] = "";
    int rc = geo_open(path, NULL, NULL, &g, err, sizeof err);
    if (rc)
        fprintf(stderr, "  %s\n", err);
    T_EQ_INT(rc, 0);
    if (!g)
        return;
    T_CHECK(strstr(geo_describe(g), "Vigil-Test-City") != NULL);
    struct geo_result r;
    T_CHECK(geo_lookup(g, slice_cstr("8.8.8.8"), &r));
    T_EQ_SLICE(r.country, "US");
    T_EQ_SLICE(r.city, "Mountain View");
    T_EQ_INT(r.asn, 15169);
    T_EQ_SLICE(r.as_org, "GOOGLE");
    T_CHECK(!geo_lookup(g, slice_cstr("8.8.9.1"), &r));      /* outside the one network */
    T_CHECK(!geo_lookup(g, slice_cstr("2001:4860::1"), &r)); /* IPv6 in an IPv4 database */
    T_CHECK(!geo_lookup(g, slice_cstr("10.8.8.8"), &r));

    static struct event ev;
    struct arena ar;
    arena_init(&ar, 4096, 1 << 20);
    event_reset(&ev);
    event_add(&ev, FIELD_src_ip, slice_cstr("10.0.0.1"));
    event_add(&ev, FIELD_dst_ip, slice_cstr("8.8.8.53"));
    geo_enrich(g, &ev, &ar);
    struct slice v;
    T_CHECK(!event_get(&ev, FIELD_src_geo_country, &v));
    T_CHECK(event_get(&ev, FIELD_dst_geo_country, &v));
    T_EQ_SLICE(v, "US");
    T_CHECK(event_get(&ev, FIELD_dst_geo_city, &v));
    T_EQ_SLICE(v, "Mountain View");
    T_CHECK(event_get(&ev, FIELD_dst_geo_asn, &v));
    T_EQ_SLICE(v, "15169");
    T_CHECK(event_get(&ev, FIELD_dst_geo_as_org, &v));
    T_EQ_SLICE(v, "GOOGLE");
    arena_fini(&ar);
    geo_free(g);

    /* not a MaxMind DB, and no file at all: refused with the path and the reason */
    FILE *f = fopen(path, "w");
    fputs("not a database\n", f);
    fclose(f);
    T_EQ_INT(geo_open(path, NULL, NULL, &g, err, sizeof err), ERR_IO);
    T_CHECK(g == NULL && strstr(err, "geo.mmdb: /tmp/vigil-geo-") != NULL);
    unlink(path);
    T_EQ_INT(geo_open(path, NULL, NULL, &g, err, sizeof err), ERR_IO);
    T_CHECK(g == NULL && strstr(err, "No such file or directory") != NULL);
}

int main(void)
{
    field_registry_init();
    t_run("geo: Debian's GeoIP.dat gives public addresses a country, private ones none",
          legacy_default);
    t_run("geo: a MaxMind DB gives country, city and AS; a missing one is refused", maxmind);
    return t_done();
}
