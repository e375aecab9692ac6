/*
 * routing.c — which Sigma logsources (routes.def) each decoder output belongs to, and
 * the field aliases those routes' rules expect (DESIGN §3: routing is data, not code).
 * decode.c calls decode_route once per event, after its decoder. The README's routing
 * table documents the same rows; change both together.
 *
 *   output   routes                                       aliases
 *   sshd     linux, linux/sshd, linux/auth, linux/syslog  src_ip → rhost (PAM lines)
 *   sudo     linux, linux/sudo, linux/auth                src_ip → rhost
 *   su, pam  linux, linux/auth                            src_ip → rhost
 *   cron     linux/cron                                   —
 *   systemd, other syslog   linux/syslog                  —
 *   apache   webserver, apache                            src_ip → c-ip, user → cs-username
 *   nginx    webserver, nginx                             (same)
 *   json     json                                         —
 *   no header, no decoder   generic                       —
 */
#include "decode/decode_int.h"

static const struct field_alias no_aliases[] = {{0, 0}};

static const struct field_alias pam_aliases[] = {
    {FIELD_src_ip, FIELD_rhost},
    {0, 0},
};

static const struct field_alias web_aliases[] = {
    {FIELD_src_ip, FIELD_c_ip},
    {FIELD_user, FIELD_cs_username},
    {0, 0},
};

#define RB(r) ROUTE_BIT(ROUTE_##r)

static const struct route_row {
    uint64_t routes;
    const struct field_alias *aliases;
} route_rows[DK_COUNT] = {
    [DK_GENERIC] = {RB(generic), no_aliases},
    [DK_SYSLOG] = {RB(linux_syslog), no_aliases},
    [DK_SSHD] = {RB(linux) | RB(linux_sshd) | RB(linux_auth) | RB(linux_syslog), pam_aliases},
    [DK_SUDO] = {RB(linux) | RB(linux_sudo) | RB(linux_auth), pam_aliases},
    [DK_SU] = {RB(linux) | RB(linux_auth), pam_aliases},
    [DK_PAM] = {RB(linux) | RB(linux_auth), pam_aliases},
    [DK_CRON] = {RB(linux_cron), no_aliases},
    [DK_SYSTEMD] = {RB(linux_syslog), no_aliases},
    [DK_APACHE] = {RB(webserver) | RB(apache), web_aliases},
    [DK_NGINX] = {RB(webserver) | RB(nginx), web_aliases},
    [DK_JSON] = {RB(json), no_aliases},
};

/* See decode_int.h. The alias arrays are static: events may point at them forever. */
void decode_route(struct event *ev, enum decode_kind kind)
{
    if ((unsigned)kind >= DK_COUNT)
        kind = DK_GENERIC;
    ev->routes = route_rows[kind].routes;
    ev->aliases = route_rows[kind].aliases;
}
