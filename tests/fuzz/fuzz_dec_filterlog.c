/* fuzz_dec_filterlog.c — libFuzzer target for the pfSense/OPNsense filterlog decoder
 * (see fuzz_decoder.h). */
#define FUZZ_DECODER "filterlog"
#define FUZZ_PROGRAM "filterlog"
#include "fuzz_decoder.h"
