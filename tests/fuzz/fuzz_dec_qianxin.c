/* fuzz_dec_qianxin.c — libFuzzer target for the qianxin decoder (see fuzz_decoder.h); the
 * header pass reaches it by program name (NSG). */
#define FUZZ_DECODER "qianxin"
#define FUZZ_PROGRAM "NSG"
#include "fuzz_decoder.h"
