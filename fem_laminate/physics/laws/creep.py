"""Power-law (dislocation) creep of a metal foil, small strain, vectorised over points.

Steady-state creep of the Mukherjee-Bird-Dorn form, written in shear as Frost & Ashby do (tau = q / sqrt 3,
gamma_dot = sqrt 3 x the equivalent strain rate),

    gamma_dot = A (D G b / k T) (tau / G)^n,   D = D0 exp(-Q / R T),

integrated by backward Euler along the radial direction: the creep increment dc at a point solves the scalar
equation dc = dt * rate(q_trial - 3G dc) (Newton, bracketed in [0, q_trial / 3G]); unconditionally stable, so
a hold of any length can be one increment as far as the point is concerned. The law object `Creep` (switch
``[physics] copper_creep``) adds its strain to the layer's inelastic strain after the J2 return, and sets the
longest accurate time step (a fraction of the present relaxation time).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...units import BOLTZMANN, GAS_CONSTANT, kelvin
from .law import Law, register
from .plasticity import _engineering, _norm, _projectors, von_mises

CREEP_STEP_FRACTION = 0.1  # a creep increment is at most this fraction of the copper's present relaxation time


@dataclass(frozen=True)
class PowerLawCreep:
    """Mukherjee-Bird-Dorn steady-state creep: rate = A (D G b / k T) (q / G)^n, D = D0 exp(-Q / R T)."""
    A: float          # dimensionless Dorn constant
    n: float          # stress exponent
    D0_m2_per_s: float
    Q_J_per_mol: float
    burgers_m: float

    def rate(self, q_Pa, G_Pa, T_C):
        """Equivalent (tensile) creep strain rate (1/s) at equivalent stress q and shear modulus G.

        Frost & Ashby write the law in shear, gamma_dot = A (D G b / k T) (tau / G)^n; for J2 flow tau = q/sqrt(3)
        and the equivalent strain rate is gamma_dot / sqrt(3)."""
        T = kelvin(T_C)
        D = self.D0_m2_per_s * np.exp(-self.Q_J_per_mol / (GAS_CONSTANT * T))
        tau = np.maximum(q_Pa, 0.0) / np.sqrt(3.0)
        return self.A * D * G_Pa * self.burgers_m / (BOLTZMANN * T) * (tau / G_Pa) ** self.n / np.sqrt(3.0)


def creep_law(material) -> PowerLawCreep | None:
    """A material's power-law creep (model/materials.py keys creep_*), or None when any of the five is missing."""
    keys = (material.creep_dorn_A, material.creep_stress_exponent, material.creep_D0_m2_per_s,
            material.creep_activation_J_per_mol, material.burgers_vector_m)
    return None if any(k is None for k in keys) else PowerLawCreep(*keys)


def creep_return(eps, eps_p_old, G, law: PowerLawCreep, T_C: float, dt_s: float, K=None):
    """Backward-Euler creep increment along the radial direction, from a state already inside the yield surface
    (call after `return_mapping`, whose eps_p is eps_p_old here).

    Returns (eps_p, dc) with dc (...) the equivalent creep strain of the increment (added to eps_p as
    3/2 s/q dc). Elastic points (G broadcast) and dt = 0 give dc = 0.
    """
    eps = np.asarray(eps, float)
    m_vol, i_dev = _projectors(eps.shape[0])
    G = np.broadcast_to(np.asarray(G, float), eps.shape[1:])
    s_tr = 2.0 * G * np.einsum("ij,j...->i...", i_dev, eps - eps_p_old)
    q_tr = np.sqrt(1.5) * _norm(s_tr)
    if dt_s <= 0.0 or not np.any(q_tr > 0.0):
        return eps_p_old.copy(), np.zeros(eps.shape[1:])
    # g(dc) = dc - dt rate(q_tr - 3G dc) = 0: g(0) <= 0, g(q_tr / 3G) > 0; g is increasing, so Newton from the
    # bracket's left end with bisection safeguard converges monotonically
    lo, hi = np.zeros_like(q_tr), q_tr / (3.0 * G)
    dc = np.zeros_like(q_tr)
    n = law.n
    for _ in range(60):
        q = q_tr - 3.0 * G * dc
        r = law.rate(q, G, T_C)
        g = dc - dt_s * r
        dg = 1.0 + dt_s * 3.0 * G * n * r / np.maximum(q, 1e-300)
        lo = np.where(g < 0.0, dc, lo)
        hi = np.where(g > 0.0, dc, hi)
        new = dc - g / dg
        new = np.where((new <= lo) | (new >= hi), 0.5 * (lo + hi), new)
        if np.all(np.abs(new - dc) <= 1e-12 * np.maximum(hi, 1e-30) + 1e-18):
            dc = new
            break
        dc = new
    safe_q = np.where(q_tr > 0.0, q_tr, 1.0)
    flow_v = 1.5 * s_tr / safe_q * _engineering(eps.shape[0], q_tr.ndim)
    return eps_p_old + dc * flow_v, dc




@register
class Creep(Law):
    """Power-law creep of a material with the five creep keys (creep_dorn_A, creep_stress_exponent,
    creep_D0_m2_per_s, creep_activation_kJ_per_mol, burgers_vector_nm)."""
    name = "creep"
    switch = "copper_creep"
    role = "inelastic"
    rate_dependent = True
    path_dependent = True

    @classmethod
    def of(cls, material):
        return cls(material) if creep_law(material) is not None else None

    @property
    def power_law(self) -> PowerLawCreep:
        return creep_law(self.material)

    def shear_modulus(self, T_C: float) -> float:
        return float(self.material.E(T_C)) / (2.0 * (1.0 + self.material.nu))

    def update(self, strain, history: dict, T_C: float, dt_s: float = 0.0):
        """Creep of dt_s from the state in `history` (already inside the yield surface). Returns (stress, elastic
        tangent, history) with the creep added to the inelastic strain."""
        G = self.shear_modulus(T_C)
        eps_in, _ = creep_return(strain, history["strain"], G, self.power_law, T_C, dt_s)
        E, nu = float(self.material.E(T_C)), self.material.nu
        from .elastic import DIM_OF_NCOMP, isotropic_D
        D = isotropic_D(E, nu, DIM_OF_NCOMP[np.shape(strain)[0]])
        return np.einsum("ij,j...->i...", D, np.asarray(strain) - eps_in), D, {**history, "strain": eps_in}

    @classmethod
    def max_time_step(cls, items, T_C: float) -> float:
        """CREEP_STEP_FRACTION of the shortest present relaxation time q / (3 G rate(q)): backward Euler is stable
        at any step, this keeps it accurate (tested against the closed-form relaxation of a film on a rigid
        substrate)."""
        dt = np.inf
        for law, view in items:
            q = von_mises(view["stress"], axis=-1)
            if not q.size or q.max() <= 0.0:
                continue
            G = law.shear_modulus(T_C)
            rate = law.power_law.rate(q.max(), G, T_C)
            if rate > 0.0:
                dt = min(dt, CREEP_STEP_FRACTION * q.max() / (3.0 * G * rate))
        return dt
