/* fuzz_dec_topsec.c — libFuzzer target for the TopSec decoder (see fuzz_decoder.h); the
 * header pass reaches it by content ("id=tos "). */
#define FUZZ_DECODER "topsec"
#define FUZZ_PROGRAM "topsec"
#include "fuzz_decoder.h"
