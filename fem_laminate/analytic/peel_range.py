"""Where the closed-form steady peel (analytic/peel.py) holds: four checks at its solution, each with its bound.

The closed form is beam theory for the arm (plane sections, fibre strain z kappa, the bending cycle of an
elastic-linear-hardening fibre) with a small-slope zone beam at the root and the pull carried elastically. Each
check below is where one of those stops being true (docs/theory/peel.md, validity table):

1. root radius / arm thickness >= 1 (beam theory): 1 / (kappa_peak h). Below it the outer fibres strain by more
   than h kappa / 2 = 50 %, the section no longer stays plane and thin (a 0.8 um radius on a 35 um arm is a fold,
   not a bend); the closed form already reads the 18 / 12 um foils (radius 2.0 / 1.6 h) 10 / 16 % above the FEM.
2. root rotation <= peel angle: the arm turns monotonically from the bonded direction (0) to the pull (theta); a
   root turned past the pull is outside the first integral's range (theta - theta_0 >= 0) and far outside the
   zone beam's small slopes.
3. arm tension / yield <= 1 (no arm tension plasticity): the far arm carries P per width as uniform tension; its
   strain P / (EA)' reaching the first layer's plane-strain yield strain sigma_y' / E' (for one layer: P / h =
   sigma_y') makes the whole section yield in tension, which the pure-bending fibre cycle does not hold.
4. hardening >= the minimum hardening: at 180 deg the zone beam conserves J, so the arm enters the tip with the
   complementary energy of its loading branch Int_0^M kappa dM = G_c. For one elastic-linear-hardening layer
   (E_t = E' H' / (E' + H'), M_p = sigma_y' h^2 / 4, kappa_e = 2 sigma_y' / (E' h)), for kappa >= kappa_e,

       Int_0^M kappa dM = E_t I kappa^2 / 2 + (1 - E_t / E') M_p kappa_e (1 - 2 kappa_e / (3 kappa)),  I = h^3/12

   A perfectly plastic arm (H = 0) stores at most M_p kappa_e = sigma_y'^2 h / (2 E') (11 J/m^2 for 35 um ED
   copper): above that G_c has no finite root in beam theory (the root is a hinge; the closed form's number is the
   end of its table). Putting kappa = 1 / h (check 1) gives the smallest hardening for which the root stays a bend,
   E_t,min ~ 24 G_c / h - 12 sigma_y'^2 / E' (35 um copper at 261 J/m^2: H ~ 130 MPa uniaxial). It is computed here
   for the actual section (every plastic layer at one common H). Exact at 180 deg (no tip shear); at smaller
   angles the tip shear lowers kappa_peak, so there it is conservative.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from scipy.optimize import brentq

from .peel import ArmLayer, PeelResult, Section

ROOT_RADIUS_OVER_THICKNESS_MIN = 1.0
ARM_TENSION_OVER_YIELD_MAX = 1.0


@dataclass(frozen=True)
class Validity:
    """The checks' values (units in the names), their bounds, and one reason per failed check."""
    values: dict
    limits: dict
    reasons: list

    @property
    def valid(self) -> bool:
        return not self.reasons

    @property
    def reason(self) -> str | None:
        return "; ".join(self.reasons) if self.reasons else None

    def summary(self) -> dict:
        """Strict-JSON block: each value beside its bound (None where a bound does not apply)."""
        return {**self.values, **self.limits}


def root_radius_over_thickness(result: PeelResult, sec: Section) -> float:
    k = result.root_curvature_1_per_m
    return math.inf if k <= 0.0 else 1.0 / (k * sec.thickness_m)


def arm_tension_over_yield(force_N_per_m: float, sec: Section) -> float:
    """Uniform tensile strain of the far arm over the smallest plane-strain yield strain of its layers."""
    eps_y = float(np.min(sec.sy / sec.E))
    return 0.0 if not math.isfinite(eps_y) else force_N_per_m / sec.EA / eps_y


def loading_complementary_energy(sec: Section, kappa: float) -> float:
    """Int_0^M(kappa) kappa dM on the monotonic loading branch (J/m^2): what the arm carries into a 180 deg tip."""
    M, C, W = sec.cycle(kappa)
    return C - W  # cycle: C = kappa M + Int over unloading, W = loading + unloading work


def _with_hardening(arm: list[ArmLayer], H_Pa: float) -> list[ArmLayer]:
    return [replace(a, hardening_Pa=H_Pa) if math.isfinite(a.yield_Pa) else a for a in arm]


def minimum_hardening_Pa(arm: list[ArmLayer], toughness_J_per_m2: float) -> float | None:
    """The smallest linear hardening (uniaxial, every plastic layer) whose 180 deg root has radius >= the arm's
    thickness: loading complementary energy at kappa = 1/h equals G_c. 0 if a perfectly plastic arm already
    stores G_c; None if not even an elastic arm does (the foil would fold whatever its hardening)."""
    h = sum(a.thickness_m for a in arm)

    def excess(log_H):
        return loading_complementary_energy(Section(_with_hardening(arm, math.exp(log_H))), 1.0 / h) \
            - toughness_J_per_m2

    E_max = max(a.E_Pa for a in arm)
    lo, hi = math.log(1e-6 * E_max), math.log(1e3 * E_max)
    if excess(lo) >= 0.0:
        return 0.0
    if excess(hi) < 0.0:
        return None
    return math.exp(brentq(excess, lo, hi, xtol=1e-6))


def arm_hardening_Pa(arm: list[ArmLayer]) -> float | None:
    """The softest plastic layer's hardening (None: an elastic arm)."""
    H = [a.hardening_Pa for a in arm if math.isfinite(a.yield_Pa)]
    return min(H) if H else None


def check(result: PeelResult, arm: list[ArmLayer]) -> Validity:
    """The closed form's four range checks at its solution `result` for `arm` (module docstring)."""
    sec = Section(arm)
    r_h = root_radius_over_thickness(result, sec)
    tension = arm_tension_over_yield(result.force_N_per_m, sec)
    H = arm_hardening_Pa(arm)
    H_min = None if H is None else minimum_hardening_Pa(arm, result.toughness_J_per_m2)
    reasons = []
    if r_h < ROOT_RADIUS_OVER_THICKNESS_MIN:
        reasons.append(f"root radius {r_h:.2g} x the arm's thickness (< {ROOT_RADIUS_OVER_THICKNESS_MIN:g}: "
                       "beyond beam theory)")
    if result.root_rotation_deg > result.angle_deg:
        reasons.append(f"root rotation {result.root_rotation_deg:.0f} deg beyond the {result.angle_deg:g} deg peel "
                       "angle")
    if tension > ARM_TENSION_OVER_YIELD_MAX:
        reasons.append(f"arm tension P/h {tension:.2g} x its yield stress (arm tension plasticity, not modelled)")
    if H is not None and (H_min is None or H < H_min):
        reasons.append(f"hardening {H / 1e6:.4g} MPa below the {_mpa(H_min)} MPa that keeps the root's radius "
                       "at least the arm's thickness")
    values = {"root_radius_over_thickness": _finite(r_h), "root_rotation_deg": result.root_rotation_deg,
              "arm_tension_over_yield": tension, "hardening_MPa": None if H is None else H / 1e6,
              "minimum_hardening_MPa": None if H_min is None else H_min / 1e6}
    limits = {"root_radius_over_thickness_min": ROOT_RADIUS_OVER_THICKNESS_MIN,
              "root_rotation_max_deg": result.angle_deg, "arm_tension_over_yield_max": ARM_TENSION_OVER_YIELD_MAX}
    return Validity(values, limits, reasons)


def _mpa(H_Pa: float | None) -> str:
    return "(none: an elastic arm folds too)" if H_Pa is None else f"{H_Pa / 1e6:.4g}"


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def force_bounds_N_per_m(toughness_J_per_m2: float, angle_deg: float, arm: list[ArmLayer]) -> tuple[float, float]:
    """The physically possible steady force of this arm, whatever the root: (lower, upper), per width.

    Lower: Kendall's elastic arm (no bending work). Upper: the tightest fold a sheet can take, its neutral axis
    at radius h/2 (kappa = 2/h), every section bent to it and straightened again: the fibre cycle's work there
    (for a perfectly plastic arm 2 M_p kappa - elastic part <= sigma_y' h) in the energy balance (1)."""
    from .peel import kendall_force

    sec = Section(arm)
    W_fold = sec.cycle(2.0 / sec.thickness_m)[2]
    return (kendall_force(toughness_J_per_m2, angle_deg, sec.EA),
            kendall_force(toughness_J_per_m2 + W_fold, angle_deg, sec.EA))
