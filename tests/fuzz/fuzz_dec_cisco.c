/* fuzz_dec_cisco.c — libFuzzer target for the Cisco IOS/ASA decoder (see fuzz_decoder.h):
 * forced, the input's own "%TAG: text" is read; dispatched, the header's program is an
 * ASA deny tag, so the input is read as that message's body. */
#define FUZZ_DECODER "cisco"
#define FUZZ_PROGRAM "%ASA-4-106023"
#include "fuzz_decoder.h"
