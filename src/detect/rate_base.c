/*
 * rate_base.c — the adaptive baseline of one per-second rate (rate_int.h): an
 * exponentially weighted mean and variance (West's incremental form), and the
 * thresholds a second is judged against. Part of the rate analyzers (rate.h).
 *
 * The weight of a new second is alpha = 1 - 2^(-1/half-life), but never less than 1/n
 * for the n-th second learned: a young baseline is then the plain mean of what it saw,
 * not a mean dragged towards its starting zero.
 */
#include "detect/rate_int.h"

#include <math.h>

/* See rate_int.h. */
void rate_base_thresholds(struct rate_base *b, const struct rate_base_params *p)
{
    double sd = b->var > 0 ? sqrt(b->var) : 0;
    double t = p->floor;
    if (b->mean + p->k * sd > t)
        t = b->mean + p->k * sd;
    if (p->multiplier * b->mean > t)
        t = p->multiplier * b->mean;
    b->thr_open = t;
    /* hysteresis: an episode goes on down to halfway between the mean and the bar */
    double c = b->mean + (t - b->mean) / 2;
    b->thr_close = c > p->floor ? c : p->floor;
}

static double weight(const struct rate_base *b, const struct rate_base_params *p)
{
    double w = 1.0 / (double)(b->n + 1);
    return w > p->alpha ? w : p->alpha;
}

static void learn_one(struct rate_base *b, double a, double x)
{
    double diff = x - b->mean, incr = a * diff;
    b->mean += incr;
    b->var = (1 - a) * (b->var + diff * incr);
    b->n++;
}

/* See rate_int.h. */
void rate_base_learn(struct rate_base *b, const struct rate_base_params *p, double x)
{
    learn_one(b, weight(b, p), x);
    rate_base_thresholds(b, p);
}

/* See rate_int.h. With a fixed weight a, n zeros give mean' = (1-a)^n mean and
 * var' = (1-a)^n (var + mean^2 (1 - (1-a)^n)). */
void rate_base_learn_zeros(struct rate_base *b, const struct rate_base_params *p, uint64_t n)
{
    while (n > 0 && 1.0 / (double)(b->n + 1) > p->alpha) {
        learn_one(b, weight(b, p), 0);
        n--;
    }
    if (n > 0) {
        double d = pow(1 - p->alpha, (double)n);
        b->var = d * (b->var + b->mean * b->mean * (1 - d));
        b->mean *= d;
        b->n += n;
        if (b->mean < 1e-9) { /* nothing left to remember */
            b->mean = 0;
            b->var = b->var < 1e-12 ? 0 : b->var;
        }
    }
    rate_base_thresholds(b, p);
}
