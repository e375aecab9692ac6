/*
 * ingest_int.h — private declarations of the ingest module: batches and the queues
 * that carry them between threads, the input object and the const table of callbacks
 * every input type registers (in_udp.c, in_tcp.c, in_file.c, in_stdin.c), and the
 * record hand-off the inputs call from the I/O thread.
 */
#ifndef VIGIL_INGEST_INT_H
#define VIGIL_INGEST_INT_H

#include "decode/decode.h"
#include "detect/detect_engine.h"
#include "ingest/ingest.h"
#include "enrich/lists.h"

#include <pthread.h>
#include <stdatomic.h>

/* ---- batches --------------------------------------------------------------------- */

/* One record of a batch: its bytes are data[off..off+len). */
struct ingest_rec {
    uint64_t id;
    struct event_origin origin;
    int64_t received_ns;
    uint32_t off, len;
    uint32_t peer_off;
    uint16_t peer_len;
    uint16_t flags; /* EVF_* the input already knows (truncated, malformed) */
};

#define INGEST_CP_MAX 192

/* One rule match of a batch: event evs[ev] matched rule `rule` of the batch's engine. */
struct ingest_match {
    uint32_t ev;
    uint32_t rule;
};

/* A batch keeps at most batch_records x this many matches; at the cap the further matches
 * of the batch are dropped and counted (alerts_dropped) and a warning is logged. The
 * array grows on demand, so a batch without matches costs nothing. */
#define INGEST_MATCHES_PER_RECORD 8

/*
 * A batch: records of one input bound for one worker, their bytes, the events the
 * worker decodes them into (values in `arena`) and, for a file input, the checkpoint
 * that is true once these records are stored. Batches come from a fixed pool and go
 * back to it once written: the only allocations are the pool's, at start.
 */
struct ingest_batch {
    struct ingest_input *in;
    unsigned worker;
    char *data;
    size_t len, cap; /* cap = batch_bytes + max_frame + peer room */
    struct ingest_rec *recs;
    size_t n, max;
    struct event *evs; /* max events, filled by the worker */
    struct arena arena;
    int64_t opened_mono;  /* when the first record went in */
    const void *peer_src; /* the last peer copied, reused by the next record */
    uint32_t peer_off;
    uint16_t peer_len;
    char cp_value[INGEST_CP_MAX];
    bool has_cp;
    uint64_t decoded, generic, malformed; /* filled by the worker */
    struct detect_engine *engine;         /* the rules it was matched with (a reference), or NULL */
    struct ingest_match *matches;         /* filled by the worker, read by the writer */
    size_t nmatches, matches_cap;
    uint64_t matches_dropped; /* matches past the cap */
};

/* A bounded FIFO of batches between two threads (capacity = the pool, so a push never
 * waits; consumers wait while it is empty). */
struct ingest_queue {
    struct ingest_batch **ring;
    size_t cap, head, n;
    bool closed;
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

int ingest_queue_init(struct ingest_queue *q, size_t cap);
void ingest_queue_fini(struct ingest_queue *q);
void ingest_queue_push(struct ingest_queue *q, struct ingest_batch *b);
/* Pops the oldest batch, waiting up to timeout_ms (-1: forever) while it is empty.
 * Returns NULL on timeout or when the queue is closed and empty. */
struct ingest_batch *ingest_queue_pop(struct ingest_queue *q, int timeout_ms);
/* A non-waiting pop. */
struct ingest_batch *ingest_queue_trypop(struct ingest_queue *q);
/* Consumers see NULL once the queue is empty. */
void ingest_queue_close(struct ingest_queue *q);
/* True when the queue is closed and empty. */
bool ingest_queue_done(struct ingest_queue *q);

/* ---- inputs ---------------------------------------------------------------------- */

struct ingest_input;
struct ingest_source_entry;

/* What epoll reports readiness for: an input's socket or connection. */
struct ingest_pollee {
    struct ingest_input *in;
    int fd;
    void *obj; /* the input's own object (a TCP connection), or NULL */
};

/* The callbacks an input type registers. All run on the I/O thread except open and
 * close, which run on the thread that builds and frees the pipeline. */
struct ingest_input_ops {
    const char *type;
    /* Opens sockets / files and registers fds with ingest_watch. err gets a reason. */
    int (*open)(struct ingest_input *in, char *err, size_t errlen);
    /* An fd of this input is ready (EPOLLIN/EPOLLHUP/EPOLLERR bits in events). */
    void (*ready)(struct ingest_input *in, struct ingest_pollee *pe, uint32_t events);
    /* Timers: idle connections, file polling, multi-line flush. Returns true when the
     * input has more to do right away (the I/O loop then does not sleep). */
    bool (*tick)(struct ingest_input *in, int64_t now_mono);
    /* Frees what open made. */
    void (*close)(struct ingest_input *in);
};

extern const struct ingest_input_ops ingest_udp_ops;
extern const struct ingest_input_ops ingest_tcp_ops;
extern const struct ingest_input_ops ingest_netflow_ops;

struct netflow_templates;
/* Turns one NetFlow/IPFIX datagram from peer (its host part host_len bytes long) into
 * one record per flow, added to the input's batches as ingest_add does (in_netflow.c);
 * a record that finds no free batch is dropped and counted. */
void ingest_netflow_datagram(struct ingest_input *in, struct netflow_templates *t,
                             uint64_t host_hash, const char *peer, size_t peer_len, size_t host_len,
                             const uint8_t *p, size_t n, int64_t now);
extern const struct ingest_input_ops ingest_file_ops;
extern const struct ingest_input_ops ingest_stdin_ops;

struct ingest_counters {
    _Atomic uint64_t received, decoded, generic, malformed, dropped, stored;
};

/* Counters of detection, for the whole pipeline. */
struct ingest_rule_counters {
    _Atomic uint64_t matches;        /* rule matches found by the workers */
    _Atomic uint64_t alerts_written; /* alerts opened (rows inserted) */
    _Atomic uint64_t alerts_updated; /* writes of merged alerts */
    _Atomic uint64_t alerts_merged;  /* hits merged into an open alert */
    _Atomic uint64_t alerts_open;    /* open alerts the merger remembers */
    _Atomic uint64_t corr_hits;      /* correlations that held */
    _Atomic uint64_t corr_late;      /* matches behind the watermark */
    _Atomic uint64_t corr_evicted;   /* window groups dropped at the caps */
    _Atomic uint64_t corr_groups;    /* window groups held */
    _Atomic uint64_t corr_missing;   /* matches lacking a group-by field */
    _Atomic uint64_t seen_before;    /* matches of vigil_first_seen rules seen before */
    _Atomic uint64_t suppressed;     /* hits an analyst's suppression silenced */
    _Atomic uint64_t entity_alerts;  /* entities whose accumulated risk crossed the bar */
    _Atomic uint64_t health_alerts;  /* silent sources and skewed clocks reported */
    _Atomic uint64_t skew_untracked; /* skewed events of devices past the table's cap */
    _Atomic uint64_t alerts_failed;  /* alerts whose write failed (logged) */
    _Atomic uint64_t alerts_dropped; /* matches past a batch's cap (logged) */
    _Atomic uint64_t reloads_ok, reloads_rejected;
    _Atomic uint64_t cost_events;   /* events whose matching was timed (pipeline.c) */
    _Atomic uint64_t cost_match_ns; /* the compiled matcher's time on them */
    _Atomic uint64_t cost_rules_ns; /* every routed rule's time alone on them */
    /* the rate analyzers (alerting_rates.c), published by the writer */
    _Atomic uint64_t rate_obs, rate_late, rate_keys, rate_evicted, rate_findings, rate_alerts,
        rate_covered;
};

/* One running input. */
struct ingest_input {
    struct ingest *ig;
    const struct ingest_input_cfg *cfg;
    const struct ingest_input_ops *ops;
    unsigned index;
    struct decode_source src; /* tz, charset, format for decode_record */
    struct vtz *tz;           /* owned; src.tz points here */
    uint64_t name_hash;
    uint64_t seq;      /* per-input counter for network event ids */
    char addr[128];    /* bound address / path, for serve.json and stats */
    char cp_key[4200]; /* "file:PATH" for file inputs */
    bool ended;        /* stdin at EOF */
    struct ingest_counters ct;
    struct ingest_batch **open; /* one open batch per worker (I/O thread only) */
    void *priv;                 /* the type's state */
};

/* Registers fd for EPOLLIN with pe as its data; pe must live until ingest_unwatch. */
int ingest_watch(struct ingest_input *in, struct ingest_pollee *pe);
/* Removes fd from the epoll set (before closing it). */
void ingest_unwatch(struct ingest_input *in, struct ingest_pollee *pe);

/*
 * Adds one record to the open batch of (in, worker of host_hash), copying rec and peer
 * into it; the batch is handed on when full. cp, when not NULL, becomes the batch's
 * checkpoint (true once this record is stored); origin is
 * the record's stream and position when the input can replay it ({0, 0} otherwise). With `wait` the
 * call waits for a free batch when the pool is empty (backpressure); without it (UDP) it returns
 * ERR_FULL and the caller drops and counts the record. The I/O thread only; copies everything.
 */
int ingest_add(struct ingest_input *in, uint64_t host_hash, const char *rec, size_t len,
               unsigned flags, uint64_t id, struct event_origin origin, int64_t received_ns,
               const char *peer, size_t peer_len, const char *cp, bool wait);

/* The id of a network record: (input, peer, received, per-input counter). */
uint64_t ingest_net_id(struct ingest_input *in, uint64_t peer_hash, int64_t received_ns);

/* Converts INGEST_FRAME_* flags to EVF_* flags. */
unsigned ingest_frame_evflags(unsigned frame_flags);

/* Notes one record from (input, host) in the source inventory (I/O thread only).
 * host is a text form; the entry is found by hash. May return NULL at the cap. */
struct ingest_source_entry *ingest_source_note(struct ingest_input *in, uint64_t host_hash,
                                               const char *host, size_t host_len, int64_t now_ns,
                                               struct ingest_source_entry *hint);

/* Formats a socket address as "ip:port" (or "[v6]:port"); returns its length. */
size_t ingest_format_addr(const void *sa, size_t salen, char *out, size_t outlen, size_t *host_len);

/*
 * Opens a socket of `socktype` (SOCK_DGRAM / SOCK_STREAM) bound to listen ("HOST:PORT",
 * "[V6]:PORT"; port 0 = ephemeral), non-blocking and close-on-exec; listens for
 * streams. Writes the bound address to addr. On failure writes a reason to err.
 */
int ingest_bind(const char *listen, int socktype, int *fd, char *addr, size_t addrlen, char *err,
                size_t errlen);

/* ---- the source inventory (sources.c) -------------------------------------------- */

#define INGEST_SOURCES_MAX 4096 /* at the cap, new hosts are counted as "(other)" */
#define INGEST_HOST_MAX 64

struct ingest_source_entry {
    bool used;
    uint16_t input;
    uint8_t host_len;
    char host[INGEST_HOST_MAX];
    uint64_t hash;
    int64_t first_ns, last_ns;
    uint64_t events, prev_events;
    uint64_t saved_events; /* the part of `events` already merged into the store */
    double rate;           /* events/s, exponentially weighted over stats intervals */
    /* health.c: records this run, the longest gap between two (decayed daily), and
     * whether its silence was reported */
    uint64_t run_events;
    int64_t max_gap_ns;
    bool silent;
};

struct ingest_sources {
    struct ingest_source_entry *slots; /* open addressing, 2 x INGEST_SOURCES_MAX */
    size_t nslots, used;
    int64_t last_rate_ns;
};

int ingest_sources_init(struct ingest_sources *s);
void ingest_sources_fini(struct ingest_sources *s);
/* Seeds the inventory with what the store kept from earlier runs (inputs still
 * configured under the same name). Call after the inputs are initialised. */
int ingest_sources_load(struct ingest *ig);
/* Merges what is new since the last save into the store's inventory. I/O thread, or
 * the stopping thread after it has been joined. */
int ingest_sources_save(struct ingest *ig);
/* Updates the moving rates (at each stats interval). */
void ingest_sources_rates(struct ingest_sources *s, int64_t now_ns);

/* ---- source health (health.c) ------------------------------------------------------- */

enum ingest_health_kind { INGEST_HEALTH_SILENT, INGEST_HEALTH_SKEW };

/* A health finding on its way to the alert stage. */
struct ingest_health_hit {
    enum ingest_health_kind kind;
    int64_t time_ns, first_ns;
    int64_t skew_s; /* SKEW: event time minus receipt */
    char device[256];
    char input[64];
};

#define INGEST_HEALTH_QUEUE 256 /* silence findings waiting for the writer; more are dropped */

/* ---- the pipeline ---------------------------------------------------------------- */

/* The writer thread's alert stage (alerting.c). */
struct ingest_alerting {
    struct alert_merge *merge;
    struct correlator *corr;           /* NULL when the rule set has no correlation */
    struct detect_engine *corr_engine; /* the generation corr runs (a reference) */
    struct corr_item items[64];
    size_t *closed, capclosed;
    uint64_t late_before, evicted_before; /* counts of correlators dropped at reloads */
    struct skew_device *skew;             /* health.c: devices with skewed clocks */
    size_t nskew;
    struct alert_seen *seen;                 /* vigil_first_seen: what was seen */
    struct alert_entities *entities;         /* risk per entity */
    struct store_first_seen seen_rows[1024]; /* new ones, stored with the next write */
    size_t nseen_rows;
    struct arena seen_arena;          /* their strings */
    struct store_terminal terms[512]; /* unregistered terminals seen since the last write */
    size_t nterms;
    struct arena terms_arena;      /* their strings */
    struct alert_suppression *sup; /* the suppressions in force, reread every 10 s */
    size_t nsup, capsup;
    struct arena sup_arena; /* their strings */
    int64_t sup_read_mono;
    struct output_set *outputs; /* NULL: none configured */
    struct rate *rate;          /* the rate analyzers (alerting_rates.c); NULL: off */
};

struct ingest {
    const struct ingest_config *cfg;
    struct store *st;
    struct ingest_input *inputs;
    size_t ninputs;
    unsigned nworkers;
    int ep, wake_fd;
    struct ingest_batch *pool;
    size_t npool;
    size_t max_frame; /* the largest of the inputs' */
    struct ingest_queue free_q, write_q;
    struct ingest_queue *work_q; /* one per worker */
    struct decode_ctx **dctx;    /* one per worker */
    pthread_t io_th, write_th;
    pthread_t *work_th;
    size_t work_started;
    bool io_started, write_started, stopped, ran;
    atomic_bool stop, finished;
    int64_t start_ns;
    int64_t now_ns; /* wall clock of the I/O loop's current turn */
    struct ingest_sources sources;
    char *stats_path;
    /* detection: the published engine, what reloads load, and the writer's alert rows */
    struct detect_engine_holder rules;
    struct detect_placeholder *placeholders; /* cfg->rules.placeholders as load options */
    uint64_t rules_gen;                      /* last generation built (reloading thread) */
    pthread_mutex_t reload_mu;               /* one reload at a time */
    struct ingest_rule_counters rct;
    struct ingest_alerting alerting; /* writer thread only */
    struct assets *assets;           /* the inventory (NULL: none); read-only, shared */
    /* health.c: silence findings from the I/O thread to the writer */
    pthread_mutex_t health_mu;
    struct ingest_health_hit health_q[INGEST_HEALTH_QUEUE];
    size_t nhealth;
    int64_t health_checked_ns; /* I/O thread */
    struct geo *geo;           /* geolocation (NULL: none); read-only, shared */
    struct list_holder lists;  /* the named lists; workers take a snapshot a batch */
    int64_t lists_mono;        /* last check of the lists' files (writer thread) */
    uint64_t lists_bad_sig;    /* the files' digest when a reload last failed */
    atomic_uint_fast64_t lists_reloaded, lists_reload_failed;
    /* from receipt to the store: the oldest record of the last batch written */
    _Atomic int64_t store_lag_ns;
    /* rules switched off from the console (rules_state.c) */
    pthread_rwlock_t disabled_lock;
    uint64_t *disabled; /* sorted hashes of their ids */
    size_t ndisabled;
};

/* Reads the rules switched off from the store / frees the set (rules_state.c). */
int ingest_rules_state_load(struct ingest *ig);
void ingest_rules_state_free(struct ingest *ig);
/* True when rule of rules is switched off. Any thread. */
bool ingest_rule_disabled(struct ingest *ig, const struct detect_rules *rules, size_t rule);

/* Notes a record of source e at now_ns (before its last_ns is updated). I/O thread. */
void ingest_health_note(struct ingest_source_entry *e, int64_t now_ns);
/* Reports the network sources silent for longer than their usual gap. I/O thread. */
void ingest_health_check(struct ingest *ig, int64_t now_ns);
/* Takes up to max waiting silence findings. Writer thread. */
size_t ingest_health_take(struct ingest *ig, struct ingest_health_hit *out, size_t max);
/* True (hit filled) when ev is the skewed event that shows its device's clock is off.
 * Writer thread. */
bool ingest_health_skew(struct ingest *ig, const struct event *ev, struct ingest_health_hit *hit);

/* ---- enrichment beyond the inventory (enriching.c) ------------------------------------ */

#define LISTS_CHECK_NS (2 * NS_PER_SEC) /* how often the writer looks at the lists' files */

/* Opens the geolocation database and reads the named lists of ig->cfg; "FILE:LINE:
 * reason" in err (a missing MaxMind DB, a bad list line). */
int ingest_enrich_init(struct ingest *ig, char *err, size_t errlen);
/* Adds to ev (decoded on a worker) the inventory's, geolocation's and lists' fields;
 * lists is the batch's snapshot (may be NULL), arena the batch's. */
struct list_set;
struct arena;
void ingest_enrich_event(struct ingest *ig, const struct list_set *lists, struct event *ev,
                         struct arena *arena);
/* On the writer thread once a second: every LISTS_CHECK_NS the lists' files are looked at
 * and, when one changed, all are read again and the new snapshot published (a bad file
 * keeps the previous snapshot in force, logged once). */
void ingest_enrich_tick(struct ingest *ig, int64_t now_mono_ns);
void ingest_enrich_fini(struct ingest *ig);

/* ---- the alert stage (alerting.c), on the writer thread ------------------------------- */

int ingest_alerting_init(struct ingest *ig);
/* Adds hit h's risk to its entities' scores (an entity crossing the bar raises its own
 * alert). Writer thread. */
void ingest_accumulate(struct ingest *ig, const struct alert_hit *h);
/* The most valuable asset behind h's entities: its value (ASSET_DEFAULT_VALUE when none
 * is known), its name in *name (NULL when none; points into inv). */
struct assets;
int ingest_pick_asset(const struct assets *inv, const struct alert_hit *h, const char **name);
/* The matches of b: correlations fed, hits merged, changed alerts written. */
void ingest_alerting_batch(struct ingest *ig, struct ingest_batch *b);
/* A quiet moment: the correlator's watermark follows the wall clock; alerts written. */
void ingest_alerting_tick(struct ingest *ig, int64_t now_mono_ns);
/* The end: the correlator's open windows judged, the last alerts written. */
void ingest_alerting_finish(struct ingest *ig);
void ingest_alerting_fini(struct ingest *ig);

/* ---- the rate analyzers in the alert stage (alerting_rates.c), writer thread ------------ */

/* Starts them unless `rates: {enabled: false}`; ERR_NOMEM. */
int ingest_rates_init(struct ingest *ig);
/* Each web request and firewall or flow event of b as an observation. */
void ingest_rates_batch(struct ingest *ig, const struct ingest_batch *b);
/* Quiet stream: event time follows the wall clock; counters published. */
void ingest_rates_tick(struct ingest *ig, int64_t now_mono_ns);
/* The end: every open episode reported closed. */
void ingest_rates_finish(struct ingest *ig);
void ingest_rates_fini(struct ingest *ig);

/* ---- what the alert stage keeps besides alerts (alerting_notes.c), writer thread ------- */

#define INGEST_SUPPRESSIONS_EVERY_NS (10LL * NS_PER_SEC) /* how often they are reread */

/* Rereads the suppressions in force from vigil.db. */
void ingest_suppressions_read(struct ingest *ig, int64_t now_mono);
/* True when an analyst's suppression silences h (counted). */
bool ingest_suppressed(struct ingest *ig, const struct alert_hit *h);
/* Fills the first-seen set from vigil.db (at start). */
int ingest_seen_load(struct ingest *ig);
/* True when the match of rule ri on ev may alert as far as vigil_first_seen goes (the
 * rule has none, or its values are new: then noted, to be stored). */
bool ingest_first_time(struct ingest *ig, const struct detect_rule_info *ri,
                       const struct event *ev);
/* Stores the first-seen values noted since the last write. */
void ingest_write_seen(struct ingest *ig);
/* Notes a DHCP or ARP sighting of an unregistered terminal. */
void ingest_note_terminal(struct ingest *ig, const struct event *ev);
/* Stores the terminal sightings noted since the last write. */
void ingest_write_terms(struct ingest *ig);

#endif
