/*
 * fuzz_time.c — libFuzzer target for core's text parsers that take user input on the
 * command line and in queries: vtime_parse (RFC 3339 and relative times), the integer
 * parsers, and buf_json_str (its output must stay within its bound and never contain
 * a raw control byte).
 */
#include "core/core.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct slice s = slice_make((const char *)data, size);
    int64_t ns, i;
    uint64_t u;
    if (vtime_parse(s, 1700000000LL * NS_PER_SEC, &ns) == 0) {
        char out[64];
        vtime_format(ns, out, sizeof out);
    }
    slice_to_i64(s, &i);
    slice_to_u64(s, &u);
    struct buf b;
    buf_init(&b, 0);
    buf_json_str(&b, s.p, s.len);
    if (b.len > size * 6)
        abort();
    for (size_t k = 0; k < b.len; k++)
        if ((unsigned char)b.p[k] < 0x20)
            abort();
    buf_fini(&b);
    return 0;
}
