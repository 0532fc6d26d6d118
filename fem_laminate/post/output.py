"""Outputs: summary.json and the plots (the ParaView series is vtk_series.py).

Plots are written by `save_figure` in the format and resolution of the enclosing `plot_settings` (PNG at
120 dpi by default; SVG and PDF without a creation date, so that two runs write the same bytes).
"""
from __future__ import annotations

import contextvars
import json
from contextlib import contextmanager
from pathlib import Path

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


PLOT_FORMATS = ("png", "svg", "pdf")
DEFAULT_DPI = 120
_PLOT = contextvars.ContextVar("plot_settings", default=("png", DEFAULT_DPI))
_NO_DATE = {"png": None, "svg": {"Date": None}, "pdf": {"CreationDate": None}}


@contextmanager
def plot_settings(fmt: str | None = None, dpi: int | None = None):
    """Plots written inside the block use this format (png, svg or pdf) and resolution (dots per inch); None
    keeps the enclosing block's (default: png at DEFAULT_DPI)."""
    old_fmt, old_dpi = _PLOT.get()
    fmt = old_fmt if fmt is None else fmt
    if fmt not in PLOT_FORMATS:
        raise ValueError(f"plot format {fmt!r} is not one of {', '.join(PLOT_FORMATS)}")
    token = _PLOT.set((fmt, old_dpi if dpi is None else int(dpi)))
    try:
        yield
    finally:
        _PLOT.reset(token)


def save_figure(fig, path) -> Path:
    """Save and close a matplotlib figure as `path` with the suffix of the current format; returns the path."""
    import matplotlib.pyplot as plt

    fmt, dpi = _PLOT.get()
    path = Path(path).with_suffix("." + fmt)
    fig.savefig(path, dpi=dpi, format=fmt, metadata=_NO_DATE[fmt])
    plt.close(fig)
    return path


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


def plot_stress_profiles(states_by_label: dict, path: Path) -> Path:
    """sigma_xx through the thickness at the sample centre, one curve per labelled state; each layer band
    named at the right (with its material when the name does not say it)."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    bands = {}  # layer name -> (bottom, top) in um, material
    for k, (label, st) in enumerate(states_by_label.items()):
        z, s, lay = measure.stress_profile(st)
        for j, i in enumerate(np.unique(lay)):  # one segment per layer: stress jumps at interfaces
            sel = lay == i
            ax.plot(s[sel] * 1e-6, z[sel] * 1e6, ".-", ms=3, color=f"C{k}", label=plain_text(label) if j == 0 else None)
        itf = st.model.lmesh.interfaces_m
        for i in st.active_layers():
            layer = st.stack.layers[i]
            bands[layer.name] = (itf[i] * 1e6, itf[i + 1] * 1e6, layer.material.name)
        for zi in itf:
            ax.axhline(zi * 1e6, color="0.85", lw=0.6, zorder=0)
    for name, (z0, z1, material) in bands.items():
        text = name if material in name else f"{name} ({material})"
        ax.text(1.01, 0.5 * (z0 + z1), plain_text(text, 30), transform=ax.get_yaxis_transform(), fontsize=7,
                va="center", ha="left", clip_on=False)
    ax.axvline(0, color="k", lw=0.6)
    ax.set_xlabel("in-plane stress $\\sigma_{xx}$ at the sample centre (MPa)")
    ax.set_ylabel("height above the bottom (µm)")
    ax.legend(fontsize=8, title="after", title_fontsize=8)
    ax.set_title("Residual stress through the thickness")
    fig.tight_layout()
    return save_figure(fig, path)


def plot_deformed(state, path: Path, title: str = "") -> Path:
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
    return save_figure(fig, path)


def plot_temperature_history(record, path: Path) -> Path | None:
    import matplotlib.pyplot as plt

    if not record.cure_history:
        return None
    t, T = zip(*record.cure_history)
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(t, T, "-o", ms=3)
    ax.set_xlabel("time (min)")
    ax.set_ylabel("temperature (°C)")
    ax.set_title("Cure schedule (drying, ramp, imidization hold)")
    fig.tight_layout()
    return save_figure(fig, path)
