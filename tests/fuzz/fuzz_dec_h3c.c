/* fuzz_dec_h3c.c — libFuzzer target for the H3C Comware decoder (see fuzz_decoder.h). The
 * program name is a cmcc/unicom prefix, which dispatches to it by shape. */
#define FUZZ_DECODER "h3c"
#define FUZZ_PROGRAM "%10SHELL/5/SHELL_LOGIN"
#include "fuzz_decoder.h"
