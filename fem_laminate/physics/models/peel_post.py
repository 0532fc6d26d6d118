"""Post-processing of the FEM peel's state: the arm's root (peak curvature and its tangent angle, the closed
form's theta_0 and kappa_0), the arm's profile along its length (moment and axial force from the stresses), the
slope at the crack tip, and the fields for the output files. Functions of a `PeelModel` (peel_model.py).
"""
from __future__ import annotations

import math

import numpy as np

from .peel_mesh import _layer_grid
from .peel_spec import _arm_cells, _arm_neutral_axis, process_zone_length


def arm_root(model) -> tuple[float, float]:
    """The root of the peeled arm, where its bending moment (so its curvature) peaks: (tangent angle toward
    the pull in degrees, curvature 1/m) of that section. The closed form's root rotation theta_0 and root
    curvature kappa_0 are these (its first integral starts there); with a cohesive zone the peak lies inside
    the zone, ahead of the traction-free crack tip. From the deformed vertex sections of the arm (the line
    through the thickness is the section's normal), peak located by a parabola through 3 sections."""
    b = model.arm
    phi, kappa, s = arm_sections(model)
    # search near the crack tip only (the initial free arm may keep kinks from its starting shape)
    x_ref = b.basis.mesh.p.T.reshape(-1, model.arm_ny + 1, 2)[:, 0, 0]
    tip, reach = model.crack_tip_x(), process_zone_length(model.spec) + 2 * model.spec.element_length_m
    near = (x_ref >= max(tip - reach, 0.0) - 1e-12) & (x_ref <= tip + model.zone_length() + reach)
    i = int(np.clip(np.flatnonzero(near)[np.argmax(kappa[near])], 1, kappa.size - 2))
    k3 = kappa[i - 1: i + 2]
    den = k3[0] - 2 * k3[1] + k3[2]
    t = 0.5 * (k3[0] - k3[2]) / den if den < 0 else 0.0  # vertex of the parabola, in sections from i
    t = float(np.clip(t, -1.0, 1.0))
    j = i + t
    return math.degrees(float(np.interp(j, np.arange(phi.size), phi))), float(k3[1] - 0.25 * (k3[0] - k3[2]) * t)

def arm_sections(model):
    """Deformed vertex sections of the arm: tangent angle phi (rad, toward the pull), curvature kappa (1/m) and
    arc length s (m) of the mid-line, from the free end to the bonded end (the reference coordinate xi)."""
    b = model.arm
    nv = b.basis.mesh.p.shape[1]
    x = b.basis.mesh.p.T + model.U[b.offset: b.offset + 2 * nv].reshape(-1, 2)  # vertices are DOFs 0..nv-1
    sec = x.reshape(-1, model.arm_ny + 1, 2)
    n = sec[:, -1] - sec[:, 0]
    phi = np.unwrap(np.arctan2(n[:, 0], n[:, 1]))
    mid = 0.5 * (sec[:, -1] + sec[:, 0])
    s = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(mid, axis=0), axis=1))])
    return phi, -np.gradient(phi, s), s  # phi falls from the free arm to the bonded part

def arm_profile(model) -> dict:
    """The arm's mechanics along its length in the current state (diagnostics of the closed form's assumptions).

    Vertex sections: arc length from the crack tip a (m, > 0 into the free arm, < 0 into the bonded part),
    reference coordinate xi (m; >= 0: material that was bonded at the start, < 0: the starting free arm),
    tangent angle phi (deg) and curvature kappa (1/m). Gauss stations (3 per element column): a, the bending
    moment M (N m/m, about the arm's elastic neutral axis, sagging with the curvature positive) and the axial
    force N (N/m), through-thickness integrals of the axial 2nd Piola-Kirchhoff stress S_tt of the reference
    section (strains are small: S_tt is the section's stress in its rotated frame)."""
    b, ny = model.arm, model.arm_ny
    phi, kappa, s = arm_sections(model)
    xi = model.arm_xi
    s_tip = float(np.interp(model.crack_tip_x(), xi, s))
    S = model.arm.stress(model.U)  # (4, e, q); cells i-major: e = i * ny + j
    P0 = b.basis.mesh.p.T.reshape(-1, ny + 1, 2)  # reference vertex sections
    nrm = P0[:, -1] - P0[:, 0]
    h = np.linalg.norm(nrm, axis=1)
    zc = _arm_neutral_axis(model.spec)
    z_nodes, _ = _layer_grid(model.spec.arm, _arm_cells(model.spec))
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

def crack_tip_rotation_deg(model) -> float:
    """Rotation toward the pull of the arm's bottom line at the crack tip (deformed slope of the interface)."""
    x0 = model.crack_tip_x()
    i = np.searchsorted(model.cz_x, x0)
    i = min(max(i, 0), model.cz_x.size - 3)
    top = model.cz.top
    p0 = np.array([model.cz_x[i] + model.U[top[i]], model.U[top[i] + 1]])
    p1 = np.array([model.cz_x[i + 2] + model.U[top[i + 2]], model.U[top[i + 2] + 1]])
    return math.degrees(math.atan2(p0[1] - p1[1], p1[0] - p0[0]))


def fields(model) -> dict:
    """Deformed meshes and plastic strain of the arm and the substrate, for the output files."""
    out = {}
    for name, body in (("arm", model.arm), ("substrate", model.sub)):
        m = body.basis.mesh
        # vertex displacements: scalar DOFs of the vertices are the first m.nvertices ones (skfem ordering)
        u = model.U[body.offset: body.offset + 2 * body.N].reshape(-1, 2)[: m.p.shape[1]]
        out[name] = {"points": m.p.T.copy(), "cells": m.t.T.copy(), "u": u.copy(),
                     "plastic_strain": body.plastic_strain_cells()}
    return out
