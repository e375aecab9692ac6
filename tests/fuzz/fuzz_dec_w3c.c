/* fuzz_dec_w3c.c — libFuzzer target for the w3c decoder (see fuzz_decoder.h). */
#define FUZZ_DECODER "w3c"
#define FUZZ_PROGRAM "w3c"
#include "fuzz_decoder.h"
