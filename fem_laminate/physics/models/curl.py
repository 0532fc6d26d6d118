"""Curl of a cut sample: meshing (rectangle / disc, quarter model), the nonlinear solve, and what an
engineer measures (corner lift on a table, principal curvatures, shape). Output: curl_output.py; the
mismatch strains of a cured stack and the thickness-ratio study: curl_study.py.

Conventions: layers bottom-up; eigenstrain e*_i such that a sample held flat carries
sigma_i = E_i/(1-nu_i) (c - e*_i); curvature positive when the top layer is on the concave side.
The quarter model (x >= 0, y >= 0, mirror planes x = 0 and y = 0) keeps both mirror symmetries,
which the spherical and the cylindrical branch both have; the x <-> y symmetry is broken by the
imperfection (e*_x, e*_y) = e*(1 + d, 1 - d) so the solver follows the stable branch through the
bifurcation.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from skfem import Basis, ElementHex2, ElementVector, MeshHex

from ...analytic import curl as ac
from ...model.materials import Material
from ...model.stack import Layer
from ...model.mesh import layered_mesh_3d
from ...units import STANDARD_GRAVITY
from . import large_deflection as ld
from ..fe.ans import gauss_27
from ..laws.layer_views import plate_layer
from ..fe.elastic import lame

G_M_PER_S2 = STANDARD_GRAVITY


# ---- meshing -------------------------------------------------------------------------------------

def quarter_sample_mesh(interfaces_m, length_m: float, width_m: float, shape: str = "rectangle",
                        n_inplane: int = 16, n_per_layer=1, edge_refinement: float = 0.1):
    """Quarter of the sample, x in [0, L/2], y in [0, W/2] (rectangle) or the quarter disc of diameter L.

    n_inplane elements along L/2, graded toward the free edge (end element edge_refinement times the
    centre one) where the bending boundary layer of width ~ sqrt(R h) sits. Returns (MeshHex, layer
    index per element). The disc is the square mapped by the elliptic grid map
    (x, y) -> (x sqrt(1 - y^2/2), y sqrt(1 - x^2/2)), which keeps the mirror planes and sends the outer
    edges onto the circle.
    """
    if shape not in ("rectangle", "disc"):
        raise ValueError(f"shape = {shape!r}: allowed 'rectangle' or 'disc'")
    if shape == "disc":
        width_m = length_m
    ny = max(2, int(round(n_inplane * width_m / length_m)))
    # the whole sample graded toward both ends, then keep the quarter x >= 0, y >= 0
    lm = layered_mesh_3d(interfaces_m, length_m, width_m, nx=2 * n_inplane, ny=2 * ny,
                         n_per_layer=n_per_layer, edge_refinement=edge_refinement)
    m = lm.mesh
    ctr = m.p[:, m.t].mean(axis=1)
    keep = (ctr[0] > 0) & (ctr[1] > 0)
    t = m.t[:, keep]
    used = np.unique(t)
    new_index = -np.ones(m.p.shape[1], dtype=np.int64)
    new_index[used] = np.arange(len(used))
    p = m.p[:, used].copy()
    p[0] = np.where(np.abs(p[0]) < 1e-9 * length_m, 0.0, p[0])
    p[1] = np.where(np.abs(p[1]) < 1e-9 * length_m, 0.0, p[1])
    if shape == "disc":
        R = 0.5 * length_m
        x, y = p[0] / R, p[1] / R
        p[0] = R * x * np.sqrt(1 - y**2 / 2)
        p[1] = R * y * np.sqrt(1 - x**2 / 2)
    return MeshHex(np.ascontiguousarray(p), np.ascontiguousarray(new_index[t])), lm.layer[keep]


# ---- result --------------------------------------------------------------------------------------

@dataclass
class CurlResult:
    corner_lift_m: float
    shape: str  # "flat" | "spherical" | "cylindrical"
    principal_curvatures_1_per_m: tuple[float, float]  # (major, minor), chord-and-lift along the axes
    path: list  # [(load factor, k1, k2)] chord curvatures along x and y
    centre_curvatures_1_per_m: tuple[float, float]  # (major, minor) local curvatures at the centre
    converged: bool
    message: str
    linear_curvature_1_per_m: float  # small-deflection (Hsueh) curvature of the same layers
    ndofs: int
    seconds: float
    # deformed sample (quarter model) for output
    mesh: object = field(repr=False, default=None)
    layer: np.ndarray = field(repr=False, default=None)
    vertex_displacement_m: np.ndarray = field(repr=False, default=None)  # (3, nvertices)
    facing: int = 1  # +1: bottom face on the table, -1: top face on the table (sample flipped)
    length_m: float = 0.0
    width_m: float = 0.0
    sample_shape: str = "rectangle"


@dataclass
class _Geometry:
    """DOF bookkeeping for the quarter model."""
    vb: object
    comp: np.ndarray  # component of each vector DOF
    xyz: np.ndarray  # (3, ndofs) location of each vector DOF
    vertex_dofs: np.ndarray  # (nvertices, 3) vector DOFs at the mesh vertices


def _geometry(mesh) -> _Geometry:
    vb = Basis(mesh, ElementVector(ElementHex2()), quadrature=gauss_27())  # exact for Q2 stiffness on boxes
    comp = np.empty(vb.N, dtype=int)
    for i in range(vb.element_dofs.shape[0]):
        comp[vb.element_dofs[i]] = i % 3
    vertex_dofs = vb.nodal_dofs.T.copy()  # (nvertices, 3): u^1, u^2, u^3 at each vertex
    return _Geometry(vb, comp, vb.doflocs, vertex_dofs)


def _surface_points(geo: _Geometry, u, z_ref: float, tol: float):
    """Reference (x, y) and deformed (x, y, z) of the scalar nodes on the plane z = z_ref."""
    sel = (geo.comp == 0) & np.isclose(geo.xyz[2], z_ref, atol=tol)
    d0 = np.flatnonzero(sel)
    # the three components of a node are consecutive in the interleaved ordering
    X = geo.xyz[:, d0]
    x = X + np.stack([u[d0], u[d0 + 1], u[d0 + 2]])
    return X, x


def centre_curvatures(X, x, half_size_m: float) -> tuple[float, float]:
    """Principal curvatures at the centre from an even quartic fit z(x, y) of the deformed surface.

    z = d + (k1 x^2 + k2 y^2)/2 + c1 x^4 + c2 y^4 + c3 x^2 y^2 over nodes near the centre; the tangent
    plane at the centre is horizontal by symmetry, so k1, k2 are the exact curvatures there.
    """
    r_fit = 0.3 * half_size_m
    k = (0.0, 0.0)
    for _ in range(3):
        kmax = max(abs(k[0]), abs(k[1]))
        r = min(r_fit, 0.6 / kmax) if kmax > 0 else r_fit
        s = np.hypot(X[0], X[1]) <= r
        if s.sum() < 12:
            s = np.argsort(np.hypot(X[0], X[1]))[:12]
        xx, yy, zz = x[0, s], x[1, s], x[2, s]
        A = np.stack([np.ones_like(xx), xx**2 / 2, yy**2 / 2, xx**4, yy**4, xx**2 * yy**2], axis=1)
        coef = np.linalg.lstsq(A, zz, rcond=None)[0]
        k = (float(coef[1]), float(coef[2]))
    return k


def chord_curvatures(X, x) -> tuple[float, float]:
    """Curvatures along the two mirror axes from the circle through the centre and the edge midpoint.

    With a horizontal tangent at the centre, the arc to the edge point (dx, dz) has curvature
    2 dz / (dx^2 + dz^2): what an engineer gets from the chord and the lift of a cut sample, and the
    mean curvature a uniform-curvature (Ritz) model speaks about.
    """
    i0 = np.argmin(np.hypot(X[0], X[1]))
    out = []
    for a, b in ((0, 1), (1, 0)):
        on_axis = np.abs(X[b]) <= 1e-9 * max(np.abs(X[a]).max(), 1e-300)
        j = np.flatnonzero(on_axis)[np.argmax(X[a, on_axis])]
        d = x[:, j] - x[:, i0]
        dr, dz = np.hypot(d[0], d[1]), d[2]
        out.append(float(2 * dz / (dr**2 + dz**2)))
    return out[0], out[1]


def classify_shape(k1: float, k2: float, corner_lift_m: float, flat_lift_m: float) -> str:
    """flat: lift below flat_lift_m; spherical: minor/major curvature ratio >= 0.5; else cylindrical."""
    if corner_lift_m < flat_lift_m:
        return "flat"
    kmaj, kmin = (k1, k2) if abs(k1) >= abs(k2) else (k2, k1)
    return "spherical" if kmaj != 0 and kmin / kmaj >= 0.5 else "cylindrical"


def _lift(geo, u, interfaces, facing):
    """Largest height of the table-facing surface above the table touching it at the centre."""
    z_face = interfaces[0] if facing > 0 else interfaces[-1]
    tol = 1e-6 * (interfaces[-1] - interfaces[0])
    X, x = _surface_points(geo, u, z_face, tol)
    i0 = np.argmin(np.hypot(X[0], X[1]))
    h = facing * (x[2] - x[2, i0])
    return float(max(h.max(), 0.0)), float(-min(h.min(), 0.0))


# ---- the solve -----------------------------------------------------------------------------------

def _check_inputs(layers, eigenstrain, length_m, width_m, shape, n_inplane, imperfection):
    if not layers:
        raise ValueError("layers: need at least one (material, thickness_m) pair, got none")
    if len(eigenstrain) != len(layers):
        raise ValueError(f"eigenstrain: {len(eigenstrain)} values for {len(layers)} layers")
    for i, (m, h) in enumerate(layers):
        if not (1e-8 <= h <= 1e-2):
            raise ValueError(f"layers[{i}] thickness_m = {h}: allowed 1e-8 .. 1e-2 m")
    for i, e in enumerate(eigenstrain):
        if not abs(e) <= 0.05:
            raise ValueError(f"eigenstrain[{i}] = {e}: allowed -0.05 .. 0.05 (small strain)")
    if not (1e-4 <= length_m <= 2.0):
        raise ValueError(f"length_m = {length_m}: allowed 1e-4 .. 2 m")
    if shape == "rectangle" and not (1e-4 <= width_m <= 2.0):
        raise ValueError(f"width_m = {width_m}: allowed 1e-4 .. 2 m")
    if shape not in ("rectangle", "disc"):
        raise ValueError(f"shape = {shape!r}: allowed 'rectangle' or 'disc'")
    if not (2 <= n_inplane <= 400):
        raise ValueError(f"n_inplane = {n_inplane}: allowed 2 .. 400")
    if not (0 <= abs(imperfection) <= 0.1):
        raise ValueError(f"imperfection = {imperfection}: allowed -0.1 .. 0.1")


def plate_layers(layers, eigenstrain, temperature_C, gradient_per_m=None) -> list[ac.PlateLayer]:
    g = [0.0] * len(layers) if gradient_per_m is None else list(gradient_per_m)
    return [plate_layer(Layer(f"layer {i}", m, h), temperature_C, e, gi)
            for i, ((m, h), e, gi) in enumerate(zip(layers, eigenstrain, g))]


def build_model(layers, eigenstrain, temperature_C, length_m, width_m, shape="rectangle", n_inplane=16,
                n_per_layer=1, imperfection=1e-3, gravity=False, facing=1, membrane_tying=True,
                gradient_per_m=None):
    """Quarter-model PlateModel with symmetry and pin constraints; returns (model, geometry, interfaces, layer).

    membrane_tying: Hex27 with MITC9 membrane tying (physics/fe/ans.py), free of membrane locking at large
    rotation; False gives the plain fully integrated Hex27.
    """
    interfaces = np.concatenate([[0.0], np.cumsum([h for _, h in layers])])
    mesh, layer = quarter_sample_mesh(interfaces, length_m, width_m, shape, n_inplane, n_per_layer)
    geo = _geometry(mesh)
    E = np.array([float(m.E(temperature_C)) for m, _ in layers])[layer]
    nu = np.array([m.nu for m, _ in layers])[layer]
    lam, mu = lame(E, nu)
    e = np.asarray(eigenstrain, float)[layer]
    if gradient_per_m is not None and np.any(np.asarray(gradient_per_m, float) != 0):
        # a layer formed curved: eigenstrain linear through its thickness, at the quadrature points
        zq = geo.vb.mapping.F(geo.vb.X)[2]  # (nel, nq)
        zmid = 0.5 * (interfaces[:-1] + interfaces[1:])[layer]
        e = e[:, None] + np.asarray(gradient_per_m, float)[layer][:, None] * (zq - zmid[:, None])
    estar = np.stack([e * (1 + imperfection), e * (1 - imperfection), e], axis=-1)
    tol = 1e-9 * length_m
    fixed = ((geo.comp == 0) & (np.abs(geo.xyz[0]) < tol)) | ((geo.comp == 1) & (np.abs(geo.xyz[1]) < tol))
    z_pin = interfaces[0] if facing > 0 else interfaces[-1]
    pin = (geo.comp == 2) & (np.abs(geo.xyz[0]) < tol) & (np.abs(geo.xyz[1]) < tol) & \
        (np.abs(geo.xyz[2] - z_pin) < 1e-6 * interfaces[-1])
    fixed |= pin
    bz = None
    if gravity:
        rho = np.array([m.density_kg_per_m3 or 0.0 for m, _ in layers])[layer]
        bz = -facing * rho * G_M_PER_S2
    model = ld.PlateModel(mesh=mesh, vbasis=geo.vb, lam=lam, mu=mu, estar=estar, free=~fixed, bz=bz,
                          membrane_tying=membrane_tying)
    if gravity:
        # rigid table touching the table-facing surface; the pinned centre node sits on it
        face = (geo.comp == 2) & (np.abs(geo.xyz[2] - z_pin) < 1e-6 * interfaces[-1]) & ~fixed
        model.contact_dofs = np.flatnonzero(face)
        model.contact_gap0_m = np.zeros(len(model.contact_dofs))
        model.contact_side = int(facing)
        # penalty: a tenth of the plate's own stiffness at those DOFs (penetrations ~ weight / k, nm)
        _, K = ld.make_assembler(model).force_and_tangent(np.zeros(model.ndofs), 0.0)
        diag = K.data[K.indptr[:-1]]
        fi = np.cumsum(model.free) - 1
        model.contact_k_N_per_m = 0.1 * float(np.median(diag[fi[model.contact_dofs]]))
    return model, geo, interfaces, layer


def curl_sample(layers: list[tuple[Material, float]], eigenstrain: list[float], temperature_C: float,
                length_m: float, width_m: float, shape: str = "rectangle", table: bool = True,
                gravity: bool = False, n_inplane: int = 16, n_per_layer=1, imperfection: float = 1e-3,
                flat_lift_m: float = 0.5e-3, dt0: float = 0.02, progress=None, verbose=False,
                gradient_per_m=None) -> CurlResult:
    """Large-deflection curl of a free sample cut from the laminate.

    layers: bottom-up (Material, thickness_m); eigenstrain: per-layer equi-biaxial mismatch strain at the layer's
    mid-plane, gradient_per_m: its slope through the layer (1/m; a layer formed on a curved substrate);
    moduli at temperature_C. Quarter model with n_inplane Hex2 elements along L/2 and n_per_layer
    through each layer. table: the sample rests on its convex side (flipped when the top is convex)
    and the lift is measured from the table; gravity: self-weight toward the table (requires table),
    applied after the free curl (load path t in [0, 1]: mismatch; t in [1, 2]: weight); if laying the curled
    sample down snaps it, the weight acts from the start instead (the message says so).
    """
    if shape == "disc":
        width_m = length_m
    _check_inputs(layers, eigenstrain, length_m, width_m, shape, n_inplane, imperfection)
    if gravity and not table:
        raise ValueError("gravity = True needs table = True (a free sample under its weight has no equilibrium)")
    pl = plate_layers(layers, eigenstrain, temperature_C, gradient_per_m)
    k_lin, _ = ac.linear_curvature(pl)
    facing = 1 if k_lin >= 0 else -1
    model, geo, interfaces, layer = build_model(layers, eigenstrain, temperature_C, length_m, width_m, shape,
                                                n_inplane, n_per_layer, imperfection, gravity, facing,
                                                gradient_per_m=gradient_per_m)
    half = 0.5 * min(length_m, width_m)
    bottom = interfaces[0]
    ztol = 1e-6 * interfaces[-1]
    path = [(0.0, 0.0, 0.0)]

    centre = [(0.0, 0.0)]

    def record(t, u, negp):
        X, x = _surface_points(geo, u, bottom, ztol)
        path.append((t, *chord_curvatures(X, x)))
        centre.append(centre_curvatures(X, x, half))

    # push along the bifurcation mode w ~ x^2 - y^2 when the spherical state turns unstable
    zdofs = np.flatnonzero(geo.comp == 2)
    mode = (geo.xyz[0, zdofs] ** 2 - geo.xyz[1, zdofs] ** 2) / half**2

    def perturb(u):
        u[zdofs] += 0.5 * float(np.abs(u[zdofs]).max()) * mode
        return u

    # the first steps must stay below the bifurcation (Ritz estimate), or Newton lands on an unstable state
    plate = ac.equivalent_plate(pl)
    k0c = float(ac.spherical_branch_k0(ac.critical_curvature(plate, shape, length_m, width_m),
                                       plate, shape, length_m, width_m))
    if k_lin != 0:
        dt0 = min(dt0, max(0.3 * k0c / abs(k_lin), 1e-4))
    # the sample curls free (its weight off), then lies on the table and its weight is ramped in: the order
    # of a measurement. Weightless, it curls away from the table (facing), so the table is left out then.
    k_table, model.contact_k_N_per_m = model.contact_k_N_per_m, 0.0
    res = ld.solve_load_path(model, dt0=dt0, callback=record, progress=progress, perturb=perturb,
                             verbose=verbose, body_factor=0.0 if gravity else 1.0)
    model.contact_k_N_per_m = k_table
    if gravity and res.converged:
        first = res
        res = ld.solve_load_path(model, dt0=0.1, callback=lambda t, u, n: record(1.0 + t, u, n), progress=progress,
                                 verbose=verbose, ramp="gravity", u0=first.u)
        res.seconds += first.seconds
        if not res.converged:
            # the weight may snap the curled sample (a limit point load control cannot pass): take the other
            # quasi-static order instead, the weight on the table from the start while the mismatch grows
            del path[1:], centre[1:]
            second = ld.solve_load_path(model, dt0=dt0, callback=record, progress=progress, perturb=perturb,
                                        verbose=verbose, body_factor=1.0)
            second.seconds += res.seconds
            if second.converged:
                second.message = ("converged with the weight on from the start (laying the curled sample down "
                                  f"snapped it: {res.message})")
                res = second
            else:
                res.message = (f"weight ramp on the table: {res.message}; with the weight on from the start: "
                               f"{second.message}")
    u = res.u
    if res.converged and res.path[-1].negative_pivots:
        # an equilibrium, but not one the sample can rest in: say so rather than report its shape as measured
        res.converged = False
        res.message = ("the final state is unstable (negative pivots in the tangent): the load path missed the "
                       "stable branch; " + res.message)
    k1, k2 = sorted(path[-1][1:], key=abs, reverse=True)
    c1, c2 = sorted(centre[-1], key=abs, reverse=True)
    lift, _ = _lift(geo, u, interfaces, facing if table else 1)
    if not table:
        # without a table report the height difference of the sample (largest of both faces)
        lift = max(_lift(geo, u, interfaces, 1)[0], _lift(geo, u, interfaces, -1)[0])
    shape_name = classify_shape(k1, k2, lift, flat_lift_m)
    vd = np.stack([u[geo.vertex_dofs[:, i]] for i in range(3)])
    return CurlResult(corner_lift_m=lift, shape=shape_name, principal_curvatures_1_per_m=(k1, k2), path=path,
                      centre_curvatures_1_per_m=(c1, c2),
                      converged=res.converged, message=res.message, linear_curvature_1_per_m=k_lin,
                      ndofs=model.ndofs, seconds=res.seconds, mesh=model.mesh, layer=layer,
                      vertex_displacement_m=vd, facing=facing, length_m=length_m, width_m=width_m,
                      sample_shape=shape)
