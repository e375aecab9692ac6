/*
 * benchlib.c — shared helpers of the benchmarks (see benchlib.h).
 */
#include "benchlib.h"
#include "core/core.h"

#include <stdio.h>
#include <string.h>

#define MAX_FILE ((size_t)2 << 30)

char *bench_read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct buf b;
    buf_init(&b, MAX_FILE);
    char chunk[1 << 16];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (buf_append(&b, chunk, n)) {
            buf_fini(&b);
            fclose(f);
            return NULL;
        }
    fclose(f);
    *len = b.len;
    return b.p; /* the caller frees with mem_free */
}

void bench_cpu_model(char *out, size_t outlen)
{
    snprintf(out, outlen, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "model name", 10)) {
            char *c = strchr(line, ':');
            if (c) {
                c += 2;
                c[strcspn(c, "\n")] = 0;
                snprintf(out, outlen, "%s", c);
            }
            break;
        }
    }
    fclose(f);
}
