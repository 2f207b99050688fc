"""The agent's store (src/hist.c) under kill -9, a full disk and a read-only file system, and read
by a user who may not write the state directory. Driven through tests/harness/cw_hist_writer.c,
which commits checks with one event each and prints "acked SEQ" after each commit returns; the
database is then inspected with the sqlite3 shell, not through hist.c.

What must hold after any crash: PRAGMA integrity_check says ok; the events are numbered 1..K with
no gap and no repeat; every event has its check row and every check its event; the stored alarm
state's last_seq is K; every acknowledged event is there, and at most the one commit in flight
beyond it. Randomised: the seed is printed, and CW_SEED=... repeats a run."""

import os
import random
import re
import shutil
import signal
import subprocess
import tempfile
import time

import pytest

import peers

WRITER = os.path.join(peers.BUILD, "cw-hist-writer")
KILLS = 20
NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]

root_only = pytest.mark.skipif(os.geteuid() != 0, reason="needs root (mounts, setpriv)")


@pytest.fixture
def store():
    """A directory everyone may enter (for the unprivileged reader), removed afterwards."""
    d = tempfile.mkdtemp(prefix="cw-hist-")
    os.chmod(d, 0o755)
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


def sql(dbdir, query):
    p = subprocess.run(["sqlite3", "-batch", os.path.join(dbdir, "clockwatch.db"), query],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    return p.stdout.strip()


def run_writer(dbdir, n, *extra, timeout=120, argv_prefix=()):
    p = subprocess.run(list(argv_prefix) + [WRITER, dbdir, str(n)] + [str(x) for x in extra],
                       capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout


def parse(out):
    """The writer's start value and the seqs it acknowledged, from its stdout."""
    start = None
    acked = []
    for line in out.splitlines():
        w = line.split()
        if w[:1] == ["start"]:
            start = int(w[1])
        elif w[:1] == ["acked"]:
            acked.append(int(w[1]))
        elif w[:1] == ["mismatch"]:
            pytest.fail("writer: " + line)
    return start, acked


def assert_whole(dbdir):
    """The invariants of a store after any crash; returns K, the number of events."""
    assert sql(dbdir, "PRAGMA integrity_check") == "ok"
    n, lo, hi, distinct = map(int, sql(
        dbdir, "SELECT count(*), IFNULL(min(seq), 1), IFNULL(max(seq), 0), count(DISTINCT seq)"
        " FROM events").split("|"))
    assert (n, distinct) == (hi, hi) and lo == 1, "events not 1..K: %d rows, %d..%d" % (n, lo, hi)
    checks = int(sql(dbdir, "SELECT count(*) FROM checks"))
    paired = int(sql(dbdir, "SELECT count(*) FROM events e JOIN checks c ON c.real_ns = e.seq"
                     " AND c.real_ns = e.real_ns"))
    assert checks == n and paired == n, "%d events, %d checks, %d paired" % (n, checks, paired)
    if n:
        assert int(sql(dbdir, "SELECT last_seq FROM alarm")) == n
        assert sql(dbdir, "SELECT text FROM alarm") == "state %d" % n
    return n


def test_kill9_neither_loses_nor_repeats(store):
    seed = int(os.environ.get("CW_SEED", random.randrange(1 << 32)))
    print("seed", seed)
    rng = random.Random(seed)
    stored = 0
    mid_run = 0
    for i in range(KILLS):
        p = subprocess.Popen([WRITER, store, "1000000", str(rng.choice([0, 100, 500]))],
                             stdout=subprocess.PIPE, text=True)
        # Early kills land in open and, the first time, in the schema's creation.
        time.sleep(rng.choice([0.0, 0.002, 0.01]) if i < 4 else rng.uniform(0.01, 0.25))
        p.send_signal(signal.SIGKILL)
        out, _ = p.communicate(timeout=30)
        assert p.returncode == -signal.SIGKILL, out[-500:]
        start, acked = parse(out)
        if start is not None:
            assert start == stored, "restart %d reloaded last_seq %d, store had %d" % (
                i, start, stored)
        if not os.path.exists(os.path.join(store, "clockwatch.db")):
            continue
        if sql(store, "PRAGMA user_version") == "0":
            assert stored == 0  # killed before the schema's transaction committed
            continue
        now = assert_whole(store)
        last_acked = acked[-1] if acked else stored
        assert last_acked <= now <= last_acked + 1, \
            "run %d: acked up to %d, store holds %d" % (i, last_acked, now)
        mid_run += bool(acked)
        stored = now
    print("%d kills, %d while committing, %d events" % (KILLS, mid_run, stored))
    assert mid_run >= KILLS // 2, "only %d of %d kills landed while committing" % (mid_run, KILLS)
    assert stored >= 50

    rc, out = run_writer(store, 5)
    start, acked = parse(out)
    assert rc == 0 and "done acked 5 errors 0" in out, out
    assert start == stored and acked == list(range(stored + 1, stored + 6))
    assert assert_whole(store) == stored + 5


def test_commit_rate(store):
    """Not a pass/fail budget: prints commits per second (synchronous=FULL) for the record."""
    rc, out = run_writer(store, 500, 100)
    assert rc == 0, out
    m = re.search(r"done acked 500 errors 0 seconds ([0-9.]+)", out)
    assert m, out
    print("%.0f commits/s" % (500 / max(float(m.group(1)), 1e-6)))
    assert assert_whole(store) == 500


def in_tmpfs(store, size, script):
    """Runs a shell script with $D a fresh tmpfs of the given size, mounted in a private mount
    namespace (gone when the script ends); $W is the writer."""
    if shutil.which("unshare") is None:
        pytest.skip("no unshare")
    p = subprocess.run(["unshare", "-m", "sh", "-c",
                        'mount -t tmpfs -o size=%s,mode=0755 cw-hist "$D" || exit 99\n' % size
                        + script],
                       env=dict(os.environ, D=store, W=WRITER), capture_output=True, text=True,
                       timeout=120)
    if p.returncode == 99:
        pytest.skip("cannot mount a tmpfs here: " + p.stderr.strip())
    return p


@root_only
def test_disk_full_is_an_error_not_a_crash(store):
    """A 256 KiB file system fills up: commits fail with -ENOSPC and the writer goes on; the store
    stays whole; with room again, numbering continues where the acknowledged events end."""
    p = in_tmpfs(store, "256k", """
        "$W" "$D" 3000 400 > "$D.out1"; echo "rc1 $?"
        mount -o remount,size=16m "$D"
        sqlite3 -batch "$D/clockwatch.db" "PRAGMA integrity_check;
            SELECT count(*) || ' ' || IFNULL(max(seq), 0) FROM events;
            SELECT count(*) FROM checks; SELECT last_seq FROM alarm"
        "$W" "$D" 5 > "$D.out2"; echo "rc2 $?"
        sqlite3 -batch "$D/clockwatch.db" "PRAGMA integrity_check;
            SELECT count(*) || ' ' || IFNULL(max(seq), 0) FROM events"
    """)
    try:
        out1 = open(store + ".out1").read()
        out2 = open(store + ".out2").read()
    finally:
        for f in (store + ".out1", store + ".out2"):
            if os.path.exists(f):
                os.unlink(f)
    lines = p.stdout.split("\n")
    assert lines[0] == "rc1 0", p.stdout + p.stderr + out1[-2000:]
    _, acked = parse(out1)
    errors = [l for l in out1.splitlines() if l.startswith("error ")]
    assert acked and errors, out1[-2000:]
    assert all(l.startswith("error -28 ") and "full" in l for l in errors), errors[:5]
    k = acked[-1]
    assert acked == list(range(1, k + 1))
    assert lines[1:5] == ["ok", "%d %d" % (k, k), str(k), str(k)], p.stdout
    assert lines[5] == "rc2 0", p.stdout + out2
    start, acked2 = parse(out2)
    assert start == k and acked2 == list(range(k + 1, k + 6)), out2
    assert lines[6:8] == ["ok", "%d %d" % (k + 5, k + 5)], p.stdout


@root_only
def test_read_only_file_system(store):
    """On a file system remounted read-only the writer's open fails with -EROFS and says so;
    a reader still reads."""
    p = in_tmpfs(store, "4m", """
        "$W" "$D" 3 | tail -n 1
        mount -o remount,ro "$D"
        "$W" "$D" 3; echo "rc $?"
        "$W" --read "$D"
    """)
    lines = p.stdout.strip().split("\n")
    assert lines[0].startswith("done acked 3 errors 0"), p.stdout + p.stderr
    assert re.match(r"open-error -30 .*clockwatch\.db: ", lines[1]), lines
    assert lines[2] == "rc 1", lines
    assert lines[3] == "last_seq 3 events 3 newest 3", lines


@root_only
def test_unprivileged_reader(store):
    """A user who may not write the state directory reads the store while the writer runs, after
    it stopped, and after it was killed; and leaves no file of its own behind."""
    def read_as_nobody(writing=False):
        p = subprocess.run(NOBODY + [WRITER, "--read", store], capture_output=True, text=True,
                           timeout=30)
        assert p.returncode == 0, p.stdout + p.stderr
        m = re.match(r"last_seq (\d+) events \d+ newest (\d+)$", p.stdout.strip())
        assert m, p.stdout
        # The state and the events are two reads; a commit may land between them.
        last, newest = int(m.group(1)), int(m.group(2))
        assert last <= newest if writing else last == newest, p.stdout
        return newest

    rc, out = run_writer(store, 10)
    assert rc == 0, out
    assert read_as_nobody() == 10  # stopped cleanly
    w = subprocess.Popen([WRITER, store, "1000000"], stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        seen = [read_as_nobody(True)]
        while time.monotonic() < deadline and len(set(seen)) < 3:
            seen.append(read_as_nobody(True))
        assert len(set(seen)) >= 3 and seen == sorted(seen), seen  # sees commits as they come
    finally:
        w.kill()
        w.wait(timeout=30)
    assert read_as_nobody() == assert_whole(store)  # killed
    owners = {os.stat(os.path.join(store, f)).st_uid for f in os.listdir(store)}
    assert owners == {0}, owners
