/*
 * testlib.h — the unit test harness. A test binary calls t_run() for each case and
 * returns t_done(). Each case prints "ok - NAME" or "not ok - NAME: file:line: what";
 * scripts/run-tests.sh counts those lines across every binary and prints the total.
 * A failed check ends the current case (return), never the binary.
 */
#ifndef VIGIL_TESTLIB_H
#define VIGIL_TESTLIB_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* Runs one case. */
void t_run(const char *name, void (*fn)(void));
/* Prints the binary's summary; returns the process exit code (1 if any case failed). */
int t_done(void);
/* Records a failure of the current case (used by the macros). */
void t_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* True when the current case has failed. */
bool t_failed(void);
/* A fresh empty directory under $TMPDIR for this case; owned by the harness. */
const char *t_tmpdir(void);

struct event;
/* The first value of the event's field `name` (declared, extra, or through a route alias)
 * as a C string in one of four rotating static buffers, cut at 1023 bytes; "(none)" when
 * the event has no such field. */
const char *t_field(const struct event *ev, const char *name);

#define T_CHECK(c)                                                                            \
    do {                                                                                      \
        if (!(c)) {                                                                           \
            t_fail(__FILE__, __LINE__, "%s", #c);                                             \
            return;                                                                           \
        }                                                                                     \
    } while (0)

#define T_EQ_INT(a, b)                                                                        \
    do {                                                                                      \
        long long t_a_ = (long long)(a), t_b_ = (long long)(b);                               \
        if (t_a_ != t_b_) {                                                                   \
            t_fail(__FILE__, __LINE__, "%s == %s: %lld != %lld", #a, #b, t_a_, t_b_);         \
            return;                                                                           \
        }                                                                                     \
    } while (0)

#define T_EQ_STR(a, b)                                                                        \
    do {                                                                                      \
        const char *t_a_ = (a), *t_b_ = (b);                                                  \
        if (!t_a_ || !t_b_ || strcmp(t_a_, t_b_) != 0) {                                      \
            t_fail(__FILE__, __LINE__, "%s == %s: \"%s\" != \"%s\"", #a, #b,                  \
                   t_a_ ? t_a_ : "(null)", t_b_ ? t_b_ : "(null)");                           \
            return;                                                                           \
        }                                                                                     \
    } while (0)

/* Compares a slice with a C string. */
#define T_EQ_SLICE(s, b)                                                                      \
    do {                                                                                      \
        struct slice t_s_ = (s);                                                              \
        const char *t_b_ = (b);                                                               \
        if (t_s_.len != strlen(t_b_) || memcmp(t_s_.p, t_b_, t_s_.len) != 0) {                \
            t_fail(__FILE__, __LINE__, "%s == \"%s\": got \"%.*s\"", #s, t_b_,                \
                   (int)t_s_.len, t_s_.p ? t_s_.p : "");                                      \
            return;                                                                           \
        }                                                                                     \
    } while (0)

#endif
