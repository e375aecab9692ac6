/* fuzz_dec_netflow.c — libFuzzer target for the netflow decoder (see fuzz_decoder.h). */
#define FUZZ_DECODER "netflow"
#define FUZZ_PROGRAM "netflow"
#include "fuzz_decoder.h"
