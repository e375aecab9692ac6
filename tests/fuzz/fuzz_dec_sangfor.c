/* fuzz_dec_sangfor.c — libFuzzer target for the Sangfor AF decoder (see fuzz_decoder.h). */
#define FUZZ_DECODER "sangfor"
#define FUZZ_PROGRAM "fwlog"
#include "fuzz_decoder.h"
