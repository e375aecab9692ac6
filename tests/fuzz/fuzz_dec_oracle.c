/* fuzz_dec_oracle.c — libFuzzer target for the Oracle audit decoder (see fuzz_decoder.h). */
#define FUZZ_DECODER "oracle"
#define FUZZ_PROGRAM "oracle"
#include "fuzz_decoder.h"
