"""
The process chain of Example 1, step by step
============================================

Example 1 of the patent: PI I 24 µm and the thermoplastic PI IV 6 µm cast on 35 µm copper, cured at 350 °C,
cooled, a second foil roll-pressed on at 400 °C, cooled, then the patent's tests. The bundled case
``cases/example_1.toml`` is run in memory with :func:`fem_laminate.job.simulate` (the ``peel``,
``pressure_cooker`` and ``tma`` steps are left out, and the nip is the analytic one, to keep the page quick). Each step's entry in
``summary["steps"]`` gives the temperature the laminate ends at and its curvature.
"""
# %%
import tomllib
from pathlib import Path

import matplotlib.pyplot as plt

from fem_laminate.case import load_case_dict
from fem_laminate.job import simulate

ROOT = Path(__file__).resolve().parents[2] if "__file__" in globals() else Path.cwd().parents[1]
path = ROOT / "cases" / "example_1.toml"
data = tomllib.loads(path.read_text())
data["steps"] = [s for s in data["steps"] if s["kind"] not in ("peel", "pressure_cooker", "tma")]
for s in data["steps"]:
    if s["kind"] == "bond":
        s["nip_method"] = "analytic"  # the nip's width and pressure only; the bond saturates at 400 C either way
case = load_case_dict(data, source=str(path))
state, record, summary = simulate(case)

steps = summary["steps"]
for s in steps:
    print(f"{s.get('kind', '?'):>22s}  T = {s.get('temperature_C', float('nan')):6.1f} C   "
          f"curvature = {s.get('curvature_1_per_m', float('nan')):+.3f} 1/m")

# %%
kinds = [s.get("kind", "?") for s in steps]
T = [s.get("temperature_C") for s in steps]
k = [s.get("curvature_1_per_m") for s in steps]
fig, (a1, a2) = plt.subplots(2, 1, figsize=(7, 5), sharex=True)
a1.step(range(len(T)), T, where="mid", marker="o")
a1.set_ylabel("temperature (°C)")
a2.bar(range(len(k)), [0.0 if v is None else v for v in k])
a2.axhline(0.0, color="k", lw=0.5)
a2.set_yscale("symlog", linthresh=1.0)  # the etched film curls 10x more than the laminate
a2.set_ylabel("curvature (1/m)")
a2.set_xticks(range(len(kinds)), kinds, rotation=30, ha="right")
a1.set_title(case.name + ": after each step")
fig.tight_layout()
print("base curl:", summary["curl"]["curvature_1_per_m"], "1/m; dimensional change:",
      summary.get("dimensional_change_pct"), "%")
