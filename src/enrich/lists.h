/*
 * lists.h — the operator's named lists (`lists:` in vigil.yaml): addresses and CIDR
 * networks (bastion hosts, known scanners, threat-intelligence IPs) or domains (threat-
 * intelligence domains), each read from a plain-text file (one entry a line, `#` starts a
 * comment) or a CSV file (name ending .csv: the first column is the entry; a first line
 * whose first field is no entry — for a domain list also a word without a dot — is a
 * header). An address matches an address list when a network of the list holds it (a
 * prefix trie per list, iptrie.h); a domain matches a domain list when it equals an
 * entry or is a subdomain of one, case-insensitively.
 *
 * A list set is a snapshot of every declared list, refcounted: the workers take one per
 * batch (list_holder_acquire) while the reloading thread builds the next from the files
 * and publishes it (list_holder_swap); the old one is freed when its last reader lets go.
 * Caps: LIST_MAX_LISTS lists, LIST_MAX_FILE bytes a file, LIST_MAX_ENTRIES entries a list
 * (past them the file is refused with the reason, as a bad line is).
 */
#ifndef VIGIL_LISTS_H
#define VIGIL_LISTS_H

#include "core/core.h"
#include "enrich/iptrie.h"

#include <pthread.h>
#include <stdatomic.h>

#define LIST_MAX_LISTS 64
#define LIST_MAX_FILE (256u << 20)
#define LIST_MAX_ENTRIES 10000000
#define LIST_MAX_DOMAIN 253

enum list_type { LIST_ADDRESS, LIST_DOMAIN };

/* One `lists:` entry of the configuration (owned by it). */
struct list_decl {
    char *name, *file;
    enum list_type type;
};

struct named_list;

/*
 * Parses text[0..len) (the file called file, CSV when csv) as a list of type. ERR_PARSE
 * with "FILE:LINE: reason" in err for a bad line (not an address or CIDR network, not a
 * domain name, over the caps), ERR_NOMEM. A repeated entry is no error.
 */
int list_parse(const char *file, const char *text, size_t len, enum list_type type, bool csv,
               struct named_list **out, char *err, size_t errlen);
/* Reads and parses the file at path (CSV when it ends .csv); ERR_IO "FILE: reason". */
int list_load_file(const char *path, enum list_type type, struct named_list **out, char *err,
                   size_t errlen);
void list_free(struct named_list *l);
/* Entries in l. */
size_t list_count(const struct named_list *l);
/* True when a network of address list l holds a. */
bool list_has_addr(const struct named_list *l, const struct ipbits *a);
/* True when domain d (a trailing dot allowed, any case) or a parent domain of it is in
 * domain list l. */
bool list_has_domain(const struct named_list *l, struct slice d);

/* A snapshot of all declared lists. Names point into the declarations. */
struct list_set {
    atomic_uint refs;
    size_t n;
    const char **names;
    enum list_type *types;
    struct named_list **lists;
    uint64_t sig; /* list_files_sig when read */
};

/* Reads every declared list into a new set (one reference). The first failure stops it:
 * its error in err ("FILE:LINE: reason"). */
int list_set_load(const struct list_decl *d, size_t n, struct list_set **out, char *err,
                  size_t errlen);
/* A digest of the files' modification times, sizes and inodes: a set is stale when the
 * digest differs from its sig. */
uint64_t list_files_sig(const struct list_decl *d, size_t n);
struct list_set *list_set_ref(struct list_set *s);
/* Drops a reference; the last frees s. s may be NULL. */
void list_set_release(struct list_set *s);

/* Adds to ev one src_ip_list / dst_ip_list value per address list holding its src_ip /
 * dst_ip, and one domain_list value per domain list holding one of its domains (query,
 * dns.rrname, cs-host, r-dns, the host of an absolute c-uri / cs-uri). Values point into
 * the declarations. Nothing when s is NULL. */
struct event;
void lists_enrich(const struct list_set *s, struct event *ev);

/* The published set, swapped under a mutex. */
struct list_holder {
    pthread_mutex_t mu;
    struct list_set *cur;
};
void list_holder_init(struct list_holder *h);
void list_holder_fini(struct list_holder *h);
/* The current set with a reference the caller releases, or NULL. */
struct list_set *list_holder_acquire(struct list_holder *h);
/* Publishes s (its reference passes to h) and releases the previous set. */
void list_holder_swap(struct list_holder *h, struct list_set *s);

#endif
