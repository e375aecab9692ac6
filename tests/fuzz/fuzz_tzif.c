/*
 * fuzz_tzif.c — libFuzzer target for the TZif parser (vtz_parse_tzif in
 * src/core/tz.c): arbitrary bytes must be refused or give a zone whose lookups stay
 * within the parsed arrays. Seeds are real zone files from /usr/share/zoneinfo.
 */
#include "core/core.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vtz *z = NULL;
    if (vtz_parse_tzif("fuzz", data, size, &z) != 0) {
        if (z)
            abort();
        return 0;
    }
    static const int64_t probes[] = {INT64_MIN / 4, -2208988800LL, 0, 1732500000LL,
                                     2145916800LL, INT64_MAX / 4};
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
        int32_t off = vtz_offset_at_utc(z, probes[i]);
        if (off > 26 * 3600 || off < -26 * 3600)
            abort();
        (void)vtz_local_to_utc(z, probes[i]);
    }
    vtz_free(z);
    return 0;
}
