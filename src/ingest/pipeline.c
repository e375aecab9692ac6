/*
 * pipeline.c — the threads that carry records from the inputs to the store
 * (docs/ARCHITECTURE.md §1, §6): one I/O thread runs every input on one epoll set and
 * packs records into batches, one open batch per (input, worker); N workers decode
 * batches with decode_record; one writer stores each batch with its checkpoint in one
 * store transaction (group commit: consecutive batches share it until the write queue
 * runs empty, see store_write_batch) and returns it to the free pool. A stream (input × sending
 * host) always maps to the same worker, and each worker's batches reach the writer in order, so
 * per-stream order and checkpoint order are kept.
 *
 * Backpressure: the pool is the only source of batches. When it is empty the I/O thread
 * waits for the writer (TCP, file, stdin are then not read); UDP never waits and drops
 * and counts instead.
 *
 * Detection: a worker acquires the published rule set (detect_engine) once per batch;
 * the batch keeps that reference until it is written, so a reload (ingest_rules_reload,
 * on the main thread) swaps the set without waiting for anyone, and the old set is
 * freed by whichever thread drops its last batch. Each worker has one detect_scratch,
 * rebuilt when the generation it acquires changes. Matches are noted in the batch as
 * (event, rule) pairs — bounded per batch, see INGEST_MATCHES_PER_RECORD — and the
 * writer turns them into alert rows of vigil.db. Workers never touch SQLite.
 *
 * Alerts and transactions: the events of a batch go to its day file of receipt and its
 * alerts to vigil.db, two SQLite files in WAL mode, which cannot share an atomic
 * transaction. So the writer commits the batch's alerts first (one vigil.db
 * transaction) and only then hands the events and the input checkpoint to the store.
 * A crash in between leaves alerts whose events are not stored yet: a file input
 * re-reads those records from its older checkpoint, the events are stored, and the
 * alerts, matched again with the same deterministic ids (event id x rule id), are not
 * inserted twice. The reverse order could commit a checkpoint past events whose
 * alerts were never written: alerts lost for good. Network records in flight are lost
 * in a crash either way (the bound in ingest.h); their alerts may then survive them.
 * This ordering holds for a process crash; after a power cut, WAL with synchronous=NORMAL
 * (store.c) does not order the two files' last commits, so the newest alerts of the
 * seconds before it can be lost while their events survive.
 */
#include "enrich/enrich.h"
#include "ingest/ingest_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define TICK_MS 100
/* stats.json is rewritten this often (a small file, so `vigil stats` is current); the
 * counters are logged every stats_interval. */
#define STATS_FILE_S 5
#define RETENTION_EVERY_NS (86400LL * NS_PER_SEC)
#define STORE_RETRIES 5
/* A worker logs dropped matches at most this often (with the running total). */
#define DROP_LOG_NS (10LL * NS_PER_SEC)

unsigned ingest_frame_evflags(unsigned frame_flags)
{
    unsigned f = 0;
    if (frame_flags & INGEST_FRAME_TRUNCATED)
        f |= EVF_TRUNCATED;
    if (frame_flags & INGEST_FRAME_MALFORMED)
        f |= EVF_MALFORMED;
    return f;
}

uint64_t ingest_net_id(struct ingest_input *in, uint64_t peer_hash, int64_t received_ns)
{
    return hash_mix(hash_mix(in->name_hash, peer_hash), hash_mix((uint64_t)received_ns, ++in->seq));
}

/* ---- epoll ----------------------------------------------------------------------- */

int ingest_watch(struct ingest_input *in, struct ingest_pollee *pe)
{
    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = pe};
    if (epoll_ctl(in->ig->ep, EPOLL_CTL_ADD, pe->fd, &ev) < 0)
        return ERR_IO;
    return 0;
}

void ingest_unwatch(struct ingest_input *in, struct ingest_pollee *pe)
{
    epoll_ctl(in->ig->ep, EPOLL_CTL_DEL, pe->fd, NULL);
}

/* ---- batches --------------------------------------------------------------------- */

static void batch_clear(struct ingest_batch *b)
{
    b->in = NULL;
    b->len = 0;
    b->n = 0;
    b->peer_len = 0;
    b->peer_off = 0;
    b->has_cp = false;
    b->decoded = b->generic = b->malformed = 0;
    b->nmatches = 0;
    b->matches_dropped = 0;
    detect_engine_release(b->engine); /* may free a swapped-out rule set */
    b->engine = NULL;
    arena_reset(&b->arena);
}

static void handoff(struct ingest *ig, struct ingest_batch *b)
{
    b->in->open[b->worker] = NULL;
    ingest_queue_push(&ig->work_q[b->worker], b);
}

int ingest_add(struct ingest_input *in, uint64_t host_hash, const char *rec, size_t len,
               unsigned flags, uint64_t id, struct event_origin origin, int64_t received_ns,
               const char *peer, size_t peer_len, const char *cp, bool wait)
{
    struct ingest *ig = in->ig;
    unsigned w = (unsigned)(host_hash % ig->nworkers);
    if (len > ig->max_frame) {
        len = ig->max_frame; /* inputs cut first; this is the last guard of the batch */
        flags |= EVF_TRUNCATED;
    }
    if (peer_len > 255)
        peer_len = 255;
    struct ingest_batch *b = in->open[w];
    if (!b) {
        b = ingest_queue_trypop(&ig->free_q);
        if (!b && wait)
            b = ingest_queue_pop(&ig->free_q, -1);
        if (!b)
            return ERR_FULL;
        b->in = in;
        b->worker = w;
        b->opened_mono = vtime_mono_ns();
        in->open[w] = b;
    }
    /* a fresh batch always has room: cap = batch_bytes + max_frame + peer room */
    bool same_peer =
        peer_len && b->peer_len == peer_len && !memcmp(b->data + b->peer_off, peer, peer_len);
    if (peer_len && !same_peer) {
        memcpy(b->data + b->len, peer, peer_len);
        b->peer_off = (uint32_t)b->len;
        b->peer_len = (uint16_t)peer_len;
        b->len += peer_len;
    }
    struct ingest_rec *r = &b->recs[b->n++];
    r->id = id;
    r->origin = origin;
    r->received_ns = received_ns;
    r->off = (uint32_t)b->len;
    r->len = (uint32_t)len;
    r->peer_off = peer_len ? b->peer_off : 0;
    r->peer_len = (uint16_t)peer_len;
    r->flags = (uint16_t)flags;
    memcpy(b->data + b->len, rec, len);
    b->len += len;
    if (cp) {
        size_t n = strlen(cp);
        if (n >= sizeof b->cp_value)
            n = sizeof b->cp_value - 1;
        memcpy(b->cp_value, cp, n);
        b->cp_value[n] = 0;
        b->has_cp = true;
    }
    atomic_fetch_add_explicit(&in->ct.received, 1, memory_order_relaxed);
    if (b->n >= b->max || b->len >= ig->cfg->batch_bytes)
        handoff(ig, b);
    return 0;
}

static void flush_open(struct ingest *ig, int64_t now_mono, bool all)
{
    int64_t age = (int64_t)ig->cfg->flush_ms * 1000000LL;
    for (size_t i = 0; i < ig->ninputs; i++)
        for (unsigned w = 0; w < ig->nworkers; w++) {
            struct ingest_batch *b = ig->inputs[i].open[w];
            if (b && (all || now_mono - b->opened_mono >= age))
                handoff(ig, b);
        }
}

/* ---- threads --------------------------------------------------------------------- */

static void *io_main(void *arg)
{
    struct ingest *ig = arg;
    struct epoll_event evs[64];
    int64_t next_tick = 0;
    int64_t next_stats = vtime_mono_ns() + (int64_t)ig->cfg->stats_interval_s * NS_PER_SEC;
    int64_t next_stats_file = vtime_mono_ns() + STATS_FILE_S * NS_PER_SEC;
    int64_t next_health = vtime_mono_ns() + NS_PER_SEC;
    bool busy = false;
    int rc0 = ingest_stats_write(ig); /* so `vigil stats` works from the start */
    if (rc0)
        log_warn("ingest: writing %s: %s", ig->stats_path, err_str(rc0));
    while (!atomic_load(&ig->stop)) {
        int n = epoll_wait(ig->ep, evs, 64, busy ? 0 : TICK_MS / 2);
        if (n < 0 && errno != EINTR) {
            log_error("ingest: epoll_wait: %s", err_errno(errno));
            break;
        }
        ig->now_ns = vtime_now_ns();
        for (int i = 0; i < n; i++) {
            struct ingest_pollee *pe = evs[i].data.ptr;
            if (!pe) {
                uint64_t v;
                if (read(ig->wake_fd, &v, sizeof v) < 0 && errno != EAGAIN)
                    log_warn("ingest: wake read: %s", err_errno(errno));
                continue;
            }
            pe->in->ops->ready(pe->in, pe, evs[i].events);
        }
        if (atomic_load(&ig->stop))
            break;
        int64_t mono = vtime_mono_ns();
        busy = false;
        if (mono >= next_tick) {
            for (size_t i = 0; i < ig->ninputs; i++)
                if (ig->inputs[i].ops->tick && ig->inputs[i].ops->tick(&ig->inputs[i], mono))
                    busy = true;
            next_tick = busy ? mono : mono + TICK_MS * 1000000LL;
        }
        flush_open(ig, mono, false);
        if (mono >= next_health) { /* silent sources, once a second */
            next_health = mono + NS_PER_SEC;
            ingest_health_check(ig, ig->now_ns);
        }
        if (mono >= next_stats) {
            next_stats = mono + (int64_t)ig->cfg->stats_interval_s * NS_PER_SEC;
            for (size_t i = 0; i < ig->ninputs; i++) {
                struct ingest_input *in = &ig->inputs[i];
                log_info("stats %s: received %llu decoded %llu generic %llu malformed %llu "
                         "dropped %llu stored %llu",
                         in->cfg->name, (unsigned long long)atomic_load(&in->ct.received),
                         (unsigned long long)atomic_load(&in->ct.decoded),
                         (unsigned long long)atomic_load(&in->ct.generic),
                         (unsigned long long)atomic_load(&in->ct.malformed),
                         (unsigned long long)atomic_load(&in->ct.dropped),
                         (unsigned long long)atomic_load(&in->ct.stored));
            }
            if (ingest_rules_configured(ig->cfg)) {
                struct ingest_rule_counters *rk = &ig->rct;
                char outs[2048];
                output_stats_line(ig->alerting.outputs, outs, sizeof outs);
                log_info("stats rules: matches %llu alerts_written %llu alerts_updated %llu"
                         " alerts_merged %llu alerts_open %llu alerts_failed %llu"
                         " alerts_dropped %llu reloads_ok %llu reloads_rejected %llu"
                         " corr_hits %llu corr_late %llu corr_missing %llu corr_groups %llu"
                         " corr_evicted %llu seen_before %llu suppressed %llu entity_alerts %llu"
                         " health_alerts %llu%s",
                         (unsigned long long)atomic_load(&rk->matches),
                         (unsigned long long)atomic_load(&rk->alerts_written),
                         (unsigned long long)atomic_load(&rk->alerts_updated),
                         (unsigned long long)atomic_load(&rk->alerts_merged),
                         (unsigned long long)atomic_load(&rk->alerts_open),
                         (unsigned long long)atomic_load(&rk->alerts_failed),
                         (unsigned long long)atomic_load(&rk->alerts_dropped),
                         (unsigned long long)atomic_load(&rk->reloads_ok),
                         (unsigned long long)atomic_load(&rk->reloads_rejected),
                         (unsigned long long)atomic_load(&rk->corr_hits),
                         (unsigned long long)atomic_load(&rk->corr_late),
                         (unsigned long long)atomic_load(&rk->corr_missing),
                         (unsigned long long)atomic_load(&rk->corr_groups),
                         (unsigned long long)atomic_load(&rk->corr_evicted),
                         (unsigned long long)atomic_load(&rk->seen_before),
                         (unsigned long long)atomic_load(&rk->suppressed),
                         (unsigned long long)atomic_load(&rk->entity_alerts),
                         (unsigned long long)atomic_load(&rk->health_alerts), outs);
            }
            if (ig->cfg->nlists)
                log_info("stats lists: reloads_ok %llu reloads_failed %llu",
                         (unsigned long long)atomic_load(&ig->lists_reloaded),
                         (unsigned long long)atomic_load(&ig->lists_reload_failed));
        }
        if (mono >= next_stats_file) {
            next_stats_file = mono + STATS_FILE_S * NS_PER_SEC;
            ingest_sources_rates(&ig->sources, ig->now_ns);
            int rc = ingest_sources_save(ig);
            if (rc)
                log_warn("ingest: saving the source inventory: %s", err_str(rc));
            rc = ingest_stats_write(ig);
            if (rc)
                log_warn("ingest: writing %s: %s", ig->stats_path, err_str(rc));
        }
        bool all_ended = ig->ninputs > 0;
        for (size_t i = 0; i < ig->ninputs; i++)
            if (!ig->inputs[i].ended)
                all_ended = false;
        if (all_ended) {
            atomic_store(&ig->finished, true);
            break;
        }
    }
    /* stop reading; hand on everything accepted */
    flush_open(ig, 0, true);
    for (unsigned w = 0; w < ig->nworkers; w++)
        ingest_queue_close(&ig->work_q[w]);
    return NULL;
}

struct worker_arg {
    struct ingest *ig;
    unsigned w;
};

/* A worker's matching state: the scratch of the engine generation it last used (it
 * holds a reference to that engine, so the matcher outlives the scratch). */
struct worker_state {
    unsigned w;
    struct detect_engine *eng;
    struct detect_scratch *scratch;
    uint64_t dropped_unlogged;
    int64_t last_drop_log;
    uint32_t cost_tick;    /* events matched, for the cost sample's cheap pre-check */
    int64_t last_cost_ns; /* when this worker last sampled an event's cost */
};

/*
 * One event per worker at most every COST_SAMPLE_NS has its matching timed: the compiled
 * matcher's time, then every routed rule alone (detect_engine_time_rules). The clock is
 * read at a batch's first event and every COST_TICK-th event, so a quiet source is
 * sampled too. With the public Sigma set a sample costs well
 * under a millisecond, so sampling takes under 1% of a worker.
 */
#define COST_SAMPLE_NS (NS_PER_SEC / 10)
#define COST_TICK 256

struct match_ctx {
    struct ingest_batch *b;
    uint32_t ev;
    struct ingest *ig;
};

/* Notes one match in the batch; past the batch's cap it is counted, not kept. */
static int on_match(void *ctx, size_t rule, const struct event *ev)
{
    struct match_ctx *mc = ctx;
    struct ingest_batch *b = mc->b;
    (void)ev;
    detect_engine_count_match(b->engine, rule);
    if (ingest_rule_disabled(mc->ig, b->engine->rules, rule))
        return 0; /* switched off from the console */
    if (b->nmatches == b->matches_cap) {
        size_t max = b->max * INGEST_MATCHES_PER_RECORD;
        size_t nc = b->matches_cap ? b->matches_cap * 2 : 64;
        if (nc > max)
            nc = max;
        struct ingest_match *p =
            nc > b->matches_cap ? mem_realloc(b->matches, nc * sizeof *p) : NULL;
        if (!p) {
            b->matches_dropped++;
            return 0;
        }
        b->matches = p;
        b->matches_cap = nc;
    }
    b->matches[b->nmatches++] = (struct ingest_match){mc->ev, (uint32_t)rule};
    return 0;
}

/*
 * The evidence of the analyzer rules event i matched (its matches from the batch's
 * match `from` on), added to the event as attack.* fields so the stored event shows
 * what was found where: attack.rule, attack.analyzer, attack.field, attack.param (when a
 * query parameter), attack.why and attack.evidence (the decoded fragment). Fields the
 * event has no room for are dropped (the event is flagged as for any field).
 */
static void add_evidence(struct ingest_batch *b, size_t from, struct event *ev)
{
    for (size_t m = from; m < b->nmatches; m++) {
        struct detect_evidence e;
        if (!detect_rule_evidence(b->engine->rules, b->matches[m].rule, ev, &e))
            continue;
        struct detect_rule_info ri;
        detect_rule_info(b->engine->rules, b->matches[m].rule, &ri);
        const char *frag = arena_dup(&b->arena, e.at.fragment, e.at.len);
        const char *param = e.at.param[0] ? arena_dup(&b->arena, e.at.param, strlen(e.at.param))
                                          : NULL;
        /* the rule's strings live as long as the engine, which the batch holds */
        event_add_named(ev, SLICE_LIT("attack.rule"), slice_cstr(ri.id));
        event_add_named(ev, SLICE_LIT("attack.analyzer"), slice_cstr(e.analyzer));
        event_add_named(ev, SLICE_LIT("attack.field"), slice_cstr(e.field));
        if (param)
            event_add_named(ev, SLICE_LIT("attack.param"), slice_make(param, strlen(e.at.param)));
        event_add_named(ev, SLICE_LIT("attack.why"), slice_cstr(e.at.why));
        if (frag)
            event_add_named(ev, SLICE_LIT("attack.evidence"), slice_make(frag, e.at.len));
    }
}

/* Makes ws's scratch fit the batch's engine (a new generation, or a failed scratch). */
static struct detect_scratch *worker_scratch(struct worker_state *ws, struct detect_engine *e)
{
    if (ws->scratch && ws->eng && ws->eng->generation == e->generation)
        return ws->scratch;
    detect_scratch_free(ws->scratch);
    detect_engine_release(ws->eng);
    ws->eng = detect_engine_ref(e);
    ws->scratch = detect_scratch_new(e->matcher);
    if (!ws->scratch)
        log_warn("ingest: worker %u: no memory for a matcher scratch; matching with the"
                 " reference evaluator",
                 ws->w);
    return ws->scratch;
}

/* Adds one sampled event's matching time (from t0) and its rules' costs alone. */
static void sample_cost(struct ingest *ig, struct worker_state *ws, struct detect_engine *e,
                        const struct event *ev, int64_t t0)
{
    int64_t matched = vtime_mono_ns() - t0;
    int64_t alone = detect_engine_time_rules(e, ev);
    atomic_fetch_add_explicit(&ig->rct.cost_events, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&ig->rct.cost_match_ns, (uint64_t)matched, memory_order_relaxed);
    atomic_fetch_add_explicit(&ig->rct.cost_rules_ns, (uint64_t)alone, memory_order_relaxed);
    ws->last_cost_ns = vtime_mono_ns();
}

static void decode_batch(struct ingest *ig, struct decode_ctx *ctx, struct worker_state *ws,
                         struct ingest_batch *b)
{
    struct ingest_input *in = b->in;
    /* one acquisition per batch; the reference goes with the batch to the writer */
    b->engine = detect_engine_acquire(&ig->rules);
    /* the lists' snapshot for this batch; field values point into ig->cfg, not into it */
    struct list_set *lists = list_holder_acquire(&ig->lists);
    struct detect_scratch *scratch = b->engine ? worker_scratch(ws, b->engine) : NULL;
    for (size_t i = 0; i < b->n; i++) {
        const struct ingest_rec *r = &b->recs[i];
        struct event *ev = &b->evs[i];
        event_reset(ev);
        ev->id = r->id;
        ev->input = slice_cstr(in->cfg->name);
        ev->peer = slice_make(b->data + r->peer_off, r->peer_len);
        decode_record(ctx, &in->src, &b->arena, b->data + r->off, r->len, r->received_ns, ev);
        ingest_enrich_event(ig, lists, ev, &b->arena);
        ev->id = r->id;
        ev->origin = r->origin;
        ev->input = slice_cstr(in->cfg->name);
        ev->peer = slice_make(b->data + r->peer_off, r->peer_len);
        ev->flags |= r->flags;
        if (ev->flags & EVF_MALFORMED)
            b->malformed++;
        if (ev->flags & EVF_GENERIC)
            b->generic++;
        else
            b->decoded++;
        if (b->engine) {
            /* detect_match falls back to the reference evaluator itself on a Hyperscan
             * error, so its status loses no match and needs no handling here */
            struct match_ctx mc = {b, (uint32_t)i, ig};
            int64_t t0 = i == 0 || ++ws->cost_tick % COST_TICK == 0 ? vtime_mono_ns() : 0;
            if (t0 && t0 - ws->last_cost_ns < COST_SAMPLE_NS)
                t0 = 0;
            size_t first_match = b->nmatches;
            if (scratch)
                (void)detect_match(b->engine->matcher, scratch, ev, on_match, &mc);
            else
                (void)detect_match_all(b->engine->rules, ev, on_match, &mc);
            add_evidence(b, first_match, ev);
            if (t0)
                sample_cost(ig, ws, b->engine, ev, t0);
        }
    }
    list_set_release(lists);
    if (b->nmatches)
        atomic_fetch_add_explicit(&ig->rct.matches, b->nmatches + b->matches_dropped,
                                  memory_order_relaxed);
    if (b->matches_dropped) {
        atomic_fetch_add_explicit(&ig->rct.alerts_dropped, b->matches_dropped,
                                  memory_order_relaxed);
        ws->dropped_unlogged += b->matches_dropped;
        int64_t now = vtime_mono_ns();
        if (now - ws->last_drop_log >= DROP_LOG_NS) {
            log_warn("ingest: worker %u: %llu rule match(es) dropped: more than %d per record"
                     " in a batch (alerts_dropped)",
                     ws->w, (unsigned long long)ws->dropped_unlogged, INGEST_MATCHES_PER_RECORD);
            ws->dropped_unlogged = 0;
            ws->last_drop_log = now;
        }
    }
    atomic_fetch_add_explicit(&in->ct.decoded, b->decoded, memory_order_relaxed);
    atomic_fetch_add_explicit(&in->ct.generic, b->generic, memory_order_relaxed);
    atomic_fetch_add_explicit(&in->ct.malformed, b->malformed, memory_order_relaxed);
}

static void *worker_main(void *arg)
{
    struct worker_arg *wa = arg;
    struct ingest *ig = wa->ig;
    unsigned w = wa->w;
    mem_free(wa);
    struct worker_state ws = {.w = w,
                             .last_drop_log = vtime_mono_ns() - DROP_LOG_NS,
                             .last_cost_ns = vtime_mono_ns() - COST_SAMPLE_NS};
    struct ingest_batch *b;
    while ((b = ingest_queue_pop(&ig->work_q[w], -1)) != NULL) {
        decode_batch(ig, ig->dctx[w], &ws, b);
        ingest_queue_push(&ig->write_q, b);
    }
    if (ws.dropped_unlogged)
        log_warn("ingest: worker %u: %llu rule match(es) dropped (alerts_dropped)", w,
                 (unsigned long long)ws.dropped_unlogged);
    detect_scratch_free(ws.scratch);
    detect_engine_release(ws.eng);
    return NULL;
}

static void write_batch(struct ingest *ig, struct ingest_batch *b)
{
    struct ingest_input *in = b->in;
    struct store_checkpoint cp = {.key = in->cp_key, .value = b->cp_value};
    size_t stored = 0;
    int rc = ERR_DB;
    ingest_alerting_batch(ig, b); /* first: see "Alerts and transactions" above */
    for (int attempt = 0; attempt < STORE_RETRIES; attempt++) {
        rc = store_write_batch(ig->st, b->evs, b->n, &cp, b->has_cp ? 1 : 0, &stored);
        if (rc == 0)
            break;
        log_error("ingest: store refused a batch of %zu from %s (attempt %d): %s", b->n,
                  in->cfg->name, attempt + 1, err_str(rc));
        usleep(200000);
    }
    if (rc) {
        /* the checkpoint was not committed either: a file input re-reads these records
         * after a restart; network records are lost and counted */
        atomic_fetch_add_explicit(&in->ct.dropped, b->n, memory_order_relaxed);
    } else {
        atomic_fetch_add_explicit(&in->ct.stored, stored, memory_order_relaxed);
        int64_t oldest = INT64_MAX;
        for (size_t i = 0; i < b->n; i++)
            if (b->recs[i].received_ns < oldest)
                oldest = b->recs[i].received_ns;
        if (b->n)
            atomic_store_explicit(&ig->store_lag_ns, vtime_now_ns() - oldest,
                                  memory_order_relaxed);
    }
}

static void *writer_main(void *arg)
{
    struct ingest *ig = arg;
    int64_t last_retention = vtime_mono_ns(), last_tick = last_retention;
    bool pending = false; /* the store's group transaction may hold uncommitted rows */
    for (;;) {
        int64_t mono = vtime_mono_ns();
        if (mono - last_tick >= NS_PER_SEC) { /* busy or quiet, once a second */
            last_tick = mono;
            ingest_alerting_tick(ig, mono);
            ingest_enrich_tick(ig, mono);
        }
        if (mono - last_retention >= RETENTION_EVERY_NS) {
            last_retention = mono;
            int rc = store_retention_run(ig->st, vtime_now_ns());
            if (rc < 0)
                log_error("ingest: retention: %s", err_str(rc));
            else if (rc > 0)
                log_info("retention: removed %d day file(s)", rc);
        }
        /* group commit: while batches keep coming they share a transaction; the
         * moment the queue runs empty the group is committed */
        struct ingest_batch *b = ingest_queue_pop(&ig->write_q, pending ? 0 : 1000);
        if (b) {
            write_batch(ig, b);
            batch_clear(b);
            ingest_queue_push(&ig->free_q, b);
            pending = true;
            continue;
        }
        if (pending) {
            pending = false;
            int rc = store_flush(ig->st);
            if (rc)
                log_error("ingest: store commit failed, the open group is lost: %s", err_str(rc));
            continue;
        }
        if (ingest_queue_done(&ig->write_q))
            break;
    }
    ingest_alerting_finish(ig);
    return NULL;
}

/* ---- rules ----------------------------------------------------------------------- */

/* Builds the next engine from the configured paths, on the calling thread. */
static int build_engine(struct ingest *ig, struct detect_engine **out, char *err, size_t errlen)
{
    const struct ingest_rules_cfg *rc = &ig->cfg->rules;
    struct detect_load_opts o = {ig->placeholders, rc->nplaceholders, !rc->no_builtin};
    return detect_engine_build(&o, (const char *const *)rc->paths, rc->npaths, ++ig->rules_gen, out,
                               err, errlen);
}

static void log_engine(const char *what, const struct detect_engine *e)
{
    log_info("rules: %s generation %llu: loaded %zu rules and %zu built-in (%zu correlations,"
             " %zu filters kept) from %zu files, refused %zu; load %.1f ms, compile %.1f ms",
             what, (unsigned long long)e->generation, e->load.rules - e->load.builtin,
             e->load.builtin, e->load.correlations,
             e->load.filters, e->load.files, e->load.refused, (double)e->load_ns / 1e6,
             (double)e->compile_ns / 1e6);
}

static void log_refusal(void *ctx, const struct detect_engine_refusal *r)
{
    log_warn("rules: %s %s:%u: %s: %s", (const char *)ctx, r->file, r->line, r->id, r->reason);
}

static void audit_reload(const struct ingest *ig, const char *result)
{
    struct audit_entry e = {.actor = "system",
                            .source = "local",
                            .action = "rules.reload",
                            .object = ig->cfg->rules.npaths ? ig->cfg->rules.paths[0] : "-",
                            .result = result};
    audit_record(&e);
}

/* Loads the configured rules at start (a path that cannot be read fails the start). */
static int rules_init(struct ingest *ig, char *err, size_t errlen)
{
    const struct ingest_rules_cfg *rc = &ig->cfg->rules;
    if (!ingest_rules_configured(ig->cfg))
        return 0;
    if (rc->nplaceholders) {
        ig->placeholders = mem_calloc(rc->nplaceholders, sizeof *ig->placeholders);
        if (!ig->placeholders)
            return ERR_NOMEM;
        for (unsigned i = 0; i < rc->nplaceholders; i++) {
            ig->placeholders[i].name = rc->placeholders[i].name;
            ig->placeholders[i].values = (const char *const *)rc->placeholders[i].values;
            ig->placeholders[i].nvalues = rc->placeholders[i].nvalues;
        }
    }
    struct detect_engine *e;
    int r = build_engine(ig, &e, err, errlen);
    if (r)
        return r;
    for (size_t i = 0; i < e->nrefusals; i++)
        log_refusal("refused", &e->refusals[i]);
    if (e->nrefusals_over)
        log_warn("rules: %zu more refusals not listed", e->nrefusals_over);
    log_engine("loaded", e);
    detect_engine_swap(&ig->rules, e);
    return 0;
}

/* See ingest.h. */
int ingest_rules_reload(struct ingest *ig)
{
    if (!ingest_rules_configured(ig->cfg)) {
        log_info("rules: reload requested, but no rules are configured (rules.paths, and"
                 " rules.builtin is false)");
        return 0;
    }
    pthread_mutex_lock(&ig->reload_mu);
    char err[512] = "", result[600];
    struct detect_engine *next = NULL;
    struct detect_engine *cur = detect_engine_acquire(&ig->rules);
    unsigned long long cur_gen = cur ? (unsigned long long)cur->generation : 0;
    size_t cur_rules = cur ? cur->load.rules : 0;
    int rc = build_engine(ig, &next, err, sizeof err);
    if (rc) {
        log_error("rules: reload rejected: %s; the working set stays (generation %llu, %zu"
                  " rules)",
                  err, cur_gen, cur_rules);
        snprintf(result, sizeof result, "rejected: %s", err);
        goto out;
    }
    size_t fresh = detect_engine_new_refusals(cur, next, log_refusal, "reload: new refusal");
    if (fresh) {
        log_error("rules: reload rejected: %zu new refusal(s) (listed above); the working set"
                  " stays (generation %llu, %zu rules); the rejected set had %zu rules, %zu"
                  " refused",
                  fresh, cur_gen, cur_rules, next->load.rules, next->load.refused);
        snprintf(result, sizeof result, "rejected: %zu new refusal(s)", fresh);
        rc = ERR_INVAL;
        goto out;
    }
    log_engine("reloaded", next);
    snprintf(result, sizeof result, "ok: generation %llu, %zu rules, %zu refused",
             (unsigned long long)next->generation, next->load.rules, next->load.refused);
    detect_engine_swap(&ig->rules, next);
    next = NULL;
out:
    detect_engine_release(next);
    detect_engine_release(cur);
    atomic_fetch_add_explicit(rc ? &ig->rct.reloads_rejected : &ig->rct.reloads_ok, 1,
                              memory_order_relaxed);
    audit_reload(ig, result);
    pthread_mutex_unlock(&ig->reload_mu);
    return rc;
}

/* ---- life cycle ------------------------------------------------------------------ */

static const struct ingest_input_ops *ops_for(enum ingest_type t)
{
    switch (t) {
    case INGEST_UDP:
        return &ingest_udp_ops;
    case INGEST_TCP:
        return &ingest_tcp_ops;
    case INGEST_NETFLOW:
        return &ingest_netflow_ops;
    case INGEST_FILE:
        return &ingest_file_ops;
    case INGEST_STDIN:
        return &ingest_stdin_ops;
    }
    return NULL;
}

static int input_init(struct ingest *ig, struct ingest_input *in, size_t i, char *err,
                      size_t errlen)
{
    const struct ingest_input_cfg *c = &ig->cfg->inputs[i];
    in->ig = ig;
    in->cfg = c;
    in->index = (unsigned)i;
    in->ops = ops_for(c->type);
    in->name_hash = hash64(c->name, strlen(c->name), 0x76696769);
    in->open = mem_calloc(ig->nworkers, sizeof *in->open);
    if (!in->open)
        return ERR_NOMEM;
    in->src.charset = CHARSET_AUTO;
    in->src.custom = ig->cfg->custom;
    in->src.format = c->format && strcmp(c->format, "auto") ? c->format : NULL;
    if (c->type == INGEST_NETFLOW)
        in->src.format = "netflow"; /* its records are the flow lines in_netflow.c writes */
    if (c->charset && decode_charset_parse(c->charset, &in->src.charset)) {
        snprintf(err, errlen, "input %s: bad charset '%s'", c->name, c->charset);
        return ERR_INVAL;
    }
    if (c->tz) {
        int rc = vtz_open(c->tz, &in->tz);
        if (rc) {
            snprintf(err, errlen, "input %s: unknown time zone '%s'", c->name, c->tz);
            return rc;
        }
        in->src.tz = in->tz;
    }
    return 0;
}

static int pool_init(struct ingest *ig)
{
    const struct ingest_config *c = ig->cfg;
    ig->npool = c->queue_batches + ig->ninputs * ig->nworkers + ig->nworkers + 1;
    ig->pool = mem_calloc(ig->npool, sizeof *ig->pool);
    if (!ig->pool)
        return ERR_NOMEM;
    int rc = ingest_queue_init(&ig->free_q, ig->npool);
    if (!rc)
        rc = ingest_queue_init(&ig->write_q, ig->npool);
    if (rc)
        return rc;
    for (unsigned w = 0; w < ig->nworkers; w++)
        if ((rc = ingest_queue_init(&ig->work_q[w], ig->npool)))
            return rc;
    for (size_t i = 0; i < ig->npool; i++) {
        struct ingest_batch *b = &ig->pool[i];
        b->cap = c->batch_bytes + ig->max_frame + 512;
        b->max = c->batch_records;
        b->data = mem_alloc(b->cap);
        b->recs = mem_alloc(b->max * sizeof *b->recs);
        b->evs = mem_alloc(b->max * sizeof *b->evs);
        arena_init(&b->arena, 64 * 1024, 4 * c->batch_bytes + 4 * ig->max_frame);
        if (!b->data || !b->recs || !b->evs)
            return ERR_NOMEM;
        ingest_queue_push(&ig->free_q, b);
    }
    return 0;
}

int ingest_new(const struct ingest_config *cfg, struct store *st, struct ingest **out, char *err,
               size_t errlen)
{
    *out = NULL;
    struct ingest *ig = mem_calloc(1, sizeof *ig);
    if (!ig)
        return ERR_NOMEM;
    ig->cfg = cfg;
    ig->st = st;
    ig->ep = ig->wake_fd = -1;
    detect_engine_holder_init(&ig->rules);
    list_holder_init(&ig->lists);
    pthread_mutex_init(&ig->reload_mu, NULL);
    pthread_mutex_init(&ig->health_mu, NULL);
    if (ingest_rules_state_load(ig))
        log_warn("rules: the rules switched off could not be read; all are on");
    ig->nworkers = cfg->workers ? cfg->workers : 1;
    ig->start_ns = ig->now_ns = vtime_now_ns();
    ig->max_frame = 256;
    for (size_t i = 0; i < cfg->ninputs; i++)
        if (cfg->inputs[i].max_frame > ig->max_frame)
            ig->max_frame = cfg->inputs[i].max_frame;
    int rc = ERR_NOMEM;
    struct buf path;
    buf_init(&path, 8192);
    buf_printf(&path, "%s/stats.json", cfg->data_dir ? cfg->data_dir : ".");
    ig->stats_path = path.err ? NULL : mem_strdup(buf_cstr(&path));
    buf_fini(&path);
    ig->work_q = mem_calloc(ig->nworkers, sizeof *ig->work_q);
    ig->dctx = mem_calloc(ig->nworkers, sizeof *ig->dctx);
    ig->work_th = mem_calloc(ig->nworkers, sizeof *ig->work_th);
    ig->inputs = mem_calloc(cfg->ninputs ? cfg->ninputs : 1, sizeof *ig->inputs);
    if (!ig->stats_path || !ig->work_q || !ig->dctx || !ig->work_th || !ig->inputs)
        goto fail;
    if ((rc = ingest_sources_init(&ig->sources)))
        goto fail;
    if ((rc = rules_init(ig, err, errlen)))
        goto fail;
    if ((rc = pool_init(ig)))
        goto fail;
    for (unsigned w = 0; w < ig->nworkers; w++)
        if ((rc = decode_ctx_new(&ig->dctx[w])))
            goto fail;
    ig->ep = epoll_create1(EPOLL_CLOEXEC);
    ig->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (ig->ep < 0 || ig->wake_fd < 0) {
        snprintf(err, errlen, "epoll/eventfd: %s", err_errno(errno));
        rc = ERR_IO;
        goto fail;
    }
    struct epoll_event wev = {.events = EPOLLIN, .data.ptr = NULL};
    if (epoll_ctl(ig->ep, EPOLL_CTL_ADD, ig->wake_fd, &wev) < 0) {
        rc = ERR_IO;
        goto fail;
    }
    for (size_t i = 0; i < cfg->ninputs; i++) {
        struct ingest_input *in = &ig->inputs[i];
        ig->ninputs = i + 1;
        if ((rc = input_init(ig, in, i, err, errlen)))
            goto fail;
        if ((rc = in->ops->open(in, err, errlen)))
            goto fail;
    }
    ig->ninputs = cfg->ninputs;
    if (cfg->assets_path) {
        if ((rc = assets_load_file(cfg->assets_path, &ig->assets, err, errlen)))
            goto fail;
        log_info("assets: %zu entries from %s", assets_count(ig->assets), cfg->assets_path);
    }
    if ((rc = ingest_enrich_init(ig, err, errlen)))
        goto fail;
    if ((rc = ingest_alerting_init(ig)))
        goto fail;
    if ((rc = ingest_sources_load(ig)))
        log_warn("ingest: reading the source inventory: %s", err_str(rc));
    *out = ig;
    return 0;
fail:
    if (rc == ERR_NOMEM && !err[0])
        snprintf(err, errlen, "out of memory");
    ingest_free(ig);
    return rc;
}

int ingest_start(struct ingest *ig)
{
    int rc = 0;
    if (pthread_create(&ig->write_th, NULL, writer_main, ig))
        return ERR_IO;
    ig->write_started = ig->ran = true;
    for (unsigned w = 0; w < ig->nworkers; w++) {
        struct worker_arg *wa = mem_alloc(sizeof *wa);
        if (!wa)
            return ERR_NOMEM;
        wa->ig = ig;
        wa->w = w;
        if (pthread_create(&ig->work_th[w], NULL, worker_main, wa)) {
            mem_free(wa);
            return ERR_IO;
        }
        ig->work_started = w + 1;
    }
    if (pthread_create(&ig->io_th, NULL, io_main, ig))
        return ERR_IO;
    ig->io_started = true;
    return rc;
}

bool ingest_finished(struct ingest *ig)
{
    return atomic_load(&ig->finished);
}

void ingest_stop(struct ingest *ig)
{
    if (!ig || ig->stopped)
        return;
    ig->stopped = true;
    atomic_store(&ig->stop, true);
    uint64_t one = 1;
    if (ig->wake_fd >= 0 && write(ig->wake_fd, &one, sizeof one) < 0)
        log_warn("ingest: wake: %s", err_errno(errno));
    if (ig->io_started) {
        pthread_join(ig->io_th, NULL);
    } else {
        for (unsigned w = 0; w < ig->nworkers && ig->work_q; w++)
            if (ig->work_q[w].ring)
                ingest_queue_close(&ig->work_q[w]);
    }
    for (size_t w = 0; w < ig->work_started; w++)
        pthread_join(ig->work_th[w], NULL);
    if (ig->write_q.ring)
        ingest_queue_close(&ig->write_q);
    if (ig->write_started)
        pthread_join(ig->write_th, NULL);
    ig->io_started = ig->write_started = false;
    ig->work_started = 0;
    if (ig->ran && ig->stats_path) {
        ingest_sources_rates(&ig->sources, vtime_now_ns());
        int rc = ingest_sources_save(ig);
        if (rc)
            log_warn("ingest: saving the source inventory: %s", err_str(rc));
        rc = ingest_stats_write(ig);
        if (rc)
            log_warn("ingest: writing %s: %s", ig->stats_path, err_str(rc));
    }
}

void ingest_free(struct ingest *ig)
{
    if (!ig)
        return;
    ingest_stop(ig);
    for (size_t i = 0; i < ig->ninputs; i++) {
        struct ingest_input *in = &ig->inputs[i];
        if (in->ops && in->ops->close)
            in->ops->close(in);
        vtz_free(in->tz);
        mem_free(in->open);
    }
    mem_free(ig->inputs);
    for (size_t i = 0; ig->pool && i < ig->npool; i++) {
        detect_engine_release(ig->pool[i].engine);
        mem_free(ig->pool[i].matches);
        mem_free(ig->pool[i].data);
        mem_free(ig->pool[i].recs);
        mem_free(ig->pool[i].evs);
        arena_fini(&ig->pool[i].arena);
    }
    mem_free(ig->pool);
    ingest_queue_fini(&ig->free_q);
    ingest_queue_fini(&ig->write_q);
    for (unsigned w = 0; ig->work_q && w < ig->nworkers; w++)
        ingest_queue_fini(&ig->work_q[w]);
    mem_free(ig->work_q);
    for (unsigned w = 0; ig->dctx && w < ig->nworkers; w++)
        decode_ctx_free(ig->dctx[w]);
    mem_free(ig->dctx);
    mem_free(ig->work_th);
    ingest_sources_fini(&ig->sources);
    if (ig->ep >= 0)
        close(ig->ep);
    if (ig->wake_fd >= 0)
        close(ig->wake_fd);
    mem_free(ig->stats_path);
    detect_engine_holder_fini(&ig->rules);
    pthread_mutex_destroy(&ig->reload_mu);
    ingest_rules_state_free(ig);
    pthread_mutex_destroy(&ig->health_mu);
    mem_free(ig->placeholders);
    ingest_alerting_fini(ig);
    assets_free(ig->assets);
    ingest_enrich_fini(ig);
    mem_free(ig);
}
