/* fuzz_dec_cef.c — libFuzzer target for the CEF/LEEF decoder (see fuzz_decoder.h);
 * dispatched by content ("CEF:", "LEEF:"), so the program name is any non-table name. */
#define FUZZ_DECODER "cef"
#define FUZZ_PROGRAM "cef"
#include "fuzz_decoder.h"
