/*
 * in_tcp.c — the syslog TCP input (RFC 6587). Accepts up to max_connections clients
 * (more are closed at once and logged), reads each with a shared read buffer and cuts
 * frames with its own struct ingest_framer. Backpressure: frames go to the pipeline with
 * waiting allowed, so when the pipeline is full the I/O thread stops reading sockets
 * and the kernel's TCP window pushes back on the senders. A connection silent for
 * idle_timeout is closed; on close a trailing newline-framed line is delivered and a
 * partial octet-counted frame is lost and counted as dropped. Memory: each connection's
 * framer buffer grows to at most max_frame, so the input holds at most
 * max_connections x max_frame bytes of partial frames (64 MiB with the defaults).
 */
#include "ingest/ingest_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define TCP_READ_SIZE (64 * 1024)
#define TCP_READS_PER_WAKE 4 /* then the next connection gets its turn */

struct conn {
    struct ingest_pollee pe;
    struct ingest_framer fr;
    struct ingest_input *in;
    char peer[80];
    size_t peer_len, host_len;
    uint64_t host_hash, peer_hash;
    int64_t last_mono, recv_ns;
    struct ingest_source_entry *src;
    struct conn *prev, *next; /* by activity: head = quietest */
};

struct tcp {
    struct ingest_pollee lpe;
    char *rbuf;
    struct conn *head, *tail;
    unsigned nconns;
    uint64_t refused;
};

static void list_remove(struct tcp *t, struct conn *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else
        t->head = c->next;
    if (c->next)
        c->next->prev = c->prev;
    else
        t->tail = c->prev;
    c->prev = c->next = NULL;
}

static void list_append(struct tcp *t, struct conn *c)
{
    c->prev = t->tail;
    c->next = NULL;
    if (t->tail)
        t->tail->next = c;
    else
        t->head = c;
    t->tail = c;
}

static void on_frame(void *ctx, const char *p, size_t len, unsigned flags)
{
    struct conn *c = ctx;
    struct ingest_input *in = c->in;
    uint64_t id = ingest_net_id(in, c->peer_hash, c->recv_ns);
    if (ingest_add(in, c->host_hash, p, len, ingest_frame_evflags(flags), id,
                   (struct event_origin){0, 0}, c->recv_ns, c->peer, c->peer_len, NULL, true)) {
        atomic_fetch_add_explicit(&in->ct.dropped, 1, memory_order_relaxed);
        return;
    }
    c->src = ingest_source_note(in, c->host_hash, c->peer, c->host_len, c->recv_ns, c->src);
}

static void conn_close(struct ingest_input *in, struct conn *c, bool deliver)
{
    struct tcp *t = in->priv;
    if (deliver) {
        c->recv_ns = vtime_now_ns();
        if (ingest_framer_eof(&c->fr, on_frame, c) > 0)
            atomic_fetch_add_explicit(&in->ct.dropped, 1, memory_order_relaxed);
    }
    ingest_unwatch(in, &c->pe);
    close(c->pe.fd);
    list_remove(t, c);
    t->nconns--;
    ingest_framer_fini(&c->fr);
    mem_free(c);
}

static void accept_all(struct ingest_input *in, struct tcp *t)
{
    for (;;) {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        int fd = accept4(t->lpe.fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                log_warn("%s: accept: %s", in->cfg->name, err_errno(errno));
            return;
        }
        struct conn *c = NULL;
        if (t->nconns >= in->cfg->max_connections || !(c = mem_calloc(1, sizeof *c))) {
            /* at the cap: refuse by closing (logged every 1000 refusals) */
            if (t->refused++ % 1000 == 0)
                log_warn("%s: %u connections (the cap): refusing new ones", in->cfg->name,
                         t->nconns);
            close(fd);
            continue;
        }
        c->in = in;
        c->pe.in = in;
        c->pe.fd = fd;
        c->pe.obj = c;
        ingest_framer_init(&c->fr, in->cfg->max_frame, false);
        c->peer_len = ingest_format_addr(&ss, sl, c->peer, sizeof c->peer, &c->host_len);
        if (c->host_len > c->peer_len)
            c->host_len = c->peer_len;
        c->host_hash = hash64(c->peer, c->host_len, 0);
        c->peer_hash = hash64(c->peer, c->peer_len, 1);
        c->last_mono = vtime_mono_ns();
        if (ingest_watch(in, &c->pe)) {
            log_warn("%s: epoll: %s", in->cfg->name, err_errno(errno));
            close(fd);
            ingest_framer_fini(&c->fr);
            mem_free(c);
            continue;
        }
        list_append(t, c);
        t->nconns++;
    }
}

static void conn_read(struct ingest_input *in, struct tcp *t, struct conn *c)
{
    for (int k = 0; k < TCP_READS_PER_WAKE; k++) {
        ssize_t n = read(c->pe.fd, t->rbuf, TCP_READ_SIZE);
        if (n > 0) {
            c->recv_ns = vtime_now_ns();
            c->last_mono = vtime_mono_ns();
            list_remove(t, c);
            list_append(t, c);
            ingest_framer_feed(&c->fr, t->rbuf, (size_t)n, on_frame, c);
            if ((size_t)n < TCP_READ_SIZE)
                return;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        /* EOF, or a reset: the peer is gone; a trailing line is still delivered */
        conn_close(in, c, true);
        return;
    }
}

static void tcp_ready(struct ingest_input *in, struct ingest_pollee *pe, uint32_t events)
{
    struct tcp *t = in->priv;
    (void)events;
    if (pe == &t->lpe) {
        accept_all(in, t);
        return;
    }
    conn_read(in, t, pe->obj);
}

static bool tcp_tick(struct ingest_input *in, int64_t now_mono)
{
    struct tcp *t = in->priv;
    int64_t idle = (int64_t)in->cfg->idle_timeout_s * NS_PER_SEC;
    while (t->head && now_mono - t->head->last_mono >= idle)
        conn_close(in, t->head, true);
    return false;
}

static int tcp_open(struct ingest_input *in, char *err, size_t errlen)
{
    struct tcp *t = mem_calloc(1, sizeof *t);
    if (!t)
        return ERR_NOMEM;
    in->priv = t;
    t->lpe.in = in;
    t->lpe.fd = -1;
    t->rbuf = mem_alloc(TCP_READ_SIZE);
    if (!t->rbuf)
        return ERR_NOMEM;
    int rc = ingest_bind(in->cfg->listen, SOCK_STREAM, &t->lpe.fd, in->addr, sizeof in->addr, err,
                         errlen);
    if (rc)
        return rc;
    if ((rc = ingest_watch(in, &t->lpe))) {
        snprintf(err, errlen, "epoll: %s", err_errno(errno));
        return rc;
    }
    log_info("listening %s tcp %s", in->cfg->name, in->addr);
    return 0;
}

static void tcp_close(struct ingest_input *in)
{
    struct tcp *t = in->priv;
    if (!t)
        return;
    while (t->head)
        conn_close(in, t->head, false);
    if (t->lpe.fd >= 0) {
        ingest_unwatch(in, &t->lpe);
        close(t->lpe.fd);
    }
    mem_free(t->rbuf);
    mem_free(t);
    in->priv = NULL;
}

const struct ingest_input_ops ingest_tcp_ops = {
    .type = "syslog_tcp",
    .open = tcp_open,
    .ready = tcp_ready,
    .tick = tcp_tick,
    .close = tcp_close,
};
