/*
 * geo.h — where a public address is: its country (ISO 3166 code) and, when the database
 * has them, city, autonomous system number and organisation. Two databases are read:
 * an operator-supplied MaxMind DB (`geo: {mmdb: PATH}`, GeoLite2/GeoIP2 City, Country or
 * ASN, with libmaxminddb), else Debian's geoip-database (legacy GeoIP.dat / GeoIPv6.dat,
 * countries only, with libGeoIP) when its files exist. Private, loopback, link-local and
 * documentation addresses are skipped before any lookup (iptrie.h ip_is_public). Each
 * thread keeps a small cache of its recent answers (GEO_CACHE_SLOTS, direct-mapped).
 * Opened once, read-only after: any number of threads look up at once.
 */
#ifndef VIGIL_GEO_H
#define VIGIL_GEO_H

#include "core/core.h"

#define GEO_LEGACY_V4 "/usr/share/GeoIP/GeoIP.dat"
#define GEO_LEGACY_V6 "/usr/share/GeoIP/GeoIPv6.dat"
#define GEO_CACHE_SLOTS 512

struct geo;
struct event;
struct arena;

/* What a database says of one address; empty slices for what it does not say. Strings
 * point into the database (alive as long as it is open). */
struct geo_result {
    struct slice country, city, as_org;
    uint32_t asn; /* 0: unknown */
};

/*
 * Opens the MaxMind DB at mmdb_path, or with mmdb_path NULL the legacy databases v4_path
 * and v6_path (either may be missing; NULL for the Debian defaults above). *out is NULL
 * (and 0 returned) when mmdb_path is NULL and no legacy file exists. ERR_IO with
 * "geo.mmdb: PATH: reason" in err when the MaxMind DB cannot be opened (missing, not a
 * MaxMind DB), ERR_NOMEM.
 */
int geo_open(const char *mmdb_path, const char *v4_path, const char *v6_path, struct geo **out,
             char *err, size_t errlen);
void geo_free(struct geo *g);
/* "maxmind PATH (DATABASE TYPE)" or "geoip PATH[, PATH]", for the start-up log. */
const char *geo_describe(const struct geo *g);

/* What g says of addr (IPv4 or IPv6 text) into *r: false when addr is no address, not
 * public, or the database knows nothing of it. Answers from the calling thread's cache
 * when it holds addr. */
bool geo_lookup(const struct geo *g, struct slice addr, struct geo_result *r);

/* Adds src_geo_country, src_geo_city, src_geo_asn, src_geo_as_org and the dst_ ones for
 * ev's src_ip and dst_ip (what the database knows). The ASN's digits go to arena; the
 * other values point into g, which must outlive ev. Nothing when g is NULL. */
void geo_enrich(const struct geo *g, struct event *ev, struct arena *arena);

#endif
