/*
 * config_int.h — the configuration loader's state and the value readers its files
 * share (config.c: the schema and the loader; config_console.c: `web:` and `audit:`).
 * Every reader refuses a bad value with "FILE:LINE: reason" in the loader's err and
 * returns ERR_INVAL (ERR_NOMEM when a copy fails).
 */
#ifndef VIGIL_INGEST_CONFIG_INT_H
#define VIGIL_INGEST_CONFIG_INT_H

#include "core/core.h"
#include "ingest/ingest.h"

struct loader {
    const char *file;
    char *err;
    size_t errlen;
    const struct decode_custom *custom; /* the config's own decoders (loaded first) */
};

/* Writes "FILE:LINE: " + fmt (one %s: arg) into l's err; returns ERR_INVAL. */
int ld_bad(struct loader *l, unsigned line, const char *fmt, const char *arg);
/* 0 when n is a single value, else an error naming key. */
int ld_want_scalar(struct loader *l, const struct cfg_node *n, const char *key);
/* A whole number from lo to hi. */
int ld_get_uint(struct loader *l, const struct cfg_node *n, const char *key, uint64_t lo,
                uint64_t hi, uint64_t *out);
/* A non-empty text, copied into *out (the previous value freed). */
int ld_get_str(struct loader *l, const struct cfg_node *n, const char *key, char **out);
/* true or false. */
int ld_get_bool(struct loader *l, const struct cfg_node *n, const char *key, bool *out);
/* A duration: whole seconds, or N followed by s, m, h or d, from lo_s to hi_s; in ns. */
int ld_get_duration(struct loader *l, const struct cfg_node *n, const char *key, int64_t lo_s,
                    int64_t hi_s, int64_t *out_ns);
/* Appends a copy of v to the array *arr of *n. */
int ld_push_text(char ***arr, size_t *n, const char *v);

/* `audit: {hmac, key_file, heads_file, heads_interval, heads_syslog}` (store.h) */
int config_audit_section(struct loader *l, struct ingest_config *c, const struct cfg_node *v);
/* `web: {...}` with its `ldap:` (web.h, auth.h) */
int config_web_section(struct loader *l, struct ingest_config *c, const struct cfg_node *v);
/* `rates: {...}` the rate analyzers (config_rates.c; detect/rate.h) */
int config_rates_section(struct loader *l, struct ingest_config *c, const struct cfg_node *v);
/* Frees what the web and audit sections own, and zeroes them. */
void config_console_fini(struct ingest_config *c);

#endif
