/*
 * routes.c — the route registry: the Sigma logsources of routes.def as a table.
 */
#include "event/event.h"

#include <string.h>

const struct route route_table[ROUTE_COUNT] = {
#define R(ident, name, product, category, service) [ROUTE_##ident] = {name, product, category, service},
#include "event/routes.def"
#undef R
};

int route_by_name(const char *name)
{
    for (int i = 0; i < ROUTE_COUNT; i++)
        if (!strcmp(route_table[i].name, name))
            return i;
    return -1;
}
