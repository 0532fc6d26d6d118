"""Adaptive time stepping of the viscoelastic chain: Comparative example 3 (30 um thermoplastic PI II on Cu,
the thickest relaxing layer of the patent) with the shift-factor limit per increment halved three times.

Regenerates the fixture tests/data/visco_step_convergence.json (about 15 s; read by
tests/studies/test_convergence_fixtures.py):

    PYTHONPATH=. python -m tests.studies.regenerate.visco_step_convergence [--out FILE]
"""
import json
import time
from pathlib import Path

import fem_laminate.physics.laws.viscoelastic as ve
from fem_laminate.case import load_case
from fem_laminate.job import simulate

ROOT = Path(__file__).resolve().parents[3]
FIXTURE = ROOT / "tests" / "data" / "visco_step_convergence.json"
DECADES = (0.125, 0.25, 0.5, 1.0, 2.0)


def row(decades: float) -> dict:
    """Comparative 3 with the shift-factor limit per increment set to `decades` (restored afterwards)."""
    saved = ve.MAX_DECADES_PER_INCREMENT
    ve.MAX_DECADES_PER_INCREMENT = decades
    try:
        t0 = time.process_time()
        state, _, s = simulate(load_case(ROOT / "cases" / "comparative_3.toml"))
    finally:
        ve.MAX_DECADES_PER_INCREMENT = saved
    return {"max_decades_per_increment": decades, "increments": state.increments,
            "cpu_s": time.process_time() - t0, "base_curvature_1_per_m": s["curl"]["curvature_1_per_m"],
            "film_cte_per_K": s["film"]["cte_per_K"], "dimensional_change_pct": s["dimensional_change_pct"]}


def main(out=FIXTURE):
    rows = []
    for decades in DECADES:
        rows.append(row(decades))
        r = rows[-1]
        print(f"{decades:6.3f} decades: {r['increments']:4d} increments {r['cpu_s']:5.2f} s CPU  curl "
              f"{r['base_curvature_1_per_m']:.4f}  CTE {r['film_cte_per_K']:.6e}  dim {r['dimensional_change_pct']:+.5f} %")
    Path(out).write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    import sys

    main(sys.argv[sys.argv.index("--out") + 1] if "--out" in sys.argv else FIXTURE)
