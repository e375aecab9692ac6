/*
 * keyfile.c — the secret keys Vigil keeps beside its store (the audit trail's HMAC key,
 * the key of secrets at rest): 32 random bytes as hex in a file only its owner may read.
 */
#include "core/core.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/random.h>
#include <unistd.h>

static int make_key(const char *path, char *err, size_t errlen)
{
    unsigned char k[KEYFILE_BYTES];
    if (getrandom(k, sizeof k, 0) != (ssize_t)sizeof k) {
        snprintf(err, errlen, "%s: no random bytes: %s", path, err_errno(errno));
        return ERR_IO;
    }
    char text[2 * KEYFILE_BYTES + 1];
    for (int i = 0; i < KEYFILE_BYTES; i++)
        snprintf(text + 2 * i, 3, "%02x", k[i]);
    text[2 * KEYFILE_BYTES] = '\n';
    int w = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0400);
    if (w < 0)
        return errno == EEXIST ? 0 : (snprintf(err, errlen, "%s: %s", path, err_errno(errno)),
                                      ERR_IO);
    ssize_t n = write(w, text, sizeof text);
    int synced = fsync(w);
    close(w);
    if (n != (ssize_t)sizeof text || synced) {
        unlink(path);
        snprintf(err, errlen, "%s: cannot write the key", path);
        return ERR_IO;
    }
    return 0;
}

/* See core.h. */
int keyfile_load(const char *path, bool create, unsigned char key[KEYFILE_BYTES], char *err,
                 size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 && errno == ENOENT && create) {
        int rc = make_key(path, err, errlen);
        if (rc)
            return rc;
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    }
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s%s", path, err_errno(errno),
                 errno == ENOENT ? " (data is sealed or encrypted with that key: restore it)"
                                 : "");
        return ERR_IO;
    }
    char text[2 * KEYFILE_BYTES + 4];
    ssize_t n = read(fd, text, sizeof text);
    close(fd);
    while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r'))
        n--;
    bool ok = n == 2 * KEYFILE_BYTES;
    for (int i = 0; ok && i < KEYFILE_BYTES; i++) {
        int h = hex_digit(text[2 * i]), l = hex_digit(text[2 * i + 1]);
        ok = h >= 0 && l >= 0;
        key[i] = (unsigned char)(h << 4 | (l & 15));
    }
    if (!ok) {
        snprintf(err, errlen, "%s: not a key (64 hexadecimal digits)", path);
        return ERR_INVAL;
    }
    return 0;
}
