"""Issue 11: no run destroys data, every failure is one line, summary.json is strict JSON and reproducible.

Output folders (post/folder.py), the CLI's error mapping (cli._guarded), strict JSON (post/output.write_json) and
determinism (timing in timing.json). Cases here are tiny (a few hundred DOFs) so each test takes about a second.
"""
import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from fem_laminate import cli, job
from fem_laminate.post.folder import MARKER

ROOT = Path(__file__).resolve().parents[2]

TINY = """
name = "tiny"
[[layers]]
material = "copper_ed"
thickness_um = 35
[[layers]]
material = "pi_I"
thickness_um = 24
[mesh]
model = "generalized_plane_strain"
nx = 8
n_per_layer = 1
[[steps]]
kind = "cool"
from_C = 350
to_C = 25
"""


def strict_loads(text: str):
    """json.loads that refuses NaN and +-Infinity (as a strict parser in another language would)."""
    def no_constant(name):
        raise ValueError(f"non-finite JSON constant {name}")
    return json.loads(text, parse_constant=no_constant)


@pytest.fixture
def tiny(tmp_path):
    p = tmp_path / "tiny.toml"
    p.write_text(TINY)
    return p


def run_cli(*args, env=None):
    """The real command line in a subprocess: what a user sees on stderr."""
    e = dict(os.environ, MPLBACKEND="Agg", PYTHONPATH=str(ROOT))
    e.update(env or {})
    return subprocess.run([sys.executable, "-m", "fem_laminate.cli", *map(str, args)], capture_output=True,
                          text=True, cwd=ROOT, env=e, timeout=120)


def invoke(*args):
    """The command line in this process (quicker); returns click's Result (exit_code, stdout, stderr)."""
    return CliRunner().invoke(cli.main, [str(a) for a in args])


def one_line_error(stderr: str) -> str:
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


@pytest.fixture
def no_compute(monkeypatch):
    """Any simulation started is a test failure: the refusal must come before computing."""
    def boom(*a, **k):
        raise AssertionError("simulate was called")
    monkeypatch.setattr(job, "simulate", boom)


# -- output folders ----------------------------------------------------------------------------------------
def test_folder_with_a_users_file_is_refused_and_the_file_kept(tiny, tmp_path, no_compute):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.txt").write_text("three years of work")
    r = invoke("run", tiny, "--out", out, "--quiet")
    assert r.exit_code == 2
    line = one_line_error(r.stderr)
    assert "did not write" in line and "--overwrite" in line
    assert (out / "thesis.txt").read_text() == "three years of work"
    assert sorted(p.name for p in out.iterdir()) == ["thesis.txt"]
    assert not list(tmp_path.glob(".mine.*"))


def test_read_only_folder_is_refused_and_its_permissions_kept(tiny, tmp_path, no_compute):
    for name, files in (("ro_full", True), ("ro_empty", False)):
        out = tmp_path / name
        out.mkdir()
        if files:
            (out / "data.csv").write_text("1,2\n")
        os.chmod(out, 0o555)
        try:
            r = invoke("run", tiny, "--out", out, "--quiet")
            assert r.exit_code == 2
            one_line_error(r.stderr)
            assert stat.S_IMODE(out.stat().st_mode) == 0o555
            assert [p.name for p in out.iterdir()] == (["data.csv"] if files else [])
        finally:
            os.chmod(out, 0o755)


def test_overwrite_replaces_a_users_folder(tiny, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "old.txt").write_text("x")
    r = invoke("run", tiny, "--out", out, "--quiet", "--overwrite")
    assert r.exit_code == 0, r.stderr
    assert not (out / "old.txt").exists()
    assert (out / "summary.json").is_file() and (out / MARKER).is_file()


def test_rerun_into_our_own_folder_succeeds_and_leaves_no_scratch(tiny, tmp_path):
    out = tmp_path / "res"
    for _ in range(2):
        r = invoke("run", tiny, "--out", out, "--quiet")
        assert r.exit_code == 0, r.stderr
    assert (out / "summary.json").is_file() and (out / MARKER).is_file()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_stale_scratch_of_ours_is_cleaned_a_foreign_one_is_left(tiny, tmp_path):
    out = tmp_path / "res"
    ours = tmp_path / ".res.tmp-killed1"  # what a kill -9 leaves: marker, summary, no PNG
    ours.mkdir()
    (ours / MARKER).write_text("")
    (ours / "summary.json").write_text("{}")
    foreign = tmp_path / ".res.tmp-users"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("not ours")
    r = invoke("run", tiny, "--out", out, "--quiet")
    assert r.exit_code == 0, r.stderr
    assert not ours.exists()
    assert (foreign / "keep.txt").read_text() == "not ours"


@pytest.mark.skipif(sys.platform != "linux", reason="/proc and mode bits as on Linux")
def test_unwritable_output_locations_fail_in_one_line_before_computing(tiny, tmp_path, no_compute):
    parent = tmp_path / "locked"
    parent.mkdir()
    os.chmod(parent, 0o555)
    try:
        for out in (parent / "res", Path("/proc/fem_laminate_x"), tiny):
            r = invoke("run", tiny, "--out", out, "--quiet")
            assert r.exit_code == 2, (out, r.stderr)
            assert "--out" in one_line_error(r.stderr)
    finally:
        os.chmod(parent, 0o755)
    assert list(parent.iterdir()) == []


def test_output_location_refused_before_computing_in_the_real_cli(tmp_path):
    """The subprocess sees exactly one line on stderr and no traceback (the case would take seconds to run)."""
    t0 = time.perf_counter()
    r = run_cli("run", ROOT / "cases" / "example_1.toml", "--out", "/proc/fem_laminate_x", "--quiet")
    assert r.returncode == 2
    assert "/proc/fem_laminate_x" in one_line_error(r.stderr)
    assert time.perf_counter() - t0 < 30


def test_a_flat_result_runs_and_an_undefined_radius_reports_n_a(tmp_path):
    """Cu 35 + Cu 12, cooled: no mismatch. The run ends with exit 0 and a strict summary; an exactly zero
    curvature (radius None) is printed as n/a by the report instead of crashing it."""
    case = tmp_path / "flat.toml"
    case.write_text(TINY.replace('material = "pi_I"\nthickness_um = 24', 'material = "copper_ed"\nthickness_um = 12'))
    r = invoke("run", case, "--out", tmp_path / "flat", "--quiet")
    assert r.exit_code == 0, r.stderr
    s = strict_loads((tmp_path / "flat" / "summary.json").read_text())
    assert abs(s["curl"]["curvature_1_per_m"]) < 1e-6
    s["curl"].update(curvature_1_per_m=0.0, radius_mm=None)
    s["film"] = {"cte_per_K": None, "from_C": 100, "to_C": 250}
    text = cli.report(s, tmp_path / "flat")
    assert "radius n/a" in text and "film CTE   n/a" in text


def test_unexpected_failure_is_one_line_with_a_log(tiny, tmp_path, monkeypatch):
    """A failure inside a valid run: exit 1, one line naming the log, the traceback only in the log."""
    def boom(*a, **k):
        raise RuntimeError("solver blew up")
    monkeypatch.setattr(job, "simulate", boom)
    monkeypatch.setenv(cli.LOG_ENV, str(tmp_path / "logs"))
    out = tmp_path / "res"
    r = invoke("run", tiny, "--out", out, "--quiet")
    assert r.exit_code == 1
    line = one_line_error(r.stderr)
    assert "solver blew up" in line and str(tmp_path / "logs") in line
    logs = list((tmp_path / "logs").glob("*.log"))
    assert len(logs) == 1 and "Traceback" in logs[0].read_text()
    assert not out.exists() and [p for p in tmp_path.iterdir() if p.name.startswith(".")] == []


# -- strict JSON and determinism ---------------------------------------------------------------------------
def test_summary_is_strict_json_and_byte_identical_across_runs(tiny, tmp_path):
    """Two runs of one case into two folders: identical summary.json bytes (timing.json holds the clock)."""
    a, b = tmp_path / "a", tmp_path / "b"
    for out in (a, b):
        r = invoke("run", tiny, "--out", out, "--quiet")
        assert r.exit_code == 0, r.stderr
    sa, sb = (a / "summary.json").read_bytes(), (b / "summary.json").read_bytes()
    assert sa == sb
    s = strict_loads(sa.decode())
    assert "total_s" not in json.dumps(s) and "seconds" not in json.dumps(s)
    assert strict_loads((a / "timing.json").read_text())["total_s"] > 0


def test_determinism_of_a_bundled_case(tmp_path):
    """Example 1 (cure, bond with the nip, solder float, JIS, etch, TMA) twice: byte-identical summaries."""
    outs = [tmp_path / "r1", tmp_path / "r2"]
    for out in outs:
        job.run_case(ROOT / "cases" / "example_1.toml", out)
    assert (outs[0] / "summary.json").read_bytes() == (outs[1] / "summary.json").read_bytes()


@pytest.mark.parametrize("name", ["example_1_external_mesh", "comparative_1"])
def test_bundled_case_summary_parses_strictly(name, tmp_path):
    """The patent rows are parsed strictly in tests/studies/test_validate.py (one run of every row); these are the others
    that run in seconds. example_1_curl (large-deflection samples, about a minute) and example_1_plate3d
    (3D, tens of seconds) are left to benchmarks/bench_cases.py."""
    job.run_case(ROOT / "cases" / f"{name}.toml", tmp_path / "o")
    text = (tmp_path / "o" / "summary.json").read_text()
    assert "Infinity" not in text and "NaN" not in text
    strict_loads(text)
