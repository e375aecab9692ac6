/*
 * evtx.h — Windows event log files (.evtx) as events, for `vigil hunt` (offline, like
 * chainsaw or hayabusa). libevtx reads the file and renders each record as XML; expat
 * parses that XML (no DTD, no entities, bounded depth and size) into the JSON form of
 * an EVTX dump ({"Event":{"System":{...},"EventData":{"Data":[{"@Name":..,"#text":..}]}}}),
 * and that JSON goes through decode_record like a JSON line, so dec_windows.c gives the
 * event the very fields, routes and 4688 aliases it gives the same event shipped as
 * JSON. The event's raw text is that compact JSON.
 */
#ifndef VIGIL_EVTX_H
#define VIGIL_EVTX_H

#include "core/core.h"
#include "decode/decode.h"
#include "event/event.h"

/* A record whose XML is longer is skipped (counted corrupt): no real record comes near,
 * an event record's binary form is bounded by its 64 KiB chunk. */
#define EVTX_MAX_XML (1u << 20)
/* XML nesting deeper than this makes the record corrupt (real events nest 4-6 deep). */
#define EVTX_MAX_DEPTH 32
/* Elements kept per record; later ones are dropped and the event flagged truncated. */
#define EVTX_MAX_NODES 2048
/* Attributes kept per element; later ones are dropped (flagged truncated). */
#define EVTX_MAX_ATTRS 32

/* Corrupt records read per file before the rest of it is given up (ERR_PARSE): each
 * costs libevtx a parse, and libevtx 20181227 leaks what it had read of one. */
#define EVTX_MAX_CORRUPT 1000

/* What reading one file gave. Filled by evtx_read_file (zeroed first). */
struct evtx_stats {
    uint64_t records;   /* records libevtx lists in the file's readable chunks */
    uint64_t events;    /* records decoded and handed to on_event */
    uint64_t corrupt;   /* records skipped: libevtx or the XML parser refused them */
    uint64_t truncated; /* events cut at EVENT_MAX_RECORD (flagged EVF_TRUNCATED) */
    bool damaged;       /* libevtx found a chunk cut short or failing its checksum */
    uint64_t last_id;   /* EventRecordID of the last record read (0: none) */
    uint64_t next_id;   /* the file header's next record id (records expected: < it) */
    char error[256];    /* why the file could not be read, when the return is non-zero */
};

/* How to read a file and where its events go. The fields belong to the caller. */
struct evtx_reader {
    struct decode_ctx *dc; /* decoding context of the calling thread */
    struct arena *arena;   /* scratch for decoded values: reset before each record */
    struct event *ev;      /* filled per record; ev->input is set to the path */
    /* Called per event; ev (and its slices) is valid only during the call. A non-zero
     * return stops the reading and is returned by evtx_read_file. record_no counts
     * records in file order from 1. */
    int (*on_event)(void *ctx, uint64_t record_no, struct event *ev);
    /* Called per skipped record with a one-line reason (may be NULL). */
    void (*on_skip)(void *ctx, uint64_t record_no, const char *why);
    void *ctx;
};

/*
 * Reads the EVTX file at path and calls r->on_event for each record, in file order.
 * A corrupt record is counted, reported to on_skip and skipped; the others are still
 * read (libevtx drops a chunk that is cut short whole: st->damaged says records may be
 * missing). Returns 0; ERR_PARSE when the file is not EVTX, libevtx cannot open it or
 * more than EVTX_MAX_CORRUPT records are corrupt (what came before was delivered),
 * ERR_IO when it cannot be read, ERR_NOMEM (st->error says why), or on_event's return.
 * The reader's own memory (XML, JSON, expat) goes through mem_*; libevtx allocates
 * with malloc on its own.
 */
int evtx_read_file(const struct evtx_reader *r, const char *path, struct evtx_stats *st);

/*
 * Converts one record's XML xml[0..len) to its JSON form (see above), appending to out.
 * Whitespace-only text between elements is dropped; xmlns attributes are dropped; a
 * repeated element name becomes an array at its first place. The result is at most
 * EVENT_MAX_RECORD bytes: longer values are cut first, then trailing elements dropped,
 * and *cut is set. Returns 0, ERR_PARSE (not well-formed, a DTD or entity declaration,
 * deeper than EVTX_MAX_DEPTH, over EVTX_MAX_XML; out is then as it was), ERR_NOMEM.
 * why (may be NULL) receives a one-line reason on ERR_PARSE.
 */
int evtx_xml_to_json(const char *xml, size_t len, struct buf *out, bool *cut, char *why,
                     size_t why_size);

#endif
