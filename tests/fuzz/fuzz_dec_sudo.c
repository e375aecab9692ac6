/* fuzz_dec_sudo.c — libFuzzer target for the sudo decoder (see fuzz_decoder.h). */
#define FUZZ_DECODER "sudo"
#define FUZZ_PROGRAM "sudo"
#include "fuzz_decoder.h"
