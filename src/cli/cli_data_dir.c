/*
 * cli_data_dir.c — where the reading commands (search, stats) find the store: the
 * same data_dir the daemon was configured with, so `-c vigil.yaml` means one thing for
 * every command.
 */
#include "cli/cli.h"
#include "core/core.h"
#include "ingest/ingest.h"

#include <stdio.h>

int cli_data_dir(const char *name, const char *conf, const char *dir, char **out)
{
    *out = NULL;
    if (dir) {
        *out = mem_strdup(dir);
        return *out ? 0 : ERR_NOMEM;
    }
    struct ingest_config cfg;
    ingest_config_defaults(&cfg);
    char err[512];
    int rc = 0;
    if (conf && ingest_config_load_file(conf, &cfg, err, sizeof err)) {
        fprintf(stderr, "vigil %s: %s\n", name, err);
        rc = ERR_INVAL;
    } else {
        *out = mem_strdup(cfg.data_dir ? cfg.data_dir : "./var");
        rc = *out ? 0 : ERR_NOMEM;
    }
    ingest_config_fini(&cfg);
    return rc;
}
