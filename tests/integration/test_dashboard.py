"""The dashboard in a real browser: headless Chromium (Debian's) driven by playwright-core
(tests/browser/dashboard.mjs), against agents watching real chronyd clients of real chronyd
servers: a synchronized host, and a host whose server is 15 s wrong (Critical). The page must
show what the API says, with no console error or CSP violation, on a desktop and a phone width.
Screenshots are kept in build/artifacts/."""

import json
import os
import re
import shutil
import subprocess

import pytest

import peers

CW = os.path.join(peers.BUILD, "clockwatch")
DRIVER = os.path.join(peers.ROOT, "tests", "browser", "dashboard.mjs")
ARTIFACTS = os.path.join(peers.BUILD, "artifacts")

pytestmark = pytest.mark.skipif(
    not os.path.isdir(os.path.join(peers.ROOT, "tests", "browser", "node_modules",
                                   "playwright-core")) or not shutil.which("node")
    or not os.path.exists("/usr/bin/chromium"),
    reason="playwright-core, node or chromium missing: run tools/install-deps test")


def browse(url, shot, *extra, timeout=90):
    os.makedirs(ARTIFACTS, exist_ok=True)
    p = subprocess.run(["node", DRIVER, url, os.path.join(ARTIFACTS, shot)] + list(extra),
                       capture_output=True, text=True, timeout=timeout)
    assert p.returncode == 0, "dashboard.mjs exited %d: %s %s" % (p.returncode, p.stderr,
                                                                  p.stdout[-2000:])
    return json.loads(p.stdout)


def agent(tmp, name, client, port, addr):
    conf = os.path.join(tmp, name + ".conf")
    with open(conf, "w") as f:
        f.write("service chronyd\nconf %s\ninterval 1s\nstate_dir %s/%s\nhttp_listen %s:%d\n"
                "node_name %s\n" % (client.conf, tmp, name, addr, port, name))
    return peers.Process("agent " + name, peers.SETPRIV + [CW, "agent", "-f", conf],
                         log=os.path.join(tmp, name + ".log"))


def clean(page):
    assert page["console_errors"] == [], page["console_errors"]
    assert page.get("csp_violations", []) == []
    assert page["failed_requests"] == []
    assert page["a11y"]["lang"] == "en"
    assert page["a11y"]["images_without_alt"] == 0 and page["a11y"]["inputs_without_label"] == 0
    for c in ("offset", "jitter", "rootdist"):
        assert page["charts"][c]["canvas"], c
        assert page["charts"][c]["w"] > 200 and page["charts"][c]["h"] > 80, c


def test_synchronized_host(tmp_path):
    a = peers.Chronyd(12501, addr="127.0.12.1")
    b = peers.Chronyd(12502, addr="127.0.12.2")
    c = peers.ChronydClient([a, b], 12510)
    ag = None
    try:
        peers.wait_for(lambda: any(r[1] == "*" for r in c.chronyc("sources")) and
                       all(r[5] == "377" for r in c.chronyc("sources")), 30, "full reach")
        port = peers.free_tcp_port("127.0.12.9")
        ag = agent(str(tmp_path), "calm-node", c, port, "127.0.12.9")
        url = "http://127.0.12.9:%d/" % port
        peers.wait_for(lambda: peers.http_get(url + "api/v1/status")[0] == 200, 20, "a check")
        api = json.loads(peers.http_get(url + "api/v1/status")[2])
        page = browse(url, "dashboard-synchronized.png")
        clean(page)
        assert page["sync_state"] == "Synchronized"
        assert page["node"] == "calm-node"
        assert api["system"]["source_address"] in page["source"]
        assert page["alarm_severity"] == "cleared" and page["alarm_text"] == ""
        rows = page["sources"]
        assert len(rows) == 2
        cells = " ".join(" ".join(r["cells"]) for r in rows)
        assert "127.0.12.1" in cells and "127.0.12.2" in cells and "377" in cells
        assert "selected" in cells
        phone = browse(url, "dashboard-synchronized-phone.png", "--width", "375")
        clean(phone)
        assert phone["sync_state"] == "Synchronized"
        assert not phone.get("horizontal_overflow")
    finally:
        if ag:
            ag.stop()
        for x in (c, a, b):
            x.stop()


def test_critical_host(tmp_path):
    far = peers.Chronyd(12503, addr="127.0.12.3", offset=15)
    c = peers.ChronydClient([far], 12511)
    ag = None
    try:
        peers.wait_for(lambda: any(r[1] == "*" for r in c.chronyc("sources")), 20, "selection")
        port = peers.free_tcp_port("127.0.12.9")
        ag = agent(str(tmp_path), "bad-node", c, port, "127.0.12.9")
        url = "http://127.0.12.9:%d/" % port
        peers.wait_for(lambda: json.loads(peers.http_get(url + "api/v1/agent")[2] or b"{}")
                       .get("alarm", {}).get("severity") == "critical", 30, "the Critical alarm")
        page = browse(url, "dashboard-critical.png", "--wait-alarm", "critical")
        clean(page)
        assert page["node"] == "bad-node"
        assert page["alarm_severity"] == "critical"
        assert page["alarm_text"] == "Time incorrect (off by 15.0 seconds)"
        assert page["alarm_rows"], "the alarm log shows the raise"
        assert any("Time incorrect (off by 15.0 seconds)" in " ".join(r)
                   for r in page["alarm_rows"])
        # the offset shown is the daemon's: 15 s
        m = re.match(r"\+(\d+\.\d+) s", page["offset"])
        assert m and abs(float(m.group(1)) - 15) < 0.01, page["offset"]
    finally:
        if ag:
            ag.stop()
        c.stop()
        far.stop()


def test_agent_gone_shows_connection_lost(tmp_path):
    """The page says so when the agent stops answering, rather than showing stale values as
    current."""
    a = peers.Chronyd(12504, addr="127.0.12.4")
    c = peers.ChronydClient([a], 12512)
    ag = None
    try:
        port = peers.free_tcp_port("127.0.12.9")
        ag = agent(str(tmp_path), "gone-node", c, port, "127.0.12.9")
        url = "http://127.0.12.9:%d/" % port
        peers.wait_for(lambda: peers.http_get(url + "api/v1/status")[0] == 200, 20, "a check")
        script = os.path.join(str(tmp_path), "lost.mjs")
        with open(script, "w") as f:
            f.write(LOST % {"driver_dir": os.path.dirname(DRIVER)})
        p = subprocess.Popen(["node", script, url], stdout=subprocess.PIPE, text=True,
                             cwd=os.path.dirname(DRIVER))
        try:
            line = p.stdout.readline()           # "loaded"
            assert line.strip() == "loaded", line
            ag.stop()
            out = json.loads(p.stdout.readline())
            assert out["conn"] and "lost" in out["conn"].lower(), out
        finally:
            p.wait(timeout=60)
    finally:
        if ag:
            ag.stop()
        c.stop()
        a.stop()


LOST = r"""
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from '%(driver_dir)s/node_modules/playwright-core/index.mjs';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cw-lost-'));
const ctx = await chromium.launchPersistentContext(dir, {executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync']});
try {
  const page = await ctx.newPage();
  await page.goto(process.argv[2]);
  await page.waitForSelector('body[data-loaded="1"]', {timeout: 30000});
  process.stdout.write('loaded\n');
  await page.waitForFunction(() => /lost/i.test(
      document.querySelector('[data-testid="conn-state"]')?.textContent || ''),
      null, {timeout: 30000}).catch(() => {});
  const conn = await page.evaluate(
      () => document.querySelector('[data-testid="conn-state"]')?.textContent || '');
  process.stdout.write(JSON.stringify({conn}) + '\n');
} finally {
  await ctx.close();
  fs.rmSync(dir, {recursive: true, force: true});
}
"""


def test_cluster_view(tmp_path):
    """The node-by-node view: a node 15 s off stands out, the verdict is the alarm's text."""
    started = [peers.Chronyd(12505, addr="127.0.12.5"), peers.Chronyd(12506, addr="127.0.12.6"),
               peers.Chronyd(12507, addr="127.0.12.7", offset=15)]
    c = peers.ChronydClient(started[:1], 12513)
    ag = None
    try:
        port = peers.free_tcp_port("127.0.12.9")
        conf = os.path.join(str(tmp_path), "n1.conf")
        with open(conf, "w") as f:
            f.write("service chronyd\nconf %s\ninterval 1s\nstate_dir %s/n1\n"
                    "http_listen 127.0.12.9:%d\nnode_name n1\nnode n1 127.0.12.1 control\n"
                    "node n2 127.0.12.5:12505 control\nnode n3 127.0.12.6:12506 payload\n"
                    "node n4 127.0.12.7:12507 payload\n" % (c.conf, tmp_path, port))
        ag = peers.Process("agent n1", peers.SETPRIV + [CW, "agent", "-f", conf],
                           log=os.path.join(str(tmp_path), "n1.log"))
        url = "http://127.0.12.9:%d/" % port
        peers.wait_for(lambda: peers.http_get(url + "api/v1/cluster")[0] == 200, 20, "a check")
        page = browse(url, "dashboard-cluster.png", "--wait-alarm", "critical")
        clean(page)
        cl = page["cluster"]
        text = ("Time differs between nodes by more than 10.0 seconds: n4 off by 15.0 seconds "
                "(spread 15.0 seconds)")
        assert cl and cl["verdict"] == text
        assert page["alarm_text"] == text
        rows = {r["cells"][0]: r for r in cl["rows"]}
        assert set(rows) == {"n1 (this node)", "n2", "n3", "n4"}
        assert rows["n4"]["outlier"] and "OUTLIER" in rows["n4"]["cells"]
        assert not any(rows[n]["outlier"] for n in ("n1 (this node)", "n2", "n3"))
        offs = [float(m) for m in re.findall(r"\+(\d+\.\d+) s", " ".join(rows["n4"]["cells"]))]
        assert offs and all(abs(x - 15) < 0.01 for x in offs), rows["n4"]
    finally:
        if ag:
            ag.stop()
        c.stop()
        for s in started:
            s.stop()
