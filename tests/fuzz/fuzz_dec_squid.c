/* fuzz_dec_squid.c — libFuzzer target for the squid decoder (see fuzz_decoder.h). */
#define FUZZ_DECODER "squid"
#define FUZZ_PROGRAM "squid"
#include "fuzz_decoder.h"
