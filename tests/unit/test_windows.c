/*
 * test_windows.c — unit tests of the Windows event decoder (dec_windows.c) and its rows
 * of the routing table: Sysmon 1, Security 4688, Sysmon 13 and PowerShell 4104 as
 * Winlogbeat, NXLog and EVTX-to-JSON write them; the System fields, EventData under its
 * own names, routes per channel and event id, the 4688 aliases (Image → NewProcessName),
 * the EVTX spellings (EventID as an object, Data as a list of {Name, #text}), bounds,
 * and JSON lines that only look Windows staying plain JSON events.
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

static bool has(int r)
{
    return (ev.routes & ROUTE_BIT(r)) != 0;
}

#define SYSMON "Microsoft-Windows-Sysmon/Operational"
#define PSOP "Microsoft-Windows-PowerShell/Operational"
#define CMD "C:\\\\Windows\\\\System32\\\\cmd.exe"
#define EXPLORER "C:\\\\Windows\\\\explorer.exe"

/* ---- Sysmon 1 --------------------------------------------------------------------- */

static const char *const sysmon1[] = {
    /* Winlogbeat */
    "{\"@timestamp\":\"2024-11-25T10:00:00.5Z\",\"agent\":{\"type\":\"winlogbeat\"},"
    "\"host\":{\"name\":\"ws01\"},\"winlog\":{\"channel\":\"" SYSMON "\",\"event_id\":1,"
    "\"provider_name\":\"Microsoft-Windows-Sysmon\",\"computer_name\":\"ws01.corp\","
    "\"event_data\":{\"Image\":\"" CMD "\",\"CommandLine\":\"cmd.exe /c whoami\","
    "\"ParentImage\":\"" EXPLORER "\",\"User\":\"CORP\\\\alice\"}}}",
    /* NXLog */
    "{\"EventTime\":\"2024-11-25 10:00:00\",\"Hostname\":\"ws01.corp\",\"EventID\":1,"
    "\"SourceName\":\"Microsoft-Windows-Sysmon\",\"Channel\":\"" SYSMON "\","
    "\"Image\":\"" CMD "\",\"CommandLine\":\"cmd.exe /c whoami\","
    "\"ParentImage\":\"" EXPLORER "\",\"User\":\"CORP\\\\alice\"}",
    /* EVTX dump, EventData as named keys */
    "{\"Event\":{\"#attributes\":{\"xmlns\":\"x\"},\"System\":{\"Provider\":{\"#attributes\":"
    "{\"Name\":\"Microsoft-Windows-Sysmon\"}},\"EventID\":1,\"Channel\":\"" SYSMON "\","
    "\"Computer\":\"ws01.corp\",\"TimeCreated\":{\"#attributes\":{\"SystemTime\":"
    "\"2024-11-25T10:00:00.500000Z\"}}},\"EventData\":{\"Image\":\"" CMD "\","
    "\"CommandLine\":\"cmd.exe /c whoami\",\"ParentImage\":\"" EXPLORER "\","
    "\"User\":\"CORP\\\\alice\"}}}",
};

static void sysmon_1(void)
{
    for (size_t i = 0; i < sizeof sysmon1 / sizeof sysmon1[0]; i++) {
        dec(sysmon1[i]);
        T_EQ_STR(ev.decoder, "windows");
        T_EQ_STR(f("Channel"), SYSMON);
        T_EQ_STR(f("EventID"), "1");
        T_EQ_STR(f("Provider_Name"), "Microsoft-Windows-Sysmon");
        T_EQ_STR(f("Computer"), "ws01.corp");
        T_EQ_STR(f("host"), "ws01.corp");
        T_EQ_STR(f("Image"), "C:\\Windows\\System32\\cmd.exe");
        T_EQ_STR(f("CommandLine"), "cmd.exe /c whoami");
        T_EQ_STR(f("ParentImage"), "C:\\Windows\\explorer.exe");
        T_EQ_STR(f("User"), "CORP\\alice");
        T_CHECK(has(ROUTE_windows) && has(ROUTE_win_sysmon) && has(ROUTE_win_process_creation));
        T_CHECK(!has(ROUTE_win_security) && !has(ROUTE_json) && !has(ROUTE_win_registry_set));
        T_CHECK(!(ev.flags & EVF_TIME_RECEIVED));
        if (i != 1) /* NXLog's EventTime is local time: UTC here */
            T_EQ_INT(ev.time_ns, 1732528800LL * NS_PER_SEC + 500000000);
        else
            T_EQ_INT(ev.time_ns, 1732528800LL * NS_PER_SEC);
        /* The System fields come first, whatever the record's order. */
        T_EQ_STR(field_name(ev.fields[0].id), "Channel");
        /* Winlogbeat's nested non-Windows keys (agent.*, host.name) are not fields. */
        T_EQ_STR(f("agent.type"), "(none)");
        T_EQ_STR(f("host.name"), "(none)");
    }
}

/* ---- Security 4688 ---------------------------------------------------------------- */

#define SEC4688_DATA                                                                               \
    "\"SubjectUserName\":\"alice\",\"NewProcessName\":\"" CMD "\","                                \
    "\"CommandLine\":\"cmd.exe /c net user\",\"ParentProcessName\":\"" EXPLORER "\""

static const char *const sec4688[] = {
    "{\"winlog\":{\"channel\":\"Security\",\"event_id\":\"4688\",\"provider_name\":"
    "\"Microsoft-Windows-Security-Auditing\",\"computer_name\":\"dc01\","
    "\"event_data\":{" SEC4688_DATA "}}}",
    "{\"Hostname\":\"dc01\",\"EventID\":4688,\"SourceName\":"
    "\"Microsoft-Windows-Security-Auditing\",\"Channel\":\"Security\"," SEC4688_DATA "}",
    /* EVTX with EventID as an object and Data as a list of {Name, #text} (reversed in
     * the second element, to show order does not matter) */
    "{\"Event\":{\"System\":{\"Provider_Name\":\"Microsoft-Windows-Security-Auditing\","
    "\"EventID\":{\"#attributes\":{\"Qualifiers\":0},\"#text\":4688},\"Channel\":\"Security\","
    "\"Computer\":\"dc01\"},\"EventData\":{\"Data\":["
    "{\"Name\":\"SubjectUserName\",\"#text\":\"alice\"},"
    "{\"#text\":\"" CMD "\",\"Name\":\"NewProcessName\"},"
    "{\"Name\":\"CommandLine\",\"#text\":\"cmd.exe /c net user\"},"
    "{\"Name\":\"ParentProcessName\",\"#text\":\"" EXPLORER "\"}]}}}",
};

static void security_4688(void)
{
    for (size_t i = 0; i < sizeof sec4688 / sizeof sec4688[0]; i++) {
        dec(sec4688[i]);
        T_EQ_STR(ev.decoder, "windows");
        T_EQ_STR(f("Channel"), "Security");
        T_EQ_STR(f("EventID"), "4688");
        T_EQ_STR(f("Provider_Name"), "Microsoft-Windows-Security-Auditing");
        T_EQ_STR(f("Computer"), "dc01");
        T_EQ_STR(f("SubjectUserName"), "alice");
        T_EQ_STR(f("NewProcessName"), "C:\\Windows\\System32\\cmd.exe");
        T_EQ_STR(f("CommandLine"), "cmd.exe /c net user");
        /* Sigma's process_creation names, through the route's aliases */
        T_EQ_STR(f("Image"), "C:\\Windows\\System32\\cmd.exe");
        T_EQ_STR(f("ParentImage"), "C:\\Windows\\explorer.exe");
        T_EQ_STR(f("User"), "alice"); /* SubjectUserName */
        T_CHECK(has(ROUTE_windows) && has(ROUTE_win_security) && has(ROUTE_win_process_creation));
        T_CHECK(!has(ROUTE_win_sysmon));
    }
    /* Another Security event: the service, no category, no aliases. */
    dec("{\"winlog\":{\"channel\":\"security\",\"event_id\":4624,\"event_data\":"
        "{\"LogonType\":\"3\",\"TargetUserName\":\"bob\",\"NewProcessName\":\"x\"}}}");
    T_EQ_STR(f("LogonType"), "3");
    T_EQ_STR(f("TargetUserName"), "bob");
    T_CHECK(has(ROUTE_win_security) && !has(ROUTE_win_process_creation));
    T_EQ_STR(f("Image"), "(none)");
}

/* ---- Sysmon 13 and PowerShell 4104 ------------------------------------------------ */

static void registry_set(void)
{
    static const char *const forms[] = {
        "{\"winlog\":{\"channel\":\"" SYSMON "\",\"event_id\":13,\"computer_name\":\"ws01\","
        "\"event_data\":{\"EventType\":\"SetValue\",\"TargetObject\":\"HKLM\\\\Run\\\\x\","
        "\"Details\":\"evil.exe\"}}}",
        "{\"Channel\":\"" SYSMON "\",\"EventID\":13,\"Computer\":\"ws01\","
        "\"EventType\":\"SetValue\",\"TargetObject\":\"HKLM\\\\Run\\\\x\","
        "\"Details\":\"evil.exe\"}",
        "{\"Event\":{\"System\":{\"EventID\":{\"Value\":\"13\"},\"Channel\":\"" SYSMON "\","
        "\"Computer\":\"ws01\"},\"EventData\":{\"Data\":[{\"@Name\":\"EventType\",\"#text\":"
        "\"SetValue\"},{\"@Name\":\"TargetObject\",\"#text\":\"HKLM\\\\Run\\\\x\"},"
        "{\"@Name\":\"Details\",\"#text\":\"evil.exe\"}]}}}",
    };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        dec(forms[i]);
        T_EQ_STR(ev.decoder, "windows");
        T_EQ_STR(f("EventID"), "13");
        T_EQ_STR(f("host"), "ws01");
        T_EQ_STR(f("TargetObject"), "HKLM\\Run\\x");
        T_EQ_STR(f("Details"), "evil.exe");
        T_EQ_STR(f("EventType"), "SetValue");
        T_CHECK(has(ROUTE_win_sysmon) && has(ROUTE_win_registry_set) &&
                has(ROUTE_win_registry_event));
        T_CHECK(!has(ROUTE_win_registry_add) && !has(ROUTE_win_process_creation));
    }
}

static void ps_script(void)
{
    static const char *const forms[] = {
        "{\"winlog\":{\"channel\":\"" PSOP "\",\"event_id\":\"4104\",\"provider_name\":"
        "\"Microsoft-Windows-PowerShell\",\"event_data\":{\"MessageNumber\":\"1\","
        "\"ScriptBlockText\":\"IEX (New-Object Net.WebClient)\"}}}",
        "{\"EventID\":4104,\"Channel\":\"" PSOP "\",\"ProviderName\":"
        "\"Microsoft-Windows-PowerShell\",\"MessageNumber\":1,"
        "\"ScriptBlockText\":\"IEX (New-Object Net.WebClient)\"}",
        "{\"Event\":{\"System\":{\"Provider\":{\"@Name\":\"Microsoft-Windows-PowerShell\"},"
        "\"EventID\":4104,\"Channel\":\"" PSOP "\"},\"EventData\":{\"Data\":["
        "{\"Name\":\"MessageNumber\",\"#text\":\"1\"},{\"Name\":\"ScriptBlockText\","
        "\"#text\":\"IEX (New-Object Net.WebClient)\"}]}}}",
    };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        dec(forms[i]);
        T_EQ_STR(ev.decoder, "windows");
        T_EQ_STR(f("EventID"), "4104");
        T_EQ_STR(f("Provider_Name"), "Microsoft-Windows-PowerShell");
        T_EQ_STR(f("ScriptBlockText"), "IEX (New-Object Net.WebClient)");
        T_EQ_STR(f("MessageNumber"), "1");
        T_EQ_STR(f("Computer"), "(none)");
        T_CHECK(has(ROUTE_windows) && has(ROUTE_win_powershell) && has(ROUTE_win_ps_script));
        T_CHECK(!has(ROUTE_win_powershell_classic) && !has(ROUTE_win_ps_module));
    }
    dec("{\"Channel\":\"Windows PowerShell\",\"EventID\":\"400\",\"HostApplication\":\"x\"}");
    T_CHECK(has(ROUTE_win_powershell_classic) && has(ROUTE_win_ps_classic_start));
}

/* ---- odd shapes, bounds, and JSON that is not Windows ----------------------------- */

static void evtx_shapes(void)
{
    /* unnamed Data values, a single Data object, UserData, leading zeros in the id */
    dec("{\"Event\":{\"System\":{\"EventID\":\"0007036\",\"Channel\":\"System\"},"
        "\"EventData\":{\"Data\":[\"a\",\"b\"]}}}");
    T_EQ_STR(f("EventID"), "7036");
    T_EQ_STR(f("Data"), "a");
    T_CHECK(has(ROUTE_win_system));
    dec("{\"Event\":{\"System\":{\"EventID\":104,\"Channel\":\"System\"},"
        "\"EventData\":{\"Data\":{\"Name\":\"Channel2\",\"#text\":\"Security\"}}}}");
    T_EQ_STR(f("Channel2"), "Security");
    dec("{\"Event\":{\"System\":{\"EventID\":1102,\"Channel\":\"Security\"},"
        "\"UserData\":{\"LogFileCleared\":{\"#attributes\":{\"xmlns\":\"u\"},"
        "\"SubjectUserName\":\"eve\"}}}}");
    T_EQ_STR(f("SubjectUserName"), "eve");
    T_EQ_STR(f("xmlns"), "(none)");
    /* A Data element with a Name and no text: an empty value. */
    dec("{\"Event\":{\"System\":{\"EventID\":1,\"Channel\":\"" SYSMON "\"},"
        "\"EventData\":{\"Data\":[{\"Name\":\"RuleName\"},{\"Name\":\"Image\",\"#text\":\"i\"}]}}"
        "}");
    T_EQ_STR(f("RuleName"), "");
    T_EQ_STR(f("Image"), "i");
    /* Behind a syslog header (NXLog over syslog): header fields stay, Computer is host. */
    dec("<14>Nov 25 10:00:00 relay nxlog: {\"EventID\":4624,\"Channel\":\"Security\","
        "\"Hostname\":\"dc02\",\"LogonType\":10}");
    T_EQ_STR(ev.decoder, "windows");
    T_EQ_STR(f("program"), "nxlog");
    T_EQ_STR(f("LogonType"), "10");
    T_CHECK(has(ROUTE_win_security));
}

static void bounds(void)
{
    static char big[16384];
    size_t o = 0;
    o += (size_t)snprintf(big + o, sizeof big - o, "{\"winlog\":{\"event_data\":{");
    for (int i = 0; i < 100; i++)
        o += (size_t)snprintf(big + o, sizeof big - o, "%s\"F%d\":\"%d\"", i ? "," : "", i, i);
    o += (size_t)snprintf(big + o, sizeof big - o,
                          "},\"channel\":\"Security\",\"event_id\":4688,\"provider_name\":\"p\","
                          "\"computer_name\":\"c\"}}");
    dec(big);
    T_EQ_STR(ev.decoder, "windows");
    T_EQ_INT(ev.nfields, EVENT_MAX_FIELDS);
    T_CHECK(ev.flags & EVF_FIELDS_DROPPED);
    T_EQ_STR(f("Channel"), "Security");
    T_EQ_STR(f("EventID"), "4688");
    T_EQ_STR(f("host"), "c");
    T_EQ_STR(f("F0"), "0");
    T_EQ_STR(f("F99"), "(none)");
    T_CHECK(has(ROUTE_win_process_creation));
}

static void not_windows(void)
{
    /* "EventID" without a channel or provider: a plain JSON event, nothing lost */
    dec("{\"EventID\":5,\"app\":{\"name\":\"x\"}}");
    T_EQ_STR(ev.decoder, "json");
    T_CHECK(ev.routes == ROUTE_BIT(ROUTE_json));
    T_EQ_STR(f("EventID"), "5");
    T_EQ_STR(f("app.name"), "x");
    dec("{\"winlog\":\"no\",\"a\":{\"b\":1}}");
    T_EQ_STR(ev.decoder, "json");
    T_EQ_STR(f("a.b"), "1");
    dec("{\"Channel\":\"Security\",\"user\":\"bob\"}");
    T_EQ_STR(ev.decoder, "json");
    T_CHECK(ev.routes == ROUTE_BIT(ROUTE_json));
    /* Broken JSON that looks Windows: generic, nothing half-added. */
    dec("{\"winlog\":{\"channel\":\"Security\",\"event_id\":4688,");
    T_CHECK(ev.flags & EVF_GENERIC);
    T_EQ_INT(ev.nfields, 0);
    /* Forced format: windows on a non-Windows line gives a generic event. */
    src.format = "windows";
    dec("{\"a\":1}");
    T_CHECK(ev.flags & EVF_GENERIC);
    src.format = NULL;
    /* Every Windows route is a windows-product row. */
    for (int r = ROUTE_windows; r <= ROUTE_win_create_stream_hash; r++)
        T_EQ_STR(route_table[r].product, "windows");
    T_CHECK(ROUTE_COUNT <= 128); /* route_set's bits */
}

int main(void)
{
    field_registry_init();
    if (decode_ctx_new(&ctx))
        return 1;
    arena_init(&arena, 64 * 1024, 16 * 1024 * 1024);
    t_run("windows_sysmon_1", sysmon_1);
    t_run("windows_security_4688", security_4688);
    t_run("windows_registry_set", registry_set);
    t_run("windows_ps_script", ps_script);
    t_run("windows_evtx_shapes", evtx_shapes);
    t_run("windows_bounds", bounds);
    t_run("windows_not_windows", not_windows);
    arena_fini(&arena);
    decode_ctx_free(ctx);
    return t_done();
}
