/* fuzz_dec_mysql.c — libFuzzer target for the MySQL / MariaDB decoder (see fuzz_decoder.h). */
#define FUZZ_DECODER "mysql"
#define FUZZ_PROGRAM "mysqld"
#include "fuzz_decoder.h"
