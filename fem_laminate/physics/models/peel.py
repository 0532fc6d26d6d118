"""2D plane-strain FEM of the peel test: elastic-plastic arm at large rotation on polymer layers, cohesive interface.

The model (per unit width):
- the peeled arm (the foil, plus any layers above the failing interface): 9-node quadrilaterals (skfem
  ElementQuad2, 3x3 Gauss), total Lagrangian with Green-Lagrange strain E and 2nd Piola-Kirchhoff stress S from
  the J2 return mapping of physics/laws/plasticity.py applied to E (small strain, large rotation: the arm's strains are
  a few per cent while it turns through the peel angle); plane strain E_zz = 0;
- the layers beneath the interface (polyimide), elastic, same elements, on a rigid base (bottom fixed);
- a cohesive zone along the bonded interface: bilinear traction-separation law (penalty K0 up to the strength
  sigma_c, linear softening to zero at delta_f = 2 G_c / sigma_c), one effective separation for normal opening
  and shear (equal toughness in both modes: an assumption), damage irreversible, no damage in compression;
  integrated at the nodes (Newton-Cotes weights of the quadratic edge), which avoids traction oscillations;
- the free arm is meshed already turned through the peel angle (a stress-free arc of radius R0 then a straight
  tail): a flat arm pushed backwards would buckle before it folds. The grip translates the end section along the
  pull direction (displacement control). The stress-free pre-bend is a transient: the steady force is only read
  once the crack has run past it and the force has levelled off (detected, not assumed).

Newton: full Newton with the consistent tangents (J2: Simo & Hughes Box 3.2; cohesive: derivative of the
softening law) by physics/solve/newton.py (`newton` at each grip position, `follow_load_path` for the pull, open-ended
until the force levels off, and for the prestress ramp); the tangent goes into one CSR pattern built once
(physics/fe/assembly.py: arm, substrate and cohesive node pairs in one element table, bincount scatter).
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import coo_matrix, csc_matrix
from scipy.sparse.linalg import splu
from skfem import Basis, ElementQuad1, ElementQuad2, MeshQuad

from ...analytic.laminate import plane_strain_modulus
from ..fe import assembly
from ..solve import newton
from ..laws.plasticity import equivalent_plastic_strain, return_mapping


class CohesiveResolutionError(ValueError):
    """The cohesive zone is resolved by too few elements for the steady force to mean anything."""


class PeelNotSteady(RuntimeError):
    """The force did not level off within the pull distance the mesh allows."""


@dataclass(frozen=True)
class Layer:
    E_Pa: float
    nu: float
    thickness_m: float
    yield_Pa: float = math.inf
    hardening_Pa: float = 0.0
    name: str = ""


@dataclass(frozen=True)
class PeelFEMSpec:
    arm: tuple                      # Layer, bottom-up (the layer on the interface first)
    substrate: tuple                # Layer, top-down from the interface to the rigid base
    toughness_J_per_m2: float
    strength_Pa: float              # cohesive strength sigma_c
    angle_deg: float = 180.0
    element_length_m: float = 50e-6
    elements_per_layer: int = 2
    arm_elements_per_layer: int | None = None  # through each arm layer; None: elements_per_layer
    bonded_length_m: float = 6e-3
    bend_radius_m: float | None = None  # pre-bend of the free arm; None: from the elastic root curvature
    tail_length_m: float = 1.0e-3
    min_cohesive_elements: int = 4
    plateau_tolerance: float = 0.01     # (max - min) / mean of the force over the plateau window
    plateau_window_m: float | None = None  # crack advance; None: max(10 elements, 3 process zones)
    max_step_m: float | None = None
    penalty_factor: float = 50.0        # K0 = penalty_factor * E'_substrate / t_substrate
    time_limit_s: float = 120.0
    prebend: bool = True  # False: the free arm starts flat (fine for angles up to 90 deg; 180 would buckle)
    # "elastica": the free arm starts on the elastica of the closed-form steady force and is naturally straight
    # (an initial eigenstrain undoes the bend, so it starts prestressed near equilibrium: short transient);
    # "arc": a stress-free arc of radius bend_radius_m (the arm remembers the arc: long transient)
    initial_shape: str = "elastica"
    # the initial free arm (material that never passes the root) is meshed with elements growing by this factor
    # away from the crack tip, up to free_arm_max_element x element_length_m (1.0: uniform)
    free_arm_grading: float = 1.1
    free_arm_max_element: float = 8.0
    # backtracking line search on the residual norm (halving while |R| grows, down to 1/32 of the step): a
    # deeply plastic arm (35 um copper, kappa0 ~ 80 kappa_e) makes full Newton cycle among active sets; the
    # search lets ~20x larger pull steps converge there (README). Off: the benchmarked elastic runs unchanged.
    line_search: bool = False
    extrapolate: bool = False  # start each pull step's Newton from the last step's rate dq/dd (a predictor)
    # keep pulling until the crack has advanced this far before the plateau may end the run (a check that the
    # detected plateau is the steady state: the force is then read over the last plateau window)
    min_crack_advance_m: float = 0.0


@dataclass
class PeelFEMResult:
    force_N_per_m: float
    steady: bool
    pull_m: np.ndarray
    force_history_N_per_m: np.ndarray
    crack_advance_m: np.ndarray
    plateau_window_m: float
    process_zone_m: float
    cohesive_elements: float
    root_rotation_deg: float            # tangent angle of the arm where its curvature peaks (the closed form's theta_0)
    root_curvature_1_per_m: float       # that peak curvature (the closed form's kappa_0)
    crack_tip_rotation_deg: float       # slope of the arm's bottom line at the traction-free crack tip
    plastic_dissipation_fraction: float
    ndofs: int
    element_length_m: float
    steps: int
    newton_iterations: int
    seconds: float
    fields: dict = field(default_factory=dict, repr=False)  # deformed meshes and plastic strain for output
    arm_profile: dict = field(default_factory=dict, repr=False)  # PeelModel.arm_profile() at the end of the run

    @property
    def force_N_per_mm(self) -> float:
        return self.force_N_per_m * 1e-3


# -- geometry -----------------------------------------------------------------------------------------
def _plane_strain_modulus(L: Layer) -> float:
    return float(plane_strain_modulus(L.E_Pa, L.nu))


def process_zone_length(spec: PeelFEMSpec) -> float:
    """Cohesive zone length: the smaller of two estimates (the shorter zone sets the mesh).

    - l_E = E* G_c / sigma_c^2 with E* the plane-strain modulus of the layer beneath the interface (Rice /
      Hillerborg estimate for a crack in a body, prefactor 1);
    - l_M = sqrt(2 M_0 / sigma_c): the zone must carry the arm's root moment with tractions <= sigma_c
      (derived here), M_0 = sqrt(2 E I G_c) for an elastic arm (elastica), capped by the arm's fully plastic
      moment sigma_y' h^2 / 4 (sigma_y' = 2 sigma_y / sqrt 3) when the arm yields. For a thin arm on a thin layer
      l_M is the shorter one by a factor of several.
    """
    l_E = _plane_strain_modulus(spec.substrate[0]) * spec.toughness_J_per_m2 / spec.strength_Pa ** 2
    h = sum(L.thickness_m for L in spec.arm)
    EI = _arm_EI(spec)
    M0 = math.sqrt(2.0 * EI * spec.toughness_J_per_m2)
    sy = min(L.yield_Pa for L in spec.arm)
    if math.isfinite(sy):
        M0 = min(M0, 2.0 / math.sqrt(3.0) * sy * h ** 2 / 4.0)
    return min(l_E, math.sqrt(2.0 * M0 / spec.strength_Pa))


def _arm_EI(spec: PeelFEMSpec) -> float:
    """Plane-strain bending stiffness of the arm per width about its elastic neutral axis."""
    zc, z0, EI = _arm_neutral_axis(spec), 0.0, 0.0
    for L in spec.arm:
        c = z0 + L.thickness_m / 2 - zc
        EI += _plane_strain_modulus(L) * (L.thickness_m ** 3 / 12 + L.thickness_m * c ** 2)
        z0 += L.thickness_m
    return EI


def check_resolution(spec: PeelFEMSpec) -> float:
    """Elements across the estimated cohesive zone; raises CohesiveResolutionError below the minimum."""
    n = process_zone_length(spec) / spec.element_length_m
    if n < spec.min_cohesive_elements:
        raise CohesiveResolutionError(
            f"cohesive zone under-resolved: process zone ~ {process_zone_length(spec)*1e6:.3g} "
            f"um spans {n:.2g} elements of {spec.element_length_m*1e6:.3g} um (need >= {spec.min_cohesive_elements}); "
            "refine element_length_m or lower the cohesive strength")
    return n


def _arm_cells(spec: PeelFEMSpec) -> int:
    return spec.arm_elements_per_layer or spec.elements_per_layer


def _layer_grid(layers, n_per) -> tuple[np.ndarray, np.ndarray]:
    """Through-thickness vertex coordinates (0 at the interface, increasing away) and the layer of each cell."""
    z, lay = [0.0], []
    for k, L in enumerate(layers):
        z += list(z[-1] + L.thickness_m * (np.arange(1, n_per + 1) / n_per))
        lay += [k] * n_per
    return np.array(z), np.array(lay)


def _quad_mesh(X, Y):
    """MeshQuad from node arrays X, Y of shape (nx+1, ny+1) (i along the length, j through the thickness)."""
    nx, ny = X.shape[0] - 1, X.shape[1] - 1
    idx = np.arange(X.size).reshape(X.shape)
    t = np.array([idx[:-1, :-1].ravel(), idx[1:, :-1].ravel(), idx[1:, 1:].ravel(), idx[:-1, 1:].ravel()])
    return MeshQuad(np.array([X.ravel(), Y.ravel()]), t), nx, ny


def _arm_geometry(spec: PeelFEMSpec, R: float):
    """Arm nodes: bonded part along +x on y >= 0, free part an arc of radius R turning to the peel angle, then
    a straight tail. Parametric xi < 0 is the free arm (arc length from the crack tip)."""
    th = math.radians(spec.angle_deg) if spec.prebend else 0.0
    if spec.prebend and spec.initial_shape == "elastica":
        return _elastica_arm_geometry(spec)
    le = spec.element_length_m
    free = R * th + spec.tail_length_m
    n_free = max(int(math.ceil(free / le)), 4)
    n_bond = int(math.ceil(spec.bonded_length_m / le))
    xi = np.concatenate([-free * np.arange(n_free, 0, -1) / n_free, le * np.arange(0, n_bond + 1)])
    z, lay = _layer_grid(spec.arm, _arm_cells(spec))
    sig = np.maximum(-xi, 0.0)
    phi = np.minimum(sig / R, th)
    px = np.where(sig <= R * th, -R * np.sin(phi), -R * math.sin(th) - (sig - R * th) * math.cos(th))
    py = np.where(sig <= R * th, R * (1 - np.cos(phi)), R * (1 - math.cos(th)) + (sig - R * th) * math.sin(th))
    px = np.where(xi >= 0, xi, px)
    nx_, ny_ = np.sin(phi), np.cos(phi)
    X = px[:, None] + nx_[:, None] * z[None, :]
    Y = py[:, None] + ny_[:, None] * z[None, :]
    mesh, nx, ny = _quad_mesh(X, Y)
    cell_layer = np.tile(lay, nx)  # cells ordered i-major: (i, j) -> i*ny + j
    end = np.array([X[0, 0], Y[0, 0]]), np.array([X[0, -1], Y[0, -1]])  # the grip section (free end)
    return mesh, cell_layer, end, xi, None


def elastica_shape(spec: PeelFEMSpec, n: int = 4000):
    """Root-to-tail shape of an elastic arm peeled at the closed-form steady force P: tangent angle phi(s) with
    E I kappa^2 / 2 = P (1 - cos(theta - phi)) (the elastica's first integral, phi = 0 at the root), followed to
    phi = theta - 2 deg (it only reaches theta asymptotically). Returns s, phi, kappa (arrays)."""
    from ...analytic import peel as ap  # closed form: a lower layer

    th = math.radians(spec.angle_deg)
    P = ap.steady_peel(spec.toughness_J_per_m2, spec.angle_deg,
                       [ap.ArmLayer(L.E_Pa, L.nu, L.thickness_m, L.yield_Pa, L.hardening_Pa) for L in spec.arm],
                       [ap.FoundationLayer(L.E_Pa, L.nu, L.thickness_m) for L in spec.substrate],
                       root="winkler").force_N_per_m  # the starting shape only (kept as benchmarked)
    phi = np.linspace(0.0, th - math.radians(2.0), n)
    kappa = np.sqrt(2.0 * P * (1.0 - np.cos(th - phi)) / _arm_EI(spec))
    ds = np.diff(phi) * 0.5 * (1.0 / kappa[1:] + 1.0 / kappa[:-1])
    s = np.concatenate([[0.0], np.cumsum(ds)])
    return s, phi, kappa, P


def _elastica_arm_geometry(spec: PeelFEMSpec):
    """Arm nodes with the free arm on the elastica, then a straight tail; also the naturally straight
    configuration of every node (the free arm laid flat, neutral fibre keeping its length)."""
    le = spec.element_length_m
    s_e, phi_e, kappa_e, P = elastica_shape(spec)
    free = s_e[-1] + spec.tail_length_m
    n_bond = int(math.ceil(spec.bonded_length_m / le))
    ends = _graded_free_arm(free, le, spec.free_arm_grading, spec.free_arm_max_element, s_e, kappa_e)
    xi = np.concatenate([-ends[::-1], le * np.arange(0, n_bond + 1)])
    z, lay = _layer_grid(spec.arm, _arm_cells(spec))
    sig = np.maximum(-xi, 0.0)
    # centre line by integrating the tangent (-cos phi, sin phi) on a fine grid, then sampled at the nodes
    sf = np.concatenate([s_e, s_e[-1] + np.linspace(0, spec.tail_length_m, 200)[1:]])
    pf = np.concatenate([phi_e, np.full(199, phi_e[-1])])
    kf = np.concatenate([kappa_e, np.zeros(199)])
    tx, ty = -np.cos(pf), np.sin(pf)
    cx = np.concatenate([[0.0], np.cumsum(np.diff(sf) * 0.5 * (tx[1:] + tx[:-1]))])
    cy = np.concatenate([[0.0], np.cumsum(np.diff(sf) * 0.5 * (ty[1:] + ty[:-1]))])
    zc = _arm_neutral_axis(spec)
    # neutral fibre length, shortened by the arm's stretch under P (naturally shorter: it starts in tension)
    shrink = 1.0 - P / sum(_plane_strain_modulus(L) * L.thickness_m for L in spec.arm)
    sc = np.concatenate([[0.0], np.cumsum(np.diff(sf) * (1 - zc * 0.5 * (kf[1:] + kf[:-1])))]) * shrink
    phi = np.interp(sig, sf, pf)
    px = np.where(xi >= 0, xi, np.interp(sig, sf, cx))
    py = np.where(xi >= 0, 0.0, np.interp(sig, sf, cy))
    X = px[:, None] + np.sin(phi)[:, None] * z[None, :]
    Y = py[:, None] + np.cos(phi)[:, None] * z[None, :]
    flat = np.where(xi >= 0, xi, -np.interp(sig, sf, sc))  # naturally straight: laid along the bonded line
    Xs = np.repeat(flat[:, None], z.size, axis=1)
    Ys = np.repeat(z[None, :], xi.size, axis=0)
    mesh, nx, ny = _quad_mesh(X, Y)
    cell_layer = np.tile(lay, nx)
    end = np.array([X[0, 0], Y[0, 0]]), np.array([X[0, -1], Y[0, -1]])
    straight = mesh.__class__(np.array([Xs.ravel(), Ys.ravel()]), mesh.t)
    return mesh, cell_layer, end, xi, straight


def _graded_free_arm(length: float, le: float, growth: float, cap: float, s_k=None, kappa=None) -> np.ndarray:
    """Distances from the crack tip (> 0, increasing, the last = length) of the free arm's element ends:
    elements of le next to the tip growing by `growth` up to cap x le, and turning through at most
    MAX_TURN_PER_ELEMENT on the starting shape (curvature kappa at arc lengths s_k), scaled to end at `length`."""
    h, total = [], 0.0
    while total < length or len(h) < 4:
        hi = le * min(growth ** len(h), cap)
        if kappa is not None:
            k = float(np.max(np.interp(total + np.linspace(0.0, hi, 5), s_k, kappa)))
            hi = max(le, min(hi, MAX_TURN_PER_ELEMENT / max(k, 1e-300)))
        h.append(hi)
        total += hi
    return np.cumsum(h) * (length / total)


MAX_TURN_PER_ELEMENT = 0.1  # rad: a graded element of the curved starting arm stays nearly straight


def _arm_neutral_axis(spec: PeelFEMSpec) -> float:
    z0, num, den = 0.0, 0.0, 0.0
    for L in spec.arm:
        num += _plane_strain_modulus(L) * L.thickness_m * (z0 + L.thickness_m / 2)
        den += _plane_strain_modulus(L) * L.thickness_m
        z0 += L.thickness_m
    return num / den


def _substrate_geometry(spec: PeelFEMSpec):
    le = spec.element_length_m
    n_bond = int(math.ceil(spec.bonded_length_m / le))
    x = le * np.arange(0, n_bond + 1)
    z, lay = _layer_grid(spec.substrate, spec.elements_per_layer)
    X = np.repeat(x[:, None], z.size, axis=1)
    Y = -np.repeat(z[None, ::-1], x.size, axis=0)  # from the base (y = -t) up to the interface (y = 0)
    mesh, nx, ny = _quad_mesh(X, Y)
    cell_layer = np.tile(lay[::-1], nx)
    return mesh, cell_layer


# -- a body: total Lagrangian, J2 at the Gauss points ---------------------------------------------------
class Body:
    def __init__(self, mesh, cell_layer, layers, offset: int, straight=None):
        self.basis = Basis(mesh, ElementQuad2(), intorder=4)
        b = self.basis
        self.offset = offset
        self.N = b.N
        grad = np.array([b.basis[j][0].grad for j in range(9)])  # (9, 2, nel, nqp)
        # element-major copies, fixed for the run: the Gauss-point sums become one matrix product per element
        ne, nq = grad.shape[2:]
        self.gx, self.gy = (np.ascontiguousarray(np.transpose(grad[:, b], (1, 2, 0))) for b in range(2))  # (e, q, 9)
        self.gj = np.ascontiguousarray(np.transpose(grad, (2, 0, 3, 1)).reshape(ne, 9, 2 * nq))  # (e, j, (q, b))
        self.gT = np.ascontiguousarray(np.transpose(grad, (2, 3, 1, 0)).reshape(ne, 2 * nq, 9))  # (e, (q, b), j)
        self.dx = b.dx  # (nel, nqp)
        self.dofs = b.element_dofs  # (9, nel) scalar
        nq = self.dx.shape[1]
        prop = lambda f: np.repeat(np.array([f(layers[k]) for k in cell_layer])[:, None], nq, axis=1)  # noqa
        E, nu = prop(lambda L: L.E_Pa), prop(lambda L: L.nu)
        self.K, self.G = E / (3 * (1 - 2 * nu)), E / (2 * (1 + nu))
        self.sy, self.H = prop(lambda L: L.yield_Pa), prop(lambda L: L.hardening_Pa)
        shape = self.dx.shape
        self.eps_p = np.zeros((4,) + shape) if straight is None else _straightening_strain(mesh, straight)
        self.eps_p0 = self.eps_p.copy()  # the eigenstrain of a naturally straight arm meshed bent, not plasticity
        self.alpha = np.zeros(shape)
        # global vector DOFs of each element: (18, nel), ordered (node j, component a) -> 2 j + a
        self.gdofs = (offset + 2 * self.dofs[:, None, :] + np.arange(2)[None, :, None]).reshape(18, -1)

    def ndof(self) -> int:
        return 2 * self.N

    def assemble(self, U):
        """Element internal forces (nel, 18) and tangents (nel, 18, 18) of the body at displacement U (global),
        on the element DOF table self.gdofs.T; the trial plastic state is kept for commit().

        Element-major arrays (e, q, ...): each element's sum over its Gauss points is one matrix product
        (B^T over the stacked points times w D B), not one small product per point then a sum. Only the in-plane
        Voigt rows (xx, yy, xy) enter: E_zz = 0, so S_zz does no virtual work."""
        gx, gy, w = self.gx, self.gy, self.dx  # (e, q, 9), (e, q, 9), (e, q)
        ne, nq = w.shape
        (F00, F01, F10, F11), E = self._strain(U)
        S, ep, al, D = return_mapping(E, self.eps_p, self.alpha, self.K, self.G, self.sy, self.H)
        self._trial = (ep, al)
        # B[e, q, v, j, a]: variation of Voigt E (v = xx, yy, xy) by node j, component a
        B = np.empty((ne, nq, 3, 9, 2))
        B[:, :, 0, :, 0], B[:, :, 0, :, 1] = gx * F00[..., None], gx * F10[..., None]
        B[:, :, 1, :, 0], B[:, :, 1, :, 1] = gy * F01[..., None], gy * F11[..., None]
        B[:, :, 2, :, 0] = gy * F00[..., None] + gx * F01[..., None]
        B[:, :, 2, :, 1] = gy * F10[..., None] + gx * F11[..., None]
        B = B.reshape(ne, nq, 3, 18)
        inplane = (0, 1, 3)
        Sw = [S[v] * w for v in inplane]
        Dw = [[(D[v, k] * w)[..., None] for k in inplane] for v in inplane]
        DBw = np.stack([Dw[v][0] * B[:, :, 0] + Dw[v][1] * B[:, :, 1] + Dw[v][2] * B[:, :, 2] for v in range(3)], 2)
        Bs = np.transpose(B, (0, 3, 1, 2)).reshape(ne, 18, 3 * nq)  # B^T, Gauss points stacked
        f = (np.stack(Sw, -1).reshape(ne, 1, 3 * nq) @ B.reshape(ne, 3 * nq, 18))[:, 0]
        K = (Bs @ DBw.reshape(ne, 3 * nq, 18)).reshape(ne, 9, 2, 9, 2)
        # geometric stiffness: sum_q w g S g^T, the same for both components
        gS = np.stack([gx * Sw[0][..., None] + gy * Sw[2][..., None], gx * Sw[2][..., None] + gy * Sw[1][..., None]], -1)
        Kg = np.transpose(gS, (0, 2, 1, 3)).reshape(ne, 9, 2 * nq) @ self.gT  # (e, 9, 9)
        K[:, :, 0, :, 0] += Kg
        K[:, :, 1, :, 1] += Kg
        return f, K.reshape(ne, 18, 18)

    def _strain(self, U):
        """Deformation gradient components (F00, F01, F10, F11) and Voigt Green-Lagrange strain (4, e, q) at U."""
        ne, nq = self.dx.shape
        u = U[self.gdofs].reshape(9, 2, -1).transpose(2, 1, 0)  # (e, a, j)
        Hd = (u @ self.gj).reshape(ne, 2, nq, 2)  # du_a/dX_b at (e, a, q, b)
        F00, F01, F10, F11 = Hd[:, 0, :, 0] + 1, Hd[:, 0, :, 1], Hd[:, 1, :, 0], Hd[:, 1, :, 1] + 1
        E = np.array([(F00 * F00 + F10 * F10 - 1) / 2, (F01 * F01 + F11 * F11 - 1) / 2, np.zeros((ne, nq)),
                      F00 * F01 + F10 * F11])  # engineering shear
        return (F00, F01, F10, F11), E

    def stress(self, U):
        """2nd Piola-Kirchhoff stress (4, e, q) at U from the committed plastic state (state untouched)."""
        return return_mapping(self._strain(U)[1], self.eps_p, self.alpha, self.K, self.G, self.sy, self.H)[0]

    def commit(self):
        self.eps_p, self.alpha = self._trial

    def plastic_strain_cells(self) -> np.ndarray:
        return equivalent_plastic_strain(self.eps_p - self.eps_p0).mean(axis=1)


def _straightening_strain(mesh, straight) -> np.ndarray:
    """Green-Lagrange strain (Voigt, engineering shear) that maps the meshed (bent) arm onto its naturally
    straight configuration `straight` (same topology), at the Gauss points of the bodies' quadrature: used as
    the initial eigenstrain, so the arm is stress-free when straight and prestressed as meshed."""
    b = Basis(mesh, ElementQuad1(), intorder=4)
    us = (straight.p - mesh.p)[:, b.element_dofs]  # (2, 4, nel): Quad1 DOFs are the vertices
    g = np.array([b.basis[j][0].grad for j in range(4)])  # (4, 2, nel, nqp)
    F = np.einsum("aje,jbeq->abeq", us, g) + np.eye(2)[:, :, None, None]
    C = np.einsum("caeq,cbeq->abeq", F, F)
    return np.array([(C[0, 0] - 1) / 2, (C[1, 1] - 1) / 2, np.zeros_like(C[0, 0]), C[0, 1]])


# -- cohesive zone ------------------------------------------------------------------------------------
class Cohesive:
    """Node-pair bilinear cohesive law along the bonded interface (global frame: n = y, t = x)."""

    def __init__(self, top_dofs, bot_dofs, weights, G_c, sigma_c, K0):
        self.top, self.bot, self.w = top_dofs, bot_dofs, weights  # scalar-node global x-DOF indices
        self.K0, self.d0, self.df = K0, sigma_c / K0, 2.0 * G_c / sigma_c
        if self.df <= self.d0:
            raise ValueError("cohesive penalty too soft: delta_0 >= delta_f (raise penalty_factor)")
        self.kmax = np.zeros(weights.shape)
        self._trial = self.kmax

    def assemble(self, U):
        dx = U[self.top] - U[self.bot]
        dy = U[self.top + 1] - U[self.bot + 1]
        dn = np.maximum(dy, 0.0)
        delta = np.sqrt(dn ** 2 + dx ** 2)
        kmax = np.maximum(self.kmax, delta)
        K0, d0, df = self.K0, self.d0, self.df
        soft = kmax > d0
        g = np.where(soft, K0 * d0 * np.clip(df - kmax, 0, None) / (np.maximum(kmax, d0) * (df - d0)), K0)
        loading = soft & (delta >= self.kmax) & (delta < df) & (delta > 0)
        dg = np.where(loading, -K0 * d0 * df / ((df - d0) * np.maximum(delta, 1e-30) ** 2), 0.0)
        open_ = (dy > 0).astype(float)
        Tx = g * dx
        Ty = g * dn + np.where(dy < 0, K0 * dy, 0.0)  # penetration: penalty contact, never damaged
        # d(T)/d(dx, dy)
        k_xx = g + dg * dx * dx / np.maximum(delta, 1e-300)
        k_xy = dg * dx * dn / np.maximum(delta, 1e-300) * open_
        k_yy = (g + dg * dn * dn / np.maximum(delta, 1e-300)) * open_ + K0 * (1 - open_)
        self._trial = kmax
        self._damage = np.where(soft, 1 - g / K0, 0.0)
        # node pair (top x, top y, bottom x, bottom y): f = w [T, -T], K = w [[k, -k], [-k, k]]
        T = np.stack([Tx, Ty], axis=-1) * self.w[:, None]
        k = np.moveaxis(np.array([[k_xx, k_xy], [k_xy, k_yy]]), -1, 0) * self.w[:, None, None]
        return np.concatenate([T, -T], axis=1), np.block([[k, -k], [-k, k]])

    def element_dofs(self) -> np.ndarray:
        return np.stack([self.top, self.top + 1, self.bot, self.bot + 1], axis=1)

    def commit(self):
        self.kmax = self._trial

    def failed(self) -> np.ndarray:
        return self.kmax >= self.df


# -- the model ----------------------------------------------------------------------------------------
def _elastic_bend_radius(spec: PeelFEMSpec) -> float:
    """Root radius of the elastica at the Kendall force (a sensible pre-bend of the free arm)."""
    h = sum(L.thickness_m for L in spec.arm)
    kappa = math.sqrt(2 * spec.toughness_J_per_m2 / _arm_EI(spec))
    return max(1.0 / kappa, 4 * h)


class PeelModel:
    def __init__(self, spec: PeelFEMSpec):
        self.spec = spec
        self.n_cz = check_resolution(spec)
        R = spec.bend_radius_m or _elastic_bend_radius(spec)
        arm_mesh, arm_layer, self._end, self._arm_xi, straight = _arm_geometry(spec, R)
        sub_mesh, sub_layer = _substrate_geometry(spec)
        self.arm = Body(arm_mesh, arm_layer, spec.arm, 0, straight)
        self._arm_ny = len(spec.arm) * _arm_cells(spec)  # cells through the arm (vertex sections: +1)
        self.sub = Body(sub_mesh, sub_layer, spec.substrate, self.arm.ndof())
        self.ndof = self.arm.ndof() + self.sub.ndof()
        a, s = self.arm.basis.doflocs, self.sub.basis.doflocs
        h = sum(L.thickness_m for L in spec.arm)
        tol = 1e-6 * h
        ia = np.flatnonzero((np.abs(a[1]) < tol) & (a[0] > -tol))
        is_ = np.flatnonzero(np.abs(s[1]) < tol)
        ia, is_ = ia[np.argsort(a[0, ia])], is_[np.argsort(s[0, is_])]
        if ia.size != is_.size or np.max(np.abs(a[0, ia] - s[0, is_])) > tol:
            raise RuntimeError("arm and substrate interface nodes do not match")
        le = spec.element_length_m
        w = np.zeros(ia.size)
        w[0:-1:2] += le / 6
        w[1::2] += 4 * le / 6
        w[2::2] += le / 6
        Es = _plane_strain_modulus(spec.substrate[0])
        ts = sum(L.thickness_m for L in spec.substrate)
        self.cz = Cohesive(2 * ia, self.arm.ndof() + 2 * is_, w, spec.toughness_J_per_m2, spec.strength_Pa,
                           spec.penalty_factor * Es / ts)
        self.cz_x = a[0, ia]
        # boundary conditions: base fixed; grip = end section of the free arm, translated along the pull
        end = self._grip_nodes(R)
        base = np.flatnonzero(np.abs(s[1] + ts) < tol)
        self.grip = np.concatenate([2 * end, 2 * end + 1])
        self.fixed = np.concatenate([self.grip, self.arm.ndof() + 2 * base, self.arm.ndof() + 2 * base + 1])
        th = math.radians(spec.angle_deg)
        self.direction = np.array([-math.cos(th), math.sin(th)])
        self.U = np.zeros(self.ndof)
        self.free = np.setdiff1d(np.arange(self.ndof), self.fixed)
        self._reduction()
        self._build_pattern()
        self.q = np.zeros(self.T.shape[1])
        self._d, self._dq_dd = 0.0, None  # last converged grip position; dq/dd of the last pull step

    def _grip_nodes(self, R):
        """Scalar arm DOFs on the end section of the free arm (where the grip holds it)."""
        a, b = self._end
        p = self.arm.basis.doflocs.T - a
        n = np.linalg.norm(b - a)
        t = (b - a) / n
        off = np.abs(p[:, 0] * t[1] - p[:, 1] * t[0])
        along = p @ t
        tol = 1e-3 * self.spec.element_length_m
        return np.flatnonzero((off < tol) & (along > -tol) & (along < n + tol))

    def _build_pattern(self):
        """One element table: arm and substrate elements (18 DOFs), cohesive node pairs (4, padded with -1); its
        CSR pattern on the unknowns q (U = T q + d g), built once, so Newton assembles the reduced tangent
        T^T K T directly (every row of T has at most one entry: a DOF is free, a grip DOF or fixed)."""
        cz = self.cz.element_dofs()
        pad = np.full((cz.shape[0], 18), -1, dtype=np.int64)
        pad[:, :4] = cz
        table = np.concatenate([self.arm.gdofs.T, self.sub.gdofs.T, pad]).astype(np.int64)
        self._table = table
        self._vec_dofs = np.where(table >= 0, table, self.ndof)  # -1 -> a dump entry past the end
        Tc = self.T.tocoo()
        col, coef = np.full(self.ndof + 1, -1, dtype=np.int64), np.zeros(self.ndof + 1)
        col[Tc.row], coef[Tc.row] = Tc.col, Tc.data  # index ndof: the padding
        self._reduced = assembly.Pattern(col[self._vec_dofs], self.T.shape[1])
        c = coef[self._vec_dofs]
        self._reduced_coef = (c[:, :, None] * c[:, None, :]).reshape(len(table), -1)  # T_ra T_cb per entry
        self._full = None  # the pattern on all DOFs: built on first use (assemble(), the tangent test)

    def _element_arrays(self, U):
        """Element forces (ne, 18) and tangents (ne, 18, 18) of the one element table at U."""
        (fa, Ka), (fs, Ks), (fc, Kc) = self.arm.assemble(U), self.sub.assemble(U), self.cz.assemble(U)
        nc = fc.shape[0]
        fc18, Kc18 = np.zeros((nc, 18)), np.zeros((nc, 18, 18))
        fc18[:, :4], Kc18[:, :4, :4] = fc, Kc
        fe = np.concatenate([fa, fs, fc18])
        self.force_scale = newton.norm(fe)  # size of the element forces that cancel in R (round-off floor)
        return fe, np.concatenate([Ka, Ks, Kc18])

    def _residual(self, fe):
        return np.bincount(self._vec_dofs.ravel(), weights=fe.ravel(), minlength=self.ndof + 1)[:self.ndof]

    def assemble(self, U):
        """Residual (internal minus cohesive forces, global) and tangent (CSR on all DOFs) at U."""
        fe, Ke = self._element_arrays(U)
        if self._full is None:
            self._full = assembly.Pattern(self._table, self.ndof)
        return self._residual(fe), self._full.matrix(Ke)

    def assemble_reduced(self, U):
        """Residual on all DOFs and the tangent on the unknowns, T^T K T (CSR), at U."""
        fe, Ke = self._element_arrays(U)
        P = self._reduced
        return self._residual(fe), P.csr(P.data(Ke.reshape(len(Ke), -1) * self._reduced_coef))

    def _reduction(self):
        """U = T q + d * g: free DOFs are their own unknowns; each grip node slides freely across the pull
        (one unknown along `perp`) and is displaced by d along the pull (a peel fixture keeps the angle)."""
        n_free, n_grip = self.free.size, self.grip.size // 2
        gx, gy = self.grip[:n_grip], self.grip[n_grip:]
        perp = np.array([-self.direction[1], self.direction[0]])
        rows = np.concatenate([self.free, gx, gy])
        cols = np.concatenate([np.arange(n_free), n_free + np.arange(n_grip), n_free + np.arange(n_grip)])
        vals = np.concatenate([np.ones(n_free), np.full(n_grip, perp[0]), np.full(n_grip, perp[1])])
        self.T = coo_matrix((vals, (rows, cols)), shape=(self.ndof, n_free + n_grip)).tocsr()
        self.Tt = self.T.T.tocsr()
        self.g = np.zeros(self.ndof)
        self.g[gx], self.g[gy] = self.direction

    def solve_step(self, d_grip: float, max_iter: int = 15, tol: float = 1e-8) -> int | None:
        """Newton (physics/solve/newton.py) for grip displacement d_grip; returns the corrections made, or None (state
        kept) if it fails. Converged when the reduced residual is below tol x the grip force (or G_c x element,
        or 1e-3 x the element-force norm, whichever is largest)."""
        T, Tt = self.T, self.Tt

        def evaluate(q):
            U = T @ q + d_grip * self.g
            R, Kq = self.assemble_reduced(U)
            return newton.Point(Tt @ R, (U, R, Kq))

        def converged_at(k, rn, point):
            # relative to the grip force, or to the element forces when those are much larger (a stiff arm
            # prestressed on its starting shape: R is then a difference of large numbers)
            R = point.data[1]
            ref = max(abs(self.g @ R), self.spec.toughness_J_per_m2 * self.spec.element_length_m,
                      1e-3 * self.force_scale)
            return rn < tol * ref

        def correct(point):
            return solve_tangent(point.data[2], -point.residual)

        def backtrack(q, dq, point, rn, k):
            a = 1.0
            while True:
                trial = evaluate(q + a * dq)
                if newton.norm(trial.residual) < rn or a < 1.0 / 32:
                    return q + a * dq, trial
                a *= 0.5

        q0 = self.q.copy()
        if self.spec.extrapolate and self._dq_dd is not None:
            q0 += (d_grip - self._d) * self._dq_dd  # the last step's rate: the root's plastic zone moves on
        res = newton.newton(q0, evaluate, correct, max_iter=max_iter + 1, converged_at=converged_at,
                            line_search=backtrack if self.spec.line_search else None)
        if not res.converged:
            return None
        if d_grip != self._d:
            self._dq_dd = (res.u - self.q) / (d_grip - self._d)
        self.q, self._d = res.u, d_grip
        self.U, self.reaction = res.point.data[0], res.point.data[1]
        for body in (self.arm, self.sub, self.cz):
            body.commit()
        return max(res.iterations, 1)

    def grip_force(self) -> float:
        """Peel force per width along the pull direction (reaction on the grip)."""
        return float(self.g @ self.reaction)

    def crack_tip_x(self) -> float:
        failed = self.cz.failed()
        return float(self.cz_x[failed].max()) if failed.any() else 0.0

    def zone_length(self) -> float:
        """Length of the damaged, not yet failed part of the interface ahead of the crack tip (measured)."""
        damaged = self.cz.kmax > self.cz.d0
        return float(self.cz_x[damaged].max() - self.crack_tip_x()) if damaged.any() else 0.0

    def arm_root(self) -> tuple[float, float]:
        """The root of the peeled arm, where its bending moment (so its curvature) peaks: (tangent angle toward
        the pull in degrees, curvature 1/m) of that section. The closed form's root rotation theta_0 and root
        curvature kappa_0 are these (its first integral starts there); with a cohesive zone the peak lies inside
        the zone, ahead of the traction-free crack tip. From the deformed vertex sections of the arm (the line
        through the thickness is the section's normal), peak located by a parabola through 3 sections."""
        b = self.arm
        phi, kappa, s = self._arm_sections()
        # search near the crack tip only (the initial free arm may keep kinks from its starting shape)
        x_ref = b.basis.mesh.p.T.reshape(-1, self._arm_ny + 1, 2)[:, 0, 0]
        tip, reach = self.crack_tip_x(), process_zone_length(self.spec) + 2 * self.spec.element_length_m
        near = (x_ref >= max(tip - reach, 0.0) - 1e-12) & (x_ref <= tip + self.zone_length() + reach)
        i = int(np.clip(np.flatnonzero(near)[np.argmax(kappa[near])], 1, kappa.size - 2))
        k3 = kappa[i - 1: i + 2]
        den = k3[0] - 2 * k3[1] + k3[2]
        t = 0.5 * (k3[0] - k3[2]) / den if den < 0 else 0.0  # vertex of the parabola, in sections from i
        t = float(np.clip(t, -1.0, 1.0))
        j = i + t
        return math.degrees(float(np.interp(j, np.arange(phi.size), phi))), float(k3[1] - 0.25 * (k3[0] - k3[2]) * t)

    def _arm_sections(self):
        """Deformed vertex sections of the arm: tangent angle phi (rad, toward the pull), curvature kappa (1/m) and
        arc length s (m) of the mid-line, from the free end to the bonded end (the reference coordinate xi)."""
        b = self.arm
        nv = b.basis.mesh.p.shape[1]
        x = b.basis.mesh.p.T + self.U[b.offset: b.offset + 2 * nv].reshape(-1, 2)  # vertices are DOFs 0..nv-1
        sec = x.reshape(-1, self._arm_ny + 1, 2)
        n = sec[:, -1] - sec[:, 0]
        phi = np.unwrap(np.arctan2(n[:, 0], n[:, 1]))
        mid = 0.5 * (sec[:, -1] + sec[:, 0])
        s = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(mid, axis=0), axis=1))])
        return phi, -np.gradient(phi, s), s  # phi falls from the free arm to the bonded part

    def arm_profile(self) -> dict:
        """The arm's mechanics along its length in the current state (diagnostics of the closed form's assumptions).

        Vertex sections: arc length from the crack tip a (m, > 0 into the free arm, < 0 into the bonded part),
        reference coordinate xi (m; >= 0: material that was bonded at the start, < 0: the starting free arm),
        tangent angle phi (deg) and curvature kappa (1/m). Gauss stations (3 per element column): a, the bending
        moment M (N m/m, about the arm's elastic neutral axis, sagging with the curvature positive) and the axial
        force N (N/m), through-thickness integrals of the axial 2nd Piola-Kirchhoff stress S_tt of the reference
        section (strains are small: S_tt is the section's stress in its rotated frame)."""
        b, ny = self.arm, self._arm_ny
        phi, kappa, s = self._arm_sections()
        xi = self._arm_xi
        s_tip = float(np.interp(self.crack_tip_x(), xi, s))
        S = self.arm.stress(self.U)  # (4, e, q); cells i-major: e = i * ny + j
        P0 = b.basis.mesh.p.T.reshape(-1, ny + 1, 2)  # reference vertex sections
        nrm = P0[:, -1] - P0[:, 0]
        h = np.linalg.norm(nrm, axis=1)
        zc = _arm_neutral_axis(self.spec)
        z_nodes, _ = _layer_grid(self.spec.arm, _arm_cells(self.spec))
        X, W = b.basis.X, b.basis.W  # local Gauss points (2, q) on [0, 1]^2 (X[0] along the arm), weights
        stations = np.unique(np.round(X[0], 12))
        ncol = P0.shape[0] - 1
        M, N, a_st = np.zeros((ncol, stations.size)), np.zeros((ncol, stations.size)), np.zeros((ncol, stations.size))
        for k, xk in enumerate(stations):
            q = np.flatnonzero(np.isclose(X[0], xk))
            wq = W[q] / W[q].sum()  # through-thickness weights of the station, summing to 1 per cell
            nv = (1 - xk) * nrm[:-1] + xk * nrm[1:]
            nv /= np.linalg.norm(nv, axis=1)[:, None]
            t = np.stack([nv[:, 1], -nv[:, 0]], axis=1)  # reference axial direction of the section
            hc = np.repeat(((1 - xk) * h[:-1] + xk * h[1:])[:, None], ny, axis=1) / h[-1]  # thickness scale
            Sq = S[:, :, q].reshape(4, ncol, ny, q.size)
            tx, ty = t[:, 0][:, None, None], t[:, 1][:, None, None]
            Stt = tx * tx * Sq[0] + ty * ty * Sq[1] + 2 * tx * ty * Sq[3]
            dz = np.diff(z_nodes)[None, :, None] * hc[:, :, None]  # cell thickness (m)
            z = (z_nodes[:-1][None, :, None] + X[1, q][None, None, :] * np.diff(z_nodes)[None, :, None]) * hc[:, :, None]
            N[:, k] = np.sum(Stt * wq * dz, axis=(1, 2))
            M[:, k] = -np.sum(Stt * (z - zc * hc[:, :, None]) * wq * dz, axis=(1, 2))
            a_st[:, k] = s_tip - np.interp(xi[:-1] + xk * np.diff(xi), xi, s)
        return {"a_m": s_tip - s, "xi_m": xi.copy(), "phi_deg": np.degrees(phi), "kappa_1_per_m": kappa,
                "station_a_m": a_st.ravel(), "moment_N": M.ravel(), "axial_N_per_m": N.ravel()}

    def root_rotation_deg(self) -> float:
        """Rotation toward the pull of the arm's bottom line at the crack tip (deformed slope of the interface)."""
        x0 = self.crack_tip_x()
        i = np.searchsorted(self.cz_x, x0)
        i = min(max(i, 0), self.cz_x.size - 3)
        top = self.cz.top
        p0 = np.array([self.cz_x[i] + self.U[top[i]], self.U[top[i] + 1]])
        p1 = np.array([self.cz_x[i + 2] + self.U[top[i + 2]], self.U[top[i + 2] + 1]])
        return math.degrees(math.atan2(p0[1] - p1[1], p1[0] - p0[0]))


def solve_tangent(K, b):
    """K^-1 b for the reduced tangent K (CSR) by SuperLU. Minimum degree on K + K^T, not scipy's default
    COLAMD: the tangent is structurally symmetric, and this ordering fills the LU about half as much (Example 1:
    0.36 M against 0.85 M entries) and halves the time of a solve, the largest single cost of a peel. The CSR
    arrays are read as the CSC matrix K^T (no conversion) and the transposed system is solved."""
    Kt = csc_matrix((K.data, K.indices, K.indptr), shape=K.shape)
    return splu(Kt, permc_spec="MMD_AT_PLUS_A").solve(b, trans="T")


# -- steady state ---------------------------------------------------------------------------------------
def plateau(pull, force, window: float, tol: float, period: float = 0.0) -> float | None:
    """Mean force over the last `window` of pull distance if it varies by less than tol (relative), else None.

    The force ripples as the interface fails node by node (one ripple per element of crack advance, a pull
    `period`): the ripple is averaged out with a running mean over one period before the plateau test."""
    pull, force = np.asarray(pull), np.asarray(force)
    if pull.size < 5 or pull[-1] - pull[0] < window + period:
        return None
    if period > 0:
        n = 8
        grid = np.linspace(pull[-1] - window - period, pull[-1], int(round(n * (window + period) / period)) + 1)
        f = np.convolve(np.interp(grid, pull, force), np.full(n, 1.0 / n), mode="valid")
    else:
        sel = pull >= pull[-1] - window
        if sel.sum() < 4:
            return None
        f = force[sel]
    mean = float(f.mean())
    return mean if mean > 0 and (f.max() - f.min()) / mean < tol else None


def run_peel_fem(spec: PeelFEMSpec, progress=None) -> PeelFEMResult:
    """Pull the arm until the force levels off; raises PeelNotSteady if the bonded length runs out first."""
    t0 = time.perf_counter()
    model = PeelModel(spec)
    th = math.radians(spec.angle_deg)
    lcz = process_zone_length(spec)
    # pull distance per crack advance ~ (1 - cos theta) (+ the arm's stretch, small)
    per_crack = max(1.0 - math.cos(th), 0.2)
    window = (spec.plateau_window_m or max(10 * spec.element_length_m, 3 * lcz)) * per_crack
    period = spec.element_length_m * per_crack
    d_max_step = spec.max_step_m or spec.element_length_m * max(1.0 - math.cos(th), 0.3) / 2
    iters = _prestress(model)
    pulls, forces, cracks = [0.0], [model.grip_force()], [model.crack_tip_x()]
    steady_force, counts = None, {"steps": 0, "iterations": iters}

    def pull_to(d_old, d_new):
        it = model.solve_step(d_new)
        if it is None:
            return False, 0
        counts["steps"] += 1
        counts["iterations"] += it
        pulls.append(d_new)
        forces.append(model.grip_force())
        cracks.append(model.crack_tip_x())
        if progress:
            progress(d_new, forces[-1], cracks[-1])
        return True, it

    def done(d):
        nonlocal steady_force
        if cracks[-1] > max(R_past(spec, model), spec.min_crack_advance_m):
            steady_force = plateau(pulls, forces, window, spec.plateau_tolerance, period)
            if steady_force is not None:
                return True
        # the process zone reaching the end of the bonded strip: no longer the steady problem
        return (cracks[-1] + model.zone_length() > spec.bonded_length_m - 10 * spec.element_length_m
                or time.perf_counter() - t0 > spec.time_limit_s)

    path = newton.follow_load_path(pull_to, t_end=math.inf, dt0=d_max_step / 4, dt_min=d_max_step * 1e-4,
                                   dt_max=d_max_step, adapt=lambda dt, it: dt * 1.5 if it <= 4 else dt, until=done)
    if not path.completed:
        raise RuntimeError(f"peel FEM: Newton failed at pull {path.t*1e6:.4g} um even with tiny steps")
    nsteps, iters = counts["steps"], counts["iterations"]
    pulls, forces, cracks = map(np.array, (pulls, forces, cracks))
    steady = steady_force is not None
    F = steady_force if steady else float(forces[-1])
    root = model.arm_root()
    stretch = F ** 2 / (2 * sum(_plane_strain_modulus(L) * L.thickness_m for L in spec.arm))
    external = F * (1 - math.cos(th)) + stretch
    res = PeelFEMResult(
        force_N_per_m=F, steady=steady, pull_m=pulls, force_history_N_per_m=forces, crack_advance_m=cracks,
        plateau_window_m=window, process_zone_m=lcz, cohesive_elements=model.n_cz,
        root_rotation_deg=root[0], root_curvature_1_per_m=root[1], crack_tip_rotation_deg=model.root_rotation_deg(),
        plastic_dissipation_fraction=max(0.0, 1.0 - spec.toughness_J_per_m2 / external) if external > 0 else 0.0,
        ndofs=int(model.ndof), element_length_m=spec.element_length_m, steps=int(nsteps), newton_iterations=iters,
        seconds=time.perf_counter() - t0)
    res.fields = _fields(model)
    res.arm_profile = model.arm_profile()
    return res


def _prestress(model: PeelModel, max_cuts: int = 6) -> int:
    """Grip held, ramp the arm's straightening eigenstrain from 0 (stress-free bent arm, in equilibrium) to 1
    (naturally straight arm on the elastica): the arm tensions and the cohesive zone opens under the root
    moment. A plastic arm may refuse the full elastic prestress (the elastica is the elastic arm's shape): the
    ramp then stops at the last converged fraction (model.prestress_fraction) and the pull starts from there
    (a longer transient, still detected). Returns Newton iterations."""
    arm, total = model.arm, 0
    model.reaction = np.zeros(model.ndof)
    model.prestress_fraction = 0.0
    if not np.any(arm.eps_p0):
        return 0
    full = arm.eps_p0.copy()
    arm.eps_p = np.zeros_like(full)

    def ramp(lam_old, lam_new):
        keep = arm.eps_p.copy()
        arm.eps_p = keep + (lam_new - lam_old) * full
        it = model.solve_step(0.0)
        if it is None:
            arm.eps_p = keep
            return False, 0
        nonlocal total
        total += it
        return True, it

    path = newton.follow_load_path(ramp, t_end=1.0, dt0=0.25, max_cuts=max_cuts,
                                   adapt=lambda dt, it: dt * 1.5 if it <= 5 else dt)
    lam = path.t
    arm.eps_p0 = lam * full  # the eigenstrain applied, not plasticity (for the plastic strain output)
    model.prestress_fraction = lam
    return total


def R_past(spec: PeelFEMSpec, model: PeelModel) -> float:
    """Crack advance after which the stress-free pre-bent arc has left the root region."""
    if not spec.prebend or spec.initial_shape == "elastica":
        return 2.0 * process_zone_length(spec)  # the starting shape is the steady one: only the zone must form
    R = spec.bend_radius_m or _elastic_bend_radius(spec)
    return 0.5 * R * math.radians(spec.angle_deg)


def _fields(model: PeelModel) -> dict:
    out = {}
    for name, body in (("arm", model.arm), ("substrate", model.sub)):
        m = body.basis.mesh
        # vertex displacements: scalar DOFs of the vertices are the first m.nvertices ones (skfem ordering)
        u = model.U[body.offset: body.offset + 2 * body.N].reshape(-1, 2)[: m.p.shape[1]]
        out[name] = {"points": m.p.T.copy(), "cells": m.t.T.copy(), "u": u.copy(),
                     "plastic_strain": body.plastic_strain_cells()}
    return out
