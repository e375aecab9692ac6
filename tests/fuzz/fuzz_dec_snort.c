/* fuzz_dec_snort.c — libFuzzer target for the snort decoder (see fuzz_decoder.h). */
#define FUZZ_DECODER "snort"
#define FUZZ_PROGRAM "snort"
#include "fuzz_decoder.h"
