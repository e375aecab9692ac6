/*
 * sigma_int.h — the Sigma rule IR shared by the files of src/detect: what the loader
 * (sigma_load.c) builds from YAML, the condition parser (sigma_cond.c) and the value
 * compiler (sigma_value.c) fill in, and the matchers (sigma_match.c, sigma_eval.c) run.
 * Nothing outside src/detect includes this; detect.h is the public face.
 *
 * Vocabulary (SIGMA.md): a rule's `detection` holds search identifiers; each is a
 * *selection* (a map of field predicates AND-ed, or a list of such maps OR-ed) or a
 * *keyword list* (plain strings searched anywhere in the event). The condition combines
 * identifiers with and/or/not/parentheses and `1|any|all of <glob|them>`.
 */
#ifndef VIGIL_SIGMA_INT_H
#define VIGIL_SIGMA_INT_H

#include "core/core.h"
#include "detect/detect.h"
#include "event/event.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bounds: a rule beyond them is refused with the reason. */
#define SIGMA_MAX_IDENTIFIERS 256
#define SIGMA_MAX_COND_DEPTH 64
#define SIGMA_MAX_COND_NODES 1024
#define SIGMA_MAX_VARIANTS 64 /* strings one value may expand to (windash, base64offset) */
#define SIGMA_MAX_VALUE 65536 /* bytes of one value after modifiers */
#define SIGMA_MAX_FIRST_SEEN SIGMA_FIRST_SEEN_MAX /* fields of vigil_first_seen */

/* ---- the condition (sigma_cond.c) ----------------------------------------------------- */

enum sigma_cond_kind {
    SIGMA_COND_ID,  /* one search identifier: ids[0] */
    SIGMA_COND_AND, /* left and right */
    SIGMA_COND_OR,
    SIGMA_COND_NOT,    /* left */
    SIGMA_COND_ONE_OF, /* at least one of ids[0..nids) ("1 of", "any of") */
    SIGMA_COND_ALL_OF, /* every one of ids[0..nids) */
};

struct sigma_cond {
    enum sigma_cond_kind kind;
    struct sigma_cond *left, *right;
    unsigned *ids; /* indexes into the rule's identifier names (ID, *_OF) */
    unsigned nids;
};

/*
 * Parses a condition over the identifiers names[0..n): precedence from loosest
 * or < and < not < `X of` < ( ); keywords lowercase; identifiers [A-Za-z0-9_-]+; a
 * selector `1|any|all of <glob|them>`, the glob [A-Za-z0-9_*-]+ matched against whole
 * names, `them` and globs not starting with `_` skipping names that start with `_`.
 * Refused with a reason in err (and ERR_PARSE): an unknown identifier, a glob that
 * matches nothing, v1 aggregations (`|`, count(), near), unbalanced parentheses,
 * trailing input, depth above SIGMA_MAX_COND_DEPTH (a `not`, a run of one operator and
 * each switch between and/or count one level) or more than SIGMA_MAX_COND_NODES
 * nodes. The caller frees *out with sigma_cond_free.
 */
int sigma_cond_parse(const char *text, const char *const *names, size_t n, struct sigma_cond **out,
                     char *err, size_t errlen);
void sigma_cond_free(struct sigma_cond *c);

/* ---- values and modifiers (sigma_value.c, sigma_match.c) ------------------------------- */

/* How one string alternative is compared with a field value. */
enum sigma_str_kind {
    SIGMA_STR_EXACT,    /* the whole value */
    SIGMA_STR_PREFIX,   /* startswith */
    SIGMA_STR_SUFFIX,   /* endswith */
    SIGMA_STR_CONTAINS, /* anywhere */
    SIGMA_STR_GLOB,     /* the whole value against a pattern with * and ? wildcards */
};

/* One alternative string of a value, after modifiers, wildcards resolved into kind. */
struct sigma_str {
    enum sigma_str_kind kind;
    char *s; /* the literal (EXACT/PREFIX/SUFFIX/CONTAINS) or the pattern (GLOB: '*' and
              * '?' are wildcards, '\\' escapes the next byte); UTF-8, NUL-terminated;
              * already case-folded when the value is not cased */
    size_t len;
};

enum sigma_pred_kind {
    SIGMA_PRED_STR,      /* string alternatives (strs) */
    SIGMA_PRED_RE,       /* a PCRE2 regex (re, re_flags) */
    SIGMA_PRED_CIDR,     /* address in net/prefix */
    SIGMA_PRED_NUM,      /* numeric comparison: num_op, num */
    SIGMA_PRED_EXISTS,   /* the field is present (exists: true) or absent (false) */
    SIGMA_PRED_NULL,     /* the value is null: the field is absent or empty */
    SIGMA_PRED_FIELDREF, /* equals the value of another field (ref) */
    SIGMA_PRED_ATTACK,   /* a web attack analyzer finds an attack (vigil_attack: attack,
                          * the field read as attack_form: analyze.h) */
};

enum sigma_num_op { SIGMA_NUM_EQ, SIGMA_NUM_GT, SIGMA_NUM_GTE, SIGMA_NUM_LT, SIGMA_NUM_LTE };

/* One value of a field's value list, compiled: it matches when any alternative does. */
struct sigma_value {
    enum sigma_pred_kind kind;
    bool cased;             /* STR: compare case-sensitively (|cased, base64, base64offset) */
    struct sigma_str *strs; /* STR: the alternatives (windash, base64offset, ...) */
    unsigned nstrs;
    char *re;                 /* RE: the pattern as written */
    uint32_t re_flags;        /* RE: PCRE2 options from |i |m |s */
    void *re_code;            /* RE: pcre2_code_8 *, compiled at load */
    uint8_t net[16];          /* CIDR: network address (IPv4 mapped in the last 4 bytes) */
    unsigned prefix;          /* CIDR: prefix length (0-128, IPv4 as 96 + n) */
    bool v4;                  /* CIDR: an IPv4 network */
    enum sigma_num_op num_op; /* NUM */
    double num;               /* NUM */
    bool exists;              /* EXISTS */
    char *ref;                /* FIELDREF: the other field's name */
    uint16_t ref_id;          /* FIELDREF: its id in the field registry (detect_rules_add) */
    uint8_t attack;           /* ATTACK: enum analyze_kind */
    uint8_t attack_form;      /* ATTACK: enum analyze_form */
    enum sigma_time_part {    /* a time modifier (minute, hour, ...) applied first */
                           SIGMA_TIME_NONE,
                           SIGMA_TIME_MINUTE,
                           SIGMA_TIME_HOUR,
                           SIGMA_TIME_DAY,
                           SIGMA_TIME_WEEK,
                           SIGMA_TIME_MONTH,
                           SIGMA_TIME_YEAR
    } time_part;
    uint32_t atom; /* the compiled matcher's prefilter decides it (see
                    * sigma_value_prefilterable): its number in the rule set,
                    * from 1; 0 when the evaluator matches it itself */
};

/*
 * A field predicate: `Field|mod|mod: value or list`. It holds when any value matches,
 * or every value with |all; |neq negates the whole. field NULL: a keyword predicate
 * (matches when a value is found anywhere in the event).
 */
struct sigma_pred {
    char *field;
    uint16_t field_id; /* field's id in the registry, FIELD_NONE when unknown (set when the
                        * rule joins a set) */
    bool all;
    bool neq;
    struct sigma_value *values;
    unsigned nvalues;
    uint32_t atoms_from; /* when every value is prefilterable: the first value's atom, the
                          * others' following it in order (detect_rules_add); else 0 */
};

/*
 * Compiles `key: value` of a selection (key = "Field|mod|mod", value a scalar or a
 * sequence of scalars, as cfg nodes) into *out. placeholders resolves %name% for
 * |expand (NULL: every expand is refused). ERR_PARSE with the reason in err for
 * anything Vigil cannot honour: an unknown modifier, `all` on a single value, an
 * encoding of a value with wildcards, a regex that does not compile, a bad cidr, a
 * non-number under gt/lt, null inside a list, a value over SIGMA_MAX_VALUE. The caller
 * finis *out with sigma_pred_fini.
 */
struct sigma_placeholders {
    const struct detect_placeholder *items; /* detect.h's load options */
    unsigned n;
};
int sigma_pred_compile(const char *key, const struct cfg_node *value,
                       const struct sigma_placeholders *placeholders, struct sigma_pred *out,
                       char *err, size_t errlen);
/* A keyword: one string of a keyword list (contains semantics, wildcards allowed). */
int sigma_keyword_compile(const struct cfg_node *value, struct sigma_value *out, char *err,
                          size_t errlen);
void sigma_pred_fini(struct sigma_pred *p);
void sigma_value_fini(struct sigma_value *v);

/*
 * True when the field value s (n bytes, UTF-8 or not) satisfies value v. Case-insensitive
 * unless v->cased: ASCII and the Unicode letters of UTF-8 text fold alike (so `É`
 * matches `é`). NUM compares s parsed as a decimal number (canonical string forms:
 * "4688" == 4688 == "4688.0"); CIDR parses s as an address. EXISTS, NULL and FIELDREF
 * are decided by the evaluator, not here.
 */
bool sigma_value_match(const struct sigma_value *v, const char *s, size_t n);

/* ---- rules (sigma_load.c) ------------------------------------------------------------- */

/* A search identifier of a rule's detection. */
struct sigma_ident {
    char *name;
    /* selection: groups OR-ed, each group the AND of its predicates; a keyword list is
     * one group per keyword holding one keyword predicate, or (|all) one group with all */
    struct sigma_group {
        struct sigma_pred *preds;
        unsigned npreds;
    } * groups;
    unsigned ngroups;
};

enum sigma_level { SIGMA_INFORMATIONAL, SIGMA_LOW, SIGMA_MEDIUM, SIGMA_HIGH, SIGMA_CRITICAL };

struct sigma_rule {
    char *id, *name, *title, *file; /* name: the optional unique `name` (NULL when absent) */
    unsigned line;                  /* the document's first line in file */
    enum sigma_level level;
    char *status;
    char **tags;
    unsigned ntags;
    char *product, *category, *service; /* logsource, lower case; NULL when absent */
    struct sigma_ident *idents;
    unsigned nidents;
    struct sigma_cond *cond; /* a list of conditions is OR-ed into one */
    bool attack;             /* a predicate runs a web attack analyzer (vigil_attack) */
    /* Vigil's own key `vigil_first_seen: [field, ...]`: alert only the first time these
     * fields' values are seen together (README "First seen") */
    char *first_seen[SIGMA_MAX_FIRST_SEEN];
    unsigned nfirst_seen;
};

#endif
