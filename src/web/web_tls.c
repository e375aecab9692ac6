/*
 * web_tls.c — the console's certificate when the operator gives none: at first start a
 * self-signed one is made with OpenSSL (an EC P-256 key, SHA-256, valid 825 days, for
 * localhost, this host's name and 127.0.0.1) and kept beside the store, the key 0600.
 * Browsers warn about it; an operator replaces it with `web: {cert, key}`.
 */
#include "web/web.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool add_ext(X509 *x, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    if (!e)
        return false;
    bool ok = X509_add_ext(x, e, -1) == 1;
    X509_EXTENSION_free(e);
    return ok;
}

static FILE *create_private(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return NULL;
    FILE *f = fdopen(fd, "w");
    if (!f)
        close(fd);
    return f;
}

/* Makes the directory of path (0700) when missing. */
static void make_parent(const char *path)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        (void)mkdir(dir, 0700);
    }
}

/* See web.h. */
int web_tls_ensure(const char *cert, const char *key, char *err, size_t errlen)
{
    if (access(cert, F_OK) == 0 && access(key, F_OK) == 0)
        return 0;
    make_parent(cert);
    make_parent(key);
    EVP_PKEY *pk = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    char host[256] = "localhost", san[600];
    (void)gethostname(host, sizeof host - 1);
    snprintf(san, sizeof san, "DNS:localhost,DNS:%s,IP:127.0.0.1,IP:::1", host);
    bool ok = pk && x && X509_set_version(x, 2) == 1 &&
              ASN1_INTEGER_set(X509_get_serialNumber(x), (long)(vtime_now_ns() / 1000) & 0x7fffffff) == 1 &&
              X509_gmtime_adj(X509_getm_notBefore(x), -3600) &&
              X509_gmtime_adj(X509_getm_notAfter(x), 825L * 86400) && X509_set_pubkey(x, pk) == 1;
    X509_NAME *name = ok ? X509_get_subject_name(x) : NULL;
    ok = ok && name &&
         X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"Vigil", -1,
                                    -1, 0) == 1 &&
         X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)host, -1,
                                    -1, 0) == 1 &&
         X509_set_issuer_name(x, name) == 1 && add_ext(x, NID_subject_alt_name, san) &&
         add_ext(x, NID_basic_constraints, "critical,CA:FALSE") &&
         add_ext(x, NID_key_usage, "critical,digitalSignature") &&
         add_ext(x, NID_ext_key_usage, "serverAuth") && X509_sign(x, pk, EVP_sha256()) > 0;
    FILE *kf = ok ? create_private(key) : NULL;
    ok = ok && kf && PEM_write_PrivateKey(kf, pk, NULL, NULL, 0, NULL, NULL) == 1;
    if (kf && fclose(kf))
        ok = false;
    FILE *cf = ok ? fopen(cert, "we") : NULL;
    ok = ok && cf && PEM_write_X509(cf, x) == 1;
    if (cf && fclose(cf))
        ok = false;
    X509_free(x);
    EVP_PKEY_free(pk);
    if (!ok) {
        snprintf(err, errlen, "cannot make a certificate in %s: %s", cert, err_errno(errno));
        unlink(cert);
        unlink(key);
        return ERR_IO;
    }
    log_info("web: made a self-signed certificate %s (replace it with web: {cert, key})", cert);
    return 0;
}
