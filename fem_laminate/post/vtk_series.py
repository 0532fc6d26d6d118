"""The ParaView time series: one .vtu per frame, process.pvd over process time, and view.py that renders it.

Each frame is the laminate after a step, on the quadratic mesh the solver used: 9-node (8-node serendipity)
quads are written as VTK_BIQUADRATIC_QUAD (VTK_QUADRATIC_QUAD), 27-node (20-node) hexes as
VTK_TRIQUADRATIC_HEXAHEDRON (VTK_QUADRATIC_HEXAHEDRON), so ParaView interpolates the displacement with the
solver's own shape functions. Arrays (the same in every frame, units in the names):

- points: ``displacement_m`` (3 components), ``temperature_C``;
- cells: ``stress_Pa`` (6 components named xx yy zz xy yz xz, ParaView's symmetric-tensor order; a 2D section
  has x along the sample, y through the thickness, z out of plane), ``von_mises_Pa``,
  ``equivalent_plastic_strain``, ``hygroscopic_strain_inplane`` (zero where the mechanism has not acted),
  ``layer`` (index, 0 = bottom), ``layer_name`` and ``material`` (strings);
- field data: ``step`` (the frame's name, e.g. "2_bond"), ``step_kind``, ``process_time_s``.

The pvd time of a frame is the process time in seconds at its end; a step that takes no process time on the
laminate (a test on a copy, an etch) follows the frame before it by PVD_GAP_S so that each keeps its own time
step (``process_time_s`` holds the true value). Frames without any layer present (before the first step forms
the laminate) are not written.
"""
from __future__ import annotations

import functools
from pathlib import Path
from xml.sax.saxutils import quoteattr

import numpy as np

from ..physics.laws.plasticity import von_mises

STRESS_COMPONENTS = ("xx", "yy", "zz", "xy", "yz", "xz")
PVD_GAP_S = 1.0  # seconds between frames whose step took no process time on the laminate

# skfem element -> VTK cell class (vtkmodules.vtkCommonDataModel)
_VTK_CELL = {"ElementQuad1": "vtkQuad", "ElementQuad2": "vtkBiQuadraticQuad", "ElementQuadS2": "vtkQuadraticQuad",
             "ElementHex1": "vtkHexahedron", "ElementHex2": "vtkTriQuadraticHexahedron",
             "ElementHexS2": "vtkQuadraticHexahedron"}


@functools.lru_cache(maxsize=None)
def _vtk_cell(element_name: str) -> tuple[int, np.ndarray]:
    """(VTK cell type, parametric coordinates (n, 3) of its nodes in VTK's order) of a skfem element."""
    from vtkmodules import vtkCommonDataModel

    try:
        cell = getattr(vtkCommonDataModel, _VTK_CELL[element_name])()
    except KeyError:
        raise ValueError(f"no VTK cell for the element {element_name}") from None
    n = cell.GetNumberOfPoints()
    return cell.GetCellType(), np.asarray(cell.GetParametricCoords(), float)[:3 * n].reshape(n, 3)


def _local_order(ref: np.ndarray, vtk_param: np.ndarray) -> np.ndarray:
    """perm with ref[perm[j]] == vtk_param[j]: the element-local node at each VTK node."""
    d = ref.shape[1]
    dist = np.abs(vtk_param[:, None, :d] - ref[None, :, :]).sum(axis=-1)
    perm = dist.argmin(axis=1)
    if not np.allclose(dist[np.arange(len(perm)), perm], 0.0) or len(set(perm)) != len(perm):
        raise ValueError("the element's nodes do not match the VTK cell's")
    return perm


def vtk_cells(basis) -> tuple[int, np.ndarray]:
    """(VTK cell type, connectivity (nelements, nodes per cell)) of a scikit-fem basis, as global node (dof)
    indices in VTK's node order.

    The VTK node at parametric point ζ is the element's node at reference point ζ, or at ζ with its first
    coordinate reflected (1 - ζ₀) where the element's reference map turns the orientation (the tensor meshes'
    map has a negative Jacobian): VTK needs positively oriented cells, and the reflection keeps the node set.
    """
    elem = basis.elem
    ctype, param = _vtk_cell(type(elem).__name__)
    ref = np.asarray(elem.doflocs, float)
    d = ref.shape[1]
    flipped = param.copy()
    flipped[:, 0] = 1.0 - flipped[:, 0]
    keep, turn = _local_order(ref, param), _local_order(ref, flipped)
    centre = np.full((d, 1), 0.5)
    negative = basis.mapping.detDF(centre)[:, 0] < 0
    ed = basis.element_dofs  # (nodes per element, nelements)
    conn = np.where(negative[:, None], ed[turn].T, ed[keep].T)
    return ctype, conn


def _paraview_stress(s: np.ndarray, dim: int) -> np.ndarray:
    """Voigt (2D: xx yy zz xy; 3D: xx yy zz yz xz xy) -> ParaView symmetric order XX YY ZZ XY YZ XZ."""
    out = np.zeros((s.shape[0], 6))
    out[:, :3] = s[:, :3]
    if dim == 2:
        out[:, 3] = s[:, 3]
    else:
        out[:, 3], out[:, 4], out[:, 5] = s[:, 5], s[:, 3], s[:, 4]
    return out


def present_cells(state, frame) -> np.ndarray:
    lay = state.model.lmesh.layer
    present = frame.active[lay] if frame.element_active is None else frame.element_active
    return np.flatnonzero(present)


def frame_grid(state, frame, step: str, kind: str):
    """The present layers of one frame as a pyvista.UnstructuredGrid with quadratic cells (module docstring)."""
    import pyvista as pv

    model = state.model
    d = model.dim
    cells = present_cells(state, frame)
    ctype, conn = vtk_cells(model.basis)
    conn = conn[cells]
    used = np.unique(conn)
    remap = -np.ones(model.nnodes, dtype=np.int64)
    remap[used] = np.arange(used.size)
    pts = np.zeros((used.size, 3))
    pts[:, :d] = model.basis.doflocs[:, used].T
    grid = pv.UnstructuredGrid({ctype: remap[conn]}, pts)
    disp = np.zeros((used.size, 3))
    disp[:, :d] = frame.u[:d * model.nnodes].reshape(-1, d)[used]
    grid.point_data["displacement_m"] = disp
    grid.point_data["temperature_C"] = np.full(used.size, float(frame.T_C))
    s = frame.stress_cell[cells]
    lay = model.lmesh.layer[cells]
    layers = state.stack.layers
    zeros = np.zeros(cells.size)
    grid.cell_data["stress_Pa"] = _paraview_stress(s, d)
    arr = grid.GetCellData().GetArray("stress_Pa")
    for k, name in enumerate(STRESS_COMPONENTS):
        arr.SetComponentName(k, name)
    grid.cell_data["von_mises_Pa"] = von_mises(s, axis=-1)
    eqp, moist = getattr(frame, "eq_plastic_cell", None), getattr(frame, "moisture_cell", None)
    grid.cell_data["equivalent_plastic_strain"] = zeros if eqp is None else eqp[cells]
    grid.cell_data["hygroscopic_strain_inplane"] = zeros if moist is None else moist[cells]
    grid.cell_data["layer"] = lay.astype(np.int32)
    grid.cell_data["layer_name"] = np.array([layers[i].name for i in range(len(layers))])[lay]
    grid.cell_data["material"] = np.array([layers[i].material.name for i in range(len(layers))])[lay]
    grid.field_data["step"] = np.array([step])
    grid.field_data["step_kind"] = np.array([kind])
    grid.field_data["process_time_s"] = np.array([float(frame.time_s)])
    return grid


def series(state, record) -> list[tuple[str, float, object]]:
    """(step name, ParaView time in s, grid) of every frame that has a layer present, in process order."""
    out, last = [], None
    for k, fr in enumerate(record.frames):
        if present_cells(state, fr).size == 0:
            continue
        kind = record.history[k - 1].kind.name if 0 < k <= len(record.history) else fr.label
        t = float(fr.time_s)
        if last is not None and t <= last:
            t = last + PVD_GAP_S
        last = t
        out.append((fr.label, t, frame_grid(state, fr, fr.label, kind)))
    return out


def write_series(state, record, out: Path, frames=None) -> list[Path]:
    """vtu/frame_NNN_<step>.vtu for each frame, process.pvd and view.py in `out`; returns the paths."""
    out = Path(out)
    frames = series(state, record) if frames is None else frames
    vtu_dir = out / "vtu"
    vtu_dir.mkdir(exist_ok=True)
    entries, paths = [], []
    for k, (name, t, grid) in enumerate(frames):
        fname = f"frame_{k:03d}_{name}.vtu"
        grid.save(vtu_dir / fname, binary=True)
        entries.append(f'    <DataSet timestep="{t!r}" group="" part="0" file={quoteattr("vtu/" + fname)} '
                       f'name={quoteattr(name)}/>')
        paths.append(vtu_dir / fname)
    pvd = out / "process.pvd"
    pvd.write_text('<?xml version="1.0"?>\n<VTKFile type="Collection" version="0.1">\n  <Collection>\n'
                   + "\n".join(entries) + "\n  </Collection>\n</VTKFile>\n")
    view = out / "view.py"
    view.write_text(VIEW_SCRIPT.replace("@DIM@", str(state.model.dim)))
    return [pvd, view] + paths


VIEW_SCRIPT = '''"""Render this run's ParaView series (process.pvd beside this file) to a PNG.

    pvpython view.py [--frame STEP|INDEX] [--color von_mises|xx|yy|zz|xy|yz|xz] [--scale S]
                     [--thickness-scale T] [--png FILE] [--size WIDTHxHEIGHT]

Default: the last frame, coloured by von Mises stress, warped by the displacement and saved as view.png beside
this file. The warp is chosen so that the largest displacement is drawn as 10 % of the sample length, and the
thickness is stretched to 5 % of it (a laminate is 100 times longer than thick); the colour bar's title states
both factors. Without a display (a server, CI): xvfb-run -a pvpython view.py, or pvpython
--force-offscreen-rendering view.py with a ParaView built for offscreen rendering (EGL, OSMesa).
"""
import argparse
import os
import re

from paraview.simple import (ColorBy, GetActiveViewOrCreate, GetAnimationScene, GetColorTransferFunction,
                             GetScalarBar, PVDReader, Render, SaveScreenshot, Show, WarpByVector)

HERE = os.path.dirname(os.path.abspath(__file__))
DIM = @DIM@  # 2: a cross-section, x along the sample and y through the thickness; 3: a plate, z up
WARP_FRACTION = 0.1  # the largest displacement drawn as this fraction of the sample length
THICKNESS_FRACTION = 0.05  # the thickness stretched to this fraction of the sample length (never shrunk)

parser = argparse.ArgumentParser(description="Render the fem_laminate ParaView series to a PNG.")
parser.add_argument("--frame", default="-1", help="step name (e.g. 3_cool) or frame index (default: the last)")
parser.add_argument("--color", default="von_mises", choices=["von_mises", "xx", "yy", "zz", "xy", "yz", "xz"])
parser.add_argument("--scale", type=float, default=None, help="displacement magnification (default: automatic)")
parser.add_argument("--thickness-scale", type=float, default=None,
                    help="thickness magnification (default: automatic, 1 for a thick sample)")
parser.add_argument("--png", default=os.path.join(HERE, "view.png"))
parser.add_argument("--size", default="1600x800", help="image size in pixels, WIDTHxHEIGHT")
args = parser.parse_args()

pvd = os.path.join(HERE, "process.pvd")
with open(pvd) as fh:
    names = re.findall(r'<DataSet[^>]* name="([^"]*)"', fh.read())
frame = names.index(args.frame) if args.frame in names else int(args.frame)
reader = PVDReader(FileName=pvd)
times = list(reader.TimestepValues) if len(names) > 1 else [0.0]
time = times[frame]
scene = GetAnimationScene()
scene.UpdateAnimationUsingDataTimeSteps()
scene.AnimationTime = time
reader.UpdatePipeline(time)

bounds = reader.GetDataInformation().GetBounds()
length = bounds[1] - bounds[0]
thick = bounds[2 * DIM - 1] - bounds[2 * DIM - 2]
umax = reader.PointData["displacement_m"].GetRange(-1)[1]
stretch = args.thickness_scale or max(1.0, float("%.2g" % (THICKNESS_FRACTION * length / thick)))
scale = args.scale or (float("%.2g" % (WARP_FRACTION * length / (stretch * umax))) if umax > 0 else 1.0)

warp = WarpByVector(Input=reader)
warp.Vectors = ["POINTS", "displacement_m"]
warp.ScaleFactor = scale
width, height = (int(v) for v in args.size.split("x"))
view = GetActiveViewOrCreate("RenderView")
view.ViewSize = [width, height]
view.ViewTime = time
display = Show(warp, view)
display.Scale = [1.0, stretch, 1.0] if DIM == 2 else [1.0, 1.0, stretch]
if args.color == "von_mises":
    ColorBy(display, ("CELLS", "von_mises_Pa"))
    title, lut = "von Mises stress (Pa)", GetColorTransferFunction("von_mises_Pa")
else:
    ColorBy(display, ("CELLS", "stress_Pa", args.color))
    title, lut = "stress %s (Pa)" % args.color, GetColorTransferFunction("stress_Pa")
display.RescaleTransferFunctionToDataRange(False, True)
display.SetScalarBarVisibility(view, True)
bar = GetScalarBar(lut, view)
bar.Title = "%s\\n%s\\ndisplacement x %g\\nthickness x %g" % (title, names[frame], scale, stretch)
bar.ComponentTitle = ""
if DIM == 2:
    view.InteractionMode = "2D"
    view.CameraPosition, view.CameraFocalPoint, view.CameraViewUp = [0, 0, 1], [0, 0, 0], [0, 1, 0]
else:
    view.CameraPosition, view.CameraFocalPoint, view.CameraViewUp = [1.0, -1.6, 1.0], [0, 0, 0], [0, 0, 1]
view.ResetCamera()
Render(view)
SaveScreenshot(args.png, view, ImageResolution=[width, height])
print(args.png)
'''
