"""Security properties of the built program (docs/SECURITY.md): it links no function that
sets the clock, and it calls adjtimex only to read (the one call site passes modes = 0)."""

import os
import re
import subprocess

import peers

CW = os.path.join(peers.BUILD, "clockwatch")
SRC = os.path.join(peers.ROOT, "src")
SETTERS = ("settimeofday", "clock_settime", "stime", "clock_adjtime", "ntp_adjtime", "adjtime")


def test_no_clock_setter_linked():
    out = subprocess.run(["nm", "-D", "--undefined-only", CW], capture_output=True, text=True,
                         timeout=30, check=True).stdout
    used = {line.split()[-1].split("@")[0] for line in out.splitlines() if line.strip()}
    assert used, "nm listed nothing"
    assert "adjtimex" in used                         # it reads the kernel's state
    assert not used & set(SETTERS), used & set(SETTERS)


def test_adjtimex_only_reads():
    calls = []
    for name in os.listdir(SRC):
        if not name.endswith(".c"):
            continue
        with open(os.path.join(SRC, name)) as f:
            text = f.read()
        for m in re.finditer(r"\badjtimex\s*\(\s*&", text):    # calls, not comments
            calls.append((name, text[max(0, m.start() - 400):m.end() + 40]))
    assert [c[0] for c in calls] == ["probe_kernel.c"], calls
    ctx = calls[0][1]
    assert re.search(r"modes\s*=\s*0|memset\(\s*&\w+\s*,\s*0", ctx), ctx
    assert not re.search(r"modes\s*=\s*[^0\s]", ctx), ctx
