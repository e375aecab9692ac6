/*
 * fuzz_netflow.c — libFuzzer target for the NetFlow v5/v9/IPFIX parser (netflow.c):
 * the input is a sequence of packets, each led by a 2-byte big-endian length, parsed
 * in order with one template table (so templates of one packet serve the next: the
 * malformed-template paths and data for half-kept templates are reached). Each flow is
 * checked for sane values; the table must not grow past its size.
 */
#include "core/core.h"
#include "ingest/netflow.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_flow(void *ctx, const struct netflow_flow *f)
{
    (void)ctx;
    if (f->version != 5 && f->version != 9 && f->version != 10)
        abort();
    if (f->ip_version != 0 && f->ip_version != 4 && f->ip_version != 6)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct netflow_templates *t = netflow_templates_new();
    if (!t)
        return 0;
    struct netflow_stats st;
    memset(&st, 0, sizeof st);
    size_t off = 0;
    unsigned packets = 0;
    while (size - off >= 2 && packets < 64) {
        size_t n = (size_t)data[off] << 8 | data[off + 1];
        off += 2;
        if (n > size - off)
            n = size - off;
        /* a copy of exactly n bytes: a read past the packet is caught by ASan */
        uint8_t *p = malloc(n ? n : 1);
        if (!p)
            break;
        memcpy(p, data + off, n);
        netflow_parse(t, packets % 3, p, n, on_flow, NULL, &st);
        free(p);
        off += n;
        packets++;
    }
    if (st.packets != packets)
        abort();
    netflow_templates_free(t);
    return 0;
}
