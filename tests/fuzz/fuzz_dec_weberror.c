/* fuzz_dec_weberror.c — libFuzzer target for the weberror decoder (see fuzz_decoder.h). */
#define FUZZ_DECODER "weberror"
#define FUZZ_PROGRAM "nginx"
#include "fuzz_decoder.h"
