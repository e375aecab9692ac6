/* fuzz_dec_nsfocus.c — libFuzzer target for the nsfocus decoder (see fuzz_decoder.h); the
 * header pass reaches it by program name (NIPS). */
#define FUZZ_DECODER "nsfocus"
#define FUZZ_PROGRAM "NIPS"
#include "fuzz_decoder.h"
