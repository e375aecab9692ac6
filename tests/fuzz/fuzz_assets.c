/*
 * fuzz_assets.c — libFuzzer target for the asset inventory (src/enrich/assets.c): any
 * bytes as a YAML inventory and as a CSV one (the first byte chooses). Each must load or
 * be refused with "NAME:LINE: reason"; a loaded inventory must answer lookups of
 * addresses taken from the input and of fixed ones without a crash.
 */
#include "enrich/enrich.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > (1 << 20))
        return 0;
    bool csv = data[0] & 1;
    struct assets *a = NULL;
    char err[512] = "";
    int rc = assets_load_text("fuzz", (const char *)data + 1, size - 1, csv, &a, err, sizeof err);
    if (rc) {
        if (a || (rc != ERR_NOMEM && strncmp(err, "fuzz", 4) != 0))
            abort();
        return 0;
    }
    static const char *const probes[] = {
        "10.0.0.1", "::1", "::ffff:192.0.2.1", "2001:db8::1", "255.255.255.255", "0.0.0.0", "x"};
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++)
        (void)assets_lookup(a, slice_cstr(probes[i]));
    for (size_t i = 0; i + 1 < size && i < 256; i += 7)
        (void)assets_lookup(a, slice_make((const char *)data + i, size - i < 40 ? size - i : 40));
    assets_free(a);
    return 0;
}
