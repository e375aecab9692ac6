/*
 * dec_json.c — JSON lines: a record (or a syslog MSG) that is one JSON object. Chosen
 * by the first byte '{' or by a source's format "json". Nested objects are flattened
 * with dots ("a.b.c"), array elements by index ("a.0", "a.1"); every leaf becomes a
 * field through event_add_named, so declared names ("host", "user", "src_ip") get
 * their ids and the rest are extras. Strings without escapes stay slices of the text;
 * escaped ones are unescaped into the arena (\uXXXX with surrogate pairs to UTF-8, a
 * lone surrogate to U+FFFD). Numbers, true, false and null keep their literal text.
 *
 * Bounds: nesting deeper than JSON_MAX_DEPTH keeps the deeper value's JSON text as one
 * field; names are cut at JSON_MAX_PATH bytes; past EVENT_MAX_FIELDS fields the event
 * is flagged EVF_FIELDS_DROPPED (parsing goes on only to validate). A syntax error
 * anywhere makes the record not JSON (the caller keeps it as a generic event).
 * A top-level "time", "@timestamp" or "timestamp" that parses (ISO 8601, or epoch
 * seconds / milliseconds) gives the event time; a top-level "hostname" also gives host.
 */
#include "decode/decode_int.h"

#define JSON_MAX_DEPTH 32
#define JSON_MAX_PATH 256

struct jp {
    const char *p, *end;
    struct arena *arena;
    struct event *ev;
    const struct vtz *tz;
    char path[JSON_MAX_PATH];
    size_t plen;
    int err;
    bool have_time;
    int64_t time_ns;
    decode_json_leaf_fn leaf_fn; /* NULL: every leaf becomes a field (decode_json) */
    void *leaf_ctx;
};

static void ws(struct jp *j)
{
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
        j->p++;
}

static int hex4(const char *p)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hex_digit(p[i]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

static size_t put_utf8(char *d, unsigned cp)
{
    if (cp < 0x80) {
        d[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        d[0] = (char)(0xC0 | cp >> 6);
        d[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        d[0] = (char)(0xE0 | cp >> 12);
        d[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        d[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    d[0] = (char)(0xF0 | cp >> 18);
    d[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    d[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    d[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Unescapes the inside of a string (raw, which holds escapes) into the arena. An
 * escape never grows: "\uXXXX" (6 bytes) gives at most 3, a pair (12) at most 4. */
static int unescape(struct jp *j, struct slice raw, struct slice *out)
{
    char *d = arena_alloc(j->arena, raw.len ? raw.len : 1);
    if (!d)
        return ERR_NOMEM;
    size_t o = 0;
    for (size_t i = 0; i < raw.len; i++) {
        char c = raw.p[i];
        if (c != '\\') {
            d[o++] = c;
            continue;
        }
        c = raw.p[++i]; /* the scanner guaranteed a byte after each backslash */
        switch (c) {
        case 'n':
            d[o++] = '\n';
            break;
        case 't':
            d[o++] = '\t';
            break;
        case 'r':
            d[o++] = '\r';
            break;
        case 'b':
            d[o++] = '\b';
            break;
        case 'f':
            d[o++] = '\f';
            break;
        case 'u': {
            int cp = hex4(raw.p + i + 1); /* validated by the scanner */
            i += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF && i + 6 < raw.len + 0 && raw.p[i + 1] == '\\' &&
                raw.p[i + 2] == 'u') {
                int lo = hex4(raw.p + i + 3);
                if (lo >= 0xDC00 && lo <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    i += 6;
                }
            }
            if (cp >= 0xD800 && cp <= 0xDFFF)
                cp = 0xFFFD;
            o += put_utf8(d + o, (unsigned)cp);
            break;
        }
        default:
            d[o++] = c;
            break; /* \" \\ \/ */
        }
    }
    *out = slice_make(d, o);
    return 0;
}

/* Scans a string at j->p (on the opening quote); sets *raw to its inside and *esc. */
static int scan_string(struct jp *j, struct slice *raw, bool *esc)
{
    const char *s = ++j->p;
    *esc = false;
    while (j->p < j->end) {
        char c = *j->p;
        if (c == '"') {
            *raw = slice_make(s, (size_t)(j->p - s));
            j->p++;
            return 0;
        }
        if ((unsigned char)c < 0x20)
            return ERR_PARSE;
        if (c == '\\') {
            *esc = true;
            if (j->end - j->p < 2)
                return ERR_PARSE;
            char e = j->p[1];
            if (e == 'u') {
                if (j->end - j->p < 6 || hex4(j->p + 2) < 0)
                    return ERR_PARSE;
                j->p += 6;
                continue;
            }
            if (!strchr("\"\\/bfnrt", e) || e == 0)
                return ERR_PARSE;
            j->p += 2;
            continue;
        }
        j->p++;
    }
    return ERR_PARSE;
}

static int scan_number(struct jp *j)
{
    const char *s = j->p;
    if (j->p < j->end && *j->p == '-')
        j->p++;
    const char *d = j->p;
    while (j->p < j->end && dec_isdigit(*j->p))
        j->p++;
    if (j->p == d)
        return ERR_PARSE;
    if (j->p < j->end && *j->p == '.') {
        d = ++j->p;
        while (j->p < j->end && dec_isdigit(*j->p))
            j->p++;
        if (j->p == d)
            return ERR_PARSE;
    }
    if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
        j->p++;
        if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
            j->p++;
        d = j->p;
        while (j->p < j->end && dec_isdigit(*j->p))
            j->p++;
        if (j->p == d)
            return ERR_PARSE;
    }
    return j->p > s ? 0 : ERR_PARSE;
}

/* Skips any value without recursion (for values nested past the depth cap). */
static int skip_value(struct jp *j)
{
    size_t depth = 0;
    do {
        ws(j);
        if (j->p >= j->end)
            return ERR_PARSE;
        char c = *j->p;
        if (c == '"') {
            struct slice r;
            bool e;
            if (scan_string(j, &r, &e))
                return ERR_PARSE;
        } else if (c == '{' || c == '[') {
            depth++;
            j->p++;
        } else if (c == '}' || c == ']') {
            if (!depth)
                return ERR_PARSE;
            depth--;
            j->p++;
        } else if (c == ',' || c == ':') {
            if (!depth)
                return ERR_PARSE;
            j->p++;
        } else if (c == '-' || dec_isdigit(c)) {
            if (scan_number(j))
                return ERR_PARSE;
        } else if (j->end - j->p >= 4 && !memcmp(j->p, "true", 4)) {
            j->p += 4;
        } else if (j->end - j->p >= 5 && !memcmp(j->p, "false", 5)) {
            j->p += 5;
        } else if (j->end - j->p >= 4 && !memcmp(j->p, "null", 4)) {
            j->p += 4;
        } else {
            return ERR_PARSE;
        }
    } while (depth);
    return 0;
}

static bool top_is(const struct jp *j, const char *k)
{
    size_t n = strlen(k);
    return j->plen == n && !memcmp(j->path, k, n);
}

/* Top-level time keys: ISO 8601 text or epoch seconds/milliseconds. */
static void maybe_time(struct jp *j, struct slice v, bool is_string)
{
    if (j->have_time || !(top_is(j, "time") || top_is(j, "@timestamp") || top_is(j, "timestamp")))
        return;
    int64_t ns;
    size_t used;
    if (is_string) {
        if (decode_iso_time(v, j->tz, &ns, &used) == 0 && used == v.len) {
            j->have_time = true;
            j->time_ns = ns;
        }
        return;
    }
    size_t i = 0;
    int64_t secs = 0;
    while (i < v.len && dec_isdigit(v.p[i]) && i < 16)
        secs = secs * 10 + (v.p[i++] - '0');
    /* 10 digits of seconds or 13 of milliseconds, below 2255 so ns fit int64 */
    if (i == 10 && (i == v.len || v.p[i] == '.') && secs < 9000000000LL) {
        j->have_time = true;
        j->time_ns = secs * NS_PER_SEC;
    } else if (i == 13 && i == v.len && secs < 9000000000000LL) {
        j->have_time = true;
        j->time_ns = secs * 1000000;
    }
}

/* Adds a leaf at the current path. */
static void leaf(struct jp *j, struct slice v)
{
    if (!j->plen)
        return;
    if (j->leaf_fn) {
        j->err = j->leaf_fn(j->leaf_ctx, slice_make(j->path, j->plen), v);
        return;
    }
    char *name = arena_dup(j->arena, j->path, j->plen);
    if (!name) {
        j->err = ERR_NOMEM;
        return;
    }
    event_add_named(j->ev, slice_make(name, j->plen), v);
}

static int value(struct jp *j, int depth);

/* Appends ".seg" (or "seg" at top) to the path; returns the old length. */
static size_t push(struct jp *j, const char *seg, size_t n)
{
    size_t old = j->plen;
    if (j->plen && j->plen < JSON_MAX_PATH)
        j->path[j->plen++] = '.';
    size_t room = JSON_MAX_PATH - j->plen;
    if (n > room)
        n = room;
    memcpy(j->path + j->plen, seg, n);
    j->plen += n;
    return old;
}

static int object(struct jp *j, int depth)
{
    j->p++; /* '{' */
    ws(j);
    if (j->p < j->end && *j->p == '}') {
        j->p++;
        return 0;
    }
    for (;;) {
        ws(j);
        if (j->p >= j->end || *j->p != '"')
            return ERR_PARSE;
        struct slice key;
        bool esc;
        if (scan_string(j, &key, &esc))
            return ERR_PARSE;
        if (esc && unescape(j, key, &key))
            return ERR_NOMEM;
        ws(j);
        if (j->p >= j->end || *j->p != ':')
            return ERR_PARSE;
        j->p++;
        size_t old = push(j, key.p, key.len);
        int rc = value(j, depth + 1);
        j->plen = old;
        if (rc)
            return rc;
        ws(j);
        if (j->p < j->end && *j->p == ',') {
            j->p++;
            continue;
        }
        if (j->p < j->end && *j->p == '}') {
            j->p++;
            return 0;
        }
        return ERR_PARSE;
    }
}

static int array(struct jp *j, int depth)
{
    j->p++; /* '[' */
    ws(j);
    if (j->p < j->end && *j->p == ']') {
        j->p++;
        return 0;
    }
    for (unsigned idx = 0;; idx++) {
        char num[12];
        size_t n = 0;
        unsigned v = idx;
        char rev[12];
        do {
            rev[n++] = (char)('0' + v % 10);
            v /= 10;
        } while (v && n < sizeof rev);
        for (size_t k = 0; k < n; k++)
            num[k] = rev[n - 1 - k];
        size_t old = push(j, num, n);
        int rc = value(j, depth + 1);
        j->plen = old;
        if (rc)
            return rc;
        ws(j);
        if (j->p < j->end && *j->p == ',') {
            j->p++;
            continue;
        }
        if (j->p < j->end && *j->p == ']') {
            j->p++;
            return 0;
        }
        return ERR_PARSE;
    }
}

static int value(struct jp *j, int depth)
{
    ws(j);
    if (j->p >= j->end)
        return ERR_PARSE;
    const char *s = j->p;
    char c = *j->p;
    if ((c == '{' || c == '[') && depth > JSON_MAX_DEPTH) {
        if (skip_value(j))
            return ERR_PARSE;
        leaf(j, slice_make(s, (size_t)(j->p - s)));
        return j->err;
    }
    if (c == '{')
        return object(j, depth);
    if (c == '[')
        return array(j, depth);
    struct slice v;
    bool is_string = false;
    if (c == '"') {
        bool esc;
        if (scan_string(j, &v, &esc))
            return ERR_PARSE;
        if (esc && unescape(j, v, &v))
            return ERR_NOMEM;
        is_string = true;
    } else if (c == '-' || dec_isdigit(c)) {
        if (scan_number(j))
            return ERR_PARSE;
        v = slice_make(s, (size_t)(j->p - s));
    } else if (j->end - j->p >= 4 && !memcmp(j->p, "true", 4)) {
        j->p += 4;
        v = slice_make(s, 4);
    } else if (j->end - j->p >= 5 && !memcmp(j->p, "false", 5)) {
        j->p += 5;
        v = slice_make(s, 5);
    } else if (j->end - j->p >= 4 && !memcmp(j->p, "null", 4)) {
        j->p += 4;
        v = slice_make(s, 4);
    } else {
        return ERR_PARSE;
    }
    if (depth == 1) {
        maybe_time(j, v, is_string);
        if (is_string && !j->leaf_fn && top_is(j, "hostname")) /* "host" maps by name already */
            event_add(j->ev, FIELD_host, v);
    }
    leaf(j, v);
    return j->err;
}

/* See decode_int.h. */
int decode_json_walk(const struct decode_job *job, struct event *ev, decode_json_leaf_fn fn,
                     void *ctx)
{
    struct jp j = {
        .p = job->msg.p,
        .end = job->msg.p + job->msg.len,
        .arena = job->arena,
        .ev = ev,
        .tz = job->src && job->src->tz ? job->src->tz : vtz_utc(),
        .leaf_fn = fn,
        .leaf_ctx = ctx,
    };
    ws(&j);
    if (j.p >= j.end || *j.p != '{')
        return ERR_PARSE;
    int rc = object(&j, 0);
    if (rc)
        return rc;
    ws(&j);
    if (j.p != j.end)
        return ERR_PARSE;
    if (j.have_time) {
        ev->time_ns = j.time_ns;
        ev->flags &= ~(uint32_t)EVF_TIME_RECEIVED;
    }
    return 0;
}

static int json_decode(const struct decode_job *job, struct event *ev)
{
    int rc = decode_json_walk(job, ev, NULL, NULL);
    return rc ? rc : DK_JSON;
}

const struct decoder decode_json = {.name = "json", .decode = json_decode};
