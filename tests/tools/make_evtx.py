#!/usr/bin/env python3
"""make_evtx.py — builds Windows EVTX files for Vigil's tests (no real .evtx exists on
the build machines and none may be downloaded). Python 3 standard library only.

The file is what Windows writes, without templates: a 4 KiB file header ("ElfFile\\0",
CRC32 of its first 120 bytes), 64 KiB chunks ("ElfChnk\\0", CRC32 of the header and of
the records), and event records ("**\\0\\0", size, record id, FILETIME, Binary XML, size
again). The Binary XML of a record is a fragment header followed by plain element
tokens (open start element with inline name, attributes, close start/empty element,
UTF-16 value text, end element) and end of stream; libevtx renders it as the record's
XML exactly as it renders a template-based record.

Usage:
    make_evtx.py OUT.evtx [EVENTS.jsonl|-] [--cut N] [--corrupt-record K] [--big-data N]

EVENTS.jsonl holds one event per line, a JSON object with any of:
    channel, event_id, provider, computer, time ("2024-11-25T10:00:00.1234567Z"),
    record_id, level, task, opcode, keywords, user_id, pid, tid,
    data (an object: <Data Name="k">v</Data>; or a list: unnamed <Data>v</Data>),
    user_data ({"Wrapper": {"Field": "v", ...}}),
    xml (an element tree [name, {attrs}, [children: trees or strings]] used as is).
--cut N            keeps only the first N bytes of the file (a truncated copy)
--corrupt-record K overwrites the Binary XML of the K-th record (1-based) with garbage
                   and fixes the chunk's records CRC, so only that record is bad
                   (K = -1: every record)
--big-data N       adds to every event a Data element "Big" of N characters

As a module: build(events) -> bytes, event_tree(spec) -> element tree.
"""
import datetime
import json
import struct
import sys
import zlib

CHUNK_SIZE = 65536
CHUNK_HEADER = 512
FILE_HEADER = 4096


def crc32(data):
    return zlib.crc32(data) & 0xFFFFFFFF


def filetime(iso):
    """FILETIME (100 ns since 1601-01-01 UTC) of an ISO 8601 UTC time ending in Z."""
    s = iso.rstrip("Z")
    frac = 0
    if "." in s:
        s, f = s.split(".", 1)
        frac = int((f + "0000000")[:7])
    dt = datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S").replace(
        tzinfo=datetime.timezone.utc)
    epoch = datetime.datetime(1601, 1, 1, tzinfo=datetime.timezone.utc)
    return int((dt - epoch).total_seconds()) * 10000000 + frac


def name_hash(name):
    h = 0
    for unit in struct.unpack("<%dH" % units(name), utf16(name)):
        h = (h * 65599 + unit) & 0xFFFFFFFF
    return h & 0xFFFF


def utf16(s):
    return s.encode("utf-16-le", "surrogatepass")  # lone surrogates: real logs hold them


def units(s):
    return len(utf16(s)) // 2


class Writer:
    """Encodes Binary XML at a known offset in its chunk (names are stored inline, and
    an inline name's offset is its own position in the chunk)."""

    def __init__(self, base):
        self.base = base
        self.out = bytearray()

    def pos(self):
        return self.base + len(self.out)

    def put_name(self, name):
        self.out += struct.pack("<IHH", 0, name_hash(name), units(name))
        self.out += utf16(name) + b"\0\0"

    def put_text(self, text):
        if units(text) > 0xFFFF:
            raise ValueError("a value over 65535 UTF-16 units")
        self.out += bytes([0x05, 0x01]) + struct.pack("<H", units(text)) + utf16(text)

    def element(self, tree):
        name, attrs, children = tree
        self.out += bytes([0x41 if attrs else 0x01]) + struct.pack("<H", 0xFFFF)
        size_at = len(self.out)
        self.out += b"\0\0\0\0"
        self.out += struct.pack("<I", self.pos() + 4)
        self.put_name(name)
        if attrs:
            list_at = len(self.out)
            self.out += b"\0\0\0\0"
            items = list(attrs.items())
            for i, (k, v) in enumerate(items):
                self.out += bytes([0x46 if i + 1 < len(items) else 0x06])
                self.out += struct.pack("<I", self.pos() + 4)
                self.put_name(k)
                self.put_text(str(v))
            struct.pack_into("<I", self.out, list_at, len(self.out) - list_at - 4)
        if children:
            self.out.append(0x02)
            for c in children:
                if isinstance(c, str):
                    self.put_text(c)
                else:
                    self.element(c)
            self.out.append(0x04)
        else:
            self.out.append(0x03)
        struct.pack_into("<I", self.out, size_at, len(self.out) - size_at - 4)


def binxml(tree, base):
    w = Writer(base)
    w.out += bytes([0x0F, 0x01, 0x01, 0x00])  # fragment header 1.1
    w.element(tree)
    w.out.append(0x00)  # end of stream
    return bytes(w.out)


def event_tree(spec, record_id):
    """The element tree of an event given as a dict (see the module's comment)."""
    if "xml" in spec:
        def conv(t):
            if isinstance(t, str):
                return t
            return (t[0], dict(t[1]), [conv(c) for c in t[2]])
        return conv(spec["xml"])
    t = spec.get("time", "2024-11-25T10:00:00.1234567Z")
    system = [
        ("Provider", {"Name": spec.get("provider", "Microsoft-Windows-Sysmon")}, []),
        ("EventID", {}, [str(spec.get("event_id", 1))]),
        ("Version", {}, [str(spec.get("version", 5))]),
        ("Level", {}, [str(spec.get("level", 4))]),
        ("Task", {}, [str(spec.get("task", 1))]),
        ("Opcode", {}, [str(spec.get("opcode", 0))]),
        ("Keywords", {}, [spec.get("keywords", "0x8000000000000000")]),
        ("TimeCreated", {"SystemTime": t}, []),
        ("EventRecordID", {}, [str(spec.get("record_id", record_id))]),
        ("Correlation", {}, []),
        ("Execution", {"ProcessID": str(spec.get("pid", 3000)),
                       "ThreadID": str(spec.get("tid", 4000))}, []),
        ("Channel", {}, [spec.get("channel", "Microsoft-Windows-Sysmon/Operational")]),
        ("Computer", {}, [spec.get("computer", "ws01.corp.local")]),
        ("Security", {"UserID": spec["user_id"]} if "user_id" in spec else {}, []),
    ]
    body = []
    data = spec.get("data")
    if isinstance(data, dict):
        body.append(("EventData", {}, [("Data", {"Name": k}, [str(v)] if str(v) else [])
                                       for k, v in data.items()]))
    elif isinstance(data, list):
        body.append(("EventData", {}, [("Data", {}, [str(v)]) for v in data]))
    ud = spec.get("user_data")
    if ud:
        body.append(("UserData", {}, [
            (wrap, {"xmlns": "http://manifests.microsoft.com/win/2004/08/windows/eventlog"},
             [(k, {}, [str(v)]) for k, v in fields.items()]) for wrap, fields in ud.items()]))
    return ("Event", {"xmlns": "http://schemas.microsoft.com/win/2004/08/events/event"},
            [("System", {}, system)] + body)


def record(spec, record_id, base):
    body = binxml(event_tree(spec, record_id), base + 24)
    size = 24 + len(body) + 4
    ft = filetime(spec.get("time", "2024-11-25T10:00:00.1234567Z"))
    return (b"**\0\0" + struct.pack("<IQQ", size, record_id, ft) + body +
            struct.pack("<I", size))


def chunk(recs):
    """recs: list of (record_id, bytes). Returns the 64 KiB chunk."""
    c = bytearray(CHUNK_SIZE)
    c[0:8] = b"ElfChnk\0"
    off = CHUNK_HEADER
    last = off
    for _, data in recs:
        c[off:off + len(data)] = data
        last = off
        off += len(data)
    first_id, last_id = recs[0][0], recs[-1][0]
    struct.pack_into("<QQQQIII", c, 8, first_id, last_id, first_id, last_id, 128, last, off)
    fix_chunk(c, off)
    return c


def fix_chunk(c, free):
    struct.pack_into("<I", c, 52, crc32(bytes(c[CHUNK_HEADER:free])))
    struct.pack_into("<I", c, 124, crc32(bytes(c[0:120]) + bytes(c[128:CHUNK_HEADER])))


def build(events, corrupt_record=0):
    """The bytes of an EVTX file holding events (dicts), record ids from 1; with
    corrupt_record K the K-th record's Binary XML is garbage (-1: every record's)."""
    chunks = []
    cur = []
    off = CHUNK_HEADER
    rid = 1
    spans = []  # (chunk index, offset, size) per record
    for spec in events:
        data = record(spec, rid, off)
        if off + len(data) > CHUNK_SIZE:
            if not cur:
                raise ValueError("an event over one chunk")
            chunks.append(cur)
            cur = []
            off = CHUNK_HEADER
            data = record(spec, rid, off)
        spans.append((len(chunks), off, len(data)))
        cur.append((rid, data))
        off += len(data)
        rid += 1
    if cur:
        chunks.append(cur)
    body = [chunk(c) for c in chunks]
    bad = spans if corrupt_record == -1 else \
        [spans[corrupt_record - 1]] if corrupt_record else []
    for ci, roff, rsize in bad:
        c = body[ci]
        for i in range(roff + 24, roff + rsize - 4):
            c[i] = 0xEE
    for ci in sorted(set(b[0] for b in bad)):
        fix_chunk(body[ci], struct.unpack_from("<I", body[ci], 48)[0])
    nchunks = len(body)
    h = bytearray(FILE_HEADER)
    h[0:8] = b"ElfFile\0"
    struct.pack_into("<QQQIHHH", h, 8, 0, max(nchunks - 1, 0), rid, 128, 1, 3, FILE_HEADER)
    struct.pack_into("<H", h, 42, nchunks)
    struct.pack_into("<I", h, 120, 0)
    struct.pack_into("<I", h, 124, crc32(bytes(h[0:120])))
    return bytes(h) + b"".join(bytes(c) for c in body)


def main(argv):
    args = list(argv[1:])
    opts = {"--cut": 0, "--corrupt-record": 0, "--big-data": 0}
    pos = []
    while args:
        a = args.pop(0)
        if a in opts and args:
            opts[a] = int(args.pop(0))
        elif a.startswith("--"):
            sys.stderr.write("make_evtx.py: unknown option %s\n" % a)
            return 2
        else:
            pos.append(a)
    if not pos or len(pos) > 2:
        sys.stderr.write(__doc__)
        return 2
    src = sys.stdin if len(pos) == 1 or pos[1] == "-" else open(pos[1], encoding="utf-8")
    events = [json.loads(l) for l in src if l.strip()]
    if opts["--big-data"]:
        for e in events:
            if isinstance(e.get("data"), dict):
                e["data"]["Big"] = "A" * opts["--big-data"]
    data = build(events, opts["--corrupt-record"])
    if opts["--cut"]:
        data = data[:opts["--cut"]]
    with open(pos[0], "wb") as f:
        f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
