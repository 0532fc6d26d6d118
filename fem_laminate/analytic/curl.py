"""Closed forms for the curl of a free layered plate under in-plane mismatch (eigen)strains.

Conventions (shared with physics/models/large_deflection.py and curl.py): layers bottom-up as
(E_Pa, nu, thickness_m, eigenstrain); a layer held flat carries sigma_i = E_i/(1-nu_i) (c - eps*_i);
curvature is positive when the top layer is on the concave side (w = kappa r^2 / 2 with the
in-plane strain c - kappa z).

1. Linear, equi-biaxial curvature of a multilayer (force and moment balance of the layers):
   C.H. Hsueh, "Modeling of elastic deformation of multilayers due to residual stresses and
   external bending", J. Appl. Phys. 91 (2002) 9652, with the biaxial modulus E/(1-nu).
2. Cylindrical limit (kappa_y = 0, N_x = N_y = M_x = 0): the far post-bifurcation state.
3. Bifurcation of the spherical into the cylindrical shape, in the uniform-curvature Ritz model
   w = (a x^2 + b y^2)/2 used by Masters & Salamon (Int. J. Eng. Sci. 31 (1993) 915; J. Appl. Mech.
   1994) and Freund (J. Mech. Phys. Solids 48 (2000) 1159); Mansfield (Proc. R. Soc. A 268 (1962)
   316) showed it is exact for a lens-shaped plate. The energy per unit area is
       D/2 [(a-k0)^2 + (b-k0)^2 + 2 nu (a-k0)(b-k0)] + (c_m / area) (Eh) a^2 b^2,
   where k0 is the linear curvature (1.) and c_m (Eh)(ab)^2 is the least membrane energy of the
   free plate whose Gaussian curvature is ab. Stationarity gives (derived here, see the docstrings):
       symmetric branch   k0 = a + 2 c_m Eh a^3 / (area D (1+nu))
       bifurcation        a b = kc^2,  kc^2 = D (1-nu) area / (2 c_m Eh)
       asymmetric branch  a + b = (1+nu) k0,  a b = kc^2     (major -> (1+nu) k0 for k0 >> kc)
   For a homogeneous disc of radius R, c_m = pi R^6 / 384 (Airy stress function, free edge) and
   kc R^2 / h = 4 / sqrt(1+nu). For a rectangle c_m has no closed form: it is computed here once by a
   small plane-stress finite-element solve (it does not depend on nu, see membrane_coefficient_m6).
   NOTE: the constants above were derived in this module from the stated energy; the papers were not
   available to check their printed numbers against.
4. Lift of a curled strip lying on a rigid table under its own weight (lift_on_table), small-slope beam on
   a rigid foundation, derived here: lift = D k^2 / (2 q) over the lifted length sqrt(2 D k / q).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np


@dataclass(frozen=True)
class PlateLayer:
    """One layer of the plate (SI). From a stack layer at a temperature: physics/laws/layer_views.plate_layer."""
    E_Pa: float
    nu: float
    thickness_m: float
    eigenstrain: float = 0.0
    gradient_per_m: float = 0.0  # d(eigenstrain)/dz about the layer's mid-plane (a layer formed curved)


def _check(layers):
    if len(layers) < 1:
        raise ValueError("layers: need at least one layer, got 0")
    for i, L in enumerate(layers):
        if not (L.E_Pa > 0):
            raise ValueError(f"layers[{i}].E_Pa = {L.E_Pa}: must be > 0")
        if not (-1.0 < L.nu < 0.5):
            raise ValueError(f"layers[{i}].nu = {L.nu}: must be in (-1, 0.5)")
        if not (L.thickness_m > 0):
            raise ValueError(f"layers[{i}].thickness_m = {L.thickness_m}: must be > 0")


def _z_moments(layers):
    """Per-layer integrals of 1, z, z^2 over the thickness (z from the bottom)."""
    h = np.array([L.thickness_m for L in layers])
    z = np.concatenate([[0.0], np.cumsum(h)])
    z0, z1 = z[:-1], z[1:]
    return z1 - z0, (z1**2 - z0**2) / 2, (z1**3 - z0**3) / 3


def _gradient_moment(layers) -> np.ndarray:
    """Per layer, int g (z - z_mid) z dz = g h^3 / 12: the first moment of an eigenstrain gradient."""
    return np.array([L.gradient_per_m * L.thickness_m**3 / 12.0 for L in layers])


def linear_curvature(layers) -> tuple[float, float]:
    """Equi-biaxial small-deflection curvature (1/m) and mid-plane... strain c at z = 0 of a free multilayer.

    Solves sum_i M_i int (c - k z - eps_i(z)) [1, z] dz = 0 with M_i = E_i/(1-nu_i) (Hsueh 2002) and
    eps_i(z) = eigenstrain + gradient_per_m (z - mid-plane of layer i).
    Returns (kappa, c).
    """
    _check(layers)
    m0, m1, m2 = _z_moments(layers)
    M = np.array([L.E_Pa / (1 - L.nu) for L in layers])
    e = np.array([L.eigenstrain for L in layers])
    A = np.array([[np.sum(M * m0), -np.sum(M * m1)], [np.sum(M * m1), -np.sum(M * m2)]])
    rhs = np.array([np.sum(M * e * m0), np.sum(M * (e * m1 + _gradient_moment(layers)))])
    c, k = np.linalg.solve(A, rhs)
    return float(k), float(c)


def cylindrical_curvature(layers) -> float:
    """Curvature of the free multilayer constrained to kappa_y = 0 (plane-stress layers, N_x = N_y = M_x = 0).

    The far post-bifurcation (cylindrical) curvature; equals (1+nu) k0 when all layers share nu.
    """
    _check(layers)
    m0, m1, m2 = _z_moments(layers)
    Q = np.array([L.E_Pa / (1 - L.nu**2) for L in layers])
    nu = np.array([L.nu for L in layers])
    e = np.array([L.eigenstrain for L in layers])
    gm = _gradient_moment(layers)
    # unknowns (cx, cy, k); strains ex = cx - k z, ey = cy; stresses Q[(ex - e) + nu (ey - e)] etc.
    A = np.array([
        [np.sum(Q * m0), np.sum(Q * nu * m0), -np.sum(Q * m1)],          # N_x
        [np.sum(Q * nu * m0), np.sum(Q * m0), -np.sum(Q * nu * m1)],     # N_y
        [np.sum(Q * m1), np.sum(Q * nu * m1), -np.sum(Q * m2)],          # M_x
    ])
    rhs = np.array([np.sum(Q * (1 + nu) * e * m0), np.sum(Q * (1 + nu) * e * m0),
                    np.sum(Q * (1 + nu) * (e * m1 + gm))])
    return float(np.linalg.solve(A, rhs)[2])


@dataclass(frozen=True)
class EquivalentPlate:
    """Homogenised plate used by the Ritz model: bending stiffness about the neutral plane, membrane Eh, nu."""
    D_Nm: float
    Eh_N_per_m: float
    nu: float
    thickness_m: float


def equivalent_plate(layers) -> EquivalentPlate:
    """Bending stiffness about the neutral plane, membrane stiffness and stiffness-weighted nu.

    Exact for layers of one nu (then membrane and bending decouple about the neutral plane);
    an approximation otherwise.
    """
    _check(layers)
    m0, m1, m2 = _z_moments(layers)
    Q = np.array([L.E_Pa / (1 - L.nu**2) for L in layers])
    nu = float(np.sum(Q * m0 * [L.nu for L in layers]) / np.sum(Q * m0))
    A = float(np.sum(Q * m0))
    zn = float(np.sum(Q * m1) / A)
    D = float(np.sum(Q * (m2 - 2 * zn * m1 + zn**2 * m0)))
    return EquivalentPlate(D_Nm=D, Eh_N_per_m=A * (1 - nu**2), nu=nu, thickness_m=float(np.sum(m0)))


@lru_cache(maxsize=32)
def _rectangle_membrane_number(aspect: float, n: int = 24) -> float:
    """c_m / (L^3 W^3) for an L x W free rectangle with unit Gaussian curvature (a = b = 1), E h = 1.

    Least plane-stress energy of the misfit strain e0 = grad(w) grad(w)^T / 2, w = (x^2 + y^2)/2, by
    quadratic elements on a quarter (symmetry), scaled to the whole plate. nu = 0 (the energy of a
    self-equilibrated Airy field in a simply connected free plate does not depend on nu).
    """
    from skfem import (Basis, BilinearForm, ElementQuad2, ElementVector, LinearForm, MeshQuad,
                       condense, solve, Functional)
    from skfem.helpers import sym_grad, ddot

    L, W = 1.0, 1.0 / aspect
    ny = max(4, int(round(n / aspect)))
    m = MeshQuad.init_tensor(np.linspace(0, L / 2, n + 1), np.linspace(0, W / 2, ny + 1))
    ib = Basis(m, ElementVector(ElementQuad2()), intorder=6)

    def e0(x):
        return 0.5 * np.array([[x[0] ** 2, x[0] * x[1]], [x[0] * x[1], x[1] ** 2]])

    @BilinearForm
    def stiffness(u, v, w):
        return ddot(sym_grad(u), sym_grad(v))

    @LinearForm
    def misfit(v, w):
        return ddot(e0(w.x), sym_grad(v))

    @Functional
    def energy(w):
        d = sym_grad(w["u"]) - e0(w.x)
        return 0.5 * ddot(d, d)

    K = stiffness.assemble(ib)
    f = misfit.assemble(ib)
    # symmetry planes: u_x = 0 on x = 0, u_y = 0 on y = 0
    D = np.concatenate([ib.get_dofs(lambda x: np.isclose(x[0], 0)).nodal["u^1"],
                        ib.get_dofs(lambda x: np.isclose(x[0], 0)).facet.get("u^1", np.array([], int)),
                        ib.get_dofs(lambda x: np.isclose(x[1], 0)).nodal["u^2"],
                        ib.get_dofs(lambda x: np.isclose(x[1], 0)).facet.get("u^2", np.array([], int))])
    # rigid modes left: none (quarter with two symmetry planes)
    u = solve(*condense(K, f, D=D))
    U = 4 * energy.assemble(ib, u=ib.interpolate(u))
    return float(U / (L**3 * W**3))


def membrane_coefficient_m6(shape: str, length_m: float, width_m: float | None = None) -> float:
    """c_m (m^6): least membrane energy of a free plate with uniform Gaussian curvature K is c_m Eh K^2.

    disc (diameter length_m): pi R^6/384 (axisymmetric Airy function, free edge); rectangle: numerical.
    """
    if shape == "disc":
        R = 0.5 * length_m
        return math.pi * R**6 / 384.0
    if shape == "rectangle":
        W = length_m if width_m is None else width_m
        a, b = max(length_m, W), min(length_m, W)
        return _rectangle_membrane_number(round(a / b, 6)) * a**3 * b**3
    raise ValueError(f"shape = {shape!r}: allowed 'rectangle' or 'disc'")


def area_m2(shape: str, length_m: float, width_m: float | None = None) -> float:
    if shape == "disc":
        return math.pi * (0.5 * length_m) ** 2
    return length_m * (length_m if width_m is None else width_m)


def critical_curvature(plate: EquivalentPlate, shape: str, length_m: float, width_m: float | None = None) -> float:
    """Curvature (1/m) at which the spherical shape bifurcates (Ritz, uniform curvature): kc = sqrt(a b)."""
    cm = membrane_coefficient_m6(shape, length_m, width_m)
    A = area_m2(shape, length_m, width_m)
    return math.sqrt(plate.D_Nm * (1 - plate.nu) * A / (2 * cm * plate.Eh_N_per_m))


def spherical_branch_k0(a, plate: EquivalentPlate, shape: str, length_m: float, width_m: float | None = None):
    """Linear curvature k0 that produces the uniform spherical curvature a (symmetric branch)."""
    cm = membrane_coefficient_m6(shape, length_m, width_m)
    A = area_m2(shape, length_m, width_m)
    a = np.asarray(a, float)
    return a + 2 * cm * plate.Eh_N_per_m * a**3 / (A * plate.D_Nm * (1 + plate.nu))


def ritz_curvatures(k0: float, plate: EquivalentPlate, shape: str, length_m: float,
                    width_m: float | None = None) -> tuple[float, float]:
    """Principal curvatures (major, minor) of the stable Ritz equilibrium for the linear curvature k0."""
    kc = critical_curvature(plate, shape, length_m, width_m)
    s = math.copysign(1.0, k0) if k0 != 0 else 1.0
    k0a = abs(k0)
    k0c = float(spherical_branch_k0(kc, plate, shape, length_m, width_m))
    if k0a <= k0c:
        # symmetric branch: solve the cubic for a (monotone, one real root in [0, k0])
        cm = membrane_coefficient_m6(shape, length_m, width_m)
        A = area_m2(shape, length_m, width_m)
        c3 = 2 * cm * plate.Eh_N_per_m / (A * plate.D_Nm * (1 + plate.nu))
        roots = np.roots([c3, 0.0, 1.0, -k0a])
        a = float(min(r.real for r in roots if abs(r.imag) < 1e-9 * max(1, abs(r.real)) and r.real >= 0))
        return s * a, s * a
    S = (1 + plate.nu) * k0a
    disc = max(S**2 - 4 * kc**2, 0.0)
    return s * 0.5 * (S + math.sqrt(disc)), s * 0.5 * (S - math.sqrt(disc))


def lift_on_table(bending_stiffness_Nm: float, curvature_1_per_m: float, weight_Pa: float,
                  half_length_m: float) -> tuple[float, float]:
    """Edge lift (m) and lifted length (m) of a curled strip lying on a flat rigid table under its weight.

    Small-slope beam on a rigid foundation (derived here): a strip of stress-free curvature k (convex side
    down), bending stiffness B (per unit width, N m) and weight q (Pa) lies flat where it touches, carrying
    the moment -B k; each end lifts over the length l with B w'''' = -q, w = w' = w'' = 0 at the lift-off
    point (the curvature is continuous there; a line reaction q l acts at it) and M = V = 0 at the end:
        l = sqrt(2 B k / q),   lift = q l^4 / (8 B) = B k^2 / (2 q).
    When l exceeds the half length a the strip rocks on its centre: lift = k a^2/2 - q a^4/(8 B).
    For a wide sample curled into a cylinder use B = D and k = the cylindrical curvature; for a narrow
    strip (width^2 k / h << 1) B = E I / width and k = the linear curvature.
    """
    for name, v in (("bending_stiffness_Nm", bending_stiffness_Nm), ("weight_Pa", weight_Pa),
                    ("half_length_m", half_length_m)):
        if not v > 0:
            raise ValueError(f"{name} = {v}: must be > 0")
    B, k, q, a = bending_stiffness_Nm, abs(curvature_1_per_m), weight_Pa, half_length_m
    ell = math.sqrt(2 * B * k / q)
    if ell <= a:
        return B * k**2 / (2 * q), ell
    return k * a**2 / 2 - q * a**4 / (8 * B), a
