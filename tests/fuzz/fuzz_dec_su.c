/* fuzz_dec_su.c — libFuzzer target for the su decoder (see fuzz_decoder.h). */
#define FUZZ_DECODER "su"
#define FUZZ_PROGRAM "su"
#include "fuzz_decoder.h"
