/* fuzz_dec_netfilter.c — libFuzzer target for the netfilter decoder (see fuzz_decoder.h). */
#define FUZZ_DECODER "netfilter"
#define FUZZ_PROGRAM "kernel"
#include "fuzz_decoder.h"
