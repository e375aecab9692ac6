/*
 * tz.c — time zones without libc: UTC, fixed offsets and named zones read once from
 * the system's TZif files (RFC 8536). Decoders call vtz_local_to_utc for timestamps
 * that carry no offset, so a zone is loaded when a source is configured and then
 * only searched: no file access, locale or libc zone lookup per event (DESIGN §6).
 *
 * A TZif file is untrusted input like any other: every count is checked against the
 * file size before it is used, sizes are computed in 64 bits, transitions must be
 * ascending and type indices in range. The 64-bit (v2+) section is preferred when
 * present. The POSIX TZ footer is ignored: Debian's "fat" files list transitions up to
 * 2037, and after the last transition the last type stays in force, so dates past
 * 2037 in zones with daylight saving are off by the DST hour in summer.
 */
#include "core/core.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TZ_MAX_FILE (1024 * 1024) /* larger zone files are refused */
#define TZ_MAX_TRANS 20000        /* real files hold < 2000 */
#define TZ_MAX_TYPES 256
#define TZ_MAX_OFFSET (26 * 3600) /* |utoff| beyond this is refused */
#define TZ_NAME_MAX 64

enum vtz_kind { VTZ_UTC, VTZ_FIXED, VTZ_TABLE };

struct vtz {
    enum vtz_kind kind;
    char name[TZ_NAME_MAX];
    int32_t fixed;     /* VTZ_FIXED: the offset; VTZ_TABLE: offset before the first transition */
    size_t ntrans;
    int64_t *trans;    /* UTC instants of the transitions, strictly ascending */
    int64_t *ltrans;   /* the same instants as wall-clock time in the offset before them */
    int32_t *off;      /* offset in force from trans[i] on */
};

static const struct vtz vtz_utc_zone = {.kind = VTZ_UTC, .name = "UTC"};

/* Returns the shared UTC zone; it is static and never freed. */
const struct vtz *vtz_utc(void)
{
    return &vtz_utc_zone;
}

static void set_name(struct vtz *z, const char *name)
{
    size_t n = strlen(name);
    if (n >= sizeof z->name)
        n = sizeof z->name - 1;
    memcpy(z->name, name, n);
    z->name[n] = 0;
}

/* Parses "+08:00", "+0800", "-05", "+5" into seconds east of UTC. */
static int parse_fixed(const char *s, int32_t *out)
{
    int sign;
    if (s[0] == '+')
        sign = 1;
    else if (s[0] == '-')
        sign = -1;
    else
        return ERR_INVAL;
    const char *p = s + 1;
    unsigned d[4];
    size_t nd = 0;
    bool colon = false;
    for (; *p; p++) {
        if (*p >= '0' && *p <= '9') {
            if (nd == 4)
                return ERR_INVAL;
            d[nd++] = (unsigned)(*p - '0');
        } else if (*p == ':' && nd == 2 && !colon) {
            colon = true;
        } else {
            return ERR_INVAL;
        }
    }
    unsigned h, m = 0;
    if (nd == 1 && !colon)
        h = d[0];
    else if (nd == 2 && !colon)
        h = d[0] * 10 + d[1];
    else if (nd == 4) {
        h = d[0] * 10 + d[1];
        m = d[2] * 10 + d[3];
    } else
        return ERR_INVAL;
    if (h > 18 || m > 59)
        return ERR_INVAL;
    *out = sign * (int32_t)(h * 3600 + m * 60);
    return 0;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

struct tzif_counts {
    uint32_t isut, isstd, leap, time, type, chr;
};

/* Reads a 44-byte TZif header at data[0..len); ERR_PARSE when it is not one. */
static int read_header(const unsigned char *data, size_t len, struct tzif_counts *c, int *ver)
{
    if (len < 44 || memcmp(data, "TZif", 4) != 0)
        return ERR_PARSE;
    *ver = data[4] == 0 ? 1 : data[4] - '0';
    if (*ver < 1 || *ver > 9)
        return ERR_PARSE;
    c->isut = be32(data + 20);
    c->isstd = be32(data + 24);
    c->leap = be32(data + 28);
    c->time = be32(data + 32);
    c->type = be32(data + 36);
    c->chr = be32(data + 40);
    if (c->type == 0 || c->type > TZ_MAX_TYPES || c->time > TZ_MAX_TRANS || c->chr == 0)
        return ERR_PARSE;
    if ((c->isut && c->isut != c->type) || (c->isstd && c->isstd != c->type))
        return ERR_PARSE;
    return 0;
}

/* Size of the data block after a header whose times take tsize bytes (4 or 8). */
static uint64_t block_size(const struct tzif_counts *c, unsigned tsize)
{
    return (uint64_t)c->time * tsize + c->time + (uint64_t)c->type * 6 + c->chr +
           (uint64_t)c->leap * (tsize + 4) + c->isstd + c->isut;
}

/* Parses a TZif image into a new zone named `name`; the caller frees it with vtz_free. */
int vtz_parse_tzif(const char *name, const unsigned char *data, size_t len, struct vtz **out)
{
    struct tzif_counts c;
    int ver, rc;
    struct vtz *z = NULL;
    *out = NULL;
    if ((rc = read_header(data, len, &c, &ver)) != 0)
        return rc;
    uint64_t b1 = block_size(&c, 4);
    if (b1 > len - 44)
        return ERR_PARSE;
    const unsigned char *blk = data + 44;
    unsigned tsize = 4;
    if (ver >= 2) {
        /* Prefer the 64-bit section that follows the v1 block. */
        size_t off2 = 44 + (size_t)b1;
        int ver2;
        if ((rc = read_header(data + off2, len - off2, &c, &ver2)) != 0)
            return rc;
        if (block_size(&c, 8) > len - off2 - 44)
            return ERR_PARSE;
        blk = data + off2 + 44;
        tsize = 8;
    }
    const unsigned char *tp = blk;
    const unsigned char *ip = tp + (size_t)c.time * tsize;
    const unsigned char *ty = ip + c.time;

    z = mem_calloc(1, sizeof *z);
    if (!z)
        return ERR_NOMEM;
    z->kind = VTZ_TABLE;
    set_name(z, name);
    int32_t offs[TZ_MAX_TYPES] = {0}; /* read_header guarantees type >= 1 */
    for (uint32_t i = 0; i < c.type; i++) {
        int32_t o = (int32_t)be32(ty + 6 * i);
        if (o > TZ_MAX_OFFSET || o < -TZ_MAX_OFFSET || ty[6 * i + 5] >= c.chr) {
            rc = ERR_PARSE;
            goto fail;
        }
        offs[i] = o;
    }
    z->fixed = offs[0]; /* RFC 8536: type 0 applies before the first transition */
    if (c.time) {
        z->trans = mem_alloc(c.time * sizeof *z->trans);
        z->ltrans = mem_alloc(c.time * sizeof *z->ltrans);
        z->off = mem_alloc(c.time * sizeof *z->off);
        if (!z->trans || !z->ltrans || !z->off) {
            rc = ERR_NOMEM;
            goto fail;
        }
    }
    int32_t prev = offs[0];
    for (uint32_t i = 0; i < c.time; i++) {
        int64_t t = tsize == 8 ? be64(tp + 8 * i) : (int64_t)(int32_t)be32(tp + 4 * i);
        if (ip[i] >= c.type || (i && t <= z->trans[i - 1])) {
            rc = ERR_PARSE;
            goto fail;
        }
        /* Times beyond +-2^60 s are clamped so the wall-clock sums cannot overflow. */
        if (t > (INT64_C(1) << 60))
            t = INT64_C(1) << 60;
        if (t < -(INT64_C(1) << 60))
            t = -(INT64_C(1) << 60);
        if (i && t <= z->trans[i - 1]) {
            rc = ERR_PARSE;
            goto fail;
        }
        z->trans[i] = t;
        z->ltrans[i] = t + prev;
        z->off[i] = offs[ip[i]];
        prev = z->off[i];
    }
    z->ntrans = c.time;
    *out = z;
    return 0;
fail:
    vtz_free(z);
    return rc;
}

/* True when name is a plausible zone path: no "..", no leading '/', tame bytes. */
static bool name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 200 || name[0] == '/' || strstr(name, ".."))
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = name[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '/' || ch == '_' || ch == '-' || ch == '+' || ch == '.'))
            return false;
    }
    return true;
}

/* Reads the whole regular file at path (at most TZ_MAX_FILE bytes); caller frees *out. */
static int read_file(const char *path, unsigned char **out, size_t *outlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? ERR_NOTFOUND : ERR_IO;
    int rc = ERR_IO;
    unsigned char *p = NULL;
    struct stat st;
    if (fstat(fd, &st) != 0)
        goto fail;
    if (!S_ISREG(st.st_mode)) {
        rc = ERR_NOTFOUND;
        goto fail;
    }
    if (st.st_size > TZ_MAX_FILE) {
        rc = ERR_TOOBIG;
        goto fail;
    }
    size_t want = (size_t)st.st_size, got = 0;
    p = mem_alloc(want ? want : 1);
    if (!p) {
        rc = ERR_NOMEM;
        goto fail;
    }
    while (got < want) {
        ssize_t r = read(fd, p + got, want - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            goto fail;
        got += (size_t)r;
    }
    close(fd);
    *out = p;
    *outlen = got;
    return 0;
fail:
    mem_free(p);
    close(fd);
    return rc;
}

/*
 * Opens zone `name`: "UTC"/"Z"/"GMT", a fixed offset ("+08:00", "+0800", "-05"), or a
 * name under /usr/share/zoneinfo (or $TZDIR). The caller owns the zone (vtz_free).
 */
int vtz_open(const char *name, struct vtz **out)
{
    *out = NULL;
    if (!name)
        return ERR_INVAL;
    struct vtz *z;
    if (!strcmp(name, "UTC") || !strcmp(name, "Z") || !strcmp(name, "GMT") ||
        !strcmp(name, "utc") || !strcmp(name, "Etc/UTC")) {
        z = mem_calloc(1, sizeof *z);
        if (!z)
            return ERR_NOMEM;
        z->kind = VTZ_UTC;
        set_name(z, "UTC");
        *out = z;
        return 0;
    }
    if (name[0] == '+' || name[0] == '-') {
        int32_t off;
        if (parse_fixed(name, &off) != 0)
            return ERR_INVAL;
        z = mem_calloc(1, sizeof *z);
        if (!z)
            return ERR_NOMEM;
        z->kind = VTZ_FIXED;
        z->fixed = off;
        set_name(z, name);
        *out = z;
        return 0;
    }
    if (!name_ok(name))
        return ERR_INVAL;
    const char *dir = getenv("TZDIR");
    if (!dir || !*dir)
        dir = "/usr/share/zoneinfo";
    char path[512];
    int n = snprintf(path, sizeof path, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= sizeof path)
        return ERR_INVAL;
    unsigned char *data;
    size_t len;
    int rc = read_file(path, &data, &len);
    if (rc != 0)
        return rc;
    rc = vtz_parse_tzif(name, data, len, out);
    mem_free(data);
    return rc;
}

/* Frees a zone from vtz_open/vtz_parse_tzif; NULL and the shared UTC zone are ignored. */
void vtz_free(struct vtz *z)
{
    if (!z || z == &vtz_utc_zone)
        return;
    mem_free(z->trans);
    mem_free(z->ltrans);
    mem_free(z->off);
    mem_free(z);
}

/* Index of the last element of a[0..n) that is <= t, or -1. */
static long last_le(const int64_t *a, size_t n, int64_t t)
{
    size_t lo = 0, hi = n; /* answer in [lo-1, hi-1] */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a[mid] <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (long)lo - 1;
}

/* UTC offset (seconds east) in force at UTC instant t; NULL means UTC. */
int32_t vtz_offset_at_utc(const struct vtz *z, int64_t t)
{
    if (!z || z->kind == VTZ_UTC)
        return 0;
    if (z->kind == VTZ_FIXED || z->ntrans == 0)
        return z->fixed;
    long i = last_le(z->trans, z->ntrans, t);
    return i < 0 ? z->fixed : z->off[i];
}

/*
 * Epoch seconds for a local wall-clock time (`local` counts seconds as if the zone were
 * UTC). Wall-clock times that occur twice (the hour repeated when clocks go back)
 * resolve to the earlier instant; times in a spring-forward gap use the new offset.
 */
int64_t vtz_local_to_utc(const struct vtz *z, int64_t local)
{
    if (!z || z->kind == VTZ_UTC)
        return local;
    if (z->kind == VTZ_FIXED || z->ntrans == 0)
        return local - z->fixed;
    long i = last_le(z->ltrans, z->ntrans, local);
    return local - (i < 0 ? z->fixed : z->off[i]);
}

/* The zone's name as given to vtz_open ("UTC" for the shared zone). */
const char *vtz_name(const struct vtz *z)
{
    return z ? z->name : "UTC";
}
