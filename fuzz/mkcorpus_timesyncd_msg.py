#!/usr/bin/env python3
"""mkcorpus_timesyncd_msg.py: writes the seed corpus of fuzz_timesyncd_msg into
fuzz/corpus/timesyncd_msg/.

Run once from the top of the tree; the .bin files are committed, this script documents them.
The found_*.bin files are not written here: libFuzzer found them (make fuzz, 300 s) and they
reach branches the named seeds do not.
Layout (little-endian, as fuzz_timesyncd_msg.c reads it): u32 leap, version, mode, stratum; i32
precision; u64 root delay, root dispersion (µs); u8 n + n reference octets; u64 T1..T4 (µs);
i32 spike; u64 packet count, jitter (µs); then i32 family, u8 n + n address octets.
"""
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "timesyncd_msg")
NTP_UNIX = 2208988800
T1 = 1795308173167328                      # seen from timesyncd 252 (TESTBED.md §7)
LOCAL = bytes([127, 127, 1, 1])


def msg(leap=0, vn=4, mode=4, stratum=3, prec=-25, rdelay=0, rdisp=0, ref=LOCAL, t1=T1,
        t2=T1 + 157, t3=T1 + 264, t4=T1 + 282, spike=0, count=1, jitter=0,
        family=2, addr=bytes([127, 0, 0, 1])):
    b = struct.pack("<IIIIiQQ", leap, vn, mode, stratum, prec, rdelay, rdisp)
    b += bytes([len(ref)]) + ref
    b += struct.pack("<QQQQiQQ", t1 & (2**64 - 1), t2 & (2**64 - 1), t3 & (2**64 - 1),
                     t4 & (2**64 - 1), spike, count, jitter)
    b += struct.pack("<i", family) + bytes([len(addr)]) + addr
    return b


def wrapped(unix_us):
    """timesyncd's T2/T3 conversion, (NTP seconds mod 2^32 - 2208988800) * 10^6, in uint64."""
    s, us = divmod(unix_us, 10**6)
    return (((s + NTP_UNIX) % 2**32 - NTP_UNIX) * 10**6 + us) % 2**64


T2040 = 2208988800 * 10**6                  # 2040-01-01, NTP era 1
SEEDS = {
    "seen_252": msg(),
    "plus15_v6": msg(stratum=2, t2=T1 + 15000100, t3=T1 + 15000150, t4=T1 + 300, jitter=1500,
                     family=10, addr=bytes.fromhex("20010db8000000000000000000000001")),
    "minus025": msg(t2=T1 - 249990, t3=T1 - 249970, t4=T1 + 40),
    "no_sample": msg(vn=0, mode=0, stratum=0, prec=0, ref=bytes(4), t1=0, t2=0, t3=0, t4=0,
                     count=0, family=0, addr=b""),
    "stratum1_gps_spike": msg(stratum=1, ref=b"GPS\0", rdelay=15258, rdisp=2500, spike=1,
                              count=123456789, leap=1),
    "era1_2040": msg(t1=T2040, t2=wrapped(T2040 + 15 * 10**6), t3=wrapped(T2040 + 15 * 10**6 + 10),
                     t4=T2040 + 30),
    "t4_before_t1": msg(t4=T1 - 1),
    "t3_before_t2": msg(t3=T1 + 100),
    "negative_delay": msg(t2=T1 + 100, t3=T1 + 400, t4=T1 + 200),
    "bad_refid3": msg(ref=LOCAL[:3]),
    "bad_refid5": msg(ref=LOCAL + b"\0"),
    "bad_leap": msg(leap=4),
    "bad_stratum": msg(stratum=256),
    "bad_precision": msg(prec=-129),
    "bad_root": msg(rdelay=65536 * 10**6 + 1),
    "bad_spike": msg(spike=2),
    "bad_t1_2262": msg(t1=2**63 // 1000 + 1),
    "bad_t2_range": msg(t2=2**62),
    "t2_ntp_zero": msg(t2=-NTP_UNIX * 10**6),
    "bad_family": msg(family=2, addr=bytes(16)),
    "bad_family_unknown": msg(family=1, addr=bytes(4)),
    "empty_family_with_bytes": msg(family=0, addr=bytes(4)),
    "truncated": msg()[:30],
    "bad_version": msg(vn=8),
    "bad_mode": msg(mode=8),
    "bad_precision_high": msg(prec=128),
    "bad_root_dispersion": msg(rdisp=65536 * 10**6 + 1),
    "bad_spike_negative": msg(spike=-1),
    "bad_t4_infinity": msg(t4=2**64 - 1),
    "bad_t3_range": msg(t3=(2**32 - NTP_UNIX) * 10**6),
    "t1_zero_t2_late": msg(t1=0, t2=2085978495 * 10**6, t3=2085978495 * 10**6, t4=10),
    "v6_short": msg(family=10, addr=bytes(4)),
}

os.makedirs(OUT, exist_ok=True)
for name, data in SEEDS.items():
    with open(os.path.join(OUT, name + ".bin"), "wb") as f:
        f.write(data)
print("wrote %d seeds to %s" % (len(SEEDS), OUT))
