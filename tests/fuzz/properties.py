"""The larger run of tests/properties/test_accepted_space.py: N perturbed patent rows drawn with the same
perturbations (one to three fields inside the schema's ranges), each run and checked against the same physical
bounds. Prints the counts (refused at load, ran within bounds, outside a bound, crashed) with the perturbations
of every case that broke a property, and writes them to properties.txt in the given folder (default: a new
temporary folder); the recorded run is tests/fuzz/properties.txt.

    PYTHONPATH=. python tests/fuzz/properties.py --n 60 --seed 3 [--out DIR]
"""
from __future__ import annotations

import argparse
import collections
import math
import random
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from fem_laminate.case import load_case_dict  # noqa: E402
from fem_laminate.errors import InputError  # noqa: E402
from fem_laminate.job import simulate  # noqa: E402
from tests.properties.test_accepted_space import BASES, PERTURBATIONS, _base, check_physical_bounds  # noqa: E402


def draw(rnd: random.Random):
    d = _base(rnd.choice(BASES))
    changed = {}
    for k in rnd.sample(sorted(PERTURBATIONS), rnd.randint(1, 3)):
        setter, lo, hi, log = PERTURBATIONS[k]
        u = rnd.random()
        v = math.exp(math.log(max(lo, 1e-9)) + u * (math.log(hi) - math.log(max(lo, 1e-9)))) if log else lo + u * (hi - lo)
        setter(d, v)
        changed[k] = round(v, 6)
    return d, changed


def main(n: int, seed: int, out: Path) -> str:
    rnd = random.Random(seed)
    counts, broken, t0 = collections.Counter(), [], time.perf_counter()
    for i in range(n):
        d, changed = draw(rnd)
        try:
            case = load_case_dict(d, "perturbed.toml")
        except InputError:
            counts["refused at load (one line)"] += 1
            continue
        try:
            _, _, s = simulate(case)
        except Exception as exc:  # noqa: BLE001  (a run that fails is what this looks for)
            counts["run failed"] += 1
            broken.append((d["name"], changed, f"{type(exc).__name__}: {exc}"[:300]))
            continue
        try:
            check_physical_bounds(s)
            counts["ran, within bounds"] += 1
        except AssertionError as exc:
            counts["outside a bound"] += 1
            broken.append((d["name"], changed, str(exc)[:300] or traceback.format_exc(limit=1)))
    lines = [f"{n} perturbed cases, seed {seed}, {time.perf_counter() - t0:.0f} s"]
    lines += [f"  {k}: {v}" for k, v in sorted(counts.items())]
    lines += [f"  - {name} {changed}: {why}" for name, changed, why in broken]
    text = "\n".join(lines) + "\n"
    out.mkdir(parents=True, exist_ok=True)
    (out / "properties.txt").write_text(text)
    return text


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=60)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--out", type=Path, default=None)
    a = ap.parse_args()
    print(main(a.n, a.seed, a.out or Path(tempfile.mkdtemp(prefix="properties-"))), end="")
