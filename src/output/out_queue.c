/*
 * out_queue.c — the bounded queue in front of each output (output.h): a ring of
 * pointers under a mutex. The writer thread pushes and never waits — at the cap the
 * oldest item is pushed out and handed back to be counted and freed, since a fresh alert
 * matters more than one that has waited behind a dead receiver; the output's thread pops,
 * waiting on a condition variable (monotonic clock) while the queue is empty.
 */
#include "output/output.h"

#include <errno.h>
#include <time.h>

/* See output.h. */
int output_queue_init(struct output_queue *q, size_t cap)
{
    memset(q, 0, sizeof *q);
    if (cap == 0 || cap > SIZE_MAX / sizeof *q->ring)
        return ERR_INVAL;
    q->ring = mem_calloc(cap, sizeof *q->ring);
    if (!q->ring)
        return ERR_NOMEM;
    q->cap = cap;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&q->cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&q->mu, NULL);
    return 0;
}

/* See output.h. */
void output_queue_fini(struct output_queue *q)
{
    if (!q->ring)
        return;
    mem_free(q->ring);
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->cv);
    memset(q, 0, sizeof *q);
}

/* See output.h. */
void *output_queue_push(struct output_queue *q, void *item)
{
    void *out = NULL;
    pthread_mutex_lock(&q->mu);
    if (q->n == q->cap) { /* full: the oldest makes room */
        out = q->ring[q->head];
        q->head = (q->head + 1) % q->cap;
        q->n--;
    }
    q->ring[(q->head + q->n) % q->cap] = item;
    q->n++;
    pthread_cond_signal(&q->cv);
    pthread_mutex_unlock(&q->mu);
    return out;
}

static struct timespec abs_time(int64_t mono_ns)
{
    struct timespec ts = {.tv_sec = mono_ns / NS_PER_SEC, .tv_nsec = mono_ns % NS_PER_SEC};
    return ts;
}

/* See output.h. */
void *output_queue_pop(struct output_queue *q, int64_t until_mono)
{
    void *item = NULL;
    pthread_mutex_lock(&q->mu);
    while (q->n == 0 && !q->closed) {
        if (until_mono < 0) {
            pthread_cond_wait(&q->cv, &q->mu);
            continue;
        }
        struct timespec ts = abs_time(until_mono);
        if (pthread_cond_timedwait(&q->cv, &q->mu, &ts) == ETIMEDOUT)
            break;
    }
    if (q->n) {
        item = q->ring[q->head];
        q->head = (q->head + 1) % q->cap;
        q->n--;
    }
    pthread_mutex_unlock(&q->mu);
    return item;
}

/* See output.h. */
bool output_queue_sleep(struct output_queue *q, int64_t until_mono)
{
    pthread_mutex_lock(&q->mu);
    struct timespec ts = abs_time(until_mono);
    while (!q->closed && vtime_mono_ns() < until_mono)
        if (pthread_cond_timedwait(&q->cv, &q->mu, &ts) == ETIMEDOUT)
            break;
    bool closed = q->closed;
    pthread_mutex_unlock(&q->mu);
    return closed;
}

/* See output.h. */
void output_queue_close(struct output_queue *q)
{
    pthread_mutex_lock(&q->mu);
    q->closed = true;
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
}

/* See output.h. */
size_t output_queue_len(struct output_queue *q)
{
    pthread_mutex_lock(&q->mu);
    size_t n = q->n;
    pthread_mutex_unlock(&q->mu);
    return n;
}
