"""Output of a curl result: the deformed whole sample (mirrored quarter) as VTU and a PNG height map."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..physics.models.curl import CurlResult
from .output import save_figure


def _full_sample(result: CurlResult):
    """Mirror the quarter into the whole sample: (points (n, 3) deformed, hex cells, layer per cell)."""
    p = result.mesh.p
    u = result.vertex_displacement_m
    t = result.mesh.t.T
    pts, cells, lay = [], [], []
    n = p.shape[1]
    for k, (sx, sy) in enumerate([(1, 1), (-1, 1), (1, -1), (-1, -1)]):
        s = np.array([sx, sy, 1.0])[:, None]
        pts.append(((p + u) * s).T)
        c = t + k * n
        if sx * sy < 0:  # keep a positive orientation
            c = c[:, [1, 0, 3, 2, 5, 4, 7, 6]]
        cells.append(c)
        lay.append(result.layer)
    return np.vstack(pts), np.vstack(cells), np.concatenate(lay)


def write_curl_outputs(result: CurlResult, out_dir) -> list[Path]:
    """curl_sample.vtu (deformed whole sample, layer per cell) and curl_sample.png (height map, 3D view)."""
    import matplotlib.pyplot as plt
    import meshio

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    pts, cells, lay = _full_sample(result)
    # MeshHex vertex order is not VTK's; re-order each cell by its corner coordinates
    vtu = out / "curl_sample.vtu"
    ref = _full_reference(result)
    cells_vtk = _vtk_hex_order(ref, cells)
    meshio.write(vtu, meshio.Mesh(pts, [("hexahedron", cells_vtk)],
                                  point_data={"displacement_m": pts - ref},
                                  cell_data={"layer": [lay.astype(np.int32)]}))
    png = out / "curl_sample.png"
    fig = plt.figure(figsize=(11, 4.5))
    ax = fig.add_subplot(1, 2, 1, projection="3d")
    zt = result.mesh.p[2].max()
    top = np.isclose(ref[:, 2], zt)
    z = pts[top, 2] * 1e3
    z = result.facing * (z - (z.min() if result.facing > 0 else z.max()))
    import matplotlib.tri as mtri
    tri = mtri.Triangulation(ref[top, 0], ref[top, 1])
    ax.plot_trisurf(pts[top, 0] * 1e3, pts[top, 1] * 1e3, z, triangles=tri.triangles, cmap="viridis",
                    linewidth=0)
    ax.set_xlabel("x (mm)")
    ax.set_ylabel("y (mm)")
    ax.set_zlabel("height above table (mm)")
    ax.set_title("deformed sample (height exaggerated)", fontsize=9)
    ax2 = fig.add_subplot(1, 2, 2)
    cs = ax2.tricontourf(pts[top, 0] * 1e3, pts[top, 1] * 1e3, tri.triangles, z, levels=15, cmap="viridis")
    fig.colorbar(cs, ax=ax2, label="height above table (mm)")
    ax2.set_aspect("equal")
    ax2.set_xlabel("x (mm)")
    ax2.set_ylabel("y (mm)")
    k1, k2 = result.principal_curvatures_1_per_m
    fig.suptitle(f"curl: lift {result.corner_lift_m * 1e3:.2f} mm, {result.shape}, "
                 f"k = ({k1:.3g}, {k2:.3g}) 1/m" + ("" if result.converged else "  [NOT CONVERGED]"))
    fig.tight_layout()
    return [vtu, save_figure(fig, png)]


def _full_reference(result: CurlResult):
    p = result.mesh.p
    return np.vstack([(p * np.array([sx, sy, 1.0])[:, None]).T for sx, sy in [(1, 1), (-1, 1), (1, -1), (-1, -1)]])


def _vtk_hex_order(ref, cells):
    """Order each hexahedron's corners as VTK expects: bottom face counter-clockwise, then the top face."""
    c = ref[cells]  # (n, 8, 3)
    ctr = c.mean(axis=1, keepdims=True)
    d = c - ctr
    bottom = d[..., 2] < 0
    ang = np.arctan2(d[..., 1], d[..., 0])
    out = np.empty_like(cells)
    for i in range(len(cells)):
        b = np.flatnonzero(bottom[i])
        tp = np.flatnonzero(~bottom[i])
        b = b[np.argsort(ang[i, b])]
        tp = tp[np.argsort(ang[i, tp])]
        out[i, :4] = cells[i, b]
        out[i, 4:] = cells[i, tp]
    return out
