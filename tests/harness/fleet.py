"""A small data centre in network namespaces, for the fault-injection suite and the demo: a LAN
(a bridge in a namespace of its own), upstream NTP servers (real chronyd, libfaketime for a
wrong clock that can change while it runs), and cluster nodes, each a namespace with a real
chronyd client and a clockwatch agent. Control nodes take time from the upstream servers,
payload nodes from the control nodes (seed 001). Faults are injected with netem, link state,
nftables rules inside a namespace, stopping servers and moving clocks.

Every daemon runs as the rest of the harness runs them: without CAP_SYS_TIME (setpriv),
chronyd with -x; traffic stays inside the namespaces; everything is stopped by PID and every
namespace removed at the end (Fleet.stop, also at exit)."""

import os
import shutil
import subprocess
import tempfile

import peers

NET = "10.77.0"
CW = os.path.join(peers.BUILD, "clockwatch")


class Lan:
    """A bridge in a namespace of its own; hosts plug into it with a veth pair each."""

    def __init__(self):
        self.ns = peers.Netns("cwlan")
        self.ns.run(["ip", "link", "add", "br0", "type", "bridge"], check=True)
        self.ns.run(["ip", "link", "set", "br0", "up"], check=True)
        self.n = 0

    def attach(self, host_ns, addr):
        """host_ns gets eth0 with addr/24 on the LAN."""
        self.n += 1
        lan_if = "p%d" % self.n
        tmp_if = "cwh%d%d" % (os.getpid() % 10000, self.n)
        self.ns.run(["ip", "link", "add", lan_if, "type", "veth", "peer", "name", tmp_if],
                    check=True)
        self.ns.run(["ip", "link", "set", tmp_if, "netns", host_ns.name], check=True)
        self.ns.run(["ip", "link", "set", lan_if, "master", "br0"], check=True)
        self.ns.run(["ip", "link", "set", lan_if, "up"], check=True)
        host_ns.run(["ip", "link", "set", tmp_if, "name", "eth0"], check=True)
        host_ns.run(["ip", "addr", "add", "%s/24" % addr, "dev", "eth0"], check=True)
        host_ns.run(["ip", "link", "set", "eth0", "up"], check=True)

    def remove(self):
        self.ns.remove()


class Host:
    """One namespace on the LAN: an address, a scratch directory, its processes."""

    def __init__(self, lan, name, addr, base):
        self.name, self.addr = name, addr
        self.ns = peers.Netns("cw" + name[:6])
        lan.attach(self.ns, addr)
        self.dir = os.path.join(base, name)
        os.makedirs(self.dir, mode=0o755)
        self.procs = []
        self.offset_file = os.path.join(self.dir, "offset")
        with open(self.offset_file, "w") as f:
            f.write("+0.000000s\n")

    def clock_env(self):
        """The environment that makes a program read this host's clock (libfaketime, with the
        shim that hides the kernel's own receive timestamps; TESTBED.md §3)."""
        return peers.faketime_env(self.offset_file)

    def set_clock(self, offset_s):
        """This host's clock is offset_s wrong from now on (its chronyd and agent read it)."""
        with open(self.offset_file, "w") as f:
            f.write("%+fs\n" % offset_s)

    def run(self, argv, **kw):
        return self.ns.run(argv, **kw)

    def start(self, name, argv, env=None, log=None, comm=None):
        p = peers.Process("%s %s" % (self.name, name), self.ns.argv(argv), env=env,
                          log=log or os.path.join(self.dir, name + ".log"), comm=comm)
        self.procs.append(p)
        return p

    def chronyd(self, servers=(), serve=True, extra=""):
        """A real chronyd in this namespace: with servers a client (polling every second),
        without them a stratum 1 server of its own clock. It serves time on port 123 of this
        host's address when serve is true."""
        os.makedirs(os.path.join(self.dir, "run"), mode=0o750, exist_ok=True)
        self.chrony_socket = os.path.join(self.dir, "run", "chronyd.sock")
        self.chrony_conf = os.path.join(self.dir, "chrony.conf")
        lines = ["cmdport 0", "bindcmdaddress %s" % self.chrony_socket,
                 "pidfile %s/chronyd.pid" % self.dir, "driftfile %s/drift" % self.dir]
        if serve:
            lines += ["port 123", "bindaddress %s" % self.addr, "allow %s.0/24" % NET]
        else:
            lines += ["port 0"]
        if not servers:
            lines += ["local stratum 1"]
        for s in servers:
            lines.append("server %s iburst minpoll 0 maxpoll 0" % s)
        with open(self.chrony_conf, "w") as f:
            f.write("\n".join(lines) + "\n" + extra)
        p = self.start("chronyd", peers.SETPRIV + ["chronyd", "-x", "-d", "-u", "root", "-f",
                                                    self.chrony_conf], env=self.clock_env())
        peers.wait_for(lambda: os.path.exists(self.chrony_socket) or not p.alive(), 10,
                       "%s's chronyd" % self.name)
        if not p.alive():
            raise peers.HarnessError("%s's chronyd died%s" % (self.name, p._log_tail()))
        self.chrony = p
        return p

    def chronyc(self, *args):
        """chronyc's CSV output, a test oracle only."""
        r = subprocess.run(["chronyc", "-h", self.chrony_socket, "-c", "-n"] + list(args),
                           capture_output=True, text=True, timeout=10)
        return [line.split(",") for line in r.stdout.splitlines()]

    def stop(self):
        for p in reversed(self.procs):
            p.stop()
        self.procs = []
        self.ns.remove()


class Fleet:
    """Upstream servers up1..upN and nodes; see start()."""

    def __init__(self, n_upstream=3, upstream_offsets=None):
        self.base = tempfile.mkdtemp(prefix="cw-fleet-")
        os.chmod(self.base, 0o755)
        self.lan = Lan()
        self.up, self.nodes = [], []
        try:
            for i in range(n_upstream):
                h = Host(self.lan, "up%d" % (i + 1), "%s.%d" % (NET, 11 + i), self.base)
                self.up.append(h)
                if upstream_offsets and upstream_offsets[i]:
                    h.set_clock(upstream_offsets[i])
                h.chronyd()
        except BaseException:
            self.stop()
            raise

    def add_relay(self, name, addr, pairs, delay_out_ms=0, delay_back_ms=0, seconds=600):
        """A host that relays UDP with a delay per direction (udp_relay.py): pairs of
        (listen port, target address, target port)."""
        h = Host(self.lan, name, addr, self.base)
        # run as the script itself, so its comm is its own (not the harness's "python3")
        argv = peers.SETPRIV + [os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                             "udp_relay.py"),
                                "--delay-out", str(delay_out_ms), "--delay-back",
                                str(delay_back_ms), "--seconds", str(seconds)]
        for port, to, to_port in pairs:
            argv += ["--listen", "%s:%d" % (addr, port), "--to", "%s:%d" % (to, to_port)]
        h.start("relay", argv, comm="udp_relay.py")
        self.up.append(h)
        return h

    def add_node(self, name, addr, role, servers, agent_extra="", serve=True, clock=0.0,
                 chrony_extra=""):
        h = Host(self.lan, name, addr, self.base)
        h.role = role
        h.agent_extra = agent_extra
        if clock:
            h.set_clock(clock)
        h.chronyd(servers=servers, serve=serve, extra=chrony_extra)
        self.nodes.append(h)
        return h

    def start_agents(self, interval="1s", timers="grace 20s\nreject_initial 20s\n"
                     "reject_reselect 30s\nclear_delay 3s\n", responder_port=10124):
        """One agent per node, each with every node's line. The timers are short but keep
        reselection's (seed 001: 90 s) at 30 s: chronyd may go a few seconds without a source
        while a falseticker appears, which is no alarm. The nodes' clocks are compared
        through the agents' own responders (port responder_port): the chronyd here runs with
        -x, so the time it serves is its estimate of true time, not the node's clock."""
        node_lines = "".join("node %s %s:%d %s\n" % (n.name, n.addr, responder_port, n.role)
                             for n in self.nodes)
        for n in self.nodes:
            n.state = os.path.join(n.dir, "state")
            n.conf = os.path.join(n.dir, "clockwatch.conf")
            with open(n.conf, "w") as f:
                f.write("service chronyd\nconf %s\ninterval %s\ntimeout 500ms\nstate_dir %s\n"
                        "node_name %s\nhttp_listen %s:10123\nresponder %s:%d\n"
                        "responder_rate 10\n%s%s%s"
                        % (n.chrony_conf, interval, n.state, n.name, n.addr, n.addr,
                           responder_port, timers, node_lines, n.agent_extra))
            n.agent = n.start("agent", peers.SETPRIV + [CW, "agent", "-f", n.conf],
                              env=n.clock_env())

    def alarms(self, node):
        """The node's alarm and log, from its store (clockwatch alarms --json)."""
        r = subprocess.run([CW, "alarms", "--json", "-n", "100", "--state-dir", node.state],
                           capture_output=True, text=True, timeout=20)
        if r.returncode not in (0, 1) or not r.stdout:
            return None
        import json
        return json.loads(r.stdout)

    def doctor(self, node):
        """clockwatch doctor --json on the node (in its namespace): (exit status, report)."""
        import json
        r = node.run([CW, "doctor", "--json", "--service", "chronyd", "--conf",
                      node.chrony_conf], capture_output=True, text=True, timeout=60)
        return r.returncode, (json.loads(r.stdout) if r.stdout.strip() else None)

    def stop(self):
        for h in reversed(self.nodes + self.up):
            h.stop()
        self.lan.remove()
        shutil.rmtree(self.base, ignore_errors=True)
