/*
 * benchlib.h — what every benchmark shares: reading the input file whole and naming the
 * machine, so each prints its figures with the machine they came from.
 */
#ifndef VIGIL_BENCHLIB_H
#define VIGIL_BENCHLIB_H

#include <stddef.h>
#include <stdint.h>

/* Reads the file at path (at most 2 GiB) into a heap buffer the caller frees with
 * mem_free; *len gets its size. NULL when unreadable or too big. */
char *bench_read_all(const char *path, size_t *len);

/* Writes the CPU model from /proc/cpuinfo ("unknown" when absent) into out. */
void bench_cpu_model(char *out, size_t outlen);

/* The next number of a xorshift64 generator whose state (not 0) is *state: the inputs a
 * benchmark makes are the same on every run. */
uint64_t bench_rand(uint64_t *state);

#endif
