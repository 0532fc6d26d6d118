"""
Moisture uptake and hygroscopic strain
======================================

A free 25 µm Kapton-type film (library ``pi_III``) in air at 25 °C and 85 % RH takes up water by Fickian
diffusion through its two faces; Henry's law sets the surface concentration, and the free swelling is
ε = β·w with w the water content in mass %. The finite-element diffusion of
``fem_laminate.physics.models.moisture`` (linear elements through the thickness, Crank–Nicolson time steps) is
compared with Crank's plane-sheet series (eq. 4.18). The same film bonded to copper on one face takes water up
through one face only: the series for a sheet twice as thick.
"""
# %%
import matplotlib.pyplot as plt
import numpy as np

from fem_laminate.model.materials import load_library
from fem_laminate.model.stack import Layer, Stack
from fem_laminate.physics.models import moisture

lib = load_library()
pi = lib["pi_III"]
h = 25e-6
RH, T = 85.0, 25.0
D = moisture.diffusivity(pi, T)
w_eq = moisture.equilibrium_wt_pct(pi, RH)
beta = pi.hygroscopic_expansion_per_wt_pct
print(f"D(25 C) = {D:.3g} m2/s, equilibrium uptake {w_eq:.3f} wt%, swelling at equilibrium {beta * w_eq:.2e}")

stacks = {"free film (two faces open)": (Stack((Layer("film", pi, h, "cast"),)), [True], 0, h / 2),
          "on 18 µm copper (one face open)": (Stack((Layer("cu", lib["copper_ed"], 18e-6, "foil"),
                                                     Layer("film", pi, h, "cast"))), [False, True], 1, h)}
times = np.geomspace(1.0, 3600.0 * 4, 14)

# %%
fig, ax = plt.subplots(figsize=(6, 4))
for k, (label, (stack, _, i, half)) in enumerate(stacks.items()):
    active = np.ones(len(stack), dtype=bool)
    fem_w, t_prev = [], 0.0
    field = moisture.dry_field(stack)
    for t in times:
        moisture.diffuse(stack, active, field, T, RH, t - t_prev)
        t_prev = t
        fem_w.append(moisture.layer_uptake_wt_pct(stack, field, i))
    series = [w_eq * moisture.fick_series_uptake_fraction(D, half, t) for t in times]
    ax.semilogx(times / 60, series, color=f"C{k}", label=f"{label}: Fick series")
    ax.semilogx(times / 60, fem_w, "o", color=f"C{k}", label=f"{label}: FEM")
ax.set_xlabel("time at 85 % RH (min)")
ax.set_ylabel("water uptake (wt %)")
sec = ax.secondary_yaxis("right", functions=(lambda w: w * beta * 1e6, lambda e: e / (beta * 1e6)))
sec.set_ylabel("free hygroscopic strain (µε)")
ax.legend(fontsize=7)
fig.tight_layout()
