"""stderr carries only `note:` lines and the one error line: warnings become notes, progress bars need a terminal.

The real command line runs in subprocesses (stderr is a pipe there, as in a log or a CI job).
"""
import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
from click.testing import CliRunner

from fem_laminate import cli, job
from fem_laminate.errors import InputError

ROOT = Path(__file__).resolve().parents[1]

# peeling the roll-bonded 0.1 um foil with a given toughness above the cast interface's: the crack runs along the
# cast copper, with no polymer beneath it (a rigid base under a rigid law); this printed NumPy's "invalid value
# encountered in multiply" from the zone beam and then failed with ZeroDivisionError
THIN_FOIL_PEEL = """
name = "thin foil peel"
[[layers]]
material = "copper_ed"
thickness_um = 35
[[layers]]
material = "pi_I"
thickness_um = 24
[[layers]]
material = "copper_ed"
thickness_um = 0.1
[mesh]
model = "generalized_plane_strain"
nx = 8
n_per_layer = 1
[[steps]]
kind = "cool"
from_C = 350
to_C = 25
[[steps]]
kind = "peel"
angle_deg = 180
interface_toughness_J_per_m2 = 500
[interfaces."copper_ed|pi_I"]
cast_toughness_J_per_m2 = 150   # the cast interface opens first: its arm (pi_I + foil) on the rigid base foil
"""


def run_cli(*args):
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "fem_laminate.cli", *map(str, args)], capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=300)


def only_notes(stderr: str, errors: int = 0) -> list[str]:
    lines = stderr.splitlines()
    assert "Traceback" not in stderr and "Warning:" not in stderr, stderr
    assert sum(not ln.startswith("note: ") for ln in lines) == errors, stderr
    assert all(ln.startswith(("note: ", "error: ")) for ln in lines), stderr
    return lines


def test_warnings_of_a_command_become_one_note_each_before_the_error_line(monkeypatch):
    def warns_then_fails(*a, **k):
        for _ in range(3):  # the same warning from the same place: one note
            np.array([0.0]) * np.array([np.inf])
        np.log(np.array([0.0]))
        warnings.warn("a library's advice", UserWarning)
        raise InputError("bad.toml: field 'x' = 1 is not allowed")

    monkeypatch.setattr(job, "run_case", warns_then_fails)
    r = CliRunner().invoke(cli.main, ["run", str(ROOT / "cases" / "example_1.toml")])
    assert r.exit_code == 2
    lines = only_notes(r.stderr, errors=1)
    assert len(lines) == 4, r.stderr
    assert lines[0].startswith("note: RuntimeWarning in test_cli_stderr.py:")  # outside the package: file name
    assert lines[0].endswith(": invalid value encountered in multiply")
    assert lines[1].endswith(": divide by zero encountered in log")
    assert lines[2].startswith("note: UserWarning in test_cli_stderr.py:") and lines[2].endswith(": a library's advice")
    assert lines[3] == "error: bad.toml: field 'x' = 1 is not allowed"


def test_warning_places_in_the_package_are_named_from_its_root():
    where = cli._where(str(ROOT / "fem_laminate" / "analytic" / "peel_zone.py"), 79)
    assert where == "fem_laminate/analytic/peel_zone.py:79"
    assert cli._where("/usr/lib/python3/site-packages/numpy/core/_methods.py", 3) == "_methods.py:3"


def test_a_thin_foil_peel_runs_with_nothing_but_notes_on_stderr(tmp_path):
    case = tmp_path / "thin.toml"
    case.write_text(THIN_FOIL_PEEL)
    r = run_cli("run", case, "--out", tmp_path / "out")
    assert r.returncode == 0, r.stderr
    only_notes(r.stderr)
    peel = json.loads((tmp_path / "out" / "summary.json").read_text())["peel"]
    assert peel["failing_layers"] == "cu_foil/pi_I" and peel["failing_interface"] == "copper_ed|pi_I"
    assert peel["force_N_per_mm"] > 0.0
    assert peel["root_model"] == "cohesive_elastic"
    assert any("rigid foundation and rigid cohesive law" in n for n in peel["notes"])


def test_a_perfectly_plastic_copper_and_no_progress_bar_when_stderr_is_a_pipe(tmp_path):
    """No --quiet: the progress bar would be drawn on a terminal; on a pipe stderr holds only notes (the closed-form
    peel of the perfectly plastic arm is out of its range: null with its notes; the FEM it would switch to under
    "auto" is tested in tests/process/test_peel_range.py)."""
    case = tmp_path / "h0.toml"
    text = (ROOT / "cases" / "example_1.toml").read_text().replace("nx = 60", "nx = 16")
    text = text.replace('method = "auto"', 'method = "analytic"')
    assert 'method = "analytic"' in text
    case.write_text(text + '\n[materials.copper_ed]\nbase = "copper_ed"\nhardening_MPa = 0\n')
    r = run_cli("run", case, "--out", tmp_path / "out")
    assert r.returncode == 0, r.stderr
    only_notes(r.stderr)
    assert "\r" not in r.stderr and "step/s" not in r.stderr


def test_progress_is_drawn_only_on_a_terminal(monkeypatch):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    assert not cli._progress()
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    assert cli._progress() and not cli._progress(quiet=True)
