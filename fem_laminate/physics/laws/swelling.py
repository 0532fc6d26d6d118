"""Hygroscopic swelling: a stress-free strain proportional to the water content, ε_sw = β w (in-plane β from
hygroscopic_expansion_per_wt_pct, through the thickness from hygroscopic_expansion_z_per_wt_pct, default β).

The water content w (mass %) comes from the moisture model (physics/models/moisture.py: Fickian diffusion and
Henry's-law sorption); the law turns it into strain. History: the swelling strain at each point, a state of the
material (it survives a relaxation). Switch ``[physics] moisture``.
"""
from __future__ import annotations

import numpy as np

from .law import Law, Var, register, voigt_normal


@register
class Swelling(Law):
    name = "swelling"
    switch = "moisture"
    role = "eigenstrain"
    history = {"strain": Var(("ncomp",), mechanical=False)}

    @classmethod
    def of(cls, material):
        m = material
        takes_water = m.moisture_diffusivity_m2_per_s is not None and m.moisture_saturation_wt_pct_per_rh_pct is not None
        return cls(material) if takes_water else None

    def coefficients(self) -> tuple[float, float]:
        m = self.material
        b_in = m.hygroscopic_expansion_per_wt_pct or 0.0
        b_z = m.hygroscopic_expansion_z_per_wt_pct if m.hygroscopic_expansion_z_per_wt_pct is not None else b_in
        return b_in, b_z

    def strain_of_water(self, w_wt_pct, dim: int, ncomp: int) -> np.ndarray:
        """(..., ncomp) swelling strain of a water content w (mass %, any shape)."""
        b_in, b_z = self.coefficients()
        w = np.asarray(w_wt_pct, float)
        return voigt_normal(b_in * w, b_z * w, dim, ncomp)

    def strain(self, history: dict, T_C: float, dim: int, ncomp: int) -> np.ndarray:
        return history["strain"]

    def update(self, strain, history: dict, T_C: float, dt_s: float = 0.0):
        return history["strain"], None, history
