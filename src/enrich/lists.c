/*
 * lists.c — named lists (lists.h): the file parsers, the address trie and sorted domain
 * table of one list, the refcounted set of all lists and its holder. A domain list keeps
 * its entries lowercased in one pool, sorted; a lookup tries the domain and each parent
 * (a.b.example.com, b.example.com, example.com, com) with a binary search.
 */
#include "enrich/lists.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <errno.h>
#include <sys/stat.h>

struct named_list {
    enum list_type type;
    size_t n; /* entries read (addresses: networks; domains: distinct names) */
    struct iptrie trie;
    char *pool; /* domains: NUL-terminated, lowercase */
    size_t pool_len, pool_cap;
    uint32_t *dom; /* offsets into pool, sorted by the name */
    size_t ndom, capdom;
};

/* See lists.h. */
void list_free(struct named_list *l)
{
    if (!l)
        return;
    iptrie_fini(&l->trie);
    mem_free(l->pool);
    mem_free(l->dom);
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

static int add_domain(struct named_list *l, const char *d, size_t n)
{
    if (l->pool_len + n + 1 > l->pool_cap) {
        size_t nc = l->pool_cap ? l->pool_cap * 2 : 4096;
        while (nc < l->pool_len + n + 1)
            nc *= 2;
        if (nc > UINT32_MAX)
            return ERR_TOOBIG;
        char *p = mem_realloc(l->pool, nc);
        if (!p)
            return ERR_NOMEM;
        l->pool = p;
        l->pool_cap = nc;
    }
    if (l->ndom == l->capdom) {
        size_t nc = l->capdom ? l->capdom * 2 : 256;
        uint32_t *v = mem_realloc(l->dom, nc * sizeof *v);
        if (!v)
            return ERR_NOMEM;
        l->dom = v;
        l->capdom = nc;
    }
    l->dom[l->ndom++] = (uint32_t)l->pool_len;
    memcpy(l->pool + l->pool_len, d, n + 1);
    l->pool_len += n + 1;
    return 0;
}

static const char *sort_pool; /* qsort has no context argument; lists are loaded one at a time */
static pthread_mutex_t sort_mu = PTHREAD_MUTEX_INITIALIZER;

static int cmp_dom(const void *a, const void *b)
{
    return strcmp(sort_pool + *(const uint32_t *)a, sort_pool + *(const uint32_t *)b);
}

/* Sorts the domains and drops repeats. */
static void finish_domains(struct named_list *l)
{
    if (!l->ndom)
        return;
    pthread_mutex_lock(&sort_mu);
    sort_pool = l->pool;
    qsort(l->dom, l->ndom, sizeof *l->dom, cmp_dom);
    pthread_mutex_unlock(&sort_mu);
    size_t w = 1;
    for (size_t i = 1; i < l->ndom; i++)
        if (strcmp(l->pool + l->dom[i], l->pool + l->dom[w - 1]))
            l->dom[w++] = l->dom[i];
    l->ndom = w;
    l->n = w;
}

static bool find_domain(const struct named_list *l, const char *d)
{
    size_t lo = 0, hi = l->ndom;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(d, l->pool + l->dom[mid]);
        if (!c)
            return true;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return false;
}

/* See lists.h. */
bool list_has_domain(const struct named_list *l, struct slice d)
{
    char buf[LIST_MAX_DOMAIN + 1];
    size_t n;
    if (!l || l->type != LIST_DOMAIN || !l->ndom || !norm_domain(d, buf, &n))
        return false;
    for (const char *p = buf; p; p = strchr(p, '.') ? strchr(p, '.') + 1 : NULL)
        if (find_domain(l, p))
            return true;
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
        *why = "the domains take more than 4 GiB";
    if (rc == 0)
        l->n++;
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
        const char *why = NULL;
        rc = add_entry(l, e, &why);
        if (rc == ERR_PARSE && csv && first) {
            rc = 0; /* a header */
        }
        first = false;
        if (rc == ERR_PARSE)
            snprintf(err, errlen, "%s:%u: '%.*s' %s", file, line, (int)(e.len > 60 ? 60 : e.len),
                     e.p, why);
    }
    if (rc) {
        list_free(l);
        return rc;
    }
    if (type == LIST_DOMAIN)
        finish_domains(l);
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
                 rc == ERR_TOOBIG ? "larger than the cap of a list file (256 MiB)" : strerror(errno));
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
