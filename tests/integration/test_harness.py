"""The harness itself: what it starts it stops, by PID, also on Ctrl-C or a failing test."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import peers

SCRIPT = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, %r)
    import peers
    d = peers.Chronyd(peers.free_udp_port(), offset=%s)
    ns = peers.Netns(prefix="cwctrlc")
    print(d.proc.pid, ns.name, flush=True)
    %s
""")


def _spawn(offset, tail):
    code = SCRIPT % (os.path.dirname(peers.__file__), offset, tail)
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                            env=dict(os.environ))


def _gone(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split()[2] == "Z"      # a zombie until its parent reaps it
    except FileNotFoundError:
        return True


def _netns_list():
    return subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout


def test_ctrl_c_stops_daemons_and_removes_namespaces():
    p = _spawn("15", "time.sleep(60)")
    pid, ns = p.stdout.readline().split()
    pid = int(pid)
    assert not _gone(pid) and ns in _netns_list()
    p.send_signal(signal.SIGINT)
    p.wait(timeout=20)
    peers.wait_for(lambda: _gone(pid), 10, "chronyd %d to stop" % pid)
    assert ns not in _netns_list()


def test_exception_stops_daemons_and_removes_namespaces():
    p = _spawn("None", "raise RuntimeError('a failing test')")
    pid, ns = p.stdout.readline().split()
    p.wait(timeout=20)
    assert p.returncode != 0
    peers.wait_for(lambda: _gone(int(pid)), 10, "chronyd to stop")
    assert ns not in _netns_list()


def test_wait_for_is_bounded():
    t0 = time.monotonic()
    try:
        peers.wait_for(lambda: False, 0.3, "nothing")
    except peers.HarnessError as e:
        assert "timed out after 0.3 s waiting for nothing" in str(e)
    else:
        raise AssertionError("wait_for returned")
    assert time.monotonic() - t0 < 1.0
