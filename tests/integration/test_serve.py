"""clockwatch's own NTP responder (src/responder.c), run alone by build/cw-serve, against
clockwatch query, a real chronyd client and raw datagrams from Python: who gets answered, what
the answer says when the host is or is not synchronized, rate limits, and junk."""

import json
import os
import socket
import struct
import tempfile
import time

import pytest

import peers
from conftest import run_cw

NTP_UNIX = peers.NTP_UNIX_OFFSET


class Serve(peers._Server):
    """build/cw-serve: the responder with a fixed clock state, stopped by its PID."""

    def __init__(self, allow, sync=None, rate=None, burst=None, addr="127.0.0.1", port=None,
                 refid=None, seconds=120):
        self.addr = addr
        self.port = port or peers.free_udp_port(addr)
        self.dir = tempfile.mkdtemp(prefix="cw-serve-")
        self.log = os.path.join(self.dir, "log")
        ready = os.path.join(self.dir, "ready")
        listen = ("[%s]:%d" if ":" in addr else "%s:%d") % (addr, self.port)
        argv = peers.SETPRIV + [os.path.join(peers.BUILD, "cw-serve"), "--listen", listen,
                                "--ready-file", ready, "--seconds", str(seconds)]
        for a in allow:
            argv += ["--allow", a]
        if sync is not None:
            argv += ["--sync", str(sync)]
        if refid:
            argv += ["--refid", refid]
        if rate is not None:
            argv += ["--rate", str(rate), "--burst", str(burst)]
        self.proc = peers.Process("cw-serve", argv, log=self.log)
        peers.wait_for(lambda: os.path.exists(ready) or self._dead(), 10, "cw-serve to bind")
        self.target = listen

    def _dead(self):
        if not self.proc.alive():
            raise peers.HarnessError("cw-serve exited%s" % self.proc._log_tail())
        return False

    def _lines(self):
        with open(self.log) as f:
            return f.read().splitlines()

    def stats(self):
        """Its counters now (SIGUSR1 makes it print them), or the final ones once stopped."""
        n = len([ln for ln in self._lines() if ln.startswith("{")])
        if self.proc.alive():
            os.kill(self.proc.pid, 10)  # SIGUSR1
            peers.wait_for(lambda: len([ln for ln in self._lines() if ln.startswith("{")]) > n,
                           5, "cw-serve's counters")
        return json.loads([ln for ln in self._lines() if ln.startswith("{")][-1])

    def stop_and_stats(self):
        """Stops it (SIGTERM) and returns the counters it printed on the way out."""
        self.proc.stop()
        return json.loads([ln for ln in self._lines() if ln.startswith("{")][-1])

    def warnings(self):
        return [ln for ln in self._lines() if "refused" in ln]


def request(xmt=None, vn=4, mode=3):
    xmt = xmt if xmt is not None else int.from_bytes(os.urandom(8), "big") or 1
    return struct.pack("!B39xQ", vn << 3 | mode, xmt), xmt


def exchange(srv, payloads, src="127.0.0.1", wait=0.3):
    """Sends each payload from one socket bound to src; returns the replies that came back
    within `wait` seconds of the last send."""
    fam = socket.AF_INET6 if ":" in srv.addr else socket.AF_INET
    replies = []
    with socket.socket(fam, socket.SOCK_DGRAM) as s:
        s.bind((src, 0))
        for p in payloads:
            s.sendto(p, (srv.addr, srv.port))
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            s.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                replies.append(s.recvfrom(4096)[0])
            except socket.timeout:
                break
    return replies


def decode(data):
    b0, stratum, poll, prec, rdelay, rdisp, refid, ref, org, rec, xmt = struct.unpack(
        "!BBbbII4sQQQQ", data[:48])
    return dict(li=b0 >> 6, vn=(b0 >> 3) & 7, mode=b0 & 7, stratum=stratum, poll=poll,
                precision=prec, root_delay=rdelay / 65536, root_disp=rdisp / 65536, refid=refid,
                ref=ref, org=org, rec=rec, xmt=xmt)


def ntp_to_unix(ts):
    return (ts >> 32) - NTP_UNIX + (ts & 0xFFFFFFFF) / 2**32


def test_synchronized_answers_query_at_host_stratum_plus_one():
    with Serve(["127.0.0.1"], sync=2, refid="192.0.2.7") as srv:
        r = run_cw("query", "--json", "-c", "3", "-i", "100ms", srv.target)
        t = r.target(srv.target)
        assert t["status"] == "ok", t
        assert t["stratum"] == 3 and t["refid"] == "192.0.2.7" and t["leap"] == "none"
        assert abs(t["offset_s"]) < 1e-3      # the host's own clock, over loopback
        assert t["received"] == 3
        # cw-serve's host updated 60 s ago with 1 ms dispersion: plus 2^-20 and 15 ppm x 60 s
        assert 0.0019 <= t["root_dispersion_s"] < 0.0021
        s = srv.stop_and_stats()
        assert s == {"answered": 3, "not_allowed": 0, "rate_limited": 0, "malformed": 0}
        assert "clockwatch: NTP responder on 127.0.0.1:%d, answering 1 node" % srv.port \
            in srv._lines()


def test_unsynchronized_says_so_but_still_gives_the_time():
    with Serve(["127.0.0.1"]) as srv:
        r = run_cw("query", "--json", "-c", "2", "-i", "100ms", srv.target)
        t = r.target(srv.target)
        assert t["status"] == "unusable", t
        assert t["error"] == "server not synchronized (LI 3, stratum 0): no time given"
        assert t["kiss_code"] is None and "unsynchronized" in t["failed_tests"]
        text = run_cw("query", "-c", "1", srv.target)
        assert "server not synchronized" in text.out and text.rc != 0
        req, xmt = request(vn=3)
        before = time.time()
        [data] = exchange(srv, [req])
        p = decode(data)
        assert len(data) == 48
        assert (p["li"], p["vn"], p["mode"], p["stratum"]) == (3, 3, 4, 0)
        assert p["refid"] == b"\0\0\0\0" and p["ref"] == 0 and p["root_disp"] == 16.0
        assert p["org"] == xmt
        # The timestamps are true: a cluster peer can still measure this clock.
        assert before - 0.01 <= ntp_to_unix(p["rec"]) <= ntp_to_unix(p["xmt"]) <= time.time()
        assert srv.stats()["answered"] == 4  # 2 + 1 from clockwatch query, 1 from us


def test_not_allowed_address_gets_nothing():
    with Serve(["127.0.0.2"], sync=1) as srv:
        r = run_cw("query", "--json", "-c", "2", "-i", "100ms", "-t", "500ms", srv.target)
        t = r.target(srv.target)
        assert t["status"] == "timeout" and t["received"] == 0, t
        assert exchange(srv, [request()[0]] * 3, src="127.0.0.1") == []
        # The allowed address itself is answered: the match is on the exact address.
        assert len(exchange(srv, [request()[0]], src="127.0.0.2")) == 1
        s = srv.stats()
        assert s["not_allowed"] == t["sent"] + 3 and s["answered"] == 1
        # Five refusals, one warning: network-triggered warnings are rate-limited.
        assert len(srv.warnings()) == 1, srv.warnings()
        assert "not allowed (last 127.0.0.1)" in srv.warnings()[0]


def test_ipv4_mapped_allowed_entry_and_ipv6_listener():
    with Serve(["::ffff:127.0.0.1"], sync=3) as srv:
        assert run_cw("query", "--json", "-c", "1", srv.target).target(srv.target)["status"] \
            == "ok"
    with Serve(["::1"], sync=3, addr="::1") as srv:
        t = run_cw("query", "--json", "-c", "1", srv.target).target(srv.target)
        assert t["status"] == "ok" and t["stratum"] == 4
        assert srv.stop_and_stats()["answered"] == 1


def test_rate_limit_burst_then_rate():
    with Serve(["127.0.0.1"], sync=2, rate=2, burst=8) as srv:
        t0 = time.monotonic()
        replies = exchange(srv, [request()[0] for _ in range(50)], wait=0.3)
        elapsed = time.monotonic() - t0
        assert 8 <= len(replies) <= 8 + 2 * elapsed + 1, (len(replies), elapsed)
        # Two per second after that: 1.5 s later about three tokens are back, not more.
        time.sleep(1.5)
        again = exchange(srv, [request()[0] for _ in range(10)], wait=0.3)
        assert 2 <= len(again) <= 4, len(again)
        s = srv.stats()
        assert s["answered"] == len(replies) + len(again)
        assert s["rate_limited"] == 60 - s["answered"]
        assert s["malformed"] == 0 and s["not_allowed"] == 0


def test_junk_is_dropped_counted_and_serving_goes_on():
    req, _ = request()
    junk = [
        b"",
        req[:47],                                            # short
        req + b"\0",                                         # 49 octets
        req + struct.pack("!I", 1) + bytes(16),              # MAC (68): no key here
        req + struct.pack("!HH", 0x0104, 16) + bytes(12),    # extension field (NTS id)
        request(mode=4)[0],                                  # a server reply
        request(mode=1)[0],                                  # symmetric active
        bytes([0x16, 0x02, 0, 1]) + bytes(8),                # mode 6 READSTAT
        bytes([0x17, 0x00, 0x03, 0x2A]) + bytes(44),         # mode 7 monlist
        request(vn=0)[0],
        request(vn=5)[0],
        os.urandom(3000),                                    # oversize garbage
    ]
    with Serve(["127.0.0.1"], sync=2) as srv:
        assert exchange(srv, junk, wait=0.3) == []
        good, xmt = request()
        [data] = exchange(srv, [good])
        assert decode(data)["org"] == xmt and len(data) == 48
        s = srv.stats()
        assert s == {"answered": 1, "not_allowed": 0, "rate_limited": 0,
                     "malformed": len(junk)}, s


def test_bad_arguments_refused():
    exe = os.path.join(peers.BUILD, "cw-serve")
    for argv in (["--listen", "localhost:123", "--allow", "127.0.0.1"],
                 ["--listen", "127.0.0.1:1", "--allow", "ntp.example"],
                 ["--listen", "127.0.0.1:1"],
                 ["--listen", "127.0.0.1:1", "--allow", "127.0.0.1", "--seconds", "601"]):
        p = peers.subprocess.run([exe] + argv, capture_output=True, text=True, timeout=10)
        assert p.returncode in (1, 2), (argv, p.returncode, p.stderr)
        assert p.stderr


def chronyd_sources(client):
    """chronyc's CSV source rows (test oracle only): mode, state, address, stratum, poll,
    reach, ..."""
    return [row for row in client.chronyc("sources") if len(row) > 5]


def test_real_chronyd_selects_a_synchronized_responder():
    with Serve(["127.0.0.1"], sync=2, refid="192.0.2.7") as srv, \
            peers.ChronydClient([srv], peers.free_udp_port()) as client:
        def selected():
            rows = chronyd_sources(client)
            return rows and rows[0][1] == "*" and rows
        rows = peers.wait_for(selected, 30, "chronyd to select cw-serve", interval=0.25)
        assert rows[0][2] == "127.0.0.1" and rows[0][3] == "3"
        assert int(rows[0][5], 8) != 0
        tracking = client.chronyc("tracking")[0]
        assert tracking[2] == "4"  # chronyd one stratum below us
        assert srv.stats()["answered"] >= 1


def test_real_chronyd_does_not_select_an_unsynchronized_responder():
    with Serve(["127.0.0.1"]) as srv, \
            peers.ChronydClient([srv], peers.free_udp_port()) as client:
        # Enough exchanges for a synchronized one to be selected (see above), then a bit more.
        peers.wait_for(lambda: srv.stats()["answered"] >= 6, 30, "six answered requests",
                       interval=0.25)
        rows = chronyd_sources(client)
        assert rows and rows[0][2] == "127.0.0.1"
        assert rows[0][1] not in "*+" and int(rows[0][5], 8) == 0, rows  # never valid
        assert client.chronyc("tracking")[0][2] == "0"  # chronyd: not synchronized
