/*
 * lists.c — named lists (lists.h): the file parsers, the address trie and domain table of
 * one list, the refcounted set of all lists and its holder. A domain list keeps its
 * entries lowercased in one pool and a hash table of them (open addressing, at most half
 * full); a lookup tries the domain and each parent (a.b.example.com, b.example.com,
 * example.com, com): one probe each, usually.
 */
#include "enrich/lists.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <errno.h>
#include <sys/stat.h>

struct dom_slot {
    uint32_t tag; /* the hash's upper half */
    uint32_t off; /* offset into pool + 1; 0: empty */
};

struct named_list {
    enum list_type type;
    size_t n; /* distinct entries (addresses: networks; domains: names) */
    struct iptrie trie;
    char *pool; /* domains: NUL-terminated, lowercase */
    size_t pool_len, pool_cap;
    struct dom_slot *slots; /* open addressing, linear probing, at most half full */
    size_t nslots;
};

/* See lists.h. */
void list_free(struct named_list *l)
{
    if (!l)
        return;
    iptrie_fini(&l->trie);
    mem_free(l->pool);
    mem_free(l->slots);
    mem_free(l);
}

/* See lists.h. */
size_t list_count(const struct named_list *l)
{
    return l ? l->n : 0;
}

/* A domain name: labels of letters, digits, '-' and '_' separated by single dots; a
 * trailing dot and a leading "*." dropped. Lowercased into out (LIST_MAX_DOMAIN + 1). */
static bool norm_domain(struct slice s, char *out, size_t *outlen)
{
    if (s.len >= 2 && s.p[0] == '*' && s.p[1] == '.')
        s = slice_make(s.p + 2, s.len - 2);
    if (s.len && s.p[s.len - 1] == '.')
        s.len--;
    if (!s.len || s.len > LIST_MAX_DOMAIN)
        return false;
    char prev = '.';
    for (size_t i = 0; i < s.len; i++) {
        char c = s.p[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                  (c == '.' && prev != '.');
        if (!ok)
            return false;
        out[i] = prev = c;
    }
    if (prev == '.')
        return false;
    out[s.len] = '\0';
    *outlen = s.len;
    return true;
}

static uint64_t dom_hash(const char *d, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)d[i]) * 1099511628211ull;
    return h ^ h >> 32;
}

/* The slot holding d, or the empty slot where it would go. */
static struct dom_slot *dom_find(const struct named_list *l, const char *d, size_t n)
{
    uint64_t h = dom_hash(d, n);
    uint32_t tag = (uint32_t)(h >> 32);
    size_t mask = l->nslots - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        struct dom_slot *s = &l->slots[i];
        if (!s->off || (s->tag == tag && !strcmp(l->pool + s->off - 1, d)))
            return s;
    }
}

static int dom_grow(struct named_list *l)
{
    size_t nc = l->nslots ? l->nslots * 2 : 1024;
    struct dom_slot *old = l->slots;
    size_t nold = l->nslots;
    l->slots = mem_calloc(nc, sizeof *l->slots);
    if (!l->slots) {
        l->slots = old;
        return ERR_NOMEM;
    }
    l->nslots = nc;
    for (size_t i = 0; i < nold; i++)
        if (old[i].off) {
            const char *d = l->pool + old[i].off - 1;
            *dom_find(l, d, strlen(d)) = old[i];
        }
    mem_free(old);
    return 0;
}

/* Adds d (normalised, n bytes) unless it is there. */
static int add_domain(struct named_list *l, const char *d, size_t n)
{
    if ((l->n + 1) * 2 > l->nslots) {
        int rc = dom_grow(l);
        if (rc)
            return rc;
    }
    struct dom_slot *s = dom_find(l, d, n);
    if (s->off)
        return 0;
    if (l->pool_len + n + 1 > l->pool_cap) {
        size_t nc = l->pool_cap ? l->pool_cap * 2 : 4096;
        while (nc < l->pool_len + n + 1)
            nc *= 2;
        if (nc >= UINT32_MAX)
            return ERR_TOOBIG;
        char *p = mem_realloc(l->pool, nc);
        if (!p)
            return ERR_NOMEM;
        l->pool = p;
        l->pool_cap = nc;
    }
    memcpy(l->pool + l->pool_len, d, n + 1);
    s->tag = (uint32_t)(dom_hash(d, n) >> 32);
    s->off = (uint32_t)l->pool_len + 1;
    l->pool_len += n + 1;
    l->n++;
    return 0;
}

/* See lists.h. */
bool list_has_domain(const struct named_list *l, struct slice d)
{
    char buf[LIST_MAX_DOMAIN + 1];
    size_t n;
    if (!l || l->type != LIST_DOMAIN || !l->n || !norm_domain(d, buf, &n))
        return false;
    for (size_t i = 0; i < n;) {
        if (dom_find(l, buf + i, n - i)->off)
            return true;
        const char *dot = memchr(buf + i, '.', n - i);
        if (!dot)
            break;
        i = (size_t)(dot - buf) + 1;
    }
    return false;
}

/* See lists.h. */
bool list_has_addr(const struct named_list *l, const struct ipbits *a)
{
    return l && l->type == LIST_ADDRESS && l->n && iptrie_lookup(&l->trie, a) >= 0;
}

/* The entry of one line: CSV's first field (quotes removed), else the first word; an
 * empty slice for a blank or comment line. */
static struct slice entry_of(struct slice line, bool csv)
{
    while (line.len && (line.p[line.len - 1] == '\r' || line.p[line.len - 1] == '\v'))
        line.len--;
    struct slice s = slice_trim(line);
    if (!s.len || s.p[0] == '#')
        return slice_make(NULL, 0);
    size_t i = 0;
    if (csv) {
        if (s.p[0] == '"') {
            const char *q = memchr(s.p + 1, '"', s.len - 1);
            return slice_trim(slice_make(s.p + 1, q ? (size_t)(q - s.p - 1) : s.len - 1));
        }
        while (i < s.len && s.p[i] != ',' && s.p[i] != '#')
            i++;
        return slice_trim(slice_make(s.p, i));
    }
    while (i < s.len && s.p[i] != ' ' && s.p[i] != '\t' && s.p[i] != '#')
        i++;
    return slice_make(s.p, i);
}

/* Adds entry e to l; a reason in why when it is none. */
static int add_entry(struct named_list *l, struct slice e, const char **why)
{
    if (l->n >= LIST_MAX_ENTRIES) {
        *why = "is past the cap of entries a list holds (10 million)";
        return ERR_PARSE;
    }
    if (l->type == LIST_ADDRESS) {
        struct ipbits a;
        unsigned prefix;
        if (!ip_parse_cidr(e, &a, &prefix)) {
            *why = "is not an IPv4 or IPv6 address or CIDR network";
            return ERR_PARSE;
        }
        int rc = iptrie_insert(&l->trie, &a, prefix, 0);
        if (rc == 0)
            l->n++;
        return rc == ERR_EXISTS ? 0 : rc;
    }
    char d[LIST_MAX_DOMAIN + 1];
    size_t n;
    if (!norm_domain(e, d, &n)) {
        *why = "is not a domain name";
        return ERR_PARSE;
    }
    int rc = add_domain(l, d, n);
    if (rc == ERR_TOOBIG)
        *why = "is past 4 GiB of domain names in one list";
    return rc == ERR_TOOBIG ? ERR_PARSE : rc;
}

/* See lists.h. */
int list_parse(const char *file, const char *text, size_t len, enum list_type type, bool csv,
               struct named_list **out, char *err, size_t errlen)
{
    *out = NULL;
    struct named_list *l = mem_calloc(1, sizeof *l);
    if (!l)
        return ERR_NOMEM;
    l->type = type;
    int rc = type == LIST_ADDRESS ? iptrie_init(&l->trie) : 0;
    unsigned line = 0;
    size_t pos = 0;
    bool first = true; /* the first line with an entry */
    while (rc == 0 && pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        struct slice s = slice_make(text + pos, end - pos);
        pos = end + 1;
        line++;
        struct slice e = entry_of(s, csv);
        if (!e.len)
            continue;
        bool header = csv && first;
        first = false;
        /* a CSV header: its first field is no entry, or a one-label word ("domain") */
        if (header && type == LIST_DOMAIN && !memchr(e.p, '.', e.len))
            continue;
        const char *why = NULL;
        rc = add_entry(l, e, &why);
        if (rc == ERR_PARSE && header)
            rc = 0;
        if (rc == ERR_PARSE)
            snprintf(err, errlen, "%s:%u: '%.*s' %s", file, line, (int)(e.len > 60 ? 60 : e.len),
                     e.p, why);
    }
    if (rc) {
        list_free(l);
        return rc;
    }
    if (type == LIST_ADDRESS && (rc = iptrie_seal(&l->trie))) {
        list_free(l);
        return rc;
    }
    *out = l;
    return 0;
}

/* See lists.h. */
int list_load_file(const char *path, enum list_type type, struct named_list **out, char *err,
                   size_t errlen)
{
    struct buf text;
    buf_init(&text, LIST_MAX_FILE);
    int rc = buf_read_file(&text, path);
    if (rc) {
        snprintf(err, errlen, "%s: %s", path,
                 rc == ERR_TOOBIG ? "larger than the cap of a list file (256 MiB)"
                                  : strerror(errno));
        buf_fini(&text);
        return rc == ERR_TOOBIG ? ERR_PARSE : rc;
    }
    size_t n = strlen(path);
    bool csv = n >= 4 && !strcasecmp(path + n - 4, ".csv");
    rc = list_parse(path, text.p ? text.p : "", text.len, type, csv, out, err, errlen);
    buf_fini(&text);
    return rc;
}

/* ---- the set and its holder ------------------------------------------------------------ */

/* See lists.h. */
struct list_set *list_set_ref(struct list_set *s)
{
    if (s)
        atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
    return s;
}

/* See lists.h. */
void list_set_release(struct list_set *s)
{
    if (!s || atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) != 1)
        return;
    for (size_t i = 0; i < s->n; i++)
        list_free(s->lists[i]);
    mem_free(s->lists);
    mem_free(s->names);
    mem_free(s->types);
    mem_free(s);
}

/* See lists.h. */
int list_set_load(const struct list_decl *d, size_t n, struct list_set **out, char *err,
                  size_t errlen)
{
    *out = NULL;
    struct list_set *s = mem_calloc(1, sizeof *s);
    if (!s)
        return ERR_NOMEM;
    atomic_init(&s->refs, 1);
    s->lists = mem_calloc(n ? n : 1, sizeof *s->lists);
    s->names = mem_calloc(n ? n : 1, sizeof *s->names);
    s->types = mem_calloc(n ? n : 1, sizeof *s->types);
    if (!s->lists || !s->names || !s->types) {
        list_set_release(s);
        return ERR_NOMEM;
    }
    /* the files' state before the reads: a change while reading is seen at the next check */
    s->sig = list_files_sig(d, n);
    for (size_t i = 0; i < n; i++) {
        int rc = list_load_file(d[i].file, d[i].type, &s->lists[i], err, errlen);
        if (rc) {
            list_set_release(s);
            return rc;
        }
        s->names[i] = d[i].name;
        s->types[i] = d[i].type;
        s->n = i + 1;
    }
    *out = s;
    return 0;
}

/* See lists.h. */
uint64_t list_files_sig(const struct list_decl *d, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        memset(&st, 0, sizeof st);
        uint64_t v[4] = {0, 0, 0, 0};
        if (stat(d[i].file, &st) == 0) {
            v[0] = (uint64_t)st.st_mtim.tv_sec;
            v[1] = (uint64_t)st.st_mtim.tv_nsec;
            v[2] = (uint64_t)st.st_size;
            v[3] = (uint64_t)st.st_ino;
        }
        for (int j = 0; j < 4; j++)
            h = (h ^ v[j]) * 1099511628211ull;
    }
    return h;
}

/* See lists.h. */
void list_holder_init(struct list_holder *h)
{
    pthread_mutex_init(&h->mu, NULL);
    h->cur = NULL;
}

/* See lists.h. */
void list_holder_fini(struct list_holder *h)
{
    list_set_release(h->cur);
    h->cur = NULL;
    pthread_mutex_destroy(&h->mu);
}

/* See lists.h. */
struct list_set *list_holder_acquire(struct list_holder *h)
{
    pthread_mutex_lock(&h->mu);
    struct list_set *s = list_set_ref(h->cur);
    pthread_mutex_unlock(&h->mu);
    return s;
}

/* See lists.h. */
void list_holder_swap(struct list_holder *h, struct list_set *s)
{
    pthread_mutex_lock(&h->mu);
    struct list_set *old = h->cur;
    h->cur = s;
    pthread_mutex_unlock(&h->mu);
    list_set_release(old);
}
