"""Bilinear cohesive traction-separation law of a bonded interface (the FEM peel's crack path).

Penalty stiffness K0 up to the strength σ_c (opening δ0 = σ_c / K0), then linear softening to zero traction at
δf = 2 G_c / σ_c (the area under the curve is the toughness G_c). One effective separation for normal opening
and shear, δ = sqrt(<δn>² + δt²) (equal toughness in both modes: an assumption); damage follows the largest δ
reached (irreversible); compression is a penalty contact, never damaged.

The law is built from an interface's numbers (strength, toughness, penalty), not a material: `of(material)` is
None, so the laminate's `laws_for` never picks it. History per point: the largest separation reached.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .law import Law, Var, register


@register
@dataclass(frozen=True)
class Cohesive(Law):
    material: object = None
    strength_Pa: float = 1.0
    toughness_J_per_m2: float = 1.0
    penalty_Pa_per_m: float = 1.0  # K0

    name = "cohesive"
    role = "interface"
    history = {"max_opening": Var(())}
    path_dependent = True

    def __post_init__(self):
        if self.final_opening <= self.opening_at_strength:
            raise ValueError("cohesive penalty too soft: delta_0 >= delta_f (raise penalty_factor)")

    @classmethod
    def of(cls, material):
        return None  # an interface law, not a material's

    @classmethod
    def bilinear(cls, strength_Pa: float, toughness_J_per_m2: float, penalty_Pa_per_m: float) -> "Cohesive":
        return cls(None, float(strength_Pa), float(toughness_J_per_m2), float(penalty_Pa_per_m))

    @property
    def opening_at_strength(self) -> float:
        """δ0 = σ_c / K0: damage starts here."""
        return self.strength_Pa / self.penalty_Pa_per_m

    @property
    def final_opening(self) -> float:
        """δf = 2 G_c / σ_c: the traction is zero from here on (failed)."""
        return 2.0 * self.toughness_J_per_m2 / self.strength_Pa

    def initial_history(self, n: int) -> dict:
        return {"max_opening": np.zeros(n)}

    def update(self, opening, history: dict, T_C: float = 25.0, dt_s: float = 0.0):
        """opening (2, n): [tangential δt, normal δn (> 0 opens)] per point. Returns traction (2, n) [t, n],
        tangent d traction / d opening (2, 2, n) and the history with the largest separation reached."""
        dx, dy = opening
        K0, d0, df = self.penalty_Pa_per_m, self.opening_at_strength, self.final_opening
        kmax_old = history["max_opening"]
        dn = np.maximum(dy, 0.0)
        delta = np.sqrt(dn ** 2 + dx ** 2)
        kmax = np.maximum(kmax_old, delta)
        soft = kmax > d0
        g = np.where(soft, K0 * d0 * np.clip(df - kmax, 0, None) / (np.maximum(kmax, d0) * (df - d0)), K0)
        loading = soft & (delta >= kmax_old) & (delta < df) & (delta > 0)
        dg = np.where(loading, -K0 * d0 * df / ((df - d0) * np.maximum(delta, 1e-30) ** 2), 0.0)
        open_ = (dy > 0).astype(float)
        Tx = g * dx
        Ty = g * dn + np.where(dy < 0, K0 * dy, 0.0)  # penetration: penalty contact, never damaged
        k_xx = g + dg * dx * dx / np.maximum(delta, 1e-300)
        k_xy = dg * dx * dn / np.maximum(delta, 1e-300) * open_
        k_yy = (g + dg * dn * dn / np.maximum(delta, 1e-300)) * open_ + K0 * (1 - open_)
        return np.array([Tx, Ty]), np.array([[k_xx, k_xy], [k_xy, k_yy]]), {**history, "max_opening": kmax}

    def failed(self, history: dict) -> np.ndarray:
        return history["max_opening"] >= self.final_opening

    def damaged(self, history: dict) -> np.ndarray:
        return history["max_opening"] > self.opening_at_strength
