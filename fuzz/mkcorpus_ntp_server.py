#!/usr/bin/env python3
"""mkcorpus_ntp_server.py: writes the seed corpus of fuzz_ntp_server into fuzz/corpus/ntp_server/.

Run once from the top of the tree; the .bin files are committed, this script documents them.
Each seed is one datagram as the responder would receive it: client requests as real clients
send them, and what it must refuse (other modes, versions, lengths, MACs, extension fields).
The found_*.bin files beside them are inputs a libFuzzer run added (-merge=1 against these
seeds, named by their SHA-1): this script neither writes nor removes them.
"""
import os
import pathlib
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "ntp_server")


def request(li=0, vn=4, mode=3, stratum=0, poll=6, precision=-23, xmt=0x0123456789ABCDEF,
            rest=b"\0" * 28):
    """A client request: chrony's and ntpd's leave everything but the first octet, poll and
    transmit at 0; rest fills root delay .. receive timestamp (28 octets)."""
    return struct.pack(">BBbb", li << 6 | vn << 3 | mode, stratum, poll, precision) + rest + \
        struct.pack(">Q", xmt)


def ext(ftype, length):
    return struct.pack(">HH", ftype, length) + bytes(i & 0xFF for i in range(length - 4))


SEEDS = {
    "client_v4": request(),
    "client_v3": request(vn=3),
    "client_v1": request(vn=1, mode=3),
    "client_li3_junk_fields": request(li=3, stratum=16, rest=bytes(range(28))),
    "client_zero_xmt": request(xmt=0),
    "sntp_minimal": bytes([0x1B]) + bytes(47),  # LI 0, VN 3, mode 3: the classic SNTP probe
    "server_mode4": request(mode=4),
    "broadcast_mode5": request(mode=5),
    "control_mode6": bytes([0x16, 0x02, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]),  # READSTAT
    "private_mode7": bytes([0x17, 0x00, 0x03, 0x2A]) + bytes(4),  # monlist, the amplifier
    "symmetric_mode1": request(mode=1),
    "version0": request(vn=0),
    "version5": request(vn=5),
    "short47": request()[:47],
    "empty": b"",
    "len49": request() + b"\0",
    "crypto_nak": request() + bytes(4),
    "mac_md5": request() + struct.pack(">I", 1) + bytes(16),
    "mac_sha1": request() + struct.pack(">I", 2) + bytes(20),
    "nts_request": request() + ext(0x0104, 36) + ext(0x0204, 104) + ext(0x0404, 40),
    "ext_bad_len": request() + ext(0x0104, 12),
    "oversize": request() + ext(0x0204, 2004),
}


def main():
    out = pathlib.Path(OUT)
    out.mkdir(parents=True, exist_ok=True)
    for name, data in SEEDS.items():
        (out / (name + ".bin")).write_bytes(data)
    print("%d seeds in %s" % (len(SEEDS), out))


if __name__ == "__main__":
    main()
