"""The roll nip's files: pressure and interface histories (CSV + PNG) and the contact field (VTU)."""
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from ..physics.models.nip import NipResult
from .output import save_figure


def write_nip_outputs(result: NipResult, out_dir) -> list[Path]:
    """nip_pressure.csv/.png, nip_temperature.csv/.png and (FEM) nip_field.vtu in out_dir."""
    import matplotlib.pyplot as plt

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    f = out / "nip_pressure.csv"
    with f.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["x_mm", "pressure_MPa"])
        w.writerows(zip(result.x_m * 1e3, result.pressure_Pa * 1e-6))
    paths.append(f)
    f = out / "nip_temperature.csv"
    with f.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["t_s", "interface_temperature_C", "interface_pressure_MPa"])
        w.writerows(zip(result.t_s, result.interface_temperature_C, result.interface_pressure_Pa * 1e-6))
    paths.append(f)
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(result.x_m * 1e3, result.pressure_Pa * 1e-6)
    ax.set(xlabel="x along the rolling direction (mm)", ylabel="roll pressure (MPa)",
           title=f"Nip pressure ({result.method} model), contact half-width {result.half_width_m * 1e3:.3f} mm")
    fig.tight_layout()
    paths.append(save_figure(fig, out / "nip_pressure.png"))
    fig, ax = plt.subplots(figsize=(6, 3.5))
    lines = ax.plot(result.t_s, result.interface_temperature_C, color="C3", label="temperature (left axis)")
    ax.set(xlabel="time from the nip centre (s)", ylabel="bonding interface temperature (°C)")
    ax2 = ax.twinx()
    lines += ax2.plot(result.t_s, result.interface_pressure_Pa * 1e-6, color="C0", lw=0.8,
                      label="pressure (right axis)")
    ax2.set_ylabel("interface pressure (MPa)")
    ax.legend(lines, [ln.get_label() for ln in lines], fontsize=8, loc="center right")
    ax.set_title("Bonding interface through the nip", fontsize=10)
    fig.tight_layout()
    paths.append(save_figure(fig, out / "nip_temperature.png"))
    if result.points_m is not None:
        import meshio

        pts3 = np.vstack([result.points_m, np.zeros(result.points_m.shape[1])]).T
        cd = {k: [np.asarray(v)] for k, v in result.cell_data.items()}
        mesh = meshio.Mesh(pts3, [("quad", result.cells.T)], point_data=result.point_data, cell_data=cd)
        f = out / "nip_field.vtu"
        mesh.write(f)
        paths.append(f)
    return paths
