"""
Residual stress through the stack
=================================

The in-plane stress σ_xx through the thickness of Example 1's single-sided base (Cu 35 µm / PI I 24 µm /
PI IV 6 µm) at 25 °C after its cure and cooling, read from the finite-element cells at the sample centre. The
elastic model is used here (``[physics]`` switches off) so the profile shows the thermal mismatch alone. Each
layer formed stress-free at a different temperature: the copper at room temperature before the cure, PI I at the
end of the 350 °C hold, the thermoplastic PI IV at its Tg (300 °C), below which it stops relaxing. On cooling,
PI I (CTE below copper's) ends in compression, PI IV (CTE above) in tension, and the copper carries the balance.
"""
# %%
import tomllib
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from fem_laminate.case import load_case_dict
from fem_laminate.job import simulate

ROOT = Path(__file__).resolve().parents[2] if "__file__" in globals() else Path.cwd().parents[1]
data = tomllib.loads((ROOT / "cases" / "example_1.toml").read_text())
data["steps"] = data["steps"][:2]  # cure, cool: the single-sided base at 25 C
data["physics"] = {s: False for s in ("viscoelastic", "copper_plasticity", "copper_creep", "moisture",
                                      "cure_shrinkage")}
data["mesh"]["nx"] = 20
data["mesh"]["n_per_layer"] = 6  # cell centres through each layer: the profile
case = load_case_dict(data, source="example_1 (base)")
state, record, summary = simulate(case)

frame = record.frames[-1]
mesh = state.model.lmesh.mesh
layer = state.model.lmesh.layer
centres = mesh.p[:, mesh.t].mean(axis=1)  # (2, n_cells): x along the sample, y through the thickness
x_mid = 0.5 * (centres[0].min() + centres[0].max())
column = np.abs(centres[0] - x_mid) <= np.abs(centres[0] - x_mid).min() + 1e-12
order = np.argsort(centres[1, column])
y_um = centres[1, column][order] * 1e6
sxx_MPa = frame.stress_cell[column, 0][order] * 1e-6
names = [lay.name for lay in state.stack.layers]
for i, name in enumerate(names):
    sel = layer[column][order] == i
    print(f"{name:>10s}: sigma_xx from {sxx_MPa[sel].min():7.1f} to {sxx_MPa[sel].max():7.1f} MPa")

# %%
fig, ax = plt.subplots(figsize=(5, 4.5))
for i, name in enumerate(names):
    sel = layer[column][order] == i
    ax.plot(sxx_MPa[sel], y_um[sel], "o-", ms=3, label=name)
ax.axvline(0.0, color="k", lw=0.5)
for z in np.cumsum([0.0] + [lay.thickness_m * 1e6 for lay in state.stack.layers]):
    ax.axhline(z, color="0.8", lw=0.5)
ax.set_xlabel("σ_xx (MPa)")
ax.set_ylabel("height above the bottom (µm)")
ax.set_title("single-sided base at 25 °C, sample centre")
ax.legend()
fig.tight_layout()
