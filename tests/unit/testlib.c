/*
 * testlib.c — the unit test harness (see testlib.h): runs cases, prints one TAP-like
 * line per case and the binary's own "N passed, N failed" summary.
 */
#include "testlib.h"
#include "event/event.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static const char *current;
static bool current_failed;
static int passed, failed;
static char tmpdir[256];
static char fail_msg[1024];

void t_fail(const char *file, int line, const char *fmt, ...)
{
    int n = snprintf(fail_msg, sizeof fail_msg, "%s:%d: ", file, line);
    if (n < 0 || (size_t)n >= sizeof fail_msg)
        n = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(fail_msg + n, sizeof fail_msg - (size_t)n, fmt, ap);
    va_end(ap);
    current_failed = true;
}

bool t_failed(void)
{
    return current_failed;
}

const char *t_tmpdir(void)
{
    if (tmpdir[0])
        return tmpdir;
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/vigil-test-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        abort();
    }
    return tmpdir;
}

static void remove_tmpdir(void)
{
    if (!tmpdir[0])
        return;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    tmpdir[0] = 0;
}

void t_run(const char *name, void (*fn)(void))
{
    current = name;
    current_failed = false;
    fn();
    remove_tmpdir();
    if (current_failed) {
        failed++;
        printf("not ok - %s: %s\n", current, fail_msg);
    } else {
        passed++;
        printf("ok - %s\n", current);
    }
    fflush(stdout);
}

int t_done(void)
{
    printf("# %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}

/* See testlib.h. */
const char *t_field(const struct event *ev, const char *name)
{
    static char out[4][1024];
    static int k;
    struct slice v;
    char *o = out[k++ & 3];
    if (!event_get_named(ev, slice_cstr(name), &v))
        return "(none)";
    size_t n = v.len < sizeof out[0] - 1 ? v.len : sizeof out[0] - 1;
    memcpy(o, v.p, n);
    o[n] = 0;
    return o;
}
