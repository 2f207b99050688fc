"""probe_timesyncd_read against the real systemd-timesyncd, over a private system bus.

Per TESTBED.md §7: a network namespace of our own (cwts-*), a chronyd serving on 127.0.0.1:123
inside it (timesyncd has no port option), a dbus-daemon with a <type>system</type> config on a
socket in a scratch directory, and systemd-timesyncd 252 (extracted from its .deb, never
installed) running as systemd-timesync with CAP_SYS_TIME gone from its bounding set. The probe
runs as build/cw-timesyncd-dump with DBUS_SYSTEM_BUS_ADDRESS pointing at that bus; busctl, read
at the same moment, is the oracle. The bus also loads the D-Bus policy timesyncd ships, so the
reads run as user nobody prove that anyone may read.

Cases a real timesyncd never produces (wrong signatures, short arrays, a peer that never answers,
a policy that denies) use tests/harness/fake_timesyncd_bus.py, a python3-dbus stand-in, and say
so in their names. Needs root; skips when the build has no libsystemd.
"""

import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import pytest

HARNESS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "harness")
sys.path.insert(0, HARNESS)
import peers  # noqa: E402

DUMP = os.path.join(peers.BUILD, "cw-timesyncd-dump")
FAKE = os.path.join(HARNESS, "fake_timesyncd_bus.py")
TSD_ROOT = os.environ.get("CW_TIMESYNCD_ROOT", os.path.join(peers.ROOT, ".deps", "timesyncd"))
TSD_BIN = os.path.join(TSD_ROOT, "lib/systemd/systemd-timesyncd")
TSD_POLICY = os.path.join(TSD_ROOT, "usr/share/dbus-1/system.d/org.freedesktop.timesync1.conf")
TIMEDATED = "/lib/systemd/systemd-timedated"
TS_NAME, TS_PATH = "org.freedesktop.timesync1", "/org/freedesktop/timesync1"
TS_IFACE = "org.freedesktop.timesync1.Manager"
TD_NAME, TD_PATH, TD_IFACE = ("org.freedesktop.timedate1", "/org/freedesktop/timedate1",
                              "org.freedesktop.timedate1")
ESRCH, EACCES, ETIMEDOUT, EBADMSG = 3, 13, 110, 74

if os.geteuid() != 0:
    pytest.skip("needs root: network namespaces, setpriv, a private system bus",
                allow_module_level=True)
if not os.path.exists(DUMP):
    pytest.skip("%s not built: this build has no libsystemd (-Dsystemd)" % DUMP,
                allow_module_level=True)
if not shutil.which("dbus-daemon") or not shutil.which("busctl"):
    pytest.skip("dbus-daemon or busctl missing (tools/install-deps test installs dbus)",
                allow_module_level=True)


# The timesyncd binary: extracted, never installed (apt would remove chrony; TESTBED.md §1).
def _fetch_timesyncd():
    """Returns None when TSD_BIN is usable, else why not."""
    if not os.path.exists(TSD_BIN):
        ver = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "libsystemd-shared"],
                             capture_output=True, text=True).stdout.strip()
        if not ver:
            return "libsystemd-shared not installed: cannot pick a matching timesyncd"
        tmp = tempfile.mkdtemp(prefix="cwts-deb-")
        os.chmod(tmp, 0o755)        # apt's _apt user writes the download here
        try:
            r = subprocess.run(["apt-get", "download", "-q", "systemd-timesyncd=" + ver],
                               cwd=tmp, capture_output=True, text=True, timeout=120)
            debs = [f for f in os.listdir(tmp) if f.endswith(".deb")]
            if r.returncode != 0 or not debs:
                return "apt-get download systemd-timesyncd=%s failed: %s" % (ver, r.stderr[-200:])
            subprocess.run(["dpkg", "-x", os.path.join(tmp, debs[0]), TSD_ROOT], check=True)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    try:
        pwd.getpwnam("systemd-timesync")
    except KeyError:
        r = subprocess.run(["useradd", "-r", "-M", "-s", "/usr/sbin/nologin",
                            "systemd-timesync"], capture_output=True, text=True)
        if r.returncode != 0:
            return "useradd systemd-timesync failed: " + r.stderr.strip()
    return None


@pytest.fixture(scope="module")
def timesyncd_bin():
    why = _fetch_timesyncd()
    if why:
        pytest.skip("real systemd-timesyncd unavailable: " + why)
    return TSD_BIN


class Bus:
    """A private dbus-daemon (system type) on a socket in a scratch directory.

    It can activate org.freedesktop.timesync1 by a service file whose Exec only touches a marker
    file, so a test sees whether anyone asked for activation. Activation gives up after 2 s."""

    def __init__(self, deny_user=None):
        self.dir = tempfile.mkdtemp(prefix="cwts-bus-")
        os.chmod(self.dir, 0o755)          # timesyncd (systemd-timesync) and nobody connect
        self.socket = os.path.join(self.dir, "system_bus_socket")
        self.address = "unix:path=" + self.socket
        self.marker = os.path.join(self.dir, "activated")
        services = os.path.join(self.dir, "services")
        os.mkdir(services)
        with open(os.path.join(services, TS_NAME + ".service"), "w") as f:
            f.write("[D-BUS Service]\nName=%s\nExec=/bin/touch %s\nUser=root\n"
                    % (TS_NAME, self.marker))
        deny = ""
        if deny_user:
            deny = ('<policy user="%s"><deny send_destination="%s"/></policy>'
                    % (deny_user, TS_NAME))
        conf = os.path.join(self.dir, "bus.conf")
        with open(conf, "w") as f:
            f.write("""<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>%s</listen>
  <auth>EXTERNAL</auth>
  <servicedir>%s</servicedir>
  <limit name="service_start_timeout">2000</limit>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
  <include ignore_missing="yes">%s</include>
  %s
</busconfig>
""" % (self.address, services, TSD_POLICY, deny))
        self.proc = peers.Process("dbus-daemon", peers.SETPRIV + [
            "dbus-daemon", "--config-file=" + conf, "--nofork", "--nopidfile"],
            log=os.path.join(self.dir, "dbus.log"))
        peers.wait_for(lambda: os.path.exists(self.socket), 10, "dbus-daemon's socket")

    def env(self, **extra):
        e = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=self.address)
        e.update(extra)
        return e

    def busctl(self, *args, auto_start=False, timeout=10):
        """busctl --json=short on this bus; never auto-starts unless asked. Returns (rc, json)."""
        r = subprocess.run(["busctl", "--system", "--json=short",
                            "--auto-start=" + ("yes" if auto_start else "no")] + list(args),
                           env=self.env(), capture_output=True, text=True, timeout=timeout)
        return r.returncode, (json.loads(r.stdout) if r.returncode == 0 and r.stdout else
                              r.stderr.strip())

    def has_owner(self, name):
        rc, out = self.busctl("call", "org.freedesktop.DBus", "/org/freedesktop/DBus",
                              "org.freedesktop.DBus", "NameHasOwner", "s", name)
        assert rc == 0, out
        return out["data"][0]

    def timesyncd_props(self):
        rc, out = self.busctl("call", TS_NAME, TS_PATH, "org.freedesktop.DBus.Properties",
                              "GetAll", "s", TS_IFACE)
        assert rc == 0, out
        return {k: v["data"] for k, v in out["data"][0].items()}

    def stop(self):
        self.proc.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def dump(bus, user=None, timeout_ms=2000):
    """Runs cw-timesyncd-dump on the bus (as user when given); returns its JSON."""
    argv = [DUMP, str(timeout_ms)]
    if user:
        pw = pwd.getpwnam(user)
        argv = ["setpriv", "--reuid=%d" % pw.pw_uid, "--regid=%d" % pw.pw_gid,
                "--clear-groups", "--"] + argv
    r = subprocess.run(peers.SETPRIV + argv, env=bus.env(), capture_output=True, text=True,
                       timeout=30)
    assert r.returncode in (0, 2), "dump exited %d: %s" % (r.returncode, r.stderr)
    out = json.loads(r.stdout)
    assert (r.returncode == 0) == (out["rc"] == 0)
    return out


# A real rig: namespace, bus, chronyd on 127.0.0.1:123, timesyncd (TESTBED.md §7).
TIMESYNCD_SH = r"""
set -e
# Private mounts (ip netns exec gives this shell its own mount namespace): timesyncd's runtime
# and state directories are tmpfs here and nothing of the host's is written.
for d in /run/systemd /var/lib/systemd; do
    if [ -d "$d" ]; then mount -t tmpfs -o mode=0755 tmpfs "$d"
    else mount -t tmpfs -o mode=0755 tmpfs "$(dirname "$d")"; fi
done
mkdir -p /run/systemd/timesyncd.conf.d /run/systemd/timesync /var/lib/systemd/timesync
printf '[Time]\nNTP=127.0.0.1\nFallbackNTP=\nPollIntervalMinSec=16\nPollIntervalMaxSec=32\n' \
    > /run/systemd/timesyncd.conf.d/cw-test.conf
chown systemd-timesync:systemd-timesync /run/systemd/timesync /var/lib/systemd/timesync
exec setpriv --reuid=systemd-timesync --regid=systemd-timesync --clear-groups \
    --bounding-set -sys_time --inh-caps -sys_time -- "$1"
"""

PING = ("import sys; sys.path.insert(0, %r); import peers; "
        "sys.exit(0 if peers.ntp_ping('127.0.0.1', 123, 0.2) else 1)" % HARNESS)


class Rig:
    def __init__(self, tsd_bin, offset=None, stratum=3):
        self.procs = []
        self.ns = peers.Netns(prefix="cwts")
        try:
            self.bus = Bus()
            self.dir = tempfile.mkdtemp(prefix="cwts-rig-")
            os.chmod(self.dir, 0o750)
            self._start_chronyd(offset, stratum)
            self.timesyncd = self._start(
                "systemd-timesyncd", self.ns.argv(["sh", "-c", TIMESYNCD_SH, "--", tsd_bin]),
                self.bus.env(SYSTEMD_LOG_LEVEL="debug"), "timesyncd.log")
        except BaseException:
            self.stop()
            raise

    def _start(self, name, argv, env, log):
        p = peers.Process(name, argv, env=env, log=os.path.join(self.dir, log))
        self.procs.append(p)
        return p

    def _start_chronyd(self, offset, stratum):
        conf = os.path.join(self.dir, "chrony.conf")
        with open(conf, "w") as f:
            f.write("port 123\nbindaddress 127.0.0.1\nallow all\nlocal stratum %d\ncmdport 0\n"
                    "pidfile %s/chronyd.pid\ndriftfile %s/drift\n" % (stratum, self.dir, self.dir))
        env = dict(os.environ)
        if offset is not None:      # whole seconds: exact without the nokts shim (TESTBED §3)
            env.update(LD_PRELOAD=peers.LIBFAKETIME, FAKETIME="%+ds" % offset,
                       FAKETIME_DONT_FAKE_MONOTONIC="1")
        self.chronyd = self._start("chronyd", self.ns.argv(peers.SETPRIV + [
            "chronyd", "-x", "-d", "-u", "root", "-f", conf]), env, "chronyd.log")
        peers.wait_for(lambda: self.ns.run([sys.executable, "-c", PING]).returncode == 0,
                       10, "chronyd on 127.0.0.1:123 in %s" % self.ns.name, interval=0.1)

    def ntp_message(self):
        rc, out = self.bus.busctl("get-property", TS_NAME, TS_PATH, TS_IFACE, "NTPMessage")
        return out["data"] if rc == 0 else None

    def wait_for_sample(self, timeout=30):
        def ready():
            if not self.timesyncd.alive():
                raise peers.HarnessError("timesyncd died" + self.timesyncd._log_tail())
            m = self.ntp_message()
            return m if m and m[13] > 0 else None
        return peers.wait_for(ready, timeout, "timesyncd's first NTPMessage", interval=0.2)

    def log(self, name):
        with open(os.path.join(self.dir, name), errors="replace") as f:
            return f.read()

    def stop(self):
        for p in reversed(self.procs):
            p.stop()
        if getattr(self, "bus", None):
            self.bus.stop()
        self.ns.remove()
        if getattr(self, "dir", None):
            shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="module")
def rig(timesyncd_bin):
    r = Rig(timesyncd_bin, stratum=3)
    try:
        r.wait_for_sample()
        yield r
    finally:
        r.stop()


def no_sys_time(pid):
    c = peers.caps_of(pid)
    return not ((c["CapEff"] | c["CapBnd"]) & (1 << peers.CAP_SYS_TIME))


def rfc5905(t1, t2, t3, t4):
    """Offset and delay in s from four µs timestamps (server ahead = positive offset)."""
    return ((t2 - t1) + (t3 - t4)) / 2e6, ((t4 - t1) - (t3 - t2)) / 1e6


def consistent_read(bus, user=None, tries=3):
    """busctl GetAll, the probe, busctl again; retried while a poll changed NTPMessage between."""
    for _ in range(tries):
        before = bus.timesyncd_props()
        got = dump(bus, user=user)
        after = bus.timesyncd_props()
        if before["NTPMessage"] == after["NTPMessage"]:
            return got, after
    raise AssertionError("NTPMessage kept changing during the read")


def check_against_busctl(got, props):
    assert got["rc"] == 0 and got["reason"] == "" and got["is_running"], got["reason"]
    assert got["server_name"] == props["ServerName"]
    fam, addr = props["ServerAddress"]
    assert got["server_family"] == fam and fam == 2
    assert got["server_address"] == ".".join(map(str, addr))
    (leap, ver, mode, stratum, prec, rdelay, rdisp, ref, t1, t2, t3, t4, spike, count,
     jitter) = props["NTPMessage"]
    m = got["msg"]
    assert (m["leap"], m["version"], m["mode"], m["stratum"]) == (leap, ver, mode, stratum)
    assert m["precision_log2"] == prec and m["precision_s"] == 2.0 ** prec
    assert round(m["root_delay_s"] * 1e6) == rdelay
    assert round(m["root_dispersion_s"] * 1e6) == rdisp
    assert m["refid"] == ref
    assert [m["real_originate_ns"], m["real_receive_ns"], m["real_transmit_ns"],
            m["real_destination_ns"]] == [t * 1000 for t in (t1, t2, t3, t4)]
    assert m["is_spike"] == spike and m["packet_count"] == count and m["has_sample"]
    assert round(m["jitter_s"] * 1e6) == jitter
    off, delay = rfc5905(t1, t2, t3, t4)
    assert m["has_offset"]
    assert abs(m["offset_s"] - off) < 1e-9 and abs(m["delay_s"] - delay) < 1e-9
    for key, prop in (("poll_interval_ns", "PollIntervalUSec"),
                      ("poll_interval_min_ns", "PollIntervalMinUSec"),
                      ("poll_interval_max_ns", "PollIntervalMaxUSec"),
                      ("root_distance_max_ns", "RootDistanceMaxUSec")):
        assert got[key] == props[prop] * 1000, key
    assert got["frequency_scaled"] == props["Frequency"]
    assert got["freq_ppm"] == props["Frequency"] / 65536
    for key, prop in (("system_servers", "SystemNTPServers"), ("link_servers", "LinkNTPServers"),
                      ("runtime_servers", "RuntimeNTPServers"),
                      ("fallback_servers", "FallbackNTPServers")):
        assert got[key]["names"] == props[prop] and got[key]["n_total"] == len(props[prop]), key
    assert got["has_runtime_servers"] == ("RuntimeNTPServers" in props)


def test_real_timesyncd_runs_without_clock_rights(rig):
    for p in rig.procs + [rig.bus.proc]:
        assert no_sys_time(p.pid), p.name
    assert "Operation not permitted" in rig.log("timesyncd.log")
    assert "Disabled control of system clock" in rig.log("chronyd.log")


def test_real_timesyncd_matches_busctl(rig):
    # The marker says whether anything asked the bus to start timesync1. Something in the rig's
    # start-up (before timesyncd owns its name) was once seen to; what counts here is the read.
    if os.path.exists(rig.bus.marker):
        os.unlink(rig.bus.marker)
    got, props = consistent_read(rig.bus, user="nobody")   # anyone may read (shipped policy)
    check_against_busctl(got, props)
    assert got["server_name"] == "127.0.0.1" and got["server_address"] == "127.0.0.1"
    assert got["msg"]["stratum"] == 3                      # chronyd's "local stratum 3"
    assert got["msg"]["mode"] == 4 and got["msg"]["version"] == 4
    assert got["system_servers"]["names"] == ["127.0.0.1"]
    assert got["poll_interval_min_ns"] == 16 * 10**9 and got["poll_interval_max_ns"] == 32 * 10**9
    assert abs(got["msg"]["offset_s"]) < 0.01               # same host clock on both sides
    assert not got["timedate"]["is_running"]
    assert "not activated" in got["timedate"]["reason"]
    assert not os.path.exists(rig.bus.marker)


def test_real_timedated_alongside(rig):
    """timedate1 from the real systemd-timedated, which without systemd as PID 1 answers
    NTPSynchronized but fails CanNTP and NTP (it asks org.freedesktop.systemd1)."""
    if not os.path.exists(TIMEDATED):
        pytest.skip(TIMEDATED + " missing (package systemd)")
    td = peers.Process("systemd-timedated", rig.ns.argv(peers.SETPRIV + [TIMEDATED]),
                       env=rig.bus.env(), log=os.path.join(rig.dir, "timedated.log"))
    try:
        peers.wait_for(lambda: rig.bus.has_owner(TD_NAME), 10, "timedated on the bus")
        got = dump(rig.bus)
        assert got["rc"] == 0
        t = got["timedate"]
        assert t["is_running"]
        for key, prop in (("ntp", "NTP"), ("ntp_synchronized", "NTPSynchronized"),
                          ("can_ntp", "CanNTP")):
            rc, out = rig.bus.busctl("get-property", TD_NAME, TD_PATH, TD_IFACE, prop)
            if rc == 0:
                assert t.get(key) == out["data"], prop
            else:
                assert key not in t and prop + ":" in t["reason"], (prop, out, t)
        assert "ntp_synchronized" in t
    finally:
        td.stop()


def test_real_timesyncd_server_15s_ahead(timesyncd_bin):
    r = Rig(timesyncd_bin, offset=15, stratum=2)
    try:
        r.wait_for_sample()
        got, props = consistent_read(r.bus)
        check_against_busctl(got, props)
        assert got["msg"]["stratum"] == 2
        assert abs(got["msg"]["offset_s"] - 15.0) < 0.05, got["msg"]
        assert 0 <= got["msg"]["delay_s"] < 0.05
        # timesyncd's own figure, from its debug log, agrees in sign and size.
        assert "offset       : +15.0" in r.log("timesyncd.log")
    finally:
        r.stop()


def test_not_running_is_reported_and_nothing_is_activated():
    bus = Bus()
    try:
        got = dump(bus)
        assert got["rc"] == -ESRCH and got["errno_name"] == "ESRCH"
        assert got["reason"].startswith("timesyncd: not running")
        assert not got["is_running"]
        time.sleep(0.3)                       # an activation would have run by now
        assert not os.path.exists(bus.marker)
        assert not bus.has_owner(TS_NAME)
        # The control: an ordinary auto-starting read does activate (and then times out).
        bus.busctl("get-property", TS_NAME, TS_PATH, TS_IFACE, "ServerName", auto_start=True)
        peers.wait_for(lambda: os.path.exists(bus.marker), 10, "the activation marker")
    finally:
        bus.stop()


def test_bus_that_never_answers_times_out():
    """A socket that accepts connections and never says a word: the probe's budget holds
    through authentication too (busctl --timeout=1 waits 90 s here: sd-bus's own auth timeout)."""
    d = tempfile.mkdtemp(prefix="cwts-mute-")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        path = os.path.join(d, "bus")
        s.bind(path)
        s.listen(8)

        class Mute:
            def env(self):
                return dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS="unix:path=" + path)
        got = dump(Mute(), timeout_ms=400)
        assert got["rc"] == -ETIMEDOUT, got["reason"]
        assert got["reason"] == "timesyncd: no system bus at unix:path=%s (%s)" % (
            path, os.strerror(ETIMEDOUT))
        assert 0.35 < got["elapsed_s"] < 1.5
        assert got["timedate"]["reason"] == "timedated: not read (no system bus)"
    finally:
        s.close()
        shutil.rmtree(d, ignore_errors=True)


def test_no_bus():
    class Nowhere:
        def env(self):
            return dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS="unix:path=/nonexistent/cw-bus")
    got = dump(Nowhere())
    assert got["rc"] < 0 and got["reason"].startswith("timesyncd: no system bus at ")
    assert got["elapsed_s"] < 1


# Stand-in (python3-dbus): what the real daemon does not send.
def standin(bus, mode):
    # Under its own name: a forked pytest is "python3" too, and peers.Process tells the final
    # program from its parents by the name.
    exe = os.path.join(bus.dir, "cw-fake-tsd")
    if not os.path.exists(exe):
        os.symlink("/usr/bin/python3", exe)
    p = peers.Process("stand-in " + mode, peers.SETPRIV + [exe, FAKE, mode, "60"],
                      env=bus.env(), log=os.path.join(bus.dir, "standin.log"))
    peers.wait_for(lambda: bus.has_owner(TS_NAME), 10, "the stand-in to own " + TS_NAME)
    return p


@pytest.fixture
def bus():
    if subprocess.run(["/usr/bin/python3", "-c", "import dbus, gi"]).returncode != 0:
        pytest.skip("the stand-in needs python3-dbus and python3-gi (tools/install-deps test)")
    b = Bus(deny_user="daemon")
    try:
        yield b
    finally:
        b.stop()


def test_standin_good_values_and_units(bus):
    p = standin(bus, "good")
    try:
        got = dump(bus, user="nobody")
        check_against_busctl(got, bus.timesyncd_props())
        m = got["msg"]
        assert m["offset_s"] == pytest.approx(14.999975, abs=1e-12)
        assert m["delay_s"] == pytest.approx(250e-6, abs=1e-12)
        assert m["jitter_s"] == pytest.approx(0.0015, abs=1e-15)
        assert m["root_delay_s"] == pytest.approx(0.015258, abs=1e-15)
        assert m["refid_text"] == "127.127.1.1" and m["packet_count"] == 7
        assert got["freq_ppm"] == 10.0
        assert got["root_distance_max_ns"] == 5 * 10**9
    finally:
        p.stop()


def test_standin_no_server_yet(bus):
    """Before timesyncd has a server it publishes "", (0, []) and an all-zero NTPMessage."""
    p = standin(bus, "no_server")
    try:
        got = dump(bus)
        assert got["rc"] == 0, got["reason"]
        assert got["server_name"] == "" and got["server_family"] == 0
        assert got["server_address"] == ""
        m = got["msg"]
        assert not m["has_sample"] and not m["has_offset"] and m["packet_count"] == 0
        assert m["refid"] == [0, 0, 0, 0] and m["real_originate_ns"] == 0
    finally:
        p.stop()


def test_standin_access_denied(bus):
    p = standin(bus, "good")
    try:
        got = dump(bus, user="daemon")       # the bus policy denies user daemon
        assert got["rc"] == -EACCES and "access denied" in got["reason"], got["reason"]
        assert got["is_running"] and got["server_name"] == ""
    finally:
        p.stop()


def test_standin_never_answers(bus):
    p = standin(bus, "hang")
    try:
        t0 = time.monotonic()
        got = dump(bus, timeout_ms=500)
        assert time.monotonic() - t0 < 5
        assert got["rc"] == -ETIMEDOUT, got["reason"]
        assert got["reason"] == "timesyncd: no answer within 500 ms (GetAll)"
        assert 0.45 < got["elapsed_s"] < 1.5
    finally:
        p.stop()


def test_standin_long_server_list(bus):
    p = standin(bus, "huge_list")
    try:
        got = dump(bus)
        assert got["rc"] == 0
        s = got["system_servers"]
        assert len(s["names"]) == 16 and s["n_total"] == 40 and s["is_truncated"]
        assert s["names"][15] == "s15.example.test"
    finally:
        p.stop()


@pytest.mark.parametrize("mode,detail", [
    ("short_refid", "(NTPMessage: Reference has 3 octets, want 4)"),
    ("wrong_sig", "(NTPMessage has signature (uuuuittayttttbt), want (uuuuittayttttbtt))"),
    ("wrong_type", "(ServerName has signature i, want s)"),
    ("bad_family", "(ServerAddress: ServerAddress family 2 with 16 octets, want 4)"),
    ("missing", "(no NTPMessage property)"),
    ("not_dict", "(GetAll answered s, want a{sv})"),
])
def test_standin_bad_reply(bus, mode, detail):
    p = standin(bus, mode)
    try:
        got = dump(bus)
        assert got["rc"] == -EBADMSG, got["reason"]
        assert got["reason"] == "timesyncd: bad reply " + detail
        assert got["msg"]["packet_count"] == 0 and got["server_name"] == ""
    finally:
        p.stop()


# ---- clockwatch status / peers / vars on the real timesyncd ----

CW = os.path.join(peers.BUILD, "clockwatch")


def cw(bus, *args):
    r = subprocess.run([CW] + list(args) + ["--service", "timesyncd"], env=bus.env(),
                       capture_output=True, text=True, timeout=30)
    return r.returncode, r.stdout, r.stderr


def test_status_and_peers_read_the_real_timesyncd(rig):
    got, _ = consistent_read(rig.bus)
    rc, out, err = cw(rig.bus, "status", "--json")
    doc = json.loads(out)
    svc = doc["services"][2]
    assert svc["name"] == "systemd-timesyncd" and svc["answering"], svc
    assert svc["running"] and svc["can_set_clock"] is False     # no CAP_SYS_TIME
    sysv = doc["system"]
    assert sysv["from"] == "timesyncd D-Bus"
    assert sysv["synchronized"] is True
    assert sysv["source_name"] == "127.0.0.1" and sysv["source_address"] == "127.0.0.1"
    assert sysv["stratum"] == got["msg"]["stratum"] + 1 == 4
    assert abs(sysv["offset_s"]) < 0.01
    assert sysv["update_interval_s"] == got["poll_interval_ns"] / 1e9
    assert doc["verdict"]["level"] == "warning" and rc == 1     # measures, may not correct
    rc, out, err = cw(rig.bus, "peers", "--json")
    assert rc == 0, err
    (src,) = json.loads(out)["sources"]
    assert src["tally"] == "*" and src["address"] == "127.0.0.1" and src["stratum"] == 3
    assert src["reach"] is None                                 # timesyncd keeps no register
    rc, out, err = cw(rig.bus, "vars")
    assert rc == 0 and "server_address      = 127.0.0.1" in out and "packet_count" in out


def test_status_when_timesyncd_is_not_running():
    bus = Bus()
    try:
        rc, out, err = cw(bus, "status", "--json", "-t", "500ms")
        svc = json.loads(out)["services"][2]
        assert rc == 2 and svc["answering"] is False
        assert "not running" in svc["error"]
        assert not os.path.exists(bus.marker)       # reading did not activate it
    finally:
        bus.stop()
