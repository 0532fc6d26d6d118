"""Steady-state peel of an elastic-plastic arm from an elastic foundation: closed-form energy balance.

The framework is that of Kim & Aravas, Int. J. Solids Struct. 24 (1988) 417 and Kinloch, Lau & Williams,
Int. J. Fract. 66 (1994) 45 (KLW, the basis of ICPeel): per unit area peeled (per unit width for forces),

    G_c = P (1 - cos theta) + P^2 / (2 (EA)')  -  G_pb                                        (1)

with P the peel force per width, (EA)' the arm's plane-strain axial stiffness per width (the stretch term of
Kendall, J. Phys. D 8 (1975) 1449) and G_pb the work the arm absorbs in its bending cycle as it passes the root
(straight -> root curvature kappa_0 -> straight again far along the pulled arm). For an elastic arm G_pb = 0
and (1) is the Rivlin/Kendall result  P (1 - cos theta) = G_c  (plus the small stretch term).

The root curvature follows from the arm's equilibrium dM/ds = P sin(theta - phi) along the peeled arm, whose
first integral (the elastica's, written for a nonlinear moment-curvature law) is

    Int_{M_far}^{M_0} kappa dM  =  P (1 - cos(theta - theta_0))                                (2)

taken along the *unloading* branch that the material follows after it has passed the root (derived here: the
arm is straight far away, kappa = 0, with the reverse moment M_far that straightens it). For an elastic arm
(2) is E I kappa_0^2 / 2 = P (1 - cos(theta - theta_0)) (elastica). The root rotates toward the pull because
the bonded arm is a beam on a Winkler foundation (the polyimide layers beneath, springs in series over a rigid
base, stiffness k per area); for a semi-infinite beam under end force Q and end moment M_0 (Hetenyi, Beams on
Elastic Foundation, 1946; used so by KLW, their theta_0 = kappa_0/lambda for the moment term):

    theta_0 = (2 lambda^2 / k) (Q + 2 lambda M_0),   lambda = (k / (4 E I))^(1/4),   Q = P sin theta   (3)

The bonded beam is taken elastic in (3) (an assumption of KLW too). The bending cycle is integrated exactly
over the thickness (fibres, eps = z kappa about the elastic neutral axis) for an elastic-linear-hardening
material (isotropic hardening; H = 0 gives elastic-perfectly-plastic). Plane strain: E' = E/(1-nu^2), and
the J2 plane-strain yield and hardening sigma_y' = 2 sigma_y / sqrt(3), H' = 4 H / 3 (incompressible flow,
an approximation for the elastic-plastic transition: derived here, not from KLW, who use uniaxial values).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import brentq

N_FIBRES = 2000  # fibres through the arm: the cycle work converges as 1/N^2 away from the yield kink


@dataclass(frozen=True)
class ArmLayer:
    """One layer of the peeled arm (SI, uniaxial values; plane strain is applied here)."""
    E_Pa: float
    nu: float
    thickness_m: float
    yield_Pa: float = math.inf  # inf: elastic (polymer layers of the arm)
    hardening_Pa: float = 0.0   # linear isotropic hardening modulus (d sigma / d eps_p)


@dataclass(frozen=True)
class FoundationLayer:
    """A layer between the peeled interface and the rigid base (Winkler spring of stiffness E'/h)."""
    E_Pa: float
    nu: float
    thickness_m: float


@dataclass(frozen=True)
class PeelResult:
    force_N_per_m: float
    toughness_J_per_m2: float
    angle_deg: float
    plastic_work_J_per_m2: float       # G_pb, work of the arm's bending cycle per area peeled
    plastic_dissipation_fraction: float  # G_pb / (P (1 - cos theta) + stretch): share of the external work
    root_curvature_1_per_m: float
    root_rotation_deg: float
    root_moment_N: float               # per width (N m / m)
    elastic_limit_curvature_1_per_m: float
    arm_yields: bool
    notes: list = field(default_factory=list)

    @property
    def force_N_per_mm(self) -> float:
        return self.force_N_per_m * 1e-3


# -- the arm's section ---------------------------------------------------------------------------------
class Section:
    """Fibres of the arm about its elastic (plane-strain) neutral axis; properties per fibre."""

    def __init__(self, layers: list[ArmLayer], n: int = N_FIBRES):
        if not layers:
            raise ValueError("arm must have at least one layer")
        h = np.array([lay.thickness_m for lay in layers])
        if np.any(h <= 0):
            raise ValueError(f"arm layer thicknesses must be > 0, got {h}")
        top = np.cumsum(h)
        z = (np.arange(n) + 0.5) / n * top[-1]
        k = np.searchsorted(top, z)
        pick = lambda f: np.array([f(lay) for lay in layers])[k]  # noqa: E731
        Ep = pick(lambda L: L.E_Pa / (1.0 - L.nu ** 2))
        self.dz = top[-1] / n
        self.thickness_m = float(top[-1])
        self.EA = float(np.sum(Ep) * self.dz)
        zc = float(np.sum(Ep * z) / np.sum(Ep))
        self.z = z - zc
        self.E = Ep
        self.sy = pick(lambda L: 2.0 / math.sqrt(3.0) * L.yield_Pa)
        self.H = pick(lambda L: 4.0 / 3.0 * L.hardening_Pa)
        self.EI = float(np.sum(Ep * self.z ** 2) * self.dz)
        with np.errstate(divide="ignore", invalid="ignore"):
            self.kappa_e = float(np.min(np.where(np.isfinite(self.sy), self.sy / (Ep * np.abs(self.z)), np.inf)))

    def cycle(self, kappa0: float) -> tuple[float, float, float]:
        """Bending cycle 0 -> kappa0 -> 0: returns (M0, Int kappa dM on unloading, cycle work), per width.

        Per fibre, uniaxial elastic-linear-hardening (isotropic) law in closed form: loading to eps0, elastic
        unloading through 2 sigma0 / E, then reverse yielding on the hardening slope E_t = E H / (E + H).
        """
        E, sy, H = self.E, self.sy, self.H
        e0 = np.abs(self.z) * kappa0
        plastic = e0 > sy / E
        sy_p = np.where(plastic, sy, 0.0)  # finite where it is used (sy = inf for elastic fibres)
        ey = sy_p / E
        Et = E * H / (E + H)
        s0 = np.where(plastic, sy_p + Et * (e0 - ey), E * e0)
        w_load = np.where(plastic, 0.5 * sy_p * ey + 0.5 * (sy_p + s0) * (e0 - ey), 0.5 * E * e0 ** 2)
        e1 = e0 - 2.0 * s0 / E  # strain left when reverse yield starts (> 0: reverse plasticity)
        reverse = e1 > 0.0
        s_end = np.where(reverse, -s0 - Et * np.maximum(e1, 0.0), s0 - E * e0)
        w_unl = np.where(reverse, 0.5 * (s0 - s_end) * np.maximum(e1, 0.0), -0.5 * (s0 + s_end) * e0)
        dz = self.dz
        M0 = float(np.sum(s0 * np.abs(self.z)) * dz)
        W_unl = float(np.sum(w_unl) * dz)
        W = float(np.sum(w_load + w_unl) * dz)
        return M0, kappa0 * M0 + W_unl, W


def winkler_stiffness(foundation: list[FoundationLayer]) -> float:
    """Springs in series over a rigid base, per unit area (N/m^3); plane-strain moduli. inf: rigid."""
    c = sum(L.thickness_m * (1.0 - L.nu ** 2) / L.E_Pa for L in foundation)
    return math.inf if c == 0.0 else 1.0 / c


# -- the steady-state solution ------------------------------------------------------------------------
def _root_rotation(C: float, M0: float, theta: float, lam: float, k: float) -> tuple[float, float]:
    """theta_0 and P for a given root state from (2) and (3): first root of theta_0 = f(theta_0)."""
    if not math.isfinite(k):
        return 0.0, C / (1.0 - math.cos(theta))
    c1 = 2.0 * lam ** 2 / k

    def res(t0):
        P = C / (1.0 - math.cos(theta - t0))
        return t0 - c1 * (P * math.sin(theta) + 2.0 * lam * M0)

    grid = np.linspace(0.0, theta * (1 - 1e-6), 400)
    vals = np.array([res(t) for t in grid])
    s = np.flatnonzero(np.sign(vals[:-1]) != np.sign(vals[1:]))
    if not s.size:
        raise ValueError("no root rotation below the peel angle: foundation too soft for this beam model "
                         f"(k = {k:.3g} N/m^3)")
    t0 = brentq(res, grid[s[0]], grid[s[0] + 1], xtol=1e-14)
    return t0, C / (1.0 - math.cos(theta - t0))


def steady_peel(toughness_J_per_m2: float, angle_deg: float, arm: list[ArmLayer],
                foundation: list[FoundationLayer] | None = None,
                root_rotation_deg: float | None = None) -> PeelResult:
    """Steady peel force per width of `arm` peeled at `angle_deg` from an interface of toughness G_c.

    `foundation`: layers between the interface and the rigid base (None or []: rigid, no root rotation).
    `root_rotation_deg`: a given root rotation theta_0 (measured, as KLW allow, or from an FEM) instead of
    the Winkler estimate (3); the foundation is then not used.
    """
    G = float(toughness_J_per_m2)
    if not (G > 0.0 and math.isfinite(G)):
        raise ValueError(f"toughness_J_per_m2={toughness_J_per_m2!r} must be finite and > 0")
    if not 0.0 < angle_deg <= 180.0:
        raise ValueError(f"angle_deg={angle_deg!r} must be in (0, 180]")
    theta = math.radians(angle_deg)
    if root_rotation_deg is not None and not 0.0 <= root_rotation_deg < angle_deg:
        raise ValueError(f"root_rotation_deg={root_rotation_deg!r} must be in [0, angle_deg)")
    sec = Section(arm)
    k = winkler_stiffness(foundation or [])
    lam = (k / (4.0 * sec.EI)) ** 0.25 if math.isfinite(k) else math.inf

    def state(kappa0):
        M0, C, W = sec.cycle(kappa0)
        if root_rotation_deg is not None:
            t0 = math.radians(root_rotation_deg)
            return C / (1.0 - math.cos(theta - t0)), t0, M0, W
        t0, P = _root_rotation(C, M0, theta, lam, k)
        return P, t0, M0, W

    def excess(log_kappa0):
        P, _, _, W = state(math.exp(log_kappa0))
        return P * (1.0 - math.cos(theta)) + P ** 2 / (2.0 * sec.EA) - W - G

    # elastic estimate of the root curvature brackets the search (plasticity only raises kappa0 at given G)
    k_el = math.sqrt(2.0 * G / sec.EI)
    lo = hi = math.log(k_el * 1e-2)
    while excess(hi) < 0.0:
        lo, hi = hi, hi + 0.25
        if hi > math.log(k_el) + 40:
            raise ValueError(f"no steady peel found up to root curvature {math.exp(hi):.3g} 1/m: the arm "
                             "dissipates all the work in bending (fully plastic hinge limit)")
    kappa0 = math.exp(brentq(excess, lo, hi, xtol=1e-12, rtol=1e-12))
    P, t0, M0, W = state(kappa0)
    external = P * (1.0 - math.cos(theta)) + P ** 2 / (2.0 * sec.EA)
    notes = []
    if P / sec.EA > 0.5 * np.min(sec.sy / sec.E):
        notes.append("peel force stretches the arm beyond half its yield strain: arm tension plasticity ignored")
    return PeelResult(force_N_per_m=P, toughness_J_per_m2=G, angle_deg=float(angle_deg), plastic_work_J_per_m2=W,
                      plastic_dissipation_fraction=W / external, root_curvature_1_per_m=kappa0,
                      root_rotation_deg=math.degrees(t0), root_moment_N=M0,
                      elastic_limit_curvature_1_per_m=sec.kappa_e, arm_yields=bool(kappa0 > sec.kappa_e),
                      notes=notes)


def toughness_for_force(force_N_per_m: float, angle_deg: float, arm: list[ArmLayer],
                        foundation: list[FoundationLayer] | None = None) -> float:
    """Inverse of `steady_peel`: the interface toughness that gives a measured steady peel force."""
    F = float(force_N_per_m)
    if not F > 0.0:
        raise ValueError(f"force_N_per_m={force_N_per_m!r} must be > 0")

    def err(logG):
        return math.log(steady_peel(math.exp(logG), angle_deg, arm, foundation).force_N_per_m / F)

    G_el = F * (1.0 - math.cos(math.radians(angle_deg)))
    lo, hi = math.log(G_el * 1e-4), math.log(G_el * 1.01)
    return math.exp(brentq(err, lo, hi, xtol=1e-10))


def kendall_force(toughness_J_per_m2: float, angle_deg: float, EA_per_width: float = math.inf) -> float:
    """Elastic arm (Kendall 1975): (P^2/(2 EA)) + P (1 - cos theta) - G = 0 solved for P (per width)."""
    c = 1.0 - math.cos(math.radians(angle_deg))
    if not math.isfinite(EA_per_width):
        return toughness_J_per_m2 / c
    a = 1.0 / (2.0 * EA_per_width)
    return (-c + math.sqrt(c * c + 4.0 * a * toughness_J_per_m2)) / (2.0 * a)
