/* fuzz_dec_cron.c — libFuzzer target for the cron decoder (see fuzz_decoder.h). */
#define FUZZ_DECODER "cron"
#define FUZZ_PROGRAM "cron"
#include "fuzz_decoder.h"
