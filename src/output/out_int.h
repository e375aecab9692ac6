/*
 * out_int.h — private to the output module: one running output and the const table of
 * callbacks each kind of output registers (out_webhook.c, out_syslog.c, out_email.c).
 * The callbacks run on the output's own thread, except open and close.
 */
#ifndef VIGIL_OUT_INT_H
#define VIGIL_OUT_INT_H

#include "output/output.h"

#include <stdatomic.h>

struct output;

struct output_sender {
    const char *type;
    /* Builds the sender's state in o->priv (a libcurl handle, a socket to be); err gets a
     * reason. On the thread that creates the set. */
    int (*open)(struct output *o, char *err, size_t errlen);
    /* One attempt to deliver a, within timeout_ms: 0, or an ERR_* with a reason in why
     * (an attempt that fails is retried by the caller). */
    int (*send)(struct output *o, const struct output_alert *a, long timeout_ms, char *why,
                size_t whylen);
    /* Frees what open built. */
    void (*close)(struct output *o);
};

extern const struct output_sender output_webhook;
extern const struct output_sender output_syslog;
extern const struct output_sender output_email;

struct output {
    const struct output_cfg *cfg;
    const struct output_sender *sender;
    struct output_queue q;
    pthread_t th;
    bool started;
    _Atomic int64_t stop_by; /* 0 while running; at stop: the drain deadline (mono) */
    _Atomic uint64_t sent, failed, dropped, retries;
    char hostname[256]; /* for syslog headers and Message-IDs */
    long pid;
    struct buf msg; /* the message being sent (output thread) */
    void *priv;     /* the sender's state */
};

#endif
