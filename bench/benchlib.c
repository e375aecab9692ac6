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
    struct buf b;
    buf_init(&b, MAX_FILE);
    if (buf_read_file(&b, path)) {
        buf_fini(&b);
        return NULL;
    }
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

/* See benchlib.h. */
uint64_t bench_rand(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}
