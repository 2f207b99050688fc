"""clockwatch agent against a real chronyd client of two real chronyd servers, with short
timers: servers stopped one by one (Minor, then Major unreachable), brought back (clear);
every event in the log, the store, `clockwatch alarms` and alarm_command, exactly once, across
a SIGTERM restart and a kill -9."""

import json
import os
import signal
import tempfile

import pytest

import peers
from conftest import run_cw

CW = os.path.join(peers.BUILD, "clockwatch")


class Agent:
    def __init__(self, conf, log):
        self.conf, self.log = conf, log
        self.proc = peers.Process("clockwatch agent",
                                  peers.SETPRIV + [CW, "agent", "-f", conf], log=log)

    def stop(self, sig=signal.SIGTERM):
        if self.proc.alive():
            self.proc.popen.send_signal(sig)
            self.proc.popen.wait(timeout=10)
        self.proc.stop()


def alarms(state):
    r = run_cw("alarms", "--json", "-n", "100", "--state-dir", state)
    return r.json if r.out else None


def wait_events(state, n, what, timeout=40):
    return peers.wait_for(lambda: (lambda d: d if d and len(d["events"]) >= n else None)(
        alarms(state)), timeout, what, interval=0.3)


@pytest.fixture
def rig():
    d = tempfile.mkdtemp(prefix="cw-agent-")
    a = peers.Chronyd(12801, addr="127.0.8.1")
    b = peers.Chronyd(12802, addr="127.0.8.2")
    c = peers.ChronydClient([a, b], 12810)
    peers.wait_for(lambda: sum(r[1] in "*+-" for r in c.chronyc("sources")) == 2, 20,
                   "both servers selectable")
    hook = os.path.join(d, "hook.sh")
    with open(hook, "w") as f:
        f.write("#!/bin/sh\nprintf '%%s|%%s|%%s|%%s|%%s\\n' \"$CLOCKWATCH_SEQ\" "
                "\"$CLOCKWATCH_EVENT\" \"$CLOCKWATCH_SEVERITY\" \"$CLOCKWATCH_TEXT\" "
                "\"$CLOCKWATCH_MAJOR_TYPE\" >> %s/hook.log\n" % d)
    os.chmod(hook, 0o755)
    conf = os.path.join(d, "clockwatch.conf")
    with open(conf, "w") as f:
        f.write("service chronyd\nconf %s\ninterval 1s\nclear_delay 3s\nreject_reselect 5s\n"
                "state_dir %s/state\nalarm_command %s\n" % (c.conf, d, hook))
    yield {"dir": d, "a": a, "b": b, "client": c, "conf": conf, "state": d + "/state"}
    for x in (c, a, b):
        x.stop()


def test_agent_raises_changes_clears_exactly_once(rig):
    log = os.path.join(rig["dir"], "agent.log")
    ag = Agent(rig["conf"], log)
    try:
        peers.wait_for(lambda: alarms(rig["state"]) is not None, 15, "the store")
        assert alarms(rig["state"])["alarm"]["severity"] == "cleared"

        rig["b"].stop()                                   # one of two: Minor
        d = wait_events(rig["state"], 1, "the Minor raise")
        ev = d["events"][0]
        assert (ev["seq"], ev["event"], ev["severity"]) == (1, "raise", "minor")
        assert ev["text"] == "Time servers not reachable: 127.0.8.2 (unreachable)"

        ag.stop(signal.SIGKILL)                           # kill -9 mid-alarm
        ag = Agent(rig["conf"], log)
        rig["a"].stop()                                   # both: Major
        d = wait_events(rig["state"], 2, "the Major change")
        assert [e["seq"] for e in d["events"]] == [1, 2]  # the raise was not repeated
        ev = d["events"][1]
        assert (ev["event"], ev["from"], ev["severity"]) == ("change", "minor", "major")
        assert ev["text"] == ("Time servers not reachable: 127.0.8.1 (unreachable), "
                              "127.0.8.2 (unreachable)")
        r = run_cw("alarms", "--state-dir", rig["state"])
        assert r.rc == 1 and "alarm:  major: Time servers not reachable" in r.out

        ag.stop()                                         # an orderly restart
        ag = Agent(rig["conf"], log)
        rig["a"] = peers.Chronyd(12801, addr="127.0.8.1")  # servers back: clear
        rig["b"] = peers.Chronyd(12802, addr="127.0.8.2")
        d = wait_events(rig["state"], 3, "the clear", timeout=60)
        assert [e["seq"] for e in d["events"]] == [1, 2, 3]
        assert d["events"][2]["event"] == "clear" and d["alarm"]["severity"] == "cleared"
    finally:
        ag.stop()
    with open(os.path.join(rig["dir"], "hook.log")) as f:
        hooks = [line.rstrip("\n").split("|") for line in f]
    assert [h[:3] for h in hooks] == [["1", "raise", "minor"], ["2", "change", "major"],
                                      ["3", "clear", "cleared"]]
    assert all(h[4] == "193" for h in hooks)
    with open(log) as f:
        text = f.read()
    assert text.count("alarm raise: minor: Time servers not reachable: 127.0.8.2 "
                      "(unreachable)") == 1
    assert "alarm restored from the store: minor" in text


def test_agent_config_check(tmp_path):
    bad = tmp_path / "bad.conf"
    bad.write_text("interval 1s\nintervall 2s\n")
    r = run_cw("agent", "-n", "-f", str(bad))
    assert r.rc == 3
    assert "%s:2:1: " % bad in r.err and "intervall" in r.err
    good = tmp_path / "good.conf"
    good.write_text("interval 10s\n")
    r = run_cw("agent", "-n", "-f", str(good))
    assert r.rc == 0 and r.out == "%s: ok\n" % good


def test_alarms_without_store(tmp_path):
    r = run_cw("alarms", "--state-dir", str(tmp_path / "none"))
    assert r.rc == 2 and "no store at" in r.err


def test_rejected_at_initial_selection_and_unusable(tmp_path):
    """Two servers 100 s apart: no majority, chronyd never selects either: after the (short)
    initial wait, Major 'rejected at initial selection'. A name that does not resolve is
    unusable."""
    a = peers.Chronyd(12821, addr="127.0.8.21")
    b = peers.Chronyd(12822, addr="127.0.8.22", offset=100)
    c = peers.ChronydClient([a, b], 12830,
                            extra="server no-such-host.invalid iburst\n")
    ag = None
    try:
        peers.wait_for(lambda: {r[1] for r in c.chronyc("sources") if r[2].startswith("127.")}
                       <= {"x", "?"} and len(c.chronyc("sources")) >= 2, 20,
                       "chronyd to refuse both")
        conf = tmp_path / "c.conf"
        conf.write_text("service chronyd\nconf %s\ninterval 1s\ngrace 1s\nreject_initial 4s\n"
                        "state_dir %s/state\n" % (c.conf, tmp_path))
        ag = Agent(str(conf), str(tmp_path / "agent.log"))
        d = wait_events(str(tmp_path / "state"), 1, "the Major raise", timeout=30)
        ev = d["events"][0]
        assert (ev["event"], ev["severity"]) == ("raise", "major")
        assert ev["text"] == "Time servers not reachable: no-such-host.invalid (unusable)"
        d = wait_events(str(tmp_path / "state"), 2, "the rejection", timeout=30)
        ev = d["events"][1]
        assert (ev["event"], ev["severity"]) == ("change", "major")
        assert ev["text"] == ("Time servers not reachable: no-such-host.invalid (unusable), "
                              "127.0.8.21 (rejected at initial selection), 127.0.8.22 "
                              "(rejected at initial selection)")     # in chronyd's order
        r = run_cw("check", "--service", "chronyd", "--conf", c.conf)
        assert r.rc == 0 or r.rc == 2          # check has no memory: the 60 min apply there
    finally:
        if ag:
            ag.stop()
        for x in (c, a, b):
            x.stop()


def test_critical_and_reload(tmp_path):
    """A server 15 s ahead: Critical with the seed's text. SIGHUP with a broken file keeps the
    running configuration and says where the file is wrong; a good one is taken."""
    far = peers.Chronyd(12841, addr="127.0.8.41", offset=15)
    c = peers.ChronydClient([far], 12850)
    ag = None
    log = tmp_path / "agent.log"
    try:
        peers.wait_for(lambda: any(r[1] == "*" for r in c.chronyc("sources")), 20, "selection")
        conf = tmp_path / "c.conf"
        conf.write_text("service chronyd\nconf %s\ninterval 1s\nstate_dir %s/state\n"
                        % (c.conf, tmp_path))
        ag = Agent(str(conf), str(log))
        d = wait_events(str(tmp_path / "state"), 1, "the Critical raise")
        ev = d["events"][0]
        assert (ev["event"], ev["severity"]) == ("raise", "critical")
        assert ev["text"] == "Time incorrect (off by 15.0 seconds)"
        peers.wait_for(lambda: "alarm raise: clockwatch measured the servers itself: this "
                       "clock is 15.0 s behind them, as chronyd says" in log.read_text(), 10,
                       "the attribution in the log")

        conf.write_text("service chronyd\nconf %s\ninterval 1 s\n" % c.conf)    # broken
        ag.proc.popen.send_signal(signal.SIGHUP)
        peers.wait_for(lambda: "the running configuration stays" in log.read_text(), 10,
                       "the reload to be refused")
        assert "%s:3:12: interval takes 1 argument (DURATION), got 2" % conf in log.read_text()
        assert ag.proc.alive()
        conf.write_text("service chronyd\nconf %s\ninterval 2s\nstate_dir %s/state\n"
                        % (c.conf, tmp_path))
        ag.proc.popen.send_signal(signal.SIGHUP)
        peers.wait_for(lambda: "reloaded %s" % conf in log.read_text(), 10, "the reload")
        assert len(alarms(str(tmp_path / "state"))["events"]) == 1      # nothing repeated
    finally:
        if ag:
            ag.stop()
        c.stop()
        far.stop()


def test_rejected_at_reselection(tmp_path):
    """Two servers agree, chronyd selects; then one jumps 100 s away (libfaketime, changed
    while it runs): no majority, no selection: after the (short) reselection wait, Major
    'rejected at reselection'; back in line, the alarm clears."""
    a = peers.Chronyd(12861, addr="127.0.8.61")
    b = peers.Chronyd(12862, addr="127.0.8.62", offset_file=str(tmp_path / "b.offset"))
    c = peers.ChronydClient([a, b], 12870)
    ag = None
    try:
        peers.wait_for(lambda: any(r[1] == "*" for r in c.chronyc("sources")), 20, "selection")
        conf = tmp_path / "c.conf"
        conf.write_text("service chronyd\nconf %s\ninterval 1s\nreject_reselect 3s\n"
                        "clear_delay 2s\nstate_dir %s/state\n" % (c.conf, tmp_path))
        ag = Agent(str(conf), str(tmp_path / "agent.log"))
        peers.wait_for(lambda: alarms(str(tmp_path / "state")) is not None, 15, "the store")
        b.set_offset(100)
        d = wait_events(str(tmp_path / "state"), 1, "the rejection", timeout=40)
        ev = d["events"][0]
        assert (ev["event"], ev["severity"]) == ("raise", "major")
        assert ev["text"] == ("Time servers not reachable: 127.0.8.61 (rejected at reselection),"
                              " 127.0.8.62 (rejected at reselection)")
        b.set_offset(0)
        d = wait_events(str(tmp_path / "state"), 2, "the clear", timeout=40)
        assert d["events"][1]["event"] == "clear"
    finally:
        if ag:
            ag.stop()
        for x in (c, a, b):
            x.stop()


def test_disk_full_keeps_alarming(tmp_path):
    """The store on a 1 MiB tmpfs of the agent's own (a private mount namespace), filled up:
    the agent says so once, keeps checking and raising alarms, and writes again when there is
    room."""
    a = peers.Chronyd(12881, addr="127.0.8.81")
    b = peers.Chronyd(12882, addr="127.0.8.82")
    c = peers.ChronydClient([a, b], 12890)
    state = tmp_path / "state"
    state.mkdir()
    conf = tmp_path / "c.conf"
    conf.write_text("service chronyd\nconf %s\ninterval 1s\nstate_dir %s\n" % (c.conf, state))
    log = tmp_path / "agent.log"
    script = ("mount -t tmpfs -o size=1m tmpfs %s && exec %s agent -f %s"
              % (state, CW, conf))
    ag = None
    try:
        peers.wait_for(lambda: any(r[1] == "*" for r in c.chronyc("sources")), 20, "selection")
        ag = peers.Process("clockwatch agent", peers.SETPRIV + [
            "unshare", "-m", "--propagation", "private", "sh", "-c", script], log=str(log),
            comm="clockwatch")
        inside = "/proc/%d/root%s" % (ag.pid, state)
        peers.wait_for(lambda: os.path.exists(inside + "/clockwatch.db"), 10, "the store")
        with open(inside + "/fill", "wb") as f:       # fill the agent's tmpfs
            try:
                while True:
                    f.write(b"\0" * 65536)
            except OSError:
                pass
        peers.wait_for(lambda: "database or disk is full" in log.read_text(), 15,
                       "the agent to notice the full disk")
        b.stop()                                       # an alarm, unstorable
        peers.wait_for(lambda: "alarm raise: minor: Time servers not reachable: 127.0.8.82 "
                       "(unreachable)" in log.read_text(), 30, "the alarm anyway")
        assert ag.alive()
        os.unlink(inside + "/fill")
        peers.wait_for(lambda: "writing again" in log.read_text(), 15, "room again")
        assert log.read_text().count("database or disk is full") == 1   # said once
    finally:
        if ag:
            ag.popen.send_signal(signal.SIGTERM)
            ag.popen.wait(timeout=10)
            ag.stop()
        for x in (c, a, b):
            x.stop()
