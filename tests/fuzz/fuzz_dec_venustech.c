/* fuzz_dec_venustech.c — libFuzzer target for the venustech decoder (see fuzz_decoder.h); the
 * header pass reaches it by program name (venus). */
#define FUZZ_DECODER "venustech"
#define FUZZ_PROGRAM "venus"
#include "fuzz_decoder.h"
