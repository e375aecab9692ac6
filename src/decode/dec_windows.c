/*
 * dec_windows.c — Windows event log records as JSON lines, in the three forms shippers
 * write: Winlogbeat (winlog.channel, winlog.event_id, winlog.provider_name,
 * winlog.computer_name, winlog.event_data.*), NXLog (flat: Channel, EventID,
 * SourceName/ProviderName, Hostname/Computer and the EventData at the top level) and
 * EVTX-to-JSON dumps (Event.System.*, Event.EventData.* or Event.EventData.Data as a
 * list of {Name, #text}). The output is one shape whatever the form: Channel, EventID
 * (decimal text), Provider_Name, Computer and host first, then every EventData (and
 * UserData) field under its own name, which is what Sigma's Windows rules name.
 *
 * decode.c picks this decoder for a '{' record that mentions "winlog" or "EventID";
 * when the record turns out not to be Windows (no event id with a channel or provider)
 * it returns ERR_PARSE and the plain JSON decoder runs instead. Parsing is dec_json.c's
 * (decode_json_walk) with a leaf callback that maps names; names are slices of the
 * flattened path copied into the arena, values are the parser's slices.
 *
 * Bounds: fields other than the System ones stop at EVENT_MAX_FIELDS - 5 (the event is
 * flagged EVF_FIELDS_DROPPED), so the five System fields always fit. Nested keys that
 * are neither winlog.* nor Event.* (Winlogbeat's agent.*, host.*, ECS copies) are not
 * kept as fields; the raw record still holds them for search.
 */
#include "decode/decode_int.h"

#define WIN_SYS_FIELDS 5 /* Channel, EventID, Provider_Name, Computer, host */

/* A System value; a later source of higher rank replaces it (Event.System and
 * winlog.* outrank NXLog's flat keys). */
struct win_slot {
    struct slice v;
    int rank; /* 0 = unset */
};

struct win {
    struct arena *arena;
    struct event *ev;
    const struct vtz *tz;
    struct win_slot channel, event_id, provider, computer;
    bool have_time;
    int64_t time_ns;
    /* the Event.EventData.Data element being read: its index, Name and value */
    struct slice dname, dvalue;
    long didx; /* -2 none pending, -1 a single (non-list) element */
    bool has_dname, has_dvalue;
};

static void slot_set(struct win_slot *s, struct slice v, int rank)
{
    if (rank >= s->rank) {
        s->v = v;
        s->rank = rank;
    }
}

/* True when p starts with the literal lit; *rest is what follows. */
static bool cut(struct slice p, const char *lit, struct slice *rest)
{
    size_t n = strlen(lit);
    if (p.len < n || memcmp(p.p, lit, n) != 0)
        return false;
    *rest = slice_make(p.p + n, p.len - n);
    return true;
}

static bool is(struct slice p, const char *lit)
{
    return slice_eqs(p, slice_cstr(lit));
}

/* Adds field `name` (copied into the arena) = v, keeping room for the System fields. */
static int add(struct win *w, struct slice name, struct slice v)
{
    if (!name.len)
        return 0;
    if (w->ev->nfields >= EVENT_MAX_FIELDS - WIN_SYS_FIELDS) {
        w->ev->flags |= EVF_FIELDS_DROPPED;
        return 0;
    }
    char *n = arena_dup(w->arena, name.p, name.len);
    if (!n)
        return ERR_NOMEM;
    event_add_named(w->ev, slice_make(n, name.len), v);
    return 0;
}

static void try_time(struct win *w, struct slice v)
{
    int64_t ns;
    size_t used;
    if (!w->have_time && decode_iso_time(v, w->tz, &ns, &used) == 0 && used == v.len) {
        w->have_time = true;
        w->time_ns = ns;
    }
}

/* Adds the pending Data element, if any. */
static int flush_data(struct win *w)
{
    int rc = 0;
    if (w->didx != -2 && (w->has_dname || w->has_dvalue))
        rc = add(w, w->has_dname ? w->dname : SLICE_LIT("Data"), w->dvalue);
    w->didx = -2;
    w->has_dname = w->has_dvalue = false;
    w->dvalue = slice_make("", 0);
    return rc;
}

/* "Event.EventData.Data" + rest: "", ".N" (unnamed values), ".N.Name", ".N.#text",
 * ".Name", ".#text" (a single element), with @Name / #attributes.Name spellings. */
static int data_leaf(struct win *w, struct slice rest, struct slice v)
{
    if (rest.len == 0)
        return add(w, SLICE_LIT("Data"), v);
    if (rest.p[0] != '.')
        return 0;
    rest = dec_skip(rest, 1);
    long idx = -1;
    if (rest.len && dec_isdigit(rest.p[0])) {
        size_t i = 0;
        idx = 0;
        while (i < rest.len && dec_isdigit(rest.p[i]) && idx < 100000)
            idx = idx * 10 + (rest.p[i++] - '0');
        rest = dec_skip(rest, i);
        if (rest.len == 0) /* a list of plain values */
            return add(w, SLICE_LIT("Data"), v);
        if (rest.p[0] != '.')
            return 0;
        rest = dec_skip(rest, 1);
    }
    if (idx != w->didx) {
        int rc = flush_data(w);
        if (rc)
            return rc;
        w->didx = idx;
    }
    if (is(rest, "Name") || is(rest, "@Name") || is(rest, "#attributes.Name")) {
        w->dname = v;
        w->has_dname = true;
    } else if (is(rest, "#text") || is(rest, "Value") || is(rest, "text")) {
        w->dvalue = v;
        w->has_dvalue = true;
    }
    return 0;
}

/* A key under Event.System. */
static void system_leaf(struct win *w, struct slice k, struct slice v)
{
    if (is(k, "Channel"))
        slot_set(&w->channel, v, 3);
    else if (is(k, "EventID") || is(k, "EventID.#text") || is(k, "EventID.Value"))
        slot_set(&w->event_id, v, 3);
    else if (is(k, "Provider_Name") || is(k, "Provider.#attributes.Name") ||
             is(k, "Provider.@Name") || is(k, "Provider.Name"))
        slot_set(&w->provider, v, 3);
    else if (is(k, "Computer"))
        slot_set(&w->computer, v, 3);
    else if (is(k, "TimeCreated.#attributes.SystemTime") || is(k, "TimeCreated.@SystemTime") ||
             is(k, "TimeCreated.SystemTime") || is(k, "TimeCreated_SystemTime"))
        try_time(w, v);
}

static const char *const system_extras[] = {"EventRecordID", "Level",    "Task",
                                            "Opcode",        "Keywords", "Version"};

static int leaf_cb(void *ctx, struct slice path, struct slice v)
{
    struct win *w = ctx;
    struct slice k;
    if (cut(path, "winlog.", &k)) {
        struct slice f;
        if (is(k, "channel"))
            slot_set(&w->channel, v, 3);
        else if (is(k, "event_id"))
            slot_set(&w->event_id, v, 3);
        else if (is(k, "provider_name"))
            slot_set(&w->provider, v, 3);
        else if (is(k, "computer_name"))
            slot_set(&w->computer, v, 3);
        else if (cut(k, "event_data.", &f) || cut(k, "user_data.", &f))
            return add(w, f, v);
        else if (is(k, "record_id"))
            return add(w, SLICE_LIT("EventRecordID"), v);
        else if (is(k, "task"))
            return add(w, SLICE_LIT("Task"), v);
        else if (is(k, "opcode"))
            return add(w, SLICE_LIT("Opcode"), v);
        return 0;
    }
    if (cut(path, "Event.", &k)) {
        struct slice f;
        if (cut(k, "System.", &f)) {
            system_leaf(w, f, v);
            for (size_t i = 0; i < sizeof system_extras / sizeof system_extras[0]; i++)
                if (is(f, system_extras[i]))
                    return add(w, f, v);
            return 0;
        }
        if (cut(k, "EventData.Data", &f))
            return data_leaf(w, f, v);
        if (cut(k, "EventData.", &f) || cut(k, "UserData.", &f)) {
            if (k.p[0] == 'U') { /* UserData.<Wrapper>.Field */
                const char *dot = memchr(f.p, '.', f.len);
                if (!dot)
                    return 0;
                f = slice_make(dot + 1, f.len - (size_t)(dot + 1 - f.p));
            }
            if (!f.len || f.p[0] == '@' || f.p[0] == '#')
                return 0; /* xmlns and other attributes */
            return add(w, f, v);
        }
        return 0;
    }
    if (memchr(path.p, '.', path.len))
        return 0; /* nested, not Windows: Winlogbeat's agent.*, host.*, ECS copies */
    /* a top-level key: NXLog's flat form, or Winlogbeat's @timestamp and message */
    if (is(path, "Channel"))
        slot_set(&w->channel, v, 2);
    else if (is(path, "EventID"))
        slot_set(&w->event_id, v, 2);
    else if (is(path, "SourceName") || is(path, "ProviderName") || is(path, "Provider_Name"))
        slot_set(&w->provider, v, 2);
    else if (is(path, "Computer"))
        slot_set(&w->computer, v, 2);
    else if (is(path, "Hostname"))
        slot_set(&w->computer, v, 1);
    else {
        if (is(path, "EventTime"))
            try_time(w, v);
        return add(w, path, v);
    }
    return 0;
}

/* Event ids are 16-bit numbers: leading zeros go, so "0004688" routes as 4688. */
static struct slice canon_id(struct slice v)
{
    while (v.len > 1 && v.p[0] == '0' && dec_isdigit(v.p[1]))
        v = dec_skip(v, 1);
    return v;
}

static int windows_decode(const struct decode_job *job, struct event *ev)
{
    struct win w = {
        .arena = job->arena,
        .ev = ev,
        .didx = -2,
        .tz = job->src && job->src->tz ? job->src->tz : vtz_utc(),
    };
    uint16_t n0 = ev->nfields;
    int64_t t0 = ev->time_ns;
    uint32_t f0 = ev->flags;
    int rc = decode_json_walk(job, ev, leaf_cb, &w);
    if (!rc)
        rc = flush_data(&w);
    if (rc)
        return rc;
    if (!w.event_id.rank || !(w.channel.rank || w.provider.rank))
        return ERR_PARSE; /* not a Windows event: the caller tries plain JSON */

    /* The System fields go in front of what the walk added (room was kept for them). */
    struct event_field sys[WIN_SYS_FIELDS];
    unsigned ns = 0;
    if (w.channel.rank)
        sys[ns++] = (struct event_field){.id = FIELD_Channel, .value = w.channel.v};
    sys[ns++] = (struct event_field){.id = FIELD_EventID, .value = canon_id(w.event_id.v)};
    if (w.provider.rank)
        sys[ns++] = (struct event_field){.id = FIELD_Provider_Name, .value = w.provider.v};
    if (w.computer.rank) {
        sys[ns++] = (struct event_field){.id = FIELD_Computer, .value = w.computer.v};
        sys[ns++] = (struct event_field){.id = FIELD_host, .value = w.computer.v};
    }
    unsigned added = ev->nfields - n0, room = EVENT_MAX_FIELDS - n0;
    if (ns + added > room) { /* only when a syslog header's fields filled the event */
        ev->flags |= EVF_FIELDS_DROPPED;
        if (ns > room)
            ns = room;
        added = room - ns;
    }
    memmove(&ev->fields[n0 + ns], &ev->fields[n0], added * sizeof ev->fields[0]);
    memcpy(&ev->fields[n0], sys, ns * sizeof sys[0]);
    ev->nfields = (uint16_t)(n0 + ns + added);

    bool walk_time = ev->time_ns != t0 || (ev->flags ^ f0) & EVF_TIME_RECEIVED;
    if (w.have_time && !walk_time) { /* the record's own time outranks the header's */
        ev->time_ns = w.time_ns;
        ev->flags &= ~(uint32_t)EVF_TIME_RECEIVED;
    }
    return DK_WINDOWS;
}

const struct decoder decode_windows = {.name = "windows", .decode = windows_decode};
