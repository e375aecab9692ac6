/* fuzz_dec_postgres.c — libFuzzer target for the PostgreSQL decoder (see fuzz_decoder.h). */
#define FUZZ_DECODER "postgres"
#define FUZZ_PROGRAM "postgres"
#include "fuzz_decoder.h"
