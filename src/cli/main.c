/*
 * main.c — the `vigil` binary: dispatches the subcommand. Every subcommand owns its
 * options; this file only knows their names.
 */
#include "cli/cli.h"
#include "core/core.h"
#include "event/event.h"

#include <stdio.h>
#include <string.h>

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *help;
};

static const struct command commands[] = {
    {"serve", cmd_serve, "run the daemon (inputs, decode, store)"},
    {"parse", cmd_parse, "decode log lines from stdin and print each event as JSON"},
    {"decoders", cmd_decoders, "list the decoders' outputs with their routes and aliases"},
    {"search", cmd_search, "search stored events"},
    {"alerts", cmd_alerts, "list the newest alerts the daemon stored"},
    {"terminals", cmd_terminals, "list the unregistered terminals DHCP and ARP saw"},
    {"stats", cmd_stats, "print the input and store counters"},
    {"hunt", cmd_hunt, "run Sigma rules over log files and print the matches"},
    {"analyze", cmd_analyze, "judge web request values for SQL injection and XSS; --eval: accuracy"},
    {"rules", cmd_rules, "check Sigma rules: load them and report each refusal"},
    {"backup", cmd_backup, "copy the store online (settings, accounts, alerts, audit, days)"},
    {"restore", cmd_restore, "restore a backup into an empty data directory"},
    {"secret", cmd_secret, "seal a secret (bind password, token) for the configuration"},
    {"audit", cmd_audit, "verify the sealed audit trail (deleted, altered, cut-off records)"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: vigil COMMAND [options]   (vigil COMMAND --help for its options)\n\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].help);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    field_registry_init();
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "vigil: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
