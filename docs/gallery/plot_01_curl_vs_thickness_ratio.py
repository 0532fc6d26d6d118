"""
Curl of a Cu/PI bilayer against its thickness ratio
===================================================

A polyimide film on 35 µm copper, stress-free at 350 °C and cooled to 25 °C, curls because the two expand
differently. The closed form (Hsueh's n-layer formula with the biaxial modulus E/(1 − ν), which is the
equi-biaxial curl of a cut sample) is compared with the finite-element cross-section in generalized plane strain
(ε_zz = a + b·y, the model the bundled cases use), over a range of polyimide-to-copper thickness ratios.
"""
# %%
import matplotlib.pyplot as plt
import numpy as np

from fem_laminate.analytic import laminate as closed
from fem_laminate.model.materials import Material
from fem_laminate.model.mesh import layered_mesh_2d
from fem_laminate.model.stack import Layer, Stack
from fem_laminate.physics.fe import elastic
from fem_laminate.physics.models.laminate import give_birth, initial_state
from fem_laminate.physics.models.schedule import change_temperature
from fem_laminate.post import measure

E = np.array([116e9, 5e9])  # Pa: copper, a polyimide (constant moduli: the closed form's assumption)
NU = np.array([0.34, 0.34])
CTE = np.array([17e-6, 31e-6])  # 1/K
T0, T1 = 350.0, 25.0
H_CU = 35e-6


def stack(h_pi):
    layers = [Layer(f"l{i}", Material(name=f"m{i}", kind="polymer", E_Pa=E[i], nu=NU[i], cte_per_K=CTE[i]),
                    h, "foil") for i, h in enumerate([H_CU, h_pi])]
    return Stack(tuple(layers))


def fem_curvature(h_pi):
    st = stack(h_pi)
    mesh = layered_mesh_2d(st.interfaces_m, 10e-3, nx=40, n_per_layer=2)
    model = elastic.make_model(mesh, out_of_plane="free")
    state = initial_state(st, model, T0)
    give_birth(state, [0, 1])
    change_temperature(state, T1, max_step_K=1000.0)
    return measure.curvature(state)["curvature_1_per_m"]


ratios = np.geomspace(0.1, 10.0, 40)
k_closed = [closed.hsueh_curvature(closed.biaxial_modulus(E, NU), np.array([H_CU, r * H_CU]), CTE * (T1 - T0))
            for r in ratios]
r_fem = np.array([0.2, 0.5, 1.0, 2.0, 5.0])
k_fem = np.array([fem_curvature(r * H_CU) for r in r_fem])
k_fem_closed = np.array([closed.hsueh_curvature(closed.biaxial_modulus(E, NU), np.array([H_CU, r * H_CU]),
                                                CTE * (T1 - T0)) for r in r_fem])
print("FEM / closed form:", np.round(k_fem / k_fem_closed, 5))

# %%
fig, ax = plt.subplots(figsize=(6, 4))
ax.semilogx(ratios, k_closed, label="closed form (Hsueh, biaxial modulus)")
ax.semilogx(r_fem, k_fem, "o", label="FEM, generalized plane strain")
ax.set_xlabel("polyimide / copper thickness")
ax.set_ylabel("curvature (1/m)")
ax.set_title("Cu 35 µm / PI, 350 → 25 °C")
ax.legend()
fig.tight_layout()
