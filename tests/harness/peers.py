"""Real and fake NTP peers for clockwatch's tests and demo, started safely.

Every daemon runs through setpriv with CAP_SYS_TIME removed from the bounding, inheritable and
ambient sets, chronyd always with -x, and the harness checks /proc/PID/status before it trusts
the process (TESTBED.md §0). Every process is recorded when started and stopped by its PID:
at the end of a `with` block, at interpreter exit, and on SIGINT/SIGTERM. Waits poll state with
a bound; nothing here sleeps for a fixed time hoping a daemon is ready.

Stdlib only; run with Debian's /usr/bin/python3.
"""

import atexit
import json
import os
import random
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("CW_BUILD", os.path.join(ROOT, "build"))
LIBFAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"
CAP_SYS_TIME = 25
NTP_UNIX_OFFSET = 2208988800
SETPRIV = ["setpriv", "--bounding-set", "-sys_time", "--inh-caps", "-sys_time",
           "--ambient-caps", "-sys_time", "--"]


class HarnessError(Exception):
    pass


_started = []          # every Process still running, in start order
_lock = threading.Lock()


def _stop_all(*_):
    with _lock:
        procs = list(reversed(_started))
    for p in procs:
        p.stop()


def _on_signal(signum, frame):
    _stop_all()
    _remove_all_netns()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


atexit.register(_stop_all)
for _sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
    if signal.getsignal(_sig) in (signal.SIG_DFL, signal.default_int_handler):
        signal.signal(_sig, _on_signal)


def wait_for(pred, timeout, what, interval=0.02):
    """Polls pred() until it is true; raises after timeout seconds. Bounded in time and count."""
    deadline = time.monotonic() + timeout
    for _ in range(int(timeout / interval) + 2):
        r = pred()
        if r:
            return r
        if time.monotonic() >= deadline:
            break
        time.sleep(interval)
    raise HarnessError("timed out after %.1f s waiting for %s" % (timeout, what))


def caps_of(pid):
    caps = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("Cap"):
                k, v = line.split(":")
                caps[k] = int(v.strip(), 16)
    return caps


def has_sys_time(pid):
    c = caps_of(pid)
    return bool((c["CapEff"] | c["CapBnd"] | c["CapPrm"]) & (1 << CAP_SYS_TIME))


class Process:
    """One started program, stopped by its own PID only."""

    def __init__(self, name, argv, env=None, log=None, check_caps=True, comm=None):
        """comm: the program the process ends up running, when argv execs through others
        (default: the one after setpriv's "--")."""
        self.name = name
        self.log = log
        prog = argv[argv.index("--") + 1] if "--" in argv else argv[0]
        self.comm = (comm or os.path.basename(prog))[:15]
        out = open(log, "ab") if log else subprocess.DEVNULL
        self.popen = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT,
                                      stdin=subprocess.DEVNULL, start_new_session=True)
        if log:
            out.close()
        self.pid = self.popen.pid
        with _lock:
            _started.append(self)
        if check_caps:
            try:
                wait_for(lambda: self._caps_readable(), 5, "%s to start" % name)
                if has_sys_time(self.pid):
                    self.stop()
                    raise HarnessError("%s (pid %d) holds CAP_SYS_TIME: refusing to run it"
                                       % (name, self.pid))
            except HarnessError:
                self.stop()
                raise

    def _caps_readable(self):
        """True once the process runs its final program: not the forked python, not setpriv."""
        if self.popen.poll() is not None:
            raise HarnessError("%s exited at start with status %s%s"
                               % (self.name, self.popen.returncode, self._log_tail()))
        try:
            with open("/proc/%d/comm" % self.pid) as f:
                if f.read().strip() != self.comm:
                    return False
            caps_of(self.pid)
            return True
        except (FileNotFoundError, ProcessLookupError):
            return False

    def _log_tail(self):
        if not self.log or not os.path.exists(self.log):
            return ""
        with open(self.log, errors="replace") as f:
            return "; log: " + " | ".join(f.read().strip().splitlines()[-5:])

    def alive(self):
        return self.popen.poll() is None

    def stop(self):
        if self.popen.poll() is None:
            try:
                self.popen.terminate()
                self.popen.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=5)
            except ProcessLookupError:
                pass
        with _lock:
            if self in _started:
                _started.remove(self)


def ntp_request():
    """A mode-3 request with a random transmit timestamp; returns (bytes, xmt)."""
    xmt = random.getrandbits(64) or 1
    return struct.pack("!B39xQ", (4 << 3) | 3, xmt), xmt


def ntp_ping(addr, port, timeout=0.5):
    """True when addr:port answers a mode-3 request with a mode-4 reply echoing our transmit."""
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    req, xmt = ntp_request()
    with socket.socket(fam, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        try:
            s.sendto(req, (addr, port))
            data, _ = s.recvfrom(2048)
        except OSError:
            return False
    return len(data) >= 48 and data[0] & 7 == 4 and struct.unpack("!Q", data[24:32])[0] == xmt


class _Server:
    """What every server of ours has: a process, a scratch directory, a `with` block."""

    proc = None
    dir = None

    def stop(self):
        if self.proc:
            self.proc.stop()
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class Chronyd(_Server):
    """A real chronyd serving time on addr:port, optionally `offset` seconds wrong (libfaketime).

    With an offset, build/nokts.so is preloaded so chronyd takes its receive timestamps from its
    own faked clock: without it offsets under 1 s come out halved (TESTBED.md §3)."""

    def __init__(self, port, offset=None, addr="127.0.0.1", stratum=1, workdir=None,
                 offset_file=None, ns=None):
        """ns: a Netns to run in (then addr is one of its own addresses)."""
        self.addr, self.port, self.offset, self.ns = addr, port, offset, ns
        self.dir = tempfile.mkdtemp(prefix="cw-chronyd-", dir=workdir)
        os.chmod(self.dir, 0o750)
        conf = os.path.join(self.dir, "chrony.conf")
        with open(conf, "w") as f:
            f.write("port %d\nbindaddress %s\nallow all\nlocal stratum %d\ncmdport 0\n"
                    "pidfile %s/chronyd.pid\ndriftfile %s/drift\n"
                    % (port, addr, stratum, self.dir, self.dir))
        env = dict(os.environ)
        if offset_file is not None:
            # The offset can change while it runs: write a new one with set_offset().
            self.offset_file = offset_file
            with open(offset_file, "w") as f:
                f.write("%+fs\n" % (offset or 0))
            env.update(LD_PRELOAD="%s %s" % (os.environ.get("CW_SHIM", os.path.join(
                BUILD, "nokts.so")), LIBFAKETIME), FAKETIME_TIMESTAMP_FILE=offset_file,
                FAKETIME_NO_CACHE="1", FAKETIME_DONT_FAKE_MONOTONIC="1")
        elif offset is not None:
            # A sanitizer build's shim would need its runtime preloaded first: CW_SHIM names a
            # plain build's copy then.
            shim = os.environ.get("CW_SHIM", os.path.join(BUILD, "nokts.so"))
            if not os.path.exists(shim):
                raise HarnessError("%s missing: build first" % shim)
            env.update(LD_PRELOAD="%s %s" % (shim, LIBFAKETIME),
                       FAKETIME="%+fs" % offset if abs(offset) < 1 else "%+ds" % offset,
                       FAKETIME_DONT_FAKE_MONOTONIC="1")
        argv = SETPRIV + ["chronyd", "-x", "-d", "-u", "root", "-f", conf]
        self.proc = Process("chronyd %s:%d" % (addr, port), ns.argv(argv) if ns else argv,
                            env=env, log=os.path.join(self.dir, "chronyd.log"))
        wait_for(lambda: self._ready(), 10, "chronyd on %s:%d to answer" % (addr, port))

    def set_offset(self, offset):
        """A chronyd started with offset_file: its clock is offset seconds wrong from now on."""
        with open(self.offset_file, "w") as f:
            f.write("%+fs\n" % offset)

    def _ready(self):
        if not self.proc.alive():
            raise HarnessError("chronyd on %s:%d died%s" % (self.addr, self.port,
                                                             self.proc._log_tail()))
        if self.ns:  # nothing is sent into the namespace to find out
            return udp_bound(self.ns.name, self.addr, self.port)
        return ntp_ping(self.addr, self.port, 0.2)

    @property
    def target(self):
        return ("[%s]:%d" if ":" in self.addr else "%s:%d") % (self.addr, self.port)



class ChronydClient(_Server):
    """A real chronyd that synchronizes (without touching the clock: -x, no CAP_SYS_TIME) to
    the given servers, answering cmdmon on 127.0.0.1:cmdport and on its Unix socket."""

    def __init__(self, servers, cmdport, extra="", ns=None, env=None):
        """servers: objects with addr and port; ns: a Netns to run in; env: the environment
        (e.g. faketime_env(), for a host whose clock is wrong)."""
        self.cmdport = cmdport
        # The configuration is readable by anyone (as /etc/chrony is); the command socket's
        # directory is closed to others, as chronyd requires and as on Debian.
        self.dir = tempfile.mkdtemp(prefix="cw-chronyc-")
        os.chmod(self.dir, 0o755)
        os.mkdir(os.path.join(self.dir, "run"), 0o750)
        self.socket = os.path.join(self.dir, "run", "chronyd.sock")
        self.conf = os.path.join(self.dir, "chrony.conf")
        with open(self.conf, "w") as f:
            f.write("port 0\ncmdport %d\nbindcmdaddress 127.0.0.1\nbindcmdaddress %s\n"
                    "pidfile %s/chronyd.pid\ndriftfile %s/drift\n%s"
                    % (cmdport, self.socket, self.dir, self.dir, extra))
            for srv in servers:
                f.write("server %s port %d iburst minpoll 0 maxpoll 0\n" % (srv.addr, srv.port))
        argv = SETPRIV + ["chronyd", "-x", "-d", "-u", "root", "-f", self.conf]
        self.proc = Process("chronyd client", ns.argv(argv) if ns else argv, env=env,
                            log=os.path.join(self.dir, "chronyd.log"))
        wait_for(lambda: os.path.exists(self.socket) or self._dead(), 10,
                 "chronyd client's command socket")

    def _dead(self):
        if not self.proc.alive():
            raise HarnessError("chronyd client died%s" % self.proc._log_tail())
        return False

    def chronyc(self, *args):
        """chronyc's CSV output, as a test oracle only (never used by clockwatch)."""
        p = subprocess.run(["chronyc", "-h", self.socket, "-c", "-n"] + list(args),
                           capture_output=True, text=True, timeout=10)
        return [line.split(",") for line in p.stdout.splitlines()]


class Responder(_Server):
    """clockwatch's own C test responder (build/cw-responder): many ports, offsets, faults."""

    def __init__(self, port=None, ports=None, offset=0.0, fault=None, addr="127.0.0.1",
                 extra=(), max_seconds=600):
        self.dir = tempfile.mkdtemp(prefix="cw-responder-")
        ready = os.path.join(self.dir, "ready")
        argv = SETPRIV + [os.path.join(BUILD, "cw-responder"), "--addr", addr,
                          "--offset", repr(offset), "--ready-file", ready,
                          "--max-seconds", str(max_seconds)]
        argv += ["--ports", ports] if ports else ["--port", str(port)]
        if fault:
            argv += ["--fault", fault]
        argv += list(extra)
        self.proc = Process("cw-responder", argv, log=os.path.join(self.dir, "log"))
        wait_for(lambda: os.path.exists(ready) or self._dead(), 10, "cw-responder to bind")

    def _dead(self):
        if not self.proc.alive():
            raise HarnessError("cw-responder exited%s" % self.proc._log_tail())
        return False


_netns = []            # names of namespaces this process created and has not removed yet


def _remove_all_netns():
    for name in list(_netns):
        subprocess.run(["ip", "netns", "del", name], stderr=subprocess.DEVNULL)
        _netns.remove(name)


atexit.register(_remove_all_netns)


class Netns:
    """A network namespace of our own (needs root), removed at the end of the `with` block,
    at exit, or on SIGINT/SIGTERM. Only loopback inside, unless the test adds more."""

    def __init__(self, prefix="cwtest", lo_up=True, sysctls=()):
        self.name = "%s-%d-%d" % (prefix, os.getpid(), len(_netns) + random.randrange(1 << 20))
        subprocess.run(["ip", "netns", "add", self.name], check=True)
        _netns.append(self.name)
        if lo_up:
            self.run(["ip", "link", "set", "lo", "up"], check=True)
        for kv in sysctls:
            self.run(["sysctl", "-q", "-w", kv], check=True)

    def argv(self, argv):
        return ["ip", "netns", "exec", self.name] + list(argv)

    def run(self, argv, **kw):
        return subprocess.run(self.argv(argv), **kw)

    def veth(self, host_addr, ns_addr, prefix=30):
        """A veth pair from the host into this namespace: host_addr on the host's end,
        ns_addr inside, and the namespace's default route through the host. Removed with the
        namespace."""
        host_if = "cwv%d" % random.randrange(1 << 24)
        ns_if = host_if + "n"
        subprocess.run(["ip", "link", "add", host_if, "type", "veth", "peer", "name", ns_if],
                       check=True)
        subprocess.run(["ip", "link", "set", ns_if, "netns", self.name], check=True)
        subprocess.run(["ip", "addr", "add", "%s/%d" % (host_addr, prefix), "dev", host_if],
                       check=True)
        subprocess.run(["ip", "link", "set", host_if, "up"], check=True)
        self.run(["ip", "addr", "add", "%s/%d" % (ns_addr, prefix), "dev", ns_if], check=True)
        self.run(["ip", "link", "set", ns_if, "up"], check=True)
        self.run(["ip", "route", "add", "default", "via", host_addr], check=True)
        return host_if

    def remove(self):
        if self.name in _netns:
            subprocess.run(["ip", "netns", "del", self.name], check=False)
            _netns.remove(self.name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


NTPSEC = os.environ.get("CW_NTPSEC", os.path.join(ROOT, ".deps", "ntpsec"))


def udp_bound(ns, addr, port):
    """True when a UDP socket is bound to addr:port inside namespace ns (read from its
    /proc/net/udp, so nothing is sent to find out)."""
    want = "%s:%04X" % ("".join("%02X" % int(b) for b in reversed(addr.split("."))), port)
    p = subprocess.run(["ip", "netns", "exec", ns, "cat", "/proc/net/udp"], capture_output=True,
                       text=True, timeout=10)
    return any(line.split()[1] == want for line in p.stdout.splitlines()[1:] if line.split())


class NtpdTestbed:
    """ntpsec's ntpd in a client namespace of its own, synchronizing (without clock rights:
    setpriv drops CAP_SYS_TIME; ntpd reports EPERM and goes on) to chronyd servers on port 123
    in a server namespace, the two joined by a veth pair on 10.200.7.0/24. ntpd binds port 123
    everywhere, so neither it nor its servers can live in the root namespace. Everything runs
    inside the namespaces; run_in() runs a command in the client's."""

    NET = "10.200.7."

    def __init__(self, offsets=(None, None, 2000)):
        ntpd = os.path.join(NTPSEC, "usr", "sbin", "ntpd")
        if not os.access(ntpd, os.X_OK):
            raise HarnessError("%s missing: tools/install-deps test unpacks it" % ntpd)
        self.dir = tempfile.mkdtemp(prefix="cw-ntpd-")
        os.chmod(self.dir, 0o750)
        self.procs = []
        self.client = Netns(prefix="cwnc")
        self.server = Netns(prefix="cwns")
        tag = "%x" % (os.getpid() & 0xfffff)
        ca, sa = "cwc" + tag, "cws" + tag
        subprocess.run(["ip", "link", "add", ca, "netns", self.client.name, "type", "veth",
                        "peer", "name", sa, "netns", self.server.name], check=True)
        self.client.run(["ip", "addr", "add", self.NET + "1/24", "dev", ca], check=True)
        self.client.run(["ip", "link", "set", ca, "up"], check=True)
        self.server.run(["ip", "addr", "add", self.NET + "2/24", "dev", sa], check=True)
        self.server.run(["ip", "link", "set", sa, "up"], check=True)
        self.servers = []
        for i, off in enumerate(offsets):
            addr = self.NET + "%d" % (11 + i)
            self.server.run(["ip", "addr", "add", addr + "/32", "dev", sa], check=True)
            self._chronyd(addr, off)
            self.servers.append(addr)
        self._ntpd(ntpd)

    def _chronyd(self, addr, offset):
        d = os.path.join(self.dir, "chronyd-" + addr)
        os.mkdir(d, 0o750)
        conf = os.path.join(d, "chrony.conf")
        with open(conf, "w") as f:
            f.write("port 123\nbindaddress %s\nallow all\nlocal stratum 1\ncmdport 0\n"
                    "pidfile %s/chronyd.pid\ndriftfile %s/drift\n" % (addr, d, d))
        env = dict(os.environ)
        if offset is not None:
            env.update(LD_PRELOAD="%s %s" % (os.environ.get("CW_SHIM", os.path.join(
                BUILD, "nokts.so")), LIBFAKETIME), FAKETIME="%+ds" % offset,
                FAKETIME_DONT_FAKE_MONOTONIC="1")
        argv = self.server.argv(SETPRIV + ["chronyd", "-x", "-d", "-u", "root", "-f", conf])
        self.procs.append(Process("chronyd " + addr, argv, env=env,
                                  log=os.path.join(d, "chronyd.log")))
        wait_for(lambda: udp_bound(self.server.name, addr, 123), 10,
                 "chronyd on %s:123" % addr)

    def _ntpd(self, ntpd):
        d = os.path.join(self.dir, "ntpd")
        os.mkdir(d, 0o750)
        self.conf = os.path.join(d, "ntp.conf")
        with open(self.conf, "w") as f:
            # Without a restrict line ntpsec ignores mode 6 queries (TESTBED.md §4).
            f.write("restrict default kod nomodify limited\nrestrict 127.0.0.1\n"
                    "restrict ::1\ndriftfile %s/drift\n" % d)
            for addr in self.servers:
                f.write("server %s iburst minpoll 0 maxpoll 0\n" % addr)
        argv = self.client.argv(SETPRIV + [ntpd, "-n", "-c", self.conf, "-l",
                                           os.path.join(d, "ntpd.log"), "-p",
                                           os.path.join(d, "ntpd.pid")])
        self.ntpd = Process("ntpd", argv, log=os.path.join(d, "ntpd.out"))
        self.procs.append(self.ntpd)
        wait_for(lambda: udp_bound(self.client.name, "127.0.0.1", 123), 10, "ntpd to bind")

    def run_in(self, argv, **kw):
        return self.client.run(argv, **kw)

    def ntpq(self, *commands):
        """ntpq's output in the client namespace: a test oracle only."""
        argv = ["/usr/bin/python3", os.path.join(NTPSEC, "usr", "bin", "ntpq"), "-n"]
        for c in commands:
            argv += ["-c", c]
        p = self.run_in(argv, capture_output=True, text=True, timeout=20)
        return p.stdout

    def stop(self):
        for p in reversed(self.procs):
            p.stop()
        self.client.remove()
        self.server.remove()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def free_udp_port(addr="127.0.0.1"):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    with socket.socket(fam, socket.SOCK_DGRAM) as s:
        s.bind((addr, 0))
        return s.getsockname()[1]


def faketime_env(offset_file):
    """The environment that makes a program read a clock offset by what offset_file says
    ("+15.000000s"; it may change while the program runs), with the shim that hides the
    kernel's own receive timestamps from it (TESTBED.md §3)."""
    env = dict(os.environ)
    env.update(LD_PRELOAD="%s %s" % (os.environ.get("CW_SHIM", os.path.join(BUILD, "nokts.so")),
                                      LIBFAKETIME),
               FAKETIME_TIMESTAMP_FILE=offset_file, FAKETIME_NO_CACHE="1",
               FAKETIME_DONT_FAKE_MONOTONIC="1")
    return env


def free_tcp_port(addr="127.0.0.1"):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    with socket.socket(fam, socket.SOCK_STREAM) as s:
        s.bind((addr, 0))
        return s.getsockname()[1]


def http_get(url, timeout=5, headers=None):
    """(status, headers, body bytes) of a GET; status 0 when nothing answered."""
    import urllib.error
    import urllib.request
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()
    except (urllib.error.URLError, OSError):
        return 0, {}, b""


def tcp_listening(addr, port):
    """True when something accepts TCP connections on addr:port."""
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    with socket.socket(fam, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex((addr, port)) == 0


class Alertmanager:
    """A real Prometheus Alertmanager (Debian's prometheus-alertmanager) on addr:port, its data
    in a temporary directory, clustering off, one receiver that goes nowhere: tests read what
    it holds through its v2 API."""

    def __init__(self, addr="127.0.0.1", port=None, ns=None):
        self.dir = tempfile.mkdtemp(prefix="cw-am-")
        self.addr, self.port = addr, port or free_tcp_port(addr)
        with open(os.path.join(self.dir, "am.yml"), "w") as f:
            f.write("route:\n  receiver: 'null'\n  group_by: [alertname, node]\n"
                    "  group_wait: 1s\n  group_interval: 1s\n"
                    "receivers:\n  - name: 'null'\n")
        argv = ["prometheus-alertmanager", "--config.file=%s/am.yml" % self.dir,
                "--storage.path=%s/data" % self.dir,
                "--web.listen-address=%s:%d" % (addr if ":" not in addr else "[%s]" % addr,
                                                self.port),
                "--cluster.listen-address=", "--log.level=warn"]
        self.url = "http://%s:%d" % (addr, self.port)
        self.proc = Process("alertmanager", ns.argv(argv) if ns else argv,
                            log=os.path.join(self.dir, "am.log"), check_caps=False)
        wait_for(lambda: http_get(self.url + "/-/ready", 1)[0] == 200 if not ns else
                 ns.run(["curl", "-sf", self.url + "/-/ready"], capture_output=True).returncode
                 == 0, 20, "alertmanager ready")

    def alerts(self, active=True):
        """The alerts it holds (v2 API), active or resolved."""
        q = "?active=%s&silenced=false&inhibited=false&unprocessed=true" % (
            "true" if active else "false")
        st, _, body = http_get(self.url + "/api/v2/alerts" + q)
        return json.loads(body) if st == 200 else None

    def stop(self):
        self.proc.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class Prometheus:
    """A real Prometheus (Debian's package) scraping the given targets every second, with the
    given rule files, sending alerts to the given Alertmanager URLs."""

    def __init__(self, targets, rule_files=(), alertmanagers=(), addr="127.0.0.1", port=None,
                 job="clockwatch"):
        self.dir = tempfile.mkdtemp(prefix="cw-prom-")
        self.addr, self.port = addr, port or free_tcp_port(addr)
        cfg = ["global:", "  scrape_interval: 1s", "  evaluation_interval: 1s"]
        if rule_files:
            cfg.append("rule_files:")
            cfg += ["  - %s" % r for r in rule_files]
        if alertmanagers:
            cfg += ["alerting:", "  alertmanagers:", "    - static_configs:",
                    "        - targets: [%s]" % ", ".join(
                        "'%s'" % u.split("//", 1)[1] for u in alertmanagers)]
        cfg += ["scrape_configs:", "  - job_name: %s" % job, "    static_configs:",
                "      - targets: [%s]" % ", ".join("'%s'" % t for t in targets)]
        with open(os.path.join(self.dir, "prom.yml"), "w") as f:
            f.write("\n".join(cfg) + "\n")
        self.url = "http://%s:%d" % (addr, self.port)
        self.proc = Process("prometheus", [
            "prometheus", "--config.file=%s/prom.yml" % self.dir,
            "--storage.tsdb.path=%s/data" % self.dir, "--web.listen-address=%s:%d" % (
                addr, self.port), "--log.level=warn"], log=os.path.join(self.dir, "prom.log"),
            check_caps=False)
        wait_for(lambda: http_get(self.url + "/-/ready", 1)[0] == 200, 30, "prometheus ready")

    def query(self, expr):
        """The instant vector of a PromQL expression: a list of {metric, value}."""
        import urllib.parse
        st, _, body = http_get(self.url + "/api/v1/query?" + urllib.parse.urlencode(
            {"query": expr}))
        if st != 200:
            return None
        return json.loads(body)["data"]["result"]

    def alerts(self):
        st, _, body = http_get(self.url + "/api/v1/alerts")
        return json.loads(body)["data"]["alerts"] if st == 200 else None

    def targets(self):
        st, _, body = http_get(self.url + "/api/v1/targets")
        return json.loads(body)["data"]["activeTargets"] if st == 200 else None

    def stop(self):
        self.proc.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
