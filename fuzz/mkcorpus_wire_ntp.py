#!/usr/bin/env python3
"""mkcorpus_wire_ntp.py: writes the seed corpus of fuzz_wire_ntp into fuzz/corpus/wire_ntp/.

Run once from the top of the tree; the .bin files are committed, this script documents them.
The fuzz target treats input bytes 0..7 as the transmit timestamp of our request, so a seed that
should be *accepted* repeats its own first 8 bytes in the origin field (bytes 24..31). The
target's T1 is 1700000000 s Unix; T4 is T1 + 20 ms.
"""
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "wire_ntp")
NTP_UNIX = 2208988800
T1 = 1700000000
PREV_XOR = 0x5555555555555555


def ts(unix_s):
    """Unix seconds (float) -> NTP 32.32."""
    sec = int(unix_s // 1) + NTP_UNIX
    frac = int((unix_s - int(unix_s // 1)) * (1 << 32))
    return (sec & 0xFFFFFFFF) << 32 | frac


def header(li=0, vn=4, mode=4, stratum=2, poll=6, precision=-20, root_delay=0x400,
           root_disp=0x200, refid=bytes([192, 0, 2, 1]), ref=None, org=None, rec=None,
           xmt=None, offset=15.0, origin_is_own_head=True, origin_xor=0):
    rec = ts(T1 + offset + 0.01) if rec is None else rec
    xmt = ts(T1 + offset + 0.0101) if xmt is None else xmt
    ref = ts(T1 + offset - 64) if ref is None else ref
    head = struct.pack(">BBbbII", li << 6 | vn << 3 | mode, stratum, poll, precision,
                       root_delay, root_disp)
    if org is None:
        own = struct.unpack(">Q", head[:8])[0]
        org = own ^ origin_xor if origin_is_own_head else 0x1122334455667788
    return head + struct.pack(">4sQQQQ", refid, ref, org, rec, xmt)


def kod(code):
    h = header(li=3, stratum=0, refid=code)
    org = h[24:32]
    return h[:32] + org + org  # ntpd copies our transmit into rec and xmt as well


def ext(ftype, length):
    return struct.pack(">HH", ftype, length) + bytes(i & 0xFF for i in range(length - 4))


SEEDS = {
    "server_reply": header(),
    "stratum1_gps": header(stratum=1, refid=b"GPS\0", offset=0.0005),
    "kod_rate": kod(b"RATE"),
    "kod_deny": kod(b"DENY"),
    "kod_init": kod(b"INIT"),
    "ext_field_16": header() + ext(0x0104, 16),
    "ext_fields_nts": header() + ext(0x0104, 36) + ext(0x0204, 104) + ext(0x0404, 40),
    "mac_md5": header() + struct.pack(">I", 1) + bytes(16),
    "mac_sha1": header() + struct.pack(">I", 2) + bytes(range(20)),
    "crypto_nak": header() + bytes(4),
    "ext_then_mac": header() + ext(0x0104, 16) + struct.pack(">I", 1) + bytes(16),
    "bad_ext_len12": header() + ext(0x0104, 12),
    "truncated": header()[:47],
    "oversize": header() + ext(0x0204, 2004),
    "wrong_mode_client": header(mode=3),
    "unsync_li3": header(li=3),
    "zero_receive": header(rec=0),
    "late_reply": header(origin_xor=PREV_XOR),
    "bogus_origin": header(origin_is_own_head=False),
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(OUT, name + ".bin"), "wb") as f:
            f.write(data)
    print(f"wrote {len(SEEDS)} seeds to {OUT}")


if __name__ == "__main__":
    main()
