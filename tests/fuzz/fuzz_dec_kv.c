/* fuzz_dec_kv.c — libFuzzer target for the generic key=value decoder (see
 * fuzz_decoder.h); it is only ever forced (format: kv), which the forced pass covers. */
#define FUZZ_DECODER "kv"
#define FUZZ_PROGRAM "myapp"
#include "fuzz_decoder.h"
