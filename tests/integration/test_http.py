"""The agent's HTTP side against a real chronyd client of real chronyd servers: /metrics (checked
by promtool and against `clockwatch status --json`), the JSON API (byte for byte what the CLI
prints from the same store), the dashboard's files, and what bad or hostile clients get: wrong
methods, malformed requests, floods of idle connections, basic auth and TLS."""

import json
import os
import re
import socket
import ssl
import subprocess
import time

import pytest

import peers
from conftest import run_cw

CW = os.path.join(peers.BUILD, "clockwatch")
ADDR = "127.0.10.9"


def start_agent(tmp, conf_text, name="agent"):
    conf = os.path.join(tmp, name + ".conf")
    with open(conf, "w") as f:
        f.write(conf_text)
    log = os.path.join(tmp, name + ".log")
    return peers.Process("clockwatch agent", peers.SETPRIV + [CW, "agent", "-f", conf], log=log), log


def get(url, **kw):
    return peers.http_get(url, **kw)


@pytest.fixture(scope="module")
def rig(tmp_path_factory):
    tmp = str(tmp_path_factory.mktemp("http"))
    a = peers.Chronyd(12701, addr="127.0.10.1")
    b = peers.Chronyd(12702, addr="127.0.10.2")
    c = peers.ChronydClient([a, b], 12710)
    port = peers.free_tcp_port(ADDR)
    agent = None
    try:
        peers.wait_for(lambda: any(r[1] == "*" for r in c.chronyc("sources")), 20, "selection")
        agent, log = start_agent(tmp, "service chronyd\nconf %s\ninterval 1s\nstate_dir %s/state\n"
                                 "http_listen %s:%d\nhttp_timeout 2s\nhttp_per_ip_connections 8\n"
                                 "node_name test-node\n" % (c.conf, tmp, ADDR, port))
        url = "http://%s:%d" % (ADDR, port)
        peers.wait_for(lambda: get(url + "/api/v1/status")[0] == 200, 20, "the first check")
        yield {"url": url, "client": c, "state": tmp + "/state", "log": log, "agent": agent,
               "port": port, "tmp": tmp}
    finally:
        if agent:
            agent.stop()
        for x in (c, a, b):
            x.stop()


def metrics(url, accept=None):
    st, hdr, body = get(url + "/metrics", headers={"Accept": accept} if accept else None)
    assert st == 200
    return hdr, body.decode()


def samples(text):
    """{name{labels}: value} of an exposition."""
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            k, v = line.rsplit(" ", 1)
            out[k] = float(v)
    return out


def test_metrics_lint_and_content(rig):
    hdr, text = metrics(rig["url"])
    assert hdr["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    p = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True,
                       text=True, timeout=30)
    assert p.returncode == 0, p.stdout + p.stderr
    s = samples(text)
    assert s["clockwatch_synchronized"] == 1
    assert s['clockwatch_service_running{daemon="chronyd"}'] == 1
    assert s['clockwatch_service_up{daemon="chronyd"}'] == 1
    assert s['clockwatch_service_can_set_clock{daemon="chronyd"}'] == 0
    assert s["clockwatch_stratum"] == 2
    assert s["clockwatch_alarm_severity"] == 0
    assert s['clockwatch_alarm_info{node="test-node",severity="cleared",text=""}'] == 1
    assert s["clockwatch_checks_total"] >= 1
    assert s["clockwatch_store_up"] == 1
    for src in ("127.0.10.1", "127.0.10.2"):
        key = '{source="%s",address="%s"}' % (src, src)
        assert s["clockwatch_source_reach" + key] > 0
        assert s["clockwatch_source_stratum" + key] == 1
        assert abs(s["clockwatch_source_offset_seconds" + key]) < 0.01
    selected = [k for k, v in s.items() if k.startswith("clockwatch_source_selected") and v == 1]
    assert len(selected) == 1
    # HELP and TYPE on every family
    fams = [line.split()[2] for line in text.splitlines() if line.startswith("# TYPE")]
    helps = [line.split()[2] for line in text.splitlines() if line.startswith("# HELP")]
    assert fams == helps and len(fams) == len(set(fams)) and len(fams) > 40


def test_metrics_agree_with_cli(rig):
    """The same daemon seen by `clockwatch status --json` and by the agent's /metrics."""
    st = run_cw("status", "--json", "--service", "chronyd", "--conf", rig["client"].conf).json
    s = samples(metrics(rig["url"])[1])
    assert s["clockwatch_stratum"] == st["system"]["stratum"]
    assert s["clockwatch_synchronized"] == (1 if st["system"]["synchronized"] else 0)
    assert abs(s["clockwatch_offset_seconds"] - st["system"]["offset_s"]) < 0.005
    assert s["clockwatch_leap_status"] == 0 and st["system"]["leap"] == "none"


def test_openmetrics(rig):
    hdr, text = metrics(rig["url"], "application/openmetrics-text;version=1.0.0,"
                        "text/plain;version=0.0.4;q=0.5,*/*;q=0.1")
    assert hdr["Content-Type"].startswith("application/openmetrics-text; version=1.0.0")
    assert text.endswith("# EOF\n")
    assert "# TYPE clockwatch_checks counter\n" in text
    assert "# TYPE clockwatch_build info\n" in text
    assert "\nclockwatch_checks_total " in text
    # the classic format when text/plain is preferred
    hdr, text = metrics(rig["url"], "application/openmetrics-text;q=0.2,text/plain")
    assert hdr["Content-Type"].startswith("text/plain; version=0.0.4")
    assert "# EOF" not in text


def test_api_matches_cli_exactly(rig):
    """alarms and history print through the same code from the same store: byte for byte."""
    url, state = rig["url"], rig["state"]
    peers.wait_for(lambda: samples(metrics(url)[1])["clockwatch_checks_total"] >= 3, 10,
                   "three checks")
    now = int(time.time()) + 1
    q = "from=%d&to=%d&step=2" % (now - 60, now)
    st, hdr, body = get(url + "/api/v1/history?" + q)
    assert st == 200 and hdr["Content-Type"] == "application/json"
    cli = run_cw("history", "--json", "--from", now - 60, "--to", now, "--step", "2",
                 "--state-dir", state)
    assert cli.rc == 0, cli.err
    assert body.decode() == cli.out
    h = json.loads(body)
    assert h["schema"] == "clockwatch.history/1" and h["step_s"] == 2
    assert h["points"] and all(p["checks"] >= 1 for p in h["points"])
    assert all(p["synchronized_ratio"] is not None for p in h["points"])
    st, _, body = get(url + "/api/v1/alarms?count=5")
    cli = run_cw("alarms", "--json", "-n", "5", "--state-dir", state)
    assert st == 200 and json.loads(body) == cli.json


def test_api_status_and_sources(rig):
    st, _, body = get(rig["url"] + "/api/v1/status")
    assert st == 200
    d = json.loads(body)
    cli = run_cw("status", "--json", "--service", "chronyd", "--conf", rig["client"].conf).json
    assert d["schema"] == cli["schema"] == "clockwatch.status/1"
    assert d.keys() == cli.keys() and d["system"].keys() == cli["system"].keys()
    assert d["service"] == "chronyd" and d["verdict"]["level"] == cli["verdict"]["level"]
    st, _, body = get(rig["url"] + "/api/v1/sources")
    d = json.loads(body)
    cli = run_cw("peers", "--json", "--service", "chronyd", "--conf", rig["client"].conf).json
    assert d["schema"] == "clockwatch.peers/1"
    assert sorted(x["address"] for x in d["sources"]) == sorted(
        x["address"] for x in cli["sources"]) == ["127.0.10.1", "127.0.10.2"]
    st, _, body = get(rig["url"] + "/api/v1/agent")
    d = json.loads(body)
    assert d["schema"] == "clockwatch.agent/1" and d["node"] == "test-node"
    assert d["interval_s"] == 1 and d["checks_total"] >= 1 and d["alarm"]["severity"] == "cleared"


def test_dashboard_files(rig):
    st, hdr, body = get(rig["url"] + "/")
    assert st == 200 and hdr["Content-Type"] == "text/html; charset=utf-8"
    assert "default-src 'self'" in hdr["Content-Security-Policy"]
    assert b"static/app.js" in body and b"static/uPlot.iife.min.js" in body
    for path, ctype in (("/static/app.js", "text/javascript"), ("/static/app.css", "text/css"),
                        ("/static/uPlot.iife.min.js", "text/javascript"),
                        ("/static/uPlot.min.css", "text/css")):
        st, hdr, body = get(rig["url"] + path)
        assert st == 200 and hdr["Content-Type"].startswith(ctype) and len(body) > 100, path
        etag = hdr["ETag"]
        st, _, body = get(rig["url"] + path, headers={"If-None-Match": etag})
        assert st == 304 and body == b""


def test_bad_requests(rig):
    url = rig["url"]
    for path, want in (("/api/v1/history?from=yesterday", "from: bad time"),
                       ("/api/v1/history?from=-1h&to=-2h", "to must be after from"),
                       ("/api/v1/history?from=-30d&step=1", "at most 11000"),
                       ("/api/v1/history?step=0.1", "at least 1 s"),
                       ("/api/v1/alarms?count=0", "count: want an integer"),
                       ("/api/v1/alarms?count=99999999999999999999", "count: want an integer")):
        st, hdr, body = get(url + path)
        assert st == 400, path
        e = json.loads(body)
        assert e["schema"] == "clockwatch.error/1" and e["status"] == 400
        assert want in e["error"], (path, e)
    st, _, body = get(url + "/api/v2/status")
    assert st == 404 and json.loads(body)["error"] == "no such API: /api/v2/status"
    assert get(url + "/etc/passwd")[0] == 404
    assert get(url + "/static/../../etc/passwd")[0] == 404
    p = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST",
                        "-d", "x=1", url + "/metrics"], capture_output=True, text=True, timeout=10)
    assert p.stdout == "405"
    # malformed request lines, a huge URL and a header flood over raw sockets
    for raw in (b"GARBAGE\r\n\r\n", b"GET /metrics HTTP/9.9\r\n\r\n",
                b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
                b"GET / HTTP/1.1\r\n" + b"X-A: " + b"b" * 40000 + b"\r\n\r\n",
                b"\x00\xff\x16\x03\x01" * 100):
        with socket.create_connection((ADDR, rig["port"]), timeout=5) as s:
            try:
                s.sendall(raw)
                s.shutdown(socket.SHUT_WR)
                reply = s.recv(200)
            except (ConnectionResetError, BrokenPipeError):
                reply = b""
        assert reply == b"" or re.match(rb"HTTP/1\.[01] (4\d\d|505) ", reply), (raw[:30], reply)
    assert rig["agent"].alive()
    assert get(url + "/metrics")[0] == 200


def closed_by_server(socks, wait):
    """How many of the sockets the server has closed (EOF or reset within wait seconds)."""
    n = 0
    for s in socks:
        try:
            s.settimeout(wait)
            n += s.recv(1) == b""
        except socket.timeout:
            pass
        except OSError:
            n += 1
    return n


def test_idle_connection_flood(rig):
    """A client that opens many connections and sends nothing: its own address is capped, the
    others are served at once, the checks go on, and the idle ones are closed after
    http_timeout (2 s here)."""
    url = rig["url"]
    before = samples(metrics(url)[1])["clockwatch_checks_total"]
    socks = []
    try:
        for _ in range(40):
            s = socket.socket()
            s.bind(("127.0.10.66", 0))
            s.settimeout(2)
            try:
                s.connect((ADDR, rig["port"]))
            except OSError:
                s.close()
                continue
            socks.append(s)
        t0 = time.monotonic()
        st, _, _ = get(url + "/metrics", timeout=3)
        assert st == 200 and time.monotonic() - t0 < 1.0
        # beyond the per-address limit (8) the flood's connections are closed at once
        closed = closed_by_server(socks, 0.5)
        assert closed >= len(socks) - 8, (closed, len(socks))
        time.sleep(3.5)     # http_timeout 2 s: the idle ones are gone too
        assert closed_by_server(socks, 0.2) == len(socks)
        after = samples(metrics(url)[1])["clockwatch_checks_total"]
        assert after >= before + 3
    finally:
        for s in socks:
            s.close()


def test_port_in_use_does_not_stop_checks(tmp_path, rig):
    """Another program holds the port: the agent says so, keeps checking and alarming, and
    tries again (every minute)."""
    busy = socket.socket()
    busy.bind((ADDR, 0))
    busy.listen(1)
    port = busy.getsockname()[1]
    ag = None
    try:
        ag, log = start_agent(str(tmp_path), "service chronyd\nconf %s\ninterval 1s\n"
                              "state_dir %s/state\nhttp_listen %s:%d\n"
                              % (rig["client"].conf, tmp_path, ADDR, port))
        peers.wait_for(lambda: "trying again in 60 s" in open(log).read(), 10, "the complaint")
        assert "cannot listen: Address already in use" in open(log).read()
        peers.wait_for(lambda: (run_cw("history", "--json", "--from", "-1m", "--state-dir",
                                       str(tmp_path / "state")).json or {}).get("points"),
                       15, "checks stored")
        assert ag.alive()
    finally:
        if ag:
            ag.stop()
        busy.close()


def test_ipv6_basic_auth_and_tls(tmp_path, rig):
    key, cert = str(tmp_path / "key.pem"), str(tmp_path / "cert.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "2", "-subj", "/CN=localhost", "-addext",
                    "subjectAltName=IP:::1,IP:127.0.0.1"], check=True, capture_output=True,
                   timeout=60)
    pw = tmp_path / "pw"
    pw.write_text("s3cret pass\n")
    port = peers.free_tcp_port("::1")
    ag = None
    try:
        ag, log = start_agent(str(tmp_path), "service chronyd\nconf %s\ninterval 1s\n"
                              "state_dir %s/state\nhttp_listen [::1]:%d\nhttp_tls_cert %s\n"
                              "http_tls_key %s\nhttp_user prom\nhttp_password_file %s\n"
                              % (rig["client"].conf, tmp_path, port, cert, key, pw))
        peers.wait_for(lambda: peers.tcp_listening("::1", port), 10, "TLS listener")
        base = "https://[::1]:%d" % port

        def curl(*args):
            p = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                                "--cacert", cert] + list(args), capture_output=True, text=True,
                               timeout=10)
            return p.stdout
        assert curl(base + "/metrics") == "401"
        assert curl("-u", "prom:wrong", base + "/metrics") == "401"
        assert curl("-u", "other:s3cret pass", base + "/metrics") == "401"
        peers.wait_for(lambda: curl("-u", "prom:s3cret pass", base + "/api/v1/status") == "200",
                       10, "an authenticated answer")
        assert curl("-u", "prom:s3cret pass", base + "/metrics") == "200"
        # plain HTTP to the TLS port gets no page
        assert curl("http://[::1]:%d/metrics" % port) in ("000", "400")
        ctx = ssl.create_default_context(cafile=cert)
        with socket.create_connection(("::1", port), timeout=5) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                assert s.version() in ("TLSv1.2", "TLSv1.3")
        assert "s3cret" not in open(log).read()
    finally:
        if ag:
            ag.stop()


def test_config_errors(tmp_path):
    conf = tmp_path / "bad.conf"
    conf.write_text("http_listen localhost:80\nhttp_tls_cert /x/cert.pem\n"
                    "alertmanager_url ftp://x\nhttp_listen off\nhttp_user u\n")
    r = run_cw("agent", "-n", "-f", conf)
    assert r.rc == 3
    for want in ("bad.conf:1:13: http_listen wants a numeric address",
                 "bad.conf:3:18: alertmanager_url wants http://HOST[:PORT][/PATH]",
                 "bad.conf:4:13: http_listen off cannot go with other http_listen lines",
                 "bad.conf:2:15: http_tls_cert needs http_tls_key too",
                 "bad.conf:5:11: http_user needs http_password_file too"):
        assert want in r.err, (want, r.err)


def test_metrics_documented(rig):
    """docs/METRICS.md and /metrics name the same metrics, with the same types and labels."""
    from test_contrib import doc_metrics
    doc = doc_metrics()
    text = metrics(rig["url"])[1]
    types = dict(line.split()[2:4] for line in text.splitlines() if line.startswith("# TYPE"))
    exposed = set(types)
    assert exposed - set(doc) == set(), "undocumented"
    # absent here only when unknown, or the cluster's (no node lines in this rig)
    assert {n for n in set(doc) - exposed
            if not n.startswith(("clockwatch_cluster_", "clockwatch_responder_"))} == set(), \
        "documented but not exposed"
    for name, (typ, _, labels) in doc.items():
        if name not in exposed:
            continue
        assert types[name] == ("gauge" if typ == "info" else typ), name
        seen = set()
        for line in text.splitlines():
            if line.startswith(name + "{"):
                seen |= set(re.findall(r'([a-z_]+)="', line.split("}")[0]))
        assert seen == labels, (name, seen, labels)
