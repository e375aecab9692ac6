/* fuzz_dec_fortigate.c — libFuzzer target for the FortiGate key=value decoder (see
 * fuzz_decoder.h); dispatched by content, so the program name is any non-table name. */
#define FUZZ_DECODER "fortigate"
#define FUZZ_PROGRAM "fortigate"
#include "fuzz_decoder.h"
