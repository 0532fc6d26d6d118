"""Water in the polyimide layers: Fickian diffusion through the thickness, Henry's-law sorption, swelling.

A laminate is thin and uniform in-plane, so water moves through the thickness only (1D): copper is impermeable,
a polymer face open to the air takes up water, and after etching both faces of the film are open. Per layer

    ∂C/∂t = ∂/∂z (D(T) ∂C/∂z),     D(T) = D25 exp[-Q/R (1/T - 1/298.15 K)]            (Arrhenius)
    at an open face  C = ρ s RH                                                        (Henry's law)

with C the water per volume (kg/m³), s the equilibrium uptake per %RH (`moisture_saturation_wt_pct_per_rh_pct`,
mass % of the dry polymer) and ρ the film density. Two polymers in contact share the water activity
a = RH-equivalent / 100 (the concentrations jump by their solubilities), so the unknown is a(z), continuous, with
capacity ρ s·100 and conductance D ρ s·100 per layer; water mass is conserved across the interface. A material
without the moisture keys (copper, or a polymer without data) takes up no water and blocks it.

Linear finite elements in z; geometrically growing time steps (the first resolves the √t start of uptake),
backward Euler for the first few, Crank-Nicolson after (Rannacher start-up: stable, second order). The swelling strain at a point is

    ε_sw = β w(z) (in-plane),   β_z w(z) (through the thickness, default β_z = β),   w = s·100·a  (wt %)

and enters the stress-free-strain bookkeeping beside the thermal strain (physics/models/laminate.py).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from scipy.linalg import solve_banded

from ..laws.swelling import Swelling

from ...units import GAS_CONSTANT

T25_K = 298.15
N_PER_LAYER = 40  # linear elements per layer through the thickness
N_TIME_STEPS = 120  # time steps per diffusion interval (geometric, first one tiny)
N_DAMPING_STEPS = 4  # backward-Euler start-up steps before Crank-Nicolson


def takes_up_water(material) -> bool:
    return (material.moisture_diffusivity_m2_per_s is not None
            and material.moisture_saturation_wt_pct_per_rh_pct is not None)


def diffusivity(material, T_C: float) -> float:
    """D(T) in m²/s: the 25 °C value shifted by Arrhenius with the material's activation energy."""
    Q = (material.moisture_activation_J_per_mol or 0.0)
    return material.moisture_diffusivity_m2_per_s * np.exp(-Q / GAS_CONSTANT * (1.0 / (T_C + 273.15) - 1.0 / T25_K))


def equilibrium_wt_pct(material, rh_pct: float) -> float:
    """Henry's law: equilibrium uptake (mass % of the dry polymer) at rh_pct."""
    return material.moisture_saturation_wt_pct_per_rh_pct * rh_pct


@dataclass
class MoistureField:
    """Water activity a(z) (0..1) on a 1D grid over the whole stack, layer by layer (nodes shared at interfaces)."""
    z: np.ndarray  # (n,) node heights, m
    layer_start: np.ndarray  # (nlayers,) index of each layer's first node
    a: np.ndarray  # (n,) activity

    def copy(self) -> "MoistureField":
        return MoistureField(self.z, self.layer_start, self.a.copy())

    def layer_nodes(self, i: int) -> slice:
        return slice(self.layer_start[i], self.layer_start[i] + N_PER_LAYER + 1)


def dry_field(stack) -> MoistureField:
    zi = stack.interfaces_m
    z = [zi[0]]
    starts = []
    for i in range(len(stack)):
        starts.append(len(z) - 1)
        z += list(np.linspace(zi[i], zi[i + 1], N_PER_LAYER + 1)[1:])
    z = np.array(z)
    return MoistureField(z, np.array(starts), np.zeros_like(z))


def _wet_layers(stack, active) -> list[int]:
    return [i for i, lay in enumerate(stack.layers) if active[i] and takes_up_water(lay.material)]


def _open_faces(stack, active, field: MoistureField) -> list[int]:
    """Nodes where a permeable layer meets the air: the top and bottom faces of the present stack."""
    present = [i for i in range(len(stack)) if active[i]]
    if not present:
        return []
    out = []
    lo, hi = present[0], present[-1]
    if takes_up_water(stack.layers[lo].material):
        out.append(int(field.layer_start[lo]))
    if takes_up_water(stack.layers[hi].material):
        out.append(int(field.layer_start[hi] + N_PER_LAYER))
    return out


def _matrices(stack, wet, field: MoistureField, T_C: float):
    """Capacity M and conductance K (consistent linear elements) over the wet layers, sparse (n, n)."""
    rows, cols, mv, kv = [], [], [], []
    loc_m = np.array([[2.0, 1.0], [1.0, 2.0]]) / 6.0
    loc_k = np.array([[1.0, -1.0], [-1.0, 1.0]])
    for i in wet:
        m = stack.layers[i].material
        cap = m.density_kg_per_m3 * m.moisture_saturation_wt_pct_per_rh_pct  # kg/m³ per unit activity (w = s·100·a %)
        k = diffusivity(m, T_C) * cap
        s = field.layer_start[i]
        h = np.diff(field.z[s:s + N_PER_LAYER + 1])
        p = s + np.arange(N_PER_LAYER)
        for a_ in range(2):
            for b_ in range(2):
                rows.append(p + a_)
                cols.append(p + b_)
                mv.append(cap * h * loc_m[a_, b_])
                kv.append(k / h * loc_k[a_, b_])
    n = len(field.z)
    r, c = np.concatenate(rows), np.concatenate(cols)
    M = sp.csr_matrix((np.concatenate(mv), (r, c)), shape=(n, n))
    K = sp.csr_matrix((np.concatenate(kv), (r, c)), shape=(n, n))
    return M, K


def _bands(A) -> np.ndarray:
    """Tridiagonal sparse matrix -> the (3, n) band storage of scipy.linalg.solve_banded."""
    A = A.todia() if A.shape[0] > 1 else sp.dia_matrix(A)
    n = A.shape[0]
    out = np.zeros((3, n))
    for off, row in zip(A.offsets, A.data):
        if -1 <= off <= 1:
            out[1 - off] += row
    return out


def time_steps(seconds: float, n: int = N_TIME_STEPS, first_fraction: float = 1e-6) -> np.ndarray:
    """Geometrically growing step lengths summing to `seconds` (the first resolves the early √t uptake)."""
    if seconds <= 0:
        return np.zeros(0)
    r = (1.0 / first_fraction) ** (1.0 / (n - 1))
    w = r ** np.arange(n)
    return seconds * w / w.sum()


def diffuse(stack, active, field: MoistureField, T_C: float, rh_pct: float, seconds: float) -> None:
    """Advance the activity over `seconds` at T_C with the open faces at rh_pct (in place)."""
    wet = _wet_layers(stack, active)
    if not wet or seconds <= 0:
        return
    M, K = _matrices(stack, wet, field, T_C)
    n = len(field.z)
    live = np.zeros(n, bool)
    for i in wet:
        live[field.layer_nodes(i)] = True
    fixed = np.zeros(n, bool)
    fixed[_open_faces(stack, active, field)] = True
    field.a[fixed] = rh_pct / 100.0
    field.a[~live] = 0.0
    free = np.flatnonzero(live & ~fixed)
    known = np.flatnonzero(fixed)
    if free.size == 0:
        return
    Mff, Mfk = M[free][:, free], M[free][:, known]
    Kff, Kfk = K[free][:, free], K[free][:, known]
    ak = field.a[known]
    banded = bool(np.all(np.diff(free) == 1))  # one contiguous wet stretch: tridiagonal, solve_banded
    if banded:
        Mb, Kb = _bands(Mff), _bands(Kff)
    for k, dt in enumerate(time_steps(seconds)):
        # θ-scheme on the free nodes, face values moved to the right-hand side: backward Euler for the first
        # steps (damps the jump at the face), Crank-Nicolson after (second order; Rannacher start-up)
        th = 1.0 if k < N_DAMPING_STEPS else 0.5
        rhs = Mff @ field.a[free] - (1.0 - th) * dt * (Kff @ field.a[free]) - dt * (Kfk @ ak)
        if banded:
            field.a[free] = solve_banded((1, 1), Mb + th * dt * Kb, rhs)
        else:
            field.a[free] = spla.spsolve((Mff + th * dt * Kff).tocsc(), rhs)


def sealed_layers(stack, active, field: MoistureField) -> list[int]:
    """Water-absorbing layers that no open face reaches through the thickness (a polyimide between two foils)."""
    wet = _wet_layers(stack, active)
    faces = set(_open_faces(stack, active, field))
    reached, changed = set(), True
    while changed:  # spread from the open faces through touching wet layers
        changed = False
        for i in wet:
            if i in reached:
                continue
            nodes = {int(field.layer_start[i]), int(field.layer_start[i] + N_PER_LAYER)}
            touching = any(nodes & {int(field.layer_start[j]), int(field.layer_start[j] + N_PER_LAYER)}
                           for j in reached)
            if nodes & faces or touching:
                reached.add(i)
                changed = True
    return [i for i in wet if i not in reached]


def edge_ingress(stack, active, field: MoistureField, T_C: float, rh_pct: float, seconds: float,
                 half_width_m: float) -> list[int]:
    """Water entering a sealed layer from the cut edges of a strip 2·half_width_m wide (the only path when both
    faces are foil): in-plane Fick, the layer's mean taken uniform through its thickness,
    a <- a + (rh - a) F(D t / w²) with F the plane-sheet series (exact from a uniform start). Returns the layers."""
    out = sealed_layers(stack, active, field)
    for i in out:
        m = stack.layers[i].material
        F = fick_series_uptake_fraction(diffusivity(m, T_C), half_width_m, seconds)
        sl = field.layer_nodes(i)
        field.a[sl] = field.a[sl] + (rh_pct / 100.0 - field.a[sl]) * F
    return [stack.layers[i].name for i in out]


def layer_uptake_wt_pct(stack, field: MoistureField, i: int) -> float:
    """Mean water content of layer i, mass % of its dry polymer (trapezoidal mean of the linear field)."""
    m = stack.layers[i].material
    if not takes_up_water(m):
        return 0.0
    sl = field.layer_nodes(i)
    z, a = field.z[sl], field.a[sl]
    mean_a = np.trapezoid(a, z) / (z[-1] - z[0])
    return float(m.moisture_saturation_wt_pct_per_rh_pct * 100.0 * mean_a)


def polymer_uptake(stack, active, field: MoistureField, rh_pct: float) -> dict:
    """Uptake of the present polyimide (mass-weighted over the water-absorbing layers) and its fraction of the
    equilibrium at rh_pct (None when drying at 0 % RH)."""
    wet = _wet_layers(stack, active)
    if not wet:
        return {"moisture_uptake_wt_pct": 0.0, "moisture_fraction_of_equilibrium": None,
                "moisture_layers_wt_pct": {}}
    mass = np.array([stack.layers[i].material.density_kg_per_m3 * stack.layers[i].thickness_m for i in wet])
    w = np.array([layer_uptake_wt_pct(stack, field, i) for i in wet])
    weq = np.array([equilibrium_wt_pct(stack.layers[i].material, rh_pct) for i in wet])
    uptake = float((mass * w).sum() / mass.sum())
    eq = float((mass * weq).sum() / mass.sum())
    return {"moisture_uptake_wt_pct": uptake,
            "moisture_fraction_of_equilibrium": uptake / eq if eq > 0 else None,
            "moisture_layers_wt_pct": {stack.layers[i].name: float(wi) for i, wi in zip(wet, w)}}


def swelling_strain_at_qp(stack, field: MoistureField, layer_of_element: np.ndarray, height_qp: np.ndarray,
                          dim: int, ncomp: int, active) -> np.ndarray:
    """(nelements, nq, ncomp) hygroscopic strain at the quadrature points (zero where no water is taken up): the
    water content of the field, turned into strain by each layer's swelling law."""
    out = np.zeros(height_qp.shape + (ncomp,))
    for i, lay in enumerate(stack.layers):
        law = Swelling.of(lay.material)
        if law is None:
            continue
        m = lay.material
        el = np.flatnonzero(layer_of_element == i)
        sl = field.layer_nodes(i)
        w = m.moisture_saturation_wt_pct_per_rh_pct * 100.0 * np.interp(height_qp[el], field.z[sl], field.a[sl])
        out[el] = law.strain_of_water(w, dim, ncomp)
    return out


def fick_series_uptake_fraction(D: float, half_thickness_m: float, t_s: float, terms: int = 200) -> float:
    """Crank (1975) eq. 4.18: M_t/M_inf of a plane sheet of thickness 2l, both faces held at saturation."""
    n = np.arange(terms)
    k = (2 * n + 1) ** 2 * np.pi ** 2
    return float(1.0 - np.sum(8.0 / k * np.exp(-D * k * t_s / (4.0 * half_thickness_m ** 2))))
