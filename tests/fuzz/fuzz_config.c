/*
 * fuzz_config.c — libFuzzer target for `vigil serve`'s configuration: cfg_parse (core)
 * and the schema loader (src/ingest/config.c, with src/output/out_config.c for `outputs:`). Any
 * input must either load or be refused with a "FILE:LINE: reason" message; nothing may leak or
 * crash either way.
 */
#include "ingest/ingest.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ingest_config c;
    ingest_config_defaults(&c);
    char err[512] = "";
    int rc = ingest_config_load("fuzz.yaml", (const char *)data, size, &c, err, sizeof err);
    if (rc) {
        if (strncmp(err, "fuzz.yaml:", 10) != 0)
            abort();
    } else {
        if (!c.data_dir || c.workers < 1)
            abort();
        for (size_t i = 0; i < c.ninputs; i++)
            if (!c.inputs[i].name || c.inputs[i].max_frame < 256)
                abort();
        for (size_t i = 0; i < c.noutputs; i++) /* `outputs:` (src/output/out_config.c) */
            if (!c.outputs[i].name || !c.outputs[i].max_queue ||
                (c.outputs[i].type == OUTPUT_SYSLOG ? !c.outputs[i].address : !c.outputs[i].url))
                abort();
    }
    ingest_config_fini(&c);
    return 0;
}
