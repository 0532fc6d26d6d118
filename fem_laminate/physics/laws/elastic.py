"""Isotropic linear elasticity with a temperature-dependent modulus: E(T) from the material (glassy trend, and a
smooth step through Tg to the rubbery plateau), ν constant.

A thermoplastic layer whose law is this one (no Prony series, or viscoelasticity switched off) relaxes fully at
and above its Tg: the laminate makes it stress-free in its present shape at every increment there (viscous flow
over process times of minutes); that is the fast limit of the Prony law.
"""
from __future__ import annotations

import numpy as np

from .law import Law, register

NCOMP = {2: 4, 3: 6}  # Voigt components: 2D [xx, yy, zz, xy], 3D [xx, yy, zz, yz, xz, xy]
DIM_OF_NCOMP = {4: 2, 6: 3}


def lame(E, nu):
    """Lamé constants (lambda, mu) of an isotropic solid; E and nu may be arrays."""
    return E * nu / ((1 + nu) * (1 - 2 * nu)), E / (2 * (1 + nu))


def isotropic_D(E, nu, dim: int) -> np.ndarray:
    """Elastic matrix in Voigt order with engineering shear; E and nu may be arrays (returns (..., n, n))."""
    E = np.asarray(E, dtype=float)
    nu = np.asarray(nu, dtype=float) * np.ones_like(E)
    lam, mu = lame(E, nu)
    n = NCOMP[dim]
    D = np.zeros(E.shape + (n, n))
    for i in range(3):
        for j in range(3):
            D[..., i, j] = lam
        D[..., i, i] = lam + 2 * mu
    for i in range(3, n):
        D[..., i, i] = mu
    return D


@register
class Elastic(Law):
    name = "elastic"
    role = "stiffness"

    @property
    def nu(self) -> float:
        return self.material.nu

    def modulus(self, T_C: float) -> float:
        """The modulus an increment's solve uses at T_C."""
        return float(self.material.E(T_C))

    instantaneous_modulus = modulus  # what an instantaneous load meets

    def relaxes_at(self, T_C: float) -> bool:
        """Above Tg the layer is made stress-free at every increment (the fast limit of relaxation)."""
        return self.material.is_rubbery(T_C)

    # the laminate's increment: stiffness factor c, history stress, then the stress once the strain is known
    def coefficients(self, Ta: float, Tb: float, dt_s: float):
        return 1.0, None

    def history_stress(self, history: dict, D: np.ndarray, coef) -> np.ndarray | None:
        return None

    def commit(self, history: dict, D: np.ndarray, eps_m: np.ndarray, coef) -> tuple[np.ndarray, dict]:
        return np.einsum("...kl,...ql->...qk", D, eps_m), history

    def update(self, strain, history: dict, T_C: float, dt_s: float = 0.0):
        """σ = D(T) ε at points (ncomp, ...); tangent D (ncomp, ncomp)."""
        strain = np.asarray(strain, float)
        D = isotropic_D(self.modulus(T_C), self.nu, DIM_OF_NCOMP[strain.shape[0]])
        return np.einsum("ij,j...->i...", D, strain), D, history
