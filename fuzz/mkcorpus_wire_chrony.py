#!/usr/bin/python3
"""mkcorpus_wire_chrony.py: writes the seed corpus of fuzz_wire_chrony into fuzz/corpus/wire_chrony/.

Run once from anywhere; the .bin files are committed, this script documents them. The seeds are
the golden replies chronyd 4.3 sent (tests/data/chrony, written by capture.py there) plus the
layouts 4.3 does not send, derived from them: SERVER_STATS of 2.3-3.x, 4.0-4.1 and 4.4+, and
NTP_DATA2 of 4.6+. The fuzz target takes the command and sequence to expect from the datagram's
own header, so every seed reaches its report decoder. The found_*.bin files are not written here:
they are what a 100 s libFuzzer run added to coverage (`-merge=1` over these seeds), kept so the
replay test walks the error paths too.
"""
import glob
import os
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus", "wire_chrony")
GOLDEN = os.path.join(HERE, "..", "tests", "data", "chrony")


def with_code(hdr, code, body):
    return hdr[:6] + struct.pack("!H", code) + hdr[8:28] + body


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in glob.glob(os.path.join(OUT, "golden_*.bin")) + glob.glob(os.path.join(OUT, "v_*.bin")):
        os.unlink(f)
    for f in sorted(glob.glob(os.path.join(GOLDEN, "*.bin"))):
        shutil.copy(f, os.path.join(OUT, "golden_" + os.path.basename(f)))
    stats = open(os.path.join(GOLDEN, "server_stats.bin"), "rb").read()
    variants = {
        "v_server_stats1.bin": with_code(stats, 14, struct.pack("!5I", 10, 11, 12, 13, 14)),
        "v_server_stats2.bin": with_code(stats, 22, struct.pack("!8I", *range(20, 28))),
        "v_server_stats4.bin": with_code(stats, 25, b"".join(
            struct.pack("!II", i, 100 + i) for i in range(17)) + b"\xff" * 32),
    }
    ntp = open(os.path.join(GOLDEN, "ntp_data_0.bin"), "rb").read()
    variants["v_ntp_data2.bin"] = with_code(ntp, 26, ntp[28:140] + struct.pack("!4I", 1, 2, 3, 4)
                                            + b"\xff" * 16)
    for name, data in variants.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    print("wrote %d seeds to %s" % (len(glob.glob(os.path.join(OUT, "*.bin"))), OUT))


if __name__ == "__main__":
    main()
