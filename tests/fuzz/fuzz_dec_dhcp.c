/* fuzz_dec_dhcp.c — libFuzzer target for the DHCP / arpwatch decoder (see fuzz_decoder.h). */
#define FUZZ_DECODER "dhcp"
#define FUZZ_PROGRAM "dhcpd"
#include "fuzz_decoder.h"
