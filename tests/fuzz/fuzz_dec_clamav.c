/* fuzz_dec_clamav.c — libFuzzer target for the clamav decoder (see fuzz_decoder.h). */
#define FUZZ_DECODER "clamav"
#define FUZZ_PROGRAM "clamd"
#include "fuzz_decoder.h"
