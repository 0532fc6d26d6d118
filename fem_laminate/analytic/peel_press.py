"""What the press conditions do to the peel once contact and healing are complete: the foil the nip has worked.

Rows that share resins, temperature and a complete bond (same interface toughness) still differ in the foil the
roll nip leaves behind. The nip (physics/models/nip.py, the contact FEM with J2 copper) compresses the incoming
foil through its thickness and elongates it plastically, more under a higher linear pressure (the patent's
warning that a high linear pressure elongates the foil). Two consequences reach the peel arm, each put into the
closed-form steady peel (analytic/peel.py) and reported as a named contribution to the force:

1. **Cold work** (strain hardening): the foil's plastic strain from the nip is carried into the arm as a
   pre-strain of its isotropic (linear) hardening, so its yield stress at the peel temperature is
   sigma_y + H eps_p (the equivalent plastic strain eps_p of plane-strain incompressible flow, eps_p =
   (2/sqrt 3) eps_xx from the foil's plastic elongation eps_xx). The work of the arm's bending cycle is not
   monotonic in the yield stress: it vanishes for a string (sigma_y -> 0) and for an elastic arm
   (sigma_y -> inf), with a maximum between (the plastic share G_p/G of Kim & Aravas 1988 and Kinloch, Lau &
   Williams 1994 falls to zero at both ends). The patent's 35 um copper at G_c ~ 260 J/m^2 bends to ~80 x its
   elastic-limit curvature, on the side where a harder arm dissipates more, so cold work raises the force there
   (tested); an arm nearer its elastic limit goes the other way. How much of the nip's cold work survives to the
   peel is a matter of recovery: the foil is at ~400 C in the nip and cools in air over tens of seconds, above the
   0.3-0.4 T_m (~130-270 C) where copper recovers and, after enough strain, recrystallises; retained
   fraction `retained` in [0, 1], 1 by default (the upper bound of this contribution; 0 removes it).
2. **Foil thinning**: plastic flow at constant volume in plane strain thins the foil by the elongation,
   h' = h / (1 + eps_xx); a thinner plastic arm has a smaller plastic moment and dissipates less.

The bond line's own thinning (the thermoplastic polyimide squeezed in the nip) would change the foundation's
stiffness beneath the arm; the nip model keeps the polymers elastic (no permanent flow), so it is not a
contribution here; its sensitivity (force change per 10 % thinner bond line, `bond_line_sensitivity`) is
reported in docs/press_conditions.md instead. Residual stress in the foil relaxes when the arm is peeled
(Kendall, J. Phys. D 6 (1973) 1782); its thermal part is the same in every row, and the nip's share of it is not
modelled.
"""
from __future__ import annotations

import math
from dataclasses import replace

from .peel import ArmLayer, CohesiveLaw, FoundationLayer, steady_peel

BOND_LINE_SENSITIVITY_THINNING = 0.10  # the bond line's thickness change for the reported sensitivity


def equivalent_plastic_strain(foil_elongation: float) -> float:
    """Equivalent plastic strain of plane-strain incompressible flow with in-plane plastic strain eps_xx
    (eps_zz = -eps_xx, none along the roll axis): sqrt(2/3 (eps_xx^2 + eps_zz^2)) = (2/sqrt 3) |eps_xx|."""
    return 2.0 / math.sqrt(3.0) * abs(float(foil_elongation))


def cold_worked(layer: ArmLayer, prestrain: float) -> ArmLayer:
    """A plastic layer pre-strained by `prestrain` (equivalent plastic strain) along its linear isotropic
    hardening: the yield stress becomes sigma_y + H eps_p. Elastic layers are returned unchanged."""
    if not math.isfinite(layer.yield_Pa) or prestrain <= 0.0:
        return layer
    return replace(layer, yield_Pa=layer.yield_Pa + layer.hardening_Pa * prestrain)


def thinned(layer: ArmLayer, foil_elongation: float) -> ArmLayer:
    """The layer elongated plastically in plane strain at constant volume: thickness h / (1 + eps_xx)."""
    return replace(layer, thickness_m=layer.thickness_m / (1.0 + foil_elongation))


def press_effects(toughness_J_per_m2: float, angle_deg: float, arm: list[ArmLayer],
                  foundation: list[FoundationLayer], strength_Pa: float, foil_elongation: float,
                  retained: float = 1.0, bond_line_sensitivity: bool = False, force=None) -> dict:
    """Named contributions (N/mm) of the nip-worked foil to the closed-form steady peel force.

    `arm`: the peel arm (the worked foil is its top layer, the one the nip rolled on; the others are
    unchanged); `foil_elongation`: the foil's plastic in-plane strain from the nip (FEM nip); `retained`: the
    fraction of the cold work that survives recovery after the nip. Each contribution is the force with that
    mechanism alone minus the force of the virgin foil; `interaction` is what the two together add beyond
    their sum; `force_with_press_effects_N_per_mm` has both. `force(arm, foundation)` -> N/mm: the steady
    peel to use (default: analytic/peel.steady_peel with the cohesive root of `strength_Pa`; the peel step passes
    its cached one). `bond_line_sensitivity`: also the force change for a 10 % thinner first foundation layer."""
    if not 0.0 <= retained <= 1.0:
        raise ValueError(f"retained={retained!r} must be in [0, 1]")
    if not (math.isfinite(foil_elongation) and -0.5 < foil_elongation < 1.0):
        raise ValueError(f"foil_elongation={foil_elongation!r} must be in (-0.5, 1)")
    law = CohesiveLaw(strength_Pa)
    if force is None:
        def force(a, f):
            return steady_peel(toughness_J_per_m2, angle_deg, list(a), list(f), cohesive=law).force_N_per_m * 1e-3

    eps_p = retained * equivalent_plastic_strain(foil_elongation)
    foil = arm[-1]
    worked = [*arm[:-1], cold_worked(foil, eps_p)]
    thin = [*arm[:-1], thinned(foil, foil_elongation)]
    both = [*arm[:-1], thinned(cold_worked(foil, eps_p), foil_elongation)]
    F0, Fc, Ft, Fb = (force(a, foundation) for a in (arm, worked, thin, both))
    out = {"foil_plastic_elongation": float(foil_elongation), "foil_prestrain_equivalent": eps_p,
           "cold_work_retained": retained,
           "foil_yield_MPa": {"virgin": foil.yield_Pa * 1e-6 if math.isfinite(foil.yield_Pa) else None,
                              "worked": worked[-1].yield_Pa * 1e-6 if math.isfinite(foil.yield_Pa) else None},
           "foil_thickness_um": {"virgin": foil.thickness_m * 1e6, "worked": both[-1].thickness_m * 1e6},
           "force_virgin_foil_N_per_mm": F0, "force_with_press_effects_N_per_mm": Fb,
           "contributions_N_per_mm": {"cold_work": Fc - F0, "foil_thinning": Ft - F0,
                                      "interaction": Fb - Fc - Ft + F0, "bond_line_thinning": None,
                                      "residual_stress": None}}
    if bond_line_sensitivity and foundation:
        f = list(foundation)
        f[0] = replace(f[0], thickness_m=f[0].thickness_m * (1.0 - BOND_LINE_SENSITIVITY_THINNING))
        out["bond_line_sensitivity_N_per_mm_per_10_percent_thinner"] = force(arm, f) - F0
    return out
