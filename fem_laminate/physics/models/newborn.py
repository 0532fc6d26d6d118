"""The shape a layer is born in: nodes that only newborn elements touch follow the surface they rest on.

A new layer is born stress-free in this shape (ε0 = ε(u) - Σ ε_eigen), so the shape matters: it keeps plots and
VTU frames of a bonded foil in place, and it makes the layer follow the substrate's curvature in-plane as the
generalized-plane-strain curvature already does out of plane.
"""
from __future__ import annotations

import numpy as np


def follow_nodes(state, before_el: np.ndarray) -> None:
    """Give nodes that only newborn elements touch the displacement of the top-most old node below them,
    rotated with the surface there.

    A new layer is born stress-free in this shape (ε0 = ε(u) - ε_th), so the shape matters: it keeps plots and
    VTU frames of a bonded foil in place, and it makes the layer follow the substrate's curvature in-plane as
    the generalized-plane-strain curvature already does out of plane.
    """
    model = state.model
    d = model.dim
    ed = model.basis.element_dofs
    old = np.zeros(model.nnodes, bool)
    old[np.unique(ed[:, before_el])] = True
    new = np.zeros(model.nnodes, bool)
    new[np.unique(ed[:, state.element_active & ~before_el])] = True
    new &= ~old
    if not new.any() or not old.any():
        return
    x = model.basis.doflocs
    inplane = x[:d - 1]
    h = x[d - 1]
    # the top-most old node in the same column (same in-plane coordinates)
    old_idx = np.flatnonzero(old)
    key_old = np.round(inplane[:, old_idx].T / max(model.lmesh.length_m, 1e-30) * 1e9).astype(np.int64)
    order = np.argsort(h[old_idx], kind="stable")
    table = {}
    for j in order:  # ascending height: the last one written per column is the top-most old node
        table[tuple(key_old[j])] = old_idx[j]
    uu = state.u[:d * model.nnodes].reshape(-1, d)
    slope = _surface_slopes(table, uu, inplane, d)
    for n in np.flatnonzero(new):
        k = tuple(np.round(inplane[:, n] / max(model.lmesh.length_m, 1e-30) * 1e9).astype(np.int64))
        src = table.get(k)
        if src is not None:
            # the column of the surface it rests on, rotated with it (Kirchhoff): a layer formed on a curved
            # substrate is stress-free curved in every in-plane direction, not only out of the plane
            uu[n] = uu[src]
            uu[n, :d - 1] -= (h[n] - h[src]) * slope.get(src, 0.0)
    state.u[:d * model.nnodes] = uu.ravel()


def _surface_slopes(table: dict, uu: np.ndarray, inplane: np.ndarray, d: int) -> dict:
    """Slope of the out-of-plane displacement along each in-plane axis at the surface nodes of `table`.

    Finite differences over the surface columns (2D: along x; 3D: on the tensor grid of a layered plate).
    Returns {node: slope array (d - 1,)}; empty where the columns do not form a grid.
    """
    src = np.array(list(table.values()))
    if src.size < 3:
        return {}
    X = inplane[:, src]
    w = uu[src, d - 1]
    if d == 2:
        order = np.argsort(X[0])
        g = np.empty(src.size)
        g[order] = np.gradient(w[order], X[0, order])
        return {int(n): np.array([gi]) for n, gi in zip(src, g)}
    xs, ix = np.unique(np.round(X[0], 12), return_inverse=True)
    ys, iy = np.unique(np.round(X[1], 12), return_inverse=True)
    if len(xs) * len(ys) != src.size or len(xs) < 3 or len(ys) < 3:
        return {}
    W = np.full((len(xs), len(ys)), np.nan)
    W[ix, iy] = w
    gx, gy = np.gradient(W, xs, ys)
    return {int(n): np.array([gx[i, j], gy[i, j]]) for n, i, j in zip(src, ix, iy)}
