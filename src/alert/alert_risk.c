/*
 * alert_risk.c — the risk score of a hit (alert.h): OSSIM's risk = value x priority x
 * reliability / 25, on Sigma's vocabulary.
 */
#include "alert/alert.h"

#include <string.h>

static int priority_of(const char *level)
{
    static const char *const names[] = {"informational", "low", "medium", "high", "critical"};
    for (int i = 0; level && i < 5; i++)
        if (!strcmp(level, names[i]))
            return i + 1;
    return 3; /* as the loader defaults a level: medium */
}

static int reliability_of(const char *status)
{
    static const struct {
        const char *status;
        int reliability;
    } table[] = {
        {"stable", 8}, {"test", 6}, {"experimental", 4}, {"deprecated", 2}, {"unsupported", 1}};
    for (size_t i = 0; status && i < sizeof table / sizeof table[0]; i++)
        if (!strcmp(status, table[i].status))
            return table[i].reliability;
    return 5;
}

/* See alert.h. */
double alert_risk(const char *level, const char *status, int value, bool correlation)
{
    int r = reliability_of(status) + (correlation ? 2 : 0);
    if (r > 10)
        r = 10;
    if (value < 0)
        value = 0;
    if (value > 5)
        value = 5;
    double risk = (double)value * priority_of(level) * r / 25.0;
    return risk > 10 ? 10 : risk;
}
