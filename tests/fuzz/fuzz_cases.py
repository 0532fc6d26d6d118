"""Fuzz the case loader and the CLI with mutated bundled cases; the larger sibling of
tests/test_cli_fuzz.py (minutes to an hour, not run by pytest).

Phase 1: N mutants (tests/mutations.py) are loaded with load_case: each either loads or raises InputError;
anything else is a crash (listed). Phase 2: a sample of the accepted mutants runs through
`python -m fem_laminate.cli run MUTANT --out DIR --quiet` with a timeout; counted by exit status, tracebacks on
stderr, multi-line stderr and runs over time. Prints the counts and writes them to report.txt in the folder of the
mutants (a new temporary folder); the reports of the recorded runs (seeds 11 and 12) are in tests/fuzz/fuzz_cases.txt.

    PYTHONPATH=. python tests/fuzz/fuzz_cases.py --n 1500 --cli 100 --timeout 100 --seed 11
"""
from __future__ import annotations

import argparse
import collections
import os
import random
import subprocess
import sys
import tempfile
import time
import tomllib
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from mutations import mutant  # noqa: E402

from fem_laminate.case import load_case  # noqa: E402
from fem_laminate.errors import InputError  # noqa: E402


def load_phase(n: int, seed: int, folder: Path):
    bases = {p.stem: tomllib.loads(p.read_text()) for p in sorted((ROOT / "cases").glob("*.toml"))}
    r = random.Random(seed)
    counts, crashes, accepted = collections.Counter(), {}, []
    for i in range(n):
        name = r.choice(sorted(bases))
        data = mutant(r, bases[name])
        f = folder / f"m{i:05d}_{name}.toml"
        f.write_bytes(data)
        try:
            load_case(f)
            counts["loaded"] += 1
            accepted.append(f)
        except InputError as exc:
            counts["refused"] += 1
            if "\n" in str(exc):
                counts["refused with a multi-line message"] += 1
        except Exception as exc:  # noqa: BLE001 - what this script looks for
            counts["crashed"] += 1
            crashes.setdefault(f"{type(exc).__name__}: {str(exc)[:120]}", (f, traceback.format_exc()[-800:]))
    return counts, crashes, accepted


def cli_phase(files, timeout: float, folder: Path):
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONPATH=str(ROOT), FEM_LAMINATE_LOG_DIR=str(folder / "logs"))
    counts, problems, seconds = collections.Counter(), [], []
    for k, f in enumerate(files):
        t0 = time.perf_counter()
        try:
            r = subprocess.run([sys.executable, "-m", "fem_laminate.cli", "run", str(f), "--out",
                                str(folder / f"out{k}"), "--quiet"], capture_output=True, text=True,
                               timeout=timeout, cwd=ROOT, env=env)
        except subprocess.TimeoutExpired:
            counts["over time"] += 1
            problems.append((f, f"over {timeout:g} s"))
            continue
        seconds.append(time.perf_counter() - t0)
        counts[{0: "ok", 1: "exit 1", 2: "exit 2"}.get(r.returncode, f"exit {r.returncode}")] += 1
        err = [ln for ln in r.stderr.splitlines() if ln.strip() and not ln.startswith("note: ")]
        if "Traceback" in r.stderr:
            counts["traceback"] += 1
            problems.append((f, r.stderr[-600:]))
        elif r.returncode != 0 and len(err) != 1:
            counts["multi-line stderr"] += 1
            problems.append((f, r.stderr[-600:]))
        elif r.returncode != 0:
            problems.append((f, err[0][:300]))
    return counts, problems, seconds


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1500, help="mutants to load")
    ap.add_argument("--cli", type=int, default=100, help="accepted mutants to run through the CLI")
    ap.add_argument("--timeout", type=float, default=100.0, help="seconds per CLI run")
    ap.add_argument("--seed", type=int, default=11)
    a = ap.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="fem_fuzz_"))
    t0 = time.perf_counter()
    counts, crashes, accepted = load_phase(a.n, a.seed, folder)
    lines = [f"fuzz_cases: seed {a.seed}, {a.n} mutants loaded in {time.perf_counter() - t0:.1f} s",
             "  load: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))]
    for msg, (f, tb) in crashes.items():
        lines.append(f"  CRASH {msg}  [{f.name}]")
    sample = random.Random(a.seed).sample(accepted, min(a.cli, len(accepted)))
    t1 = time.perf_counter()
    ccounts, problems, secs = cli_phase(sample, a.timeout, folder)
    lines.append(f"  cli ({len(sample)} accepted mutants, {time.perf_counter() - t1:.0f} s, longest "
                 f"{max(secs, default=0):.1f} s): " + ", ".join(f"{k} {v}" for k, v in sorted(ccounts.items())))
    for f, what in problems:
        lines.append(f"    {f.name}: {' '.join(what.split())[:300]}")
    lines.append(f"  files in {folder}")
    text = "\n".join(lines)
    print(text)
    (folder / "report.txt").write_text(text + "\n")
    return 1 if crashes or ccounts.get("traceback") or ccounts.get("multi-line stderr") else 0


if __name__ == "__main__":
    sys.exit(main())
