/* fuzz_dec_access.c — libFuzzer target for the access decoder (see fuzz_decoder.h). */
#define FUZZ_DECODER "access"
#define FUZZ_PROGRAM "nginx"
#include "fuzz_decoder.h"
