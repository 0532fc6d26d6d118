"""Fuzz: mutated bundled cases either load or raise the package's own InputError, never anything
else; a sample of accepted mutants runs through the CLI with no traceback, exit 0/1/2 and one line on failure.

Property-based with Hypothesis, derandomized (fixed seed) and bounded (max_examples) so that it takes about
20 s in CI. The mutations are in tests/mutations.py; tests/fuzz/fuzz_cases.py runs the same at a larger scale.
"""
import os
import random
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fem_laminate import sizing
from fem_laminate.case import load_case
from fem_laminate.errors import InputError

from mutations import mutant

ROOT = Path(__file__).resolve().parents[1]
BASES = {p.stem: tomllib.loads(p.read_text()) for p in sorted((ROOT / "cases").glob("*.toml"))}
# quick to run: the patent rows (2D, about 1-3 s each); the curl and 3D cases take a minute
QUICK = sorted(n for n in BASES if n.split("_")[0] in ("example", "comparative", "preparation")
               and not n.endswith(("_curl", "_plate3d")))


def load_or_refuse(path: Path):
    """The property: load_case returns a Case or raises InputError (one line); nothing else escapes."""
    try:
        return load_case(path)
    except InputError as exc:
        assert "\n" not in str(exc), str(exc)[:300]
        assert len(str(exc)) < 3000
        return None


@settings(derandomize=True, database=None, max_examples=1200, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(rnd=st.randoms(use_true_random=False), name=st.sampled_from(sorted(BASES)))
def test_mutants_load_or_raise_input_error(tmp_path, rnd, name):
    path = tmp_path / "mutant.toml"
    path.write_bytes(mutant(rnd, BASES[name]))
    load_or_refuse(path)


def _small(case) -> bool:
    """Quick enough for CI: a 2D mesh of at most 20k DOFs and no curl sample."""
    m = case.spec.mesh
    if m.file or m.model == "plate3d" or any(s.kind == "curl" for s in case.steps):
        return False
    return sizing.mesh_dofs(m.model, len(case.full_stack().layers), m.nx, m.ny, m.n_per_layer, m.quadratic) < 20_000


def test_a_sample_of_accepted_mutants_runs_through_the_cli(tmp_path):
    r = random.Random(20261130)
    sample = []
    for i in range(400):
        if len(sample) == 3:
            break
        path = tmp_path / f"m{i}.toml"
        path.write_bytes(mutant(r, BASES[r.choice(QUICK)]))
        case = load_or_refuse(path)
        if case is not None and _small(case):
            sample.append(path)
    assert len(sample) == 3
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONPATH=str(ROOT), FEM_LAMINATE_LOG_DIR=str(tmp_path / "logs"))
    for k, path in enumerate(sample):
        res = subprocess.run([sys.executable, "-m", "fem_laminate.cli", "run", str(path), "--out",
                              str(tmp_path / f"out{k}"), "--quiet"], capture_output=True, text=True, timeout=120,
                             cwd=ROOT, env=env)
        assert "Traceback" not in res.stderr, res.stderr[-2000:]
        assert res.returncode in (0, 1, 2), res.stderr[-2000:]
        errors = [ln for ln in res.stderr.splitlines() if ln.strip() and not ln.startswith("note: ")]
        if res.returncode:
            assert len(errors) == 1 and errors[0].startswith("error: "), res.stderr[-2000:]
        else:
            assert (tmp_path / f"out{k}" / "summary.json").is_file()
