import json
import os
import subprocess
import sys
import time

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "harness"))
import peers  # noqa: E402

CLOCKWATCH = os.path.join(peers.BUILD, "clockwatch")
# An optional command prefix for every run_cw, e.g. "valgrind --error-exitcode=99 -q"
# (tools/valgrind); empty by default.
CW_WRAP = os.environ.get("CW_WRAP", "").split()


class Result:
    def __init__(self, proc, elapsed):
        self.rc = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr
        self.elapsed = elapsed

    @property
    def json(self):
        return json.loads(self.out)

    def target(self, needle):
        for t in self.json["targets"]:
            if needle in (t["host"], "%s:%s" % (t["address"], t["port"]),
                          "[%s]:%s" % (t["address"], t["port"])):
                return t
        raise KeyError(needle)


def run_cw(*args, timeout=60, env=None):
    """Runs the built clockwatch; returns its exit code, output and wall time."""
    t0 = time.monotonic()
    p = subprocess.run(CW_WRAP + [CLOCKWATCH] + [str(a) for a in args], capture_output=True,
                       text=True, timeout=timeout, env=env)
    return Result(p, time.monotonic() - t0)


@pytest.fixture(scope="session")
def servers():
    """Real chronyd servers, started once: honest ones and ones with a known wrong clock."""
    started = {}
    specs = {"honest": (11201, None), "honest2": (11202, None), "honest3": (11203, None),
             "plus15": (11204, 15), "minus025": (11205, -0.25), "plus2000": (11206, 2000)}
    try:
        for name, (port, off) in specs.items():
            started[name] = peers.Chronyd(port, offset=off)
        yield started
    finally:
        for d in started.values():
            d.stop()
