/* fuzz_dec_systemd.c — libFuzzer target for the systemd decoder (see fuzz_decoder.h). */
#define FUZZ_DECODER "systemd"
#define FUZZ_PROGRAM "systemd"
#include "fuzz_decoder.h"
