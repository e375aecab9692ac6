/*
 * in_udp.c — the syslog UDP input (RFC 5426: one message per datagram). Reads up to
 * UDP_VLEN datagrams per recvmmsg into a fixed buffer and copies each into the batch
 * of its sender's stream. UDP has no backpressure: when the pipeline has no free batch
 * the datagram is dropped and counted, and the kernel's own drops on the socket (full
 * receive buffer, SO_RXQ_OVFL) are added to the same counter — never silent.
 * The netflow input is the same socket machinery with another use of each datagram:
 * NetFlow/IPFIX packets turned into one record per flow (in_netflow.c).
 */
#include "ingest/ingest_int.h"
#include "ingest/netflow.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define UDP_VLEN 32
#define UDP_ROUNDS 8         /* recvmmsg calls per readiness, for fairness */
#define UDP_RCVBUF (4 << 20) /* asked of the kernel; it may give less */

struct udp {
    struct ingest_pollee pe;
    size_t bufsz;
    char *bufs;
    struct mmsghdr msgs[UDP_VLEN];
    struct iovec iov[UDP_VLEN];
    struct sockaddr_storage addrs[UDP_VLEN];
    char ctrl[UDP_VLEN][CMSG_SPACE(sizeof(uint32_t))];
    uint32_t kernel_drops;
    /* the last sender, so a steady sender costs no formatting or lookup */
    struct sockaddr_storage last_sa;
    socklen_t last_len;
    char peer[80];
    size_t peer_len, host_len;
    uint64_t host_hash;
    struct ingest_source_entry *src;
    struct netflow_templates *templates; /* the netflow input's */
};

static int udp_open(struct ingest_input *in, char *err, size_t errlen)
{
    struct udp *u = mem_calloc(1, sizeof *u);
    if (!u)
        return ERR_NOMEM;
    in->priv = u;
    u->pe.in = in;
    u->pe.fd = -1;
    u->bufsz = in->cfg->max_frame < 65536 ? in->cfg->max_frame : 65536;
    u->bufs = mem_alloc(UDP_VLEN * u->bufsz);
    if (!u->bufs)
        return ERR_NOMEM;
    if (in->cfg->type == INGEST_NETFLOW) {
        u->bufsz = 65536; /* a whole export packet, whatever max_frame says of records */
        mem_free(u->bufs);
        if (!(u->bufs = mem_alloc(UDP_VLEN * u->bufsz)) ||
            !(u->templates = netflow_templates_new()))
            return ERR_NOMEM;
    }
    int rc =
        ingest_bind(in->cfg->listen, SOCK_DGRAM, &u->pe.fd, in->addr, sizeof in->addr, err, errlen);
    if (rc)
        return rc;
    int v = UDP_RCVBUF, one = 1;
    setsockopt(u->pe.fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof v);
    setsockopt(u->pe.fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof one);
    if ((rc = ingest_watch(in, &u->pe))) {
        snprintf(err, errlen, "epoll: %s", err_errno(errno));
        return rc;
    }
    log_info("listening %s %s %s", in->cfg->name, u->templates ? "netflow" : "udp", in->addr);
    return 0;
}

static void note_kernel_drops(struct ingest_input *in, struct udp *u, struct msghdr *mh)
{
    for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
            uint32_t total;
            memcpy(&total, CMSG_DATA(c), sizeof total);
            if (total != u->kernel_drops) {
                atomic_fetch_add_explicit(&in->ct.dropped, (uint32_t)(total - u->kernel_drops),
                                          memory_order_relaxed);
                u->kernel_drops = total;
            }
        }
    }
}

static void one_datagram(struct ingest_input *in, struct udp *u, unsigned i, int64_t now)
{
    struct mmsghdr *m = &u->msgs[i];
    const char *p = u->bufs + (size_t)i * u->bufsz;
    size_t len = m->msg_len;
    unsigned flags = (m->msg_hdr.msg_flags & MSG_TRUNC) ? EVF_TRUNCATED : 0;
    note_kernel_drops(in, u, &m->msg_hdr);
    if (len > u->bufsz)
        len = u->bufsz;
    while (!u->templates && len && (p[len - 1] == '\n' || p[len - 1] == '\r' || p[len - 1] == '\0'))
        len--;
    if (len == 0)
        return;
    socklen_t sl = m->msg_hdr.msg_namelen;
    if (sl != u->last_len || memcmp(&u->addrs[i], &u->last_sa, sl) != 0) {
        memcpy(&u->last_sa, &u->addrs[i], sl);
        u->last_len = sl;
        u->peer_len = ingest_format_addr(&u->addrs[i], sl, u->peer, sizeof u->peer, &u->host_len);
        if (u->host_len > u->peer_len)
            u->host_len = u->peer_len;
        u->host_hash = hash64(u->peer, u->host_len, 0);
        u->src = NULL;
    }
    if (u->templates) {
        ingest_netflow_datagram(in, u->templates, u->host_hash, u->peer, u->peer_len, u->host_len,
                                (const uint8_t *)p, len, now);
        u->src = ingest_source_note(in, u->host_hash, u->peer, u->host_len, now, u->src);
        return;
    }
    uint64_t id = ingest_net_id(in, hash64(u->peer, u->peer_len, 1), now);
    if (ingest_add(in, u->host_hash, p, len, flags, id, (struct event_origin){0, 0}, now, u->peer,
                   u->peer_len, NULL, false)) {
        atomic_fetch_add_explicit(&in->ct.dropped, 1, memory_order_relaxed);
        return;
    }
    u->src = ingest_source_note(in, u->host_hash, u->peer, u->host_len, now, u->src);
}

static void udp_ready(struct ingest_input *in, struct ingest_pollee *pe, uint32_t events)
{
    (void)pe;
    (void)events;
    struct udp *u = in->priv;
    for (int round = 0; round < UDP_ROUNDS; round++) {
        for (unsigned i = 0; i < UDP_VLEN; i++) {
            u->iov[i].iov_base = u->bufs + (size_t)i * u->bufsz;
            u->iov[i].iov_len = u->bufsz;
            struct msghdr *mh = &u->msgs[i].msg_hdr;
            memset(mh, 0, sizeof *mh);
            mh->msg_name = &u->addrs[i];
            mh->msg_namelen = sizeof u->addrs[i];
            mh->msg_iov = &u->iov[i];
            mh->msg_iovlen = 1;
            mh->msg_control = u->ctrl[i];
            mh->msg_controllen = sizeof u->ctrl[i];
        }
        int n = recvmmsg(u->pe.fd, u->msgs, UDP_VLEN, MSG_DONTWAIT, NULL);
        if (n < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                log_warn("%s: recvmmsg: %s", in->cfg->name, err_errno(errno));
            return;
        }
        int64_t now = vtime_now_ns();
        for (int i = 0; i < n; i++)
            one_datagram(in, u, (unsigned)i, now);
        if (n < UDP_VLEN)
            return;
    }
}

static void udp_close(struct ingest_input *in)
{
    struct udp *u = in->priv;
    if (!u)
        return;
    if (u->pe.fd >= 0) {
        ingest_unwatch(in, &u->pe);
        close(u->pe.fd);
    }
    mem_free(u->bufs);
    netflow_templates_free(u->templates);
    mem_free(u);
    in->priv = NULL;
}

const struct ingest_input_ops ingest_netflow_ops = {
    .type = "netflow",
    .open = udp_open,
    .ready = udp_ready,
    .tick = NULL,
    .close = udp_close,
};

const struct ingest_input_ops ingest_udp_ops = {
    .type = "syslog_udp",
    .open = udp_open,
    .ready = udp_ready,
    .tick = NULL,
    .close = udp_close,
};
