/* fuzz_dec_suricata.c — libFuzzer target for the suricata decoder (see fuzz_decoder.h). */
#define FUZZ_DECODER "suricata"
#define FUZZ_PROGRAM "suricata"
#include "fuzz_decoder.h"
