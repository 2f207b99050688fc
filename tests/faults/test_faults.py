"""The fault-injection suite: a three-node cluster (node1 and node2 control nodes on three
upstream servers, node3 a payload node on the control nodes; seed 001) in network namespaces,
each node a real chronyd client with a clockwatch agent. Each scenario injects one fault and
expects the alarm (severity and exact text) on the nodes it concerns, the others silent, and
`clockwatch doctor`'s finding on the affected node. Plus a healthy soak with no alarm at all.
Timers are short (interval 1 s, chronyd polling every second, clear_delay 3 s); every wait is
bounded; the fleet is torn down after each scenario.

Run by tools/check in the gcc pass only (CW_FAULTS=1): it takes minutes, not the sanitizers'
concern."""

import os
import subprocess
import sys
import time

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "harness"))
import fleet  # noqa: E402
import peers  # noqa: E402

pytestmark = pytest.mark.skipif(os.environ.get("CW_FAULTS") != "1",
                                reason="the fault suite runs with CW_FAULTS=1 (tools/check)")

UP = ["%s.%d" % (fleet.NET, 11 + i) for i in range(3)]
SOAK_S = int(os.environ.get("CW_SOAK_S", "150"))


def build_cluster(upstream_offsets=None):
    """up1..up3, node1/node2 (control, on up1..up3), node3 (payload, on node1 and node2; it
    serves no time). The nodes compare clocks through their agents' responders."""
    f = fleet.Fleet(upstream_offsets=upstream_offsets)
    try:
        n1 = f.add_node("node1", "10.77.0.21", "control", UP)
        n2 = f.add_node("node2", "10.77.0.22", "control", UP)
        f.add_node("node3", "10.77.0.23", "payload", [n1.addr, n2.addr], serve=False)
        f.start_agents()
        for n in f.nodes:
            peers.wait_for(lambda: any(r[1] == "*" for r in n.chronyc("sources")), 20,
                           "%s to select a source" % n.name)
    except BaseException:
        f.stop()
        raise
    return f


@pytest.fixture
def cluster():
    f = build_cluster()
    try:
        yield f
    finally:
        f.stop()


def node(f, name):
    return [n for n in f.nodes if n.name == name][0]


def alarm(f, n):
    d = f.alarms(n)
    return (d["alarm"]["severity"], d["alarm"]["text"]) if d else None


def wait_alarm(f, n, severity, text, timeout=40):
    """Waits until n's alarm is (severity, text); returns the log."""
    peers.wait_for(lambda: alarm(f, n) == (severity, text), timeout,
                   "%s: %s %r (now %r)" % (n.name, severity, text, alarm(f, n)), interval=0.5)
    return f.alarms(n)["events"]


def quiet(f, names):
    """None of these nodes ever raised anything."""
    for name in names:
        d = f.alarms(node(f, name))
        assert d and d["events"] == [], (name, d)


def finding(report, fid):
    return [x for x in report["findings"] if x["id"] == fid]


def test_server_stopped(cluster):
    """One upstream server's NTP service stops (the host stays up): Minor on both control
    nodes; the doctor tells "the host answers but runs no NTP server" (ICMP port
    unreachable) from silence."""
    f = cluster
    f.up[0].chrony.stop()
    for name in ("node1", "node2"):
        wait_alarm(f, node(f, name), "minor", "Time servers not reachable: %s (unreachable)"
                   % UP[0])
    rc, rep = f.doctor(node(f, "node1"))
    srv = [x for x in finding(rep, "servers") if UP[0] in x["title"]]
    assert srv and srv[0]["level"] == "fail" and "runs no NTP server" in srv[0]["title"], rep
    quiet(f, ["node3"])


def test_link_down(cluster):
    """node1's link goes down: every server unreachable, Major."""
    f = cluster
    n1 = node(f, "node1")
    n1.run(["ip", "link", "set", "eth0", "down"], check=True)
    wait_alarm(f, n1, "major", "Time servers not reachable: %s (unreachable), %s (unreachable), "
               "%s (unreachable)" % tuple(UP))
    rc, rep = f.doctor(n1)
    srv = finding(rep, "servers")
    assert rc == 2 and len(srv) == 3 and all(x["level"] == "fail" for x in srv), rep
    # node3 takes time from node1 and node2: node1 now unreachable for it: Minor
    wait_alarm(f, node(f, "node3"), "minor", "Time servers not reachable: 10.77.0.21 "
               "(unreachable)")
    quiet(f, ["node2"])


def test_firewall_drops_ntp(cluster):
    """An nftables rule inside node2's namespace drops outgoing UDP 123: Major unreachable, and
    the doctor names the rule."""
    f = cluster
    n2 = node(f, "node2")
    n2.run(["nft", "add table inet cwtest"], check=True)
    n2.run(["nft", "add chain inet cwtest out { type filter hook output priority 0 ; }"],
           check=True)
    n2.run(["nft", "add rule inet cwtest out udp dport 123 drop"], check=True)
    wait_alarm(f, n2, "major", "Time servers not reachable: %s (unreachable), %s (unreachable), "
               "%s (unreachable)" % tuple(UP))
    rc, rep = f.doctor(n2)
    assert rc == 2
    fw = finding(rep, "firewall")
    assert fw and fw[0]["level"] == "fail", rep
    assert "123" in fw[0]["evidence"] and "drop" in fw[0]["evidence"]
    quiet(f, ["node1"])


def drop_rule(n, rule):
    """An nftables rule in the node's own namespace (never the host's)."""
    n.run(["nft", "add table inet cwtest"], check=True)
    n.run(["nft", "add chain inet cwtest in { type filter hook input priority 0 ; }"],
          check=True)
    n.run(["nft", "add rule inet cwtest in " + rule], check=True)


def test_packet_loss(cluster):
    """Half of node1's NTP replies lost (nftables in its namespace; this kernel has no netem):
    the reach register shows holes, but every server answers often enough: no alarm anywhere
    (seed 001 alarms on unreachable, not on lossy); the doctor sees the loss."""
    f = cluster
    n1 = node(f, "node1")
    drop_rule(n1, "udp sport 123 numgen random mod 100 < 50 counter drop")
    # holes in the reach registers (bounded wait on chronyd's state, not a fixed sleep)
    # (holes below each register's oldest answered poll: a young register's leading zeros are
    # not losses)
    def holes(r):
        return sum(1 for b in range(r.bit_length()) if not r >> b & 1)
    reach = peers.wait_for(lambda: (lambda rs: rs if rs and sum(holes(r) for r in rs) >= 4 and
                                    all(r >= 128 for r in rs) else None)(
        [int(r[5], 8) for r in n1.chronyc("sources")]), 40, "holes in the reach registers")
    assert all(r != 0 for r in reach), reach
    rc, rep = f.doctor(n1)
    assert rep is not None
    # the reach registers' holes, and the rule that makes them
    loss = [x for x in finding(rep, "reach") if x["level"] == "warn" and "lost" in x["title"]]
    fw = finding(rep, "firewall")
    assert loss and fw and fw[0]["level"] == "warn", rep
    assert "udp sport 123" in fw[0]["evidence"] and "only some packets" in fw[0]["evidence"]
    quiet(f, ["node1", "node2", "node3"])


def test_asymmetric_delay():
    """A node whose three servers sit behind a relay that delays only the way back by 400 ms:
    its chronyd's offset is off by about 200 ms (half the asymmetry, which NTP cannot see): no
    alarm (below 10 s), but the doctor warns of the slow, asymmetric path and the offset
    beyond the step threshold."""
    f = fleet.Fleet()
    try:
        f.add_relay("relay", "10.77.0.31", [(1231 + i, UP[i], 123) for i in range(3)],
                    delay_back_ms=400)
        n = f.add_node("node1", "10.77.0.21", "control",
                       ["10.77.0.31 port %d" % (1231 + i) for i in range(3)])
        f.start_agents()
        peers.wait_for(lambda: any(r[1] == "*" for r in n.chronyc("sources")), 30,
                       "a source selected behind the relay")
        time.sleep(8)
        rc, rep = f.doctor(n)
        assert rep is not None
        net = finding(rep, "network")
        assert net and net[0]["level"] in ("warn", "fail"), rep
        off = finding(rep, "offset")
        assert off and off[0]["level"] in ("warn", "fail"), rep
        quiet(f, ["node1"])
    finally:
        f.stop()


@pytest.mark.parametrize("off, severity, text", [
    (15, "critical", "Time incorrect (off by 15.0 seconds)"),
    (2000, "major", "Time incorrect (off by 2000.0 seconds): beyond 1000 s the time daemon "
     "refuses its servers")])
def test_upstream_far_off(off, severity, text):
    """Every upstream server 15 s (2000 s) ahead: both control nodes Critical (Major: the daemon
    refuses servers that far off); the doctor says the offset is beyond the step (panic)
    threshold and that nothing will correct it (chronyd -x); the cluster itself agrees."""
    f = build_cluster([off] * 3)
    try:
        for name in ("node1", "node2"):
            wait_alarm(f, node(f, name), severity, text)
        rc, rep = f.doctor(node(f, "node1"))
        o = finding(rep, "offset")
        assert rc == 2 and o and o[0]["level"] == "fail", rep
        assert ("%d" % off) in o[0]["evidence"]
    finally:
        f.stop()


def test_one_falseticker(cluster):
    """up3 15 s ahead of the other two: chronyd marks it a falseticker; no alarm; the doctor
    names it."""
    f = cluster
    f.up[2].set_clock(15)
    n1 = node(f, "node1")
    peers.wait_for(lambda: [r[1] for r in n1.chronyc("sources")][2] == "x", 30,
                   "up3 to be a falseticker")
    rc, rep = f.doctor(n1)
    sel = finding(rep, "selection")
    assert sel and UP[2] in sel[0]["evidence"], rep
    quiet(f, ["node1", "node2", "node3"])


def test_kiss_of_death(cluster):
    """up1 replaced by a server that answers with kiss-o'-death DENY: chronyd stops asking it;
    Minor for the control nodes, and the doctor reports the kiss code."""
    f = cluster
    up1 = f.up[0]
    up1.chrony.stop()                      # same host (same MAC: no stale ARP), new server
    up1.start("responder", peers.SETPRIV + [os.path.join(peers.BUILD, "cw-responder"),
                                            "--addr", up1.addr, "--port", "123", "--fault",
                                            "kod-deny", "--max-seconds", "300"])
    for name in ("node1", "node2"):
        wait_alarm(f, node(f, name), "minor", "Time servers not reachable: %s (unreachable)"
                   % UP[0], timeout=40)
    # chronyd learns the kiss code over a few polls: asked again until it says so (bounded)
    kod = peers.wait_for(lambda: [x for x in finding(f.doctor(node(f, "node1"))[1], "kod")
                                  if x["level"] == "fail" and "DENY" in x["title"]] or None,
                         20, "the doctor's kiss-o'-death finding", interval=1)
    assert UP[0] in kod[0]["title"]


def test_name_does_not_resolve(tmp_path):
    """A configured server name that does not resolve: Major unusable after the grace."""
    f = fleet.Fleet()
    try:
        n = f.add_node("node1", "10.77.0.21", "control", UP + ["ntp.does-not-exist.invalid"])
        f.start_agents(timers="grace 5s\nreject_initial 20s\nreject_reselect 30s\n"
                       "clear_delay 3s\n")
        wait_alarm(f, n, "major",
                   "Time servers not reachable: ntp.does-not-exist.invalid (unusable)")
        rc, rep = f.doctor(n)
        srv = finding(rep, "servers")
        assert any("ntp.does-not-exist.invalid" in x["evidence"] and x["level"] == "fail"
                   for x in srv), rep
    finally:
        f.stop()


def test_node_clock_off(cluster):
    """node2's clock (its chronyd and its agent) 15 s ahead: every agent names node2, never
    the healthy majority; node2 is also Critical on its own offset."""
    f = cluster
    node(f, "node2").set_clock(15)
    text = ("Time differs between nodes by more than 10.0 seconds: node2 off by 15.0 seconds "
            "(spread 15.0 seconds)")
    wait_alarm(f, node(f, "node1"), "critical", text)
    wait_alarm(f, node(f, "node3"), "critical", text)
    wait_alarm(f, node(f, "node2"), "critical", "Time incorrect (off by 15.0 seconds); " + text)
    r = node(f, "node1").run([fleet.CW, "status", "--cluster", "--json", "-f",
                              node(f, "node1").conf], capture_output=True, text=True,
                             timeout=30)
    import json
    j = json.loads(r.stdout)
    assert r.returncode == 2 and [n["name"] for n in j["nodes"] if n["outlier"]] == ["node2"]


def test_healthy_soak(cluster):
    """Minutes of a healthy cluster: not one alarm event on any node, and the cluster within
    its threshold."""
    f = cluster
    t_end = time.monotonic() + SOAK_S
    while time.monotonic() < t_end:
        time.sleep(10)
        quiet(f, ["node1", "node2", "node3"])
    for n in f.nodes:
        r = n.run([fleet.CW, "status", "--cluster", "--json", "-f", n.conf],
                  capture_output=True, text=True, timeout=30)
        assert r.returncode == 0, (n.name, r.stdout, r.stderr)
