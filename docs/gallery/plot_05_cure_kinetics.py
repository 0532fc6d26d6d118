"""
Cure shrinkage: imidization kinetics
====================================

A cast polyamic acid converts to polyimide by first-order kinetics toward the conversion x_v(T) at which the
forming resin vitrifies at the present temperature,

.. math:: \\frac{dx}{dt} = k(T)\\,\\bigl(x_v(T) - x\\bigr),\\qquad k(T) = k_{200}\\,
          \\exp\\Bigl[-\\frac{Q}{R}\\Bigl(\\frac{1}{T} - \\frac{1}{473\\,\\mathrm{K}}\\Bigr)\\Bigr],

where x_v inverts DiBenedetto's Tg(x). The law of ``fem_laminate/physics/laws/cure_shrinkage.py`` is advanced
with the library data of PI I through isothermal holds; the free shrinkage is ε = −β x. Holding at a higher
temperature converts further before the reaction stops, which is why the 400 °C roll press completes the
conversion a 350 °C cure left.
"""
# %%
import matplotlib.pyplot as plt
import numpy as np

from fem_laminate.model.materials import load_library
from fem_laminate.physics.laws.cure_shrinkage import CureShrinkage

law = CureShrinkage.of(load_library()["pi_I"])
beta, _ = law.shrinkage
t = np.linspace(0.0, 3600.0, 121)  # s
fig, ax = plt.subplots(figsize=(6, 4))
for T in (200.0, 250.0, 300.0, 350.0, 400.0):
    h = {"degree": np.zeros(1)}
    x = [0.0]
    for dt in np.diff(t):
        h = law.advance(h, T, T, float(dt))
        x.append(float(h["degree"][0]))
    ax.plot(t / 60.0, x, label=f"{T:.0f} °C (x_v = {law.vitrification_degree(T):.2f})")
    print(f"{T:.0f} C: conversion after 1 h {x[-1]:.3f}, free shrinkage {-beta * x[-1]:.4f}")
ax.set_xlabel("time at temperature (min)")
ax.set_ylabel("degree of imidization x")
ax.set_title("PI I, isothermal holds")
ax.legend(fontsize=8)
fig.tight_layout()
