/*
 * log.c — the daemon's own log: one line per message on stderr, with a UTC timestamp
 * and level. One write(2) per line, so lines from threads never interleave.
 */
#include "core/core.h"

#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

static atomic_int max_level = LOG_INFO;

void log_set_level(enum log_level level)
{
    atomic_store(&max_level, (int)level);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    static const char *names[] = {"error", "warn", "info", "debug"};
    if ((int)level > atomic_load(&max_level))
        return;
    char line[2048], ts[40];
    vtime_format(vtime_now_ns(), ts, sizeof ts);
    ts[19] = 'Z'; /* seconds are enough in the log */
    ts[20] = 0;
    int n = snprintf(line, sizeof line, "%s %-5s ", ts, names[level]);
    if (n < 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    va_end(ap);
    if (m < 0)
        return;
    size_t len = (size_t)n + (size_t)m;
    if (len > sizeof line - 2)
        len = sizeof line - 2;
    line[len++] = '\n';
    ssize_t w = write(STDERR_FILENO, line, len);
    (void)w;
}
