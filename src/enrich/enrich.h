/*
 * enrich.h — what a record does not say (docs/ARCHITECTURE.md §1 "enrich"): the asset
 * behind an address, from an inventory of hosts and networks the operator keeps.
 *
 * The inventory is a YAML or CSV file: each entry an address or a CIDR network with a
 * name, owner, department, value (0-5: how much its loss would hurt), registered or not,
 * and role tags (`bastion`, `dmz`, ...). A lookup takes the longest prefix that holds
 * the address (a host entry inside a network entry wins). Built once, read-only after:
 * any number of threads look up at once.
 */
#ifndef VIGIL_ENRICH_H
#define VIGIL_ENRICH_H

#include "core/core.h"

#define ASSET_MAX_ENTRIES 1000000
#define ASSET_MAX_TAGS 16
#define ASSET_DEFAULT_VALUE 2 /* the value of an address no entry holds (README "Risk") */

struct asset {
    char *address;                   /* as written: "10.0.0.5" or "10.0.0.0/24" */
    char *name, *owner, *department; /* "" when not given */
    int value;                       /* 0-5 */
    bool registered;
    char *tags[ASSET_MAX_TAGS];
    unsigned ntags;
};

struct assets;

/*
 * Reads the inventory at path: YAML (`assets:` a list of maps with address, name, owner,
 * department, value, registered, tags) or CSV (a header naming those columns, tags
 * separated by ';'), told apart by the name's suffix (.csv) . ERR_PARSE with "FILE:LINE:
 * reason" in err for a bad entry (an address that is not an IPv4/IPv6 address or CIDR,
 * a value outside 0-5, an unknown key, the same network twice), ERR_IO, ERR_NOMEM.
 */
int assets_load_file(const char *path, struct assets **out, char *err, size_t errlen);
/* The same for text[0..len) named name; csv selects the CSV form. */
int assets_load_text(const char *name, const char *text, size_t len, bool csv, struct assets **out,
                     char *err, size_t errlen);
void assets_free(struct assets *a);

/* Entries in the inventory. */
size_t assets_count(const struct assets *a);
/* Entry i of the inventory in file order (NULL past the end). */
const struct asset *assets_at(const struct assets *a, size_t i);
/* The entry with the longest prefix holding addr (IPv4 or IPv6 text), or NULL (no entry
 * holds it, or addr is not an address). a may be NULL (no inventory). */
const struct asset *assets_lookup(const struct assets *a, struct slice addr);
struct event;
/*
 * Adds to ev what the inventory says of its src_ip and dst_ip: src_asset (name),
 * src_asset_value, src_asset_registered ("true"/"false"), one src_asset_tag per tag, and
 * the same for dst_; for an event with an `ip` (DHCP, arpwatch) ip_registered ("false"
 * also when no entry holds it) and ip_asset; for its `host` (the sending device's name)
 * the entry of that name as host_asset, host_asset_value and host_asset_tag. Values point
 * into a, which must outlive ev.
 * Nothing when a is NULL.
 */
void assets_enrich(const struct assets *a, struct event *ev);

/* The entry named name (case-insensitively; a host name's first label is tried too:
 * "srv1.corp.example.com" finds "srv1"), or NULL. */
const struct asset *assets_lookup_name(const struct assets *a, struct slice name);

/* True when asset x carries tag t. */
bool asset_has_tag(const struct asset *x, const char *t);

#endif
