"""Runs never kill each other: a run locks its output folder (post/folder.FolderLock) for its whole length.

Two real processes run into the same folder: the second is refused in one line (exit 2) naming the first, or
waits for it (--wait); the first always finishes. Scratch folders are removed only when their owner is gone.
"""
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fem_laminate.post.folder import MARKER, OWNER, FolderLock, locked

from test_output_folder import ROOT, TINY, invoke, one_line_error

# Preparation example 1 on a finer mesh than the bundled one: ~5 s of computing after ~2 s of imports, long
# enough for a second process to start while the first holds the lock
SLOW = (ROOT / "cases" / "preparation_1.toml").read_text().replace("nx = 60", "nx = 400").replace(
    "n_per_layer = 2", "n_per_layer = 4")


def cli(*args) -> list[str]:
    return [sys.executable, "-m", "fem_laminate.cli", *map(str, args)]


ENV = dict(os.environ, MPLBACKEND="Agg", PYTHONPATH=str(ROOT))


def start(*args) -> subprocess.Popen:
    return subprocess.Popen(cli(*args), cwd=ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def run(*args, timeout=180) -> subprocess.CompletedProcess:
    return subprocess.run(cli(*args), cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=timeout)


def lock_of(out: Path) -> Path:
    return out.parent / f".{out.name}.lock"


def wait_for_lock(out: Path, proc: subprocess.Popen, timeout: float = 120.0) -> dict:
    """The owner record the running process wrote into its lock file."""
    t_end = time.monotonic() + timeout
    while time.monotonic() < t_end:
        assert proc.poll() is None, proc.communicate()
        try:
            return json.loads(lock_of(out).read_text())
        except (OSError, ValueError):
            time.sleep(0.05)
    raise AssertionError("the first run never took its lock")


def assert_complete(out: Path) -> None:
    names = {p.name for p in out.iterdir()}
    assert {MARKER, "summary.json", "timing.json", "process.pvd", "stress_through_thickness.png"} <= names, names
    assert OWNER not in names  # the machine and the moment stay out of the output
    json.loads((out / "summary.json").read_text())
    assert [p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}")] == []  # no scratch, no lock


@pytest.fixture
def slow(tmp_path):
    p = tmp_path / "slow.toml"
    p.write_text(SLOW)
    return p


@pytest.fixture
def tiny(tmp_path):
    p = tmp_path / "tiny.toml"
    p.write_text(TINY)
    return p


def test_a_second_run_into_a_live_folder_is_refused_and_the_first_finishes(slow, tmp_path):
    out = tmp_path / "res"
    first = start("run", slow, "--out", out, "--quiet")
    try:
        owner = wait_for_lock(out, first)
        assert owner["pid"] == first.pid and owner["host"] == socket.gethostname()
        second = run("run", slow, "--out", out, "--quiet")
        assert first.poll() is None, "the first run ended before the second was refused: use a slower case"
        assert second.returncode == 2
        line = one_line_error(second.stderr)
        assert line.startswith(f"error: --out {out}: another fem-laminate run (pid {first.pid} on host ")
        assert "--wait" in line
        assert second.stdout == ""
        _, err = first.communicate(timeout=180)
    finally:
        first.kill()
        first.wait()
    assert first.returncode == 0, err
    assert err == ""
    assert_complete(out)


def test_with_wait_the_second_run_waits_then_succeeds(slow, tmp_path):
    out = tmp_path / "res"
    first = start("run", slow, "--out", out, "--quiet")
    try:
        wait_for_lock(out, first)
        second = run("run", slow, "--out", out, "--quiet", "--wait")
        assert first.wait(timeout=180) == 0, first.communicate()
    finally:
        first.kill()
        first.wait()
    assert second.returncode == 0, second.stderr
    lines = second.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"note: --out {out}: waiting for another fem-laminate run "
                                                   f"(pid {first.pid} on host "), second.stderr
    assert_complete(out)


HOLD = """
import sys, time
from fem_laminate.post.folder import FolderLock
lock = FolderLock(sys.argv[1])
lock.acquire()
print("locked", flush=True)
time.sleep(600)
"""


@pytest.fixture
def holder(tmp_path):
    """Another process holding the lock on tmp_path/res until it is killed."""
    out = tmp_path / "res"
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(out)], cwd=ROOT, env=ENV, stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout.readline().strip() == "locked"
    yield out, proc
    proc.kill()
    proc.wait()


def test_the_lock_of_a_killed_process_is_free_at_once(tiny, holder):
    out, proc = holder
    r = invoke("run", tiny, "--out", out, "--quiet")
    assert r.exit_code == 2 and f"pid {proc.pid} " in one_line_error(r.stderr)
    proc.kill()  # kill -9: no clean-up of its own; the OS releases the lock
    proc.wait()
    r = invoke("run", tiny, "--out", out, "--quiet")
    assert r.exit_code == 0, r.stderr
    assert_complete(out)


def test_waiting_gives_up_after_the_timeout_in_one_line(tiny, holder):
    out, proc = holder
    t0 = time.monotonic()
    r = invoke("run", tiny, "--out", out, "--quiet", "--wait-timeout-s", "1")
    assert r.exit_code == 2
    note, error = r.stderr.splitlines()
    assert note.startswith(f"note: --out {out}: waiting for another fem-laminate run (pid {proc.pid} ")
    assert error.startswith(f"error: --out {out}: another fem-laminate run (pid {proc.pid} ")
    assert "after 1 s of waiting" in error
    assert 1.0 <= time.monotonic() - t0 < 20
    assert not out.exists()


def test_every_command_that_writes_a_folder_is_refused_while_it_is_locked(tiny, holder, tmp_path):
    out, proc = holder
    spec = tmp_path / "spec.toml"
    spec.write_text(f'base = "{tiny}"\n[grid]\n"layers.1.thickness_um" = [20, 24]\n')
    for args in (("validate", "--out", out), ("window", ROOT / "cases" / "example_1.toml", "--out", out),
                 ("sweep", spec, "--out", out, "--workers", "0")):
        r = invoke(*args)
        assert r.exit_code == 2, (args, r.output)
        assert f"another fem-laminate run (pid {proc.pid} " in one_line_error(r.stderr), args
    assert not out.exists()


def test_bench_locks_its_json_file(tmp_path):
    target = tmp_path / "bench.json"
    with locked(target, "--json"):
        r = invoke("bench", "--sizes", "200", "--dims", "2", "--no-skfem", "--json", target)
    assert r.exit_code == 2
    line = one_line_error(r.stderr)
    assert line.startswith(f"error: --json {target}: another fem-laminate run (pid {os.getpid()} ")
    assert "writing this file" in line


def scratch(parent: Path, name: str, owner: dict | None) -> Path:
    d = parent / f".res.tmp-{name}"
    d.mkdir()
    (d / MARKER).write_text("")
    (d / "summary.json").write_text("{}")
    if owner is not None:
        (d / OWNER).write_text(json.dumps(owner))
    return d


def test_a_stale_scratch_whose_owner_is_dead_is_removed_a_live_ones_is_kept(tiny, tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # reaped: its pid is free
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    host = socket.gethostname()
    try:
        gone = scratch(tmp_path, "dead", {"pid": dead.pid, "host": host, "started": "earlier"})
        unrecorded = scratch(tmp_path, "noowner", None)
        running = scratch(tmp_path, "live", {"pid": live.pid, "host": host, "started": "now"})
        elsewhere = scratch(tmp_path, "remote", {"pid": dead.pid, "host": host + "-other", "started": "now"})
        r = invoke("run", tiny, "--out", tmp_path / "res", "--quiet")
        assert r.exit_code == 0, r.stderr
    finally:
        live.kill()
        live.wait()
    assert not gone.exists() and not unrecorded.exists()
    assert (running / "summary.json").exists()  # its pid is alive: never removed under a running process
    assert (elsewhere / "summary.json").exists()  # another host's pid cannot be checked from here
    assert (tmp_path / "res" / "summary.json").is_file()


def test_the_lock_is_exclusive_within_a_process_and_its_file_goes_on_release(tmp_path):
    target = tmp_path / "res"
    a, b = FolderLock(target), FolderLock(target)
    a.acquire()
    with pytest.raises(Exception, match=f"pid {os.getpid()} on host"):
        b.acquire()
    a.release()
    assert not a.path.exists()
    b.acquire()
    assert json.loads(b.path.read_text())["pid"] == os.getpid()
    b.release()
    assert list(tmp_path.iterdir()) == []
