/*
 * net.c — the socket set-up shared by the network inputs: "HOST:PORT" to a bound,
 * non-blocking socket, and the bound address back as text (so that port 0 in the
 * configuration becomes a discoverable port in serve.json).
 */
#include "ingest/ingest_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int ingest_bind(const char *listen_addr, int socktype, int *fd, char *addr, size_t addrlen,
                char *err, size_t errlen)
{
    *fd = -1;
    const char *colon = strrchr(listen_addr, ':');
    if (!colon || colon == listen_addr) {
        snprintf(err, errlen, "bad listen address '%s'", listen_addr);
        return ERR_INVAL;
    }
    char host[256];
    const char *h = listen_addr;
    size_t hl = (size_t)(colon - listen_addr);
    if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
        h++;
        hl -= 2;
    }
    if (hl >= sizeof host) {
        snprintf(err, errlen, "bad listen address '%s'", listen_addr);
        return ERR_INVAL;
    }
    memcpy(host, h, hl);
    host[hl] = 0;
    struct addrinfo hints = {.ai_socktype = socktype, .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *res = NULL;
    int gai = getaddrinfo(hl ? host : NULL, colon + 1, &hints, &res);
    if (gai) {
        snprintf(err, errlen, "listen %s: %s", listen_addr, gai_strerror(gai));
        return ERR_INVAL;
    }
    int rc = ERR_IO;
    int s = socket(res->ai_family, socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s < 0)
        goto fail;
    int one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(s, res->ai_addr, res->ai_addrlen) < 0)
        goto fail;
    if (socktype == SOCK_STREAM && listen(s, 128) < 0)
        goto fail;
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    if (getsockname(s, (struct sockaddr *)&ss, &sl) < 0)
        goto fail;
    ingest_format_addr(&ss, sl, addr, addrlen, NULL);
    freeaddrinfo(res);
    *fd = s;
    return 0;
fail:
    snprintf(err, errlen, "listen %s (%s): %s", listen_addr,
             socktype == SOCK_STREAM ? "tcp" : "udp", err_errno(errno));
    if (s >= 0)
        close(s);
    freeaddrinfo(res);
    return rc;
}
