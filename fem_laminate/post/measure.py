"""What the engineers measure, read off a laminate state: curvature, mark distances, stresses by layer.

Curvature is fitted on the bottom surface of the lowest present layer over the central part of the sample
(away from the free-edge zones), positive when the top layer is on the concave side.
"""
from __future__ import annotations

import numpy as np

from ..physics.fe import elastic
from ..physics.laws.plasticity import von_mises
from ..physics.models.laminate import LaminateState, instantaneous_D, layer_thermal_strain

FIT_FRACTION = 0.5  # central half of the sample length (and width) is used for curvature fits


def curvature(state: LaminateState, fit_fraction: float = FIT_FRACTION) -> dict:
    """Curvature of the present stack: 2D -> kappa; 3D -> kappa_x, kappa_y, kappa_xy and principal values."""
    model = state.model
    d = model.dim
    x = model.basis.doflocs
    bottom = _reference_plane(state)
    L = model.lmesh.length_m
    uu = state.u[:d * model.nnodes].reshape(-1, d)
    if d == 2:
        sel = bottom[np.abs(x[0, bottom]) <= 0.5 * fit_fraction * L]
        X = x[0, sel]
        w = uu[sel, 1]
        A = np.c_[np.ones_like(X), X, 0.5 * X**2]
        c = np.linalg.lstsq(A, w, rcond=None)[0]
        k = float(c[2])
        return {"curvature_1_per_m": k, "principal_curvatures_1_per_m": [k]}
    W = model.lmesh.width_m
    sel = bottom[(np.abs(x[0, bottom]) <= 0.5 * fit_fraction * L) & (np.abs(x[1, bottom]) <= 0.5 * fit_fraction * W)]
    X, Y = x[0, sel], x[1, sel]
    w = uu[sel, 2]
    A = np.c_[np.ones_like(X), X, Y, 0.5 * X**2, 0.5 * Y**2, X * Y]
    c = np.linalg.lstsq(A, w, rcond=None)[0]
    kx, ky, kxy = (float(v) for v in c[3:6])
    k1, k2 = np.linalg.eigvalsh([[kx, kxy], [kxy, ky]])[::-1]
    return {"curvature_1_per_m": 0.5 * (kx + ky), "kappa_x_1_per_m": kx, "kappa_y_1_per_m": ky,
            "kappa_xy_1_per_m": kxy, "principal_curvatures_1_per_m": [float(k1), float(k2)]}


def _reference_plane(state: LaminateState) -> np.ndarray:
    """Nodes of the surface the curvature is fitted on: the bottom of the present body, or, when a patterned
    etch has left holes, the bottom of the lowest layer that is still whole (a plane without holes)."""
    model = state.model
    d = model.dim
    x = model.basis.doflocs
    nodes = state.active_nodes()
    h = x[d - 1, nodes]
    h0 = h.min()
    if state.removed is not None and state.removed.any():
        lay = state.layer_of_element
        whole = [i for i in state.active_layers() if not state.removed[lay == i].any()]
        if whole:
            h0 = model.lmesh.interfaces_m[whole[0]]
    return nodes[np.abs(h - h0) <= 1e-9 * max(np.ptp(x[d - 1]), 1e-30)]


def warpage(state: LaminateState) -> dict:
    """3D panel warpage: principal curvatures and the lift of each corner above the panel centre, measured on the
    curvature's reference surface (the support holds the centre column upright, so no tilt is to be removed)."""
    model = state.model
    if model.dim != 3:
        raise ValueError("warpage is measured on 3D plates")
    plane = _reference_plane(state)
    x = model.basis.doflocs[:, plane]
    w = state.u[2:3 * model.nnodes:3][plane]
    centre = np.argmin(x[0] ** 2 + x[1] ** 2)
    lifts = []
    for sx, sy in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
        corner = np.argmax(sx * x[0] + sy * x[1])
        lifts.append(float((w[corner] - w[centre]) * 1e6))
    k = curvature(state)
    return {"principal_curvatures_1_per_m": k["principal_curvatures_1_per_m"], "kappa_x_1_per_m": k["kappa_x_1_per_m"],
            "kappa_y_1_per_m": k["kappa_y_1_per_m"], "kappa_xy_1_per_m": k["kappa_xy_1_per_m"],
            "corner_lift_um": lifts, "corner_lift_max_um": max(lifts, key=abs)}


FLAT_CURVATURE_1_PER_M = 1e-6  # below this (radius > 1 km) a sample is flat to any measurement; round-off level


def radius_mm(kappa: float) -> float | None:
    """Radius of curvature in mm; None (n/a) for a flat sample, |kappa| < FLAT_CURVATURE_1_PER_M."""
    return None if abs(kappa) < FLAT_CURVATURE_1_PER_M else float(1e3 / kappa)


def polymer_layers(state: LaminateState) -> list[int]:
    return [i for i in state.active_layers() if not state.stack.layers[i].material.is_metal]


def mark_distance(state: LaminateState, layers: list[int] | None = None, span_fraction: float = 0.5,
                  axis: int = 0) -> float:
    """Distance along x (axis 0; 3D: or y, axis 1) between two marks at ±span/2, at mid-height of the given layers
    (default: the polymer film), on the centre line; the JIS C 6481 and TMA measurements both use it."""
    model = state.model
    d = model.dim
    if layers is None:
        layers = polymer_layers(state)
    if not layers:
        raise ValueError("no polymer layer present to carry the marks")
    z = model.lmesh.interfaces_m
    h_mid = 0.5 * (z[min(layers)] + z[max(layers) + 1])
    half = 0.5 * span_fraction * (model.lmesh.width_m if axis == 1 else model.lmesh.length_m)
    pts = np.zeros((d, 2))
    pts[axis] = (-half, half)
    pts[d - 1] = h_mid
    # interpolate the quadratic field exactly at the marks (a free bilayer film bends, so the height matters)
    P = model.basis.probes(pts)
    ux = P @ state.u[axis:d * model.nnodes:d]
    return float(2 * half + ux[1] - ux[0])


def layer_stress_summary(state: LaminateState) -> dict:
    """Per present layer: in-plane stress at the sample centre (mean through the layer), extremes, von Mises."""
    model = state.model
    lay = state.layer_of_element
    out = {}
    xc = model.lmesh.mesh.p[0, model.lmesh.mesh.t].mean(axis=0)
    L = model.lmesh.length_m
    for i in state.active_layers():
        el = np.flatnonzero((lay == i) & state.element_active)
        s = state.stress[el]  # (ne, nq, nc)
        sxx = s[..., 0]
        centre = el[np.abs(xc[el]) <= 0.1 * L] if np.any(np.abs(xc[el]) <= 0.1 * L) else el
        vm = von_mises(s, axis=-1)
        out[state.stack.layers[i].name] = {
            "material": state.stack.layers[i].material.name,
            "stress_xx_centre_MPa": float(state.stress[centre][..., 0].mean() * 1e-6),
            "stress_xx_max_MPa": float(sxx.max() * 1e-6),
            "stress_xx_min_MPa": float(sxx.min() * 1e-6),
            "von_mises_max_MPa": float(vm.max() * 1e-6),
        }
    return out


def stress_profile(state: LaminateState) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """In-plane stress through the thickness in the central element column: heights (m), sigma_xx (Pa), layer."""
    model = state.model
    d = model.dim
    mesh = model.lmesh.mesh
    act = state.active_elements()
    cent = mesh.p[:d - 1, mesh.t[:, act]].mean(axis=1)
    r = np.sqrt((cent ** 2).sum(axis=0))
    col = act[r <= r.min() * (1 + 1e-9) + 1e-15]
    X = model.basis.mapping.F(model.basis.X, tind=col)
    z = X[d - 1].ravel()
    s = state.stress[col][..., 0].ravel()
    lay = np.repeat(state.layer_of_element[col], X.shape[-1])
    order = np.argsort(z, kind="stable")
    return z[order], s[order], lay[order]


def interface_stress(state: LaminateState, below: int) -> dict:
    """Peak normal (peel) and shear stress in the elements touching the interface above layer `below`."""
    model = state.model
    d = model.dim
    zc = model.lmesh.interfaces_m[below + 1]
    lay = state.layer_of_element
    el = np.flatnonzero(((lay == below) | (lay == below + 1)) & state.element_active)
    pts = model.lmesh.mesh.p[d - 1, model.lmesh.mesh.t[:, el]]
    touch = el[np.any(np.abs(pts - zc) <= 1e-12 + 1e-9 * zc, axis=0)]
    if touch.size == 0:
        return {"peel_stress_max_MPa": 0.0, "shear_stress_max_MPa": 0.0}
    s = state.stress[touch]
    normal = s[..., 1] if d == 2 else s[..., 2]
    shear = np.abs(s[..., 3]) if d == 2 else np.sqrt(s[..., 3] ** 2 + s[..., 4] ** 2)
    return {"peel_stress_max_MPa": float(normal.max() * 1e-6), "shear_stress_max_MPa": float(shear.max() * 1e-6)}


def layer_mismatch_strains(state) -> list[float]:
    """Per present layer, the in-plane stress-free strain (ε0 + ε_th) at the present temperature, at the layer's
    mid-plane over its central elements: what a sample cut from the laminate and held flat is loaded by."""
    return layer_mismatch_profile(state)[0]


def layer_mismatch_profile(state) -> tuple[list[float], list[float]]:
    """(mid-plane values, gradients through the thickness in 1/m) of each present layer's in-plane stress-free
    strain ε0 + ε_th at the present temperature, fitted over the layer's central elements.

    A layer that formed on a curved substrate (a bonded foil, a layer relaxed above Tg) is stress-free curved:
    its ε0 varies through its thickness, and the gradient loads a cut sample with a moment. The in-plane
    components are averaged (equi-biaxial; the curl solver takes one strain per layer and depth).
    """
    model = state.model
    d = model.dim
    mesh = model.lmesh.mesh
    lay = state.layer_of_element
    cent = np.sqrt((mesh.p[:d - 1, mesh.t].mean(axis=1) ** 2).sum(axis=0))
    central = cent <= 0.25 * model.lmesh.length_m
    eth = layer_thermal_strain(state, 25.0, state.T_C)
    inplane = (0, 2) if d == 2 else (0, 1)
    zq = model.basis.mapping.F(model.basis.X)[d - 1]  # (nel, nq) height of the quadrature points
    itf = state.stack.interfaces_m
    history = bool(state.history)  # a law with a history has run (swelling, relaxation, yield)
    D = instantaneous_D(state, state.T_C) if history else None
    mids, grads = [], []
    for i in state.active_layers():
        el = np.flatnonzero((lay == i) & central & state.element_active)
        if history:
            # swelling, relaxation or yield: the strain a sample cut now (instantaneously, elastically) is
            # loaded by is ε(u) - D⁻¹σ; for the elastic model this is exactly ε0 + ε_th
            free = elastic.strain_at_qp(model, state.u, el) - np.linalg.solve(D[i], state.stress[el][..., None])[..., 0]
            e = free[..., list(inplane)].mean(axis=-1).ravel()
            off = 0.0
        else:
            e = state.eps0[el][..., list(inplane)].mean(axis=-1).ravel()
            off = eth[i, inplane[0]]
        z = zq[el].ravel() - 0.5 * (itf[i] + itf[i + 1])
        A = np.stack([np.ones_like(z), z], axis=1)
        (a, g), *_ = np.linalg.lstsq(A, e, rcond=None)
        mids.append(float(a + off))
        grads.append(float(g))
    return mids, grads


def peak_elastic_strain(state: LaminateState) -> float:
    """The largest stress-producing (elastic) strain component of the present body, D⁻¹σ with the instantaneous
    moduli, from the element-averaged stresses (free thermal, hygroscopic and cure strains only move the
    reference; small-strain theory is about this one)."""
    el = state.active_elements()
    if not el.size:
        return 0.0
    D = instantaneous_D(state, state.T_C)[state.layer_of_element[el]]
    return float(np.abs(np.linalg.solve(D, state.stress[el].mean(axis=1)[..., None])[..., 0]).max())
