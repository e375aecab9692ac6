/*
 * test_lists.c — the named lists (src/enrich/lists.c): plain-text and CSV files, CIDR and
 * subdomain matching, bad lines named with FILE:LINE, the fields an event gains, and a
 * set read from files, refcounted across a swap, stale when a file changes.
 */
#include "core/core.h"
#include "enrich/iptrie.h"
#include "enrich/lists.h"
#include "event/event.h"
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct named_list *parse(const char *text, enum list_type t, bool csv)
{
    struct named_list *l = NULL;
    char err[256] = "";
    int rc = list_parse("l.txt", text, strlen(text), t, csv, &l, err, sizeof err);
    if (rc)
        fprintf(stderr, "  unexpected: %s\n", err);
    return l;
}

static bool has_ip(const struct named_list *l, const char *s)
{
    struct ipbits a;
    return ip_parse(slice_cstr(s), &a) && list_has_addr(l, &a);
}

static void addresses(void)
{
    struct named_list *l = parse("# known scanners\n"
                                 "203.0.113.7\n"
                                 "  198.51.100.0/24   # a whole range\n"
                                 "\n"
                                 "2001:db8:1::/48\n"
                                 "203.0.113.7\n" /* repeated: no error, counted once */
                                 "\r\n"
                                 "192.0.2.1\r\n",
                                 LIST_ADDRESS, false);
    T_CHECK(l != NULL);
    T_EQ_INT(list_count(l), 4);
    T_CHECK(has_ip(l, "203.0.113.7"));
    T_CHECK(!has_ip(l, "203.0.113.8"));
    T_CHECK(has_ip(l, "198.51.100.0"));
    T_CHECK(has_ip(l, "198.51.100.255"));
    T_CHECK(!has_ip(l, "198.51.101.0"));
    T_CHECK(has_ip(l, "2001:db8:1:ffff::1"));
    T_CHECK(!has_ip(l, "2001:db8:2::1"));
    T_CHECK(has_ip(l, "::ffff:203.0.113.7")); /* IPv4-mapped */
    T_CHECK(has_ip(l, "192.0.2.1"));          /* CRLF line ends */
    T_CHECK(!list_has_domain(l, slice_cstr("example.com")));
    list_free(l);
}

static void domains(void)
{
    struct named_list *l = parse("evil.example.com\n"
                                 "Bad-Domain.NET.   # trailing dot and capitals\n"
                                 "*.wild.org\n"
                                 "evil.example.com\n",
                                 LIST_DOMAIN, false);
    T_CHECK(l != NULL);
    T_EQ_INT(list_count(l), 3);
    T_CHECK(list_has_domain(l, slice_cstr("evil.example.com")));
    T_CHECK(list_has_domain(l, slice_cstr("EVIL.example.com.")));
    T_CHECK(list_has_domain(l, slice_cstr("a.b.evil.example.com")));
    T_CHECK(!list_has_domain(l, slice_cstr("example.com")));
    T_CHECK(!list_has_domain(l, slice_cstr("notevil.example.com"))); /* not a label boundary */
    T_CHECK(!list_has_domain(l, slice_cstr("evil.example.com.au")));
    T_CHECK(list_has_domain(l, slice_cstr("bad-domain.net")));
    T_CHECK(list_has_domain(l, slice_cstr("x.wild.org")));
    T_CHECK(list_has_domain(l, slice_cstr("wild.org")));
    T_CHECK(!list_has_domain(l, slice_cstr("")));
    T_CHECK(!list_has_domain(l, slice_cstr("a..evil.example.com")));
    list_free(l);
}

static void csv_form(void)
{
    struct named_list *l = parse("indicator,type,comment\n"
                                 "203.0.113.9,ip,\"seen, twice\"\n"
                                 "\"198.51.100.0/25\",cidr,\n"
                                 "# a comment\n",
                                 LIST_ADDRESS, true);
    T_CHECK(l != NULL);
    T_EQ_INT(list_count(l), 2);
    T_CHECK(has_ip(l, "203.0.113.9"));
    struct named_list *d = parse("domain,source\nevil.example.com,feed\n", LIST_DOMAIN, true);
    T_CHECK(d != NULL);
    T_EQ_INT(list_count(d), 1); /* "domain" is the header, not a top-level domain */
    T_CHECK(!list_has_domain(d, slice_cstr("x.domain")));
    list_free(d);
    T_CHECK(has_ip(l, "198.51.100.127"));
    T_CHECK(!has_ip(l, "198.51.100.128"));
    list_free(l);
}

static void refused(const char *text, enum list_type t, bool csv, const char *want)
{
    struct named_list *l = NULL;
    char err[256] = "";
    T_EQ_INT(list_parse("l.txt", text, strlen(text), t, csv, &l, err, sizeof err), ERR_PARSE);
    T_CHECK(l == NULL);
    if (!strstr(err, want)) {
        fprintf(stderr, "  got '%s', wanted '%s'\n", err, want);
        T_CHECK(false);
    }
}

static void bad_lines_say_where(void)
{
    refused("10.0.0.1\n# c\n10.0.0.300\n", LIST_ADDRESS, false,
            "l.txt:3: '10.0.0.300' is not an IPv4 or IPv6 address or CIDR network");
    refused("10.0.0.0/33\n", LIST_ADDRESS, false, "l.txt:1: '10.0.0.0/33'");
    refused("evil.example.com\nex ample.com\nbad_dom@in\n", LIST_DOMAIN, false,
            "l.txt:3: 'bad_dom@in' is not a domain name");
    refused("a..b\n", LIST_DOMAIN, false, "l.txt:1:");
    /* only the first entry line of a CSV file may be a header */
    refused("indicator\n10.0.0.1\nnope\n", LIST_ADDRESS, true, "l.txt:3: 'nope'");
}

static void event_gains_fields(void)
{
    char dir[] = "/tmp/vigil-lists-XXXXXX";
    T_CHECK(mkdtemp(dir) != NULL);
    char f1[64], f2[64], f3[64];
    snprintf(f1, sizeof f1, "%s/scanners.txt", dir);
    snprintf(f2, sizeof f2, "%s/bastions.txt", dir);
    snprintf(f3, sizeof f3, "%s/bad.csv", dir);
    FILE *f = fopen(f1, "w");
    fputs("203.0.113.0/24\n", f);
    fclose(f);
    f = fopen(f2, "w");
    fputs("10.0.0.5\n203.0.113.7\n", f);
    fclose(f);
    f = fopen(f3, "w");
    fputs("domain\nevil.example.com\n", f);
    fclose(f);
    struct list_decl d[3] = {{"scanners", f1, LIST_ADDRESS},
                             {"bastions", f2, LIST_ADDRESS},
                             {"ti_domains", f3, LIST_DOMAIN}};
    struct list_set *s = NULL;
    char err[256] = "";
    T_EQ_INT(list_set_load(d, 3, &s, err, sizeof err), 0);
    T_EQ_INT(s->n, 3);

    static struct event ev;
    event_reset(&ev);
    event_add(&ev, FIELD_src_ip, slice_cstr("203.0.113.7"));
    event_add(&ev, FIELD_dst_ip, slice_cstr("10.0.0.5"));
    event_add(&ev, FIELD_query, slice_cstr("www.evil.example.com"));
    event_add(&ev, FIELD_c_uri, slice_cstr("http://user@a.evil.example.com:8080/x?y"));
    lists_enrich(s, &ev);
    char names[256] = "";
    for (unsigned i = 0; i < ev.nfields; i++)
        if (ev.fields[i].id == FIELD_src_ip_list || ev.fields[i].id == FIELD_dst_ip_list ||
            ev.fields[i].id == FIELD_domain_list) {
            struct slice n = event_field_name(&ev.fields[i]);
            snprintf(names + strlen(names), sizeof names - strlen(names), "%.*s=%.*s ", (int)n.len,
                     n.p, (int)ev.fields[i].value.len, ev.fields[i].value.p);
        }
    T_EQ_STR(names, "src_ip_list=scanners src_ip_list=bastions dst_ip_list=bastions "
                    "domain_list=ti_domains ");

    /* the host of an absolute URI alone, with nothing else domain-like */
    event_reset(&ev);
    event_add(&ev, FIELD_c_uri, slice_cstr("https://evil.example.com/"));
    lists_enrich(s, &ev);
    struct slice v;
    T_CHECK(event_get(&ev, FIELD_domain_list, &v) && slice_eq_nocase(v, "ti_domains"));
    event_reset(&ev);
    event_add(&ev, FIELD_c_uri, slice_cstr("/evil.example.com/"));
    event_add(&ev, FIELD_src_ip, slice_cstr("198.51.100.1"));
    lists_enrich(s, &ev);
    T_CHECK(!event_get(&ev, FIELD_domain_list, &v));
    T_CHECK(!event_get(&ev, FIELD_src_ip_list, &v));

    /* a reader's reference keeps a swapped-out set alive */
    struct list_holder h;
    list_holder_init(&h);
    list_holder_swap(&h, s);
    struct list_set *r = list_holder_acquire(&h);
    T_CHECK(r == s);
    T_CHECK(list_files_sig(d, 3) == r->sig);
    sleep(1); /* a new modification time even on coarse clocks */
    f = fopen(f1, "w");
    fputs("198.51.100.0/24\n", f);
    fclose(f);
    T_CHECK(list_files_sig(d, 3) != r->sig);
    struct list_set *s2 = NULL;
    T_EQ_INT(list_set_load(d, 3, &s2, err, sizeof err), 0);
    list_holder_swap(&h, s2);
    struct ipbits a;
    T_CHECK(ip_parse(slice_cstr("203.0.113.9"), &a));
    T_CHECK(list_has_addr(r->lists[0], &a)); /* the old snapshot, still readable */
    list_set_release(r);
    r = list_holder_acquire(&h);
    T_CHECK(!list_has_addr(r->lists[0], &a));
    list_set_release(r);

    /* a bad line in one file: the load names it */
    f = fopen(f2, "w");
    fputs("10.0.0.5\nbogus\n", f);
    fclose(f);
    struct list_set *s3 = NULL;
    T_EQ_INT(list_set_load(d, 3, &s3, err, sizeof err), ERR_PARSE);
    T_CHECK(s3 == NULL);
    T_CHECK(strstr(err, "bastions.txt:2: 'bogus'") != NULL);
    unlink(f2);
    T_CHECK(list_set_load(d, 3, &s3, err, sizeof err) == ERR_IO);
    T_CHECK(strstr(err, "bastions.txt: No such file") != NULL);
    list_holder_fini(&h);
    unlink(f1);
    unlink(f3);
    rmdir(dir);
}

static void public_ranges(void)
{
    static const char *const priv[] = {
        "10.1.2.3",   "192.168.0.1", "172.16.5.5",  "172.31.255.1",    "127.0.0.1", "169.254.1.1",
        "100.64.0.1", "0.0.0.0",     "224.0.0.1",   "255.255.255.255", "192.0.2.1", "::1",
        "fe80::1",    "fd00::1",     "2001:db8::1", "ff02::1"};
    static const char *const pub[] = {"8.8.8.8",       "1.1.1.1",     "172.32.0.1",
                                      "100.128.0.1",   "169.253.1.1", "2001:4860:4860::8888",
                                      "::ffff:8.8.8.8"};
    struct ipbits a;
    for (size_t i = 0; i < sizeof priv / sizeof *priv; i++) {
        T_CHECK(ip_parse(slice_cstr(priv[i]), &a));
        if (ip_is_public(&a))
            fprintf(stderr, "  %s taken for public\n", priv[i]);
        T_CHECK(!ip_is_public(&a));
    }
    for (size_t i = 0; i < sizeof pub / sizeof *pub; i++) {
        T_CHECK(ip_parse(slice_cstr(pub[i]), &a));
        T_CHECK(ip_is_public(&a));
    }
}

/* A list large enough for the IPv4 shortcut (iptrie_seal) answers as a walk from the root
 * does: checked against a linear scan of the networks for addresses in, near and outside
 * them, with short prefixes (/4../16) that the shortcut must carry down. */
static void sealed_trie_agrees(void)
{
    enum { NETS = 6000, PROBES = 20000 };
    static uint32_t net[NETS], mask[NETS];
    struct buf b;
    buf_init(&b, 0);
    uint64_t r = 12345;
    for (int i = 0; i < NETS; i++) {
        r = r * 6364136223846793005ull + 1442695040888963407ull;
        unsigned plen = i % 50 == 0 ? 4 + (unsigned)(r >> 60) % 13 : 18 + (unsigned)(r >> 59) % 15;
        mask[i] = plen ? ~0u << (32 - plen) : 0;
        net[i] = (uint32_t)(r >> 16) & mask[i];
        buf_printf(&b, "%u.%u.%u.%u/%u\n", net[i] >> 24, (net[i] >> 16) & 255, (net[i] >> 8) & 255,
                   net[i] & 255, plen);
    }
    struct named_list *l = NULL;
    char err[256] = "";
    T_EQ_INT(list_parse("big", b.p, b.len, LIST_ADDRESS, false, &l, err, sizeof err), 0);
    buf_fini(&b);
    if (!l)
        return;
    int wrong = 0, in = 0;
    for (int i = 0; i < PROBES; i++) {
        r = r * 6364136223846793005ull + 1442695040888963407ull;
        uint32_t a = i % 2 ? (uint32_t)(r >> 32) : net[i % NETS] ^ (uint32_t)(r >> 40);
        bool want = false;
        for (int j = 0; j < NETS && !want; j++)
            want = (a & mask[j]) == net[j];
        struct ipbits ip = {{(uint8_t)(a >> 24), (uint8_t)(a >> 16), (uint8_t)(a >> 8), (uint8_t)a},
                            32};
        in += want;
        wrong += list_has_addr(l, &ip) != want;
    }
    T_EQ_INT(wrong, 0);
    T_CHECK(in > PROBES / 10 && in < PROBES - PROBES / 10); /* both kinds were asked */
    list_free(l);
}

int main(void)
{
    field_registry_init();
    t_run("lists: addresses and CIDR networks, IPv4, IPv6 and mapped", addresses);
    t_run("lists: a domain matches itself and its subdomains, any case", domains);
    t_run("lists: the CSV form takes the first column, skips a header", csv_form);
    t_run("lists: a bad line is refused with FILE:LINE and the reason", bad_lines_say_where);
    t_run("lists: an event gains list fields; snapshots swap safely", event_gains_fields);
    t_run("iptrie: the IPv4 shortcut of a large trie agrees with a linear scan",
          sealed_trie_agrees);
    t_run("iptrie: private, loopback, link-local and documentation ranges", public_ranges);
    return t_done();
}
