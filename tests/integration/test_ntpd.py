"""clockwatch status and peers against a real ntpd (NTPsec 1.2.2) synchronizing to three real
chronyd servers (one 2000 s off) in network namespaces of the test's own, compared with what
ntpq reports from the same daemon at the same moment (ntpq is a test oracle only: clockwatch
speaks mode 6 itself)."""

import json
import os

import pytest

import peers

CW = os.path.join(peers.BUILD, "clockwatch")


@pytest.fixture(scope="module")
def tb():
    t = peers.NtpdTestbed()
    try:
        def ready():
            rows = ntpq_peers(t)
            return {r["tally"] for r in rows.values()} >= {"*", "x"}
        peers.wait_for(ready, 90, "ntpd to pick a system peer and mark the falseticker",
                       interval=0.5)
        yield t
    finally:
        t.stop()


def ntpq_peers(t):
    rows = {}
    for line in t.ntpq("pe").splitlines():
        f = line[1:].split()
        if len(f) == 10 and f[0].startswith("10.200.7."):
            rows[f[0]] = {"tally": line[0], "refid": f[1], "st": int(f[2]), "t": f[3],
                          "poll": int(f[5]), "reach": int(f[6], 8), "offset_ms": float(f[8])}
    return rows


def ntpq_sysvars(t):
    text = t.ntpq("rv 0").replace("\n", " ")
    out = {}
    for item in text.split(","):
        if "=" in item:
            k, v = item.strip().split("=", 1)
            out[k.split()[-1]] = v.strip().strip('"')
    return out


def cw_in(t, *args):
    p = t.run_in([CW] + list(args), capture_output=True, text=True, timeout=30)
    return p.returncode, p.stdout, p.stderr


def test_peers_agree_with_ntpq(tb):
    rc, out, err = cw_in(tb, "peers", "--json", "--service", "ntpd")
    oracle = ntpq_peers(tb)
    assert rc == 0, err
    doc = json.loads(out)
    assert doc["from"] == "ntpd mode 6"
    got = {s["address"]: s for s in doc["sources"]}
    assert list(got) == sorted(oracle)            # ntpq's order: by association
    for addr, o in oracle.items():
        s = got[addr]
        assert s["tally"] == o["tally"], (addr, s, o)
        assert s["stratum"] == o["st"] and s["type"] == o["t"] == "u"
        assert s["poll_s"] == o["poll"]
        assert s["refid"] == o["refid"]
        assert bin(s["reach"]).count("1") >= bin(o["reach"]).count("1") - 1
    far = got["10.200.7.13"]
    assert far["tally"] == "x" and far["state"] == "falsetick"
    assert abs(far["offset_s"] - 2000) < 0.01    # RFC sign, as ntpd's
    assert abs(far["offset_s"] * 1e3 - oracle["10.200.7.13"]["offset_ms"]) < 10


def test_status_agrees_with_ntpq_rv(tb):
    rc, out, err = cw_in(tb, "status", "--json", "--service", "ntpd")
    o = ntpq_sysvars(tb)
    doc = json.loads(out)
    svc = doc["services"][1]
    assert svc["name"] == "ntpd" and svc["answering"] and svc["endpoint"] == "127.0.0.1:123"
    assert svc["version"] == o["version"].replace("ntpd ", "")
    assert svc["can_set_clock"] is False                 # setpriv dropped CAP_SYS_TIME
    assert [s["name"] for s in svc["configured_sources"]] == tb.servers
    sysv = doc["system"]
    assert sysv["from"] == "ntpd mode 6"
    assert sysv["synchronized"] is True
    assert sysv["stratum"] == int(o["stratum"]) == 2
    assert sysv["refid"] == o["refid"]
    assert sysv["source_address"] == o["refid"]          # the system peer's address
    assert sysv["leap"] == "none" and o["leap"] == "00"
    assert doc["verdict"]["level"] == "warning"          # it measures but may not correct
    assert rc == 1


def test_text_output(tb):
    rc, out, _ = cw_in(tb, "peers", "--service", "ntpd")
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["remote", "refid", "st"]
    assert any(l.startswith("x10.200.7.13") for l in lines)
    rc, out, _ = cw_in(tb, "status", "--service", "ntpd")
    assert "ntpd ntpsec-1.2.2" in out and "answering at 127.0.0.1:123" in out


def test_nothing_answers_mode6(tb):
    rc, out, err = cw_in(tb, "status", "--json", "--service", "ntpd", "--address",
                         "127.0.0.1:9", "-t", "200ms")
    assert rc == 2
    svc = json.loads(out)["services"][1]
    assert svc["answering"] is False
    assert svc["error"] == "nothing answers mode 6 at 127.0.0.1:9 (is ntpd running?)"


def ntpq_assoc(t):
    rows = {}
    for line in t.ntpq("as").splitlines():
        f = line.split()
        if len(f) >= 8 and f[0].isdigit():
            rows[int(f[1])] = {"status": f[2], "conf": f[3], "reach": f[4], "auth": f[5],
                               "condition": f[6]}
    return rows


def test_assoc_agrees_with_ntpq_as(tb):
    rc, out, err = cw_in(tb, "assoc", "--json", "--service", "ntpd")
    oracle = ntpq_assoc(tb)
    assert rc == 0, err
    got = {a["assid"]: a for a in json.loads(out)["associations"]}
    assert set(got) == set(oracle) and len(got) == 3
    for assid, o in oracle.items():
        a = got[assid]
        assert a["configured"] is (o["conf"] == "yes")
        assert a["auth"] == o["auth"]
        assert a["condition"] == o["condition"]
        # the status word's selection bits and flags (its event count may move on)
        assert a["status"] >> 8 == int(o["status"], 16) >> 8
    rc, out, _ = cw_in(tb, "assoc", "--service", "ntpd")
    lines = out.splitlines()
    assert lines[0].split() == ["ind", "assid", "status", "conf", "reach", "auth", "condition",
                                "last_event", "cnt"]
    assert any(" falsetick " in l for l in lines)


def test_vars_system_and_one_association(tb):
    rc, out, err = cw_in(tb, "vars", "--json", "--service", "ntpd")
    assert rc == 0, err
    doc = json.loads(out)
    v = doc["variables"]
    o = ntpq_sysvars(tb)
    assert doc["association"] is None
    assert v["version"] == o["version"] and v["stratum"] == o["stratum"]
    assert len(v["status"].split()[0]) == 4 and "leap_none" in v["status"]
    # one source by its association id, with the filter registers and the flash decoded
    assoc = json.loads(cw_in(tb, "assoc", "--json", "--service", "ntpd")[1])["associations"]
    far = next(a for a in assoc if a["address"] == "10.200.7.13")
    rc, out, err = cw_in(tb, "vars", str(far["assid"]), "--json", "--service", "ntpd")
    assert rc == 0, err
    doc = json.loads(out)
    assert doc["association"] == far["assid"] and doc["address"] == "10.200.7.13"
    pv = doc["variables"]
    assert pv["srcadr"] == "10.200.7.13"
    assert len(pv["filtoffset"].split()) == 8 and len(pv["filtdelay"].split()) == 8
    assert "flash_names" in pv and "sel_falsetick" in pv["status"]
    oracle = tb.ntpq("rv %d srcadr,stratum" % far["assid"])
    assert "srcadr=10.200.7.13" in oracle.replace(" ", "")
    # by address, and text
    rc, out, _ = cw_in(tb, "vars", "10.200.7.13", "--service", "ntpd")
    assert rc == 0 and "srcadr" in out and "= 10.200.7.13" in out
    rc, out, err = cw_in(tb, "vars", "9999", "--service", "ntpd")
    assert rc == 2 and "no source '9999'" in err


def test_check_plugin_on_ntpd(tb):
    rc, out, err = cw_in(tb, "check", "--service", "ntpd")
    assert rc == 0, out
    assert out.startswith("TIME OK - ntpd synchronized to 10.200.7.1")
    perf = dict(kv.split("=", 1) for kv in out.split("|", 1)[1].split())
    assert perf["sources"] == "3" and perf["truechimers"] == "2" and perf["stratum"] == "2"
