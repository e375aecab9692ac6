/*
 * web_static.c — the console's files. A path is served only when, after the server
 * decoded it, it has no ".." or hidden segment, no backslash, and its real path (links
 * resolved) is still under the real path of the web root: nothing outside the root is
 * reachable, by encoding, by a link or otherwise. Files over 16 MiB are not served.
 */
#include "web/web_int.h"

#include <fcntl.h>
#include <limits.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STATIC_MAX (16 << 20)

static const char *content_type(const char *path)
{
    static const char *const types[][2] = {
        {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},   {".svg", "image/svg+xml"},
        {".png", "image/png"},                 {".json", "application/json"},
        {".woff2", "font/woff2"},              {".ico", "image/x-icon"},
        {".txt", "text/plain; charset=utf-8"}, {".map", "application/json"},
    };
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (!strcmp(dot, types[i][0]))
            return types[i][1];
    return "application/octet-stream";
}

/* See web_int.h. */
bool web_path_safe(const char *p)
{
    if (p[0] != '/' || strchr(p, '\\') || strlen(p) > 1024)
        return false;
    for (const char *s = p; s; s = strchr(s + 1, '/'))
        if (s[1] == '.' || s[1] == '/') /* "..", ".hidden", "//" */
            return false;
    return true;
}

/* See web_int.h. */
void web_static(struct web_req *r, struct MHD_Response **resp)
{
    const char *p = !strcmp(r->path, "/") ? "/index.html" : r->path;
    char root[PATH_MAX], want[PATH_MAX + 1100], real[PATH_MAX];
    if (!web_path_safe(p)) {
        web_error(r, 400, "not a path of the console");
        return;
    }
    if (!realpath(r->w->root, root)) {
        web_error(r, 404, "the console is not built (make builds web/dist)");
        return;
    }
    snprintf(want, sizeof want, "%s%s", root, p);
    size_t rl = strlen(root);
    struct stat sb;
    int fd = -1;
    if (!realpath(want, real) || strncmp(real, root, rl) || real[rl] != '/' ||
        (fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0 || fstat(fd, &sb) ||
        !S_ISREG(sb.st_mode) || sb.st_size > STATIC_MAX) {
        if (fd >= 0)
            close(fd);
        web_error(r, 404, "no such file");
        return;
    }
    *resp = MHD_create_response_from_fd((uint64_t)sb.st_size, fd);
    if (!*resp) {
        close(fd);
        web_error(r, 500, "cannot serve the file");
        return;
    }
    MHD_add_response_header(*resp, "Content-Type", content_type(real));
    MHD_add_response_header(*resp, "Cache-Control",
                            strstr(p, "/assets/") ? "public, max-age=31536000, immutable"
                                                  : "no-cache");
    r->status = 200;
}
