/*
 * detect_compile.c — PROVISIONAL: the compiled matcher's API over the reference
 * evaluator, until the Hyperscan compiler lands.
 */
#include "detect/detect_int.h"

#include <string.h>

struct detect_matcher {
    const struct detect_rules *rs;
};
struct detect_scratch {
    int unused;
};

/* See detect.h. */
int detect_matcher_compile(const struct detect_rules *rs, struct detect_matcher **out,
                           struct detect_compile_stats *stats, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    struct detect_matcher *m = mem_calloc(1, sizeof *m);
    if (!m)
        return ERR_NOMEM;
    m->rs = rs;
    if (stats)
        memset(stats, 0, sizeof *stats);
    *out = m;
    return 0;
}

/* See detect.h. */
void detect_matcher_free(struct detect_matcher *m)
{
    mem_free(m);
}

/* See detect.h. */
struct detect_scratch *detect_scratch_new(const struct detect_matcher *m)
{
    (void)m;
    return mem_calloc(1, sizeof(struct detect_scratch));
}

/* See detect.h. */
void detect_scratch_free(struct detect_scratch *s)
{
    mem_free(s);
}

/* See detect.h. */
int detect_match(const struct detect_matcher *m, struct detect_scratch *s, const struct event *ev,
                 detect_match_fn fn, void *ctx)
{
    (void)s;
    return detect_match_all(m->rs, ev, fn, ctx);
}
