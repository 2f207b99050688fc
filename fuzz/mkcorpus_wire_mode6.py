#!/usr/bin/python3
"""mkcorpus_wire_mode6.py: writes the seed corpus of fuzz_wire_mode6 into fuzz/corpus/wire_mode6/.

Run once from the top of the tree; the .bin files are committed, this script documents them.
Seeds come from the golden NTPsec 1.2.2 replies in tests/data/mode6 (see capture.py there):
each reply as the target's input layout (byte 0 opcode, 1-2 sequence, 3-4 association, 5 limits,
then u16-length-prefixed datagrams) in arrival order, reversed, with a duplicate and a stray,
and under lowered limits; plus reassembled texts and hand-written hostile variable lists, which
the target also parses directly. Inputs named found_*.bin came from a libFuzzer run (each added
edge coverage the seeds lacked); this script leaves them alone.
"""
import glob
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus", "wire_mode6")
GOLDEN = os.path.join(os.path.dirname(HERE), "tests", "data", "mode6")


def requests():
    """name -> (opcode, assoc) from requests.txt."""
    out = {}
    with open(os.path.join(GOLDEN, "requests.txt")) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            name, op, assoc, _ = line.split(" ", 3)
            out[name] = (int(op), int(assoc))
    return out


def frags(name):
    """NAME-1.bin, NAME-2.bin, ... (not NAME-list-1.bin)."""
    out = []
    for i in range(1, 33):
        path = os.path.join(GOLDEN, "%s-%d.bin" % (name, i))
        if not os.path.exists(path):
            break
        out.append(open(path, "rb").read())
    return out


def seed(op, seq, assoc, datagrams, limits=None):
    b0 = op & 0x1F | (0x80 if limits is not None else 0)
    head = struct.pack(">BHHB", b0, seq, assoc, limits or 0)
    return head + b"".join(struct.pack(">H", len(d)) + d for d in datagrams)


def text_of(datagrams):
    parts = []
    for d in datagrams:
        off, count = struct.unpack(">HH", d[8:12])
        parts.append((off, d[12:12 + count]))
    return b"".join(p for _, p in sorted(parts))


HOSTILE = [
    b'a=1, b="x, y", c, d=',
    b'a="abc, b=2\r\nc=3',
    b'a="x"y, b=2, =5, a b=1, c\x01=2',
    b'a=1\x00\x00, b=2\x00\x00\x00, x=1\x00y',
    b'filtdelay=\xb0\xbd\xedv\xfc\x7f 0\xe3\xb8\xac\xee 0.01 0.02 0.02 0.01 0.01 0.03 0.01 0.01',
    b'offset=1e5, delay=nan, jitter=99999999999999999999999, reach=0x1ff, flash=0x2001',
    b'reftime=0xeeacba36.7a37f52, rec=0x1eeacba36.7a37f52c, leap=11, leap=12',
    b'rootdispersion=7.987, poll=6, jitter=0.250, noise=0.119, stability=0.004',
    b", ".join(b"v%d=%d" % (i, i) for i in range(300)),
]


def main():
    os.makedirs(OUT, exist_ok=True)
    for old in glob.glob(os.path.join(OUT, "*.bin")):
        if not os.path.basename(old).startswith("found_"):
            os.remove(old)
    n = 0

    def write(name, data):
        nonlocal n
        with open(os.path.join(OUT, name + ".bin"), "wb") as f:
            f.write(data)
        n += 1

    for name, (op, assoc) in sorted(requests().items()):
        ds = frags(name)
        if not ds:
            continue
        seq = struct.unpack(">H", ds[0][2:4])[0]
        write("golden_" + name, seed(op, seq, assoc, ds))
        if len(ds) > 1:
            write("golden_" + name + "_reversed", seed(op, seq, assoc, ds[::-1]))
        stray = bytearray(ds[0])
        stray[3] ^= 1
        write("golden_" + name + "_dup_stray", seed(op, seq, assoc, [bytes(stray)] + ds + ds[:1]))
        write("golden_" + name + "_limits", seed(op, seq, assoc, ds, limits=4))
        if not ds[0][1] & 0x40:
            write("text_" + name, text_of(ds))
    for i, h in enumerate(HOSTILE):
        write("hostile_%02d" % i, h)
    print("wrote %d seeds to %s" % (n, OUT))


if __name__ == "__main__":
    main()
