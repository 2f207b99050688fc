"""clockwatch doctor against real daemons: chronyd clients (-x, no CAP_SYS_TIME) of real chronyd
servers, some with a clock made wrong by libfaketime, clockwatch's own responder sending
kiss-o'-death, a server that is not running and one that stays silent, a name that does not
resolve, an nftables rule that drops NTP inside a network namespace of the test's own, and a
real NTPsec ntpd beside chronyd. Each case checks the finding, its words and the exit status
(0 ok/info, 1 warn, 2 fail, 3 usage)."""

import json
import os
import socket
import subprocess

import pytest

import peers
from conftest import CLOCKWATCH, run_cw

LEVELS = ("ok", "info", "warn", "fail")


def doctor(client, *extra, timeout=60):
    r = run_cw("doctor", "--json", "--service", "chronyd", "--conf", client.conf, *extra,
               timeout=timeout)
    assert r.rc in (0, 1, 2), r.err
    return r


def findings(r, fid, level=None):
    return [f for f in r.json["findings"] if f["id"] == fid and level in (None, f["level"])]


def one(r, fid, level):
    got = findings(r, fid, level)
    assert got, "no %s finding at %s in %s" % (fid, level, [
        (f["id"], f["level"], f["title"]) for f in r.json["findings"]])
    return got[0]


def wait_tallies(client, want, timeout=30):
    peers.wait_for(lambda: {row[1] for row in client.chronyc("sources")} >= set(want), timeout,
                   "chronyd's tallies %s" % "".join(want))


class Started:
    """Servers and a client started for one test, stopped at its end."""

    def __init__(self):
        self.items = []

    def add(self, x):
        self.items.append(x)
        return x

    def stop(self):
        for x in reversed(self.items):
            try:
                (x.remove if isinstance(x, peers.Netns) else x.stop)()
            except Exception:  # the others are stopped all the same
                pass


@pytest.fixture
def started():
    s = Started()
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture(scope="module")
def healthy():
    s = Started()
    try:
        srv = [s.add(peers.Chronyd(12601 + i, addr="127.0.6.%d" % (1 + i))) for i in range(3)]
        c = s.add(peers.ChronydClient(srv, 12610))
        wait_tallies(c, "*+")
        peers.wait_for(lambda: all(int(row[5], 8) >= 0o17 for row in c.chronyc("sources")), 30,
                       "four polls answered")
        yield c
    finally:
        s.stop()


def test_healthy_chronyd_client(healthy):
    r = doctor(healthy)
    levels = {(f["id"], f["level"]) for f in r.json["findings"]}
    assert {lvl for _, lvl in levels} <= {"ok", "info"}, r.out
    assert r.rc == 0
    assert r.json["worst"] in ("ok", "info")
    ids = [f["id"] for f in r.json["findings"]]
    order = ["service", "port", "firewall", "servers", "counters", "reach", "kod", "selection",
             "offset", "frequency", "network", "kernel"]
    assert sorted(set(ids), key=order.index) == [i for i in order if i in ids]  # in order
    assert [i for i in ids if i not in order] == []
    for fid in ("service", "port", "firewall", "counters", "reach", "kod", "selection",
                "offset", "network"):
        one(r, fid, "ok")
    assert len(findings(r, "servers", "ok")) == 3
    svc = one(r, "service", "ok")
    assert svc["title"] == "chronyd runs, the only time service (pid %d)" % healthy.proc.pid
    # chronyd -x may not set the clock: said, but as a fact while the clock is right
    assert one(r, "service", "info")["title"] == "chronyd may not set the clock: it only watches"
    assert "sent" in one(r, "counters", "ok")["evidence"]       # ntpdata over the socket


def test_json_schema(healthy):
    r = doctor(healthy)
    doc = r.json
    assert list(doc) == ["schema", "service", "findings", "worst"]
    assert doc["schema"] == "clockwatch.doctor/1" and doc["service"] == "chronyd"
    for f in doc["findings"]:
        assert list(f) == ["id", "level", "title", "evidence", "remedy", "data"]
        assert f["level"] in LEVELS and f["title"]
        assert f["evidence"] is None or (isinstance(f["evidence"], str)
                                         and not f["evidence"].endswith("\n"))
        assert f["remedy"] is None or isinstance(f["remedy"], str)
        assert all(v is None or isinstance(v, (int, float)) for v in f["data"].values())
    assert doc["worst"] == max((f["level"] for f in doc["findings"]), key=LEVELS.index)
    off = one(r, "offset", "ok")["data"]
    assert abs(off["offset_s"]) < 0.125 and off["step_threshold_s"] == 0.125
    srv = [f for f in findings(r, "servers") if "127.0.6.1" in f["title"]][0]
    assert srv["data"] == {"addresses": 1, "answering": 1}


def test_text_output(healthy):
    r = run_cw("doctor", "--service", "chronyd", "--conf", healthy.conf)
    assert r.rc == 0
    lines = r.out.splitlines()
    assert lines[0] == "clockwatch doctor: chronyd"
    assert any(ln.startswith("[ok]   service    chronyd runs") for ln in lines)
    assert all(len(ln) <= 80 or " " not in ln.strip() for ln in lines), r.out
    assert "\033" not in r.out                                 # not a terminal: no colour
    assert lines[-1].startswith("worst: ")


def test_usage():
    for args, msg in ((["--service", "openntpd"], "unknown service 'openntpd'"),
                      (["--conf", "/x"], "--conf needs --service"),
                      (["-t", "0"], "bad timeout '0'"),
                      (["extra"], "unexpected argument 'extra'"),
                      (["-t"], "needs a value"),
                      (["--bogus"], "unknown option '--bogus'")):
        r = run_cw("doctor", *args)
        assert r.rc == 3 and msg in r.err and r.out == "", (args, r.err)
    r = run_cw("doctor", "--help")
    assert r.rc == 0 and "Exit status: 0 every finding ok or info" in r.out
    r = run_cw("--help")
    assert "doctor" in r.out


def test_server_not_running_and_silent(started):
    """A port where nothing listens (ICMP port unreachable) and one bound but silent: two
    different findings, and chronyd's counters show it sends and receives nothing."""
    good = started.add(peers.Chronyd(12621, addr="127.0.6.21"))
    dead = type("S", (), {"addr": "127.0.6.22", "port": peers.free_udp_port("127.0.6.22")})()
    hold = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    hold.bind(("127.0.6.23", 0))
    silent = type("S", (), {"addr": "127.0.6.23", "port": hold.getsockname()[1]})()
    try:
        c = started.add(peers.ChronydClient([good, dead, silent], 12625))
        wait_tallies(c, "*")
        peers.wait_for(lambda: all(int(row[5], 8) >= 0o7 or row[2] != good.addr
                                   for row in c.chronyc("sources")), 20, "polls")
        r = doctor(c)
    finally:
        hold.close()
    assert r.rc == 2
    titles = [f["title"] for f in findings(r, "servers", "fail")]
    assert ("127.0.6.22: port unreachable: the host answers but runs no NTP server on UDP "
            "port %d" % dead.port) in titles
    assert ("127.0.6.23: no answer: server down or UDP port %d dropped on the way"
            % silent.port) in titles
    one(r, "servers", "ok")
    counters = [f["title"] for f in findings(r, "counters", "fail")]
    assert any(t.startswith("chronyd sent") and t.endswith("to 127.0.6.23 and received none")
               for t in counters), counters
    silent_f = [f for f in findings(r, "counters", "fail") if "127.0.6.23" in f["title"]][0]
    assert "no answer either: server down or the path drops UDP 123" in silent_f["evidence"]
    reach = [f["title"] for f in findings(r, "reach", "warn")]
    assert "127.0.6.22: reach 0: no valid answer in the last 8 polls" in reach


def test_name_that_does_not_resolve(started):
    """In a namespace of the test's own with only loopback: the resolver cannot reach any DNS
    server, so nothing leaves this host."""
    ns = started.add(peers.Netns(prefix="cwdoc"))
    good = started.add(peers.Chronyd(123, addr="127.0.0.11", ns=ns))
    bad = type("S", (), {"addr": "no-such-host.invalid", "port": 123})()
    c = started.add(peers.ChronydClient([good, bad], 12630, ns=ns))
    p = ns.run([CLOCKWATCH, "doctor", "--json", "--service", "chronyd", "--conf", c.conf,
                "-t", "1s"], capture_output=True, text=True, timeout=60)
    doc = json.loads(p.stdout)
    assert p.returncode == 2
    bad_f = [f for f in doc["findings"] if f["id"] == "servers" and f["level"] == "fail"]
    assert [f["title"] for f in bad_f] == ["no-such-host.invalid does not resolve"]
    assert "cannot resolve 'no-such-host.invalid'" in bad_f[0]["evidence"]
    assert "/etc/resolv.conf" in bad_f[0]["remedy"]


def test_one_falseticker_among_three(started):
    srv = [started.add(peers.Chronyd(12641 + i, addr="127.0.6.%d" % (41 + i),
                                     offset=2000 if i == 2 else None)) for i in range(3)]
    c = started.add(peers.ChronydClient(srv, 12645))
    wait_tallies(c, "*x")
    r = doctor(c)
    assert r.rc == 1
    f = one(r, "selection", "warn")
    assert f["title"] == "1 falseticker among 3 sources"
    assert "x127.0.6.43 (offset +2000.0" in f["evidence"]
    assert "clockwatch's own measurement of 3 servers also finds: 127.0.6.43:12643" in \
        f["evidence"]
    assert f["data"]["falsetickers"] == 1
    assert r.json["worst"] == "warn"


@pytest.mark.parametrize("offset,title,panic", [
    (15, "the clock is 15.0000 s behind: beyond the step threshold (125.000 ms); nothing "
         "corrects it", None),
    (2000, "the clock is 2000.0 s behind: beyond the panic threshold (1000 s); nothing "
           "corrects it", None),   # chronyd has no panic threshold (ntpd's is 1000 s)
])
def test_source_far_off_nothing_corrects_it(started, offset, title, panic):
    """The only server 15 s (2000 s) ahead: chronyd follows it, and since it runs with -x
    nothing corrects the clock; clockwatch's own queries agree that this clock is off."""
    port = 12650 + offset % 7
    srv = started.add(peers.Chronyd(port, addr="127.0.6.5%d" % (offset % 7), offset=offset))
    c = started.add(peers.ChronydClient([srv], port + 5))
    wait_tallies(c, "*")
    peers.wait_for(lambda: abs(float(c.chronyc("tracking")[0][4])) > offset - 1, 20,
                   "chronyd to see the offset")
    r = doctor(c)
    assert r.rc == 2
    f = one(r, "offset", "fail")
    assert f["title"] == title
    assert "chronyd may not set the clock: it will not step or slew it" in f["evidence"]
    assert ("clockwatch measured the servers itself: this clock is %.1f s behind them"
            % offset) in f["evidence"]
    assert "clockwatch itself never steps the clock." in f["remedy"]
    assert abs(f["data"]["offset_s"] - offset) < 0.01
    assert f["data"]["panic_threshold_s"] is panic
    assert one(r, "service", "warn")["title"] == "chronyd may not set the clock: it only watches"
    assert one(r, "selection", "info")["title"].startswith("only 1 usable source")


def test_kiss_of_death_from_a_responder(started):
    rsp = started.add(peers.Responder(port=12671, addr="127.0.6.71", fault="kod-deny"))
    rsp.addr, rsp.port = "127.0.6.71", 12671
    good = started.add(peers.Chronyd(12672, addr="127.0.6.72"))
    c = started.add(peers.ChronydClient([good, rsp], 12675))
    wait_tallies(c, "*")
    r = doctor(c)
    assert r.rc == 2
    k = one(r, "kod", "fail")
    assert k["title"] == "127.0.6.71 sent kiss-o'-death DENY: access denied"
    assert "clockwatch's own queries: 127.0.6.71:12671 sent DENY" in k["evidence"]
    assert "access control refuses this host" in k["remedy"]
    s = [f for f in findings(r, "servers", "fail") if f["title"].startswith("127.0.6.71")]
    assert s[0]["title"] == "127.0.6.71 refuses this host: kiss-o'-death DENY"


def nft(ns, *rule):
    ns.run(["nft"] + list(rule), check=True)


@pytest.fixture
def walled(started):
    """A namespace of the test's own: three servers on port 123, a chronyd client, and an
    nftables rule that drops UDP to port 123 (on loopback too)."""
    ns = started.add(peers.Netns(prefix="cwfw"))
    srv = [started.add(peers.Chronyd(123, addr="127.0.0.%d" % (21 + i), ns=ns))
           for i in range(3)]
    c = started.add(peers.ChronydClient(srv, 12680, ns=ns))
    nft(ns, "add", "table", "inet", "cwtest")
    nft(ns, "add", "chain", "inet", "cwtest", "input",
        "{ type filter hook input priority 0; policy accept; }")
    nft(ns, "add", "rule", "inet", "cwtest", "input", "udp", "dport", "123", "counter", "drop")
    return ns, c


def test_firewall_rule_named(walled):
    ns, c = walled
    p = ns.run([CLOCKWATCH, "doctor", "--json", "--service", "chronyd", "--conf", c.conf,
                "-t", "300ms"], capture_output=True, text=True, timeout=60)
    doc = json.loads(p.stdout)
    assert p.returncode == 2
    fw = [f for f in doc["findings"] if f["id"] == "firewall"]
    assert len(fw) == 1 and fw[0]["level"] == "fail"
    assert fw[0]["title"] == "the local firewall drops UDP port 123: 1 rule"
    assert "inet cwtest input (hook input): udp dport 123 counter packets" in fw[0]["evidence"]
    assert "nft delete rule inet cwtest input handle" in fw[0]["remedy"]
    assert fw[0]["data"]["dropping_rules"] == 1
    srv = [f["title"] for f in doc["findings"] if f["id"] == "servers"]
    assert srv == ["127.0.0.%d: no answer: the local firewall drops UDP port 123" % (21 + i)
                   for i in range(3)]


def test_unprivileged_firewall_is_info(walled):
    """As nobody: the ruleset cannot be read (CAP_NET_ADMIN), chronyd's socket neither (its
    command port answers the rest): the firewall finding says why, nothing is guessed."""
    ns, c = walled
    p = ns.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--",
                CLOCKWATCH, "doctor", "--json", "--service", "chronyd", "--conf", c.conf,
                "-t", "300ms"], capture_output=True, text=True, timeout=60)
    doc = json.loads(p.stdout)
    fw = [f for f in doc["findings"] if f["id"] == "firewall"]
    assert [(f["level"], f["title"]) for f in fw] == [
        ("info", "could not read the firewall (needs root)")]
    assert "CAP_NET_ADMIN" in fw[0]["evidence"]
    counters = [f for f in doc["findings"] if f["id"] == "counters"]
    assert counters[0]["level"] == "info"
    assert "only on its Unix socket" in counters[0]["evidence"]
    assert p.returncode == 2      # the servers still do not answer


def test_chronyd_and_ntpd_both_run():
    """NTPsec's ntpd in a namespace, its servers chronyd: two time services on one host. The
    ntpd side of doctor too: its counters (sent/received asked by name), its falseticker."""
    with peers.NtpdTestbed() as tb:
        def tallies():
            p = tb.run_in([CLOCKWATCH, "peers", "--json", "--service", "ntpd"],
                          capture_output=True, text=True, timeout=30)
            return p.returncode == 0 and {s["tally"] for s in json.loads(p.stdout)["sources"]} \
                >= {"*", "x"}
        peers.wait_for(tallies, 90, "ntpd to pick a peer and mark the falseticker", interval=0.5)
        p = tb.run_in([CLOCKWATCH, "doctor", "--json", "--service", "ntpd", "-t", "500ms"],
                      capture_output=True, text=True, timeout=60)
    doc = json.loads(p.stdout)
    assert p.returncode == 2
    assert doc["service"] == "ntpd"
    svc = [f for f in doc["findings"] if f["id"] == "service"]
    assert svc[0]["level"] == "fail"
    assert svc[0]["title"] == "chronyd and ntpd both run: they fight over the clock"
    assert "Keep one time service" in svc[0]["remedy"]
    by = {(f["id"], f["level"]): f for f in doc["findings"]}
    assert "10.200.7.13" in by[("selection", "warn")]["evidence"]
    assert by[("counters", "ok")]["evidence"].count("sent") == 3
    assert ("kod", "ok") in by


def test_missing_services_entry(healthy, tmp_path):
    """/etc/services without ntp, seen through a private mount namespace."""
    fake = tmp_path / "services"
    fake.write_text("domain 53/udp\n")
    p = subprocess.run(["unshare", "--mount", "--", "sh", "-c",
                        'mount --bind "$1" /etc/services && exec "$2" doctor --json '
                        '--service chronyd --conf "$3"', "sh", str(fake), CLOCKWATCH,
                        healthy.conf], capture_output=True, text=True, timeout=60)
    doc = json.loads(p.stdout)
    port = [f for f in doc["findings"] if f["id"] == "port"][0]
    assert port["level"] == "warn"
    assert port["title"] == "/etc/services has no ntp entry for UDP port 123"
    assert p.returncode == 1
