/*
 * cli.h — the `vigil` command's subcommands. main.c dispatches argv[1] to one of
 * these; each lives in its own file (cmd_<name>.c), parses its own options and returns
 * the process exit code (0 ok, 1 failure, 2 usage).
 */
#ifndef VIGIL_CLI_H
#define VIGIL_CLI_H

#include <stdint.h>
#include <stdio.h>

/* `vigil serve [-c FILE]`: the daemon (cmd_serve.c). */
int cmd_serve(int argc, char **argv);
/* `vigil parse [--tz Z] [--charset C] [--format F]`: decode stdin lines to JSON. */
int cmd_parse(int argc, char **argv);
/* `vigil decoders`: the routing table, decoder outputs → routes and aliases
 * (cmd_decoders.c). */
int cmd_decoders(int argc, char **argv);
/* `vigil search QUERY [--from T] [--to T] [--limit N] [--format table|jsonl]`. */
int cmd_search(int argc, char **argv);
/* `vigil alerts [--limit N] [--level L] [--format table|jsonl] [-c FILE | -d DIR]`:
 * the newest stored alerts (cmd_alerts.c). */
int cmd_alerts(int argc, char **argv);
/* `vigil alerts ack|escalate|close|suppress|suppressions|unsuppress ...`: the lifecycle
 * and suppressions (cmd_alerts_manage.c); argv as cmd_alerts got it. */
int cmd_alerts_manage(int argc, char **argv);
/* `vigil hunt --rules DIR... [--format jsonl|table] FILE...`: offline detection. */
int cmd_hunt(int argc, char **argv);
/* `vigil analyze`: the web attack analyzers on values, and their accuracy harness. */
int cmd_analyze(int argc, char **argv);
/* `vigil rules check PATH...`: load Sigma rules, report refusals (cmd_rules.c). */
int cmd_rules(int argc, char **argv);
/* `vigil rules test [PATH...]`: each rule file against its own test logs
 * (cmd_rules_test.c); argv as cmd_rules got it. */
int cmd_rules_test(int argc, char **argv);
/* `vigil terminals [--format table|jsonl] [-c FILE | -d DIR]` (cmd_terminals.c). */
int cmd_terminals(int argc, char **argv);
/* `vigil stats [-c FILE]`: counters of a running or stopped daemon. */
int cmd_stats(int argc, char **argv);

/* `vigil audit verify [-c FILE | -d DIR] [--heads FILE]`: check the sealed audit trail
 * (cmd_audit.c). */
int cmd_audit(int argc, char **argv);
/* `vigil backup [-c FILE | -d DIR] --out BACKUP [--days N | --from D --to D]` and
 * `vigil restore --from BACKUP -d DIR` (cmd_backup.c). */
int cmd_backup(int argc, char **argv);
int cmd_restore(int argc, char **argv);
/* `vigil secret seal [-c FILE | -d DIR]`: a secret for the configuration, sealed with
 * the store's key of secrets at rest (cmd_secret.c). */
int cmd_secret(int argc, char **argv);
/* `vigil serve`'s console (serve_console.c): the 4A service opened on the store (and the
 * outputs' sealed secrets opened with its key), then the first accounts and the HTTPS
 * server; serve_console_free frees what they kept. */
struct auth;
struct ingest;
struct ingest_config;
struct store;
struct web;
int serve_auth_open(struct ingest_config *cfg, struct store *st, struct auth **au);
int serve_console_start(const struct ingest_config *cfg, struct store *st, struct ingest *ig,
                        struct auth *au, struct web **web);
void serve_console_free(void);
/* Records in the audit trail that the user running the command (USER, else "cli")
 * did `action` on `object` from the command line, with `result` (cli_audit.c). */
void cli_audit(const char *action, const char *object, const char *result);

/*
 * The data directory a reading command uses: `dir` (-d) when given, else the data_dir of
 * the config file `conf` (-c) when given, else ./var. On success *out is a heap string
 * the caller frees with mem_free; on a bad config prints "vigil NAME: FILE:LINE: reason"
 * and returns ERR_INVAL.
 */
int cli_data_dir(const char *name, const char *conf, const char *dir, char **out);

typedef int (*cli_line_fn)(void *ctx, const char *line, size_t len, uint64_t lineno);

/*
 * Reads f to its end and calls fn for each line (without its '\n' or '\r\n'; numbered
 * from 1); a line over EVENT_MAX_RECORD bytes is cut (see cli_lines.c). fn's non-zero
 * return stops the reading and is returned. ERR_IO on a read error, ERR_NOMEM.
 */
int cli_read_lines(FILE *f, cli_line_fn fn, void *ctx);

#endif
