/*
 * detect_memo.h — what scanning one value under one field scan decided, remembered per
 * thread (private to src/detect).
 *
 * The scan of a value is a function of the value and the scan alone: the literals,
 * exact-value tables and regexes of that field name give the same targets for the same
 * bytes. Logs repeat their values (Image, User, the command lines of services and
 * scheduled tasks), so detect_match asks the memo before scanning: a value seen lately
 * gives back its targets without Hyperscan, PCRE2 or the hit callbacks.
 *
 * Memory is fixed when the memo is made (no allocation per event): a table of slots,
 * each naming a record in a ring of bytes that holds the value and its targets. A new
 * record is written at the ring's head and a newer value takes the slot of an older
 * one; a record the head has passed over is gone. Values longer than MEMO_VALUE_MAX and
 * scans that hold more than MEMO_TARGETS targets are not remembered.
 */
#ifndef VIGIL_DETECT_MEMO_H
#define VIGIL_DETECT_MEMO_H

#include "detect/detect_matcher.h"

#define MEMO_VALUE_MAX 1024
#define MEMO_TARGETS 1024

struct scan_memo;

/* A memo of 2^slot_bits slots over a ring of 2^ring_bits bytes (at least 2^15), or
 * NULL when memory is short. */
struct scan_memo *scan_memo_new(unsigned slot_bits, unsigned ring_bits);
/* Frees the memo. */
void scan_memo_free(struct scan_memo *mo);

/* The hash scan_memo_find and scan_memo_start take for value v under scan number scan. */
uint64_t scan_memo_hash(uint32_t scan, struct slice v);
/* The targets remembered for v under scan number scan: their number, with *targets
 * pointing at them; -1 when v is not remembered. Counts the lookup. */
int scan_memo_find(struct scan_memo *mo, uint64_t hash, uint32_t scan, struct slice v,
                   const struct target *const **targets);
/* Starts remembering v under scan number scan (false when it is too long to be): add
 * its targets with scan_memo_add, then end with scan_memo_end. */
bool scan_memo_start(struct scan_memo *mo, uint64_t hash, uint32_t scan, struct slice v);
/* Notes that target t holds for the value being remembered. */
void scan_memo_add(struct scan_memo *mo, const struct target *t);
/* Ends the record scan_memo_start began: findable when the scan went well (ok) and its
 * targets fitted, else forgotten. */
void scan_memo_end(struct scan_memo *mo, bool ok);
/* Forgets every value remembered (the counts stay). */
void scan_memo_forget(struct scan_memo *mo);
/* Lookups and how many of them found their value, since the memo was made. */
void scan_memo_counts(const struct scan_memo *mo, uint64_t *lookups, uint64_t *found);

#endif
