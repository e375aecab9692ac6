/* fuzz_dec_ruijie.c — libFuzzer target for the Ruijie RGOS decoder (see fuzz_decoder.h).
 * The decoder runs only for sources of format ruijie: the forced pass is the one that
 * reaches it; the second pass checks that such lines dispatch safely otherwise. */
#define FUZZ_DECODER "ruijie"
#define FUZZ_PROGRAM "%SYS-5-CONFIG_I"
#include "fuzz_decoder.h"
