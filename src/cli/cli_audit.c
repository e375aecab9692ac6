/*
 * cli_audit.c — what the reading commands (search, alerts) record in the audit trail:
 * who ran them from the command line, on what, with what result.
 */
#include "cli/cli.h"
#include "core/core.h"

#include <stdlib.h>

/* See cli.h. */
void cli_audit(const char *action, const char *object, const char *result)
{
    const char *user = getenv("USER");
    struct audit_entry e = {.actor = user && *user ? user : "cli",
                            .source = "cli",
                            .action = action,
                            .object = object,
                            .result = result};
    audit_record(&e);
}
