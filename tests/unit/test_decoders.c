/*
 * test_decoders.c — unit tests of the decoders behind decode_record and of the routing
 * table: sshd, sudo, su, PAM from any program, cron, systemd, Apache/nginx access logs
 * (bare and behind a syslog header), JSON lines (flattening, escapes, bounds, time),
 * dispatch by program and by first bytes, forced formats, routes and aliases; the edges
 * of the shadow-utils and netfilter decoders that golden lines do not show.
 */
#include "core/core.h"
#include "decode/decode.h"
#include "event/event.h"
#include "testlib.h"

#include <stdio.h>
#include <string.h>

static struct decode_ctx *ctx;
static struct arena arena;
static struct event ev;
static struct decode_source src;
static const int64_t RECV = 1732579200LL * NS_PER_SEC; /* 2024-11-26T00:00:00Z */

static void dec(const char *line)
{
    arena_reset(&arena);
    memset(&ev, 0, sizeof ev);
    decode_record(ctx, &src, &arena, line, strlen(line), RECV, &ev);
}

/* The field's first value as a C string ("(none)" when absent). */
static const char *f(const char *name)
{
    return t_field(&ev, name);
}

static bool has_route(int r)
{
    return (ev.routes & ROUTE_BIT(r)) != 0;
}

#define SSH "Nov 25 10:00:00 web01 sshd[1234]: "

static void sshd(void)
{
    dec(SSH "Failed password for invalid user admin from 203.0.113.5 port 51234 ssh2");
    T_EQ_STR(ev.decoder, "sshd");
    T_EQ_STR(f("user"), "admin");
    T_EQ_STR(f("src_ip"), "203.0.113.5");
    T_EQ_STR(f("src_port"), "51234");
    T_EQ_STR(f("auth_method"), "password");
    T_EQ_STR(f("action"), "login");
    T_EQ_STR(f("outcome"), "failure");
    T_EQ_STR(f("reason"), "invalid user");
    T_CHECK(has_route(ROUTE_linux) && has_route(ROUTE_linux_sshd) && has_route(ROUTE_linux_auth) &&
            has_route(ROUTE_linux_syslog));
    T_CHECK(!has_route(ROUTE_linux_sudo) && !has_route(ROUTE_webserver));
    T_CHECK(!(ev.flags & EVF_GENERIC));
    dec(SSH "Failed password for root from 198.51.100.7 port 22 ssh2");
    T_EQ_STR(f("user"), "root");
    T_EQ_STR(f("reason"), "(none)");
    /* A user name with spaces (attacker-chosen) */
    dec(SSH "Failed password for invalid user a b from 1.2.3.4 port 5 ssh2");
    T_EQ_STR(f("user"), "a b");
    T_EQ_STR(f("src_ip"), "1.2.3.4");
    dec(SSH "Accepted publickey for alice from 10.0.0.2 port 50000 ssh2: RSA SHA256:abc");
    T_EQ_STR(f("auth_method"), "publickey");
    T_EQ_STR(f("outcome"), "success");
    T_EQ_STR(f("user"), "alice");
    T_EQ_STR(f("src_port"), "50000");
    dec(SSH "Failed keyboard-interactive/pam for bob from 2001:db8::5 port 7 ssh2");
    T_EQ_STR(f("auth_method"), "keyboard-interactive/pam");
    T_EQ_STR(f("src_ip"), "2001:db8::5");
    dec(SSH "Invalid user oracle from 203.0.113.9 port 4242");
    T_EQ_STR(f("user"), "oracle");
    T_EQ_STR(f("src_ip"), "203.0.113.9");
    T_EQ_STR(f("src_port"), "4242");
    T_EQ_STR(f("outcome"), "failure");
    dec(SSH "Connection closed by authenticating user root 203.0.113.4 port 3333 [preauth]");
    T_EQ_STR(f("user"), "root");
    T_EQ_STR(f("src_ip"), "203.0.113.4");
    T_EQ_STR(f("action"), "disconnect");
    dec(SSH "Connection closed by 203.0.113.4 port 3333 [preauth]");
    T_EQ_STR(f("user"), "(none)");
    T_EQ_STR(f("src_ip"), "203.0.113.4");
    dec(SSH "Disconnected from user alice 10.0.0.2 port 50000");
    T_EQ_STR(f("action"), "logout");
    T_EQ_STR(f("user"), "alice");
    dec(SSH "Disconnected from invalid user test 1.1.1.1 port 1 [preauth]");
    T_EQ_STR(f("action"), "disconnect");
    T_EQ_STR(f("user"), "test");
    dec(SSH "Received disconnect from 10.0.1.3 port 6000:11: disconnected by user");
    T_EQ_STR(f("src_ip"), "10.0.1.3");
    T_EQ_STR(f("src_port"), "6000");
    T_EQ_STR(f("reason"), "disconnected by user");
    T_EQ_STR(f("action"), "disconnect");
    dec(SSH "pam_unix(sshd:session): session opened for user alice(uid=1000) by (uid=0)");
    T_EQ_STR(f("user"), "alice");
    T_EQ_STR(f("pam_module"), "pam_unix");
    T_EQ_STR(f("pam_service"), "sshd");
    T_EQ_STR(f("action"), "session_open");
    T_EQ_STR(ev.decoder, "sshd");
    dec(SSH "pam_unix(sshd:session): session closed for user alice");
    T_EQ_STR(f("action"), "session_close");
    /* Unknown sshd text: still an sshd event, header fields only. */
    dec(SSH "Server listening on :: port 22.");
    T_EQ_STR(ev.decoder, "sshd");
    T_CHECK(has_route(ROUTE_linux_sshd));
    T_EQ_STR(f("src_ip"), "(none)");
}

static void sudo(void)
{
    dec("Nov 25 10:00:00 h sudo:    alice : TTY=pts/3 ; PWD=/home/alice ; USER=root ; "
        "COMMAND=/bin/sh -c 'a ; b'");
    T_EQ_STR(ev.decoder, "sudo");
    T_EQ_STR(f("user"), "alice");
    T_EQ_STR(f("tty"), "pts/3");
    T_EQ_STR(f("pwd"), "/home/alice");
    T_EQ_STR(f("target_user"), "root");
    T_EQ_STR(f("command"), "/bin/sh -c 'a ; b'");
    T_EQ_STR(f("outcome"), "success");
    T_CHECK(has_route(ROUTE_linux_sudo) && has_route(ROUTE_linux_auth) && has_route(ROUTE_linux));
    T_CHECK(!has_route(ROUTE_linux_sshd));
    dec("Nov 25 10:00:00 h sudo: mallory : 3 incorrect password attempts ; TTY=pts/1 ; "
        "PWD=/tmp ; USER=root ; COMMAND=/bin/bash");
    T_EQ_STR(f("reason"), "3 incorrect password attempts");
    T_EQ_STR(f("outcome"), "failure");
    T_EQ_STR(f("command"), "/bin/bash");
    dec("Nov 25 10:00:00 h sudo: pam_unix(sudo:auth): authentication failure; logname=bob "
        "uid=1000 euid=0 tty=/dev/pts/1 ruser=bob rhost=  user=bob");
    T_EQ_STR(f("pam_module"), "pam_unix");
    T_EQ_STR(f("pam_service"), "sudo");
    T_EQ_STR(f("logname"), "bob");
    T_EQ_STR(f("uid"), "1000");
    T_EQ_STR(f("euid"), "0");
    T_EQ_STR(f("tty"), "/dev/pts/1");
    T_EQ_STR(f("ruser"), "bob");
    T_EQ_STR(f("rhost"), "(none)");
    T_EQ_STR(f("user"), "bob");
    T_EQ_STR(f("outcome"), "failure");
    T_EQ_STR(ev.decoder, "sudo");
}

static void su_and_pam(void)
{
    dec("Nov 25 10:00:00 h su[77]: (to root) alice on pts/0");
    T_EQ_STR(ev.decoder, "su");
    T_EQ_STR(f("target_user"), "root");
    T_EQ_STR(f("user"), "alice");
    T_EQ_STR(f("tty"), "pts/0");
    T_EQ_STR(f("outcome"), "success");
    T_CHECK(has_route(ROUTE_linux_auth) && has_route(ROUTE_linux));
    dec("Nov 25 10:00:00 h su[77]: FAILED SU (to root) mallory on pts/2");
    T_EQ_STR(f("user"), "mallory");
    T_EQ_STR(f("outcome"), "failure");
    dec("Nov 25 10:00:00 h su[77]: pam_unix(su:session): session opened for user root by "
        "alice(uid=1000)");
    T_EQ_STR(f("target_user"), "root");
    T_EQ_STR(f("user"), "alice");
    T_EQ_STR(f("pam_service"), "su");
    /* PAM text from a program with no decoder of its own. */
    dec("Nov 25 10:00:00 h vsftpd[5]: pam_unix(vsftpd:auth): authentication failure; "
        "logname= uid=0 euid=0 tty=ftp ruser=x rhost=203.0.113.8 user=x");
    T_EQ_STR(ev.decoder, "pam");
    T_EQ_STR(f("rhost"), "203.0.113.8");
    T_EQ_STR(f("src_ip"), "203.0.113.8"); /* alias of rhost */
    T_EQ_STR(f("logname"), "(none)");
    T_EQ_STR(f("pam_service"), "vsftpd");
    T_CHECK(has_route(ROUTE_linux_auth));
    dec("Nov 25 10:00:00 h login[5]: pam_unix(login:auth): check pass; user unknown");
    T_EQ_STR(f("reason"), "user unknown");
    T_EQ_STR(f("outcome"), "failure");
    dec("Nov 25 10:00:00 h login[5]: ROOT LOGIN ON tty1");
    T_CHECK(ev.flags & EVF_GENERIC);
    T_EQ_STR(ev.decoder, "syslog");
}

static void cron_systemd(void)
{
    dec("Nov 25 10:00:00 h CRON[1]: (root) CMD (   cd / && run-parts --report /etc/cron.hourly)");
    T_EQ_STR(ev.decoder, "cron");
    T_EQ_STR(f("user"), "root");
    T_EQ_STR(f("command"), "cd / && run-parts --report /etc/cron.hourly");
    T_CHECK(ev.routes == ROUTE_BIT(ROUTE_linux_cron));
    dec("Nov 25 10:00:00 h systemd[1]: Started Session 12 of user alice.");
    T_EQ_STR(ev.decoder, "systemd");
    T_EQ_STR(f("user"), "alice");
    T_CHECK(ev.routes == ROUTE_BIT(ROUTE_linux_syslog));
    dec("Nov 25 10:00:00 h kernel: [1.5] eth0: link up");
    T_EQ_STR(ev.decoder, "syslog");
    T_CHECK(ev.flags & EVF_GENERIC);
    T_CHECK(ev.routes == ROUTE_BIT(ROUTE_linux_syslog));
    T_EQ_STR(f("message"), "[1.5] eth0: link up");
}

static void access(void)
{
    dec("203.0.113.5 - frank [25/Nov/2024:10:00:00 +0800] \"GET /a/b.php?id=1%27%20OR%201=1-- "
        "HTTP/1.1\" 404 1234 \"http://x/\" \"sqlmap/1.7 (\\\"q\\\")\"");
    T_EQ_STR(ev.decoder, "access");
    T_EQ_STR(f("c-ip"), "203.0.113.5");
    T_EQ_STR(f("cs-username"), "frank");
    T_EQ_STR(f("cs-method"), "GET");
    T_EQ_STR(f("cs-uri"), "/a/b.php?id=1%27%20OR%201=1--");
    T_EQ_STR(f("cs-uri-stem"), "/a/b.php");
    T_EQ_STR(f("cs-uri-query"), "id=1%27%20OR%201=1--");
    T_EQ_STR(f("cs-version"), "HTTP/1.1");
    T_EQ_STR(f("sc-status"), "404");
    T_EQ_STR(f("sc-bytes"), "1234");
    T_EQ_STR(f("cs-referer"), "http://x/");
    T_EQ_STR(f("cs-user-agent"), "sqlmap/1.7 (\\\"q\\\")");
    T_EQ_STR(f("src_ip"), "203.0.113.5");              /* alias */
    T_EQ_STR(f("user"), "frank");                      /* alias */
    T_EQ_INT(ev.time_ns, (1732500000LL) * NS_PER_SEC); /* 02:00Z */
    T_CHECK(!(ev.flags & (EVF_TIME_RECEIVED | EVF_GENERIC)));
    T_CHECK(has_route(ROUTE_webserver) && has_route(ROUTE_apache) && !has_route(ROUTE_nginx));
    /* Common format, "-" fields absent, a bad request line. */
    dec("10.0.0.1 - - [25/Nov/2024:10:00:00 +0000] \"-\" 400 -");
    T_EQ_STR(f("cs-username"), "(none)");
    T_EQ_STR(f("cs-method"), "(none)");
    T_EQ_STR(f("sc-bytes"), "(none)");
    T_EQ_STR(f("sc-status"), "400");
    /* Behind a syslog header from nginx. */
    dec("<190>Nov 25 10:00:00 web02 nginx: 2001:db8::7 - - [25/Nov/2024:10:00:00 +0000] "
        "\"POST /login HTTP/2.0\" 200 5 \"-\" \"curl/8\"");
    T_EQ_STR(f("host"), "web02");
    T_EQ_STR(f("c-ip"), "2001:db8::7");
    T_EQ_STR(f("cs-uri-query"), "(none)");
    T_EQ_STR(f("cs-referer"), "(none)");
    T_CHECK(has_route(ROUTE_webserver) && has_route(ROUTE_nginx) && !has_route(ROUTE_apache));
    /* Something that only starts like one stays generic. */
    dec("10.0.0.1 - - [not a date] \"GET / HTTP/1.1\" 200 1");
    T_CHECK(ev.flags & EVF_GENERIC);
    T_EQ_INT(ev.nfields, 0);
}

static void json(void)
{
    dec("{\"@timestamp\":\"2024-11-25T10:00:00.5Z\",\"host\":\"h1\",\"user\":{\"name\":\"bob\","
        "\"ids\":[1,2,{\"k\":null}]},\"msg\":\"a\\\"b\\\\c\\u00e9\\ud83d\\ude00\\n\","
        "\"ok\":true,\"n\":-1.5e3,\"e\":{},\"a\":[]}");
    T_EQ_STR(ev.decoder, "json");
    T_CHECK(ev.routes == ROUTE_BIT(ROUTE_json));
    T_EQ_INT(ev.time_ns, 1732528800LL * NS_PER_SEC + 500000000);
    T_EQ_STR(f("host"), "h1");
    T_EQ_STR(f("user.name"), "bob");
    T_EQ_STR(f("user.ids.0"), "1");
    T_EQ_STR(f("user.ids.1"), "2");
    T_EQ_STR(f("user.ids.2.k"), "null");
    T_EQ_STR(f("msg"), "a\"b\\c\xC3\xA9\xF0\x9F\x98\x80\n");
    T_EQ_STR(f("ok"), "true");
    T_EQ_STR(f("n"), "-1.5e3");
    T_EQ_STR(f("e"), "(none)");
    /* Epoch seconds, inside a syslog message. */
    dec("Nov 25 10:00:00 h app[3]: {\"time\":1732500000,\"src_ip\":\"1.2.3.4\"}");
    T_EQ_STR(ev.decoder, "json");
    T_EQ_INT(ev.time_ns, 1732500000LL * NS_PER_SEC);
    T_EQ_STR(f("src_ip"), "1.2.3.4");
    T_EQ_STR(f("program"), "app");
    dec("{\"hostname\":\"h7\"}");
    T_EQ_STR(f("host"), "h7");
    T_EQ_STR(f("hostname"), "h7");
    /* Broken JSON is kept as a generic record with nothing half-added. */
    dec("{\"a\":1,\"b\":}");
    T_CHECK(ev.flags & EVF_GENERIC);
    T_EQ_INT(ev.nfields, 0);
    dec("{\"a\":\"unterminated}");
    T_CHECK(ev.flags & EVF_GENERIC);
    dec("{\"a\":1} trailing");
    T_CHECK(ev.flags & EVF_GENERIC);
    dec("{\"a\":\"\\x\"}");
    T_CHECK(ev.flags & EVF_GENERIC);
    /* Depth past 32 is kept as text, not recursed into. */
    char deep[512];
    size_t o = 0;
    o += (size_t)snprintf(deep + o, sizeof deep - o, "{\"d\":");
    for (int i = 0; i < 40; i++)
        deep[o++] = '[';
    deep[o++] = '1';
    for (int i = 0; i < 40; i++)
        deep[o++] = ']';
    deep[o++] = '}';
    deep[o] = 0;
    dec(deep);
    T_EQ_STR(ev.decoder, "json");
    T_EQ_INT(ev.nfields, 1);
    /* Many keys: capped at EVENT_MAX_FIELDS, flagged. */
    char many[8192];
    o = 0;
    many[o++] = '{';
    for (int i = 0; i < 100; i++)
        o += (size_t)snprintf(many + o, sizeof many - o, "%s\"k%d\":%d", i ? "," : "", i, i);
    many[o++] = '}';
    many[o] = 0;
    dec(many);
    T_EQ_STR(ev.decoder, "json");
    T_EQ_INT(ev.nfields, EVENT_MAX_FIELDS);
    T_CHECK(ev.flags & EVF_FIELDS_DROPPED);
}

static void forced_format(void)
{
    src.format = "json";
    dec("Nov 25 10:00:00 h sshd[1]: {\"a\":\"b\"}");
    T_EQ_STR(ev.decoder, "json");
    T_EQ_STR(f("a"), "b");
    dec("Nov 25 10:00:00 h sshd[1]: Failed password for root from 1.2.3.4 port 1 ssh2");
    T_CHECK(ev.flags & EVF_GENERIC); /* forced json: sshd text is not json */
    src.format = "syslog";
    dec("Nov 25 10:00:00 h sshd[1]: Failed password for root from 1.2.3.4 port 1 ssh2");
    T_EQ_STR(ev.decoder, "syslog");
    T_EQ_STR(f("src_ip"), "(none)");
    src.format = NULL;
    const char *const *names = decode_names();
    bool seen_json = false;
    for (; *names; names++)
        seen_json |= !strcmp(*names, "json");
    T_CHECK(seen_json);
}

/* Netfilter and shadow: what the kernel never writes, and refusals. */
static void netfilter_shadow(void)
{
#define KERN "Nov 25 11:00:00 fw kernel: [1.5] DROP IN=eth0 OUT= SRC=10.0.0.1 DST=10.0.0.2 "
    /* flags not standing together are joined in the arena; at most 8 are kept */
    dec(KERN "PROTO=TCP SPT=1 DPT=2 SYN URGP=0 FIN");
    T_EQ_STR(ev.decoder, "netfilter");
    T_EQ_STR(f("tcp_flags"), "SYN FIN");
    T_EQ_STR(f("action"), "blocked");
    T_CHECK(has_route(ROUTE_linux) && has_route(ROUTE_firewall) && !has_route(ROUTE_linux_syslog));
    dec(KERN "PROTO=TCP SYN SYN SYN SYN SYN SYN SYN SYN SYN SYN");
    T_EQ_STR(f("tcp_flags"), "SYN SYN SYN SYN SYN SYN SYN SYN");
    /* an unclosed inner packet swallows the rest, not the outer fields */
    dec(KERN "PROTO=ICMP TYPE=3 CODE=1 [SRC=1.1.1.1 DST=2.2.2.2 PROTO=UDP SPT=9");
    T_EQ_STR(f("src_ip"), "10.0.0.1");
    T_EQ_STR(f("src_port"), "(none)");
    T_EQ_STR(f("icmp_code"), "1");
    /* IN=/OUT= without SRC= (an ARP log) and text that merely holds IN=: plain syslog */
    dec("Nov 25 11:00:00 fw kernel: IN=eth0 OUT= ARP HTYPE=1 IPSRC=10.0.0.1");
    T_EQ_STR(ev.decoder, "syslog");
    T_EQ_STR(f("in_iface"), "(none)");
    dec("Nov 25 11:00:00 fw kernel: LOGIN=x SRC=1.2.3.4");
    T_EQ_STR(ev.decoder, "syslog");
    /* forced formats on other text: generic, nothing half-filled */
    src.format = "netfilter";
    dec("Nov 25 11:00:00 fw sshd[1]: Failed password for root from 1.2.3.4 port 1 ssh2");
    T_CHECK(ev.flags & EVF_GENERIC);
    T_EQ_STR(f("src_ip"), "(none)");
    src.format = "shadow";
    dec("Nov 25 11:00:00 h useradd[1]: new user: name=");
    T_CHECK(ev.flags & EVF_GENERIC);
    T_EQ_STR(f("action"), "(none)");
    src.format = NULL;
    /* a user name as a template would misread it: the quotes bound it */
    dec("Nov 25 11:00:00 h usermod[1]: add 'a b' to group 'c'");
    T_EQ_STR(ev.decoder, "shadow");
    T_EQ_STR(f("target_user"), "a b");
    T_EQ_STR(f("group"), "c");
    T_CHECK(has_route(ROUTE_linux) && has_route(ROUTE_linux_auth));
    dec("Nov 25 11:00:00 h usermod[1]: add 'a' to group 'c' trailing");
    T_EQ_STR(ev.decoder, "syslog");
#undef KERN
}

/* Every decoder output has its row in the routing table with a name and a route, and
 * every decoder `--format` accepts owns at least one row (`vigil decoders` lists them). */
static void routing_table_complete(void)
{
    struct decode_route_info ri;
    size_t rows = 0;
    for (size_t i = 0; decode_route_info(i, &ri); i++, rows++) {
        if (!ri.decoder || !ri.output || !ri.aliases ||
            (!ri.routes && strcmp(ri.decoder, "(operator)") != 0))
            t_fail(__FILE__, __LINE__, "routing row %zu has no name, route or alias list", i);
        T_CHECK(!t_failed());
    }
    T_CHECK(rows > 30);
    for (const char *const *n = decode_names(); *n; n++) {
        bool found = false;
        for (size_t i = 0; decode_route_info(i, &ri); i++)
            found |= !strcmp(ri.decoder, *n);
        if (!found)
            t_fail(__FILE__, __LINE__, "decoder %s has no row in the routing table", *n);
    }
}

int main(void)
{
    field_registry_init();
    if (decode_ctx_new(&ctx))
        return 1;
    arena_init(&arena, 64 * 1024, 16 * 1024 * 1024);
    t_run("decode_sshd", sshd);
    t_run("decode_sudo", sudo);
    t_run("decode_su_and_pam", su_and_pam);
    t_run("decode_cron_systemd", cron_systemd);
    t_run("decode_access", access);
    t_run("decode_json", json);
    t_run("decode_forced_format", forced_format);
    t_run("decode_netfilter_shadow", netfilter_shadow);
    t_run("routing table: a named row for every decoder output", routing_table_complete);
    arena_fini(&arena);
    decode_ctx_free(ctx);
    return t_done();
}
