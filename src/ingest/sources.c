/*
 * sources.c — the per-input counters and the source inventory (who sends what: per
 * input and sending host, first and last seen, events, a moving events/s rate), and
 * their JSON rendering into <data_dir>/stats.json and serve.json. The inventory is
 * owned by the I/O thread (no lock); it is read by the same thread at each stats
 * interval and by the stopping thread after the I/O thread has been joined.
 */
#include "ingest/ingest_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define OTHER_HOST "(other)"

int ingest_sources_init(struct ingest_sources *s)
{
    s->nslots = 2 * INGEST_SOURCES_MAX;
    s->used = 0;
    s->last_rate_ns = 0;
    s->slots = mem_calloc(s->nslots, sizeof *s->slots);
    return s->slots ? 0 : ERR_NOMEM;
}

void ingest_sources_fini(struct ingest_sources *s)
{
    mem_free(s->slots);
    s->slots = NULL;
}

static struct ingest_source_entry *lookup(struct ingest_sources *s, uint16_t input, uint64_t h,
                                          const char *host, size_t len, bool *fresh)
{
    size_t i = (size_t)(h % s->nslots);
    *fresh = false;
    for (size_t probe = 0; probe < s->nslots; probe++, i = (i + 1) % s->nslots) {
        struct ingest_source_entry *e = &s->slots[i];
        if (!e->used) {
            /* the table is at most half full, so an empty slot always ends the probe */
            *fresh = true;
            return e;
        }
        if (e->hash == h && e->input == input && e->host_len == len && !memcmp(e->host, host, len))
            return e;
    }
    return NULL;
}

struct ingest_source_entry *ingest_source_note(struct ingest_input *in, uint64_t host_hash,
                                               const char *host, size_t host_len, int64_t now_ns,
                                               struct ingest_source_entry *hint)
{
    struct ingest_sources *s = &in->ig->sources;
    if (host_len >= INGEST_HOST_MAX)
        host_len = INGEST_HOST_MAX - 1;
    uint64_t h = hash_mix(in->name_hash, host_hash);
    struct ingest_source_entry *e = hint;
    if (!e || e->hash != h || e->input != in->index) {
        bool fresh;
        e = lookup(s, (uint16_t)in->index, h, host, host_len, &fresh);
        if (e && fresh && s->used >= INGEST_SOURCES_MAX - INGEST_MAX_INPUTS) {
            /* at the cap: count the newcomer under "(other)" of its input (the last
             * INGEST_MAX_INPUTS entries are kept for those) */
            host = OTHER_HOST;
            host_len = sizeof OTHER_HOST - 1;
            h = hash_mix(in->name_hash, 0x6f74686572ULL);
            e = lookup(s, (uint16_t)in->index, h, host, host_len, &fresh);
        }
        if (!e)
            return NULL;
        if (fresh) {
            e->used = true;
            e->input = (uint16_t)in->index;
            e->hash = h;
            e->host_len = (uint8_t)host_len;
            memcpy(e->host, host, host_len);
            e->first_ns = now_ns;
            s->used++;
        }
    }
    ingest_health_note(e, now_ns);
    e->last_ns = now_ns;
    e->events++;
    return e;
}

struct load_ctx {
    struct ingest *ig;
};

static int load_row(void *arg, const struct store_source *row)
{
    struct ingest *ig = ((struct load_ctx *)arg)->ig;
    struct ingest_sources *s = &ig->sources;
    size_t len = strlen(row->host);
    if (len >= INGEST_HOST_MAX || s->used >= INGEST_SOURCES_MAX - INGEST_MAX_INPUTS)
        return 0;
    for (size_t i = 0; i < ig->ninputs; i++) {
        struct ingest_input *in = &ig->inputs[i];
        if (strcmp(in->cfg->name, row->input))
            continue;
        /* the same key ingest_source_note computes: file inputs pass their name hash as
         * the host hash (it also picks their worker), the others hash the host text */
        uint64_t host_hash =
            in->cfg->type == INGEST_FILE ? in->name_hash : hash64(row->host, len, 0);
        uint64_t h = hash_mix(in->name_hash, host_hash);
        bool fresh;
        struct ingest_source_entry *e = lookup(s, (uint16_t)in->index, h, row->host, len, &fresh);
        if (!e || !fresh)
            return 0;
        e->used = true;
        e->input = (uint16_t)in->index;
        e->hash = h;
        e->host_len = (uint8_t)len;
        memcpy(e->host, row->host, len);
        e->first_ns = row->first_ns;
        e->last_ns = row->last_ns;
        e->events = e->prev_events = e->saved_events = row->events;
        s->used++;
        return 0;
    }
    return 0;
}

int ingest_sources_load(struct ingest *ig)
{
    struct load_ctx ctx = {ig};
    return store_sources_list(ig->st, load_row, &ctx);
}

int ingest_sources_save(struct ingest *ig)
{
    struct ingest_sources *s = &ig->sources;
    size_t n = 0;
    for (size_t i = 0; i < s->nslots; i++)
        n += s->slots[i].used && s->slots[i].events > s->slots[i].saved_events;
    if (n == 0)
        return 0;
    struct store_source *rows = mem_calloc(n, sizeof *rows);
    char(*hosts)[INGEST_HOST_MAX] = mem_calloc(n, INGEST_HOST_MAX);
    int rc = ERR_NOMEM;
    if (!rows || !hosts)
        goto out;
    size_t k = 0;
    for (size_t i = 0; i < s->nslots && k < n; i++) {
        struct ingest_source_entry *e = &s->slots[i];
        if (!e->used || e->events <= e->saved_events)
            continue;
        memcpy(hosts[k], e->host, e->host_len);
        rows[k] = (struct store_source){
            .input = ig->inputs[e->input].cfg->name,
            .host = hosts[k],
            .first_ns = e->first_ns,
            .last_ns = e->last_ns,
            .events = e->events - e->saved_events,
        };
        k++;
    }
    rc = store_sources_merge(ig->st, rows, k);
    if (rc == 0)
        for (size_t i = 0; i < s->nslots; i++)
            if (s->slots[i].used)
                s->slots[i].saved_events = s->slots[i].events;
out:
    mem_free(hosts);
    mem_free(rows);
    return rc;
}

void ingest_sources_rates(struct ingest_sources *s, int64_t now_ns)
{
    if (s->last_rate_ns == 0) {
        s->last_rate_ns = now_ns;
        for (size_t i = 0; i < s->nslots; i++)
            s->slots[i].prev_events = s->slots[i].events;
        return;
    }
    double dt = (double)(now_ns - s->last_rate_ns) / (double)NS_PER_SEC;
    if (dt <= 0.001)
        return;
    s->last_rate_ns = now_ns;
    for (size_t i = 0; i < s->nslots; i++) {
        struct ingest_source_entry *e = &s->slots[i];
        if (!e->used)
            continue;
        double inst = (double)(e->events - e->prev_events) / dt;
        e->prev_events = e->events;
        /* weight of the newest interval: about a 5-minute window */
        double a = 1.0 - exp(-dt / 300.0);
        if (a < 0.2)
            a = 0.2;
        e->rate = e->rate == 0.0 ? inst : a * inst + (1.0 - a) * e->rate;
    }
}

size_t ingest_format_addr(const void *sa, size_t salen, char *out, size_t outlen, size_t *host_len)
{
    const struct sockaddr *s = sa;
    char ip[INET6_ADDRSTRLEN] = "?";
    unsigned port = 0;
    int n;
    if (s->sa_family == AF_INET && salen >= sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *a = sa;
        inet_ntop(AF_INET, &a->sin_addr, ip, sizeof ip);
        port = ntohs(a->sin_port);
        n = snprintf(out, outlen, "%s:%u", ip, port);
    } else if (s->sa_family == AF_INET6 && salen >= sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *a = sa;
        inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof ip);
        port = ntohs(a->sin6_port);
        n = snprintf(out, outlen, "[%s]:%u", ip, port);
    } else {
        n = snprintf(out, outlen, "?");
    }
    if (host_len)
        *host_len = strlen(ip) + (s->sa_family == AF_INET6 ? 2 : 0);
    if (n < 0)
        return 0;
    return (size_t)n < outlen ? (size_t)n : outlen - 1;
}

/* ---- JSON ------------------------------------------------------------------------ */

static void put_str(struct buf *b, const char *k, const char *v, size_t n)
{
    buf_printf(b, "\"%s\":\"", k);
    buf_json_str(b, v, n);
    buf_putc(b, '"');
}

static void put_time(struct buf *b, const char *k, int64_t ns)
{
    char t[64];
    if (vtime_format(ns, t, sizeof t))
        t[0] = 0;
    put_str(b, k, t, strlen(t));
}

/* "name":…,"type":…,"addr":… of one input (serve.json and stats.json share them). */
static void put_input_id(struct buf *out, const struct ingest_input *in)
{
    put_str(out, "name", in->cfg->name, strlen(in->cfg->name));
    buf_putc(out, ',');
    const char *t = ingest_type_name(in->cfg->type);
    put_str(out, "type", t, strlen(t));
    buf_putc(out, ',');
    put_str(out, "addr", in->addr, strlen(in->addr));
}

int ingest_ready_json(struct ingest *ig, const char *console_url, struct buf *out)
{
    buf_printf(out, "{\"pid\":%ld", (long)getpid());
    if (console_url)
        buf_json_member(out, "console", console_url, strlen(console_url));
    buf_puts(out, ",\"inputs\":[");
    for (size_t i = 0; i < ig->ninputs; i++) {
        struct ingest_input *in = &ig->inputs[i];
        buf_puts(out, i ? ",{" : "{");
        put_input_id(out, in);
        buf_putc(out, '}');
    }
    buf_puts(out, "]}\n");
    return out->err;
}

int ingest_stats_json(struct ingest *ig, struct buf *out)
{
    int64_t now = vtime_now_ns();
    buf_putc(out, '{');
    put_time(out, "time", now);
    buf_printf(out, ",\"pid\":%ld,\"uptime_s\":%lld,\"inputs\":[", (long)getpid(),
               (long long)((now - ig->start_ns) / NS_PER_SEC));
    for (size_t i = 0; i < ig->ninputs; i++) {
        struct ingest_input *in = &ig->inputs[i];
        buf_puts(out, i ? ",{" : "{");
        put_input_id(out, in);
        buf_printf(out,
                   ",\"received\":%llu,\"decoded\":%llu,\"generic\":%llu,\"malformed\":%llu,"
                   "\"dropped\":%llu,\"stored\":%llu}",
                   (unsigned long long)atomic_load(&in->ct.received),
                   (unsigned long long)atomic_load(&in->ct.decoded),
                   (unsigned long long)atomic_load(&in->ct.generic),
                   (unsigned long long)atomic_load(&in->ct.malformed),
                   (unsigned long long)atomic_load(&in->ct.dropped),
                   (unsigned long long)atomic_load(&in->ct.stored));
    }
    buf_puts(out, "],\"sources\":[");
    bool first = true;
    const struct ingest_sources *s = &ig->sources;
    for (size_t i = 0; i < s->nslots; i++) {
        const struct ingest_source_entry *e = &s->slots[i];
        if (!e->used || e->input >= ig->ninputs)
            continue;
        buf_puts(out, first ? "{" : ",{");
        first = false;
        const char *name = ig->inputs[e->input].cfg->name;
        put_str(out, "input", name, strlen(name));
        buf_putc(out, ',');
        put_str(out, "host", e->host, e->host_len);
        buf_putc(out, ',');
        put_time(out, "first_seen", e->first_ns);
        buf_putc(out, ',');
        put_time(out, "last_seen", e->last_ns);
        buf_printf(out, ",\"events\":%llu,\"rate\":%.3f}", (unsigned long long)e->events,
                   isfinite(e->rate) ? e->rate : 0.0);
    }
    buf_puts(out, "]}\n");
    return out->err;
}

/* Writes text to path through path.tmp and rename, so readers never see half a file. */
static int write_atomic(const char *path, const char *text, size_t len)
{
    char tmp[4200];
    int n = snprintf(tmp, sizeof tmp, "%s.tmp", path);
    if (n < 0 || (size_t)n >= sizeof tmp)
        return ERR_TOOBIG;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return ERR_IO;
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, text + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            close(fd);
            unlink(tmp);
            return ERR_IO;
        }
        off += (size_t)w;
    }
    if (close(fd) < 0 || rename(tmp, path) < 0) {
        unlink(tmp);
        return ERR_IO;
    }
    return 0;
}

int ingest_stats_write(struct ingest *ig)
{
    struct buf b;
    buf_init(&b, 0);
    int rc = ingest_stats_json(ig, &b);
    if (!rc)
        rc = write_atomic(ig->stats_path, b.p ? b.p : "", b.len);
    buf_fini(&b);
    return rc;
}

/* Writes serve.json (the ready file with the bound addresses) into dir. */
int ingest_ready_write(struct ingest *ig, const char *dir, const char *console_url)
{
    struct buf b, path;
    buf_init(&b, 0);
    buf_init(&path, 8192);
    buf_printf(&path, "%s/serve.json", dir);
    int rc = ingest_ready_json(ig, console_url, &b);
    if (!rc)
        rc = path.err ? path.err : write_atomic(buf_cstr(&path), b.p ? b.p : "", b.len);
    buf_fini(&b);
    buf_fini(&path);
    return rc;
}
