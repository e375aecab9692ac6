/*
 * fuzz_evtx.c — libFuzzer target for Windows .evtx reading (src/decode/evtx.c). Each
 * input is written to an anonymous in-memory file (memfd) and read as an EVTX file by
 * evtx_read_file (libevtx underneath), and is also given to evtx_xml_to_json as one
 * record's XML. Every event must stay within the field cap and EVENT_MAX_RECORD, and
 * render as JSON; the XML step must give valid UTF-8 JSON within EVENT_MAX_RECORD or
 * an error, leaving the output untouched on error. The seed corpus holds small files
 * built by tests/tools/make_evtx.py and a record's XML.
 */
#include "core/core.h"
#include "decode/decode.h"
#include "decode/evtx.h"
#include "event/event.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/*
 * libevtx 20181227 (Debian 12) leaks on two error paths of its own, which LeakSanitizer
 * is told to skip (by the libevtx function on the allocation's stack, so a libevtx
 * object this file forgot to free is still reported):
 *  - libevtx_file_open failing inside its chunk scan leaves its recovered-records list
 *    (a libfdata list, 384 bytes) allocated: libevtx_file_open_read's error path frees
 *    every list but that one, and libevtx_file_close refuses a file that never opened;
 *  - a record whose Binary XML libfwevt cannot read leaves the tags, tokens and values
 *    read so far (libfwevt_xml_document_read_element's error path), once per record.
 * Those stacks pass through libevtx, built without frame pointers: malloc stacks are
 * unwound the slow way so the suppressions can see the libevtx frames.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libfdata_list_initialize\n"
           "leak:libevtx_file_open_read\n"
           "leak:libfwevt_xml_document_read_element\n";
}

const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "fast_unwind_on_malloc=0";
}

static int on_event(void *ctx, uint64_t no, struct event *ev)
{
    (void)ctx;
    if (no == 0 || ev->nfields > EVENT_MAX_FIELDS || ev->raw.len > EVENT_MAX_RECORD)
        abort();
    struct buf b;
    buf_init(&b, 0);
    if (event_to_json(ev, &b) != 0)
        abort();
    buf_fini(&b);
    return 0;
}

static void on_skip(void *ctx, uint64_t no, const char *why)
{
    (void)ctx;
    if (no == 0 || !why || !why[0])
        abort();
}

static void read_as_file(const uint8_t *data, size_t size, struct decode_ctx *dc)
{
    int fd = memfd_create("fuzz_evtx", 0);
    if (fd < 0)
        return;
    size_t off = 0;
    while (off < size) {
        ssize_t w = write(fd, data + off, size - off);
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    static struct event ev;
    struct arena arena;
    arena_init(&arena, 4096, 1 << 22);
    struct evtx_reader r = {
        .dc = dc, .arena = &arena, .ev = &ev, .on_event = on_event, .on_skip = on_skip};
    struct evtx_stats st;
    int rc = evtx_read_file(&r, path, &st);
    if (rc && !st.error[0])
        abort();
    if (st.events + st.corrupt > st.records)
        abort();
    arena_fini(&arena);
    close(fd);
}

static void read_as_xml(const uint8_t *data, size_t size)
{
    struct buf b;
    buf_init(&b, 0);
    buf_puts(&b, "x");
    bool cut = false;
    char why[200] = "";
    int rc = evtx_xml_to_json((const char *)data, size, &b, &cut, why, sizeof why);
    if (rc == 0) {
        size_t n = b.len - 1;
        if (n > EVENT_MAX_RECORD || n < 2 || b.p[1] != '{' || b.p[b.len - 1] != '}' ||
            !utf8_valid(b.p + 1, n))
            abort();
    } else if (b.len != 1 || (rc == ERR_PARSE && !why[0])) {
        abort();
    }
    buf_fini(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct decode_ctx *dc;
    if (!dc) {
        field_registry_init();
        if (decode_ctx_new(&dc))
            abort();
    }
    read_as_file(data, size, dc);
    read_as_xml(data, size);
    return 0;
}
