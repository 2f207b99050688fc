"""The real agent hardened (issue 7): kill -9 in a loop while alarms come and go (the store stays
whole, the alarm log has no gap, no repeat, no impossible order); its checks keep their schedule
while its NTP responder and its HTTP side are flooded (no reply larger than the request, rate
limits and the allow list hold, junk and spoofed-looking packets get nothing); a read-only state
directory (checks and alarms go on, alarm_command runs, the store error is said once); and the
optional seccomp filter ("seccomp on") through a whole working life of the agent.

Randomised where it matters: the seed is printed, and CW_SEED=... repeats a run."""

import http.client
import os
import random
import re
import signal
import socket
import struct
import subprocess
import threading
import time

import pytest

import peers
from conftest import run_cw

CW = os.path.join(peers.BUILD, "clockwatch")
root_only = pytest.mark.skipif(os.geteuid() != 0, reason="needs root (mounts, setpriv)")


class Agent:
    def __init__(self, conf, log, wrap=(), env=None):
        """wrap: a program the agent runs under (strace, to list its system calls)."""
        self.conf, self.log = conf, log
        self.proc = peers.Process("clockwatch agent",
                                  peers.SETPRIV + list(wrap) + [CW, "agent", "-f", conf],
                                  log=log, comm=os.path.basename(wrap[0]) if wrap else None,
                                  env=env)
        self.pid = self.proc.pid
        if wrap:  # the agent is the wrapper's child
            path = "/proc/%d/task/%d/children" % (self.pid, self.pid)
            self.pid = int(peers.wait_for(lambda: open(path).read().split(), 5, "the agent")[0])

    def stop(self, sig=signal.SIGTERM):
        rc = None
        if self.proc.alive():
            os.kill(self.pid, sig)
            rc = self.proc.popen.wait(timeout=10)
        self.proc.stop()
        return rc

    def text(self):
        with open(self.log, errors="replace") as f:
            return f.read()


def alarms(state, n=1000):
    r = run_cw("alarms", "--json", "-n", str(n), "--state-dir", state)
    return r.json if r.rc in (0, 1) and r.out else None


def hook_script(d):
    hook = os.path.join(d, "hook.sh")
    with open(hook, "w") as f:
        f.write("#!/bin/sh\nprintf '%%s|%%s|%%s|%%s\\n' \"$CLOCKWATCH_SEQ\" \"$CLOCKWATCH_EVENT\" "
                "\"$CLOCKWATCH_SEVERITY\" \"$CLOCKWATCH_TEXT\" >> %s/hook.log\n" % d)
    os.chmod(hook, 0o755)
    return hook


def hook_lines(d):
    p = os.path.join(d, "hook.log")
    if not os.path.exists(p):
        return []
    with open(p) as f:
        return [line.rstrip("\n").split("|") for line in f]


def samples(text):
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            k, v = line.rsplit(" ", 1)
            out[k] = float(v)
    return out


def metrics(url):
    st, _, body = peers.http_get(url + "/metrics", timeout=5)
    return samples(body.decode()) if st == 200 else None


def assert_sensible(events):
    """Numbered 1..N, no gap, no repeat; each event starts from where the previous one left
    the alarm: a raise only from cleared, a clear only from raised, a change between two
    raised severities (the same one when only the text changed)."""
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1)), \
        [e["seq"] for e in events]
    sev = "cleared"
    for e in events:
        assert e["from"] == sev, (e, sev)
        if e["event"] == "raise":
            assert sev == "cleared" and e["severity"] != "cleared", e
        elif e["event"] == "clear":
            assert sev != "cleared" and e["severity"] == "cleared", e
        else:
            assert e["event"] == "change" and "cleared" not in (sev, e["severity"]), e
        sev = e["severity"]


# ---- kill -9 while it writes ----

def test_kill9_agent_loop(tmp_path):
    """A chronyd client of a server whose clock flaps between right and 15 s wrong: the agent
    raises and clears Critical over and over; it is killed with SIGKILL at random moments 12
    times and restarted. The store passes integrity_check; the alarm log is whole and makes
    sense."""
    seed = int(os.environ.get("CW_SEED", random.randrange(1 << 32)))
    print("seed", seed)
    rng = random.Random(seed)
    srv = peers.Chronyd(13901, addr="127.0.13.1", offset_file=str(tmp_path / "offset"))
    # maxjitter: chronyd keeps the jumping server selected instead of calling it too variable
    c = peers.ChronydClient([srv], 13910, extra="maxjitter 1000\n")
    state = str(tmp_path / "state")
    conf = tmp_path / "c.conf"
    conf.write_text("service chronyd\nconf %s\ninterval 1s\nclear_delay 1s\nstate_dir %s\n"
                    "http_listen off\n" % (c.conf, state))
    log = str(tmp_path / "agent.log")
    stop = threading.Event()

    def flap():
        off = 0
        while not stop.wait(rng.uniform(2.5, 4.0)):
            off = 15 - off
            srv.set_offset(off)

    flapper = threading.Thread(target=flap, daemon=True)
    ag = None
    kills = 0
    try:
        peers.wait_for(lambda: any(r[1] == "*" for r in c.chronyc("sources")), 20, "selection")
        ag = Agent(str(conf), log)
        peers.wait_for(lambda: os.path.exists(state + "/clockwatch.db"), 15, "the store")
        flapper.start()
        deadline = time.monotonic() + 45
        for kills in range(1, 13):
            if time.monotonic() > deadline:
                break
            time.sleep(rng.uniform(0.3, 3.5))
            ag.stop(signal.SIGKILL)
            assert ag.proc.popen.returncode == -signal.SIGKILL
            ag = Agent(str(conf), log)
        time.sleep(2)
    finally:
        stop.set()
        if ag:
            ag.stop()
        c.stop()
        srv.stop()
    assert kills >= 10
    p = subprocess.run(["sqlite3", "-readonly", state + "/clockwatch.db",
                        "PRAGMA integrity_check"], capture_output=True, text=True, timeout=30)
    assert p.stdout.strip() == "ok", p.stdout + p.stderr
    d = alarms(state)
    events = d["events"][::-1] if d["events"] and d["events"][0]["seq"] != 1 else d["events"]
    print("%d kills, %d events" % (kills, len(events)))
    assert len(events) >= 4, events
    assert_sensible(events)
    assert {e["severity"] for e in events} >= {"critical", "cleared"}
    assert d["alarm"]["severity"] == events[-1]["severity"]


# ---- floods: the checks keep their schedule, the responder amplifies nothing ----

RESP_ADDR, ALLOWED, STRANGER, HTTP_ADDR = "127.0.13.10", "127.0.13.20", "127.0.13.30", \
    "127.0.13.9"


def ntp_req(vn=4, mode=3, size=48):
    xmt = random.getrandbits(64) or 1
    pkt = struct.pack("!B39xQ", vn << 3 | mode, xmt)
    return (pkt + os.urandom(size - 48)) if size > 48 else pkt[:size], xmt


def drain(s, got, until):
    """Collects (reply bytes) into got until the monotonic time until."""
    while True:
        left = until - time.monotonic()
        if left <= 0:
            return
        s.settimeout(left)
        try:
            got.append(s.recvfrom(4096)[0])
        except socket.timeout:
            return


@pytest.fixture
def flood_rig(tmp_path):
    a = peers.Chronyd(13921, addr="127.0.13.21")
    c = peers.ChronydClient([a], 13930)
    http_port = peers.free_tcp_port(HTTP_ADDR)
    resp_port = peers.free_udp_port(RESP_ADDR)
    state = str(tmp_path / "state")
    conf = tmp_path / "c.conf"
    conf.write_text("service chronyd\nconf %s\ninterval 1s\nstate_dir %s\nhttp_listen %s:%d\n"
                    "http_timeout 2s\nresponder %s:%d\nresponder_allow %s\nresponder_rate 2\n"
                    "responder_burst 8\n" % (c.conf, state, HTTP_ADDR, http_port, RESP_ADDR,
                                             resp_port, ALLOWED))
    ag = None
    try:
        peers.wait_for(lambda: any(r[1] == "*" for r in c.chronyc("sources")), 20, "selection")
        ag = Agent(str(conf), str(tmp_path / "agent.log"))
        url = "http://%s:%d" % (HTTP_ADDR, http_port)
        peers.wait_for(lambda: peers.http_get(url + "/api/v1/status")[0] == 200, 20,
                       "the first check")
        yield {"url": url, "resp": (RESP_ADDR, resp_port), "state": state, "agent": ag,
               "http": (HTTP_ADDR, http_port)}
    finally:
        if ag:
            ag.stop()
        c.stop()
        a.stop()


def test_responder_junk_and_spoofed_get_nothing(flood_rig):
    """From an allowed address, with a full bucket: a valid request is answered with 48
    octets; oversize, short, mode 4/5/6/7, version 0/7 requests get nothing at all."""
    junk = [ntp_req(size=200), ntp_req(size=20), ntp_req(size=49), ntp_req(size=47)]
    junk += [ntp_req(mode=m) for m in (0, 1, 2, 4, 5, 6, 7)]
    junk += [ntp_req(vn=v) for v in (0, 7)]
    ok1, ok2 = ntp_req(), ntp_req()
    got = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((ALLOWED, 0))
        for pkt, _ in [ok1] + junk + [ok2]:
            s.sendto(pkt, flood_rig["resp"])
            time.sleep(0.01)
        drain(s, got, time.monotonic() + 1.0)
    assert [len(g) for g in got] == [48, 48], got
    assert [struct.unpack("!Q", g[24:32])[0] for g in got] == [ok1[1], ok2[1]]
    assert all(g[0] & 7 == 4 for g in got)
    s = peers.wait_for(lambda: (lambda m: m if m and m[
        'clockwatch_responder_requests_total{result="malformed"}'] >= len(junk) else None)(
        metrics(flood_rig["url"])), 10, "the junk counted")
    assert s['clockwatch_responder_requests_total{result="answered"}'] == 2


def test_checks_keep_schedule_under_flood(flood_rig):
    """10 s of: a stranger flooding the responder, an allowed node far over its rate (valid,
    oversize, short and junk requests), and 24 keep-alive HTTP connections asking /metrics
    without pause. The checks go on at about one a second, nobody gets a reply larger than
    its request, the stranger gets none, the allowed node gets its burst and its rate."""
    url, resp = flood_rig["url"], flood_rig["resp"]
    before = metrics(url)
    t0 = time.monotonic()
    end = t0 + 10
    errors, stats = [], {"http_ok": 0, "http_fail": 0}
    lock = threading.Lock()
    valid = set()
    allowed_got, stranger_got = [], []

    def stranger():
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.bind((STRANGER, 0))
                s.setblocking(False)
                while time.monotonic() < end:
                    for _ in range(50):
                        s.sendto(ntp_req()[0], resp)
                    try:
                        while True:
                            stranger_got.append(s.recv(4096))
                    except BlockingIOError:
                        pass
                    time.sleep(0.002)
                s.settimeout(0.5)
                drain(s, stranger_got, time.monotonic() + 0.5)
        except Exception as e:  # noqa: BLE001 (reported below)
            errors.append(repr(e))

    def allowed_node():
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.bind((ALLOWED, 0))
                s.setblocking(False)
                i = 0
                while time.monotonic() < end:
                    for _ in range(20):
                        i += 1
                        kind = i % 5
                        if kind == 0:
                            pkt, xmt = ntp_req(size=200)
                        elif kind == 1:
                            pkt, xmt = ntp_req(size=20)
                        elif kind == 2:
                            pkt, xmt = ntp_req(mode=random.choice((4, 5, 6, 7)))
                        else:
                            pkt, xmt = ntp_req()
                            valid.add(xmt)
                        s.sendto(pkt, resp)
                    try:
                        while True:
                            allowed_got.append(s.recv(4096))
                    except BlockingIOError:
                        pass
                    time.sleep(0.002)
                s.settimeout(0.5)
                drain(s, allowed_got, time.monotonic() + 0.5)
        except Exception as e:  # noqa: BLE001
            errors.append(repr(e))

    def http_client(src):
        conn = None
        while time.monotonic() < end:
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(flood_rig["http"][0], flood_rig["http"][1],
                                                      timeout=3, source_address=(src, 0))
                conn.request("GET", "/metrics")
                r = conn.getresponse()
                r.read()
                with lock:
                    stats["http_ok" if r.status == 200 else "http_fail"] += 1
            except (OSError, http.client.HTTPException):
                with lock:
                    stats["http_fail"] += 1
                if conn:
                    conn.close()
                conn = None
                time.sleep(0.05)
        if conn:
            conn.close()

    threads = [threading.Thread(target=stranger), threading.Thread(target=allowed_node)]
    threads += [threading.Thread(target=http_client, args=("127.0.13.%d" % (40 + i % 3),))
                for i in range(24)]
    for t in threads:
        t.daemon = True
        t.start()
    for t in threads:
        t.join(timeout=20)
    t1 = time.monotonic()
    after = metrics(url)
    assert not errors, errors
    assert not any(t.is_alive() for t in threads)
    checks = after["clockwatch_checks_total"] - before["clockwatch_checks_total"]
    print("%d checks in %.1f s; http %d ok %d failed;" % (checks, t1 - t0, stats["http_ok"],
                                                         stats["http_fail"]),
          "allowed node: %d replies; stranger: %d" % (len(allowed_got), len(stranger_got)))
    assert checks >= 0.75 * (t1 - t0), "%d checks in %.1f s" % (checks, t1 - t0)
    # and no long pause among them, as the store recorded them while the flood ran
    rows = subprocess.run(
        ["sqlite3", "-readonly", flood_rig["state"] + "/clockwatch.db",
         "SELECT real_ns FROM checks ORDER BY real_ns DESC LIMIT 40"],
        capture_output=True, text=True, timeout=30).stdout.split()
    stamps = sorted(int(x) / 1e9 for x in rows)
    window = [s for s in stamps if s >= time.time() - (t1 - t0) - 0.5]
    gaps = [b - a for a, b in zip(window, window[1:])]
    assert window and max(gaps) < 2.5, gaps
    assert stats["http_ok"] > 100

    assert stranger_got == []
    assert allowed_got and all(len(g) == 48 for g in allowed_got)
    assert all(struct.unpack("!Q", g[24:32])[0] in valid for g in allowed_got)
    # the burst (8) and the rate (2/s), with room for the replies of the first phase
    assert len(allowed_got) <= 8 + 2 * (t1 - t0) + 4, len(allowed_got)

    def d(k):
        key = 'clockwatch_responder_requests_total{result="%s"}' % k
        return after[key] - before.get(key, 0)
    assert d("not_allowed") > 1000 and d("rate_limited") > 100 and d("malformed") > 100
    assert d("answered") == len(allowed_got)
    assert flood_rig["agent"].proc.alive()


# ---- a read-only state directory ----

@root_only
def test_read_only_state_dir_keeps_alarming(tmp_path):
    """The state directory on a file system mounted read-only (a private mount namespace):
    the agent says once that it cannot store, checks on, raises the alarm and runs
    alarm_command; /metrics says the store is down."""
    a = peers.Chronyd(13941, addr="127.0.13.41")
    b = peers.Chronyd(13942, addr="127.0.13.42")
    c = peers.ChronydClient([a, b], 13950)
    state = tmp_path / "state"
    state.mkdir()
    d = str(tmp_path)
    port = peers.free_tcp_port("127.0.13.9")
    conf = tmp_path / "c.conf"
    conf.write_text("service chronyd\nconf %s\ninterval 1s\nstate_dir %s\nalarm_command %s\n"
                    "http_listen 127.0.13.9:%d\n" % (c.conf, state, hook_script(d), port))
    log = tmp_path / "agent.log"
    script = ("mount -t tmpfs -o size=1m,mode=0755 tmpfs %s && mount -o remount,ro %s && "
              "exec %s agent -f %s" % (state, state, CW, conf))
    ag = None
    url = "http://127.0.13.9:%d" % port
    try:
        peers.wait_for(lambda: sum(r[1] in "*+-" for r in c.chronyc("sources")) == 2, 20,
                       "both servers selectable")
        ag = peers.Process("clockwatch agent", peers.SETPRIV + [
            "unshare", "-m", "--propagation", "private", "sh", "-c", script], log=str(log),
            comm="clockwatch")
        m = peers.wait_for(lambda: (lambda s: s if s and s["clockwatch_checks_total"] >= 2
                                    else None)(metrics(url)), 20, "checks")
        assert m["clockwatch_store_up"] == 0
        b.stop()
        peers.wait_for(lambda: any(h[1:3] == ["raise", "minor"] for h in hook_lines(d)), 40,
                       "alarm_command for the raise")
        text = log.read_text()
        assert "alarm raise: minor: Time servers not reachable: 127.0.13.42 (unreachable)" in text
        first = metrics(url)["clockwatch_checks_total"]
        peers.wait_for(lambda: metrics(url)["clockwatch_checks_total"] >= first + 2, 10,
                       "more checks")
        assert ag.alive()
        store_lines = [ln for ln in log.read_text().splitlines()
                       if "store %s:" % state in ln]
        assert len(store_lines) == 1, store_lines
        assert re.search(r"read-only|readonly|unable to open", store_lines[0], re.I), store_lines
    finally:
        if ag:
            ag.popen.send_signal(signal.SIGTERM)
            ag.popen.wait(timeout=10)
            ag.stop()
        for x in (c, a, b):
            x.stop()


# ---- seccomp ----

def seccomp_mode(pid):
    modes = set()
    for tid in os.listdir("/proc/%d/task" % pid):
        with open("/proc/%d/task/%s/status" % (pid, tid)) as f:
            for line in f:
                if line.startswith("Seccomp:"):
                    modes.add(int(line.split()[1]))
    return modes


def test_seccomp_agent_works(tmp_path):
    """"seccomp on": every thread of the agent is filtered (Seccomp: 2), and the agent still
    checks, serves /metrics and the history and alarm APIs, raises an alarm and runs its
    alarm_command, answers as NTP responder, reloads on SIGHUP (a new responder thread) and
    stops on SIGTERM with status 0; nothing in its log says it was refused anything."""
    srv = peers.Chronyd(13961, addr="127.0.13.61", offset_file=str(tmp_path / "offset"))
    c = peers.ChronydClient([srv], 13970)
    d = str(tmp_path)
    port = peers.free_tcp_port("127.0.13.9")
    resp_port = peers.free_udp_port("127.0.13.62")
    body = ("service chronyd\nconf %s\ninterval 1s\nclear_delay 1s\nstate_dir %s/state\n"
            "alarm_command %s\nhttp_listen 127.0.13.9:%d\nresponder 127.0.13.62:%d\n"
            "responder_allow 127.0.0.1\nseccomp on\n" % (c.conf, d, hook_script(d), port,
                                                        resp_port))
    conf = tmp_path / "c.conf"
    conf.write_text(body)
    url = "http://127.0.13.9:%d" % port
    ag = None
    try:
        peers.wait_for(lambda: any(r[1] == "*" for r in c.chronyc("sources")), 20, "selection")
        # CW_STRACE=FILE: the agent runs under strace -f, to find a call the filter lacks
        # (grep EPERM FILE).
        wrap = ["strace", "-f", "-o", os.environ["CW_STRACE"]] if os.environ.get(
            "CW_STRACE") else ()
        # In a sanitizer build: LeakSanitizer stops the process's threads with ptrace at
        # exit, which the filter forbids; everything else of ASan and UBSan stays on.
        env = dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "")
                   + ":detect_leaks=0")
        ag = Agent(str(conf), str(tmp_path / "agent.log"), wrap, env)
        peers.wait_for(lambda: peers.http_get(url + "/api/v1/status")[0] == 200, 20,
                       "the first check")
        assert "seccomp: filter on" in ag.text()
        assert seccomp_mode(ag.pid) == {2}
        s = peers.wait_for(lambda: (lambda m: m if m and m["clockwatch_checks_total"] >= 3
                                    else None)(metrics(url)), 10, "checks")
        assert s["clockwatch_store_up"] == 1
        for path in ("/api/v1/history", "/api/v1/alarms", "/api/v1/sources", "/"):
            assert peers.http_get(url + path)[0] == 200, path
        assert peers.ntp_ping("127.0.13.62", resp_port)

        srv.set_offset(15)                                        # Critical
        peers.wait_for(lambda: any(h[1:3] == ["raise", "critical"] for h in hook_lines(d)), 30,
                       "alarm_command for the raise")
        assert peers.http_get(url + "/api/v1/alarms")[0] == 200
        srv.set_offset(0)
        peers.wait_for(lambda: any(h[1] == "clear" for h in hook_lines(d)), 30, "the clear")

        conf.write_text(body.replace("clear_delay 1s", "clear_delay 2s"))
        os.kill(ag.pid, signal.SIGHUP)
        peers.wait_for(lambda: "reloaded %s" % conf in ag.text(), 10, "the reload")
        peers.wait_for(lambda: peers.ntp_ping("127.0.13.62", resp_port), 5, "the responder")
        assert seccomp_mode(ag.pid) == {2}
        n = metrics(url)["clockwatch_checks_total"]
        peers.wait_for(lambda: metrics(url)["clockwatch_checks_total"] >= n + 2, 10, "checks")
        assert ag.stop() == 0
        ag = None
    finally:
        if ag:
            ag.stop()
        c.stop()
        srv.stop()
    text = (tmp_path / "agent.log").read_text()
    refused = [ln for ln in text.splitlines() if "seccomp:" not in ln and
               re.search(r"not permitted|permission denied|EPERM", ln, re.I)]
    assert not refused, text
    assert [h[1] for h in hook_lines(d)] == ["raise", "clear"]
    events = alarms(d + "/state")["events"]
    assert len(events) == 2
