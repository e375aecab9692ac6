/*
 * fuzz_console.c — libFuzzer target for what the console reads from a request or shows
 * from a log: the personal-data masking (lengths kept; only letters and digits become
 * '*'), the password policy and weak lists, the static path check (an accepted path has
 * no way out of the root), and the route patterns (a captured segment holds no '/').
 */
#include "auth/auth.h"
#include "web/web_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *m = malloc(size + 1);
    if (!m)
        return 0;
    memcpy(m, data, size);
    auth_mask_personal(m, size);
    for (size_t i = 0; i < size; i++)
        if (m[i] != (char)data[i] && !(m[i] == '*' && isalnum(data[i])))
            abort();
    free(m);

    char s[300];
    size_t n = size < sizeof s - 1 ? size : sizeof s - 1;
    memcpy(s, data, n);
    s[n] = '\0';
    (void)auth_password_policy(s, "alice", 8);
    (void)auth_password_weak(s);
    if (web_path_safe(s) && (s[0] != '/' || strstr(s, "/.") || strchr(s, '\\') || strstr(s, "//")))
        abort();
    char param[256];
    for (size_t i = 0; i < web_nroutes; i++)
        if (web_route_match(web_routes[i].path, s, param, sizeof param) && strchr(param, '/') &&
            strstr(web_routes[i].path, "{}"))
            abort();
    return 0;
}
