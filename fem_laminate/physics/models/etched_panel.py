"""A panel with an etched circuit, homogenized: a copper map on a grid of tiles, each tile's effective laminate
response from its pattern class (physics/models/homogenize.py, cached per class), the panel solved as a thin
plate with those A, B, D, N_T, M_T (physics/fe/abd_plate.py).

Copper map: per tile the copper fraction f (exact area of the layout clipped to the tile), the direction of its
edges from their structure tensor J = sum over edge segments of l n n^T (n the unit normal, l the length), the
coherence c = (j1 - j2)/(j1 + j2) of its eigenvalues, and the pitch from the edge length per area (lines of
pitch p have 2/p of edge per unit area; square pads 4 sqrt(f)/p). A tile is 'bare' (f < 2 %), 'full'
(f > 98 %), 'lines' (c >= 0.6, direction along the lines) or 'pads'; f is bucketed to 0.05, the direction to
15 degrees and the pitch to a factor 2^(1/2), so a layout has a few dozen classes.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..fe import abd_plate
from ..fe.vk_plate import GRAVITY_M_PER_S2
from . import homogenize as hom

FRACTION_STEP = 0.05
ANGLE_STEP_RAD = math.radians(15.0)
PITCH_STEPS_PER_OCTAVE = 2
LINES_COHERENCE = 0.6


@dataclass
class CopperMap:
    """Per tile (ny, nx): copper fraction, coherence and direction (radians from x) of the edges, pitch (m)."""
    x_edges_m: np.ndarray
    y_edges_m: np.ndarray
    fraction: np.ndarray
    coherence: np.ndarray
    theta: np.ndarray
    pitch_m: np.ndarray
    connected: np.ndarray  # copper one piece with holes (a hatch, a mesh) rather than islands (pads)

    def classes(self) -> np.ndarray:
        """The bucketed CellClass of every tile, (ny, nx) object array."""
        out = np.empty(self.fraction.shape, dtype=object)
        for idx in np.ndindex(self.fraction.shape):
            out[idx] = tile_class(self.fraction[idx], self.coherence[idx], self.theta[idx], self.pitch_m[idx],
                                  bool(self.connected[idx]))
        return out


def tile_class(f: float, coherence: float, theta: float, pitch_m: float, connected: bool = False) -> hom.CellClass:
    if f < 0.02:
        return hom.CellClass("bare", 0.0)
    if f > 0.98:
        return hom.CellClass("full", 1.0)
    fb = min(max(FRACTION_STEP * round(f / FRACTION_STEP), FRACTION_STEP), 1 - FRACTION_STEP)
    pb = 2.0 ** (round(PITCH_STEPS_PER_OCTAVE * math.log2(pitch_m / 1e-4)) / PITCH_STEPS_PER_OCTAVE) * 1e-4
    if coherence >= LINES_COHERENCE:
        tb = (ANGLE_STEP_RAD * round(theta / ANGLE_STEP_RAD)) % math.pi
        return hom.CellClass("lines", round(fb, 6), pb, round(tb, 9))
    return hom.CellClass("grid" if connected else "pads", round(fb, 6), pb)


def copper_map(pattern, length_m: float, width_m: float, tile_m: float) -> CopperMap:
    """The copper map of a pattern (model/pattern.py) on tiles of about tile_m over the panel."""
    from ...model import pattern as pat

    nx, ny = max(1, round(length_m / tile_m)), max(1, round(width_m / tile_m))
    xe = np.linspace(-0.5 * length_m, 0.5 * length_m, nx + 1)
    ye = np.linspace(-0.5 * width_m, 0.5 * width_m, ny + 1)
    f, c, th, p = (np.zeros((ny, nx)) for _ in range(4))
    conn = np.zeros((ny, nx), bool)
    if isinstance(pattern, pat.LinesPattern):
        f[:] = pattern.line_m / pattern.pitch_m
        c[:] = 1.0
        th[:] = 0.0 if pattern.direction == "x" else 0.5 * math.pi
        p[:] = pattern.pitch_m
    elif isinstance(pattern, pat.PadsPattern):
        f[:] = (pattern.pad_m / pattern.pitch_m) ** 2
        p[:] = pattern.pitch_m
    else:
        _polygon_map(pattern.geometry, xe, ye, f, c, th, p, conn)
    return CopperMap(xe, ye, f, c, th, p, conn)


def _polygon_map(geom, xe, ye, f, c, th, p, conn):
    import shapely

    boundary = geom.boundary
    for j in range(len(ye) - 1):
        for i in range(len(xe) - 1):
            x0, x1, y0, y1 = xe[i], xe[i + 1], ye[j], ye[j + 1]
            area = (x1 - x0) * (y1 - y0)
            piece = shapely.clip_by_rect(geom, x0, y0, x1, y1)
            f[j, i] = piece.area / area
            parts = getattr(piece, "geoms", [piece])
            conn[j, i] = sum(len(q.interiors) for q in parts if hasattr(q, "interiors")) > len(parts)
            seg = shapely.get_coordinates(shapely.clip_by_rect(boundary, x0, y0, x1, y1), return_index=True)
            pts, part = seg
            if len(pts) < 2:
                c[j, i], th[j, i], p[j, i] = 0.0, 0.0, 1e-3
                continue
            d = np.diff(pts, axis=0)[part[1:] == part[:-1]]
            ln = np.hypot(d[:, 0], d[:, 1])
            ok = ln > 0
            n = np.stack([-d[ok, 1], d[ok, 0]], axis=1) / ln[ok, None]
            J = np.einsum("k,ki,kj->ij", ln[ok], n, n)
            lam, vec = np.linalg.eigh(J)
            c[j, i] = (lam[1] - lam[0]) / max(lam[1] + lam[0], 1e-300)
            normal = vec[:, 1]
            th[j, i] = math.atan2(normal[0], -normal[1]) % math.pi  # the lines run across their edges' normal
            density = ln.sum() / area
            fj = min(max(f[j, i], 1e-3), 1.0)
            grid = conn[j, i] and c[j, i] < LINES_COHERENCE
            shape = 2.0 if c[j, i] >= LINES_COHERENCE else 4.0 * math.sqrt(1.0 - fj if grid else fj)
            # a period longer than the tile is not seen as one: the tile is the cell then
            p[j, i] = min(shape / max(density, 1e-9), min(x1 - x0, y1 - y0))


# ---- the panel --------------------------------------------------------------------------------------

@dataclass
class PanelLayers:
    """The present layers as the cell sees them, the patterned ones, and the reference height of the plate."""
    cells: list  # [hom.CellLayer]
    patterned: tuple[int, ...]
    z_ref_m: float


def response_maps(panel: PanelLayers, classes: np.ndarray, n_lines: int = 20, n_pads: int = 10,
                  method: str = "homogenized"):
    """ABD (ny, nx, 6, 6), NT, MT (ny, nx, 3) per tile; method 'homogenized' (periodic cell) or 'mixtures' (the
    rule of mixtures: the patterned foil's stiffness times its copper fraction, isotropic)."""
    ny, nx = classes.shape
    ABD, NT, MT = np.zeros((ny, nx, 6, 6)), np.zeros((ny, nx, 3)), np.zeros((ny, nx, 3))
    memo = {}
    for idx in np.ndindex(classes.shape):
        cls = classes[idx]
        if cls not in memo:
            memo[cls] = class_response(panel, cls, n_lines, n_pads, method)
        r = memo[cls]
        ABD[idx], NT[idx], MT[idx] = r.ABD, r.NT, r.MT
    return ABD, NT, MT, len(memo)


def class_response(panel: PanelLayers, cls: hom.CellClass, n_lines: int = 20, n_pads: int = 10,
                   method: str = "homogenized") -> hom.PlateResponse:
    cells, pat_layers = panel.cells, panel.patterned
    if cls.kind in ("full", "bare") or method == "mixtures":
        # a bare tile (fraction 0): the etched foil is gone, the film alone at its heights in the full stack
        fr = [cls.fraction if k in pat_layers else 1.0 for k in range(len(cells))]
        return hom.clt_response(cells, panel.z_ref_m, fr)
    if len(pat_layers) != 1:
        raise ValueError("a homogenized cell takes one patterned foil; etch one side at a time")
    return hom.class_response(cells, panel.z_ref_m, pat_layers[0], cls,
                              n_lines if cls.kind == "lines" else n_pads)


def solve_panel(length_m: float, width_m: float, xe, ye, ABD, NT, MT, per_tile: int = 2):
    """The plate solution over the tiles (per_tile x per_tile squares, two triangles each, per tile)."""
    ny, nx = ABD.shape[:2]
    mesh = abd_plate.panel_mesh(length_m, width_m, nx * per_tile, ny * per_tile)
    c = mesh.p[:, mesh.t].mean(axis=1)
    i = np.clip(np.searchsorted(xe, c[0]) - 1, 0, nx - 1)
    j = np.clip(np.searchsorted(ye, c[1]) - 1, 0, ny - 1)
    return abd_plate.solve_plate(mesh, ABD[j, i], NT[j, i], MT[j, i])


def panel_result(sol_before, sol_after, length_m: float, width_m: float) -> dict:
    """Warpage before and after and the dimensional change (marks at ±L/4 on the centre lines)."""
    out = {"warpage_before": abd_plate.warpage(sol_before, length_m, width_m),
           "warpage_after": abd_plate.warpage(sol_after, length_m, width_m)}
    for ax, size in (("x", length_m), ("y", width_m)):
        b = abd_plate.mark_distance(sol_before, "xy".index(ax), 0.25 * size)
        a = abd_plate.mark_distance(sol_after, "xy".index(ax), 0.25 * size)
        out[f"dimensional_change_{ax}_pct"] = (a - b) / b * 100.0
    return out


# How far past its bifurcation the von Karman tile plate is trusted: checked against the 3D curl step at 5.9 times
# the bifurcation curvature (tests/physics/test_vk_vs_curl.py, a cylinder, 1 % in curvature), mesh-converged there.
# Far beyond (a 250 mm panel curls ~100 times past it) the grid of at most 16 rectangles a side does not resolve the
# cylinder's edge zone sqrt(h / kappa), and 16, 24 and 32 rectangles gave an ellipsoid, a saddle and an ellipsoid
# with corner lifts of 7.9, 12.7 and 15.6 mm: no answer at all.
VERIFIED_PAST_BIFURCATION = 6.0


def bifurcation_range(length_m: float, width_m: float, ABD, NT, MT) -> dict:
    """The panel's small-deflection curvature against the curvature at which a square plate of its mean laminate
    leaves the spherical shape, k_cr = sqrt(1440 D*_11 (1 - nu) / A_11) / L^2 (the Rayleigh-Ritz closed form of
    docs/homogenization.md, nu = D*_12 / D*_11, L the longer side: the earlier bifurcation)."""
    abd = np.asarray(ABD).reshape(-1, 6, 6).mean(axis=0)
    nt, mt = np.asarray(NT).reshape(-1, 3).mean(axis=0), np.asarray(MT).reshape(-1, 3).mean(axis=0)
    A, B, D = abd[:3, :3], abd[:3, 3:], abd[3:, 3:]
    AiB = np.linalg.solve(A, B)
    Ds = D - B @ AiB
    kappa = np.linalg.solve(Ds, mt - AiB.T @ nt)  # the free plate's CLT curvature (kx, ky, kxy) of the mean laminate
    k = np.linalg.eigvalsh(np.array([[kappa[0], kappa[2] / 2], [kappa[2] / 2, kappa[1]]]))
    nu = Ds[0, 1] / Ds[0, 0]
    L = max(length_m, width_m)
    k_cr = float(np.sqrt(max(1440.0 * Ds[0, 0] * (1.0 - nu) / A[0, 0], 0.0)) / L ** 2)
    k_max = float(np.abs(k).max())
    return {"kappa_1_per_m": k_max, "bifurcation_kappa_1_per_m": k_cr,
            "past_bifurcation": k_max / k_cr if k_cr > 0 else float("inf")}


def large_deflection(length_m: float, width_m: float, ABD, NT, MT, areal_mass_kg_per_m2=None,
                     max_elements: int = 16) -> dict:
    """The tile plate at large deflection (physics/fe/vk_plate.py): free, and on a rigid table under its weight
    when the areal mass (ny, nx) is given. Beyond VERIFIED_PAST_BIFURCATION times the bifurcation curvature
    (`bifurcation_range`) nothing is solved: {"range": ..., "note": why}.

    One Hermite rectangle per tile up to max_elements a side (an even count, so that a node sits at the centre);
    a panel with more tiles is solved on max_elements rectangles a side, each with the mean of A, B, D, N_T, M_T
    and mass of the tiles whose centres it holds (the curl is a panel-scale shape; the mean is the stiff, Voigt,
    estimate of a block of tiles)."""
    from ..fe import vk_plate as vk

    rng = bifurcation_range(length_m, width_m, ABD, NT, MT)
    if rng["past_bifurcation"] > VERIFIED_PAST_BIFURCATION:
        return {"range": rng, "note": (
            f"large deflection not solved: the panel's curvature {rng['kappa_1_per_m']:.3g} 1/m is "
            f"{rng['past_bifurcation']:.3g} times the curvature at which it leaves the spherical shape "
            f"({rng['bifurcation_kappa_1_per_m']:.3g} 1/m); the von Karman tile plate is verified to "
            f"{VERIFIED_PAST_BIFURCATION:g} times (a cylinder against the 3D curl step) and does not converge far "
            "beyond it. Such a panel curls into a near-cylinder; the small-deflection curvatures stand, its lift "
            "is overstated")}
    ny, nx = ABD.shape[:2]

    def count(n):
        m = n if n <= max_elements else max_elements
        return m + (m % 2)

    ex, ey = count(nx), count(ny)
    grid = vk.Grid(length_m, width_m, ex, ey)
    ti = np.minimum(((np.arange(nx) + 0.5) / nx * ex).astype(int), ex - 1)  # element column of each tile
    tj = np.minimum(((np.arange(ny) + 0.5) / ny * ey).astype(int), ey - 1)
    el = (tj[:, None] * ex + ti[None, :]).ravel()
    n_el = ex * ey
    counts = np.bincount(el, minlength=n_el).astype(float)
    if np.any(counts == 0):  # fewer tiles than elements along a side: each element takes the tile it lies in
        j, i = np.divmod(np.arange(n_el), ex)
        tile = (np.minimum((j + 0.5) / ey * ny, ny - 1).astype(int), np.minimum((i + 0.5) / ex * nx, nx - 1).astype(int))

        def mean(a):
            return np.ascontiguousarray(np.asarray(a)[tile])
    else:
        def mean(a):
            a = np.asarray(a).reshape(ny * nx, -1)
            out = np.stack([np.bincount(el, a[:, k], minlength=n_el) for k in range(a.shape[1])], axis=1)
            return out / counts[:, None]

    loads = vk.Loads(mean(ABD).reshape(n_el, 6, 6), mean(NT).reshape(n_el, 3), mean(MT).reshape(n_el, 3))
    free = vk.solve_free(grid, loads)
    out = {"free": free, "grid": grid, "range": rng}
    if areal_mass_kg_per_m2 is not None:
        try:
            out["table"] = vk.solve_on_table(grid, loads, free, mean(areal_mass_kg_per_m2).reshape(n_el))
        except RuntimeError as err:  # the contact did not settle: the free curl stands, the table is reported absent
            out["table_note"] = str(err)
    return out


def curl_summary(ld: dict) -> dict:
    """The numbers of a large-deflection result, in µm and 1/m (null, with the reason, where it was not solved)."""
    rng = {k: ld["range"][k] for k in ("bifurcation_kappa_1_per_m", "past_bifurcation")}
    if "free" not in ld:
        return {"principal_curvatures_free_1_per_m": None, "curl_shape": None, "corner_lift_free_um": None,
                "max_lift_free_um": None, "corner_lift_on_table_um": None, **rng, "note": ld["note"]}
    free = ld["free"]
    k1, k2 = free.principal_curvatures
    split = abs(k1 - k2) / max(abs(k1), 1e-300)
    shape = "sphere" if split < 0.05 else ("saddle" if k1 * k2 < 0 and split > 1.5 else "cylinder"
                                             if abs(k2) < 0.2 * abs(k1) else "ellipsoid")
    out = {"principal_curvatures_free_1_per_m": [k1, k2], "curl_shape": shape,
           "corner_lift_free_um": free.corner_lift_m * 1e6,
           "max_lift_free_um": float(np.abs(free.w).max()) * 1e6, **rng}
    if "table" in ld:
        out["corner_lift_on_table_um"] = ld["table"].corner_lift_m * 1e6
        out["gravity_m_per_s2"] = GRAVITY_M_PER_S2
    if "table_note" in ld:
        out["on_table_note"] = ld["table_note"]
    return out
