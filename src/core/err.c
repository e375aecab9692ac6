/*
 * err.c — text for the ERR_* codes of core.h and a thread-safe strerror.
 */
#include "core/core.h"

#include <string.h>

const char *err_str(int err)
{
    switch (err) {
    case ERR_OK: return "ok";
    case ERR_NOMEM: return "out of memory";
    case ERR_INVAL: return "invalid value";
    case ERR_IO: return "input/output error";
    case ERR_PARSE: return "parse error";
    case ERR_FULL: return "full";
    case ERR_NOTFOUND: return "not found";
    case ERR_EXISTS: return "already exists";
    case ERR_TOOBIG: return "too big";
    case ERR_AGAIN: return "try again";
    case ERR_DB: return "store error";
    default: return "unknown error";
    }
}

const char *err_errno(int e)
{
    /* strerrordesc_np (glibc >= 2.32) returns a static, thread-safe string. */
    const char *s = strerrordesc_np(e);
    return s ? s : "unknown errno";
}
