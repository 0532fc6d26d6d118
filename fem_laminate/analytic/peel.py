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

Root with a cohesive zone, elastic-plastic (root="cohesive", the default; analytic/peel_zone.py, derived here,
docs/theory/peel.md). The bonded arm ahead of the tip is the arm's own section (loading branch, then elastic
unloading) on the softening law in series with the Winkler spring; shot from far ahead to the fully open tip, it
gives the largest curvature kappa_peak(Q) any section of the arm reaches. Every fibre then runs the cycle
straight -> kappa_peak -> straight, and (1) alone gives the force: P (1 - cos theta) + P^2/(2 EA') =
G_c + W(kappa_peak(P sin theta)); the first integral (2) is not used. A deeply plastic arm yields inside the zone,
which turns its root by 10-30 deg: the elastic zone beam below (8 deg for Example 1) does not see that, and gave
1.5 x the FEM's force at 90 deg. Optionally (zone_axial_force) the zone beam also carries the pull's axial
component N = P cos theta as a beam-column; then (2) holds at the traction-weighted theta_0 (4) within 1 %
(tested), but the FEM does not follow it (at 180 deg the FEM's arm enters the tip with Int kappa dM = G_c, not
G_c - P phi^2/2), so it is off by default (docs/theory/peel.md).

Root with a cohesive zone, elastic bonded beam (root="cohesive_elastic"; the previous default). A real interface
(and the FEM) softens over a zone ahead of the traction-free crack tip; that zone is a compliant hinge the
Winkler root (3) does not have. The bonded arm (x >= 0 ahead of the tip, opening w) is an elastic beam on a
bilinear cohesive law (strength sigma_c, toughness G_c, initial stiffness K0) in series with the Winkler spring k:

    zone 0 <= x <= c:  EI w'''' = -s* (delta_f - w),   delta_f = 2 G_c / sigma_c,
                       s = sigma_c / (delta_f - sigma_c / K0),  s* = s / (1 - s / k)   (softening in series with k)
    x >= c:            EI w'''' = -k_e w,   k_e = (1/k + 1/K0)^-1,   w(c) = sigma_c / k_e   (peak of the law)

with w and its first three derivatives continuous at c, and at the tip the two conditions that are exact: the zone
fully open, w(0) = delta_f (sigma = 0), and vertical equilibrium of the bonded part, EI w'''(0) = Int sigma dx
= Q = P sin theta. They fix the zone length c and the tip moment. The first integral (2) starts at the section of
peak moment x* (V(x*) = 0: there the arm's curvature peaks, kappa_0; the FEM's root is that section). Between
the tip and x* tractions act, and d/dx (Int kappa dM - V w') = sigma w' (any moment-curvature law) gives, to first
order in the zone's slopes, (2) with

    theta_0 = Int_0^x* sigma |w'| dx / Int_0^x* sigma dx    (traction-weighted slope between the tip and x*)  (4)

The softening is stable against the spring only while s < k, i.e. sigma_c < sqrt(2 G_c k_e); above that the
interface is brittle at the tip and the Winkler root (3) is used (noted). The bonded beam is elastic, as in KLW:
its peak moment is reported beside the arm's M_0 (equal for an elastic arm; a deeply plastic arm makes them differ).
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import brentq

from .peel_root import CohesiveLaw, CohesiveRoot, WinklerRoot  # noqa: F401  (re-exported: ap.CohesiveLaw, ...)
from .peel_zone import ZoneBeam  # noqa: F401  (re-exported: ap.ZoneBeam)

N_FIBRES = 2000  # fibres through the arm: the cycle work converges as 1/N^2 away from the yield kink


@dataclass(frozen=True)
class ArmLayer:
    """One layer of the peeled arm (SI, uniaxial values; plane strain is applied here). From a stack layer at a
    temperature: physics/laws/layer_views.arm_layer."""
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
    root: str = "winkler"              # root model used: "winkler" (3), "cohesive", "cohesive_elastic" (4), "given"
    zone_length_m: float = 0.0         # cohesive root: softening zone ahead of the traction-free crack tip
    crack_tip_rotation_deg: float | None = None  # cohesive root: slope of the arm at the crack tip
    zone_peak_moment_N: float | None = None      # cohesive root: peak moment of the bonded (elastic) beam

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

    @functools.cached_property
    def loading_branch(self) -> tuple[np.ndarray, np.ndarray]:
        """(kappa, M) on the monotonic loading branch, 0 to 1e4 kappa_e (tabulated once; the zone beam reads it)."""
        ke = self.kappa_e if math.isfinite(self.kappa_e) else 1.0
        k = np.concatenate([[0.0], np.geomspace(1e-3 * ke, 1e4 * ke, 400)])
        return k, np.array([self.cycle(x)[0] if x > 0.0 else 0.0 for x in k])

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
def _root_rotation(C: float, M0: float, theta: float, root) -> tuple[float, float]:
    """theta_0 and P for a given root state from (2) and the root model: first root of theta_0 = f(theta_0)."""
    grid = np.linspace(0.0, theta * (1 - 1e-6), 400)
    P = C / (1.0 - np.cos(theta - grid))
    vals = grid - root.rotation(P * math.sin(theta), M0)
    s = np.flatnonzero(np.sign(vals[:-1]) != np.sign(vals[1:]))
    if not s.size:
        raise ValueError(f"no root rotation below the peel angle ({root.name} root): foundation too soft for "
                         "this beam model")

    def res(t0):
        return t0 - float(root.rotation(C / (1.0 - math.cos(theta - t0)) * math.sin(theta), M0))

    t0 = brentq(res, grid[s[0]], grid[s[0] + 1], xtol=1e-14)
    return t0, C / (1.0 - math.cos(theta - t0))


def steady_peel(toughness_J_per_m2: float, angle_deg: float, arm: list[ArmLayer],
                foundation: list[FoundationLayer] | None = None,
                root_rotation_deg: float | None = None, root: str = "cohesive",
                cohesive: CohesiveLaw | None = None, zone_axial_force: bool = False) -> PeelResult:
    """Steady peel force per width of `arm` peeled at `angle_deg` from an interface of toughness G_c.

    `foundation`: layers between the interface and the rigid base (None or []: rigid).
    `root`: "cohesive" (default; the elastic-plastic zone beam and the energy balance, needs `cohesive`, the
    interface's traction-separation law), "cohesive_elastic" ((4) on the elastic zone beam, the first integral)
    or "winkler" ((3), KLW: intact interface up to the crack tip; no rotation on a rigid base).
    `root_rotation_deg`: a given root rotation theta_0 (measured, as KLW allow, or from an FEM) instead of
    either model; the foundation is then not used.
    `zone_axial_force`: the zone beam carries the pull's axial component N = P cos theta (a beam-column; off by
    default: the FEM's bonded arm does not show it, docs/theory/peel.md).
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
    notes = []
    k = winkler_stiffness(foundation or [])
    root_model = None if root_rotation_deg is not None else _root_model(root, cohesive, sec, k, G, notes)
    if isinstance(root_model, ZoneBeam):
        zone_at = None if not zone_axial_force else (lambda N: _root_model(root, cohesive, sec, k, G, [], N))
        return _peel_by_energy(G, theta, sec, root_model, notes, zone_at)

    def state(kappa0):
        M0, C, W = sec.cycle(kappa0)
        if root_model is None:
            t0 = math.radians(root_rotation_deg)
            return C / (1.0 - math.cos(theta - t0)), t0, M0, W
        t0, P = _root_rotation(C, M0, theta, root_model)
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
    _limit_notes(P, theta, sec, root_model, notes)
    zone = {}
    if isinstance(root_model, CohesiveRoot):
        z = root_model.state(_tip_shear(P, theta))
        zone = dict(zone_length_m=z["zone_length_m"], crack_tip_rotation_deg=math.degrees(z["crack_tip_rotation_rad"]),
                    zone_peak_moment_N=z["zone_peak_moment_N"])
        if z["zone_peak_moment_N"] > 1.25 * M0:
            notes.append(f"the bonded (elastic) beam's peak moment is {z['zone_peak_moment_N'] / M0:.2g} x the arm's "
                         "root moment: the arm is plastic inside the zone, which the elastic zone beam does not follow")
    return PeelResult(force_N_per_m=P, toughness_J_per_m2=G, angle_deg=float(angle_deg), plastic_work_J_per_m2=W,
                      plastic_dissipation_fraction=W / external, root_curvature_1_per_m=kappa0,
                      root_rotation_deg=math.degrees(t0), root_moment_N=M0,
                      elastic_limit_curvature_1_per_m=sec.kappa_e, arm_yields=bool(kappa0 > sec.kappa_e),
                      notes=notes, root=root_model.name if root_model is not None else "given", **zone)


ROOTS = ("cohesive", "cohesive_elastic", "winkler")


def _peel_by_energy(G: float, theta: float, sec: Section, zone: ZoneBeam, notes: list, zone_at) -> PeelResult:
    """(1) with kappa_0 = the zone beam's peak curvature at Q = P sin theta: the force without a root rotation.

    At given axial force N, f(P) = P (1 - cos theta) + P^2/(2 EA') - G - W(kappa_peak(P sin theta)) rises with P
    (a larger tip shear bends the root less), and f(Kendall's force) = -W <= 0, which brackets the root. With
    `zone_at` (zone_axial_force), the zone carries N = P cos theta (`zone_at(N)` builds it): a fixed point in P,
    iterated (secant) to 1e-3."""
    P = _solve_force(G, theta, sec, zone)
    if zone_at is not None and abs(math.cos(theta)) > 1e-9:
        P_prev = g_prev = None
        for _ in range(12):
            loaded = zone_at(P * math.cos(theta))
            if not isinstance(loaded, ZoneBeam):
                notes.append("no steady zone under the axial force P cos(theta): the zone carries none")
                break
            zone = loaded
            g = _solve_force(G, theta, sec, zone) - P
            P_new = P + g if P_prev is None or g == g_prev else P - g * (P - P_prev) / (g - g_prev)
            P_prev, g_prev, P = P, g, max(P_new, 0.5 * P)
            if abs(P - P_prev) < 1e-3 * P:  # secant step below 1e-3 (the force is ~0.2 x as sensitive to N)
                break
        else:
            notes.append(f"axial-force iteration of the zone settled only to {abs(P - P_prev) / P:.1g} of the force")
        P = _solve_force(G, theta, sec, zone)
    return _zone_result(G, theta, sec, zone, notes, P)


def _tip_shear(P: float, theta: float) -> float:
    """Q = P sin theta, exactly 0 at 180 deg (the zone table is interpolated at Q)."""
    s = math.sin(theta)
    return 0.0 if s < 1e-12 else P * s


def _zone_parts(P, theta, sec, zone):
    k0 = float(zone.peak_curvature(_tip_shear(P, theta)))
    M0, _, W = sec.cycle(k0) if k0 > 0.0 else (0.0, 0.0, 0.0)
    return k0, M0, W


def _solve_force(G, theta, sec, zone) -> float:
    c = 1.0 - math.cos(theta)

    def f(P):
        return P * c + P ** 2 / (2.0 * sec.EA) - G - _zone_parts(P, theta, sec, zone)[2]

    lo = kendall_force(G, math.degrees(theta), sec.EA)
    hi = 2.0 * lo
    while f(hi) < 0.0:
        hi *= 2.0
        if hi > 1e6 * lo:
            raise ValueError("no steady peel: the arm dissipates all the work in bending (fully plastic hinge limit)")
    return lo if f(lo) >= 0.0 else brentq(f, lo, hi, xtol=1e-12 * lo, rtol=1e-12)


def _limit_notes(P: float, theta: float, sec: Section, root_model, notes: list) -> None:
    """The two limits of the closed form at the solution: arm tension plasticity, and a tip shear beyond the
    largest a steady cohesive zone carries (either zone beam)."""
    if P / sec.EA > 0.5 * np.min(sec.sy / sec.E):
        notes.append("peel force stretches the arm beyond half its yield strain: arm tension plasticity ignored")
    Q = _tip_shear(P, theta)
    if isinstance(root_model, (CohesiveRoot, ZoneBeam)) and not root_model.covers(Q):
        notes.append(f"tip shear {Q:.4g} N/m beyond the largest a steady cohesive zone carries "
                     f"({root_model.Q[-1]:.4g} N/m): root taken at that limit")


def _zone_result(G, theta, sec, zone, notes, P) -> PeelResult:
    k0, M0, W = _zone_parts(P, theta, sec, zone)
    Q = _tip_shear(P, theta)
    _limit_notes(P, theta, sec, zone, notes)
    z = zone.state(Q)
    external = P * (1.0 - math.cos(theta)) + P ** 2 / (2.0 * sec.EA)
    return PeelResult(force_N_per_m=P, toughness_J_per_m2=G, angle_deg=math.degrees(theta), plastic_work_J_per_m2=W,
                      plastic_dissipation_fraction=W / external, root_curvature_1_per_m=k0,
                      root_rotation_deg=math.degrees(float(zone.rotation(Q))), root_moment_N=M0,
                      elastic_limit_curvature_1_per_m=sec.kappa_e, arm_yields=bool(k0 > sec.kappa_e), notes=notes,
                      root=zone.name, zone_length_m=z["zone_length_m"],
                      crack_tip_rotation_deg=math.degrees(z["crack_tip_rotation_rad"]),
                      zone_peak_moment_N=z["zone_peak_moment_N"])


def _root_model(root: str, cohesive: CohesiveLaw | None, sec: Section, k: float, G: float, notes: list,
                N: float = 0.0):
    if root == "winkler":
        return WinklerRoot(sec.EI, k)
    if root not in ROOTS:
        raise ValueError(f"root={root!r} must be one of {ROOTS}")
    if cohesive is None:
        raise ValueError(f"root={root!r} needs the interface's cohesive law (cohesive=CohesiveLaw(strength_Pa))")
    model = ZoneBeam(sec, k, G, cohesive, N) if root == "cohesive" else CohesiveRoot(sec.EI, k, G, cohesive)
    if getattr(model, "rigid", False):  # the elastic zone beam has the clamped solution the shooting lacks
        notes.append("rigid foundation and rigid cohesive law: the elastic zone beam (cohesive_elastic) is used")
        model = CohesiveRoot(sec.EI, k, G, cohesive)
    if model.valid:
        return model
    notes.append(f"cohesive strength {cohesive.strength_Pa / 1e6:.4g} MPa >= sqrt(2 G_c k_e) = "
                 f"{model.brittle_above_Pa / 1e6:.4g} MPa: no stable softening zone, Winkler root used")
    return WinklerRoot(sec.EI, k)


def toughness_for_force(force_N_per_m: float, angle_deg: float, arm: list[ArmLayer],
                        foundation: list[FoundationLayer] | None = None, root: str = "cohesive",
                        cohesive: CohesiveLaw | None = None) -> float:
    """Inverse of `steady_peel`: the interface toughness that gives a measured steady peel force."""
    F = float(force_N_per_m)
    if not F > 0.0:
        raise ValueError(f"force_N_per_m={force_N_per_m!r} must be > 0")

    def err(logG):
        return math.log(steady_peel(math.exp(logG), angle_deg, arm, foundation, root=root,
                                    cohesive=cohesive).force_N_per_m / F)

    G_el = F * (1.0 - math.cos(math.radians(angle_deg)))
    lo, hi = math.log(G_el * 1e-3), math.log(G_el * 1.01)
    return math.exp(brentq(err, lo, hi, xtol=1e-8))


def kendall_force(toughness_J_per_m2: float, angle_deg: float, EA_per_width: float = math.inf) -> float:
    """Elastic arm (Kendall 1975): (P^2/(2 EA)) + P (1 - cos theta) - G = 0 solved for P (per width)."""
    c = 1.0 - math.cos(math.radians(angle_deg))
    if not math.isfinite(EA_per_width):
        return toughness_J_per_m2 / c
    a = 1.0 / (2.0 * EA_per_width)
    return (-c + math.sqrt(c * c + 4.0 * a * toughness_J_per_m2)) / (2.0 * a)
