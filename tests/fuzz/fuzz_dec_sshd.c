/* fuzz_dec_sshd.c — libFuzzer target for the sshd decoder (see fuzz_decoder.h). */
#define FUZZ_DECODER "sshd"
#define FUZZ_PROGRAM "sshd"
#include "fuzz_decoder.h"
