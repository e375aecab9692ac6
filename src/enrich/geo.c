/*
 * geo.c — the two geolocation databases behind geo.h, and the per-thread cache. A MaxMind
 * DB is memory-mapped by libmaxminddb (lookups are read-only on the map); the legacy
 * GeoIP.dat files are read into memory by libGeoIP (GEOIP_MEMORY_CACHE) and looked up
 * with its _gl functions, which keep their state on the caller's stack.
 */
#include "enrich/geo.h"
#include "enrich/iptrie.h"
#include "event/event.h"

#include <GeoIP.h>
#include <errno.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct geo {
    bool has_mmdb;
    MMDB_s mmdb;
    GeoIP *v4, *v6;
    uint64_t id; /* tells this database's cache entries from an earlier one's */
    char desc[512];
};

struct geo_slot {
    uint64_t id; /* 0: empty */
    struct ipbits ip;
    bool found;
    struct geo_result r;
};

static atomic_uint_fast64_t next_id = 1;
static _Thread_local struct geo_slot cache[GEO_CACHE_SLOTS];

/* See geo.h. */
void geo_free(struct geo *g)
{
    if (!g)
        return;
    if (g->has_mmdb)
        MMDB_close(&g->mmdb);
    if (g->v4)
        GeoIP_delete(g->v4);
    if (g->v6)
        GeoIP_delete(g->v6);
    mem_free(g);
}

/* See geo.h. */
const char *geo_describe(const struct geo *g)
{
    return g ? g->desc : "none";
}

static GeoIP *open_legacy(const char *path, unsigned char want)
{
    if (access(path, R_OK) != 0)
        return NULL;
    GeoIP *gi = GeoIP_open(path, GEOIP_MEMORY_CACHE | GEOIP_SILENCE);
    if (gi && GeoIP_database_edition(gi) != want) {
        log_warn("geo: %s is not a GeoIP country database; not used", path);
        GeoIP_delete(gi);
        return NULL;
    }
    return gi;
}

/* See geo.h. */
int geo_open(const char *mmdb_path, const char *v4_path, const char *v6_path, struct geo **out,
             char *err, size_t errlen)
{
    *out = NULL;
    struct geo *g = mem_calloc(1, sizeof *g);
    if (!g)
        return ERR_NOMEM;
    g->id = atomic_fetch_add(&next_id, 1);
    if (mmdb_path) {
        int rc = MMDB_open(mmdb_path, MMDB_MODE_MMAP, &g->mmdb);
        if (rc != MMDB_SUCCESS) {
            bool unreadable = access(mmdb_path, R_OK) != 0;
            snprintf(err, errlen, "geo.mmdb: %s: %s", mmdb_path,
                     unreadable ? strerror(errno) : MMDB_strerror(rc));
            mem_free(g);
            return ERR_IO;
        }
        g->has_mmdb = true;
        snprintf(g->desc, sizeof g->desc, "maxmind %s (%s)", mmdb_path,
                 g->mmdb.metadata.database_type ? g->mmdb.metadata.database_type : "?");
        *out = g;
        return 0;
    }
    if (!v4_path)
        v4_path = GEO_LEGACY_V4;
    if (!v6_path)
        v6_path = GEO_LEGACY_V6;
    g->v4 = open_legacy(v4_path, GEOIP_COUNTRY_EDITION);
    g->v6 = open_legacy(v6_path, GEOIP_COUNTRY_EDITION_V6);
    if (!g->v4 && !g->v6) {
        mem_free(g);
        return 0;
    }
    snprintf(g->desc, sizeof g->desc, "geoip %s%s%s", g->v4 ? v4_path : "",
             g->v4 && g->v6 ? ", " : "", g->v6 ? v6_path : "");
    *out = g;
    return 0;
}

static struct slice mmdb_str(MMDB_entry_s *e, const char *const *path)
{
    MMDB_entry_data_s d;
    if (MMDB_aget_value(e, &d, path) != MMDB_SUCCESS || !d.has_data ||
        d.type != MMDB_DATA_TYPE_UTF8_STRING)
        return slice_make(NULL, 0);
    return slice_make(d.utf8_string, d.data_size);
}

static bool lookup_mmdb(const struct geo *g, const struct ipbits *ip, struct geo_result *r)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    if (ip->bits == 32) {
        struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
        s4->sin_family = AF_INET;
        memcpy(&s4->sin_addr, ip->b, 4);
    } else {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
        s6->sin6_family = AF_INET6;
        memcpy(&s6->sin6_addr, ip->b, 16);
    }
    int mmerr = 0;
    MMDB_lookup_result_s res =
        MMDB_lookup_sockaddr((MMDB_s *)&g->mmdb, (const struct sockaddr *)&ss, &mmerr);
    if (mmerr != MMDB_SUCCESS || !res.found_entry)
        return false;
    static const char *const country[] = {"country", "iso_code", NULL};
    static const char *const registered[] = {"registered_country", "iso_code", NULL};
    static const char *const city[] = {"city", "names", "en", NULL};
    static const char *const org[] = {"autonomous_system_organization", NULL};
    static const char *const asn[] = {"autonomous_system_number", NULL};
    r->country = mmdb_str(&res.entry, (const char *const *)country);
    if (!r->country.len)
        r->country = mmdb_str(&res.entry, registered);
    r->city = mmdb_str(&res.entry, city);
    r->as_org = mmdb_str(&res.entry, org);
    MMDB_entry_data_s d;
    if (MMDB_aget_value(&res.entry, &d, asn) == MMDB_SUCCESS && d.has_data &&
        d.type == MMDB_DATA_TYPE_UINT32)
        r->asn = d.uint32;
    return r->country.len || r->city.len || r->asn;
}

static bool lookup_legacy(const struct geo *g, const struct ipbits *ip, struct geo_result *r)
{
    GeoIPLookup gl;
    memset(&gl, 0, sizeof gl);
    int id;
    if (ip->bits == 32) {
        if (!g->v4)
            return false;
        unsigned long n = (unsigned long)ip->b[0] << 24 | (unsigned long)ip->b[1] << 16 |
                          (unsigned long)ip->b[2] << 8 | ip->b[3];
        id = GeoIP_id_by_ipnum_gl(g->v4, n, &gl);
    } else {
        if (!g->v6)
            return false;
        geoipv6_t a;
        memcpy(&a, ip->b, 16);
        id = GeoIP_id_by_ipnum_v6_gl(g->v6, a, &gl);
    }
    const char *code = id > 0 ? GeoIP_code_by_id(id) : NULL;
    if (!code || !code[0] || !strcmp(code, "--"))
        return false;
    r->country = slice_cstr(code);
    return true;
}

static size_t slot_of(const struct ipbits *ip)
{
    uint64_t h = 1469598103934665603ull;
    for (unsigned i = 0; i < ip->bits / 8; i++)
        h = (h ^ ip->b[i]) * 1099511628211ull;
    return (size_t)(h ^ h >> 29) % GEO_CACHE_SLOTS;
}

/* See geo.h. */
bool geo_lookup(const struct geo *g, struct slice addr, struct geo_result *r)
{
    memset(r, 0, sizeof *r);
    struct ipbits ip;
    if (!g || !ip_parse(addr, &ip) || !ip_is_public(&ip))
        return false;
    struct geo_slot *s = &cache[slot_of(&ip)];
    if (s->id == g->id && s->ip.bits == ip.bits && !memcmp(s->ip.b, ip.b, ip.bits / 8)) {
        *r = s->r;
        return s->found;
    }
    bool found = g->has_mmdb ? lookup_mmdb(g, &ip, r) : lookup_legacy(g, &ip, r);
    s->id = g->id;
    s->ip = ip;
    s->found = found;
    s->r = *r;
    return found;
}

static void add(const struct geo *g, struct event *ev, struct arena *arena, uint16_t addr_field,
                const uint16_t f[4])
{
    struct slice ip;
    struct geo_result r;
    if (!event_get(ev, addr_field, &ip) || !geo_lookup(g, ip, &r))
        return;
    if (r.country.len)
        event_add(ev, f[0], r.country);
    if (r.city.len)
        event_add(ev, f[1], r.city);
    if (r.asn && arena) {
        char num[16];
        int n = snprintf(num, sizeof num, "%u", (unsigned)r.asn);
        char *p = arena_dup(arena, num, (size_t)n);
        if (p)
            event_add(ev, f[2], slice_make(p, (size_t)n));
    }
    if (r.as_org.len)
        event_add(ev, f[3], r.as_org);
}

/* See geo.h. */
void geo_enrich(const struct geo *g, struct event *ev, struct arena *arena)
{
    if (!g)
        return;
    static const uint16_t src[4] = {FIELD_src_geo_country, FIELD_src_geo_city, FIELD_src_geo_asn,
                                    FIELD_src_geo_as_org};
    static const uint16_t dst[4] = {FIELD_dst_geo_country, FIELD_dst_geo_city, FIELD_dst_geo_asn,
                                    FIELD_dst_geo_as_org};
    add(g, ev, arena, FIELD_src_ip, src);
    add(g, ev, arena, FIELD_dst_ip, dst);
}
