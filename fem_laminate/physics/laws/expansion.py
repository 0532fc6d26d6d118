"""Thermal expansion: the free thermal strain from 25 C, in-plane from the material's CTE (constant or its
mean-CTE table) and through the thickness from cte_z_per_K (transversely isotropic films)."""
from __future__ import annotations

import numpy as np

from .law import Law, register, voigt_normal


@register
class ThermalExpansion(Law):
    name = "expansion"
    role = "eigenstrain"

    def components(self, Ta: float, Tb: float) -> tuple[float, float]:
        """(in-plane, through-thickness) free thermal strain increment from Ta to Tb."""
        m = self.material
        return (float(m.thermal_strain(Tb) - m.thermal_strain(Ta)),
                float(m.thermal_strain_z(Tb) - m.thermal_strain_z(Ta)))

    def strain(self, history: dict, T_C: float, dim: int, ncomp: int) -> np.ndarray:
        """(ncomp,) free strain at T_C relative to 25 C (the same at every point of the layer)."""
        return voigt_normal(*self.components(25.0, T_C), dim, ncomp)

    def update(self, strain, history: dict, T_C: float, dt_s: float = 0.0):
        """An eigenstrain law carries no stress of its own: its update returns the free strain (ncomp,)."""
        return self.strain(history, T_C, 3, 6), None, history
