"""Meshes of the FEM peel: the arm (bonded part along +x, free part on its starting shape: the elastica of the
closed-form force, naturally straight, or a stress-free arc), the substrate beneath the interface, and the
eigenstrain that makes a naturally straight arm meshed bent (Q2 quadrilaterals, i along the length, j through
the thickness; cells i-major).
"""
from __future__ import annotations

import math

import numpy as np
from skfem import Basis, ElementQuad1, MeshQuad

from .peel_spec import PeelFEMSpec, _arm_cells, _arm_EI, _arm_neutral_axis, _plane_strain_modulus


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
                       list(spec.arm),
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


def straightening_strain(mesh, straight) -> np.ndarray:
    """Green-Lagrange strain (Voigt, engineering shear) that maps the meshed (bent) arm onto its naturally
    straight configuration `straight` (same topology), at the Gauss points of the bodies' quadrature: used as
    the initial eigenstrain, so the arm is stress-free when straight and prestressed as meshed."""
    b = Basis(mesh, ElementQuad1(), intorder=4)
    us = (straight.p - mesh.p)[:, b.element_dofs]  # (2, 4, nel): Quad1 DOFs are the vertices
    g = np.array([b.basis[j][0].grad for j in range(4)])  # (4, 2, nel, nqp)
    F = np.einsum("aje,jbeq->abeq", us, g) + np.eye(2)[:, :, None, None]
    C = np.einsum("caeq,cbeq->abeq", F, F)
    return np.array([(C[0, 0] - 1) / 2, (C[1, 1] - 1) / 2, np.zeros_like(C[0, 0]), C[0, 1]])
