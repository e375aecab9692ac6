/* fuzz_dec_auditd.c — libFuzzer target for the auditd decoder (see fuzz_decoder.h). */
#define FUZZ_DECODER "auditd"
#define FUZZ_PROGRAM "audisp-syslog"
#include "fuzz_decoder.h"
