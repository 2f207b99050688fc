"""clockwatch check, the Nagios/Icinga plugin, against real chronyd clients: OK, the seed's
Critical (off by more than 10 s), Major beyond 1000 s, Minor for an unreachable server, and
UNKNOWN when the daemon does not answer; exit codes and perfdata asserted."""

import re
import socket

import pytest

import peers
from conftest import run_cw


def perf(out):
    return dict(kv.split("=", 1) for kv in out.split("|", 1)[1].split())


def client_of(servers, cmdport):
    c = peers.ChronydClient(servers, cmdport)
    peers.wait_for(lambda: any(r[1] == "*" for r in c.chronyc("sources")), 20,
                   "chronyd to select a source")
    return c


def check(c, *args):
    return run_cw("check", "--service", "chronyd", "--conf", c.conf, *args)


def test_ok_with_perfdata():
    a = peers.Chronyd(12501, addr="127.0.5.1")
    b = peers.Chronyd(12502, addr="127.0.5.2")
    c = None
    try:
        c = client_of([a, b], 12510)
        r = check(c)
        assert r.rc == 0, r.out
        assert re.match(r"TIME OK - chronyd synchronized to 127\.0\.5\.[12] \(stratum 2\), "
                        r"offset [+-]", r.out)
        p = perf(r.out)
        assert re.fullmatch(r"[+-]?\d+\.\d{9}s;1;10", p["offset"])
        assert p["stratum"] == "2" and p["sources"] == "2" and p["reachable"] == "2"
        assert p["truechimers"] == "2" and p["root_distance"].endswith("s")
        assert len(r.out.splitlines()) == 1
        # thresholds in the plugins' range syntax
        assert check(c, "-w", "0.000000001").rc == 1
        assert check(c, "-w", "@0:1").rc == 1            # inside the range alerts with @
        r = check(c, "-c", "1:0")
        assert r.rc == 3 and "start is above end" in r.err
    finally:
        for x in (c, a, b):
            if x:
                x.stop()


@pytest.mark.parametrize("offset,state,rc,text", [
    (15, "CRITICAL", 2, "Time incorrect (off by 15.0 seconds)"),
    (2000, "CRITICAL", 2, "Time incorrect (off by 2000.0 seconds): beyond 1000 s the time "
                          "daemon refuses its servers"),
])
def test_seed_critical_and_major(offset, state, rc, text):
    far = peers.Chronyd(12503, addr="127.0.5.3", offset=offset)
    c = None
    try:
        c = client_of([far], 12511)
        r = check(c)
        assert r.rc == rc, r.out
        # and which side is wrong: clockwatch measures the servers itself
        assert r.out.startswith("TIME %s - %s; clockwatch measured the servers itself: this "
                                "clock is %.1f s behind them, as chronyd says: this clock is "
                                "wrong |" % (state, text, offset)), r.out
        if offset > 1000:
            r = check(c, "--major", "warning", "-w", "5000", "-c", "5000")   # as the site wants
            assert r.rc == 1 and r.out.startswith("TIME WARNING - ")
    finally:
        for x in (c, far):
            if x:
                x.stop()


def test_minor_when_one_server_is_unreachable():
    a = peers.Chronyd(12504, addr="127.0.5.4")
    hold = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)       # bound, never answers
    hold.bind(("127.0.5.5", 0))
    silent = type("S", (), {"addr": "127.0.5.5", "port": hold.getsockname()[1]})()
    c = None
    try:
        c = client_of([a, silent], 12512)
        # reach 0 counts only after 8 polls (1 s each here): not before
        first = check(c)
        assert first.rc in (0, 1)
        r = peers.wait_for(lambda: (lambda x: x if x.rc == 1 else None)(check(c)), 20,
                           "the unreachable server to count")
        assert r.out.startswith("TIME WARNING - Time servers not reachable: 127.0.5.5 "
                                "(unreachable) |"), r.out
        assert perf(r.out)["reachable"] == "1"
        assert check(c, "--minor", "critical").rc == 2
    finally:
        if c:
            c.stop()
        a.stop()
        hold.close()


def test_unknown_when_nothing_answers():
    r = run_cw("check", "--service", "chronyd", "--socket", "/nonexistent.sock", "-t", "100ms")
    assert r.rc == 3
    assert r.out == "TIME UNKNOWN - Unix socket /nonexistent.sock: No such file or directory\n"


@pytest.mark.parametrize("args,message", [
    (["-w", "x"], "bad range 'x'"),
    (["--major", "loud"], "bad state 'loud' for --major"),
    (["--json"], "unknown option '--json'"),
])
def test_check_usage_errors(args, message):
    r = run_cw("check", *args)
    assert r.rc == 3 and message in r.err
