/*
 * store_terms.c — the terms of the block index: which terms a block holds (writer
 * side), how a term is spelled, and the FTS5 tokenizer that hands them to SQLite.
 *
 * A block (up to STORE_BLOCK_EVENTS events) is one document of the FTS5 table
 * blocks_fts, and its document is the set of its distinct terms, one per line:
 *   - every byte trigram of each event's text and of each field value;
 *   - "name=value" for each field whose name and value fit STORE_TERM_FIELD_MAX bytes,
 *     and "decoder=<decoder>".
 * Bytes are normalised before they become terms: ASCII letters to lower case and
 * control bytes (which include the line separator) to a space. The query side
 * (store_prefilter.c) normalises the same way, so a term it asks for is present in
 * every block holding a match; normalisation only ever adds false candidates, which
 * exact verification removes.
 *
 * Why a custom tokenizer rather than FTS5's trigram one: deduplicating per block
 * before FTS5 sees the text cuts the index work by the repetition inside a block
 * (measured: most trigrams of a block of log lines repeat), and field terms select
 * exactly where trigrams of short values would not. The set is a 2^24-bit map for
 * trigrams (a bit per possible trigram: no hashing) and an open-addressing hash for
 * field terms; both are cleared in time proportional to what was added.
 */
#include "store/store_int.h"

#include <string.h>

#define TRIGRAM_BITS (1u << 24)

struct term_slot {
    uint64_t hash; /* 0 = empty */
    uint32_t off, len;
};

struct store_terms {
    uint64_t *bits; /* TRIGRAM_BITS bits */
    uint32_t *tri;  /* the trigrams set, in order of first sight */
    size_t ntri, tricap;
    struct term_slot *slots; /* field terms */
    size_t nslots, nterms;
    struct buf bytes; /* field term bytes */
};

/* See store_int.h. */
unsigned char store_term_norm(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return (unsigned char)(c + 32);
    if (c < 0x20)
        return ' ';
    return c;
}

/* See store_int.h. */
int store_terms_new(struct store_terms **out)
{
    struct store_terms *t = mem_calloc(1, sizeof *t);
    if (!t)
        return ERR_NOMEM;
    t->bits = mem_calloc(TRIGRAM_BITS / 64, sizeof *t->bits);
    t->tricap = 1 << 16;
    t->tri = mem_alloc(t->tricap * sizeof *t->tri);
    t->nslots = 1 << 14;
    t->slots = mem_calloc(t->nslots, sizeof *t->slots);
    buf_init(&t->bytes, (size_t)1 << 30);
    if (!t->bits || !t->tri || !t->slots) {
        store_terms_free(t);
        return ERR_NOMEM;
    }
    *out = t;
    return 0;
}

/* See store_int.h. */
void store_terms_free(struct store_terms *t)
{
    if (!t)
        return;
    mem_free(t->bits);
    mem_free(t->tri);
    mem_free(t->slots);
    buf_fini(&t->bytes);
    mem_free(t);
}

/* See store_int.h. */
void store_terms_reset(struct store_terms *t)
{
    for (size_t i = 0; i < t->ntri; i++)
        t->bits[t->tri[i] >> 6] = 0;
    t->ntri = 0;
    if (t->nterms)
        memset(t->slots, 0, t->nslots * sizeof *t->slots);
    t->nterms = 0;
    buf_reset(&t->bytes);
}

/* See store_int.h. */
int store_terms_add_text(struct store_terms *t, const char *p, size_t n)
{
    if (n < 3)
        return 0;
    const unsigned char *s = (const unsigned char *)p;
    uint32_t code = (uint32_t)store_term_norm(s[0]) << 8 | store_term_norm(s[1]);
    for (size_t i = 2; i < n; i++) {
        code = (code << 8 | store_term_norm(s[i])) & 0xffffff;
        uint64_t bit = 1ull << (code & 63);
        uint64_t *w = &t->bits[code >> 6];
        if (*w & bit)
            continue;
        if (t->ntri == t->tricap) {
            uint32_t *nt = mem_realloc(t->tri, 2 * t->tricap * sizeof *nt);
            if (!nt)
                return ERR_NOMEM;
            t->tri = nt;
            t->tricap *= 2;
        }
        *w |= bit;
        t->tri[t->ntri++] = code;
    }
    return 0;
}

static int grow_slots(struct store_terms *t)
{
    size_t nn = t->nslots * 2;
    struct term_slot *ns = mem_calloc(nn, sizeof *ns);
    if (!ns)
        return ERR_NOMEM;
    for (size_t i = 0; i < t->nslots; i++) {
        if (!t->slots[i].hash)
            continue;
        size_t j = t->slots[i].hash & (nn - 1);
        while (ns[j].hash)
            j = (j + 1) & (nn - 1);
        ns[j] = t->slots[i];
    }
    mem_free(t->slots);
    t->slots = ns;
    t->nslots = nn;
    return 0;
}

/* See store_int.h. */
int store_terms_add_field(struct store_terms *t, struct slice name, struct slice value)
{
    int rc = store_terms_add_text(t, value.p, value.len);
    if (rc || name.len + 1 + value.len > STORE_TERM_FIELD_MAX)
        return rc;
    char tok[STORE_TERM_FIELD_MAX];
    size_t n = store_term_field(name, value, tok);
    uint64_t h = hash64(tok, n, 0x7e57) | 1;
    size_t j = h & (t->nslots - 1);
    while (t->slots[j].hash) {
        const struct term_slot *s = &t->slots[j];
        if (s->hash == h && s->len == n && memcmp(t->bytes.p + s->off, tok, n) == 0)
            return 0;
        j = (j + 1) & (t->nslots - 1);
    }
    size_t off = t->bytes.len;
    if (buf_append(&t->bytes, tok, n))
        return t->bytes.err;
    t->slots[j] = (struct term_slot){h, (uint32_t)off, (uint32_t)n};
    if (++t->nterms * 2 > t->nslots)
        return grow_slots(t);
    return 0;
}

/* See store_int.h. */
size_t store_term_field(struct slice name, struct slice value, char *out)
{
    size_t n = 0;
    for (size_t i = 0; i < name.len; i++)
        out[n++] = (char)store_term_norm((unsigned char)name.p[i]);
    out[n++] = '=';
    for (size_t i = 0; i < value.len; i++)
        out[n++] = (char)store_term_norm((unsigned char)value.p[i]);
    return n;
}

/* See store_int.h. */
int store_terms_doc(const struct store_terms *t, struct buf *doc)
{
    buf_reset(doc);
    for (size_t i = 0; i < t->ntri; i++) {
        char tri[4] = {(char)(t->tri[i] >> 16), (char)(t->tri[i] >> 8), (char)t->tri[i], '\n'};
        buf_append(doc, tri, 4);
    }
    for (size_t i = 0; i < t->nslots; i++) {
        if (!t->slots[i].hash)
            continue;
        buf_append(doc, t->bytes.p + t->slots[i].off, t->slots[i].len);
        buf_putc(doc, '\n');
    }
    return doc->err;
}

/* ---- the FTS5 tokenizer: one term per line, taken as it is ------------------------- */

static int tok_create(void *ctx, const char **argv, int argc, Fts5Tokenizer **out)
{
    (void)ctx;
    (void)argv;
    (void)argc;
    static int instance;
    *out = (Fts5Tokenizer *)&instance; /* stateless */
    return SQLITE_OK;
}

static void tok_delete(Fts5Tokenizer *t)
{
    (void)t;
}

static int tok_tokenize(Fts5Tokenizer *t, void *ctx, int flags, const char *text, int n,
                        int (*token)(void *, int, const char *, int, int, int))
{
    (void)t;
    (void)flags;
    int start = 0;
    for (int i = 0; i <= n; i++) {
        if (i < n && text[i] != '\n')
            continue;
        if (i > start) {
            int rc = token(ctx, 0, text + start, i - start, start, i);
            if (rc != SQLITE_OK)
                return rc;
        }
        start = i + 1;
    }
    return SQLITE_OK;
}

/* See store_int.h. */
int store_terms_register(sqlite3 *db)
{
    fts5_api *api = NULL;
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &s, NULL) != SQLITE_OK)
        return ERR_DB;
    sqlite3_bind_pointer(s, 1, (void *)&api, "fts5_api_ptr", NULL);
    sqlite3_step(s);
    sqlite3_finalize(s);
    if (!api)
        return ERR_DB;
    static fts5_tokenizer tok = {tok_create, tok_delete, tok_tokenize};
    return api->xCreateTokenizer(api, "vigil_terms", NULL, &tok, NULL) == SQLITE_OK ? 0 : ERR_DB;
}
