/*
 * event.h — the event contract (docs/ARCHITECTURE.md §3): the field registry, the
 * route (Sigma logsource) registry, the event itself and its JSON rendering.
 *
 * An event is a fixed-size struct filled by a decoder: its values are slices into the
 * record or into the batch's arena, so decoding allocates nothing per field. Field
 * names are interned to small ids; names nobody declared are kept as named extras.
 */
#ifndef VIGIL_EVENT_H
#define VIGIL_EVENT_H

#include "core/core.h"

/* ---- fields ---------------------------------------------------------------------- */

enum field_id {
    FIELD_NONE = 0,
    FIELD_EXTRA = 1, /* an undeclared key: its name is in event_field.name */
#define X(ident, name) FIELD_##ident,
#include "event/fields.def"
#undef X
    FIELD_BUILTIN_COUNT
};

#define FIELD_MAX_IDS 4096 /* registry cap: interning past it fails with ERR_FULL */

/* Builds the registry from fields.def. Idempotent; call before threads start. */
void field_registry_init(void);
/* Id of `name`, adding it when absent and the registry is not frozen. */
int field_intern(const char *name, size_t len, uint16_t *out);
/* Id of `name`, or FIELD_NONE when unknown. Lock-free; safe from any thread. */
uint16_t field_lookup(const char *name, size_t len);
/* Name of field id (NULL for unknown ids). */
const char *field_name(uint16_t id);
/* After this no name can be added; lookups stay valid. */
void field_registry_freeze(void);

/* ---- routes ---------------------------------------------------------------------- */

enum route_id {
#define R(ident, name, product, category, service) ROUTE_##ident,
#include "event/routes.def"
#undef R
    ROUTE_COUNT
};

/* A set of routes, bit r for route r: 128 bits (unsigned __int128, a GCC and Clang
 * extension), so that routes.def may grow past 64 logsources with the same | and &. */
__extension__ typedef unsigned __int128 route_set;
#define ROUTE_BIT(r) ((route_set)1 << (r))

struct route {
    const char *name;
    const char *product; /* "" when unspecified */
    const char *category;
    const char *service;
};

/* The route table, indexed by enum route_id. */
extern const struct route route_table[ROUTE_COUNT];
/* Route id for `name` ("linux/sshd"), or -1. */
int route_by_name(const char *name);

/* A field alias: a rule or search asking for `alias` reads field `target`. */
struct field_alias {
    uint16_t alias;
    uint16_t target;
};

/* ---- the event ------------------------------------------------------------------- */

#define EVENT_MAX_FIELDS 64          /* more are dropped and the event flagged */
#define EVENT_MAX_EXTRA_NAME 128     /* longer extra names are cut */
#define EVENT_MAX_RECORD (64 * 1024) /* longer records are cut and flagged */

enum event_flag {
    EVF_TRUNCATED = 1 << 0,      /* the record was cut at EVENT_MAX_RECORD */
    EVF_GENERIC = 1 << 1,        /* no decoder knew it: stored with header fields only */
    EVF_MALFORMED = 1 << 2,      /* the framing or header was broken; kept as generic */
    EVF_CONVERTED = 1 << 3,      /* the text was converted to UTF-8 from a charset */
    EVF_BAD_UTF8 = 1 << 4,       /* invalid UTF-8 remained (bytes kept as received) */
    EVF_TIME_RECEIVED = 1 << 5,  /* no usable time in the record: time = received */
    EVF_FIELDS_DROPPED = 1 << 6, /* more than EVENT_MAX_FIELDS fields */
    EVF_TIME_SKEWED = 1 << 7,    /* event time far from received (clock off) */
};

struct event_field {
    uint16_t id;        /* enum field_id or an interned id; FIELD_EXTRA for extras */
    struct slice name;  /* only for FIELD_EXTRA */
    struct slice value; /* UTF-8 text; numbers stay text until compared */
};

/*
 * Where an event was read, for inputs that can deliver a record again (a file re-read
 * after a crash, later a spool): the input stream (a file's fingerprint) and the
 * record's position in it, increasing along the stream. src 0: the input cannot replay
 * (network, stdin), so the store has nothing to deduplicate.
 */
struct event_origin {
    uint64_t src;
    uint64_t pos;
};

struct event {
    uint64_t id;                       /* deterministic: source identity + position (see ingest) */
    struct event_origin origin;        /* replayable inputs: stream and position */
    int64_t time_ns;                   /* event time, UTC */
    int64_t received_ns;               /* when the input read it */
    route_set routes;                  /* ROUTE_BIT set */
    uint32_t flags;                    /* enum event_flag */
    struct slice raw;                  /* the record exactly as received (after truncation) */
    struct slice text;                 /* the record as UTF-8 (== raw unless converted) */
    struct slice input;                /* the input's name ("syslog-udp", a file path) */
    struct slice peer;                 /* the sending address, for network inputs */
    const char *decoder;               /* "sshd", "apache", "json", "syslog", "generic" */
    const struct field_alias *aliases; /* terminated by {0,0}; may be NULL */
    uint16_t nfields;
    struct event_field fields[EVENT_MAX_FIELDS];
};

/* Clears everything but leaves no field. */
void event_reset(struct event *ev);
/* Adds a field; at the cap sets EVF_FIELDS_DROPPED and returns ERR_FULL. */
int event_add(struct event *ev, uint16_t id, struct slice value);
/* Adds a field known by name: an interned id when the name is known, else an extra. */
int event_add_named(struct event *ev, struct slice name, struct slice value);
/* First value of field id (following the event's aliases); false when absent. */
bool event_get(const struct event *ev, uint16_t id, struct slice *out);
/* First value of the field called `name` (declared, aliased or extra). */
bool event_get_named(const struct event *ev, struct slice name, struct slice *out);
/* Name of field f (declared name or the extra's own name). */
struct slice event_field_name(const struct event_field *f);
/* Appends the routes of ev as "a,b,c" to b. */
int event_routes_str(const struct event *ev, struct buf *b);

/* Appends the fields of ev as one JSON object {"name":"value",...}; a repeated field
 * becomes an array at the place of its first occurrence. */
int event_fields_json(const struct event *ev, struct buf *b);

/*
 * Renders ev as one JSON object: {"id":"…","time":"…","received":"…","routes":[…],
 * "decoder":"…","flags":[…],"fields":{…},"raw":"…"}. Repeated fields become arrays.
 */
int event_to_json(const struct event *ev, struct buf *b);

#endif
