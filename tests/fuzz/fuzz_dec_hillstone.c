/* fuzz_dec_hillstone.c — libFuzzer target for the Hillstone decoder (see fuzz_decoder.h);
 * the program is a Type@MODULE TAG, which dispatches to it by shape. */
#define FUZZ_DECODER "hillstone"
#define FUZZ_PROGRAM "Traffic@FLOW"
#include "fuzz_decoder.h"
