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
 *   shadow   linux, linux/auth                            src_ip → rhost (PAM lines)
 *   netfilter linux, firewall                             —
 *   cron     linux/cron                                   —
 *   systemd, other syslog   linux/syslog                  —
 *   apache   webserver, apache                            src_ip → c-ip, user → cs-username
 *   nginx    webserver, nginx                             (same)
 *   apache/nginx error logs: as apache, nginx             (same)
 *   w3c (IIS rows)  webserver                             (same)
 *   w3c directives (#Fields...)  generic                  —
 *   squid    proxy, squid                                 (same)
 *   json     json                                         —
 *   auditd   linux, linux/auditd                          user → acct, src_ip → addr
 *   auditd EXECVE  + linux/process_creation              Image → exe, ProcessId → pid,
 *                                                           ParentProcessId → ppid,
 *                                                           User → UID
 *   windows  windows + a service by Channel + categories    4688: Image → NewProcessName,
 *            by (Channel, EventID): win_channels and        ParentImage → ParentProcessName,
 *                                                           IntegrityLevel → MandatoryLabel,
 *                                                           User → SubjectUserName,
 *                                                           LogonId → SubjectLogonId
 *            win_events below
 *   suricata EVE  suricata (+ ids for alert, + dns for dns)   alert: sid, gid, rev,
 *                                                           signature, classification,
 *                                                           priority, action → alert.*;
 *                                                           dns: query → dns.rrname,
 *                                                           record_type → dns.rrtype
 *   suricata fast/syslog alerts   suricata, ids           —
 *   snort    snort, ids                                   —
 *   clamav   clamav (+ antivirus for "... FOUND")         —
 *   netflow  netflow (flow records of the netflow input)  —
 *   mysql, postgres, oracle  database                     —
 *   dhcp (dhcpd, dnsmasq, Windows DHCP), arpwatch  dhcp   —
 *   cisco    cisco (IOS and ASA/FTD "%FAC-SEV-MNEMONIC")   —
 *            + firewall: ASA connections/denies/ACL hits,
 *              IOS access-list logs
 *            + cisco/aaa: logins, AAA authentication,
 *              commands, SYS-5-CONFIG_I
 *   fortigate type="traffic"  firewall                     —
 *   fortigate other types  fortigate/event
 *   cef, leef  generic (vendor-neutral: no logsource)      —
 *   filterlog (pfSense/OPNsense)  firewall                 —
 *   kv (only by an input's format: kv)  generic            —
 *   huawei   huawei (+ firewall with both addresses;      —
 *            + huawei/bgp for module BGP)
 *   h3c      h3c (+ firewall with both addresses)          —
 *   ruijie   ruijie (format ruijie, or Ruijie's own       —
 *            header forms; + firewall for ACL hits)
 *   topsec   topsec (+ firewall with both addresses)       —
 *   sangfor  sangfor (+ firewall with both addresses)      —
 *   hillstone hillstone (+ firewall with both addresses)   —
 *   qianxin, nsfocus, venustech, dptech: the vendor's    —
 *            route (+ firewall with both addresses)
 *   no header, no decoder   generic                       —
 */
#include "decode/decode_int.h"

#include <string.h>

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

/* user-space audit records (USER_LOGIN, USER_AUTH, ADD_USER, ...) name the account
 * acct and the peer addr */
static const struct field_alias audit_aliases[] = {
    {FIELD_user, FIELD_acct},
    {FIELD_src_ip, FIELD_addr},
    {0, 0},
};

/* an EXECVE record, joined with its SYSCALL (dec_auditd.c): Sigma's process_creation */
static const struct field_alias audit_exec_aliases[] = {
    {FIELD_Image, FIELD_exe},
    {FIELD_ProcessId, FIELD_pid},
    {FIELD_ParentProcessId, FIELD_ppid},
    {FIELD_User, FIELD_UID},
    {FIELD_user, FIELD_acct},
    {FIELD_src_ip, FIELD_addr},
    {0, 0},
};

/* IDS: Snort's names are the ids route's vocabulary; Suricata's EVE alert holds them
 * under alert.* */
static const struct field_alias suricata_alert_aliases[] = {
    {FIELD_sid, FIELD_alert_signature_id},
    {FIELD_gid, FIELD_alert_gid},
    {FIELD_rev, FIELD_alert_rev},
    {FIELD_signature, FIELD_alert_signature},
    {FIELD_classification, FIELD_alert_category},
    {FIELD_priority, FIELD_alert_severity},
    {FIELD_action, FIELD_alert_action},
    {0, 0},
};

/* Sigma's dns taxonomy over Suricata's EVE dns (answer is a field of its own) */
static const struct field_alias suricata_dns_aliases[] = {
    {FIELD_query, FIELD_dns_rrname},
    {FIELD_record_type, FIELD_dns_rrtype},
    {0, 0},
};

#define RB(r) ROUTE_BIT(ROUTE_##r)

static const struct route_row {
    route_set routes;
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
    [DK_WINDOWS] = {RB(windows), no_aliases},
    [DK_AUDITD] = {RB(linux) | RB(linux_auditd), audit_aliases},
    [DK_AUDITD_EXEC] = {RB(linux) | RB(linux_auditd) | RB(linux_process_creation),
                        audit_exec_aliases},
    [DK_SHADOW] = {RB(linux) | RB(linux_auth), pam_aliases},
    [DK_NETFILTER] = {RB(linux) | RB(firewall), no_aliases},
    [DK_APACHE_ERROR] = {RB(webserver) | RB(apache), web_aliases},
    [DK_NGINX_ERROR] = {RB(webserver) | RB(nginx), web_aliases},
    [DK_SQUID] = {RB(proxy) | RB(squid), web_aliases},
    [DK_W3C] = {RB(webserver), web_aliases},
    [DK_W3C_DIRECTIVE] = {RB(generic), no_aliases},
    [DK_SURICATA] = {RB(suricata), no_aliases},
    [DK_SURICATA_ALERT] = {RB(suricata) | RB(ids), suricata_alert_aliases},
    [DK_SURICATA_DNS] = {RB(suricata) | RB(dns), suricata_dns_aliases},
    [DK_SNORT] = {RB(snort) | RB(ids), no_aliases},
    [DK_SURICATA_FAST] = {RB(suricata) | RB(ids), no_aliases},
    [DK_CLAMAV] = {RB(clamav), no_aliases},
    [DK_CLAMAV_FOUND] = {RB(clamav) | RB(antivirus), no_aliases},
    [DK_MYSQL] = {RB(database), no_aliases},
    [DK_POSTGRES] = {RB(database), no_aliases},
    [DK_ORACLE] = {RB(database), no_aliases},
    [DK_DHCP] = {RB(dhcp), no_aliases},
    [DK_ARPWATCH] = {RB(dhcp), no_aliases},
    [DK_CISCO] = {RB(cisco), no_aliases},
    [DK_CISCO_FW] = {RB(cisco) | RB(firewall), no_aliases},
    [DK_CISCO_AAA] = {RB(cisco) | RB(cisco_aaa), no_aliases},
    [DK_FORTIGATE] = {RB(fortigate_event), no_aliases},
    [DK_FORTIGATE_TRAFFIC] = {RB(firewall), no_aliases},
    [DK_CEF] = {RB(generic), no_aliases},
    [DK_LEEF] = {RB(generic), no_aliases},
    [DK_FILTERLOG] = {RB(firewall), no_aliases},
    [DK_KV] = {RB(generic), no_aliases},
    [DK_HUAWEI] = {RB(huawei), no_aliases},
    [DK_HUAWEI_FW] = {RB(huawei) | RB(firewall), no_aliases},
    [DK_HUAWEI_BGP] = {RB(huawei) | RB(huawei_bgp), no_aliases},
    [DK_H3C] = {RB(h3c), no_aliases},
    [DK_H3C_FW] = {RB(h3c) | RB(firewall), no_aliases},
    [DK_RUIJIE] = {RB(ruijie), no_aliases},
    [DK_RUIJIE_FW] = {RB(ruijie) | RB(firewall), no_aliases},
    [DK_TOPSEC] = {RB(topsec), no_aliases},
    [DK_TOPSEC_FW] = {RB(topsec) | RB(firewall), no_aliases},
    [DK_SANGFOR] = {RB(sangfor), no_aliases},
    [DK_SANGFOR_FW] = {RB(sangfor) | RB(firewall), no_aliases},
    [DK_HILLSTONE] = {RB(hillstone), no_aliases},
    [DK_HILLSTONE_FW] = {RB(hillstone) | RB(firewall), no_aliases},
    [DK_QIANXIN] = {RB(qianxin), no_aliases},
    [DK_QIANXIN_FW] = {RB(qianxin) | RB(firewall), no_aliases},
    [DK_NSFOCUS] = {RB(nsfocus), no_aliases},
    [DK_NSFOCUS_FW] = {RB(nsfocus) | RB(firewall), no_aliases},
    [DK_VENUSTECH] = {RB(venustech), no_aliases},
    [DK_VENUSTECH_FW] = {RB(venustech) | RB(firewall), no_aliases},
    [DK_DPTECH] = {RB(dptech), no_aliases},
    [DK_DPTECH_FW] = {RB(dptech) | RB(firewall), no_aliases},
    [DK_NETFLOW] = {RB(netflow), no_aliases},
    [DK_CUSTOM] = {0, no_aliases}, /* the routes the operator's decoder names */
};

/* What each decoder output is, for decode_route_info (a row without a name is a
 * mistake tests/unit/test_decoders.c catches). */
static const struct {
    const char *decoder, *output;
} kind_names[DK_COUNT] = {
    [DK_GENERIC] = {"generic", "no header, no decoder"},
    [DK_SYSLOG] = {"syslog", "a syslog header, message not decoded"},
    [DK_SSHD] = {"sshd", "every line"},
    [DK_SUDO] = {"sudo", "every line"},
    [DK_SU] = {"su", "every line"},
    [DK_PAM] = {"pam", "PAM lines of any program"},
    [DK_CRON] = {"cron", "every line"},
    [DK_SYSTEMD] = {"systemd", "every line"},
    [DK_APACHE] = {"access", "Apache access (combined/common)"},
    [DK_NGINX] = {"access", "nginx access"},
    [DK_JSON] = {"json", "JSON lines"},
    [DK_WINDOWS] = {"windows", "every event (then by Channel and EventID)"},
    [DK_AUDITD] = {"auditd", "records"},
    [DK_AUDITD_EXEC] = {"auditd", "EXECVE records (joined with their SYSCALL)"},
    [DK_SHADOW] = {"shadow", "account management"},
    [DK_NETFILTER] = {"netfilter", "packet logs"},
    [DK_APACHE_ERROR] = {"weberror", "Apache error log"},
    [DK_NGINX_ERROR] = {"weberror", "nginx error log"},
    [DK_SQUID] = {"squid", "native access.log"},
    [DK_W3C] = {"w3c", "W3C extended / IIS rows"},
    [DK_W3C_DIRECTIVE] = {"w3c", "directives (#Fields, ...)"},
    [DK_SURICATA] = {"suricata", "EVE JSON, other event types"},
    [DK_SURICATA_ALERT] = {"suricata", "EVE JSON alert"},
    [DK_SURICATA_DNS] = {"suricata", "EVE JSON dns"},
    [DK_SNORT] = {"snort", "fast alerts"},
    [DK_SURICATA_FAST] = {"snort", "Suricata fast.log and syslog alerts"},
    [DK_CLAMAV] = {"clamav", "other lines"},
    [DK_CLAMAV_FOUND] = {"clamav", "detections (FOUND)"},
    [DK_MYSQL] = {"mysql", "error and general logs"},
    [DK_POSTGRES] = {"postgres", "server log"},
    [DK_ORACLE] = {"oracle", "audit trail to syslog"},
    [DK_DHCP] = {"dhcp", "DHCP servers (dhcpd, dnsmasq, Windows DHCP audit)"},
    [DK_ARPWATCH] = {"dhcp", "arpwatch"},
    [DK_CISCO] = {"cisco", "IOS/ASA messages of no other kind"},
    [DK_CISCO_FW] = {"cisco", "connections, denies, access-list hits"},
    [DK_CISCO_AAA] = {"cisco", "logins, AAA, configuration commands"},
    [DK_FORTIGATE] = {"fortigate", "event, utm and other logs"},
    [DK_FORTIGATE_TRAFFIC] = {"fortigate", "traffic logs"},
    [DK_CEF] = {"cef", "ArcSight CEF"},
    [DK_LEEF] = {"cef", "QRadar LEEF 1.0/2.0"},
    [DK_FILTERLOG] = {"filterlog", "pfSense/OPNsense filterlog"},
    [DK_KV] = {"kv", "generic key=value (format: kv)"},
    [DK_HUAWEI] = {"huawei", "VRP/USG lines"},
    [DK_HUAWEI_FW] = {"huawei", "lines with both addresses"},
    [DK_HUAWEI_BGP] = {"huawei", "module BGP"},
    [DK_H3C] = {"h3c", "Comware lines"},
    [DK_H3C_FW] = {"h3c", "lines with both addresses"},
    [DK_RUIJIE] = {"ruijie", "RGOS lines (format: ruijie)"},
    [DK_RUIJIE_FW] = {"ruijie", "ACL hits"},
    [DK_TOPSEC] = {"topsec", "TOS lines"},
    [DK_TOPSEC_FW] = {"topsec", "lines with both addresses"},
    [DK_SANGFOR] = {"sangfor", "AF lines"},
    [DK_SANGFOR_FW] = {"sangfor", "lines with both addresses"},
    [DK_HILLSTONE] = {"hillstone", "StoneOS lines"},
    [DK_HILLSTONE_FW] = {"hillstone", "lines with both addresses"},
    [DK_QIANXIN] = {"qianxin", "NSG/SecGate lines"},
    [DK_QIANXIN_FW] = {"qianxin", "lines with both addresses"},
    [DK_NSFOCUS] = {"nsfocus", "NIPS/NF/WAF lines"},
    [DK_NSFOCUS_FW] = {"nsfocus", "lines with both addresses"},
    [DK_VENUSTECH] = {"venustech", "firewall/IDS lines"},
    [DK_VENUSTECH_FW] = {"venustech", "lines with both addresses"},
    [DK_DPTECH] = {"dptech", "firewall lines"},
    [DK_DPTECH_FW] = {"dptech", "lines with both addresses"},
    [DK_NETFLOW] = {"netflow", "flow records of the netflow input"},
    [DK_CUSTOM] = {"(operator)", "decoders of the configuration: the routes they name"},
};

/* ---- Windows: channel → service, (channel, event id) → categories ------------------
 * As SigmaHQ's Windows logsource mapping: Sysmon's event ids are categories, Security
 * 4688 is process_creation with its own field names. Channels compare case-insensitively
 * (Windows does). Sysmon 12 is both registry_add and registry_delete (EventType
 * CreateKey/DeleteKey is not looked at). */

static const struct field_alias win_4688_aliases[] = {
    {FIELD_Image, FIELD_NewProcessName},
    {FIELD_ParentImage, FIELD_ParentProcessName},
    /* as hayabusa maps them; MandatoryLabel holds the SID form (S-1-16-12288), which
     * rules on IntegrityLevel usually list beside the name (High) */
    {FIELD_IntegrityLevel, FIELD_MandatoryLabel},
    {FIELD_User, FIELD_SubjectUserName},
    {FIELD_LogonId, FIELD_SubjectLogonId},
    {0, 0},
};

#define CH_SYSMON "Microsoft-Windows-Sysmon/Operational"
#define CH_PS "Microsoft-Windows-PowerShell/Operational"

static const struct win_channel {
    const char *channel;
    route_set routes;
} win_channels[] = {
    {"Security", RB(win_security)},
    {"System", RB(win_system)},
    {"Application", RB(win_application)},
    {CH_SYSMON, RB(win_sysmon)},
    {CH_PS, RB(win_powershell)},
    {"PowerShellCore/Operational", RB(win_powershell)},
    {"Windows PowerShell", RB(win_powershell_classic)},
    {"Microsoft-Windows-Windows Defender/Operational", RB(win_windefend)},
    {"Microsoft-Windows-TaskScheduler/Operational", RB(win_taskscheduler)},
    {"Microsoft-Windows-WMI-Activity/Operational", RB(win_wmi)},
    {"Microsoft-Windows-CodeIntegrity/Operational", RB(win_codeintegrity)},
    {"Microsoft-Windows-AppXDeploymentServer/Operational", RB(win_appxdeployment)},
    {"Microsoft-Windows-Windows Firewall With Advanced Security/Firewall", RB(win_firewall_as)},
    {"Microsoft-Windows-Bits-Client/Operational", RB(win_bits_client)},
    {"Microsoft-Windows-DNS Client Events/Operational", RB(win_dns_client)},
    {"Microsoft-Windows-NTLM/Operational", RB(win_ntlm)},
    {"Microsoft-Windows-AppLocker/EXE and DLL", RB(win_applocker)},
    {"Microsoft-Windows-AppLocker/MSI and Script", RB(win_applocker)},
    {"Microsoft-Windows-AppLocker/Packaged app-Deployment", RB(win_applocker)},
    {"Microsoft-Windows-AppLocker/Packaged app-Execution", RB(win_applocker)},
};

static const struct win_event {
    const char *channel;
    unsigned id;
    route_set routes;
    const struct field_alias *aliases;
} win_events[] = {
    {"Security", 4688, RB(win_process_creation), win_4688_aliases},
    {CH_SYSMON, 1, RB(win_process_creation), no_aliases},
    {CH_SYSMON, 2, RB(win_file_change), no_aliases},
    {CH_SYSMON, 3, RB(win_network_connection), no_aliases},
    {CH_SYSMON, 5, RB(win_process_termination), no_aliases},
    {CH_SYSMON, 6, RB(win_driver_load), no_aliases},
    {CH_SYSMON, 7, RB(win_image_load), no_aliases},
    {CH_SYSMON, 8, RB(win_create_remote_thread), no_aliases},
    {CH_SYSMON, 9, RB(win_raw_access_thread), no_aliases},
    {CH_SYSMON, 10, RB(win_process_access), no_aliases},
    {CH_SYSMON, 11, RB(win_file_event), no_aliases},
    {CH_SYSMON, 12, RB(win_registry_add) | RB(win_registry_delete) | RB(win_registry_event),
     no_aliases},
    {CH_SYSMON, 13, RB(win_registry_set) | RB(win_registry_event), no_aliases},
    {CH_SYSMON, 14, RB(win_registry_rename) | RB(win_registry_event), no_aliases},
    {CH_SYSMON, 15, RB(win_create_stream_hash), no_aliases},
    {CH_SYSMON, 17, RB(win_pipe_created), no_aliases},
    {CH_SYSMON, 18, RB(win_pipe_created), no_aliases},
    {CH_SYSMON, 19, RB(win_wmi_event), no_aliases},
    {CH_SYSMON, 20, RB(win_wmi_event), no_aliases},
    {CH_SYSMON, 21, RB(win_wmi_event), no_aliases},
    {CH_SYSMON, 22, RB(win_dns_query), no_aliases},
    {CH_SYSMON, 23, RB(win_file_delete), no_aliases},
    {CH_SYSMON, 26, RB(win_file_delete), no_aliases},
    {CH_PS, 4103, RB(win_ps_module), no_aliases},
    {CH_PS, 4104, RB(win_ps_script), no_aliases},
    {"PowerShellCore/Operational", 4103, RB(win_ps_module), no_aliases},
    {"PowerShellCore/Operational", 4104, RB(win_ps_script), no_aliases},
    {"Windows PowerShell", 400, RB(win_ps_classic_start), no_aliases},
};

/* Adds the service and category routes of a Windows event from its Channel/EventID. */
static void win_route(struct event *ev)
{
    struct slice ch, eid;
    if (!event_get(ev, FIELD_Channel, &ch))
        return;
    for (size_t i = 0; i < sizeof win_channels / sizeof win_channels[0]; i++)
        if (slice_eq_nocase(ch, win_channels[i].channel))
            ev->routes |= win_channels[i].routes;
    if (!event_get(ev, FIELD_EventID, &eid) || eid.len == 0 || eid.len > 5)
        return;
    unsigned id = 0;
    for (size_t i = 0; i < eid.len; i++) {
        if (eid.p[i] < '0' || eid.p[i] > '9')
            return;
        id = id * 10 + (unsigned)(eid.p[i] - '0');
    }
    for (size_t i = 0; i < sizeof win_events / sizeof win_events[0]; i++) {
        const struct win_event *w = &win_events[i];
        if (w->id == id && slice_eq_nocase(ch, w->channel)) {
            ev->routes |= w->routes;
            ev->aliases = w->aliases;
        }
    }
}

/* See decode.h. Rows: every decoder output, then the Windows channels, then the
 * Windows (channel, event id) rows. */
bool decode_route_info(size_t i, struct decode_route_info *out)
{
    const size_t nch = sizeof win_channels / sizeof win_channels[0];
    const size_t nev = sizeof win_events / sizeof win_events[0];
    if (i < DK_COUNT) {
        *out = (struct decode_route_info){kind_names[i].decoder, kind_names[i].output, 0, false,
                                          route_rows[i].routes,  route_rows[i].aliases};
        return true;
    }
    i -= DK_COUNT;
    if (i < nch) {
        *out = (struct decode_route_info){"windows", win_channels[i].channel, 0,
                                          true,      win_channels[i].routes,  no_aliases};
        return true;
    }
    i -= nch;
    if (i < nev) {
        const struct win_event *w = &win_events[i];
        *out =
            (struct decode_route_info){"windows", w->channel, w->id, true, w->routes, w->aliases};
        return true;
    }
    return false;
}

/* See decode_int.h. The alias arrays are static: events may point at them forever. */
void decode_route(struct event *ev, enum decode_kind kind)
{
    if ((unsigned)kind >= DK_COUNT)
        kind = DK_GENERIC;
    ev->routes = route_rows[kind].routes;
    ev->aliases = route_rows[kind].aliases;
    if (kind == DK_WINDOWS)
        win_route(ev);
}
