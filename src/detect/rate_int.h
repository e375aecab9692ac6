/*
 * rate_int.h — private declarations of the rate analyzers (rate.h): the baseline
 * (rate_base.c), the sketches (rate_sketch.c), the keyed tables with their caps
 * (rate_table.c), the per-second judges (rate_judge.c), the scans (rate_scan.c) and
 * the engine that routes observations to them (rate_engine.c).
 */
#ifndef VIGIL_RATE_INT_H
#define VIGIL_RATE_INT_H

#include "detect/rate.h"

#define RATE_MAX_CHAN 4   /* counts per key and second */
#define RATE_MAX_JUDGES 2 /* judges per table */
#define RATE_HLL_BITS 9
#define RATE_HLL_M (1u << RATE_HLL_BITS) /* HyperLogLog registers: ±4.6% */
#define RATE_TOP_PATHS 8                 /* URL paths a site's episode ranks (space-saving) */
#define RATE_PATH_MAX 96                 /* bytes of a ranked path kept */
#define RATE_BITMAP_WORDS 8              /* scans: 512 bits per half window */

/* ---- baseline (rate_base.c) ----------------------------------------------------------- */

/* The exponentially weighted mean and variance of one per-second rate, and the
 * thresholds they give. n counts the seconds learned: until 1/n falls below alpha the
 * weight is 1/n (a plain mean), so a young baseline is not biased towards zero. */
struct rate_base {
    double mean, var;
    uint64_t n;
    double thr_open;  /* a second above it is over */
    double thr_close; /* during an episode a second above it still is */
};

/* How a baseline learns and judges. */
struct rate_base_params {
    double alpha; /* weight of a new second once the baseline is old */
    double k, multiplier, floor;
};

/* Learns one second of value x, then updates the thresholds. */
void rate_base_learn(struct rate_base *b, const struct rate_base_params *p, double x);
/* Learns n seconds of zero (closed form once the weight is alpha). */
void rate_base_learn_zeros(struct rate_base *b, const struct rate_base_params *p, uint64_t n);
/* Recomputes the thresholds from mean and variance. */
void rate_base_thresholds(struct rate_base *b, const struct rate_base_params *p);

/* ---- sketches (rate_sketch.c) --------------------------------------------------------- */

/* Adds hash h to a HyperLogLog of RATE_HLL_M one-byte registers. */
void rate_hll_add(uint8_t *reg, uint64_t h);
uint64_t rate_hll_count(const uint8_t *reg);

/* A bitmap of 512 bits: sets the bit of h; the distinct count of the union of a and b
 * (linear counting). */
void rate_bitmap_add(uint64_t *bm, uint64_t h);
uint64_t rate_bitmap_count(const uint64_t *a, const uint64_t *b);

struct rate_path {
    uint64_t hash, count;
    uint8_t len;
    char text[RATE_PATH_MAX];
};
/* Space-saving over RATE_TOP_PATHS counters: counts path (hash h). */
void rate_paths_add(struct rate_path *top, uint64_t h, struct slice path);
/* The counter with the highest count, or NULL when none. */
const struct rate_path *rate_paths_top(const struct rate_path *top);

/* ---- tables and judges ------------------------------------------------------------------ */

/* What a judge of an over second keeps besides counts: allocated when its first over
 * observation comes, freed when the run dies or the episode closes. */
struct rate_evidence {
    uint64_t ids[RATE_SAMPLE_IDS]; /* a ring of the most recent */
    unsigned nids, idhead;
    uint8_t *hll;            /* distinct sources, or NULL */
    struct rate_path *paths; /* RATE_TOP_PATHS, or NULL */
    uint64_t paths_counted;
};

/* One judge's state for one key. Seconds are whole seconds of event time. */
struct rate_judge {
    uint32_t run;   /* over seconds since the run or episode began */
    uint32_t quiet; /* seconds in a row not over, during an episode */
    bool open;
    bool muted; /* open inside the parent's episode (a URL's in its site's flood): its
                 * reports are not made (rate_judge.c) */
    int64_t first, last, last_report;
    uint64_t sum[RATE_MAX_CHAN], peak[RATE_MAX_CHAN];
    uint64_t pend[RATE_MAX_CHAN]; /* counts of the quiet seconds inside an episode */
    double mean_at, thr_at;       /* the main channel's baseline when the run began */
    struct rate_evidence *ev;
};

/* A key: its second counts (a ring of lateness+1 seconds), baselines and judges. One
 * allocation sized by its table: the struct, ring_len x nchan counts, nchan baselines,
 * njudges judges, then the key bytes (rate_key_text). */
struct rate_key {
    struct rate_key *hnext;         /* hash chain */
    struct rate_key *prev, *next;   /* the table's list by last touch (eviction order) */
    struct rate_key *wprev, *wnext; /* the work list it is on (where) */
    uint64_t hash;
    int64_t born_sec, last_sec, closed_sec; /* seconds <= closed_sec are judged */
    uint8_t where;                          /* RATE_NOWHERE, RATE_UNSETTLED, RATE_LIVE */
    uint8_t pflags;                         /* a gated table's key: RATE_PARENT_* */
    uint16_t keylen;
    size_t bytes;
    double pmean;             /* a gated table's key: its parent's mean, main channel */
    struct rate_base *base;   /* nchan, in the allocation */
    struct rate_judge *judge; /* njudges, in the allocation */
    uint64_t ring[];          /* ring_len x nchan, then base, judge and the key */
};

enum { RATE_NOWHERE, RATE_UNSETTLED, RATE_LIVE };

/* What a gated table's key (a URL) knew of its parent (its site) at its last push: the
 * parent is past its warm-up; the parent's main judge has a run or an open episode. */
enum { RATE_PARENT_WARM = 1, RATE_PARENT_FLOOD = 2 };

struct rate_judge_spec {
    enum rate_kind kind;
    uint8_t chans; /* bit c: channel c is judged (the lowest is the main one) */
    bool hll, paths;
};

/* What a table counts and judges; the channels a judge does not name are evidence. */
struct rate_table_spec {
    const char *name;
    unsigned nchan, njudges;
    struct rate_judge_spec judge[RATE_MAX_JUDGES];
};

struct rate_table {
    const struct rate_table_spec *spec;
    struct rate_base_params params[RATE_MAX_CHAN];
    int64_t warmup_s;
    /* gated (URLs): a key is judged only once its parent is warm, is muted while the
     * parent's flood is on, and for its first young_s seconds its main channel's open bar
     * is at least young_share x the parent's mean (rate_engine.c gives the reasons) */
    bool gated;
    int64_t young_s;
    double young_share;
    int64_t expire_s;      /* idle this long with nothing open: freed */
    unsigned expire_batch; /* at most this many freed per sweep */
    size_t max_keys;
    struct rate_key **buckets;
    size_t mask, n;
    struct rate_key *head, *tail;           /* by last touch, oldest first */
    struct rate_key *uns_head, *uns_tail;   /* touched, seconds not all judged */
    struct rate_key *live_head, *live_tail; /* untouched, a run or an episode open */
};

/* ---- scans (rate_scan.c) ---------------------------------------------------------------- */

struct rate_skey;
struct rate_scan_table {
    enum rate_kind kind;
    unsigned threshold;
    size_t max_keys;
    struct rate_skey **buckets;
    size_t mask, n;
    struct rate_skey *head, *tail; /* by last touch */
};

/* ---- the engine -------------------------------------------------------------------------- */

/* The site table comes before the URL table: a URL's parent is judged first. */
enum { RATE_T_SITE, RATE_T_SOURCE, RATE_T_DEST, RATE_T_URL, RATE_TABLES };

struct rate {
    struct rate_opts o;
    rate_finding_fn fn;
    void *ctx;
    uint64_t seed;
    int64_t lateness_s, ring_len, report_every_s, max_episode_s;
    struct rate_table t[RATE_TABLES];
    struct rate_scan_table scan[2]; /* port scans, host sweeps */
    bool started;
    int64_t max_sec;                      /* the latest second seen */
    int64_t wm;                           /* seconds <= wm are judged */
    uint64_t pushes_seen, pushes_at_tick; /* rate_tick: has anything come since? */
    int64_t quiet_since;                  /* wall clock (mono) of the last push seen */
    int64_t quiet_moved;                  /* seconds event time moved since then */
    struct rate_stats st;
};

/* rate_table.c */
int rate_table_init(struct rate *r, struct rate_table *t, const struct rate_table_spec *spec,
                    size_t max_keys);
void rate_table_fini(struct rate *r, struct rate_table *t);
/* The key of bytes key[0..len) (cut at RATE_MAX_KEY), made when absent (evicting the one
 * touched longest ago at the cap); NULL when no memory. A new key is born at second
 * sec; every key goes to the tail of the unsettled list. */
struct rate_key *rate_table_get(struct rate *r, struct rate_table *t, struct slice key,
                                int64_t sec);
/* Judges the seconds of the keys the watermark has passed; frees keys idle for long. */
void rate_table_sweep(struct rate *r, struct rate_table *t);
/* The end: every key's seconds judged, every episode closed. */
void rate_table_flush(struct rate *r, struct rate_table *t);

/* rate_judge.c */
/* Judges k's seconds up to `through` (<= the watermark). */
void rate_key_close(struct rate *r, struct rate_table *t, struct rate_key *k, int64_t through);
/* True when k has a run or an open episode. */
bool rate_key_busy(const struct rate_table *t, const struct rate_key *k);
/* Adds an observation to k's second sec (counts x[] per channel) and to the evidence of
 * the judges it makes over. */
void rate_key_add(struct rate *r, struct rate_table *t, struct rate_key *k, int64_t sec,
                  const uint64_t *x, const struct rate_obs *o);
/* Reports k's open episodes closed (eviction, flush) and frees its evidence. */
void rate_key_end(struct rate *r, struct rate_table *t, struct rate_key *k);

/* rate_scan.c */
int rate_scan_init(struct rate_scan_table *s, enum rate_kind kind, unsigned threshold,
                   size_t max_keys);
void rate_scan_fini(struct rate *r, struct rate_scan_table *s);
void rate_scan_push(struct rate *r, struct rate_scan_table *s, const struct rate_obs *o,
                    int64_t t_ns);

/* The key's bytes (keylen of them). */
static inline const char *rate_key_text(const struct rate_table *t, const struct rate_key *k)
{
    return (const char *)(k->judge + t->spec->njudges);
}

static inline uint64_t *rate_ring_at(const struct rate *r, const struct rate_table *t,
                                     struct rate_key *k, int64_t sec)
{
    int64_t i = sec % r->ring_len;
    return &k->ring[(size_t)(i < 0 ? i + r->ring_len : i) * t->spec->nchan];
}

#endif
