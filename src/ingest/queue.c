/*
 * queue.c — the bounded FIFO that hands batches between the pipeline's threads (I/O →
 * workers → writer → back to the free pool). One lock operation per batch, never per
 * record. Capacity equals the batch pool, so a push always has room; consumers wait on
 * a condition variable while the queue is empty.
 */
#include "ingest/ingest_int.h"

#include <errno.h>
#include <time.h>

int ingest_queue_init(struct ingest_queue *q, size_t cap)
{
    q->ring = mem_calloc(cap, sizeof *q->ring);
    if (!q->ring)
        return ERR_NOMEM;
    q->cap = cap;
    q->head = q->n = 0;
    q->closed = false;
    pthread_mutex_init(&q->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&q->cv, &ca);
    pthread_condattr_destroy(&ca);
    return 0;
}

void ingest_queue_fini(struct ingest_queue *q)
{
    if (!q->ring)
        return;
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->cv);
    mem_free(q->ring);
    q->ring = NULL;
}

void ingest_queue_push(struct ingest_queue *q, struct ingest_batch *b)
{
    pthread_mutex_lock(&q->mu);
    /* NEVER full: the ring is as large as the pool of batches that can be in it */
    q->ring[(q->head + q->n) % q->cap] = b;
    q->n++;
    pthread_cond_signal(&q->cv);
    pthread_mutex_unlock(&q->mu);
}

static struct ingest_batch *take_locked(struct ingest_queue *q)
{
    struct ingest_batch *b = q->ring[q->head];
    q->head = (q->head + 1) % q->cap;
    q->n--;
    return b;
}

struct ingest_batch *ingest_queue_pop(struct ingest_queue *q, int timeout_ms)
{
    struct timespec until;
    if (timeout_ms >= 0) {
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += timeout_ms / 1000;
        until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
    }
    struct ingest_batch *b = NULL;
    pthread_mutex_lock(&q->mu);
    while (q->n == 0 && !q->closed) {
        if (timeout_ms < 0) {
            pthread_cond_wait(&q->cv, &q->mu);
        } else if (pthread_cond_timedwait(&q->cv, &q->mu, &until) == ETIMEDOUT) {
            break;
        }
    }
    if (q->n)
        b = take_locked(q);
    pthread_mutex_unlock(&q->mu);
    return b;
}

struct ingest_batch *ingest_queue_trypop(struct ingest_queue *q)
{
    struct ingest_batch *b = NULL;
    pthread_mutex_lock(&q->mu);
    if (q->n)
        b = take_locked(q);
    pthread_mutex_unlock(&q->mu);
    return b;
}

void ingest_queue_close(struct ingest_queue *q)
{
    pthread_mutex_lock(&q->mu);
    q->closed = true;
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
}

bool ingest_queue_done(struct ingest_queue *q)
{
    pthread_mutex_lock(&q->mu);
    bool done = q->closed && q->n == 0;
    pthread_mutex_unlock(&q->mu);
    return done;
}
