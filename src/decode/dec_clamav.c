/*
 * dec_clamav.c — ClamAV: the daemon clamd (and clamonacc), the scanners clamscan and
 * clamdscan, and the updater freshclam. Chosen by program name (decode.c) or, for
 * headerless lines, by a detection line's shape ("/path: Sig FOUND", or clamd's own log
 * file stamp "Mon Nov 25 10:00:00 2024 -> ").
 *   PATH: SIGNATURE FOUND           → Filename, Signature, action "detected": the
 *                                     Sigma antivirus category (DK_CLAMAV_FOUND). With
 *                                     ExtendedDetectionInfo the signature is followed by
 *                                     "(HASH:SIZE)": kept as extras hash and file_size.
 *   PATH: OK / PATH: Removed. / PATH: moved to 'DEST' / PATH: REASON ERROR
 *                                     → Filename, action scanned / removed / moved
 *                                     (+ outcome), reason for errors
 *   SelfCheck: Database status OK.  → action "selfcheck", outcome "success"
 *   X.cld updated (version: N, sigs: N, f-level: N, builder: B) and
 *   X.cvd database is up-to-date (...) → database, version, sigs, f_level, builder,
 *                                     action "update", outcome "success"
 *   ERROR: text / WARNING: text     → level, reason (outcome "failure" for ERROR)
 * The path of a detection may hold ": " and spaces: the signature is the last word
 * before " FOUND", the path what precedes its ": ". A line from a ClamAV program that is
 * none of these is still a ClamAV event (route clamav) with its message; a headerless
 * line must be one of them, or it is not this format (ERR_PARSE).
 */
#include "decode/decode_int.h"

/* Index of the last ": " in s, or -1. */
static long last_colon_sp(struct slice s)
{
    for (size_t i = s.len; i-- > 1;)
        if (s.p[i] == ' ' && s.p[i - 1] == ':')
            return (long)i - 1;
    return -1;
}

static bool ends_with(struct slice s, const char *lit, size_t n)
{
    return s.len >= n && memcmp(s.p + s.len - n, lit, n) == 0;
}
#define ENDS(s, lit) ends_with((s), (lit), sizeof(lit) - 1)

/* "PATH: SIG FOUND" (s without " FOUND"). False when it is not that shape. */
static bool found(struct slice s, struct event *ev)
{
    long c = last_colon_sp(s);
    if (c <= 0)
        return false;
    struct slice path = slice_make(s.p, (size_t)c);
    struct slice sig = dec_skip(s, (size_t)c + 2);
    if (!sig.len || slice_find_byte(sig, ' ') >= 0)
        return false;
    struct slice hash = SLICE_NULL, size = SLICE_NULL;
    long lp = slice_find_byte(sig, '(');
    if (lp > 0 && sig.p[sig.len - 1] == ')') {
        struct slice in = slice_make(sig.p + lp + 1, sig.len - (size_t)lp - 2);
        long col = slice_find_byte(in, ':');
        if (col > 0) {
            hash = slice_make(in.p, (size_t)col);
            size = dec_skip(in, (size_t)col + 1);
        } else {
            hash = in;
        }
        sig = slice_make(sig.p, (size_t)lp);
    }
    event_add(ev, FIELD_Filename, path);
    event_add(ev, FIELD_Signature, sig);
    event_add(ev, FIELD_action, SLICE_LIT("detected"));
    if (hash.len)
        event_add_named(ev, SLICE_LIT("hash"), hash);
    if (size.len)
        event_add_named(ev, SLICE_LIT("file_size"), size);
    return true;
}

/* "PATH: OK", "PATH: Removed.", "PATH: moved to '...'", "PATH: ... ERROR". */
static bool scan_result(struct slice s, struct event *ev)
{
    long c;
    if (ENDS(s, ": OK")) {
        event_add(ev, FIELD_Filename, slice_make(s.p, s.len - 4));
        event_add(ev, FIELD_action, SLICE_LIT("scanned"));
        return true;
    }
    if (ENDS(s, ": Removed.")) {
        event_add(ev, FIELD_Filename, slice_make(s.p, s.len - 10));
        event_add(ev, FIELD_action, SLICE_LIT("removed"));
        event_add(ev, FIELD_outcome, SLICE_LIT("success"));
        return true;
    }
    /* the closing quote must follow the opening one: "P: moved to ''" at the least */
    if ((c = DEC_FIND(s, ": moved to '")) > 0 && (size_t)c + 13 <= s.len &&
        s.p[s.len - 1] == '\'') {
        event_add(ev, FIELD_Filename, slice_make(s.p, (size_t)c));
        event_add_named(ev, SLICE_LIT("moved_to"),
                        slice_make(s.p + c + 12, s.len - (size_t)c - 13));
        event_add(ev, FIELD_action, SLICE_LIT("moved"));
        event_add(ev, FIELD_outcome, SLICE_LIT("success"));
        return true;
    }
    if (ENDS(s, " ERROR")) {
        struct slice t = slice_make(s.p, s.len - 6);
        c = DEC_FIND(t, ": ");
        if (c <= 0)
            return false;
        event_add(ev, FIELD_Filename, slice_make(t.p, (size_t)c));
        event_add(ev, FIELD_reason, slice_trim(dec_skip(t, (size_t)c + 2)));
        event_add(ev, FIELD_action, SLICE_LIT("scanned"));
        event_add(ev, FIELD_outcome, SLICE_LIT("failure"));
        return true;
    }
    return false;
}

/* "(version: N, sigs: N, f-level: N, builder: B)" */
static void db_info(struct slice s, struct event *ev)
{
    long lp = slice_find_byte(s, '(');
    if (lp < 0 || s.p[s.len - 1] != ')')
        return;
    struct slice in = slice_make(s.p + lp + 1, s.len - (size_t)lp - 2);
    static const struct {
        const char *key;
        const char *name;
    } keys[] = {
        {"version", "version"}, {"sigs", "sigs"}, {"f-level", "f_level"}, {"builder", "builder"}};
    while (in.len) {
        long comma = slice_find_byte(in, ',');
        struct slice item = slice_trim(comma >= 0 ? slice_make(in.p, (size_t)comma) : in);
        in = comma >= 0 ? dec_skip(in, (size_t)comma + 1) : dec_skip(in, in.len);
        long c = DEC_FIND(item, ": ");
        if (c <= 0)
            continue;
        struct slice k = slice_make(item.p, (size_t)c), v = dec_skip(item, (size_t)c + 2);
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
            if (v.len && slice_eqs(k, slice_cstr(keys[i].key)))
                event_add_named(ev, slice_cstr(keys[i].name), v);
    }
}

/* freshclam's "X.cld updated (...)" / "X.cvd database is up-to-date (...)". */
static bool db_update(struct slice s, struct event *ev)
{
    struct slice rest;
    struct slice db = dec_word(s, &rest);
    if (!(ENDS(db, ".cld") || ENDS(db, ".cvd") || ENDS(db, ".cud")))
        return false;
    if (DEC_STARTS(rest, "updated ")) {
        event_add_named(ev, SLICE_LIT("status"), SLICE_LIT("updated"));
    } else if (DEC_STARTS(rest, "database is up-to-date ") ||
               DEC_STARTS(rest, "database is up to date ")) {
        event_add_named(ev, SLICE_LIT("status"), SLICE_LIT("up-to-date"));
    } else {
        return false;
    }
    event_add_named(ev, SLICE_LIT("database"), db);
    db_info(rest, ev);
    event_add(ev, FIELD_action, SLICE_LIT("update"));
    event_add(ev, FIELD_outcome, SLICE_LIT("success"));
    return true;
}

/* Drops clamd's log file stamp "Www Mmm dd hh:mm:ss yyyy -> ", setting the time. */
static struct slice log_stamp(const struct decode_job *job, struct slice m, struct event *ev)
{
    if (m.len < 28 || memcmp(m.p + 24, " -> ", 4) != 0 || m.p[3] != ' ' || m.p[7] != ' ')
        return m;
    const char *p = m.p;
    unsigned mon = vtime_month3(p + 4);
    unsigned v[6];
    static const unsigned char at[6] = {8, 11, 14, 17, 20, 22}; /* dd hh mm ss yy yy */
    for (int k = 0; k < 6; k++) {
        char a = p[at[k]], b = p[at[k] + 1];
        if (a == ' ' && k == 0)
            a = '0';
        if (!dec_isdigit(a) || !dec_isdigit(b))
            return m;
        v[k] = (unsigned)((a - '0') * 10 + (b - '0'));
    }
    if (!mon || p[10] != ' ' || p[13] != ':' || p[16] != ':' || p[19] != ' ')
        return m;
    const struct vtz *tz = job->src && job->src->tz ? job->src->tz : vtz_utc();
    int64_t ns;
    if (decode_civil_time((int64_t)v[4] * 100 + v[5], mon, v[0], v[1], v[2], v[3], 0, tz,
                          job->received_ns, &ns) == 0) {
        ev->time_ns = ns;
        ev->flags &= ~(uint32_t)EVF_TIME_RECEIVED;
    }
    return dec_skip(m, 28);
}

static int clamav_decode(const struct decode_job *job, struct event *ev)
{
    struct slice m = log_stamp(job, slice_trim(job->msg), ev);
    /* clamonacc and older clamd prefix detections with their component */
    if (DEC_STARTS(m, "ScanOnAccess: "))
        m = dec_skip(m, 14);
    if (ENDS(m, " FOUND") && found(slice_make(m.p, m.len - 6), ev))
        return DK_CLAMAV_FOUND;
    bool known = true;
    if (DEC_STARTS(m, "SelfCheck: ")) {
        event_add(ev, FIELD_action, SLICE_LIT("selfcheck"));
        if (DEC_STARTS(m, "SelfCheck: Database status OK"))
            event_add(ev, FIELD_outcome, SLICE_LIT("success"));
    } else if (DEC_STARTS(m, "ERROR: ")) {
        event_add_named(ev, SLICE_LIT("level"), SLICE_LIT("ERROR"));
        event_add(ev, FIELD_reason, slice_trim(dec_skip(m, 7)));
        event_add(ev, FIELD_outcome, SLICE_LIT("failure"));
    } else if (DEC_STARTS(m, "WARNING: ")) {
        event_add_named(ev, SLICE_LIT("level"), SLICE_LIT("WARNING"));
        event_add(ev, FIELD_reason, slice_trim(dec_skip(m, 9)));
    } else if (!db_update(m, ev) && !scan_result(m, ev)) {
        known = false;
    }
    if (!known && !job->hdr->present)
        return ERR_PARSE;
    return DK_CLAMAV;
}

const struct decoder decode_clamav = {.name = "clamav", .decode = clamav_decode};
