/*
 * in_stdin.c — the stdin input (`vigil serve --stdin`, or `type: stdin`): newline
 * framed records from standard input. A pipe or terminal is watched with epoll; a
 * regular file (which epoll refuses) is read from the timer tick instead. EOF ends this
 * input (the trailing unterminated line is delivered); the daemon ends with it only when
 * it was the only input. Waits for the pipeline when it is full (backpressure).
 */
#include "ingest/ingest_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define STDIN_READ_SIZE (64 * 1024)
#define STDIN_TICK_BUDGET (4 << 20) /* bytes per tick for a regular file */

struct stdin_state {
    struct ingest_pollee pe;
    struct ingest_framer fr;
    char *rbuf;
    bool watched, polled; /* epoll-watched, or read from the tick */
    int64_t recv_ns;
    uint64_t host_hash;
    struct ingest_source_entry *src;
};

static void on_frame(void *ctx, const char *p, size_t len, unsigned flags)
{
    struct ingest_input *in = ctx;
    struct stdin_state *s = in->priv;
    uint64_t id = ingest_net_id(in, s->host_hash, s->recv_ns);
    if (ingest_add(in, s->host_hash, p, len, ingest_frame_evflags(flags), id,
                   (struct event_origin){0, 0}, s->recv_ns, NULL, 0, NULL, true)) {
        atomic_fetch_add_explicit(&in->ct.dropped, 1, memory_order_relaxed);
        return;
    }
    s->src = ingest_source_note(in, s->host_hash, "-", 1, s->recv_ns, s->src);
}

static void finish(struct ingest_input *in, struct stdin_state *s)
{
    s->recv_ns = vtime_now_ns();
    ingest_framer_eof(&s->fr, on_frame, in);
    if (s->watched)
        ingest_unwatch(in, &s->pe);
    s->watched = s->polled = false;
    in->ended = true;
    log_info("%s: end of input", in->cfg->name);
}

/* Reads up to budget bytes; returns true when more may be waiting. */
static bool read_some(struct ingest_input *in, struct stdin_state *s, size_t budget)
{
    size_t done = 0;
    while (done < budget) {
        ssize_t n = read(s->pe.fd, s->rbuf, STDIN_READ_SIZE);
        if (n > 0) {
            s->recv_ns = vtime_now_ns();
            ingest_framer_feed(&s->fr, s->rbuf, (size_t)n, on_frame, in);
            done += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return false;
        if (n < 0)
            log_warn("%s: read: %s", in->cfg->name, err_errno(errno));
        finish(in, s);
        return false;
    }
    return true;
}

static int stdin_open(struct ingest_input *in, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    struct stdin_state *s = mem_calloc(1, sizeof *s);
    if (!s)
        return ERR_NOMEM;
    in->priv = s;
    s->pe.in = in;
    s->pe.fd = STDIN_FILENO;
    s->host_hash = hash64("-", 1, 0);
    ingest_framer_init(&s->fr, in->cfg->max_frame, true);
    s->rbuf = mem_alloc(STDIN_READ_SIZE);
    if (!s->rbuf)
        return ERR_NOMEM;
    snprintf(in->addr, sizeof in->addr, "-");
    if (ingest_watch(in, &s->pe) == 0) {
        int fl = fcntl(s->pe.fd, F_GETFL);
        if (fl >= 0)
            fcntl(s->pe.fd, F_SETFL, fl | O_NONBLOCK);
        s->watched = true;
    } else {
        s->polled = true; /* a regular file or /dev/null: read it from the tick */
    }
    return 0;
}

static void stdin_ready(struct ingest_input *in, struct ingest_pollee *pe, uint32_t events)
{
    (void)pe;
    (void)events;
    struct stdin_state *s = in->priv;
    if (s->watched)
        read_some(in, s, STDIN_READ_SIZE * 4);
}

static bool stdin_tick(struct ingest_input *in, int64_t now_mono)
{
    (void)now_mono;
    struct stdin_state *s = in->priv;
    if (!s->polled)
        return false;
    return read_some(in, s, STDIN_TICK_BUDGET);
}

static void stdin_close(struct ingest_input *in)
{
    struct stdin_state *s = in->priv;
    if (!s)
        return;
    if (s->watched)
        ingest_unwatch(in, &s->pe);
    ingest_framer_fini(&s->fr);
    mem_free(s->rbuf);
    mem_free(s);
    in->priv = NULL;
}

const struct ingest_input_ops ingest_stdin_ops = {
    .type = "stdin",
    .open = stdin_open,
    .ready = stdin_ready,
    .tick = stdin_tick,
    .close = stdin_close,
};
