/*
 * output.h — alert outputs besides the store (docs/ARCHITECTURE.md §7 "Outputs"): each
 * alert `vigil serve` writes to vigil.db is also handed to the configured outputs — a
 * webhook (HTTP POST of the alert as JSON), syslog forwarding as CEF (UDP or TCP), and
 * e-mail over SMTP. The writer thread only copies the alert into each output's bounded
 * queue; every output has its own thread that sends, retries with backoff and counts.
 * Nothing here blocks the writer: a full queue drops its oldest alert (counted).
 *
 * The module sits between alert and ingest: it reads alert rows (alert.h) and does the
 * network I/O (libcurl for HTTP and SMTP, plain sockets for syslog); it knows nothing of
 * the store or the pipeline. Its parts: out_config.c (the `outputs:` schema),
 * out_render.c (JSON, CEF, syslog and e-mail text), out_queue.c (the bounded queue),
 * out_throttle.c (updates at most once a minute per alert), out_set.c (the threads),
 * out_webhook.c, out_syslog.c, out_email.c (one sender each).
 */
#ifndef VIGIL_OUTPUT_H
#define VIGIL_OUTPUT_H

#include "alert/alert.h"
#include "core/core.h"

#include <pthread.h>

/* The product version CEF headers and e-mails carry. */
#define OUTPUT_PRODUCT_VERSION "0.1"

/* ---- configuration (out_config.c) --------------------------------------------------- */

enum output_type { OUTPUT_WEBHOOK, OUTPUT_SYSLOG, OUTPUT_EMAIL };

#define OUTPUT_MAX 16            /* outputs a configuration may list */
#define OUTPUT_MAX_RETRIES 8     /* entries of `retry:` */
#define OUTPUT_MAX_HEADERS 32    /* webhook headers */
#define OUTPUT_MAX_RECIPIENTS 64 /* e-mail `to:` */

enum output_tls { OUTPUT_TLS_NONE, OUTPUT_TLS_TRY, OUTPUT_TLS_REQUIRED };

/* One entry of `outputs:`. Strings are owned by the entry (output_config_free). */
struct output_cfg {
    enum output_type type;
    char *name;       /* unique; defaults to the type (+ a number when it repeats) */
    int min_level;    /* 0 informational .. 4 critical: alerts below are not sent */
    bool on_update;   /* also send updates of merged alerts (at most once a minute each) */
    size_t max_queue; /* alerts waiting: default 10,000 */
    int64_t retry_ns[OUTPUT_MAX_RETRIES]; /* waits before each retry: 1 s, 5 s, 30 s */
    unsigned nretries;                    /* 0: one attempt only */
    int64_t timeout_ns;                   /* one attempt: default 10 s */
    char *url;                            /* webhook (http/https), email (smtp/smtps) */
    char **headers;                       /* webhook: "Name: value" */
    size_t nheaders;
    char *address;    /* syslog: HOST:PORT */
    bool tcp;         /* syslog: TCP (else UDP) */
    bool rfc3164;     /* syslog: the BSD header (else RFC 5424) */
    bool octet_count; /* syslog over TCP: RFC 6587 octet counting (else a newline) */
    int facility;     /* syslog: 0-23, default 16 (local0) */
    char *from;       /* email */
    char **to;        /* email */
    size_t nto;
    char *username, *password; /* email: SMTP AUTH (optional) */
    enum output_tls starttls;  /* email over smtp://: STARTTLS none, try or required */
    unsigned line;             /* of the entry in the configuration, for messages */
};

struct cfg_node;

/*
 * Loads `outputs:` (v, a sequence of maps) into *out[0..*n), appended to what is there.
 * Every key is checked: a bad one returns ERR_INVAL with "FILE:LINE: reason" in err.
 * The caller owns the array (output_config_free) whatever the result.
 */
int output_config_load(const struct cfg_node *v, const char *file, struct output_cfg **out,
                       size_t *n, char *err, size_t errlen);
void output_config_free(struct output_cfg *o, size_t n);
/* "webhook", "syslog", "email". */
const char *output_type_name(enum output_type t);
/* informational 0, low 1, medium 2, high 3, critical 4; -1 for anything else. */
int output_level_rank(const char *level);

/* ---- an alert as the outputs hold it (out_render.c) ----------------------------------- */

/*
 * A copy of an alert row in one allocation (struct and strings), shared by the queues of
 * the outputs that send it and freed by the last output_alert_unref. Entities keep their
 * length (a value from a log line may hold any byte); p NULL means absent.
 */
struct output_alert {
    _Atomic unsigned refs;
    uint64_t id;
    bool is_new; /* a new alert; else an update of a merged one */
    const char *rule_id, *rule_title, *rule_level, *tags_json, *asset; /* NULL: absent */
    int64_t first_seen_ns, last_seen_ns, created_ns;
    uint64_t count;
    struct slice src_ip, dst_ip, user, host;
    uint64_t event_ids[ALERT_SAMPLE_IDS];
    unsigned nevents;
    double risk;
};

/* A copy of r with one reference, or NULL (no memory). */
struct output_alert *output_alert_new(const struct alert_row *r);
void output_alert_ref(struct output_alert *a);
/* Drops a reference; the last one frees. NULL does nothing. */
void output_alert_unref(struct output_alert *a);

/* The alert as one JSON object (the webhook body; field names as `vigil alerts --format
 * jsonl`, plus "event": "new" or "update"). Appends to b; b->err says if it did not fit. */
void output_render_json(struct buf *b, const struct output_alert *a);
/* The alert as a CEF record: CEF:0|Vigil|Vigil|VERSION|rule id|title|severity|extension,
 * header and extension values escaped as the CEF specification says. Appends to b. */
void output_render_cef(struct buf *b, const struct output_alert *a);
/* A syslog message carrying the CEF record: RFC 5424 or 3164 header (UTC) from
 * hostname, pid and now_ns, facility from o, severity from the alert's level. */
void output_render_syslog(struct buf *b, const struct output_cfg *o, const struct output_alert *a,
                          const char *hostname, long pid, int64_t now_ns);
/* An RFC 5322 message (CRLF lines, header values without control bytes, a non-ASCII
 * subject as an RFC 2047 word, body lines at most 998 bytes) for the e-mail output. */
void output_render_email(struct buf *b, const struct output_cfg *o, const struct output_alert *a,
                         const char *hostname, int64_t now_ns);

/* ---- the bounded queue (out_queue.c) -------------------------------------------------- */

/*
 * A FIFO of pointers between the writer thread (push) and one output thread (pop), at
 * most cap long. A push never waits: when the queue is full the oldest item is taken
 * out and returned to the caller, who counts and frees it.
 */
struct output_queue {
    void **ring;
    size_t cap, head, n;
    bool closed;
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

int output_queue_init(struct output_queue *q, size_t cap);
/* Frees the ring (not the items left: pop them first). */
void output_queue_fini(struct output_queue *q);
/* Appends item; returns the oldest item pushed out to make room, or NULL. */
void *output_queue_push(struct output_queue *q, void *item);
/* The oldest item, waiting until until_mono (vtime_mono_ns; -1: forever) while the
 * queue is empty and open. NULL on timeout, or when closed and empty. */
void *output_queue_pop(struct output_queue *q, int64_t until_mono);
/* Waits until until_mono or until the queue is closed (a retry's pause, cut short at
 * stop). True when it was closed. */
bool output_queue_sleep(struct output_queue *q, int64_t until_mono);
/* Wakes the consumer: it drains what is left, then pop returns NULL. */
void output_queue_close(struct output_queue *q);
size_t output_queue_len(struct output_queue *q);

/* ---- updates at most once a minute per alert (out_throttle.c) ------------------------ */

#define OUTPUT_UPDATE_EVERY_NS (60LL * NS_PER_SEC)
#define OUTPUT_THROTTLE_SETS 16384 /* x 4 ways: 65,536 alerts remembered */

/*
 * When each alert was last handed to the outputs, and the latest update held back
 * because that was less than a minute ago. A 4-way set-associative table: an alert
 * whose set is full replaces the one sent longest ago there (its held update, if any,
 * is released at once). Writer thread only.
 */
struct output_throttle;

struct output_throttle *output_throttle_new(void);
void output_throttle_free(struct output_throttle *t);
/*
 * a is about to be handed out at now_mono: true when it may go now (recorded as sent);
 * false when it is held (a reference taken; it replaces an earlier held update of the
 * same alert, which is unreferenced). A new alert always goes. *evicted gets a held
 * update pushed out of a full set (to be sent now, a reference the caller owns) or NULL.
 */
bool output_throttle_pass(struct output_throttle *t, struct output_alert *a, int64_t now_mono,
                          struct output_alert **evicted);
/* Calls fn for each held update whose minute is over at now_mono (all of them with
 * `all`), handing over its reference, and records it as sent. */
void output_throttle_due(struct output_throttle *t, int64_t now_mono, bool all,
                         void (*fn)(void *ctx, struct output_alert *a), void *ctx);
size_t output_throttle_held(const struct output_throttle *t);

/* ---- the running outputs (out_set.c) -------------------------------------------------- */

struct output_stats {
    const char *name;
    uint64_t sent;    /* alerts delivered */
    uint64_t failed;  /* alerts given up after the last retry (logged) */
    uint64_t dropped; /* alerts pushed out of a full queue, or unsent at stop (logged) */
    uint64_t retries; /* attempts after a failed one */
    size_t queued;    /* waiting now */
};

struct output_set;

/*
 * Starts one thread per configured output (cfg[0..n), which must outlive the set).
 * ERR_* with a reason in err when an output cannot be set up (a bad URL libcurl refuses,
 * no memory, no thread).
 */
int output_set_new(const struct output_cfg *cfg, size_t n, struct output_set **out, char *err,
                   size_t errlen);
/*
 * Hands the alert rows just written to the outputs (writer thread): new ones to every
 * output whose min_level they reach, updates to those with on_update (throttled). Rows
 * whose index is in skip[0..nskip) (found closed: not written) are left out. Copies
 * what it keeps; never waits on a sender.
 */
void output_set_push(struct output_set *s, const struct alert_row *rows, size_t n,
                     const size_t *skip, size_t nskip);
/* Releases held updates whose minute is over (call about once a second). */
void output_set_tick(struct output_set *s, int64_t now_mono);
/*
 * The end: releases every held update, lets the threads send what is queued for at most
 * drain_ns (a retry's pause and an attempt's timeout are cut to fit), counts the rest as
 * dropped, joins the threads and logs each output's counters. Idempotent.
 */
void output_set_stop(struct output_set *s, int64_t drain_ns);
/* Stops (when not stopped) and frees. NULL does nothing. */
void output_set_free(struct output_set *s);
size_t output_set_count(const struct output_set *s);
/* The counters of output i (any thread). */
void output_set_stats(struct output_set *s, size_t i, struct output_stats *st);
/* The counters of every output for the daemon's `stats rules:` log line, as
 * " output_NAME_sent N output_NAME_failed N output_NAME_dropped N output_NAME_retries N"
 * per output ("" for none), cut to fit out. Any thread. */
void output_stats_line(struct output_set *s, char *out, size_t outlen);

#define OUTPUT_DRAIN_NS (10LL * NS_PER_SEC) /* what the daemon gives the outputs at stop */

#endif
