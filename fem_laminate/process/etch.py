"""Etching: the outermost metal foil(s) on a side are removed and equilibrium is re-solved.

With a `pattern` (3D plates only) the foil is etched into a circuit: the copper outside the pattern goes, the
lines or pads stay. The plate mesh has element faces on every pattern edge (the kind declares `mesh_patterns`;
job.build_state asks step.patterns), so the etch removes whole elements. The step reports the panel's warpage
(principal curvatures, corner lift) and its dimensional change along x and y, before against after the etch, in
``etch_pattern`` (its EtchResult). With mesh.etch_pattern_model = "homogenized" (or "auto" where the resolved
mesh does not fit) the mesh does not resolve the pattern: the warpage and dimensional change come from periodic
unit cells on a thin plate (process/etch_homogenized.py, docs/homogenization.md).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal, Union

import numpy as np
from pydantic import Field, PrivateAttr

from ..errors import CaseError, ProcessError
from ..model import pattern as pat
from ..physics.models.laminate import remove_elements, remove_layers
from ..post import measure
from .step import Strict, StepKind, layers_present_at, require_formed, step_summary

UNITS_M = {"mm": 1e-3, "um": 1e-6}


class LinesSpec(Strict):
    kind: Literal["lines"]
    line_um: float = Field(gt=0.0, le=1e6)
    space_um: float = Field(gt=0.0, le=1e6)
    direction: Literal["x", "y"] = "x"  # the axis the lines run along

    def build(self, source: str):
        return pat.LinesPattern(self.line_um * 1e-6, self.space_um * 1e-6, self.direction)


class PadsSpec(Strict):
    kind: Literal["pads"]
    pad_um: float = Field(gt=0.0, le=1e6)
    pitch_um: float = Field(gt=0.0, le=1e6)

    def build(self, source: str):
        return pat.PadsPattern(self.pad_um * 1e-6, self.pitch_um * 1e-6)


class FileSpec(Strict):
    """Polygons of copper from a file: Gerber RS-274X/X2 (.gbr .gtl .gbl .ger, units from the file), DXF (.dxf:
    closed polylines, circles and hatches), GeoJSON (.geojson/.json) or a gmsh mesh (.msh, the 2D cells of
    physical group `group`); `format` overrides the extension. `centre` moves the layout's bounding box onto the
    panel's centre (default for Gerber and DXF, whose origin is the CAD tool's; GeoJSON and gmsh give panel
    coordinates, origin at the centre)."""
    kind: Literal["file"]
    file: str
    format: Literal["gerber", "dxf", "geojson", "gmsh"] | None = None
    unit: Literal["mm", "um"] = "mm"  # DXF, GeoJSON and gmsh (a Gerber file states its own)
    group: str = "copper"  # gmsh only
    centre: bool | None = None

    def build(self, source: str):
        from ..model import layout_io
        from ..model.mesh_io import resolve

        path = resolve(self.file, source)  # FileNotFoundError
        fmt = layout_io.layout_format(path, self.format)
        if fmt == "gerber":
            geom = layout_io.read_gerber(path)
        elif fmt == "dxf":
            geom = layout_io.read_dxf(path, UNITS_M[self.unit])
        elif fmt == "gmsh":
            geom = pat.read_gmsh(path, UNITS_M[self.unit], self.group)
        else:
            geom = pat.read_geojson(path, UNITS_M[self.unit])
        if self.centre if self.centre is not None else fmt in ("gerber", "dxf"):
            geom = layout_io.centred(geom)
        return pat.PolygonPattern(geom, str(self.file))


Pattern = Annotated[Union[LinesSpec, PadsSpec, FileSpec], Field(discriminator="kind")]
PATTERN_KINDS = ("lines", "pads", "file")  # the tags pydantic puts in an error's location


@dataclass(frozen=True)
class EtchResult:
    """What an etch took away: the side, the foil layers it acted on, and with a pattern its ``etch_pattern``
    block (the panel's warpage and dimensional change; the foil stays in part)."""
    side: str
    layers: tuple[str, ...]
    pattern: dict | None = None

    def blocks(self) -> dict:
        return {} if self.pattern is None else {"etch_pattern": dict(self.pattern)}


def etched_positions(n_present: int, side: str) -> list[int]:
    """Positions (in the bottom-up list of the n present layers) an etch of `side` takes away."""
    if n_present == 0:
        return []
    return sorted({"top": {n_present - 1}, "bottom": {0}, "both": {0, n_present - 1}}[side])


def removes_layers(spec, present) -> list:
    """The outer foil(s) of `side`; a patterned foil stays (in part)."""
    if spec.pattern is not None:
        return []
    return [present[k] for k in etched_positions(len(present), spec.side)]


class Spec(Strict):
    kind: Literal["etch"]
    side: Literal["top", "bottom", "both"]
    pattern: Pattern | None = None  # copper left; None: the whole foil goes
    # homogenized pattern: also solve the tile plate at large deflection, free and on a table under its weight
    large_deflection: bool = False
    _built: object = PrivateAttr(default=None)  # the model.pattern object, made once when the case loads
    _model: str = PrivateAttr(default="resolved")  # how the pattern is modelled (mesh.etch_pattern_model)


def build_pattern(spec: Spec, source: str, index: int):
    """The model.pattern object of a patterned etch step; CaseError naming the field if it cannot be made."""
    where = f"{source}: field 'steps.{index}.pattern"
    p = spec.pattern
    if spec._built is not None:
        return spec._built
    try:
        spec._built = p.build(source)
        return spec._built
    except FileNotFoundError:
        raise CaseError(f"{where}.file' = {p.file!r} is not allowed: file not found "
                        "(looked beside the case file and in meshes/)") from None
    except (ValueError, KeyError, TypeError, OSError) as exc:  # unreadable GeoJSON / mesh
        raise CaseError(f"{where}.file' = {p.file!r} is not allowed: {exc}") from None


def pattern_model(spec, case, index: int) -> str:
    """'resolved' or 'homogenized': the case's mesh.etch_pattern_model; for 'auto' the choice sizing.check_size
    made when the case loaded (resolved where the resolved mesh fits this machine)."""
    chosen = getattr(case.spec.mesh, "etch_pattern_model", "resolved")
    if chosen != "auto":
        spec._model = chosen
    return spec._model


def mesh_patterns(spec, case, index: int) -> list:
    """The copper pattern this etch will cut: the 3D mesh puts element faces on its edges (none when homogenized)."""
    if spec.pattern is None or pattern_model(spec, case, index) == "homogenized":
        return []
    return [build_pattern(spec, case.source, index)]



def check(spec, case, index: int) -> None:
    require_formed(case, index, "etch")
    present = layers_present_at(case, index)
    where = f"{case.source}: field 'steps.{index}.side' = {spec.side!r} is not allowed"
    for k in etched_positions(len(present), spec.side):
        if not present[k].material.is_metal:
            side = "bottom" if k == 0 else "top"
            raise CaseError(f"{where}: the {side} layer {present[k].name!r} there is not a metal foil (etching "
                            "removes copper only)")
    if spec.pattern is None and len(present) - len(etched_positions(len(present), spec.side)) < 1:
        raise CaseError(f"{where}: it would etch every layer of the laminate")
    if spec.pattern is not None:
        if case.spec.mesh.model != "plate3d":
            raise CaseError(f"{case.source}: field 'steps.{index}.pattern' is not allowed with mesh.model = "
                            f"{case.spec.mesh.model!r}: a circuit pattern needs model = 'plate3d'")
        if case.spec.mesh.file:
            raise CaseError(f"{case.source}: field 'steps.{index}.pattern' is not allowed with mesh.file: the "
                            "pattern is resolved by the generated plate mesh")
        p = spec.pattern
        if p.kind == "pads" and p.pad_um > p.pitch_um:
            raise CaseError(f"{case.source}: field 'steps.{index}.pattern.pad_um' = {p.pad_um!r} is not allowed: "
                            f"must not exceed pitch_um = {p.pitch_um!r}")
        build_pattern(spec, case.source, index)
        if pattern_model(spec, case, index) == "homogenized" and spec.side == "both":
            raise CaseError(f"{case.source}: field 'steps.{index}.side' = 'both' is not allowed with "
                            "mesh.etch_pattern_model = 'homogenized': etch one side a step")
        later = case.spec.steps[index + 1:]
        if pattern_model(spec, case, index) == "homogenized" and later:
            # the homogenized etch leaves the 3D state with the foil whole: a later step would see it unetched
            raise CaseError(f"{case.source}: step {index + 1} ('{later[0].kind}') is not allowed after the "
                            f"homogenized patterned etch of step {index}: the 3D state keeps the etched foil whole; "
                            "make the etch the last step, or set mesh.etch_pattern_model = 'resolved'")


def run(state, spec, record):
    present = state.active_layers()
    if not present:
        raise ProcessError("etch: nothing is present to etch")
    sides = [present[k] for k in etched_positions(len(present), spec.side)]
    for i in sides:
        if not state.stack.layers[i].material.is_metal:
            raise ProcessError(f"etch: the {spec.side} layer '{state.stack.layers[i].name}' is not a metal foil")
    if spec.pattern is None:
        remove_layers(state, sides)
        record.put(EtchResult(spec.side, tuple(state.stack.layers[i].name for i in sides)))
        record.steps.append(step_summary(state, "etch", side=spec.side))
    elif spec._model == "homogenized":
        from .etch_homogenized import homogenized_etch

        res = homogenized_etch(state, sides, build_pattern(spec, "<case>", -1), spec.side,
                               large_deflection=spec.large_deflection)
        sol, cmap, ld = res.pop("_solution"), res.pop("_map"), res.pop("_large_deflection")
        res["note"] = ("homogenized: the warpage and dimensional change are the thin plate's with the etched foil's "
                       "unit-cell response (small deflection; large_deflection: the same plate at large deflection, "
                       "free and on a table under its weight); the 3D state after this step keeps the foil whole")
        lift_m = abs(res["warpage_after"]["corner_lift_max_um"]) * 1e-6
        thick_m = sum(state.stack.layers[i].thickness_m for i in state.active_layers())
        res["small_deflection"] = bool(lift_m <= thick_m)
        if lift_m > thick_m:
            record.notes.append(f"etch: the homogenized panel's corner lift {lift_m * 1e3:.3g} mm is more than its "
                                f"thickness {thick_m * 1e6:.3g} um: the small-deflection plate overstates it; see large_deflection")
        if (res.get("large_deflection") or {}).get("note"):
            record.notes.append("etch: " + res["large_deflection"]["note"])
        record.put(EtchResult(spec.side, tuple(state.stack.layers[i].name for i in sides), res))
        record.steps.append(step_summary(state, "etch", side=spec.side, pattern=res["pattern"]))
        from ..physics.fe.abd_plate import levelled_w

        p = sol.mesh.p
        lm = state.model.lmesh
        record.output("etch", {"x_m": p[0], "y_m": p[1], "w_m": levelled_w(sol, lm.length_m, lm.width_m), "T_C": state.T_C,
                               "plate": sol, "copper_map": cmap, "large_deflection": ld})
    else:
        res = etch_pattern(state, sides, build_pattern(spec, "<case>", -1), spec.side)
        record.put(EtchResult(spec.side, tuple(state.stack.layers[i].name for i in sides), res))
        record.steps.append(step_summary(state, "etch", side=spec.side, pattern=res["pattern"]))
        record.output("etch", _warpage_map(state))
    record.snapshots[f"etched ({spec.side})"] = state.snapshot()
    return state


def etch_pattern(state, layers: list[int], pattern, side: str = "") -> dict:
    """Remove the elements of `layers` outside `pattern` and re-solve; the panel's warpage and dimensional change
    (marks at ±L/4 on the centre lines, mid-height of the polymer film), before and after."""
    model = state.model
    if model.dim != 3:
        raise ProcessError("etch: a circuit pattern needs a 3D plate (mesh.model = 'plate3d')")
    mesh = model.lmesh.mesh
    cx, cy = mesh.p[0, mesh.t].mean(axis=0), mesh.p[1, mesh.t].mean(axis=0)
    lay = state.layer_of_element
    in_layers = np.isin(lay, layers) & state.element_active
    keep = pattern.contains(cx, cy)
    vol = model.basis.dx.sum(axis=1)
    fraction = float(vol[in_layers & keep].sum() / vol[in_layers].sum()) if in_layers.any() else 0.0
    before = _panel(state)
    remove_elements(state, np.flatnonzero(in_layers & ~keep))
    after = _panel(state)
    change = {ax: (after["marks_m"][ax] - before["marks_m"][ax]) / before["marks_m"][ax] * 100.0 for ax in "xy"}
    return {"side": side, "layers": [state.stack.layers[i].name for i in layers], "pattern": pattern.describe(),
            "copper_fraction_meshed": fraction, "temperature_C": state.T_C,
            "warpage_before": before["warpage"], "warpage_after": after["warpage"],
            "dimensional_change_x_pct": change["x"], "dimensional_change_y_pct": change["y"],
            "dimensional_change_note": "mark distance at mid-height of the polymer film, ±L/4 on the centre lines, "
                                       "after the etch against before it, same temperature"}


def _panel(state) -> dict:
    marks = {"x": measure.mark_distance(state, axis=0), "y": measure.mark_distance(state, axis=1)}
    return {"warpage": measure.warpage(state), "marks_m": marks}


def _warpage_map(state) -> dict:
    """Out-of-plane displacement of the reference surface, for a map of the warped panel."""
    plane = measure._reference_plane(state)
    x = state.model.basis.doflocs[:, plane]
    w = state.u[2:3 * state.model.nnodes:3][plane]
    return {"x_m": x[0], "y_m": x[1], "w_m": w, "T_C": state.T_C}


def write(out_dir, payload) -> None:
    import matplotlib.pyplot as plt

    from ..post.output import save_figure
    from matplotlib.tri import Triangulation

    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    tri = Triangulation(payload["x_m"] * 1e3, payload["y_m"] * 1e3)
    m = ax.tripcolor(tri, payload["w_m"] * 1e6, shading="gouraud", cmap="viridis")
    fig.colorbar(m, ax=ax, label="out-of-plane displacement (µm)")
    ax.set_aspect("equal")
    ax.set_xlabel("x (mm)")
    ax.set_ylabel("y (mm)")
    ax.set_title(f"Warpage after the patterned etch, {payload['T_C']:g} °C")
    fig.tight_layout()
    save_figure(fig, out_dir / "etch_warpage.png")
    if "plate" in payload:
        _write_plate_vtu(out_dir / "etch_warpage.vtu", payload["plate"], payload["copper_map"])
        cm = payload["copper_map"]
        fig, ax = plt.subplots(figsize=(5.5, 4.5))
        m = ax.pcolormesh(cm.x_edges_m * 1e3, cm.y_edges_m * 1e3, cm.fraction, cmap="copper", vmin=0, vmax=1)
        fig.colorbar(m, ax=ax, label="copper fraction of the tile")
        ax.set_aspect("equal")
        ax.set_xlabel("x (mm)")
        ax.set_ylabel("y (mm)")
        ax.set_title("Copper map of the etched foil (homogenized tiles)")
        fig.tight_layout()
        save_figure(fig, out_dir / "etch_copper_map.png")
    if payload.get("large_deflection") and "free" in payload["large_deflection"]:
        _write_curl(out_dir, payload["large_deflection"], payload["T_C"])


def _write_curl(out_dir, ld, T_C) -> None:
    """The curled panel at large deflection, free and on the table: a map of w and a VTU of the surface."""
    import matplotlib.pyplot as plt
    import meshio

    from ..post.output import save_figure

    grid = ld["free"].grid
    X, Y = grid.node_xy()
    shapes = [("free", ld["free"])] + ([("on_table", ld["table"])] if "table" in ld else [])
    fig, axes = plt.subplots(1, len(shapes), figsize=(5.5 * len(shapes), 4.5), squeeze=False)
    for ax, (name, sh) in zip(axes[0], shapes):
        m = ax.tripcolor(X * 1e3, Y * 1e3, sh.height * 1e3, shading="gouraud", cmap="viridis")
        fig.colorbar(m, ax=ax, label="height above the table (mm)" if name == "on_table" else "w (mm)")
        ax.set_aspect("equal")
        ax.set_xlabel("x (mm)")
        ax.set_ylabel("y (mm)")
        ax.set_title(f"Curl at large deflection, {name.replace('_', ' ')}, {T_C:g} °C")
    fig.tight_layout()
    save_figure(fig, out_dir / "etch_curl.png")
    n1 = grid.nx + 1
    j, i = np.divmod(np.arange(grid.nx * grid.ny), grid.nx)
    quads = np.stack([j * n1 + i, j * n1 + i + 1, (j + 1) * n1 + i + 1, (j + 1) * n1 + i], axis=1)
    for name, sh in shapes:
        U = sh.U
        disp = np.c_[U[0::12], U[4::12], sh.height]  # on the table: up is away from it, whichever face is down
        meshio.write(str(out_dir / f"etch_curl_{name}.vtu"),
                     meshio.Mesh(np.c_[X, Y, np.zeros_like(X)], [("quad", quads)],
                                 point_data={"displacement_m": disp}))


def _write_plate_vtu(path, sol, cmap) -> None:
    """The homogenized plate as triangles: deflection w (m) at the vertices, copper fraction per triangle."""
    import meshio

    p, t = sol.mesh.p, sol.mesh.t
    pts = np.c_[p[0], p[1], np.zeros(p.shape[1])]
    c = p[:, t].mean(axis=1)
    i = np.clip(np.searchsorted(cmap.x_edges_m, c[0]) - 1, 0, cmap.fraction.shape[1] - 1)
    j = np.clip(np.searchsorted(cmap.y_edges_m, c[1]) - 1, 0, cmap.fraction.shape[0] - 1)
    nv = sol.ub.nodal_dofs
    disp = np.c_[sol.u[nv[0]], sol.u[nv[1]], sol.vertex_w]
    meshio.write(str(path), meshio.Mesh(pts, [("triangle", t.T)], point_data={"displacement_m": disp},
                                        cell_data={"copper_fraction": [cmap.fraction[j, i]],
                                                   "kappa_x_1_per_m": [sol.kappa_e[:, 0]],
                                                   "kappa_y_1_per_m": [sol.kappa_e[:, 1]]}))


KIND = StepKind("etch", Spec, run, check=check, write=write,
                doc="remove the outer metal foil: side = top | bottom | both; optional copper pattern "
                    "(lines, pads, or a layout from a Gerber / DXF / GeoJSON / gmsh file) on plate3d meshes, resolved "
                    "or homogenized (mesh.etch_pattern_model)",
                removes_layers=removes_layers, mesh_patterns=mesh_patterns, result=EtchResult)
