"""
Peel force against peel angle
=============================

The steady peel force of a 35 µm copper foil from Example 1's polyimides, from the energy balance

.. math:: G_c = P(1 - \\cos\\theta) + \\frac{P^2}{2EA'} - W(\\kappa_\\mathrm{peak}),

with W the plastic work of the arm's bending cycle and κ_peak from the elastic-plastic zone beam at the root
(``fem_laminate.analytic.peel.steady_peel``), at the calibrated Cu–PI toughness. Kendall's elastic arm (W = 0) is
the lower curve: the difference is the work the copper absorbs bending plastically at the root.
"""
# %%
import matplotlib.pyplot as plt
import numpy as np

from fem_laminate.analytic import peel
from fem_laminate.model.materials import load_library
from fem_laminate.physics.correlations.bonding import cohesive_strength_Pa, full_toughness_J_per_m2
from fem_laminate.units import kgf_per_cm

T = 25.0
lib = load_library()
cu, tpi, pi1 = lib["copper_ed"], lib["pi_IV"], lib["pi_I"]
G = full_toughness_J_per_m2("Cu-PI")
arm = [peel.ArmLayer(float(cu.E(T)), cu.nu, 35e-6, cu.yield_stress(T), cu.hardening_Pa)]
foundation = [peel.FoundationLayer(float(tpi.E(T)), tpi.nu, 6e-6), peel.FoundationLayer(float(pi1.E(T)), pi1.nu, 24e-6)]
law = peel.CohesiveLaw(cohesive_strength_Pa())

angles = np.array([45.0, 60.0, 75.0, 90.0, 105.0, 120.0, 135.0, 150.0, 165.0, 180.0])
plastic = [peel.steady_peel(G, float(a), arm, foundation, cohesive=law) for a in angles]
force = np.array([kgf_per_cm(r.force_N_per_mm) for r in plastic])
share = np.array([r.plastic_dissipation_fraction for r in plastic])
kendall = np.array([kgf_per_cm(peel.kendall_force(G, float(a)) * 1e-3) for a in angles])
print(f"toughness {G:.1f} J/m2; 180 deg: {force[-1]:.2f} kgf/cm, 90 deg: {force[3]:.2f} kgf/cm")

# %%
fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(angles, force, "o-", label="elastic-plastic copper arm (closed form)")
ax.plot(angles, kendall, "--", label="elastic arm (Kendall)")
ax.set_xlabel("peel angle (°)")
ax.set_ylabel("peel force (kgf/cm)")
ax.set_title(f"35 µm Cu on Example 1, G_c = {G:.0f} J/m²")
ax2 = ax.twinx()
ax2.plot(angles, share, ":", color="C2")
ax2.set_ylabel("share of the work in arm plasticity", color="C2")
ax.legend(loc="upper center")
fig.tight_layout()
