/*
 * benchlib.h — what every benchmark shares: reading the input file whole and naming the
 * machine, so each prints its figures with the machine they came from.
 */
#ifndef VIGIL_BENCHLIB_H
#define VIGIL_BENCHLIB_H

#include <stddef.h>

/* Reads the file at path (at most 2 GiB) into a heap buffer the caller frees with
 * mem_free; *len gets its size. NULL when unreadable or too big. */
char *bench_read_all(const char *path, size_t *len);

/* Writes the CPU model from /proc/cpuinfo ("unknown" when absent) into out. */
void bench_cpu_model(char *out, size_t outlen);

#endif
