/* fuzz_dec_shadow.c — libFuzzer target for the shadow-utils decoder (see fuzz_decoder.h). */
#define FUZZ_DECODER "shadow"
#define FUZZ_PROGRAM "useradd"
#include "fuzz_decoder.h"
