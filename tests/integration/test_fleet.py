"""The fleet end to end: two agents, each in a network namespace of its own (a host of the fleet),
scraped by a real Prometheus with contrib/prometheus/clockwatch.rules.yml and pushing their
alarm to a real Alertmanager. Node 2's time source is made 15 s wrong (libfaketime): the
TimeSynchronization rule fires for node 2 alone with the agent's severity and exact text, the
agent's own push reaches Alertmanager, and both resolve when the source is put right."""

import os
import tempfile

import pytest

import peers

CW = os.path.join(peers.BUILD, "clockwatch")
RULES = os.path.join(peers.ROOT, "contrib", "prometheus", "clockwatch.rules.yml")
TEXT = "Time incorrect (off by 15.0 seconds)"


def firing(prom, node):
    return [a for a in (prom.alerts() or []) if a["labels"].get("alertname") ==
            "TimeSynchronization" and a["labels"].get("node") == node and a["state"] == "firing"]


def from_agent(am, node, active=True):
    return [a for a in (am.alerts(active) or []) if a["labels"].get("source") ==
            "clockwatch-agent" and a["labels"].get("node") == node]


@pytest.fixture
def fleet():
    if not os.path.exists(RULES):
        pytest.fail("contrib/prometheus/clockwatch.rules.yml missing")
    d = tempfile.mkdtemp(prefix="cw-fleet-")
    started = []
    try:
        good = peers.Chronyd(12601, addr="127.0.11.1")
        started.append(good)
        bad = peers.Chronyd(12602, addr="127.0.11.2", offset=15, offset_file=d + "/offset")
        started.append(bad)
        clients = [peers.ChronydClient([good], 12611), peers.ChronydClient([bad], 12612)]
        started += clients
        nss = []
        for i in (1, 2):
            ns = peers.Netns("cwfleet")
            nss.append(ns)
            ns.veth("10.231.%d.1" % i, "10.231.%d.2" % i)
        am = peers.Alertmanager(addr="10.231.1.1")
        started.append(am)
        for i, (ns, c) in enumerate(zip(nss, clients), 1):
            peers.wait_for(lambda: any(r[1] == "*" for r in c.chronyc("sources")), 20,
                           "node %d's selection" % i)
            conf = "%s/node%d.conf" % (d, i)
            with open(conf, "w") as f:
                f.write("service chronyd\nconf %s\ninterval 1s\nclear_delay 2s\n"
                        "state_dir %s/state%d\nhttp_listen 10.231.%d.2:10123\nnode_name node%d\n"
                        "alertmanager_url %s\nalertmanager_resend 10s\n"
                        % (c.conf, d, i, i, i, am.url))
            started.append(peers.Process("agent node%d" % i, ns.argv(
                peers.SETPRIV + [CW, "agent", "-f", conf]), log="%s/node%d.log" % (d, i)))
        prom = peers.Prometheus(["10.231.1.2:10123", "10.231.2.2:10123"], rule_files=[RULES],
                                alertmanagers=[am.url])
        started.append(prom)
        yield {"prom": prom, "am": am, "bad": bad, "dir": d}
    finally:
        for p in reversed(started):
            p.stop()
        for ns in locals().get("nss", []):
            ns.remove()


def test_fleet_prometheus_and_alertmanager(fleet):
    prom, am = fleet["prom"], fleet["am"]
    # both targets scraped (Prometheus negotiates OpenMetrics first)
    peers.wait_for(lambda: (lambda ts: len(ts) == 2 and all(t["health"] == "up" for t in ts))(
        prom.targets() or []), 30, "both agents scraped")
    sync = peers.wait_for(lambda: prom.query("clockwatch_synchronized") or None, 30,
                          "clockwatch_synchronized in Prometheus")
    assert {r["metric"]["instance"] for r in sync} == {"10.231.1.2:10123", "10.231.2.2:10123"}

    # the rule fires for node 2 only, with the agent's severity and exact text
    alerts = peers.wait_for(lambda: firing(prom, "node2") or None, 60, "the rule to fire")
    a = alerts[0]
    assert a["labels"]["severity"] == "critical"
    assert a["labels"]["instance"] == "10.231.2.2:10123"
    assert a["labels"]["managed_object"] == "SafNode"
    assert a["annotations"]["summary"] == TEXT
    assert firing(prom, "node1") == []
    off = {r["metric"]["instance"]: float(r["value"][1])
           for r in prom.query("clockwatch_offset_seconds")}
    assert abs(abs(off["10.231.2.2:10123"]) - 15) < 0.5
    assert abs(off["10.231.1.2:10123"]) < 0.1

    # the agent's own push, and Prometheus' alert, both reach Alertmanager
    pushed = peers.wait_for(lambda: from_agent(am, "node2") or None, 30, "the agent's push")
    p = pushed[0]
    assert p["labels"] == {"alertname": "TimeSynchronization", "node": "node2",
                           "severity": "critical", "managed_object": "SafNode",
                           "specific_problem": "LOTC Time Synchronization",
                           "source": "clockwatch-agent"}
    assert p["annotations"]["summary"] == TEXT
    assert p["annotations"]["major_type"] == "193"
    assert from_agent(am, "node1") == []
    peers.wait_for(lambda: [x for x in am.alerts() or [] if x["labels"].get("job") ==
                            "clockwatch" and x["labels"].get("node") == "node2"] or None, 30,
                   "Prometheus' alert in Alertmanager")
    scraped = prom.query("clockwatch_alertmanager_pushes_total")
    assert any(float(r["value"][1]) >= 1 for r in scraped
               if r["metric"]["instance"] == "10.231.2.2:10123")

    # node 2's source put right: the agent clears (after clear_delay), the push resolves,
    # the rule stops firing
    # (within 25 s: the pushed alert's own endsAt is 40 s ahead, so only the agent's explicit
    # resolve can end it this soon)
    fleet["bad"].set_offset(0)
    peers.wait_for(lambda: not from_agent(am, "node2"), 25, "the agent's alert to resolve")
    peers.wait_for(lambda: not firing(prom, "node2"), 30, "the rule to stop firing")
    log = open(os.path.join(fleet["dir"], "node2.log")).read()
    assert "alarm clear" in log
