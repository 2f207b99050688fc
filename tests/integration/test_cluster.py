"""The cluster on loopback: real chronyd servers stand for the other nodes' NTP services, one of
them 15 s wrong (libfaketime). `clockwatch status --cluster` and the agent judge them alike:
the odd node is named, the healthy majority is not blamed, a node that does not answer is
reported as not measured, and the agent raises seed 001's Critical with the exact text."""

import json
import os
import re

import pytest

import peers
from conftest import run_cw

CW = os.path.join(peers.BUILD, "clockwatch")
TEXT = ("Time differs between nodes by more than 10.0 seconds: n4 off by 15.0 seconds "
        "(spread 15.0 seconds)")


@pytest.fixture(scope="module")
def nodes():
    started = []
    try:
        started.append(peers.Chronyd(12302, addr="127.0.14.2"))
        started.append(peers.Chronyd(12303, addr="127.0.14.3"))
        started.append(peers.Chronyd(12304, addr="127.0.14.4", offset=15))
        yield started
    finally:
        for s in started:
            s.stop()


def conf(tmp, extra=""):
    path = os.path.join(tmp, "c.conf")
    with open(path, "w") as f:
        f.write("node_name n1\nnode n1 127.0.14.1 control\nnode n2 127.0.14.2:12302 control\n"
                "node n3 127.0.14.3:12303 payload\nnode n4 127.0.14.4:12304 payload\n" + extra)
    return path


def test_status_cluster(nodes, tmp_path):
    r = run_cw("status", "--cluster", "-f", conf(str(tmp_path)))
    assert r.rc == 2, r.err
    assert "CRITICAL: " + TEXT in r.out
    lines = {line.split()[0]: line for line in r.out.splitlines()[1:5]}
    assert "OUTLIER" in lines["n4"]
    off = re.search(r"payload\s+\S+\s+\+(\d+\.\d+) s", lines["n4"])
    assert off and abs(float(off.group(1)) - 15) < 0.01, lines["n4"]
    for n in ("n1", "n2", "n3"):
        assert lines[n].rstrip().endswith("ok"), lines[n]
    j = run_cw("status", "--cluster", "--json", "-f", conf(str(tmp_path))).json
    assert j["schema"] == "clockwatch.cluster/1" and j["exceeded"] and j["majority"]
    assert j["text"] == TEXT
    by = {n["name"]: n for n in j["nodes"]}
    assert by["n1"]["self"] and by["n1"]["offset_s"] == 0
    assert abs(by["n4"]["offset_s"] - 15) < 0.01 and by["n4"]["outlier"]
    assert by["n2"]["synchronized"] and by["n2"]["stratum"] == 1
    assert [n["name"] for n in j["nodes"] if n["outlier"]] == ["n4"]


def test_unmeasured_node_is_not_a_difference(nodes, tmp_path):
    path = os.path.join(str(tmp_path), "c.conf")
    with open(path, "w") as f:
        f.write("node_name n1\nnode n2 127.0.14.2:12302\nnode n3 127.0.14.3:12303\n"
                "node n5 127.0.14.5:12305\n")
    r = run_cw("status", "--cluster", "--json", "-f", path)
    assert r.rc == 1
    j = r.json
    assert not j["exceeded"] and j["nodes_measured"] == 3 and j["nodes_total"] == 4
    n5 = [n for n in j["nodes"] if n["name"] == "n5"][0]
    assert not n5["measured"] and n5["offset_s"] is None
    assert "port unreachable" in n5["error"]
    assert [n["name"] for n in j["nodes"] if n["self"]] == ["n1"]    # added: not in the list


def test_agent_raises_cluster_critical(nodes, tmp_path):
    client = peers.ChronydClient([nodes[0]], 12310)
    port = peers.free_tcp_port("127.0.14.9")
    ag = None
    try:
        path = conf(str(tmp_path), "service chronyd\nconf %s\ninterval 1s\nstate_dir %s/state\n"
                    "http_listen 127.0.14.9:%d\n" % (client.conf, tmp_path, port))
        ag = peers.Process("agent", peers.SETPRIV + [CW, "agent", "-f", path],
                           log=str(tmp_path / "agent.log"))
        url = "http://127.0.14.9:%d" % port
        d = peers.wait_for(lambda: (lambda r: r if r.out and r.json["events"] else None)(
            run_cw("alarms", "--json", "--state-dir", str(tmp_path / "state"))), 30,
            "the Critical raise")
        ev = d.json["events"][0]
        assert (ev["event"], ev["severity"], ev["text"]) == ("raise", "critical", TEXT)
        st, _, body = peers.http_get(url + "/api/v1/cluster")
        assert st == 200 and json.loads(body)["text"] == TEXT
        metrics = peers.http_get(url + "/metrics")[2].decode()
        assert 'clockwatch_cluster_node_outlier{node="n4",role="payload"} 1' in metrics
        assert 'clockwatch_cluster_node_outlier{node="n2",role="control"} 0' in metrics
        assert "clockwatch_cluster_exceeded 1" in metrics
        assert "clockwatch_alarm_severity 4" in metrics
    finally:
        if ag:
            ag.stop()
        client.stop()


def test_agent_responder(nodes, tmp_path):
    """The agent's own responder: another node's agent measures this one's clock through it;
    strangers get nothing; /metrics counts both."""
    client = peers.ChronydClient([nodes[0]], 12311)
    ag = None
    try:
        port = peers.free_tcp_port("127.0.14.9")
        path = os.path.join(str(tmp_path), "r.conf")
        with open(path, "w") as f:
            f.write("service chronyd\nconf %s\ninterval 1s\nstate_dir %s/state\n"
                    "http_listen 127.0.14.9:%d\nnode_name r1\nresponder 127.0.14.9:12399\n"
                    "node r1 127.0.14.9:12399\nnode me 127.0.0.1\n"
                    % (client.conf, tmp_path, port))
        ag = peers.Process("agent", peers.SETPRIV + [CW, "agent", "-f", path],
                           log=str(tmp_path / "agent.log"))
        peers.wait_for(lambda: "NTP responder on 127.0.14.9:12399, answering 1 node" in
                       open(str(tmp_path / "agent.log")).read(), 10, "the responder")
        # this test process is node "me" (127.0.0.1): the query is answered, synchronized
        peers.wait_for(lambda: (run_cw("query", "--json", "127.0.14.9:12399").json["targets"][0]
                                ["status"] == "ok"), 20, "a synchronized answer")
        t = run_cw("query", "--json", "127.0.14.9:12399").json["targets"][0]
        assert t["stratum"] == 3 and abs(t["offset_s"]) < 0.01
        # status --cluster from "me" sees r1's clock through the responder
        me = os.path.join(str(tmp_path), "me.conf")
        with open(me, "w") as f:
            f.write("node_name me\nnode me 127.0.0.1\nnode r1 127.0.14.9:12399\n")
        j = run_cw("status", "--cluster", "--json", "-f", me).json
        r1 = [n for n in j["nodes"] if n["name"] == "r1"][0]
        assert r1["measured"] and r1["synchronized"] and abs(r1["offset_s"]) < 0.01
        m = peers.http_get("http://127.0.14.9:%d/metrics" % port)[2].decode()
        answered = [float(line.split()[-1]) for line in m.splitlines()
                    if line.startswith('clockwatch_responder_requests_total{result="answered"}')]
        assert answered and answered[0] >= 2
    finally:
        if ag:
            ag.stop()
        client.stop()
