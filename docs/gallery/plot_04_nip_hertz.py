"""
Nip pressure: Hertz against the contact FEM
===========================================

Two steel rolls pressed together along a line: Hertz's closed form (Johnson, *Contact Mechanics*, eqs. 4.43–4.45)
gives the contact half-width a and the elliptical pressure p(x) = p0 √(1 − x²/a²). The roll nip of the bond step
is solved by the penalty contact FEM of ``fem_laminate.physics.models.contact``; here it is run on two bare steel
rolls of 100 mm diameter at 490 N/mm, the patent's 1500 kgf over 300 mm, with no strip between them.
"""
# %%
import matplotlib.pyplot as plt
import numpy as np

from fem_laminate.analytic import contact as closed
from fem_laminate.physics.models import contact as fem

E, NU = 210e9, 0.3  # steel (Pa)
R = 0.05  # m
load = 1500 * 9.80665 / 0.3  # N per m of roll width
a, p0 = closed.hertz_line_contact(load, R, R, E, NU, E, NU)

K, G = E / (3 * (1 - 2 * NU)), E / (2 * (1 + NU))
h = a / 16
x = fem.graded_grid(h, 1.3 * a, 30 * a)
model = fem.build_model(x, 0.0, [], fem.Roll(R, K, G), fem.Roll(R, K, G), 30 * a, h)
sol = fem.solve_contact(model, load, n_steps=1, a_guess_m=a)
xi, p = model.interfaces[0].x, sol.pressure[0]
a_fem = fem.contact_half_width(xi, p)
print(f"half-width: Hertz {a * 1e3:.4f} mm, FEM {a_fem * 1e3:.4f} mm ({a_fem / a - 1:+.2%})")
print(f"peak pressure: Hertz {p0 / 1e6:.1f} MPa, FEM {p.max() / 1e6:.1f} MPa ({p.max() / p0 - 1:+.2%})")

# %%
xs = np.linspace(-1.3 * a, 1.3 * a, 400)
fig, ax = plt.subplots(figsize=(6, 3.8))
ax.plot(xs * 1e3, closed.hertz_pressure(xs, a, p0) / 1e6, label="Hertz")
order = np.argsort(xi)
ax.plot(xi[order] * 1e3, p[order] / 1e6, "o", ms=3, label="contact FEM")
ax.set_xlabel("x along the nip (mm)")
ax.set_ylabel("pressure (MPa)")
ax.set_title("two steel rolls, D = 100 mm, 490 N/mm")
ax.legend()
fig.tight_layout()
