"""Outputs: summary.json, the ParaView time series (.pvd + .vtu per frame) and PNG plots.

Array names carry units: displacement_m, stress_Pa (symmetric tensor, ParaView order XX YY ZZ XY YZ XZ),
von_mises_Pa, temperature_C, layer. Only the layers present in a frame are written in that frame.
"""
from __future__ import annotations

import json
from pathlib import Path
from xml.sax.saxutils import quoteattr

import meshio
import numpy as np

from ..physics.laws.plasticity import von_mises
from . import measure


def plain_text(text: str, limit: int = 80) -> str:
    """User text (a case or layer name) for a plot title, legend or progress bar: printable characters only,
    matplotlib's mathtext switched off by escaping "$", cut to `limit` characters."""
    flat = "".join(c if c.isprintable() else "?" for c in str(text))
    if len(flat) > limit:
        flat = flat[:limit - 3] + "..."
    return flat.replace("$", r"\$")


def write_json(path: Path, data: dict) -> None:
    """Strict JSON: a value that is not finite (an unbonded interface's failure index, say) is written as null;
    the entry beside it (``reason``, ``note``) says why."""
    path.write_text(json.dumps(strict_json(data), indent=2, allow_nan=False) + "\n")


def strict_json(o):
    """Plain Python types only, with NaN and +-Infinity replaced by None."""
    if isinstance(o, dict):
        return {str(k): strict_json(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [strict_json(v) for v in o]
    if isinstance(o, np.ndarray):
        return strict_json(o.tolist())
    if isinstance(o, (bool, np.bool_)):
        return bool(o)
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (float, np.floating)):
        return float(o) if np.isfinite(o) else None
    if o is None or isinstance(o, (int, str)):
        return o
    if isinstance(o, Path):
        return str(o)
    raise TypeError(f"not JSON serialisable: {type(o)}")


def _paraview_stress(s: np.ndarray, dim: int) -> np.ndarray:
    """Voigt (2D: xx yy zz xy; 3D: xx yy zz yz xz xy) -> ParaView symmetric order XX YY ZZ XY YZ XZ."""
    out = np.zeros((s.shape[0], 6))
    out[:, :3] = s[:, :3]
    if dim == 2:
        out[:, 3] = s[:, 3]
    else:
        out[:, 3], out[:, 4], out[:, 5] = s[:, 5], s[:, 3], s[:, 4]
    return out


def frame_mesh(state, frame) -> meshio.Mesh:
    """The present layers of one frame as a linear meshio mesh (vertex displacements of the quadratic field)."""
    model = state.model
    mesh = model.lmesh.mesh
    d = model.dim
    lay = model.lmesh.layer
    present = frame.active[lay] if frame.element_active is None else frame.element_active
    cells = np.flatnonzero(present)
    nv = mesh.p.shape[1]
    u = frame.u[:d * model.nnodes].reshape(-1, d)[:nv]  # vertex dofs come first in scikit-fem numbering
    used = np.unique(mesh.t[:, cells])
    remap = -np.ones(nv, dtype=int)
    remap[used] = np.arange(used.size)
    pts = np.zeros((used.size, 3))
    pts[:, :d] = mesh.p[:, used].T
    disp = np.zeros((used.size, 3))
    disp[:, :d] = u[used]
    if d == 2:
        conn = remap[mesh.t[:, cells]].T[:, [0, 1, 2, 3]]
        ctype = "quad"
    else:
        # scikit-fem numbers a hexahedron's vertices differently from VTK; skfem.io.meshio's HEX_MAPPING
        conn = remap[mesh.t[:, cells]].T[:, [0, 3, 6, 2, 1, 5, 7, 4]]
        ctype = "hexahedron"
    s = frame.stress_cell[cells]
    cell_data = {"stress_Pa": [_paraview_stress(s, d)], "von_mises_Pa": [von_mises(s, axis=-1)],
                 "layer": [lay[cells].astype(np.int32)]}
    if getattr(frame, "eq_plastic_cell", None) is not None:
        cell_data["equivalent_plastic_strain"] = [frame.eq_plastic_cell[cells]]
    if getattr(frame, "moisture_cell", None) is not None:
        cell_data["hygroscopic_strain_inplane"] = [frame.moisture_cell[cells]]
    return meshio.Mesh(
        pts, [(ctype, conn)],
        point_data={"displacement_m": disp, "temperature_C": np.full(used.size, frame.T_C)},
        cell_data=cell_data,
    )


def write_pvd(state, record, out: Path) -> list[Path]:
    """One .vtu per frame and a .pvd collection whose timestep is the frame index."""
    vtu_dir = out / "vtu"
    vtu_dir.mkdir(exist_ok=True)
    entries, paths = [], []
    for k, fr in enumerate(record.frames):
        name = f"frame_{k:03d}_{fr.label}.vtu"
        frame_mesh(state, fr).write(vtu_dir / name)
        entries.append(f'    <DataSet timestep="{k}" group="" part="0" file={quoteattr("vtu/" + name)} '
                       f'name={quoteattr(fr.label)}/>')
        paths.append(vtu_dir / name)
    pvd = out / "process.pvd"
    pvd.write_text('<?xml version="1.0"?>\n<VTKFile type="Collection" version="0.1">\n  <Collection>\n'
                   + "\n".join(entries) + "\n  </Collection>\n</VTKFile>\n")
    return [pvd] + paths


def plot_stress_profiles(states_by_label: dict, path: Path) -> None:
    """sigma_xx through the thickness at the sample centre, one curve per labelled state."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4.5))
    for k, (label, st) in enumerate(states_by_label.items()):
        z, s, lay = measure.stress_profile(st)
        for j, i in enumerate(np.unique(lay)):  # one segment per layer: stress jumps at interfaces
            sel = lay == i
            ax.plot(s[sel] * 1e-6, z[sel] * 1e6, ".-", ms=3, color=f"C{k}", label=label if j == 0 else None)
        for zi in st.model.lmesh.interfaces_m:
            ax.axhline(zi * 1e6, color="0.85", lw=0.6, zorder=0)
    ax.axvline(0, color="k", lw=0.6)
    ax.set_xlabel("in-plane stress $\\sigma_{xx}$ at the sample centre (MPa)")
    ax.set_ylabel("height above the bottom (µm)")
    ax.legend(fontsize=8)
    ax.set_title("Residual stress through the thickness")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_deformed(state, path: Path, title: str = "") -> None:
    """Deformed sample: 2D cross-section (true scale in x, thickness exaggerated) or 3D bottom surface."""
    import matplotlib.pyplot as plt

    model = state.model
    d = model.dim
    mesh = model.lmesh.mesh
    nv = mesh.p.shape[1]
    u = state.u[:d * model.nnodes].reshape(-1, d)[:nv]
    lay = model.lmesh.layer
    cells = state.active_elements()
    fig, ax = plt.subplots(figsize=(7, 3.8))
    if d == 2:
        from matplotlib.collections import PolyCollection
        # x in mm, height in µm: the curl of a 10 mm sample is tens of µm, invisible at true scale
        xy = (mesh.p + u.T).T * np.array([1e3, 1e6])
        polys = xy[mesh.t[:, cells].T]
        vm = von_mises(state.stress[cells].mean(axis=1), axis=-1) * 1e-6
        pc = PolyCollection(polys, array=vm, cmap="viridis", edgecolors="none")
        ax.add_collection(pc)
        ax.autoscale()
        fig.colorbar(pc, ax=ax, label="von Mises stress (MPa)")
        ax.set_xlabel("x (mm)")
        ax.set_ylabel("height (µm), deformed")
    else:
        bottom = np.abs(mesh.p[2]) < 1e-15
        pts = mesh.p[:, bottom] + u[bottom].T
        sc = ax.scatter(pts[0] * 1e3, pts[1] * 1e3, c=pts[2] * 1e3, s=4, cmap="viridis")
        fig.colorbar(sc, ax=ax, label="lift of the bottom surface (mm)")
        ax.set_xlabel("x (mm)")
        ax.set_ylabel("y (mm)")
        ax.set_aspect("equal")
    ax.set_title(title or "Deformed sample")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_temperature_history(record, path: Path) -> None:
    import matplotlib.pyplot as plt

    if not record.cure_history:
        return
    t, T = zip(*record.cure_history)
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(t, T, "-o", ms=3)
    ax.set_xlabel("time (min)")
    ax.set_ylabel("temperature (°C)")
    ax.set_title("Cure schedule (drying, ramp, imidization hold)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
