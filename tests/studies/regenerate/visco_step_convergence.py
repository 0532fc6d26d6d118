"""Adaptive time stepping of the viscoelastic chain: Comparative example 3 (30 um thermoplastic PI II on Cu,
the thickest relaxing layer of the patent) with the shift-factor limit per increment halved three times.

Run: PYTHONPATH=. python benchmarks/visco_step_convergence.py   writes benchmarks/results/visco_step_convergence.json
"""
import json
import time
from pathlib import Path

import fem_laminate.physics.laws.viscoelastic as ve
from fem_laminate.case import load_case
from fem_laminate.job import simulate

ROOT = Path(__file__).resolve().parents[1]


def main():
    rows = []
    for decades in (0.125, 0.25, 0.5, 1.0, 2.0):
        ve.MAX_DECADES_PER_INCREMENT = decades
        t0 = time.process_time()
        state, _, s = simulate(load_case(ROOT / "cases" / "comparative_3.toml"))
        rows.append({"max_decades_per_increment": decades, "increments": state.increments,
                     "cpu_s": time.process_time() - t0, "base_curvature_1_per_m": s["curl"]["curvature_1_per_m"],
                     "film_cte_per_K": s["film"]["cte_per_K"], "dimensional_change_pct": s["dimensional_change_pct"]})
        r = rows[-1]
        print(f"{decades:6.3f} decades: {r['increments']:4d} increments {r['cpu_s']:5.2f} s CPU  curl "
              f"{r['base_curvature_1_per_m']:.4f}  CTE {r['film_cte_per_K']:.6e}  dim {r['dimensional_change_pct']:+.5f} %")
    (ROOT / "benchmarks" / "results" / "visco_step_convergence.json").write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
