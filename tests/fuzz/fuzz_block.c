/*
 * fuzz_block.c — libFuzzer target for what the store reads back from disk, which a
 * damaged or hostile file may hold: the first byte picks the form, the rest is
 *   0: a block's plain records (as in tail rows): index them, decode each, evaluate a
 *      query against it and render its fields as JSON;
 *   1: a packed block (as in the blocks table): unpack (bounded), then the same.
 * Nothing may crash, read out of bounds or allocate beyond STORE_BLOCK_MAX_RAW.
 */
#include "core/core.h"
#include "event/event.h"
#include "store/store.h"
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

static struct query_node *query;
static struct store_filter filter;

static void walk(const struct store_block *b)
{
    struct buf json;
    buf_init(&json, 1 << 22);
    for (size_t i = 0; i < b->n; i++) {
        struct store_rec r;
        if (store_block_rec(b, i, &r))
            abort(); /* indexed records must decode */
        (void)store_filter_eval(&filter, &r);
        buf_reset(&json);
        (void)store_rec_fields_json(&r, &json);
    }
    buf_fini(&json);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool init;
    if (!init) {
        field_registry_init();
        char err[128];
        if (store_query_parse("user:root* OR (sqlmap AND NOT sc-status:[400 TO 499])", &query,
                              err, sizeof err) ||
            store_filter_compile(query, &filter))
            abort();
        init = true;
    }
    if (size < 1 || size > (1 << 20))
        return 0;
    struct store_block b;
    store_block_init(&b);
    if (data[0] & 1) {
        if (store_block_unpack(&b, data + 1, size - 1) == 0)
            walk(&b);
    } else if (buf_append(&b.recs, data + 1, size - 1) == 0 && store_block_index(&b) == 0) {
        walk(&b);
    }
    if (b.recs.size > STORE_BLOCK_MAX_RAW + 1)
        abort();
    store_block_fini(&b);
    return 0;
}
