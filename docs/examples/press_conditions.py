"""
What the press conditions do to the peel
========================================

Examples 1-3 of the patent share resins and the bond temperature and differ in roll diameter, linear pressure
and speed. Once contact and healing are complete (the same interface toughness in each row), what still differs
is the foil the nip has worked: its plastic elongation (the contact FEM with J2 copper) cold-works and thins it.
This script runs each row up to its peel step (bond -> nip -> toughness -> closed-form peel with the
``press_effects`` block, analytic/peel_press.py), adds the bond line's sensitivity and the annealed bound
(no cold work retained), and with ``--fem`` checks the cold-work contribution with the FEM peel (the worked and
the virgin foil of Example 3, the row the nip works most; minutes on the shared machine).

Writes press_conditions.json and press_conditions.md into the folder given as the first argument (default: a new
temporary folder). The copies the docs quote: docs/results/press_conditions.{json,md}.

    PYTHONPATH=. python docs/examples/press_conditions.py [OUT_DIR] [--fem]
"""
# %%
# Set-up
# ------
import json
import os
import sys
import tempfile
import tomllib
from pathlib import Path

from fem_laminate.analytic import peel_press
from fem_laminate.case import load_case_dict
from fem_laminate.job import run_case
from fem_laminate.physics.correlations.bonding import cohesive_strength_Pa
from fem_laminate.process import peel as pp

ROOT = Path(__file__).resolve().parents[2]
args = [a for a in sys.argv[1:] if not a.startswith("--")]
OUT = Path(args[0] if args else tempfile.mkdtemp(prefix="press_conditions_"))
OUT.mkdir(parents=True, exist_ok=True)
FAST = os.environ.get("FEM_LAMINATE_EXAMPLE_FAST") == "1"
CASE_OUT = Path(tempfile.mkdtemp(prefix="press_conditions_cases_"))  # the cases' own outputs: not kept
ROWS = ["example_1"] if FAST else ["example_1", "example_2", "example_3"]


def run_to_peel(name):
    """The case up to its peel step; returns its summary and the peel's (arm, foundation, toughness, spec)."""
    d = tomllib.loads((ROOT / "cases" / f"{name}.toml").read_text())
    k = next(i for i, s in enumerate(d["steps"]) if s["kind"] == "peel")
    d["steps"] = d["steps"][:k + 1]
    seen, peel_arm = {}, pp.peel_arm

    def keep(arm, found, G, spec):
        seen.update(arm=arm, found=found, G=G, spec=spec)
        return peel_arm(arm, found, G, spec)

    pp.peel_arm = keep
    try:
        summary = run_case(load_case_dict(d, source=name), CASE_OUT / name, plots=False)
    finally:
        pp.peel_arm = peel_arm
    bond = next(s for s in d["steps"] if s["kind"] == "bond")
    return summary, seen, bond


# %%
# Each row: the nip, the worked foil, the contributions
# -----------------------------------------------------
rows = {}
for name in ROWS:
    summary, seen, bond = run_to_peel(name)
    block = summary["peel"]["press_effects"]
    extra = peel_press.press_effects(seen["G"], seen["spec"].angle_deg, seen["arm"], seen["found"],
                                     cohesive_strength_Pa(), summary["nip"]["foil_elongation"], retained=0.0,
                                     bond_line_sensitivity=True)
    rows[name] = {"bond": {k: bond[k] for k in ("roll_diameter_mm", "roll_width_mm", "load_kgf", "speed_m_per_min",
                                                "temperature_C")},
                  "nip": {k: summary["nip"][k] for k in ("line_load_N_per_mm", "peak_pressure_MPa", "half_width_mm",
                                                         "cu_plastic_strain_max", "foil_elongation", "method")},
                  "interface_toughness_J_per_m2": seen["G"], "press_effects": block,
                  "annealed_cold_work_N_per_mm": extra["contributions_N_per_mm"]["cold_work"],
                  "bond_line_sensitivity_N_per_mm_per_10_percent_thinner":
                      extra["bond_line_sensitivity_N_per_mm_per_10_percent_thinner"]}
    print(name, json.dumps(rows[name]["press_effects"]["contributions_N_per_mm"]), flush=True)

# %%
# The FEM's check of the cold work (``--fem``)
# --------------------------------------------
if "--fem" in sys.argv and "example_3" in rows:
    from dataclasses import replace

    from fem_laminate.physics.models import peel as fp

    _, seen, _ = run_to_peel("example_3")
    e = rows["example_3"]["press_effects"]["foil_prestrain_equivalent"]
    spec = pp.fem_spec(seen["arm"], seen["found"], seen["G"], seen["spec"],
                       pp.closed_form(seen["G"], seen["spec"].angle_deg, seen["arm"], seen["found"]).root_curvature_1_per_m)
    fem = {}
    for label, arm in (("virgin", seen["arm"]), ("cold_worked", [*seen["arm"][:-1],
                                                                  peel_press.cold_worked(seen["arm"][-1], e)])):
        r = fp.run_peel_fem(replace(spec, arm=tuple(arm), time_limit_s=600.0))
        fem[label] = {"force_N_per_mm": r.force_N_per_mm, "steady": r.steady, "seconds": r.seconds}
        print("FEM", label, fem[label], flush=True)
    rows["example_3"]["fem_cold_work_check"] = {
        **fem, "cold_work_N_per_mm": fem["cold_worked"]["force_N_per_mm"] - fem["virgin"]["force_N_per_mm"]}

# %%
# Outputs
# -------
(OUT / "press_conditions.json").write_text(json.dumps(rows, indent=1))
lines = ["| row | roll D (mm) | line load (N/mm) | speed (m/min) | peak p (MPa) | foil elongation | foil yield virgin / "
         "worked (MPa) | F virgin (N/mm) | cold work | thinning | interaction | F worked (N/mm) | cold work if "
         "annealed | bond line -10 % |",
         "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
for name, r in rows.items():
    p, c = r["press_effects"], r["press_effects"]["contributions_N_per_mm"]
    lines.append(f"| {name} | {r['bond']['roll_diameter_mm']} | {r['nip']['line_load_N_per_mm']:.1f} | "
                 f"{r['bond']['speed_m_per_min']} | {r['nip']['peak_pressure_MPa']:.0f} | "
                 f"{r['nip']['foil_elongation'] * 100:.2f} % | {p['foil_yield_MPa']['virgin']:.0f} / "
                 f"{p['foil_yield_MPa']['worked']:.1f} | {p['force_virgin_foil_N_per_mm']:.3f} | {c['cold_work']:+.3f} | "
                 f"{c['foil_thinning']:+.3f} | {c['interaction']:+.4f} | {p['force_with_press_effects_N_per_mm']:.3f} | "
                 f"{r['annealed_cold_work_N_per_mm']:+.3f} | "
                 f"{r['bond_line_sensitivity_N_per_mm_per_10_percent_thinner']:+.4f} |")
(OUT / "press_conditions.md").write_text("\n".join(lines) + "\n")
print("\n".join(lines))
