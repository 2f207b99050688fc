#!/usr/bin/python3
"""capture.py: golden cmdmon replies from a real chronyd 4.3, for tests/unit/test_wire_chrony.c.

Run from anywhere, as root, after a build (the harness needs BUILD/nokts.so for the faked
server): `CW_BUILD=/path/to/build /usr/bin/python3 tests/data/chrony/capture.py`. It rewrites
the *.bin, *.req, *.csv files and captures.txt next to itself; commit them.

What runs (all on loopback, all through tests/harness/peers.py, so every chronyd is started
without CAP_SYS_TIME, with -x, checked in /proc, and stopped by its PID):
  - three chronyd servers: 127.0.0.1:12101 and [::1]:12102 with the true time, 127.0.0.2:12103
    15 s ahead under libfaketime (a falseticker);
  - one chronyd client of all three (minpoll/maxpoll 0, iburst), with a SOCK reference clock that
    never gets samples (a '#?' source with a refid instead of an address), its command port on
    127.0.0.1:12110 and its Unix command socket in a private directory.
Once a source is selected and the faked server is a falseticker (a bounded wait), each report
is captured as: our raw request -> reply saved as NAME.bin; `chronyc -c -n` run at once (its
output saved as the oracle, ORACLE.csv); the same raw request again -> NAME.next.bin when that
reply differs. chronyc's request was answered between the two, so each value it printed lies
between (or equals) the two decoded ones; the unit test checks exactly that.

This script encodes requests with its own code (struct), independent of src/wire_chrony.c; the
requests are saved as NAME.req so the C encoder can be compared with what chronyd accepted.
captures.txt lists every capture: name, command, sequence, transport, expected outcome, oracle
file and row. It also records what was observed about requests chronyd ignores.
"""

import glob
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "harness"))
import peers  # noqa: E402

SERVERS = [("127.0.0.1", 12101, None), ("::1", 12102, None), ("127.0.0.2", 12103, 15)]
CMDPORT = 12110
SEQ_BASE = 0x5EED0000

# Request codes, and the padded request length: the longest reply of any chronyd version
# (PROTOCOLS.md §3.3).
N_SOURCES, SOURCE_DATA, TRACKING, SOURCESTATS, ACTIVITY = 14, 15, 33, 34, 44
SERVER_STATS, NTP_DATA, NTP_SOURCE_NAME, SELECT_DATA = 54, 57, 65, 69
PADDED = {N_SOURCES: 32, SOURCE_DATA: 76, TRACKING: 104, SOURCESTATS: 84, ACTIVITY: 48,
          SERVER_STATS: 196, NTP_DATA: 172, NTP_SOURCE_NAME: 284, SELECT_DATA: 76}
AF = {socket.AF_INET: 1, socket.AF_INET6: 2}


def request(cmd, seq, data=b"", length=None, version=6, pkt_type=1, res1=0, attempt=0):
    hdr = struct.pack("!BBBBHHIII", version, pkt_type, res1, 0, cmd, attempt, seq, 0, 0)
    pkt = hdr + data
    length = PADDED.get(cmd, 28) if length is None else length
    return (pkt + bytes(max(0, length - len(pkt))))[:length]


def ip_addr(text):
    """IPAddr: 16 octets of address, u16 family, u16 padding."""
    fam = socket.AF_INET6 if ":" in text else socket.AF_INET
    raw = socket.inet_pton(fam, text)
    return raw + bytes(16 - len(raw)) + struct.pack("!HH", AF[fam], 0)


class Client:
    """The chronyd under test, with its UDP and Unix command sockets."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="cw-chrony-capture-")
        os.chmod(self.dir, 0o750)
        conf = os.path.join(self.dir, "chrony.conf")
        with open(conf, "w") as f:
            f.write("port 0\ncmdport %d\nbindcmdaddress 127.0.0.1\n"
                    "bindcmdaddress %s/chronyd.sock\npidfile %s/chronyd.pid\n"
                    "driftfile %s/drift\nrefclock SOCK %s/refclock.sock\n"
                    % (CMDPORT, self.dir, self.dir, self.dir, self.dir))
            for addr, port, _ in SERVERS:
                f.write("server %s port %d iburst minpoll 0 maxpoll 0\n" % (addr, port))
        argv = peers.SETPRIV + ["chronyd", "-x", "-d", "-u", "root", "-f", conf]
        self.proc = peers.Process("chronyd client", argv, log=os.path.join(self.dir, "log"))
        self.sock_path = os.path.join(self.dir, "chronyd.sock")
        peers.wait_for(lambda: os.path.exists(self.sock_path), 10, "the command socket")
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.connect(("127.0.0.1", CMDPORT))
        # chronyd answers to the sender's address: bind our own socket, writable by chronyd.
        self.unix = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        own = os.path.join(self.dir, "capture.sock")
        self.unix.bind(own)
        os.chmod(own, 0o666)
        self.unix.connect(self.sock_path)

    def send(self, via, pkt, timeout=1.0):
        s = self.udp if via == "udp" else self.unix
        s.settimeout(timeout)
        s.send(pkt)
        try:
            return s.recv(4096)
        except socket.timeout:
            return None

    def chronyc(self, via, *args):
        host = ["-h", "127.0.0.1", "-p", str(CMDPORT)] if via == "udp" else ["-h", self.sock_path]
        r = subprocess.run(peers.SETPRIV + ["chronyc", "-c", "-n"] + host + list(args),
                           capture_output=True, text=True, timeout=10)
        return r.stdout + r.stderr

    def stop(self):
        self.udp.close()
        self.unix.close()
        self.proc.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class Capture:
    def __init__(self, client):
        self.c = client
        self.seq = SEQ_BASE
        self.manifest = []

    def group(self, items, oracle, via_oracle, *chronyc_args):
        """items: (name, cmd, data, via, expect, row). Raw requests, chronyc, raw again."""
        sent = []
        for name, cmd, data, via, expect, row in items:
            self.seq += 1
            pkt = request(cmd, self.seq, data)
            sent.append((name, cmd, via, expect, row, self.seq, pkt, self.c.send(via, pkt)))
        if oracle:
            with open(os.path.join(HERE, oracle), "w") as f:
                f.write(self.c.chronyc(via_oracle, *chronyc_args))
        for name, cmd, via, expect, row, seq, pkt, first in sent:
            if first is None:
                raise peers.HarnessError("%s: no reply" % name)
            again = self.c.send(via, pkt)
            self.save(name, pkt, first, again)
            self.manifest.append((name, cmd, seq, via, expect, oracle or "-",
                                  "-" if row is None else row))

    def save(self, name, pkt, first, again=None):
        with open(os.path.join(HERE, name + ".req"), "wb") as f:
            f.write(pkt)
        with open(os.path.join(HERE, name + ".bin"), "wb") as f:
            f.write(first)
        if again is not None and again != first:
            with open(os.path.join(HERE, name + ".next.bin"), "wb") as f:
                f.write(again)

    def odd(self, name, cmd, via, expect, **kw):
        """A request chronyd should answer with an error status; saved without an oracle."""
        self.seq += 1
        pkt = request(cmd, self.seq, kw.pop("data", b""), **kw)
        rep = self.c.send(via, pkt)
        if rep is None:
            raise peers.HarnessError("%s: no reply" % name)
        self.save(name, pkt, rep)
        self.manifest.append((name, cmd, self.seq, via, expect, "-", "-"))

    def silent(self, what, cmd, via, **kw):
        self.seq += 1
        pkt = request(cmd, self.seq, **kw)
        rep = self.c.send(via, pkt, timeout=0.5)
        return "# %s (%d octets): %s" % (what, len(pkt), "no reply" if rep is None else
                                         "REPLY of %d octets" % len(rep))


def wait_for_selection(c):
    """Bounded: a selected source, the faked server a falseticker, every server reach 377."""
    def ready():
        rows = [line.split(",") for line in c.chronyc("udp", "sources").splitlines()]
        rows = [r for r in rows if len(r) == 10]
        states = {r[2]: (r[1], r[5]) for r in rows}
        return (any(s == "*" for s, _ in states.values())
                and states.get("127.0.0.2", ("", ""))[0] == "x"
                and all(states.get(a, ("", ""))[1] == "377" for a, _, _ in SERVERS))
    peers.wait_for(ready, 60, "a selected source and a falseticker", interval=0.5)


def capture(c):
    cap = Capture(c)
    lines = [r.split(",") for r in c.chronyc("udp", "sources").splitlines()]
    n = len([r for r in lines if len(r) == 10])
    items = [("n_sources", N_SOURCES, b"", "udp", "ok", None)]
    items += [("source_data_%d" % i, SOURCE_DATA, struct.pack("!i", i), "udp", "ok", i)
              for i in range(n)]
    cap.group(items, "sources.csv", "udp", "sources")
    cap.group([("sourcestats_%d" % i, SOURCESTATS, struct.pack("!I", i), "udp", "ok", i)
               for i in range(n)], "sourcestats.csv", "udp", "sourcestats")
    cap.group([("tracking", TRACKING, b"", "udp", "ok", 0)], "tracking.csv", "udp", "tracking")
    cap.group([("activity", ACTIVITY, b"", "udp", "ok", 0)], "activity.csv", "udp", "activity")
    cap.group([("server_stats", SERVER_STATS, b"", "unix", "ok", 0)], "serverstats.csv", "unix",
              "serverstats")
    cap.group([("select_data_%d" % i, SELECT_DATA, struct.pack("!I", i), "unix", "ok", i)
               for i in range(n)], "selectdata.csv", "unix", "selectdata")
    # chronyc lists NTP sources only, in index order: our servers, in configuration order.
    cap.group([("ntp_data_%d" % k, NTP_DATA, ip_addr(a), "unix", "ok", k)
               for k, (a, _, _) in enumerate(SERVERS)], "ntpdata.csv", "unix", "ntpdata")
    for k, (a, _, _) in enumerate(SERVERS):
        cap.group([("source_name_%d" % k, NTP_SOURCE_NAME, ip_addr(a), "udp", "ok", 0)],
                  "sourcename_%d.csv" % k, "udp", "sourcename", a)
    # Refusals: socket-only commands over UDP (chronyc prints "501 Not authorised").
    cap.group([("ntp_data_udp", NTP_DATA, ip_addr("127.0.0.1"), "udp", "unauth", None),
               ("server_stats_udp", SERVER_STATS, b"", "udp", "unauth", None),
               ("select_data_udp", SELECT_DATA, struct.pack("!I", 0), "udp", "unauth", None)],
              "unauth.txt", "udp", "serverstats")
    cap.odd("source_data_nosuch", SOURCE_DATA, "udp", "nosuchsource", data=struct.pack("!i", n))
    cap.odd("ntp_data_nosuch", NTP_DATA, "unix", "nosuchsource", data=ip_addr("127.0.0.9"))
    cap.odd("tracking_short", TRACKING, "udp", "badpktlength", length=28)
    cap.odd("tracking_v5", TRACKING, "udp", "badpktversion", length=104, version=5)
    cap.odd("command_75", 75, "udp", "invalid", length=104)
    notes = [cap.silent("TRACKING request of 27 octets", TRACKING, "udp", length=27),
             cap.silent("TRACKING request of 861 octets", TRACKING, "udp", length=861),
             cap.silent("TRACKING request with res1 = 1", TRACKING, "udp", res1=1),
             cap.silent("TRACKING request with pkt_type 2", TRACKING, "udp", pkt_type=2),
             cap.silent("TRACKING request of protocol version 4", TRACKING, "udp", version=4)]
    long_req = request(TRACKING, cap.seq + 1, length=860)
    rep = c.send("udp", long_req)
    notes.append("# TRACKING request of 860 octets: %s"
                 % ("reply of %d octets" % len(rep) if rep else "no reply"))
    return cap.manifest, notes


def main():
    for pattern in ("*.bin", "*.req", "*.csv", "unauth.txt", "captures.txt"):
        for f in glob.glob(os.path.join(HERE, pattern)):
            os.unlink(f)
    servers, client = [], None
    try:
        for addr, port, offset in SERVERS:
            servers.append(peers.Chronyd(port, addr=addr, offset=offset))
        client = Client()
        caps = peers.caps_of(client.proc.pid)
        assert not (caps["CapEff"] | caps["CapBnd"]) & (1 << peers.CAP_SYS_TIME)
        wait_for_selection(client)
        manifest, notes = capture(client)
        version = subprocess.run(peers.SETPRIV + ["chronyd", "-x", "--version"], capture_output=True,
                                 text=True).stdout.strip()
    finally:
        if client:
            client.stop()
        for s in servers:
            s.stop()
    with open(os.path.join(HERE, "captures.txt"), "w") as f:
        f.write("# Written by capture.py from %s.\n" % version)
        f.write("# name command sequence via expect oracle row\n")
        for m in manifest:
            f.write("%s %d 0x%08x %s %s %s %s\n" % m)
        f.write("\n".join(notes) + "\n")
    print("wrote %d captures to %s" % (len(manifest), HERE))
    print("\n".join(notes))


if __name__ == "__main__":
    main()
