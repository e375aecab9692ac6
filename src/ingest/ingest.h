/*
 * ingest.h — the public header of the ingest module: the inputs (syslog UDP, syslog TCP
 * with RFC 6587 framing, file tail with checkpoints, stdin), the daemon's configuration,
 * and the pipeline that carries their records to the store (docs/ARCHITECTURE.md §1, §6):
 *
 *   I/O thread (epoll, every input) ─► batches ─► N decode+match workers ─► store writer
 *
 * Workers match every decoded event against the current Sigma rule set (detect_engine)
 * and note the matches in the batch; the writer stores them as alerts (vigil.db) just
 * before the batch's events. The rule set is swapped whole on SIGHUP.
 *
 * Each stream (input × sending host) always goes to the same worker, so its order is
 * kept. Batches are a fixed pool: when none is free the I/O thread waits (TCP, file and
 * stdin stop being read: backpressure) except for UDP, whose datagrams are then dropped
 * and counted. A file input's checkpoint travels in the batch and is committed in the
 * same store transaction as the events it covers.
 *
 * In-flight bound: what has been read from a socket but not committed is at most the
 * batch pool (queue_batches + inputs × workers open batches) × batch_records records,
 * plus the store's open group (group commit: at most 8192 events and one batch,
 * committed as soon as the writer's queue runs empty), plus one partial frame per
 * connection. A SIGKILL can lose that much network data (and whatever the kernel held
 * in socket buffers); file inputs lose nothing (checkpoints).
 */
#ifndef VIGIL_INGEST_H
#define VIGIL_INGEST_H

#include "enrich/lists.h"
#include "core/core.h"
#include "detect/rate.h"
#include "output/output.h"
#include "store/store.h"

/* ---- configuration --------------------------------------------------------------- */

enum ingest_type { INGEST_UDP, INGEST_TCP, INGEST_FILE, INGEST_STDIN, INGEST_NETFLOW };

/* The port NetFlow/IPFIX exporters usually send to (the netflow input's default). */
#define INGEST_DEFAULT_NETFLOW_PORT "127.0.0.1:2055"

/* One input of the configuration. Strings are owned by the config (ingest_config_fini). */
struct ingest_input_cfg {
    enum ingest_type type;
    char *name;                    /* unique; defaults to the type name (+ index when repeated) */
    char *listen;                  /* UDP/TCP: "HOST:PORT" (port 0 = ephemeral), IPv6 "[::1]:514" */
    char *path;                    /* file */
    char *start_pattern;           /* file: POSIX ERE; a matching line starts a new record */
    char *tz;                      /* zone of timestamps without one (NULL = UTC) */
    char *charset;                 /* "auto" (NULL), "utf-8", "gbk", "gb18030" */
    char *format;                  /* NULL/"auto" or a decoder name to force */
    size_t max_frame;              /* record cap in bytes; longer ones are cut and flagged */
    unsigned max_connections;      /* TCP: accepted connections beyond it are closed at once */
    unsigned idle_timeout_s;       /* TCP: a silent connection is closed after this */
    unsigned multiline_timeout_ms; /* file: a pending multi-line record is flushed after */
    unsigned line;                 /* config line of this input, for messages */
};

/* The values of one |expand placeholder (rules.placeholders), owned by the config. */
struct ingest_placeholder_cfg {
    char *name; /* without the % signs */
    char **values;
    unsigned nvalues;
};

/*
 * The `rules:` section: Sigma files and directories (relative paths are taken from the
 * working directory, as data_dir is) loaded at start and again on SIGHUP, and the
 * placeholder values |expand uses (struct detect_load_opts). No paths: no matching.
 */
struct ingest_rules_cfg {
    char **paths;
    size_t npaths;
    struct ingest_placeholder_cfg *placeholders;
    unsigned nplaceholders;
    bool no_builtin; /* `builtin: false`: without Vigil's built-in analyzer rules */
};

#define INGEST_MAX_RULE_PATHS 64
#define INGEST_MAX_PLACEHOLDERS 256
#define INGEST_MAX_PLACEHOLDER_VALUES 4096

/* `correlation:` and `alerts:` (zeros: the defaults of correlate.h and alert.h). */
struct ingest_alert_cfg {
    int64_t lateness_ns;
    size_t max_groups, max_bytes;
    int64_t merge_window_ns;
    size_t max_open;
    size_t max_first_seen; /* combinations vigil_first_seen remembers: default 1,000,000 */
    double entity_threshold;  /* accumulated risk that raises an entity alert: default 20 */
    int64_t entity_halflife_ns; /* its decay: default 1 h */
};

/* `health:` (zeros: the defaults of health.c) */
struct ingest_health_cfg {
    int64_t silence_min_ns;  /* default 10 min */
    double silence_factor;   /* default 3 */
    int64_t max_skew_ns;     /* default 5 min; -1: not checked */
};

/* `audit:` how the trail is sealed (struct store_audit_opts; zeros: the defaults) */
struct ingest_audit_cfg {
    char *hmac, *key_file, *heads_file;
    int heads_interval_s;
    int heads_syslog; /* 1 on, -1 off, 0 default */
};

/* `web: {ldap: ...}` directory accounts (auth.h struct auth_ldap_config) */
struct ingest_ldap_cfg {
    bool on;
    char *url, *bind_dn, *bind_password, *base_dn, *user_filter, *group_base, *group_filter;
    bool starttls;
    int timeout_s;
    char **group_dn, **group_role; /* `roles:` group DN -> role name */
    size_t ngroups;
    char **pii_groups;
    size_t npii;
};

/* `web:` the console (src/web, src/auth); zeros: the defaults */
struct ingest_web_cfg {
    bool off;                /* `enabled: false` */
    char *listen;            /* default 127.0.0.1:8443 */
    char *cert, *key;        /* default: a self-signed pair made in DATA_DIR/tls */
    char *root;              /* the console's files; default web/dist */
    char *metrics_token;     /* a bearer token for /metrics scrapers; NULL: sessions only */
    int idle_timeout_min;    /* default 15 */
    int password_expiry_days; /* default 90; -1: never */
    int min_password_length; /* default 8 */
    bool totp_optional;      /* `totp_required_for_admins: false` */
    struct ingest_ldap_cfg ldap;
    char **mask_patterns;    /* `mask_patterns:` the operator's personal data (PCRE2) */
    size_t nmask_patterns;
};

/* The daemon's configuration (`vigil serve -c FILE`). */
struct ingest_config {
    char *data_dir;
    int retention_days;     /* 0 = the store's default (190) */
    unsigned workers;       /* decode threads; default 1 */
    unsigned queue_batches; /* batches queued between stages beyond the open ones */
    unsigned batch_records; /* a batch is handed on at this many records ... */
    size_t batch_bytes;     /* ... or this many record bytes */
    unsigned flush_ms;      /* ... or when its first record is this old */
    enum log_level log_level;
    unsigned stats_interval_s;
    struct ingest_input_cfg *inputs;
    size_t ninputs;
    struct ingest_rules_cfg rules;
    struct ingest_alert_cfg alerting;
    struct ingest_health_cfg health;
    struct ingest_audit_cfg audit;
    struct ingest_web_cfg web;
    char *assets_path;       /* `assets:` the inventory file (YAML or CSV), NULL: none */
    char *geo_mmdb;          /* `geo: {mmdb: PATH}` a MaxMind DB; NULL: Debian's GeoIP.dat if any */
    bool geo_off;            /* `geo: {enabled: false}`: no geolocation at all */
    struct list_decl *lists; /* `lists:` the named lists (enrich/lists.h) */
    size_t nlists;
    struct decode_custom *custom; /* `decoders:`, the operator's own (decode.h) */
    struct output_cfg *outputs;   /* `outputs:` where alerts go besides the store (output.h) */
    size_t noutputs;
    struct rate_opts rates; /* `rates:` the rate analyzers (zeros: rate.h's defaults) */
    bool rates_off;         /* `rates: {enabled: false}` */
};

/* Whether the daemon matches at all: rule paths, or the built-in rules (on by default). */
static inline bool ingest_rules_configured(const struct ingest_config *c)
{
    return c->rules.npaths || !c->rules.no_builtin;
}

#define INGEST_DEFAULT_PORT "127.0.0.1:5514"
#define INGEST_DEFAULT_MAX_FRAME (64 * 1024)
#define INGEST_MAX_INPUTS 64

/* Fills c with the defaults (no inputs; data_dir unset). */
void ingest_config_defaults(struct ingest_config *c);

/*
 * Loads a YAML config from text[0..len) (file names messages after `file`) into c,
 * which must come from ingest_config_defaults. Unknown keys and bad values are refused:
 * returns ERR_PARSE / ERR_INVAL with "FILE:LINE: reason" in err. Missing data_dir
 * becomes "./var"; a config without an `inputs` key gets the default UDP and TCP
 * listeners on 127.0.0.1:5514. The caller frees with ingest_config_fini either way.
 */
int ingest_config_load(const char *file, const char *text, size_t len, struct ingest_config *c,
                       char *err, size_t errlen);

/* Reads and loads the file at path (at most 1 MiB) as ingest_config_load does. */
int ingest_config_load_file(const char *path, struct ingest_config *c, char *err, size_t errlen);

/* Appends an input of the given type with defaults; returns it (owned by c) or NULL. */
struct ingest_input_cfg *ingest_config_add_input(struct ingest_config *c, enum ingest_type type);

/* Frees everything c owns; leaves it empty. */
void ingest_config_fini(struct ingest_config *c);

/* "syslog_udp", "syslog_tcp", "file", "stdin". */
const char *ingest_type_name(enum ingest_type t);

/* ---- RFC 6587 framing ------------------------------------------------------------ */

/*
 * A syslog-over-TCP framer, independent of sockets: bytes go in, whole frames come out
 * through a callback. The first byte of a stream chooses the framing: a digit run then
 * a space means octet counting ("LEN SP MSG"); anything else means newline framing
 * (frames end at LF or NUL; a CR before LF is dropped; empty frames are skipped). In
 * octet-counting mode a header that is not "digits SP" switches the stream to newline
 * framing (that frame is flagged malformed); LF/CR/NUL/SP between frames are ignored.
 * A frame longer than max_frame is delivered cut to max_frame and flagged truncated,
 * and the rest of it is skipped. Memory: at most max_frame bytes buffered.
 */
enum {
    INGEST_FRAME_TRUNCATED = 1 << 0,
    INGEST_FRAME_MALFORMED = 1 << 1,
};

/* Receives one frame; p is valid only during the call. */
typedef void (*ingest_frame_fn)(void *ctx, const char *p, size_t len, unsigned flags);

struct ingest_framer {
    size_t max_frame;
    bool lf_only;    /* never octet counting (stdin) */
    int mode;        /* private: unknown, octet, lf */
    int state;       /* private */
    uint64_t remain; /* octet body bytes still expected */
    uint64_t skip;   /* bytes of a cut octet frame still to skip */
    bool cutting;    /* lf: skipping to the end of a cut line */
    bool malformed;  /* the frame being built is flagged malformed */
    char hdr[12];    /* an octet count being read */
    size_t hdr_len;
    char *buf; /* the frame being built (heap, grows to max_frame) */
    size_t len, size;
};

/* Prepares f; max_frame 0 means INGEST_DEFAULT_MAX_FRAME. Allocates nothing yet. */
void ingest_framer_init(struct ingest_framer *f, size_t max_frame, bool lf_only);
/* Frees f's buffer. */
void ingest_framer_fini(struct ingest_framer *f);

/*
 * Feeds p[0..n), calling fn for every frame completed. Returns 0, or ERR_NOMEM when the
 * frame buffer cannot grow (the frame being built is then delivered cut and flagged).
 */
int ingest_framer_feed(struct ingest_framer *f, const char *p, size_t n, ingest_frame_fn fn,
                       void *ctx);

/*
 * Ends the stream: a trailing newline-framed line is delivered; a partial octet-counted
 * frame is discarded. Returns the number of bytes discarded (0 when none). f can then
 * be reused for a new stream.
 */
size_t ingest_framer_eof(struct ingest_framer *f, ingest_frame_fn fn, void *ctx);

/* True when a frame is partly built (bytes would be lost by closing now). */
bool ingest_framer_pending(const struct ingest_framer *f);

/* ---- the pipeline ---------------------------------------------------------------- */

struct ingest;

/*
 * Builds the pipeline for cfg on store st (both outlive the result): loads and compiles
 * the rules of cfg->rules (a configured path that cannot be read fails here, with
 * "rules path P: reason"; refused rules are logged, not fatal), opens and binds every
 * input (ports are bound when this returns), reads file checkpoints from st, allocates
 * the batch pool. No thread runs yet. On failure writes a reason to err.
 */
int ingest_new(const struct ingest_config *cfg, struct store *st, struct ingest **out, char *err,
               size_t errlen);

/* Starts the I/O, worker and writer threads. */
int ingest_start(struct ingest *ig);

/*
 * Reloads the configured rule paths on the calling thread (never a worker: the daemon's
 * main loop on SIGHUP), compiles them and swaps the new set in atomically; workers pick
 * it up at their next batch. Rejected — the working set stays — when a configured path
 * cannot be read, when compiling fails, or when the new set has a refusal the current
 * one did not have (same file, rule id and reason), so a newly broken rule never
 * replaces a working set. Logs each new refusal and the outcome (rules loaded, refused,
 * load and compile time) and audits it (action rules.reload). Returns 0 when swapped,
 * ERR_INVAL when rejected for refusals, the build's error otherwise; 0 and a log line
 * when no rules are configured.
 */
int ingest_rules_reload(struct ingest *ig);

/* True once every input has ended by itself (stdin at EOF when it is the only input). */
bool ingest_finished(struct ingest *ig);

/*
 * Stops reading, drains the queues, writes everything accepted with its checkpoints,
 * joins the threads and writes the final stats file. Idempotent.
 */
void ingest_stop(struct ingest *ig);

/* Stops if needed, closes the inputs and frees ig. ingest_free(NULL) does nothing. */
void ingest_free(struct ingest *ig);

/*
 * Appends the ready description as JSON to out:
 * {"pid":N,"inputs":[{"name":"…","type":"syslog_udp","addr":"127.0.0.1:5514"},…]}.
 * For files the addr is the path; for stdin "-".
 */
int ingest_ready_json(struct ingest *ig, const char *console_url, struct buf *out);

/* Switches the rule of id off (it neither alerts nor feeds correlations) or on again;
 * kept in vigil.db's settings across restarts and reloads (rules_state.c). ERR_INVAL,
 * ERR_FULL (10,000 off), ERR_DB. */
int ingest_rule_switch(struct ingest *ig, const char *id, bool off);
/* Appends the loaded rules as JSON: {"rules":[{id,title,level,status,file,tags,
 * disabled}], "refused", "correlations"} (rules_state.c). */
int ingest_rules_json(struct ingest *ig, struct buf *out);

/* Appends the pipeline's counters and queue depths in Prometheus' text format
 * (metrics.c): per input received/decoded/generic/malformed/dropped/stored, queue depths,
 * detection and alert counters. */
int ingest_metrics_text(struct ingest *ig, struct buf *out);

/* Writes ingest_ready_json's text to <dir>/serve.json atomically (tmp + rename); with
 * console_url (NULL: no console) as "console". */
int ingest_ready_write(struct ingest *ig, const char *dir, const char *console_url);

/*
 * Appends the counters and the source inventory as JSON to out (the stats.json
 * format): {"time":…,"uptime_s":…,"inputs":[{name,type,addr,received,decoded,generic,
 * malformed,dropped,stored}],"sources":[{input,host,first_seen,last_seen,events,rate}]}.
 * Counters: received = records framed by the input; decoded = events a specific decoder
 * understood; generic = events kept generic; malformed = events whose framing or header
 * was broken; dropped = records lost (UDP with the pipeline full or dropped by the
 * kernel, partial frames of closed connections, store failures); stored = rows inserted.
 * Sources are keyed by the sender's address for network inputs; file and stdin inputs
 * have the single host "-" (their records name their hosts only once decoded).
 */
int ingest_stats_json(struct ingest *ig, struct buf *out);

/* Writes <data_dir>/stats.json atomically (tmp + rename). */
int ingest_stats_write(struct ingest *ig);

#endif
