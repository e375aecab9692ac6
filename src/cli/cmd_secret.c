/*
 * cmd_secret.c — `vigil secret seal [-c FILE | -d DIR]`: reads a secret (a directory's
 * bind password, a token) from the first line of standard input and prints it sealed with
 * the store's key of secrets at rest (DATA_DIR/secrets.key, made when missing), in the
 * "v1:…" form the configuration takes. The clear secret is never written anywhere.
 */
#include "auth/auth.h"
#include "cli/cli.h"
#include "core/core.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* See cli.h. */
int cmd_secret(int argc, char **argv)
{
    const char *dir = NULL, *conf = NULL;
    if (argc < 2 || strcmp(argv[1], "seal"))
        goto usage;
    for (int i = 2; i < argc; i += 2) {
        if (i + 1 >= argc)
            goto usage;
        if (!strcmp(argv[i], "-d"))
            dir = argv[i + 1];
        else if (!strcmp(argv[i], "-c"))
            conf = argv[i + 1];
        else
            goto usage;
    }
    char *d = NULL;
    if (cli_data_dir("secret", conf, dir, &d))
        return 2;
    (void)mkdir(d, 0700);
    char line[512];
    if (!fgets(line, sizeof line, stdin)) {
        fprintf(stderr, "vigil secret: no secret on standard input\n");
        mem_free(d);
        return 1;
    }
    line[strcspn(line, "\r\n")] = '\0';
    struct auth *a = NULL;
    char err[512], sealed[700];
    int rc = auth_open(NULL, d, NULL, &a, err, sizeof err);
    if (!rc)
        rc = auth_seal_secret(a, line, sealed, sizeof sealed);
    memset(line, 0, sizeof line);
    auth_close(a);
    mem_free(d);
    if (rc) {
        fprintf(stderr, "vigil secret: %s\n", rc == ERR_TOOBIG ? "the secret is too long" : err);
        return 1;
    }
    printf("%s\n", sealed);
    return 0;
usage:
    fprintf(stderr, "usage: vigil secret seal [-c FILE | -d DIR]   (the secret on stdin)\n");
    return 2;
}
