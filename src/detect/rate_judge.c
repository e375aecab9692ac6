/*
 * rate_judge.c — the per-second judges of the rate analyzers (rate.h): a key's closed
 * second is compared with the baselines of the channels each judge watches, runs of
 * over seconds open episodes, quiet seconds close them, and each phase is reported.
 *
 * One judge, one second s (values x per channel):
 *   warming up, nothing open  → learn x
 *   over (some watched channel above its bar: thr_open, or thr_close while open)
 *                             → the run grows; at `sustain` seconds the episode opens
 *                               (reported), then a report every report_every, and at
 *                               max_episode it closes and its level becomes the baseline
 *   not over, episode open    → quiet grows; at `quiet` seconds in a row it closes
 *                               (reported, its span ending at the last over second)
 *   not over, nothing open    → a run shorter than `sustain` is forgotten; learn x
 * Seconds over the bar are never learned, so a short spike leaves no trace and a long
 * one (an episode) freezes the baseline.
 *
 * Evidence is gathered when an observation arrives, not when its second is judged (by
 * then the observation is gone): an observation that takes its second's count over the
 * bar adds its source to the judge's distinct counter, its path to the ranking and its
 * id to the sample. The first requests of each over second are thus not in the
 * evidence; a flood's sources are.
 *
 * A gated table's key (a URL; rate_int.h, rate_engine.c) also heeds what it last knew
 * of its parent (its site): it only learns while the parent warms up; young, its open
 * bar is raised to young_share x the parent's mean; an episode that opens while the
 * parent's flood is on is muted (counted as covered, never reported), and unmuted —
 * reported opened, with its whole span — at its first over second once that flood is
 * gone.
 */
#include "detect/rate_int.h"

#include <string.h>

static bool warming(const struct rate_table *t, const struct rate_key *k, int64_t s)
{
    if (t->gated && !(k->pflags & RATE_PARENT_WARM))
        return true;
    return s - k->born_sec < t->warmup_s;
}

/* The bar channel c of k must exceed in second s to be over: the baseline's thr_open, or
 * thr_close while an episode is open; for a young key of a gated table, the main
 * channel's open bar is at least young_share x its parent's mean, and its close bar
 * halfway between its mean and that. */
static double bar(const struct rate_table *t, const struct rate_key *k, unsigned c, bool open,
                  int64_t s)
{
    const struct rate_base *b = &k->base[c];
    double thr = open ? b->thr_close : b->thr_open;
    if (!t->gated || c != 0 || s - k->born_sec >= t->young_s)
        return thr;
    double raised = t->young_share * k->pmean;
    if (raised <= b->thr_open)
        return thr;
    if (!open)
        return raised;
    double half = b->mean + (raised - b->mean) / 2;
    return half > thr ? half : thr;
}

static unsigned main_chan(const struct rate_judge_spec *js)
{
    return (unsigned)__builtin_ctz(js->chans);
}

static void evidence_free(struct rate_judge *J)
{
    if (!J->ev)
        return;
    mem_free(J->ev->hll);
    mem_free(J->ev->paths);
    mem_free(J->ev);
    J->ev = NULL;
}

/* True when a second of k after s not judged yet is over for judge j (its evidence then
 * belongs to a run to come and is kept). */
static bool pending_over(const struct rate *r, const struct rate_table *t, struct rate_key *k,
                         unsigned j, int64_t s)
{
    const struct rate_judge_spec *js = &t->spec->judge[j];
    for (int64_t q = s + 1; q <= k->last_sec && q <= k->closed_sec + r->ring_len; q++) {
        const uint64_t *x = rate_ring_at(r, t, k, q);
        for (unsigned c = 0; c < t->spec->nchan; c++)
            if ((js->chans >> c & 1) && (double)x[c] > bar(t, k, c, false, q))
                return true;
    }
    return false;
}

static void report(struct rate *r, const struct rate_table *t, struct rate_key *k, unsigned j,
                   enum rate_phase phase)
{
    const struct rate_judge_spec *js = &t->spec->judge[j];
    const struct rate_judge *J = &k->judge[j];
    if (J->muted)
        return;
    unsigned mc = main_chan(js);
    struct rate_finding f = {
        .kind = js->kind,
        .phase = phase,
        .key = slice_make(rate_key_text(t, k), k->keylen),
        .first_ns = J->first * NS_PER_SEC,
        .last_ns = J->last * NS_PER_SEC + NS_PER_SEC - 1,
        .peak = J->peak[mc],
        .total = J->sum[mc],
        .mean = J->mean_at,
        .threshold = J->thr_at,
    };
    if (t == &r->t[RATE_T_SITE]) {
        f.errors = J->sum[1];
        f.client_errors = J->sum[2];
    } else if (t == &r->t[RATE_T_DEST]) {
        f.packets = J->sum[1];
        f.packets_peak = J->peak[1];
        f.syn_only = J->sum[2];
        f.denied = J->sum[3];
    } else if (t == &r->t[RATE_T_URL]) {
        /* site, NUL, path (rate_engine.c keeps NUL out of the site) */
        const char *nul = memchr(f.key.p, '\0', f.key.len);
        if (nul) {
            size_t n = (size_t)(nul - f.key.p);
            f.target = slice_make(nul + 1, f.key.len - n - 1);
            f.key.len = n;
        }
    }
    uint64_t ids[RATE_SAMPLE_IDS];
    const struct rate_evidence *ev = J->ev;
    if (ev) {
        if (ev->hll)
            f.sources = rate_hll_count(ev->hll);
        const struct rate_path *p = ev->paths ? rate_paths_top(ev->paths) : NULL;
        if (p) {
            f.top_path = slice_make(p->text, p->len);
            f.top_path_count = p->count;
            f.paths_counted = ev->paths_counted;
        }
        unsigned start = ev->nids < RATE_SAMPLE_IDS ? 0 : ev->idhead;
        for (unsigned i = 0; i < ev->nids; i++)
            ids[i] = ev->ids[(start + i) % RATE_SAMPLE_IDS];
        f.event_ids = ids;
        f.nevents = ev->nids;
    }
    r->st.findings++;
    if (phase == RATE_OPENED)
        r->st.episodes++;
    r->fn(r->ctx, &f);
}

/* Ends judge j's episode (reported) or run; its evidence goes unless a second not
 * judged yet is over already. */
static void finish(struct rate *r, struct rate_table *t, struct rate_key *k, unsigned j, int64_t s,
                   bool reported)
{
    struct rate_judge *J = &k->judge[j];
    if (J->open && reported)
        report(r, t, k, j, RATE_CLOSED);
    struct rate_evidence *ev = J->ev;
    bool keep = ev && pending_over(r, t, k, j, s);
    memset(J, 0, sizeof *J);
    if (keep) { /* the sources and paths stay with the run to come; its ids start over */
        ev->nids = ev->idhead = 0;
        J->ev = ev;
    } else if (ev) {
        J->ev = ev;
        evidence_free(J);
    }
}

static void learn(struct rate_table *t, struct rate_key *k, unsigned j, const uint64_t *x)
{
    uint8_t m = t->spec->judge[j].chans;
    for (unsigned c = 0; c < t->spec->nchan; c++)
        if (m >> c & 1)
            rate_base_learn(&k->base[c], &t->params[c], (double)x[c]);
}

/* Judge j, second s, values x. */
static void judge_one(struct rate *r, struct rate_table *t, struct rate_key *k, unsigned j,
                      int64_t s, const uint64_t *x)
{
    const struct rate_judge_spec *js = &t->spec->judge[j];
    struct rate_judge *J = &k->judge[j];
    unsigned nchan = t->spec->nchan;
    if (!J->open && warming(t, k, s)) {
        learn(t, k, j, x);
        return;
    }
    bool over = false;
    for (unsigned c = 0; c < nchan; c++)
        if ((js->chans >> c & 1) && (double)x[c] > bar(t, k, c, J->open, s))
            over = true;
    if (!over) {
        if (J->open) {
            J->quiet++;
            for (unsigned c = 0; c < nchan; c++)
                J->pend[c] += x[c];
            if (J->quiet >= r->o.quiet_s)
                finish(r, t, k, j, s, true);
        } else {
            if (J->run)
                finish(r, t, k, j, s, false); /* a spike shorter than `sustain` */
            learn(t, k, j, x);
        }
        return;
    }
    if (!J->open && !J->run) {
        J->first = s;
        J->mean_at = k->base[main_chan(js)].mean;
        J->thr_at = bar(t, k, main_chan(js), false, s);
    }
    J->run++;
    J->last = s;
    J->quiet = 0;
    for (unsigned c = 0; c < nchan; c++) {
        J->sum[c] += x[c] + J->pend[c];
        J->pend[c] = 0;
        if (x[c] > J->peak[c])
            J->peak[c] = x[c];
    }
    if (!J->open) {
        if (J->run >= r->o.sustain_s) {
            J->open = true;
            J->last_report = s;
            if (t->gated && (k->pflags & RATE_PARENT_FLOOD)) {
                J->muted = true; /* part of the parent's flood, which is reported */
                r->st.covered++;
            }
            report(r, t, k, j, RATE_OPENED);
        }
        return;
    }
    if (s - J->first + 1 >= r->max_episode_s) {
        /* so long it is the new normal: closed, and its level learned */
        double secs = (double)(s - J->first + 1);
        for (unsigned c = 0; c < nchan; c++)
            if (js->chans >> c & 1) {
                struct rate_base *b = &k->base[c];
                b->mean = (double)J->sum[c] / secs;
                if (b->var < b->mean)
                    b->var = b->mean;
                rate_base_thresholds(b, &t->params[c]);
            }
        finish(r, t, k, j, s, true);
        return;
    }
    if (J->muted && !(k->pflags & RATE_PARENT_FLOOD)) {
        /* the parent's flood is gone and this one goes on: a finding of its own now */
        J->muted = false;
        J->last_report = s;
        report(r, t, k, j, RATE_OPENED);
        return;
    }
    if (s - J->last_report >= r->report_every_s) {
        J->last_report = s;
        report(r, t, k, j, RATE_ONGOING);
    }
}

/* See rate_int.h. */
bool rate_key_busy(const struct rate_table *t, const struct rate_key *k)
{
    for (unsigned j = 0; j < t->spec->njudges; j++)
        if (k->judge[j].open || k->judge[j].run)
            return true;
    return false;
}

/* See rate_int.h. */
void rate_key_close(struct rate *r, struct rate_table *t, struct rate_key *k, int64_t through)
{
    unsigned nchan = t->spec->nchan, nj = t->spec->njudges;
    /* the seconds that may hold counts, one by one */
    while (k->closed_sec < through && k->closed_sec < k->last_sec) {
        int64_t s = ++k->closed_sec;
        uint64_t *x = rate_ring_at(r, t, k, s);
        for (unsigned j = 0; j < nj; j++)
            judge_one(r, t, k, j, s, x);
        memset(x, 0, nchan * sizeof *x);
    }
    if (k->closed_sec >= through)
        return;
    /* the empty ones after: one by one while something is open, then all at once */
    static const uint64_t zero[RATE_MAX_CHAN];
    for (unsigned j = 0; j < nj; j++) {
        struct rate_judge *J = &k->judge[j];
        int64_t s = k->closed_sec + 1;
        for (; s <= through && (J->open || J->run); s++)
            judge_one(r, t, k, j, s, zero);
        if (s <= through) {
            uint8_t m = t->spec->judge[j].chans;
            for (unsigned c = 0; c < nchan; c++)
                if (m >> c & 1)
                    rate_base_learn_zeros(&k->base[c], &t->params[c], (uint64_t)(through - s + 1));
        }
    }
    k->closed_sec = through;
}

/* See rate_int.h. */
void rate_key_add(struct rate *r, struct rate_table *t, struct rate_key *k, int64_t sec,
                  const uint64_t *x, const struct rate_obs *o)
{
    uint64_t *b = rate_ring_at(r, t, k, sec);
    for (unsigned c = 0; c < t->spec->nchan; c++)
        b[c] += x[c];
    for (unsigned j = 0; j < t->spec->njudges; j++) {
        const struct rate_judge_spec *js = &t->spec->judge[j];
        struct rate_judge *J = &k->judge[j];
        if (!J->open && warming(t, k, sec))
            continue;
        bool over = false;
        for (unsigned c = 0; c < t->spec->nchan; c++)
            if ((js->chans >> c & 1) && (double)b[c] > bar(t, k, c, J->open, sec))
                over = true;
        if (!over)
            continue;
        if (!J->ev) {
            J->ev = mem_calloc(1, sizeof *J->ev);
            if (!J->ev)
                continue;
            if (js->hll)
                J->ev->hll = mem_calloc(RATE_HLL_M, 1);
            if (js->paths)
                J->ev->paths = mem_calloc(RATE_TOP_PATHS, sizeof *J->ev->paths);
        }
        struct rate_evidence *ev = J->ev;
        ev->ids[ev->idhead] = o->event_id;
        ev->idhead = (ev->idhead + 1) % RATE_SAMPLE_IDS;
        if (ev->nids < RATE_SAMPLE_IDS)
            ev->nids++;
        if (ev->hll && o->src.len)
            rate_hll_add(ev->hll, hash64(o->src.p, o->src.len, r->seed));
        if (ev->paths && o->path.len) {
            rate_paths_add(ev->paths, hash64(o->path.p, o->path.len, r->seed), o->path);
            ev->paths_counted++;
        }
    }
}

/* See rate_int.h. */
void rate_key_end(struct rate *r, struct rate_table *t, struct rate_key *k)
{
    for (unsigned j = 0; j < t->spec->njudges; j++) {
        struct rate_judge *J = &k->judge[j];
        if (J->open)
            report(r, t, k, j, RATE_CLOSED);
        evidence_free(J);
        memset(J, 0, sizeof *J);
    }
}
