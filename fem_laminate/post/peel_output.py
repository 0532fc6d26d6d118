"""Files of an FEM peel: the peel front (deformed arm coloured by equivalent plastic strain), force against pull
distance (PNG + CSV), and the deformed field as VTU (ParaView)."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import meshio  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402

from .output import save_figure  # noqa: E402


def write_peel_outputs(res, out_dir) -> list[Path]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "peel_force.csv", out / "peel_force.png", out / "peel_front.png", out / "peel_field.vtu"]
    np.savetxt(paths[0], np.column_stack([res.pull_m * 1e3, res.force_history_N_per_m * 1e-3,
                                          res.crack_advance_m * 1e3]),
               delimiter=",", header="pull_mm,force_N_per_mm,crack_advance_mm", comments="")
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(res.pull_m * 1e3, res.force_history_N_per_m * 1e-3)
    ax.axhline(res.force_N_per_mm, ls="--", c="k",
               label=f"{'steady' if res.steady else 'last (not steady)'}: {res.force_N_per_mm:.3g} N/mm")
    ax.set_xlabel("pull distance (mm)")
    ax.set_ylabel("peel force (N/mm)")
    ax.legend()
    fig.tight_layout()
    paths[1] = save_figure(fig, paths[1])

    fig, ax = plt.subplots(figsize=(8, 4))
    polys, vals = [], []
    for name, f in res.fields.items():
        x = f["points"] + f["u"]
        polys += [x[c] * 1e3 for c in f["cells"]]
        vals += list(f["plastic_strain"]) if name == "arm" else [0.0] * len(f["cells"])
    pc = PolyCollection(polys, array=np.array(vals), cmap="viridis", edgecolors="none")
    ax.add_collection(pc)
    ax.autoscale()
    ax.set_aspect("equal")
    fig.colorbar(pc, ax=ax, label="equivalent plastic strain")
    ax.set_xlabel("x (mm)")
    ax.set_ylabel("y (mm)")
    ax.set_title("peel front (deformed)")
    fig.tight_layout()
    paths[2] = save_figure(fig, paths[2])

    pts, cells, u, ep, off = [], [], [], [], 0
    for name, f in res.fields.items():
        pts.append(f["points"])
        cells.append(f["cells"] + off)
        u.append(f["u"])
        ep.append(f["plastic_strain"] if name == "arm" else np.zeros(len(f["cells"])))
        off += len(f["points"])
    P = np.vstack(pts)
    mesh = meshio.Mesh(np.column_stack([P, np.zeros(len(P))]), [("quad", np.vstack(cells))],
                       point_data={"displacement": np.column_stack([np.vstack(u), np.zeros(len(P))])},
                       cell_data={"equivalent_plastic_strain": [np.concatenate(ep)]})
    mesh.write(paths[3])
    return paths
