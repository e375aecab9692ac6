/* fuzz_dec_dptech.c — libFuzzer target for the DPtech decoder (see fuzz_decoder.h); the
 * header pass reaches it by program name (DPTECH). */
#define FUZZ_DECODER "dptech"
#define FUZZ_PROGRAM "DPTECH"
#include "fuzz_decoder.h"
