/*
 * cmd_rules.c — `vigil rules check PATH...` (and `vigil rules test`, cmd_rules_test.c): loads Sigma
 * rules from files and directories the way the daemon will, prints one line per refused document
 * (path, line, rule id, reason) and ends with "loaded N, refused M". The exit status is 0 when
 * every file could be read (refused rules are reported, not failures of the command),
 * 1 when a file or directory could not be read or parsed as YAML, 2 on bad usage.
 */
#include "cli/cli.h"
#include "core/core.h"
#include "detect/detect.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: vigil rules check PATH...   (Sigma YAML files or directories)\n"
               "       vigil rules test [--placeholder NAME=VALUE ...] [PATH...]\n"
               "         runs each NAME.yml over NAME.match.log (must alert) and\n"
               "         NAME.nomatch.log (must not); PATH defaults to rules\n");
}

static void print_refusal(void *ctx, const struct detect_refusal *r)
{
    (void)ctx;
    printf("%s:%u: %s: %s\n", r->file, r->line, r->id, r->reason);
}

/* See cli.h. */
int cmd_rules(int argc, char **argv)
{
    if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        usage(stdout);
        return 0;
    }
    if (argc >= 2 && !strcmp(argv[1], "test"))
        return cmd_rules_test(argc, argv);
    if (argc < 3 || strcmp(argv[1], "check") != 0) {
        usage(stderr);
        return 2;
    }
    struct detect_rules *rs = NULL;
    struct detect_load_stats st;
    int rc = detect_rules_load(NULL, (const char *const *)argv + 2, (size_t)argc - 2, print_refusal,
                               NULL, &rs, &st);
    if (rc) {
        fprintf(stderr, "vigil rules: %s\n", err_str(rc));
        return 1;
    }
    printf("loaded %zu, refused %zu", st.rules + st.correlations + st.filters, st.refused);
    if (st.correlations || st.filters)
        printf(" (%zu rules, %zu correlations, %zu filters)", st.rules, st.correlations,
               st.filters);
    printf("\n");
    detect_rules_free(rs);
    return st.unreadable ? 1 : 0;
}
