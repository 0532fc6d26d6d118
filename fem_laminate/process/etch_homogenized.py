"""The patterned etch with the etched foil homogenized: the panel's warpage and dimensional change from a copper
map and periodic unit cells (physics/models/etched_panel.py), without resolving the lines in the 3D mesh.

The laminate's state before the etch gives each present layer's modulus at the present temperature and its
in-plane stress-free strain (post/measure.layer_mismatch_profile: the thermal, cure and swelling history as a
cut sample feels it, taken as isotropic in the cell); the plate's reference surface is the mid-height of the
polymer film, where the dimensional-change marks are.
"""
from __future__ import annotations

import numpy as np

from ..physics.laws.layer_views import mechanical_constants
from ..physics.models import etched_panel as ep
from ..physics.models import homogenize as hom
from ..post.measure import layer_mismatch_profile
from ..physics.models.laminate import layer_thermal_strain

DEFAULT_TILE_M = 2e-3


def panel_layers(state, etched: list[int]) -> ep.PanelLayers:
    present = state.active_layers()
    mids, _ = layer_mismatch_profile(state)
    eth = layer_thermal_strain(state, 25.0, state.T_C)
    cells, z, zs = [], 0.0, []
    for i, e in zip(present, mids):
        lay = state.stack.layers[i]
        E, nu, _, _ = mechanical_constants(lay.material, state.T_C)
        # through the thickness: its own stress-free strain (a polyimide expands more across than along)
        el = (state.layer_of_element == i) & state.element_active
        ez = float(np.mean(state.eps0[el][..., 2]) + eth[i, 2]) if state.model.dim == 3 and el.any() else e
        cells.append(hom.CellLayer(float(E), float(nu), float(lay.thickness_m), float(e), ez))
        zs.append((z, z + lay.thickness_m, lay.material.is_metal))
        z += lay.thickness_m
    polymer = [(a, b) for a, b, metal in zs if not metal] or [(a, b) for a, b, _ in zs]
    z_ref = 0.5 * (min(a for a, _ in polymer) + max(b for _, b in polymer))
    return ep.PanelLayers(cells, tuple(present.index(i) for i in etched), z_ref)


def homogenized_etch(state, layers: list[int], pattern, side: str = "", method: str = "homogenized",
                     tile_m: float | None = None, per_tile: int = 2, large_deflection: bool = False) -> dict:
    """Warpage before and after the etch, dimensional change, copper fraction and the class count, on the
    homogenized plate (method 'homogenized') or with the rule of mixtures (method 'mixtures')."""
    lm = state.model.lmesh
    L, W = lm.length_m, lm.width_m
    # tiles of 2 mm (a quarter of a small panel), at most 50 along a side of a large one
    tile = tile_m or max(min(DEFAULT_TILE_M, 0.25 * min(L, W)), max(L, W) / 50)
    panel = panel_layers(state, layers)
    cmap = ep.copper_map(pattern, L, W, tile)
    classes = cmap.classes()
    ABD, NT, MT, nclass = ep.response_maps(panel, classes, method=method)
    full = hom.clt_response(panel.cells, panel.z_ref_m)
    ny, nx = classes.shape
    before = ep.solve_panel(L, W, cmap.x_edges_m, cmap.y_edges_m, np.broadcast_to(full.ABD, (ny, nx, 6, 6)),
                            np.broadcast_to(full.NT, (ny, nx, 3)), np.broadcast_to(full.MT, (ny, nx, 3)), per_tile)
    after = ep.solve_panel(L, W, cmap.x_edges_m, cmap.y_edges_m, ABD, NT, MT, per_tile)
    res = ep.panel_result(before, after, L, W)
    ld = None
    if large_deflection:
        mass = _areal_mass(state, layers, cmap.fraction)
        ld = ep.large_deflection(L, W, ABD, NT, MT, mass)
        res["large_deflection"] = ep.curl_summary(ld)
    tile_area = np.outer(np.diff(cmap.y_edges_m), np.diff(cmap.x_edges_m))
    return {"side": side, "layers": [state.stack.layers[i].name for i in layers], "pattern": pattern.describe(),
            "model": method, "copper_fraction_map": float((cmap.fraction * tile_area).sum() / tile_area.sum()),
            "tiles": [int(nx), int(ny)], "pattern_classes": int(nclass), "temperature_C": state.T_C, **res,
            "_solution": after, "_map": cmap, "_large_deflection": ld}


def _areal_mass(state, etched: list[int], fraction):
    """Mass per area (kg/m^2) per tile: the present layers, the etched foil times its copper fraction; None when a
    layer has no density in the materials data."""
    total = np.zeros_like(fraction)
    for i in state.active_layers():
        lay = state.stack.layers[i]
        rho = lay.material.density_kg_per_m3
        if rho is None:
            return None
        total = total + rho * lay.thickness_m * (fraction if i in etched else 1.0)
    return total
