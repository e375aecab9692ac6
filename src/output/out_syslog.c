/*
 * out_syslog.c — syslog forwarding as CEF (output.h): each alert is one syslog message
 * (output_render_syslog: an RFC 5424 or 3164 header, then the CEF record) sent to
 * HOST:PORT over UDP (one datagram, cut at 60,000 bytes: a datagram cannot be larger)
 * or TCP (one connection kept open, each message ended by a newline or preceded by its
 * length, RFC 6587). The address is resolved when the socket is made, so a receiver
 * that moves is found again after a failure. A TCP peer that has closed is noticed
 * before writing (a write into a closed connection can succeed and be lost), and any
 * error drops the connection: the retry connects again.
 */
#include "output/out_int.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define UDP_MAX 60000

struct sys {
    int fd; /* -1: none */
    struct sockaddr_storage addr;
    socklen_t alen;
};

static void sys_drop(struct sys *s)
{
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
}

static void syslog_close(struct output *o)
{
    struct sys *s = o->priv;
    if (!s)
        return;
    sys_drop(s);
    mem_free(s);
    o->priv = NULL;
}

static int syslog_open(struct output *o, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    struct sys *s = mem_calloc(1, sizeof *s);
    if (!s)
        return ERR_NOMEM;
    s->fd = -1;
    o->priv = s;
    return 0;
}

/* Resolves the configured HOST:PORT into s->addr. */
static int resolve(struct output *o, struct sys *s, char *why, size_t whylen)
{
    char host[300];
    const char *a = o->cfg->address, *colon = strrchr(a, ':');
    size_t hl = (size_t)(colon - a);
    if (a[0] == '[') { /* [v6]:port */
        a++;
        hl -= 2;
    }
    if (hl >= sizeof host) {
        snprintf(why, whylen, "address too long");
        return ERR_INVAL;
    }
    memcpy(host, a, hl);
    host[hl] = 0;
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = o->cfg->tcp ? SOCK_STREAM : SOCK_DGRAM};
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(host, colon + 1, &hints, &res);
    if (rc || !res) {
        snprintf(why, whylen, "cannot resolve %s: %s", host, gai_strerror(rc));
        return ERR_IO;
    }
    memcpy(&s->addr, res->ai_addr, res->ai_addrlen);
    s->alen = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

/* Waits for events on fd until deadline (mono); 0 when they came. */
static int wait_fd(int fd, short events, int64_t deadline)
{
    for (;;) {
        int64_t left = (deadline - vtime_mono_ns()) / 1000000;
        if (left <= 0)
            return ERR_AGAIN;
        struct pollfd p = {.fd = fd, .events = events};
        int n = poll(&p, 1, (int)(left > 60000 ? 60000 : left));
        if (n > 0)
            return 0;
        if (n < 0 && errno != EINTR)
            return ERR_IO;
    }
}

/* True when the peer of a connected TCP socket has closed it (or it is broken). */
static bool peer_gone(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, 0) <= 0)
        return false;
    char c[256];
    ssize_t n = recv(fd, c, sizeof c, MSG_DONTWAIT); /* a receiver has nothing to say */
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

static int tcp_connect(struct output *o, struct sys *s, int64_t deadline, char *why, size_t whylen)
{
    int rc = resolve(o, s, why, whylen);
    if (rc)
        return rc;
    s->fd = socket(s->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s->fd < 0) {
        snprintf(why, whylen, "socket: %s", err_errno(errno));
        return ERR_IO;
    }
    if (connect(s->fd, (struct sockaddr *)&s->addr, s->alen) != 0) {
        if (errno != EINPROGRESS) {
            snprintf(why, whylen, "connect to %s: %s", o->cfg->address, err_errno(errno));
            sys_drop(s);
            return ERR_IO;
        }
        int e = 0;
        socklen_t el = sizeof e;
        if (wait_fd(s->fd, POLLOUT, deadline) ||
            getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &e, &el) != 0 || e != 0) {
            snprintf(why, whylen, "connect to %s: %s", o->cfg->address,
                     e ? err_errno(e) : "timed out");
            sys_drop(s);
            return ERR_IO;
        }
    }
    return 0;
}

static int send_tcp(struct output *o, struct sys *s, const char *p, size_t n, int64_t deadline,
                    char *why, size_t whylen)
{
    if (s->fd >= 0 && peer_gone(s->fd))
        sys_drop(s);
    if (s->fd < 0) {
        int rc = tcp_connect(o, s, deadline, why, whylen);
        if (rc)
            return rc;
    }
    size_t off = 0;
    while (off < n) {
        ssize_t k = send(s->fd, p + off, n - off, MSG_NOSIGNAL);
        if (k > 0) {
            off += (size_t)k;
            continue;
        }
        if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) &&
            wait_fd(s->fd, POLLOUT, deadline) == 0)
            continue;
        snprintf(why, whylen, "send to %s: %s", o->cfg->address,
                 k < 0 ? err_errno(errno) : "timed out");
        sys_drop(s);
        return ERR_IO;
    }
    return 0;
}

static int send_udp(struct output *o, struct sys *s, const char *p, size_t n, char *why,
                    size_t whylen)
{
    if (s->fd < 0) {
        int rc = resolve(o, s, why, whylen);
        if (rc)
            return rc;
        s->fd = socket(s->addr.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (s->fd < 0) {
            snprintf(why, whylen, "socket: %s", err_errno(errno));
            return ERR_IO;
        }
    }
    if (sendto(s->fd, p, n < UDP_MAX ? n : UDP_MAX, 0, (struct sockaddr *)&s->addr, s->alen) < 0) {
        snprintf(why, whylen, "send to %s: %s", o->cfg->address, err_errno(errno));
        sys_drop(s);
        return ERR_IO;
    }
    return 0;
}

static int syslog_send(struct output *o, const struct output_alert *a, long timeout_ms, char *why,
                       size_t whylen)
{
    struct sys *s = o->priv;
    struct buf *m = &o->msg;
    int64_t deadline = vtime_mono_ns() + (int64_t)timeout_ms * 1000000;
    if (o->cfg->tcp && o->cfg->octet_count) {
        struct buf body;
        buf_init(&body, m->cap);
        output_render_syslog(&body, o->cfg, a, o->hostname, o->pid, vtime_now_ns());
        if (!body.err)
            buf_printf(m, "%zu ", body.len);
        buf_append(m, body.p, body.len);
        if (body.err)
            m->err = body.err;
        buf_fini(&body);
    } else {
        output_render_syslog(m, o->cfg, a, o->hostname, o->pid, vtime_now_ns());
        if (o->cfg->tcp)
            buf_putc(m, '\n'); /* CEF escapes line breaks: the newline ends the message */
    }
    if (m->err || !m->p) {
        snprintf(why, whylen, "the alert does not fit in a message");
        return ERR_TOOBIG;
    }
    return o->cfg->tcp ? send_tcp(o, s, m->p, m->len, deadline, why, whylen)
                       : send_udp(o, s, m->p, m->len, why, whylen);
}

const struct output_sender output_syslog = {
    .type = "syslog",
    .open = syslog_open,
    .send = syslog_send,
    .close = syslog_close,
};
