/* fuzz_dec_huawei.c — libFuzzer target for the Huawei VRP/USG decoder (see fuzz_decoder.h). */
#define FUZZ_DECODER "huawei"
#define FUZZ_PROGRAM "HUAWEI"
#include "fuzz_decoder.h"
