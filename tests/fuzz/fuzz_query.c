/*
 * fuzz_query.c — libFuzzer target for the search language: store_query_parse on any
 * bytes (cut at the first NUL, as a C string would be), then, for a tree it accepts,
 * the SQL compiler (every value must become a bound parameter) and the value matcher
 * with the term's value as pattern. A parse error must come with an offset message.
 */
#include "core/core.h"
#include "event/event.h"
#include "store/store.h"
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

static void walk(const struct query_node *n, unsigned depth)
{
    if (!n)
        return;
    if (depth > 300)
        abort();
    if (n->kind == QUERY_TERM && n->value) {
        size_t pn = strlen(n->value);
        static const char subject[] = "Failed password for root from 203.0.113.5 port 22";
        for (int m = 0; m <= STORE_MATCH_CONTAINS_GLOB; m++)
            store_match(subject, sizeof subject - 1, n->value, pn, (enum store_match_mode)m);
    }
    walk(n->left, depth + 1);
    walk(n->right, depth + 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool init;
    if (!init) {
        field_registry_init();
        init = true;
    }
    if (size > 20000)
        return 0;
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    struct query_node *q = NULL;
    char err[256];
    int rc = store_query_parse(text, &q, err, sizeof err);
    if (rc == ERR_PARSE && strncmp(err, "offset ", 7) != 0)
        abort();
    if (rc == 0) {
        if (!q)
            abort();
        walk(q, 0);
        struct store_sql sql;
        if (store_sql_compile(q, &sql) == 0) {
            /* no value text may appear outside parameters: the predicate only holds
             * the SQL the compiler writes itself */
            if (memchr(sql.where.p, '\'', sql.where.len) &&
                !strstr(sql.where.p, "ESCAPE '\\'"))
                abort();
            store_sql_fini(&sql);
        }
        store_query_free(q);
    } else if (q) {
        abort();
    }
    free(text);
    return 0;
}
