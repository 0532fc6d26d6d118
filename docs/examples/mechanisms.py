"""
Which physics matters
=====================

Example 1 and Comparative example 3 with each material law added in turn (elastic -> + viscoelastic ->
+ copper plasticity -> + copper creep -> + moisture -> + cure shrinkage): base curl, film CTE (TMA), JIS C 6481 dimensional change,
with DOFs, linear solves, thermoelastic increments taken and seconds (about 20 s).

Writes mechanisms.json and mechanisms.md into the folder given as the first argument (default: a new temporary
folder); the copies the docs quote are docs/results/mechanisms.{json,md}. With FEM_LAMINATE_EXAMPLE_FAST=1 only
Example 1 runs (the docs test, tests/test_docs_examples.py).

    PYTHONPATH=. python docs/examples/mechanisms.py [OUT_DIR]
"""
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from fem_laminate.case import load_case
from fem_laminate.job import simulate
from fem_laminate.physics.laws import switches
from fem_laminate.studies.validate import with_physics

ROOT = Path(__file__).resolve().parents[2]
CASES = ["example_1"] if os.environ.get("FEM_LAMINATE_EXAMPLE_FAST") else ["example_1", "comparative_3"]
OFF = {switch: False for switch in switches()}  # every switchable law off: the elastic model
LADDER = [
    ("elastic", OFF),
    ("+ viscoelastic", {**OFF, "viscoelastic": True}),
    ("+ copper plasticity", {**OFF, "viscoelastic": True, "copper_plasticity": True}),
    ("+ copper creep", {**OFF, "viscoelastic": True, "copper_plasticity": True, "copper_creep": True}),
    ("+ moisture", {**OFF, "viscoelastic": True, "copper_plasticity": True, "copper_creep": True,
                    "moisture": True}),
    ("+ cure shrinkage (full model)", {**OFF, "viscoelastic": True, "copper_plasticity": True,
                                       "copper_creep": True, "moisture": True, "cure_shrinkage": True}),
]


# %%
# One case with a set of mechanisms switched on
# ---------------------------------------------
def run(name, physics):
    case = with_physics(load_case(ROOT / "cases" / f"{name}.toml"), physics)
    t0 = time.perf_counter()
    state, record, s = simulate(case)
    incs = sum(st.get("increments") or 0 for st in s["steps"])
    return {"case": name, "base_curvature_1_per_m": s["curl"]["curvature_1_per_m"],
            "film_cte_1e-5_per_K": s["film"]["cte_per_K"] * 1e5, "tma_mode": s["film"].get("mode"),
            "dimensional_change_pct": s["dimensional_change_pct"],
            "uptake_wt_pct": (s.get("dimensional_stability") or {}).get("moisture_uptake_wt_pct"),
            "dofs": s["model"]["dofs"], "solves": s["model"]["solves"], "increments_recorded": incs,
            "seconds": time.perf_counter() - t0}


def main(out_dir=None):
    out = Path(out_dir or tempfile.mkdtemp(prefix="mechanisms_"))
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for name in CASES:
        for label, physics in LADDER:
            r = {"mechanisms": label, **run(name, physics)}
            rows.append(r)
            print(f"{name:<14} {label:<24} curl {r['base_curvature_1_per_m']:8.3f} 1/m  CTE "
                  f"{r['film_cte_1e-5_per_K']:.4f}e-5/K  dim {r['dimensional_change_pct']:+.4f} %  "
                  f"{r['solves']:4d} solves {r['seconds']:6.2f} s", flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    (out / "mechanisms.json").write_text(json.dumps({"rows": rows, "peak_MB": peak}, indent=2))
    lines = ["| case | mechanisms | base curl (1/m) | film CTE (1e-5/K) | dimensional change (%) | solves | s |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['case']} | {r['mechanisms']} | {r['base_curvature_1_per_m']:.3f} | "
                     f"{r['film_cte_1e-5_per_K']:.4f} | {r['dimensional_change_pct']:+.4f} | {r['solves']} | "
                     f"{r['seconds']:.1f} |")
    (out / "mechanisms.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    print(f"peak memory {peak:.0f} MB -> {out}")
    return rows


# %%
# The ladder for each case, as a table
# ------------------------------------
if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
