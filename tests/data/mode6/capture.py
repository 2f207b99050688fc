#!/usr/bin/python3
"""Captures golden NTP mode 6 replies from a real NTPsec ntpd for tests/unit/test_wire_mode6.c.

    /usr/bin/python3 tests/data/mode6/capture.py --ntpsec DIR [--out DIR]

DIR is an unpacked ntpsec package (`apt-get download ntpsec; dpkg -x ntpsec_*.deb DIR`: the
ntpd is DIR/usr/sbin/ntpd, the oracle DIR/usr/bin/ntpq, which needs python3-ntp). Needs root,
chronyd, iproute2, setpriv and libfaketime. What it does (TESTBED.md §0, §3, §4):

  - two network namespaces of its own, cwm6-c-PID (client) and cwm6-s-PID (servers), joined
    by a veth pair on 10.200.6.0/24; nothing is sent outside them or loopback;
  - three chronyd servers (-x) in the server namespace on 10.200.6.11, .12 and .13 port 123,
    the last one under libfaketime 15 s ahead, so ntpd marks it a falseticker;
  - ntpd in the client namespace, minpoll 0, with the restrict lines ntpsec needs to answer
    mode 6 on 127.0.0.1;
  - waits (bounded) until ntpd has a system peer, a falseticker and reach 377 everywhere;
  - then, from inside the client namespace, sends its own mode 6 requests to 127.0.0.1:123 and
    saves each reply datagram (every fragment, in arrival order) as <name>-<n>.bin, runs
    `ntpq -n -c "rv 0" -c as -c "rv ID"...` as the oracle (ntpq.txt) and repeats its own
    requests: a round counts only when both passes decoded the same (bar `clock`), so ntpq saw
    the same state as the saved datagrams; requests.txt lists what was asked;
  - sends a few probe requests that check PROTOCOLS.md §2 claims (unpadded request, count
    beyond the data, request versions 1 and 4) and writes their reply headers to probes.txt.

Every daemon runs through setpriv without CAP_SYS_TIME (checked in /proc/PID/status), is
stopped by its PID, and the namespaces are deleted, in a finally block. Every wait is bounded.
The run that produced the committed files: NTPsec 1.2.2 (Debian 12 ntpsec 1.2.2+dfsg1-1+deb12u1),
chrony 4.3 (Debian 12).

The internal `--client CMD` mode is what runs inside the client namespace.
"""

import argparse
import glob
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
PY = "/usr/bin/python3"
LIBFAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"
CAP_SYS_TIME = 25
SETPRIV = ["setpriv", "--bounding-set", "-sys_time", "--inh-caps", "-sys_time",
           "--ambient-caps", "-sys_time", "--"]
NET = "10.200.6"
CLIENT_ADDR = NET + ".1"
SERVER_ADDR = NET + ".2"
SERVERS = [(NET + ".11", None), (NET + ".12", None), (NET + ".13", 15)]  # (address, offset s)
READSTAT, READVAR = 1, 2
SEL_FALSETICK, SEL_SYSPEER = 1, 6


class CaptureError(Exception):
    pass


# ----------------------------------------------------------------------------------------------
# Mode 6 on the client side: an implementation of its own, independent of src/wire_mode6.c.

def m6_request(op, seq, assoc, data=b"", pad=True, version=2):
    pkt = struct.pack("!BBHHHHH", (version << 3) | 6, op & 0x1F, seq, 0, assoc, 0, len(data))
    pkt += data
    if pad:
        pkt += b"\0" * (-len(pkt) % 4)
    return pkt


def m6_header(d):
    b0, b1, seq, status, assoc, off, count = struct.unpack("!BBHHHHH", d[:12])
    return {"vn": (b0 >> 3) & 7, "mode": b0 & 7, "r": bool(b1 & 0x80), "e": bool(b1 & 0x40),
            "m": bool(b1 & 0x20), "op": b1 & 0x1F, "seq": seq, "status": status,
            "assoc": assoc, "offset": off, "count": count}


def m6_exchange(sock, op, assoc, data, seq, timeout=2.0, **kw):
    """Sends one request; returns every reply datagram with our sequence, in arrival order."""
    sock.send(m6_request(op, seq, assoc, data, **kw))
    frags, have, end = [], {}, None
    deadline = time.monotonic() + timeout
    for _ in range(64):
        left = deadline - time.monotonic()
        if left <= 0:
            break
        sock.settimeout(left)
        try:
            d = sock.recv(4096)
        except socket.timeout:
            break
        if len(d) < 12:
            continue
        h = m6_header(d)
        if h["mode"] != 6 or not h["r"] or h["seq"] != seq or h["op"] != op:
            continue
        frags.append(d)
        if h["e"]:
            break
        have[h["offset"]] = h["count"]
        if not h["m"]:
            end = h["offset"] + h["count"]
        if end is not None:
            pos = 0
            while pos in have and have[pos] > 0:
                pos += have[pos]
            if pos >= end:
                break
    return frags


def m6_join(frags):
    """(header of the last fragment, payload) of a complete reply."""
    parts = sorted((m6_header(d)["offset"], d[12:12 + m6_header(d)["count"]]) for d in frags)
    last = [m6_header(d) for d in frags if not m6_header(d)["m"]]
    return (last[0] if last else None), b"".join(p for _, p in parts)


def m6_vars(text):
    """name -> value of a variable list: split on commas outside quotes."""
    out, item, quoted = {}, "", False
    for ch in text.decode("latin-1") + ",":
        if ch == '"':
            quoted = not quoted
        if ch == "," and not quoted:
            item = item.strip()
            if item:
                name, _, value = item.partition("=")
                out[name.strip()] = value.strip()
            item = ""
        else:
            item += ch
    return out


class Client:
    """Runs inside the client namespace: talks mode 6 to ntpd on 127.0.0.1:123."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.connect(("127.0.0.1", 123))
        self.seq = (os.getpid() * 7) & 0xFFFF

    def ask(self, op, assoc, data=b"", **kw):
        self.seq = (self.seq + 1) & 0xFFFF or 1
        return m6_exchange(self.sock, op, assoc, data, self.seq, **kw)

    def peers(self):
        """[(assoc, status, srcadr, reach)], system status; or None when ntpd does not answer."""
        frags = self.ask(READSTAT, 0)
        if not frags:
            return None
        h, data = m6_join(frags)
        if h is None or h["e"]:
            return None
        out = []
        for i in range(0, len(data) - 3, 4):
            assoc, st = struct.unpack("!HH", data[i:i + 4])
            vh, text = m6_join(self.ask(READVAR, assoc, b"srcadr,reach"))
            v = m6_vars(text) if vh and not vh["e"] else {}
            out.append((assoc, st, v.get("srcadr", "?"), int(v.get("reach", "0"), 16)))
        return out, h["status"]

    def requests(self, peers):
        """The set of requests whose replies become golden files: (name, op, assoc, data)."""
        by_addr = {p[2]: p for p in peers}
        sys_peer = [p for p in peers if (p[1] >> 8) & 7 == SEL_SYSPEER][0]
        falsetick = [p for p in peers if (p[1] >> 8) & 7 == SEL_FALSETICK][0]
        free = [a for a in range(1, 100) if a not in [p[0] for p in peers]][0]
        reqs = [("readstat", READSTAT, 0, b""), ("sysvars", READVAR, 0, b"")]
        for addr, _ in SERVERS:
            if addr in by_addr:
                reqs.append(("peervars-" + addr.split(".")[-1], READVAR, by_addr[addr][0], b""))
        reqs += [
            ("sysvars-list", READVAR, 0, b"leap,stratum,refid,offset,sys_jitter,peer"),
            ("peervars-list", READVAR, sys_peer[0],
             b"srcadr,reach,flash,offset,filtdelay,filtoffset,filtdisp"),
            ("readstat-assoc", READSTAT, falsetick[0], b""),
            ("err-unknownvar", READVAR, 0, b"nosuchvar"),
            ("err-badassoc", READVAR, free, b""),
            ("err-badop", 13, 0, b""),
        ]
        return reqs

    def capture(self, ntpq):
        got = self.peers()
        if got is None:
            return {"error": "no READSTAT reply"}
        peers, _ = got
        reqs = self.requests(peers)
        before = {name: self.ask(op, assoc, data) for name, op, assoc, data in reqs}
        argv = SETPRIV + [ntpq, "-n", "-c", "rv 0", "-c", "as"]
        for p in sorted(peers):
            argv += ["-c", "rv %d" % p[0]]
        oracle = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                timeout=20).stdout.decode("utf-8", "replace")
        after = {name: self.ask(op, assoc, data) for name, op, assoc, data in reqs}
        diffs = []
        for name in before:
            a, b = m6_join(before[name]), m6_join(after[name])
            if not before[name] or a[0] is None:
                diffs.append("%s: incomplete reply" % name)
            elif a[0]["status"] != b[0]["status"]:
                diffs.append("%s: status %04x -> %04x" % (name, a[0]["status"], b[0]["status"]))
            elif name.startswith("readstat"):
                if a[1] != b[1]:
                    diffs.append("%s: data changed" % name)
            else:
                va, vb = m6_vars(a[1]), m6_vars(b[1])
                for k in sorted(set(va) | set(vb)):
                    if k != "clock" and va.get(k) != vb.get(k):
                        diffs.append("%s: %s %s -> %s" % (name, k, va.get(k), vb.get(k)))
        return {"replies": {n: [d.hex() for d in f] for n, f in before.items()},
                "requests": [[n, op, assoc, data.decode()] for n, op, assoc, data in reqs],
                "oracle": oracle, "diffs": diffs}

    def probes(self):
        """Requests that check PROTOCOLS.md §2 claims: reply headers or None (no reply)."""
        out = {}
        cases = {
            "unpadded": dict(op=READVAR, assoc=0, data=b"stratum", pad=False),
            "vn4": dict(op=READVAR, assoc=0, data=b"stratum", version=4),
            "vn1": dict(op=READVAR, assoc=0, data=b"stratum", version=1),
        }
        for name, c in cases.items():
            f = self.ask(c.pop("op"), c.pop("assoc"), c.pop("data"), timeout=1.0, **c)
            out[name] = [dict(m6_header(d), len=len(d), data=d[12:].hex()) for d in f]
        # count larger than the data present: build it by hand
        self.seq = (self.seq + 1) & 0xFFFF or 1
        pkt = struct.pack("!BBHHHHH", (2 << 3) | 6, READVAR, self.seq, 0, 0, 0, 40) + b"leap"
        self.sock.send(pkt)
        try:
            self.sock.settimeout(1.0)
            d = self.sock.recv(4096)
            out["count_beyond"] = [dict(m6_header(d), len=len(d))]
        except socket.timeout:
            out["count_beyond"] = []
        return out


def client_main(cmd, args):
    c = Client()
    if cmd == "peers":
        got = c.peers()
        print(json.dumps(None if got is None else {"peers": got[0], "sys": got[1]}))
    elif cmd == "capture":
        print(json.dumps(c.capture(args[0])))
    elif cmd == "probes":
        print(json.dumps(c.probes()))
    elif cmd == "ping":
        ok = []
        for addr in args:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.settimeout(0.3)
                xmt = os.urandom(8)
                try:
                    s.sendto(struct.pack("!B39x", (4 << 3) | 3) + xmt, (addr, 123))
                    d = s.recv(512)
                    ok.append(len(d) >= 48 and d[24:32] == xmt)
                except OSError:
                    ok.append(False)
        print(json.dumps(ok))
    else:
        raise SystemExit("unknown client command %s" % cmd)


# ----------------------------------------------------------------------------------------------
# The testbed, run in the root namespace.

def run(argv, **kw):
    return subprocess.run(argv, check=True, **kw)


def has_sys_time(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(("CapEff:", "CapBnd:")):
                if int(line.split(":")[1], 16) & (1 << CAP_SYS_TIME):
                    return True
    return False


class Testbed:
    def __init__(self, ntpsec, shim):
        self.ntpsec, self.shim = ntpsec, shim
        self.procs, self.netns = [], []
        self.dir = tempfile.mkdtemp(prefix="cwm6-")
        os.chmod(self.dir, 0o750)
        tag = os.getpid()
        self.c, self.s = "cwm6-c-%d" % tag, "cwm6-s-%d" % tag

    def netns_setup(self):
        for ns in (self.c, self.s):
            run(["ip", "netns", "add", ns])
            self.netns.append(ns)
            run(["ip", "-n", ns, "link", "set", "lo", "up"])
        run(["ip", "link", "add", "cwm6c", "netns", self.c, "type", "veth", "peer", "name",
             "cwm6s", "netns", self.s])
        run(["ip", "-n", self.c, "addr", "add", CLIENT_ADDR + "/24", "dev", "cwm6c"])
        run(["ip", "-n", self.c, "link", "set", "cwm6c", "up"])
        run(["ip", "-n", self.s, "addr", "add", SERVER_ADDR + "/24", "dev", "cwm6s"])
        run(["ip", "-n", self.s, "link", "set", "cwm6s", "up"])
        for addr, _ in SERVERS:
            run(["ip", "-n", self.s, "addr", "add", addr + "/32", "dev", "cwm6s"])

    def start(self, name, ns, argv, env=None):
        log = open(os.path.join(self.dir, name + ".out"), "wb")
        p = subprocess.Popen(["ip", "netns", "exec", ns] + SETPRIV + argv, env=env,
                             stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                             start_new_session=True)
        log.close()
        self.procs.append((name, p))
        # ip netns exec and setpriv both exec, so p.pid becomes the daemon: check its caps.
        target = os.path.basename(argv[0])[:15]
        for _ in range(250):
            if p.poll() is not None:
                raise CaptureError("%s exited at start (%s)" % (name, p.returncode))
            try:
                with open("/proc/%d/comm" % p.pid) as f:
                    if f.read().strip() == target:
                        break
            except FileNotFoundError:
                pass
            time.sleep(0.02)
        else:
            raise CaptureError("%s did not start" % name)
        if has_sys_time(p.pid):
            raise CaptureError("%s (pid %d) holds CAP_SYS_TIME: refusing" % (name, p.pid))
        return p

    def start_chronyd(self, i, addr, offset):
        d = os.path.join(self.dir, "chronyd%d" % i)
        os.mkdir(d, 0o750)
        conf = os.path.join(d, "chrony.conf")
        with open(conf, "w") as f:
            f.write("port 123\nbindaddress %s\nallow all\nlocal stratum 1\ncmdport 0\n"
                    "bindcmdaddress %s/chronyd.sock\npidfile %s/chronyd.pid\n"
                    "driftfile %s/drift\n" % (addr, d, d, d))
        env = dict(os.environ)
        if offset is not None:
            pre = ([self.shim] if self.shim else []) + [LIBFAKETIME]
            env.update(LD_PRELOAD=" ".join(pre), FAKETIME="%+ds" % offset,
                       FAKETIME_DONT_FAKE_MONOTONIC="1")
        self.start("chronyd-%s" % addr, self.s,
                   ["chronyd", "-x", "-d", "-u", "root", "-f", conf], env=env)

    def start_ntpd(self):
        d = os.path.join(self.dir, "ntpd")
        os.mkdir(d, 0o750)
        conf = os.path.join(d, "ntp.conf")
        with open(conf, "w") as f:
            f.write("disable kernel\nrestrict default kod nomodify limited\n"
                    "restrict 127.0.0.1\nrestrict ::1\ndriftfile %s/drift\n" % d)
            for addr, _ in SERVERS:
                f.write("server %s iburst minpoll 0 maxpoll 0\n" % addr)
        self.ntpd_conf = conf
        self.start("ntpd", self.c, [os.path.join(self.ntpsec, "usr/sbin/ntpd"), "-n", "-c", conf,
                                    "-l", os.path.join(d, "ntpd.log"),
                                    "-p", os.path.join(d, "ntpd.pid")])

    def client(self, cmd, *args, timeout=60):
        argv = ["ip", "netns", "exec", self.c] + SETPRIV + [PY, os.path.abspath(__file__),
                                                             "--client", cmd] + list(args)
        r = subprocess.run(argv, stdout=subprocess.PIPE, timeout=timeout, check=True)
        return json.loads(r.stdout)

    def check_alive(self):
        for name, p in self.procs:
            if p.poll() is not None:
                raise CaptureError("%s exited (%s)" % (name, p.returncode))
            if has_sys_time(p.pid):
                raise CaptureError("%s holds CAP_SYS_TIME" % name)

    def teardown(self):
        for name, p in reversed(self.procs):
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait(timeout=5)
        self.procs = []
        for ns in reversed(self.netns):
            subprocess.run(["ip", "netns", "del", ns], stderr=subprocess.DEVNULL)
        self.netns = []
        shutil.rmtree(self.dir, ignore_errors=True)


def wait_state(tb, limit_s):
    """Polls READSTAT until there is a sys.peer, a falseticker and reach 377 on every peer."""
    deadline = time.monotonic() + limit_s
    last, roles_since = None, None
    for _ in range(int(limit_s / 0.5) + 1):
        tb.check_alive()
        got = tb.client("peers")
        if got:
            last = got
            sels = [(st >> 8) & 7 for _, st, _, _ in got["peers"]]
            roles = SEL_SYSPEER in sels and SEL_FALSETICK in sels
            full = len(got["peers"]) == len(SERVERS) and all(
                r == 0xFF for _, _, _, r in got["peers"])
            if roles and roles_since is None:
                roles_since = time.monotonic()
                print("capture: sys.peer and falseticker after waiting; now for reach 377")
            if roles and full:
                return got
        if time.monotonic() >= deadline:
            break
        time.sleep(0.5)
    raise CaptureError("ntpd did not reach the wanted state; last READSTAT: %s" % last)


def write_outputs(out, result):
    os.makedirs(out, exist_ok=True)
    for old in glob.glob(os.path.join(out, "*.bin")):
        os.remove(old)
    for name, frags in result["replies"].items():
        for i, h in enumerate(frags, 1):
            with open(os.path.join(out, "%s-%d.bin" % (name, i)), "wb") as f:
                f.write(bytes.fromhex(h))
    with open(os.path.join(out, "ntpq.txt"), "w") as f:
        f.write(result["oracle"])
    with open(os.path.join(out, "requests.txt"), "w") as f:
        f.write("# name opcode assoc data (the request behind each <name>-<n>.bin)\n")
        for name, op, assoc, data in result["requests"]:
            f.write("%s %d %d %s\n" % (name, op, assoc, data or "-"))


def write_probes(out, probes):
    with open(os.path.join(out, "probes.txt"), "w") as f:
        f.write("# probe: reply headers (none = no reply within 1 s)\n")
        for name, replies in probes.items():
            if not replies:
                f.write("%s: none\n" % name)
            for h in replies:
                f.write("%s: vn=%d r=%d e=%d m=%d op=%d status=%04x assoc=%d offset=%d count=%d "
                        "len=%d\n" % (name, h["vn"], h["r"], h["e"], h["m"], h["op"], h["status"],
                                      h["assoc"], h["offset"], h["count"], h["len"]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ntpsec", help="unpacked ntpsec package (DIR/usr/sbin/ntpd)")
    ap.add_argument("--out", default=HERE)
    ap.add_argument("--shim", default=os.path.join(ROOT, "build", "nokts.so"),
                    help="nokts.so preloaded with libfaketime ('' for none)")
    ap.add_argument("--client", nargs="+", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.client:
        return client_main(a.client[0], a.client[1:])
    if not a.ntpsec:
        ap.error("--ntpsec DIR is required")
    if os.geteuid() != 0:
        raise SystemExit("needs root (network namespaces)")
    shim = a.shim if a.shim and os.path.exists(a.shim) else None

    def on_signal(signum, frame):
        raise SystemExit("signal %d" % signum)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)

    tb = Testbed(os.path.abspath(a.ntpsec), shim)
    try:
        tb.netns_setup()
        for i, (addr, offset) in enumerate(SERVERS):
            tb.start_chronyd(i, addr, offset)
        for _ in range(50):
            if all(tb.client("ping", *[s for s, _ in SERVERS])):
                break
            time.sleep(0.2)
        else:
            raise CaptureError("chronyd servers do not answer")
        tb.start_ntpd()
        t0 = time.monotonic()
        state = wait_state(tb, 120)
        print("capture: state after %.1f s: %s" % (time.monotonic() - t0, state))
        result = None
        for rnd in range(40):
            tb.check_alive()
            r = tb.client("capture", os.path.join(tb.ntpsec, "usr/bin/ntpq"))
            if "error" in r:
                raise CaptureError(r["error"])
            if not r["diffs"]:
                result = r
                print("capture: consistent round %d" % (rnd + 1))
                break
            print("capture: round %d changed under us: %s" % (rnd + 1, "; ".join(r["diffs"][:4])))
        if result is None:
            raise CaptureError("no consistent round in 40 tries")
        probes = tb.client("probes")
        with open(os.path.join(tb.dir, "ntpd", "ntpd.log"), errors="replace") as f:
            print("capture: ntpd log tail:\n" + "".join(f.readlines()[-8:]))
        write_outputs(a.out, result)
        write_probes(a.out, probes)
        print("capture: wrote %d files to %s" % (len(glob.glob(os.path.join(a.out, "*.bin"))),
                                                 a.out))
    finally:
        tb.teardown()


if __name__ == "__main__":
    try:
        main()
    except CaptureError as e:
        raise SystemExit("capture: %s" % e)
