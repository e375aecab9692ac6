/*
 * netflow.h — NetFlow v5, v9 and IPFIX (v10) export packets into flow records (the
 * `netflow` input, in_netflow.c). A packet is read as an attacker may have written it:
 * every length is checked against what remains, a template that does not fit is
 * refused, and data whose template is unknown is counted and skipped, never guessed.
 * Templates (v9 and IPFIX) are kept per exporter — the sender's address, the packet's
 * source id / observation domain, the template id — in a fixed table: at its size the
 * oldest entry is replaced. No allocation per packet.
 */
#ifndef VIGIL_NETFLOW_H
#define VIGIL_NETFLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NETFLOW_TEMPLATES 1024 /* templates kept, all exporters together */
#define NETFLOW_TEMPLATE_FIELDS 64

/* One flow, as the packet gave it; absent parts are zero (has_* say which are set). */
struct netflow_flow {
    unsigned version;         /* 5, 9 or 10 */
    uint8_t ip_version;       /* 4 or 6; 0 when the record had no address */
    uint8_t src[16], dst[16]; /* IPv4 in the first 4 bytes */
    uint16_t src_port, dst_port;
    uint8_t proto, tcp_flags;
    uint64_t bytes, packets;
    uint32_t in_if, out_if;
    int64_t start_ms, end_ms; /* Unix epoch milliseconds; 0 when unknown */
    uint32_t domain;          /* v9 source id, IPFIX observation domain, v5 engine */
};

/* What parsing packets found: counts only grow. */
struct netflow_stats {
    uint64_t packets, flows, templates;
    uint64_t malformed;   /* packets (or sets) refused: bad version, lengths, templates */
    uint64_t no_template; /* data sets skipped for want of their template */
};

struct netflow_templates;

/* A template table (NULL when memory is short). */
struct netflow_templates *netflow_templates_new(void);
void netflow_templates_free(struct netflow_templates *t);

typedef void (*netflow_flow_fn)(void *ctx, const struct netflow_flow *f);

/*
 * Parses one export packet p[0..n) from the exporter identified by exporter (a hash of
 * its address), calling fn for each flow. Templates it carries are kept in t for later
 * packets of that exporter. Returns the number of flows, or -1 when the packet is not a
 * NetFlow v5/v9/IPFIX packet or is malformed at its start (counted in st).
 */
int netflow_parse(struct netflow_templates *t, uint64_t exporter, const uint8_t *p, size_t n,
                  netflow_flow_fn fn, void *ctx, struct netflow_stats *st);

#endif
