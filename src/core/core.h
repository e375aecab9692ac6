/*
 * core.h — the public header of Vigil's core: errors, accounted memory, slices,
 * growable buffers, arenas, hashing, time, time zones, logging, the YAML config tree
 * and the audit sink. Every other module builds on these; core depends on nothing but
 * libc and libyaml.
 *
 * Core is a toolbox rather than one subsystem, so its parts carry their own short
 * prefixes (mem_, slice_, buf_, arena_, hash_, vtime_, vtz_, log_, cfg_, audit_).
 */
#ifndef VIGIL_CORE_H
#define VIGIL_CORE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* ---- errors ---------------------------------------------------------------------- */

/* Functions that can fail return 0 or one of these (negative). */
enum {
    ERR_OK = 0,
    ERR_NOMEM = -1,    /* allocation failed or a memory cap was hit */
    ERR_INVAL = -2,    /* bad argument or bad value */
    ERR_IO = -3,       /* a system call failed; errno says more */
    ERR_PARSE = -4,    /* input does not follow its grammar */
    ERR_FULL = -5,     /* a bounded container is full */
    ERR_NOTFOUND = -6, /* nothing by that name */
    ERR_EXISTS = -7,   /* already there */
    ERR_TOOBIG = -8,   /* over a size cap */
    ERR_AGAIN = -9,    /* nothing now; try later */
    ERR_DB = -10,      /* the store refused */
};

/* Returns a static English description of an ERR_* code. */
const char *err_str(int err);

/* Thread-safe strerror: returns a static string for errno value e. */
const char *err_errno(int e);

/* ---- memory ---------------------------------------------------------------------- */

/*
 * All heap allocation goes through these wrappers so that the bytes in use are
 * accounted (mem_in_use) and a test can inject failures (mem_fail_after). They behave
 * like their libc namesakes; mem_free(NULL) does nothing.
 */
void *mem_alloc(size_t n);
void *mem_calloc(size_t count, size_t size);
void *mem_realloc(void *p, size_t n);
void mem_free(void *p);
/* Makes room in the array *arr (elements of elem bytes, *cap of them) for element n:
 * doubles *cap (from first) until it exceeds n. 0, or ERR_NOMEM with *arr untouched. */
int mem_grow(void **arr, size_t *cap, size_t n, size_t elem, size_t first);
/* Returns a NUL-terminated heap copy of s[0..n) owned by the caller, or NULL. */
char *mem_strndup(const char *s, size_t n);
/* Returns a heap copy of the NUL-terminated s owned by the caller, or NULL. */
char *mem_strdup(const char *s);
/* Bytes currently allocated through these wrappers. */
size_t mem_in_use(void);
/* Test hook: after n more successful allocations, every allocation fails; -1 disables. */
void mem_fail_after(long n);

/* ---- slices ---------------------------------------------------------------------- */

/* A borrowed byte range. Never NUL-terminated by contract: parse by length. */
struct slice {
    const char *p;
    size_t len;
};

#define SLICE_LIT(s) ((struct slice){(s), sizeof(s) - 1})
#define SLICE_NULL ((struct slice){NULL, 0})

static inline struct slice slice_make(const char *p, size_t len)
{
    struct slice s = {p, len};
    return s;
}

/* Returns a slice over the NUL-terminated s (NULL gives an empty slice). */
struct slice slice_cstr(const char *s);
/* True when a equals the NUL-terminated b byte for byte. Inline: decoders compare keys
 * with literals, whose length the compiler then knows. */
static inline bool slice_eq(struct slice a, const char *b)
{
    size_t n = strlen(b);
    return a.len == n && (n == 0 || memcmp(a.p, b, n) == 0);
}
/* True when a equals b byte for byte. */
bool slice_eqs(struct slice a, struct slice b);
/* True when a equals the NUL-terminated b ignoring ASCII case. */
bool slice_eq_nocase(struct slice a, const char *b);
/* True when a starts with the NUL-terminated prefix. */
bool slice_starts(struct slice a, const char *prefix);
/* Index of the first byte c in s, or -1. */
long slice_find_byte(struct slice s, char c);
/* Index of the first occurrence of needle in s, or -1. */
long slice_find(struct slice s, struct slice needle);
/* Trims ASCII spaces and tabs on both ends. */
struct slice slice_trim(struct slice s);
/* Parses an unsigned decimal integer filling the whole slice; ERR_PARSE otherwise. */
int slice_to_u64(struct slice s, uint64_t *out);
/* Parses an optionally signed decimal integer filling the whole slice. */
int slice_to_i64(struct slice s, int64_t *out);
/* True when s is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF). */
bool utf8_valid(const char *s, size_t len);
/* Value of hexadecimal digit c (either case), or -1. */
int hex_digit(char c);

/* ---- growable buffer ------------------------------------------------------------- */

/*
 * A heap buffer that grows on append up to cap bytes (0 = 64 MiB). Appends past the cap
 * fail with ERR_TOOBIG and leave the buffer as it was; `err` remembers the first
 * failure so a caller may append many pieces and check once.
 */
struct buf {
    char *p;
    size_t len;
    size_t size;
    size_t cap;
    int err;
};

void buf_init(struct buf *b, size_t cap);
void buf_fini(struct buf *b);
void buf_reset(struct buf *b);
int buf_append(struct buf *b, const void *p, size_t n);
/* Makes room for n more bytes after len (for writers that fill b->p directly). */
int buf_reserve(struct buf *b, size_t n);
int buf_putc(struct buf *b, char c);
int buf_puts(struct buf *b, const char *s);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s as the inside of a JSON string (escapes quotes, controls; invalid UTF-8
 * bytes become \u00XX of the byte so output is always valid JSON). */
int buf_json_str(struct buf *b, const char *s, size_t n);
/* Appends `,"key":` then v[0..n) as a JSON string, or null when v is NULL (key is
 * written as it is: a constant of the caller's). */
void buf_json_member(struct buf *b, const char *key, const char *v, size_t n);
/* Appends `,"key":"…"` with ns as RFC 3339 UTC (vtime_format). */
void buf_json_time(struct buf *b, const char *key, int64_t ns);
/* Appends the whole file at path (bounded by b's cap: ERR_TOOBIG past it). ERR_IO
 * when it cannot be opened or read; errno then says why. */
int buf_read_file(struct buf *b, const char *path);
/* Makes p NUL-terminated (not counted in len) and returns it; NULL on failure. */
const char *buf_cstr(struct buf *b);

/* ---- arena ----------------------------------------------------------------------- */

/*
 * A bump allocator for one batch: many small allocations, freed all at once by
 * arena_reset. At `cap` total bytes arena_alloc returns NULL (callers then keep the
 * record unparsed and count it).
 */
struct arena_chunk;
struct arena {
    struct arena_chunk *head;
    size_t chunk_size;
    size_t used;
    size_t cap;
};

void arena_init(struct arena *a, size_t chunk_size, size_t cap);
void arena_fini(struct arena *a);
void arena_reset(struct arena *a);
void *arena_alloc(struct arena *a, size_t n);
/* Copies p[0..n) into the arena with a trailing NUL; NULL at the cap. */
char *arena_dup(struct arena *a, const void *p, size_t n);

/* ---- intrusive lists -------------------------------------------------------------- */

/* A doubly-linked list threaded through items that have `prev` and `next` members, with
 * the list's head and tail pointers held by the owner: unlink x from it, append x. */
#define DLIST_UNLINK(head, tail, x)                                                                \
    do {                                                                                           \
        if ((x)->prev)                                                                             \
            (x)->prev->next = (x)->next;                                                           \
        else                                                                                       \
            (head) = (x)->next;                                                                    \
        if ((x)->next)                                                                             \
            (x)->next->prev = (x)->prev;                                                           \
        else                                                                                       \
            (tail) = (x)->prev;                                                                    \
        (x)->prev = (x)->next = NULL;                                                              \
    } while (0)
#define DLIST_APPEND(head, tail, x)                                                                \
    do {                                                                                           \
        (x)->prev = (tail);                                                                        \
        (x)->next = NULL;                                                                          \
        if (tail)                                                                                  \
            (tail)->next = (x);                                                                    \
        else                                                                                       \
            (head) = (x);                                                                          \
        (tail) = (x);                                                                              \
    } while (0)

/* ---- hashing --------------------------------------------------------------------- */

/* A fast 64-bit non-cryptographic hash (not for adversarial keys without a seed). */
uint64_t hash64(const void *p, size_t n, uint64_t seed);
/* Mixes two 64-bit values into one (for composite keys such as event ids). */
uint64_t hash_mix(uint64_t a, uint64_t b);

/* ---- time ------------------------------------------------------------------------ */

#define NS_PER_SEC 1000000000LL

/* Wall clock, ns since the epoch, UTC. */
int64_t vtime_now_ns(void);
/* Monotonic clock in ns. */
int64_t vtime_mono_ns(void);
/* Days since 1970-01-01 for a proleptic Gregorian date (no libc, no time zone). */
int64_t vtime_days_from_civil(int64_t y, unsigned m, unsigned d);
/* Seconds since the epoch for a UTC civil time; fields are not range-checked. */
int64_t vtime_from_civil(int64_t y, unsigned mon, unsigned day, unsigned h, unsigned mi,
                         unsigned s);
/* Splits epoch seconds into a UTC civil date. */
void vtime_to_civil(int64_t secs, int64_t *y, unsigned *mon, unsigned *day, unsigned *h,
                    unsigned *mi, unsigned *s);
/* Writes an RFC 3339 UTC timestamp with ns ("2024-09-05T02:00:00.000000000Z"). */
int vtime_format(int64_t ns, char *out, size_t outlen);
/* Parses RFC 3339 / ISO 8601 ("2024-09-05", "2024-09-05T02:00:00Z", "...+08:00",
 * fractions) into ns; a time without zone is UTC. Also accepts relative "-15m",
 * "-2h", "-7d" and "now" against now_ns. Years outside 1678..2261 (beyond int64 ns)
 * are refused. */
int vtime_parse(struct slice s, int64_t now_ns, int64_t *out_ns);
/* Month number 1..12 from a three-letter English abbreviation, 0 if none. */
unsigned vtime_month3(const char *p);

/*
 * A time zone: UTC, a fixed offset ("+08:00") or a named zone read once from the
 * system's TZif file (/usr/share/zoneinfo/NAME). Converting a local civil time to UTC
 * costs a binary search over the transitions: no libc zone lookups per event.
 */
struct vtz;
/* Opens zone `name` ("UTC", "Asia/Shanghai", "+0530", "-08:00"); caller frees. */
int vtz_open(const char *name, struct vtz **out);
void vtz_free(struct vtz *z);
/* The shared UTC zone (never freed). */
const struct vtz *vtz_utc(void);
/* UTC offset in seconds in force at UTC instant t. */
int32_t vtz_offset_at_utc(const struct vtz *z, int64_t t);
/* Epoch seconds for local civil time `local` (seconds as if the zone were UTC). */
int64_t vtz_local_to_utc(const struct vtz *z, int64_t local);
const char *vtz_name(const struct vtz *z);
/* Parses a TZif image (exposed for the fuzz target); caller frees. */
int vtz_parse_tzif(const char *name, const unsigned char *data, size_t len, struct vtz **out);

/* ---- logging --------------------------------------------------------------------- */

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* Sets the most verbose level printed (default LOG_INFO). */
void log_set_level(enum log_level level);
/* Writes one line to stderr: "time level message". Thread-safe. */
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)

/* ---- configuration tree ---------------------------------------------------------- */

/*
 * A parsed YAML document kept as a tree with the line of every node, so that a loader
 * can refuse an unknown key or a bad value naming file, line and reason. Scalars keep
 * their text; interpretation belongs to the loader.
 */
enum cfg_kind { CFG_SCALAR, CFG_MAP, CFG_SEQ };

struct cfg_node {
    enum cfg_kind kind;
    unsigned line;
    char *text;                /* scalar text (NUL-terminated), NULL otherwise */
    bool plain;                /* scalar written without quotes (YAML may read it as a
                                * null, boolean or number; a quoted one is a string) */
    char *key;                 /* the key when this node is a map value */
    unsigned key_line;         /* line of the key */
    struct cfg_node *children; /* map values or sequence items, in order */
    struct cfg_node *next;
};

/*
 * Parses YAML text into a tree. At most max_nodes nodes and depth 32 (anchors and
 * aliases are refused: a config needs neither). On error returns ERR_PARSE and writes
 * "line N: reason" into err. The caller frees the tree with cfg_free.
 */
int cfg_parse(const char *text, size_t len, size_t max_nodes, struct cfg_node **out, char *err,
              size_t errlen);
/* The same for a stream of documents (`---`): the root is a sequence whose items are
 * the documents, in order (empty documents are skipped). */
int cfg_parse_all(const char *text, size_t len, size_t max_nodes, struct cfg_node **out, char *err,
                  size_t errlen);
void cfg_free(struct cfg_node *n);
/* The child of map m with key k, or NULL. */
const struct cfg_node *cfg_get(const struct cfg_node *m, const char *k);

/* ---- key files (keyfile.c) --------------------------------------------------------- */

#define KEYFILE_BYTES 32
/*
 * Reads a 32-byte key kept as 64 hexadecimal digits in path. When the file is missing
 * and `create`, makes it first (random bytes, mode 0400, O_EXCL so two processes agree
 * on one key). Missing and not `create`: ERR_IO with "... restore it" in err. A file that
 * is not a key: ERR_INVAL.
 */
int keyfile_load(const char *path, bool create, unsigned char key[KEYFILE_BYTES], char *err,
                 size_t errlen);

/* ---- audit sink ------------------------------------------------------------------ */

/*
 * Every module records what it did (search, retention, configuration load, ...)
 * through audit_record, without knowing where the trail lives: the store installs the
 * sink at start. Without a sink the record goes to the log.
 */
struct audit_entry {
    int64_t time_ns;
    const char *actor;  /* account or "system" */
    const char *source; /* address or "cli" / "local" */
    const char *action; /* "search", "retention.delete", "config.load", ... */
    const char *object; /* what it acted on (query text, file name) */
    const char *result; /* "ok", "error: ...", counts */
};

typedef int (*audit_sink_fn)(void *ctx, const struct audit_entry *e);

/* Installs the sink (NULL restores the log fallback). Not thread-safe against records
 * in flight: install before threads start. */
void audit_set_sink(audit_sink_fn fn, void *ctx);
/* Records one entry; fills time_ns when 0. Returns the sink's result. */
int audit_record(const struct audit_entry *e);

#endif
