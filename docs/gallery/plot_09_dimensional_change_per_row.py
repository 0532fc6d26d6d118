"""
Dimensional change of the patent's rows (JIS C 6481)
====================================================

The patent judges a laminate by its dimensional stability: marks on the double-sided laminate, all foil etched
away, the film dried at 150 °C for 30 min and conditioned at 21 °C / 50 % RH, the marks measured again. Here each
bundled row that bonds is run through its chain up to that test (cure, cool, bond, cool, ``dimensional_stability``)
on a coarse section with the elastic model (``[physics]`` all off) and the analytic nip, so that it
takes about a second a row. The full model (viscoelastic relaxation, moisture, cure shrinkage) and the
verdicts are in ``fem-laminate validate`` and the verification pages; the patent's own rule, that a film CTE
above about 3.0e-5/K gives inferior dimensional stability, shows in Comparatives 3 and 5.
"""
# %%
import tomllib
from pathlib import Path

import matplotlib.pyplot as plt

from fem_laminate.case import load_case_dict
from fem_laminate.job import simulate

ROOT = Path(__file__).resolve().parents[2] if "__file__" in globals() else Path.cwd().parents[1]
ROWS = ["example_1", "example_2", "example_3", "example_4", "example_5", "comparative_3", "comparative_5"]
KEEP = ("cure", "cool", "bond", "dimensional_stability")
names, change = [], []
for row in ROWS:
    path = ROOT / "cases" / f"{row}.toml"
    data = tomllib.loads(path.read_text())
    data["steps"] = [s for s in data["steps"] if s["kind"] in KEEP]
    data["mesh"]["nx"] = 16
    for s in data["steps"]:
        if s["kind"] == "bond":
            s["nip_method"] = "analytic"  # the nip's half-width and pressure; the laminate outputs do not use them
    data["physics"] = {s: False for s in ("viscoelastic", "copper_plasticity", "copper_creep", "moisture",
                                          "cure_shrinkage")}
    state, record, summary = simulate(load_case_dict(data, source=str(path)))
    names.append(data["name"].replace("Comparative example", "Comp."))
    change.append(summary["dimensional_change_pct"])
    print(f"{data['name']:>24s}: dimensional change {summary['dimensional_change_pct']:+.3f} %")

# %%
fig, ax = plt.subplots(figsize=(6.5, 3.8))
ax.bar(names, change, color=["C0" if n.startswith("Example") else "C3" for n in names])
ax.axhline(0.0, color="k", lw=0.5)
ax.set_ylabel("dimensional change (%)")
ax.set_title("JIS C 6481 after etching, elastic model")
plt.setp(ax.get_xticklabels(), rotation=30, ha="right")
fig.tight_layout()
