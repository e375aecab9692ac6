/*
 * audit.c — the audit sink of docs/ARCHITECTURE.md §3: any module records what it did
 * through audit_record; the store installs the sink that persists the trail. Without a
 * sink (early start, tools) the entry goes to the log so nothing is silently lost.
 */
#include "core/core.h"

static audit_sink_fn sink_fn;
static void *sink_ctx;

void audit_set_sink(audit_sink_fn fn, void *ctx)
{
    sink_fn = fn;
    sink_ctx = ctx;
}

int audit_record(const struct audit_entry *e)
{
    struct audit_entry copy = *e;
    if (!copy.time_ns)
        copy.time_ns = vtime_now_ns();
    if (!copy.actor)
        copy.actor = "system";
    if (!copy.source)
        copy.source = "local";
    if (!copy.object)
        copy.object = "";
    if (!copy.result)
        copy.result = "ok";
    if (sink_fn)
        return sink_fn(sink_ctx, &copy);
    log_info("audit actor=%s source=%s action=%s object=%s result=%s", copy.actor, copy.source,
             copy.action, copy.object, copy.result);
    return 0;
}
