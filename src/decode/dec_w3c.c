/*
 * dec_w3c.c — W3C extended log files (IIS's default format): directive lines
 *   #Software: Microsoft Internet Information Services 10.0
 *   #Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip ...
 * and rows of space-separated values in the order of the last #Fields line of the same
 * source ("-" for empty, "+" for the spaces of the user agent). The columns are kept per
 * source in the per-thread decode_ctx (a small table keyed by the source, see
 * decode_int.h); before any #Fields line IIS's default columns apply. Columns keep their
 * W3C names (c-ip, cs-uri-stem, sc-status...), except cs(User-Agent) → cs-user-agent,
 * cs(Referer) → cs-referer, cs(Cookie) → cs-cookie, cs(Host) → cs-host; date and time
 * become the event time (UTC, as IIS writes them). A directive line is an event of its
 * own (directive, message) with no webserver route: nothing is dropped.
 * decode.c asks decode_w3c_row before parsing a syslog header, which would otherwise
 * take a row's "date time s-ip" for a timestamp and a host.
 */
#include "decode/decode_int.h"

static const char iis_default[] = "date time s-ip cs-method cs-uri-stem cs-uri-query s-port "
                                  "cs-username c-ip cs(User-Agent) cs(Referer) sc-status "
                                  "sc-substatus sc-win32-status time-taken";

/* A view of a column list: names are text[off[i]..+len[i]]. */
struct cols {
    const char *text;
    uint16_t off[W3C_MAX_COLS], len[W3C_MAX_COLS];
    size_t n;
    bool explicit; /* from a #Fields line (not the default) */
    bool stable;   /* text outlives the event (the default list is static) */
};

/* Splits s at runs of spaces/tabs into at most max words; returns the count, or max+1
 * when there are more. */
static size_t split(struct slice s, uint16_t *off, uint16_t *len, size_t max)
{
    size_t n = 0, i = 0;
    while (i < s.len) {
        while (i < s.len && (s.p[i] == ' ' || s.p[i] == '\t'))
            i++;
        if (i == s.len)
            break;
        size_t b = i;
        while (i < s.len && s.p[i] != ' ' && s.p[i] != '\t')
            i++;
        if (n == max || b > UINT16_MAX || i - b > UINT16_MAX)
            return max + 1;
        off[n] = (uint16_t)b;
        len[n] = (uint16_t)(i - b);
        n++;
    }
    return n;
}

static struct w3c_columns *find_cols(struct decode_ctx *ctx, const void *src)
{
    for (size_t i = 0; i < W3C_SOURCES; i++)
        if (ctx->w3c[i].ncols && ctx->w3c[i].src == src)
            return &ctx->w3c[i];
    return NULL;
}

static void get_cols(struct decode_ctx *ctx, const void *src, struct cols *c)
{
    struct w3c_columns *e = find_cols(ctx, src);
    if (e) {
        e->used = ++ctx->w3c_clock;
        c->text = e->text;
        c->n = e->ncols;
        memcpy(c->off, e->off, c->n * sizeof c->off[0]);
        memcpy(c->len, e->len, c->n * sizeof c->len[0]);
        c->explicit = true;
        c->stable = false;
        return;
    }
    c->text = iis_default;
    c->n = split(slice_make(iis_default, sizeof iis_default - 1), c->off, c->len, W3C_MAX_COLS);
    c->explicit = false;
    c->stable = true;
}

/* Keeps the columns of a #Fields line for src (see decode_int.h for the table's cap). */
static void set_cols(struct decode_ctx *ctx, const void *src, struct slice names)
{
    if (names.len > W3C_FIELDS_TEXT)
        return;
    uint16_t off[W3C_MAX_COLS], len[W3C_MAX_COLS];
    size_t n = split(names, off, len, W3C_MAX_COLS);
    if (n == 0 || n > W3C_MAX_COLS)
        return;
    struct w3c_columns *e = find_cols(ctx, src);
    if (!e) {
        e = &ctx->w3c[0];
        for (size_t i = 0; i < W3C_SOURCES; i++) {
            if (!ctx->w3c[i].ncols) {
                e = &ctx->w3c[i];
                break;
            }
            if (ctx->w3c[i].used < e->used)
                e = &ctx->w3c[i];
        }
    }
    e->src = src;
    e->used = ++ctx->w3c_clock;
    e->ncols = (uint8_t)n;
    memcpy(e->text, names.p, names.len);
    memcpy(e->off, off, n * sizeof off[0]);
    memcpy(e->len, len, n * sizeof len[0]);
}

static struct slice col_name(const struct cols *c, size_t i)
{
    return slice_make(c->text + c->off[i], c->len[i]);
}

static bool is_dash(struct slice v)
{
    return v.len == 1 && v.p[0] == '-';
}

/* "YYYY-MM-DD" and "HH:MM:SS[.fff]" → UTC ns. */
static bool row_time(struct slice d, struct slice t, int64_t *ns)
{
    if (d.len != 10 || d.p[4] != '-' || d.p[7] != '-' || t.len < 8 || t.p[2] != ':' ||
        t.p[5] != ':')
        return false;
    int y = dec_num(d.p, 4), mo = dec_num(d.p + 5, 2), dd = dec_num(d.p + 8, 2);
    int h = dec_num(t.p, 2), mi = dec_num(t.p + 3, 2), s = dec_num(t.p + 6, 2);
    if (y < DECODE_YEAR_MIN || y > DECODE_YEAR_MAX || mo < 1 || mo > 12 || dd < 1 || dd > 31 ||
        h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60)
        return false;
    int64_t frac = 0, scale = NS_PER_SEC;
    if (t.len > 8) {
        if (t.p[8] != '.' || t.len > 18)
            return false;
        for (size_t i = 9; i < t.len; i++) {
            if (!dec_isdigit(t.p[i]))
                return false;
            scale /= 10;
            frac += (t.p[i] - '0') * scale;
        }
    }
    *ns = vtime_from_civil(y, (unsigned)mo, (unsigned)dd, (unsigned)h, (unsigned)mi, (unsigned)s) *
              NS_PER_SEC +
          frac;
    return true;
}

/* Columns whose values are numbers or addresses: a row with something else there is not
 * a W3C row (a syslog line that starts with an ISO date is not taken for one). */
static bool value_ok(struct slice name, struct slice v)
{
    if (is_dash(v))
        return true;
    if (slice_eq(name, "c-ip") || slice_eq(name, "s-ip"))
        return decode_looks_addr(v);
    if (slice_eq(name, "sc-status") || slice_eq(name, "s-port") || slice_eq(name, "time-taken") ||
        slice_eq(name, "sc-substatus") || slice_eq(name, "sc-win32-status") ||
        slice_eq(name, "sc-bytes") || slice_eq(name, "cs-bytes"))
        return dec_all_digits(v);
    return true;
}

/* Splits a row and checks it against the columns; returns the value count or 0. */
static size_t row_split(struct slice s, const struct cols *c, uint16_t *off, uint16_t *len)
{
    if (c->n < 2 || !slice_eq(col_name(c, 0), "date") || !slice_eq(col_name(c, 1), "time"))
        return 0;
    size_t n = split(s, off, len, W3C_MAX_COLS);
    /* a cut row (fewer values) only once a #Fields line said what to expect */
    if (n > c->n || n < 3 || (!c->explicit && n != c->n))
        return 0;
    int64_t t;
    if (!row_time(slice_make(s.p + off[0], len[0]), slice_make(s.p + off[1], len[1]), &t))
        return 0;
    for (size_t i = 2; i < n; i++)
        if (!value_ok(col_name(c, i), slice_make(s.p + off[i], len[i])))
            return 0;
    return n;
}

/* See decode_int.h. Cheap for other lines: fixed bytes are checked first. */
bool decode_w3c_row(struct decode_ctx *ctx, const struct decode_source *src, struct slice text)
{
    if (text.len < 22 || text.p[4] != '-' || text.p[7] != '-' || text.p[10] != ' ' ||
        text.p[13] != ':' || text.p[16] != ':' || !dec_isdigit(text.p[0]))
        return false;
    struct cols c;
    get_cols(ctx, src, &c);
    uint16_t off[W3C_MAX_COLS], len[W3C_MAX_COLS];
    return row_split(text, &c, off, len) != 0;
}

/* "#Name: value": an event of its own; #Fields also sets the source's columns. */
static int directive(const struct decode_job *job, struct event *ev)
{
    struct slice m = job->msg;
    size_t i = 1;
    while (i < m.len && i < 40 &&
           ((m.p[i] >= 'A' && m.p[i] <= 'Z') || (m.p[i] >= 'a' && m.p[i] <= 'z') || m.p[i] == '-'))
        i++;
    if (i == 1 || i >= m.len || m.p[i] != ':')
        return ERR_PARSE;
    struct slice name = slice_make(m.p + 1, i - 1);
    struct slice value = slice_trim(dec_skip(m, i + 1));
    if (slice_eq(name, "Fields"))
        set_cols(job->ctx, job->src, value);
    event_add_named(ev, slice_cstr("directive"), name);
    for (uint16_t k = 0; k < ev->nfields; k++) /* behind a header: replace its MSG */
        if (ev->fields[k].id == FIELD_message) {
            ev->fields[k].value = value;
            return DK_W3C_DIRECTIVE;
        }
    if (value.len)
        event_add(ev, FIELD_message, value);
    return DK_W3C_DIRECTIVE;
}

static const struct rename {
    const char *w3c, *name;
} renames[] = {
    {"cs(User-Agent)", "cs-user-agent"},
    {"cs(Referer)", "cs-referer"},
    {"cs(Cookie)", "cs-cookie"},
    {"cs(Host)", "cs-host"},
};

/* Adds one value under its column's name; names of a #Fields line are copied into the
 * arena (once per row, into *names) since the table entry may change before the event
 * is gone. */
static int add_col(const struct decode_job *job, const struct cols *c, size_t i, const char **names,
                   struct slice v, struct event *ev)
{
    struct slice name = col_name(c, i);
    for (size_t r = 0; r < sizeof renames / sizeof renames[0]; r++)
        if (slice_eq(name, renames[r].w3c)) {
            name = slice_cstr(renames[r].name);
            if (r == 0 && memchr(v.p, '+', v.len)) { /* the user agent's spaces */
                char *u = arena_alloc(job->arena, v.len);
                if (!u)
                    return ERR_NOMEM;
                for (size_t k = 0; k < v.len; k++)
                    u[k] = v.p[k] == '+' ? ' ' : v.p[k];
                v = slice_make(u, v.len);
            }
            return event_add_named(ev, name, v) == ERR_NOMEM ? ERR_NOMEM : 0;
        }
    uint16_t id = field_lookup(name.p, name.len);
    if (id != FIELD_NONE) {
        event_add(ev, id, v);
        return 0;
    }
    if (!c->stable) {
        if (!*names) {
            *names = arena_dup(job->arena, c->text, W3C_FIELDS_TEXT);
            if (!*names)
                return ERR_NOMEM;
        }
        name = slice_make(*names + c->off[i], c->len[i]);
    }
    event_add_named(ev, name, v);
    return 0;
}

static int w3c_decode(const struct decode_job *job, struct event *ev)
{
    struct slice m = job->msg;
    if (m.len && m.p[0] == '#')
        return directive(job, ev);
    struct cols c;
    get_cols(job->ctx, job->src, &c);
    uint16_t off[W3C_MAX_COLS], len[W3C_MAX_COLS];
    size_t n = row_split(m, &c, off, len);
    if (!n)
        return ERR_PARSE;
    int64_t t;
    row_time(slice_make(m.p + off[0], len[0]), slice_make(m.p + off[1], len[1]), &t);
    const char *names = NULL;
    for (size_t i = 2; i < n; i++) {
        struct slice v = slice_make(m.p + off[i], len[i]);
        if (is_dash(v))
            continue;
        int rc = add_col(job, &c, i, &names, v, ev);
        if (rc)
            return rc;
    }
    ev->time_ns = t;
    ev->flags &= ~(uint32_t)EVF_TIME_RECEIVED;
    return DK_W3C;
}

const struct decoder decode_w3c = {.name = "w3c", .decode = w3c_decode};
