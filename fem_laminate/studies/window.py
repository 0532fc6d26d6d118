"""Process-window maps: predicted peel strength over roll temperature x speed (x load) grids.

For each grid point the nip gives the interface histories t(s), T(C), p(Pa); the bonding model
(physics/correlations/bonding.py) turns them into D_ic, D_h, D_b and peel. The nip comes from ``nip.solve_nip(...,
method="analytic")`` (default, the nip validate uses), or with ``nip="hertz"`` from the fast stand-in below
(Hertz line contact of two steel rolls, interface at the roll temperature, dwell 2b/v). The patent's preferred ranges are drawn:
roll temperature Tg+30..Tg+250 C, speed 0.01-20 m/min, linear pressure (load / width) 5-1000 kgf/cm.
"""
from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Sequence

import numpy as np

from ..analytic.contact import hertz_line_contact
from ..errors import InputError
from ..model.materials import Material, load_library
from ..physics.correlations import bonding as bd
from ..physics.models.nip import solve_nip
from ..post.folder import OutputFolder, locked
from ..post.output import plain_text, save_figure
from ..process.bond import BondSetup, bond_history, bond_setup, bond_setup_from_stack, nip_spec_for  # noqa: F401
from ..process.bond import predict_bond as _predict_bond
from ..process.peel import Spec as PeelSpec
from ..process.peel import peel_laminate
from ..units import N_PER_KGF as G
MAX_AXIS = 1000  # values along one axis of the map
MAX_POINTS = 20_000  # T x v x load: an analytic nip point takes 0.1-0.6 s
PREFERRED = {"T_above_Tg_K": (30.0, 250.0), "speed_m_per_min": (0.01, 20.0), "linear_pressure_kgf_per_cm": (5.0, 1000.0)}


# -- the nip stand-in ------------------------------------------------------------------------------------
def hertz_nip(load_kgf: float, roll_width_mm: float, roll_diameter_mm: float, roll: Material | None = None):
    """Half-width b (m) and line load w (N/m) of two identical rolls (Johnson 4.43); the thin laminate is ignored."""
    roll = roll or load_library()["steel_roll"]
    w = load_kgf * G / (roll_width_mm * 1e-3)
    R = roll_diameter_mm * 1e-3 / 2.0
    b, _ = hertz_line_contact(w, R, R, roll.E_Pa, roll.nu, roll.E_Pa, roll.nu)
    return b, w


def hertz_nip_history(temperature_C: float, load_kgf: float, roll_width_mm: float, roll_diameter_mm: float,
                      speed_m_per_min: float, n: int = 401):
    """Stand-in nip history: elliptical Hertz pressure swept at the web speed, isothermal at the roll temperature."""
    b, w = hertz_nip(load_kgf, roll_width_mm, roll_diameter_mm)
    v = speed_m_per_min / 60.0
    x = np.linspace(-b, b, n)
    p = 2.0 * w / (math.pi * b) * np.sqrt(np.clip(1.0 - (x / b) ** 2, 0.0, None))
    return (x + b) / v, np.full(n, float(temperature_C)), p


def hertz_window_fast(params: bd.BondingParams, interface: str, temperatures_C, speeds_m_per_min, load_kgf: float,
                      roll_width_mm: float, roll_diameter_mm: float):
    """Closed form of the stand-in over a T x v grid: Int p/mu dt = w/(v mu), healing time = 2b/v.

    Returns (D_ic, D_h) arrays of shape (len(T), len(v)): the closed-form reference that the numerical
    history integration of bond_quality is tested against (tests/studies/test_window.py).
    """
    T = np.asarray(temperatures_C, dtype=float)[:, None]
    v = np.asarray(speeds_m_per_min, dtype=float)[None, :] / 60.0
    b, w = hertz_nip(load_kgf, roll_width_mm, roll_diameter_mm)
    asp = params.asperities[interface]
    fluidity = 10.0 ** bd.log10_fluidity(T, params)
    d_ic = np.minimum((1.0 + asp.a_star * w / v * fluidity) ** 0.2 / asp.w_star, 1.0)
    d_h = np.minimum((2.0 * b / v / bd.reptation_time_s(T, params)) ** 0.25, 1.0)
    return d_ic, d_h


NIP_MODELS = ("analytic", "hertz")


def nip_source(nip: str = "analytic") -> str:
    if nip not in NIP_MODELS:
        raise ValueError(f"nip={nip!r} is not one of {NIP_MODELS}")
    if nip == "analytic":
        return "analytic nip model"
    return "Hertz stand-in, isothermal"


def case_nip_history(case, temperature_C: float, speed_m_per_min: float, load_kgf: float, nip: str = "analytic"):
    """Interface histories (t_s, T_C, p_Pa) for the case's bond step at one operating point.

    nip="analytic": nip.solve_nip(method="analytic") (about 0.1-0.6 s a point on this machine), continued by the
    strip's cooling in air until the interface is glassy (process.bond.bond_history, as the bond step does);
    nip="hertz": the isothermal Hertz stand-in (about 1 ms a point) for quick exploratory maps (the nip only).
    """
    setup = bond_setup(case)
    step = setup.step
    if nip_source(nip).startswith("Hertz"):
        return hertz_nip_history(temperature_C, load_kgf, step.roll_width_mm, step.roll_diameter_mm,
                                 speed_m_per_min)
    spec = nip_spec_for(case.full_stack(), step, temperature_C, speed_m_per_min, load_kgf)
    res = solve_nip(spec, method="analytic")
    t, T, p, _ = bond_history(res.t_s, res.interface_temperature_C, res.interface_pressure_Pa, spec, setup)
    return t, T, p


def predict_bond(case, t_s, T_C, p_Pa, setup: BondSetup | None = None) -> dict:
    """Case-level bond prediction from nip histories (process.bond.predict_bond on the case's bond step)."""
    return _predict_bond(t_s, T_C, p_Pa, setup or bond_setup(case))


PEEL_TEST_C = 25.0  # the peel test is read at room temperature


# -- the map --------------------------------------------------------------------------------------------
def _shown(values, n: int = 80) -> str:
    """A grid as the user wrote it: plain numbers (100, 200.5), never NumPy reprs, cut to n characters."""
    def one(v):
        try:
            return format(float(v), "g")
        except (TypeError, ValueError, OverflowError):
            return repr(v)
    text = "[" + ", ".join(one(v) for v in list(values)[:50]) + "]"
    return text if len(text) <= n else text[:n - 4] + "...]"


def _check_grid(name: str, values, lo: float, hi: float) -> np.ndarray:
    """The grid as a sorted array; InputError (a ValueError) for an empty, oversized, non-finite or out-of-range
    one. Checked before anything is computed or any folder made."""
    if len(values) > MAX_AXIS:
        raise InputError(f"{name}: {len(values)} values: at most {MAX_AXIS} are allowed along one axis")
    try:
        a = np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError):
        a = np.array([np.nan])
    if a.size == 0 or not np.all(np.isfinite(a)) or a.min() <= lo or a.max() > hi:
        shown = _shown(values)
        raise InputError(f"{name}={shown}: need a non-empty list of numbers in ({lo:g}, {hi:g}]")
    return np.unique(a)


def check_window(case, temperatures_C, speeds_m_per_min, loads_kgf=None):
    """The map's grids, checked (ranges, sizes, their product) before any work: (setup, T, v, L)."""
    setup = bond_setup(case)
    T = _check_grid("temperatures_C", temperatures_C, -100.0, 600.0)
    v = _check_grid("speeds_m_per_min", speeds_m_per_min, 0.0, 1000.0)
    L = _check_grid("loads_kgf", [setup.step.load_kgf] if loads_kgf is None else loads_kgf, 0.0, 1e6)
    n = T.size * v.size * L.size
    if n > MAX_POINTS:
        raise InputError(f"window: {T.size} x {v.size} x {L.size} = {n:,} points: at most {MAX_POINTS:,} are allowed")
    return setup, T, v, L


def peel_window(case, temperatures_C: Sequence[float], speeds_m_per_min: Sequence[float],
                loads_kgf: Sequence[float] | None = None, progress: bool = True, nip: str = "analytic") -> dict:
    """Peel map over T x v (x load). Returns grids and arrays of shape (n_load, n_T, n_v)."""
    from tqdm import tqdm

    setup, T, v, L = check_window(case, temperatures_C, speeds_m_per_min, loads_kgf)
    layers = list(case.full_stack().layers)
    peel_spec = PeelSpec(kind="peel", method="analytic")  # a map point never runs the FEM; out of range: NaN
    shape = (L.size, T.size, v.size)
    out = {k: np.zeros(shape) for k in ("D_ic", "D_h", "D_b", "peel_kgf_per_cm")}
    failing = np.empty(shape, dtype=object)
    with tqdm(total=int(np.prod(shape)), desc=f"window {_plain(case.name)}", unit="pt", disable=not progress) as bar:
        for i, load in enumerate(L):
            for j, temp in enumerate(T):
                for k, speed in enumerate(v):
                    r = predict_bond(case, *case_nip_history(case, temp, speed, load, nip), setup=setup)
                    out["D_ic"][i, j, k] = r["degree_intimate_contact"]
                    out["D_h"][i, j, k] = r["degree_healing"]
                    out["D_b"][i, j, k] = r["degree_bonding"]
                    # the peel a tester reads: toughness from the nip history, then the peel mechanics (closed form)
                    pk, _ = peel_laminate(layers, PEEL_TEST_C, peel_spec, r, case.interfaces)
                    out["peel_kgf_per_cm"][i, j, k] = np.nan if pk["kgf_per_cm"] is None else pk["kgf_per_cm"]
                    failing[i, j, k] = pk["failing_layers"]
                    bar.update()
    return {"case": case.name, "surface": setup.surface.name, "Tg_C": setup.surface.Tg_C,
            "interface": setup.interface, "roll_width_mm": setup.step.roll_width_mm,
            "roll_diameter_mm": setup.step.roll_diameter_mm, "temperatures_C": T, "speeds_m_per_min": v,
            "loads_kgf": L, "first_failing_interface": failing, "nip": nip_source(nip),
            "operating_point": (setup.step.temperature_C, setup.step.speed_m_per_min, setup.step.load_kgf), **out}


def preferred_mask(win: dict) -> np.ndarray:
    """True where T, speed and linear pressure all lie in the patent's preferred ranges (shape as the maps)."""
    Tg = win["Tg_C"]
    lp = win["loads_kgf"] / (win["roll_width_mm"] / 10.0)  # kgf/cm
    (t0, t1), (v0, v1), (p0, p1) = PREFERRED.values()
    okT = np.zeros(win["temperatures_C"].shape, bool) if Tg is None else \
        (win["temperatures_C"] >= Tg + t0) & (win["temperatures_C"] <= Tg + t1)
    okv = (win["speeds_m_per_min"] >= v0) & (win["speeds_m_per_min"] <= v1)
    okp = (lp >= p0) & (lp <= p1)
    return okp[:, None, None] & okT[None, :, None] & okv[None, None, :]


def write_window_csv(win: dict, path) -> Path:
    path = Path(path)
    pref = preferred_mask(win)
    with path.open("w", newline="") as fh:
        wr = csv.writer(fh)
        wr.writerow(["temperature_C", "speed_m_per_min", "load_kgf", "linear_pressure_kgf_per_cm",
                     "degree_intimate_contact", "degree_healing", "degree_bonding", "peel_kgf_per_cm",
                     "first_failing_interface", "in_preferred_window"])
        for i, load in enumerate(win["loads_kgf"]):
            for j, temp in enumerate(win["temperatures_C"]):
                for k, speed in enumerate(win["speeds_m_per_min"]):
                    wr.writerow([f"{temp:g}", f"{speed:g}", f"{load:g}", f"{load / (win['roll_width_mm'] / 10):g}",
                                 f"{win['D_ic'][i, j, k]:.6g}", f"{win['D_h'][i, j, k]:.6g}",
                                 f"{win['D_b'][i, j, k]:.6g}", f"{win['peel_kgf_per_cm'][i, j, k]:.6g}",
                                 win["first_failing_interface"][i, j, k], int(pref[i, j, k])])
    return path


def plot_window(win: dict, path) -> Path:
    """One panel per load: peel (kgf/cm) over T x speed (log), preferred T and speed ranges as a dashed box."""
    import matplotlib.pyplot as plt

    path = Path(path)
    T, v, L = win["temperatures_C"], win["speeds_m_per_min"], win["loads_kgf"]
    finite = win["peel_kgf_per_cm"][np.isfinite(win["peel_kgf_per_cm"])]  # NaN: the closed form out of range
    vmax = max(float(finite.max()) if finite.size else 0.0, 1e-9)
    fig, axes = plt.subplots(1, L.size, figsize=(5.2 * L.size + 0.8, 4.4), squeeze=False, constrained_layout=True)
    (t0, t1), (v0, v1), (p0, p1) = PREFERRED.values()
    for i, ax in enumerate(axes[0]):
        z = win["peel_kgf_per_cm"][i]
        if T.size > 1 and v.size > 1:
            mesh = ax.pcolormesh(v, T, z, shading="nearest", vmin=0.0, vmax=vmax, cmap="viridis")
            levels = [lv for lv in (0.1 * vmax, 0.5 * vmax, 0.9 * vmax) if z.min() < lv < z.max()]
            if levels:
                cs = ax.contour(v, T, z, levels=levels, colors="w", linewidths=0.8)
                ax.clabel(cs, fmt="%.2g", fontsize=7)
        else:
            mesh = ax.scatter(np.repeat(v[None, :], T.size, 0), np.repeat(T[:, None], v.size, 1), c=z, vmin=0.0,
                              vmax=vmax, cmap="viridis", s=80)
        if v.min() > 0:
            ax.set_xscale("log")
        if win["Tg_C"] is not None:
            Tg = win["Tg_C"]
            ax.add_patch(plt.Rectangle((v0, Tg + t0), v1 - v0, t1 - t0, fill=False, ls="--", lw=1.5, ec="r",
                                       label=f"preferred: Tg+{t0:g}..Tg+{t1:g} °C, {v0:g}-{v1:g} m/min"))
            ax.axhline(Tg, color="r", lw=0.8, ls=":", label=f"Tg = {Tg:g} °C")
        T_op, v_op, L_op = win["operating_point"]
        if math.isclose(L[i], L_op):
            ax.plot([v_op], [T_op], "w*", ms=12, mec="k", label="case operating point")
        lp = L[i] / (win["roll_width_mm"] / 10.0)
        inside = "inside" if p0 <= lp <= p1 else "OUTSIDE"
        ax.set_title(f"load {L[i]:g} kgf = {lp:.3g} kgf/cm ({inside} preferred {p0:g}-{p1:g})", fontsize=9)
        ax.set_xlim(v.min() * (0.8 if v.size > 1 else 0.5), v.max() * (1.25 if v.size > 1 else 2.0))
        ax.set_ylim(T.min() - 5, T.max() + 5)
        ax.set_xlabel("speed (m/min)")
        ax.set_ylabel("roll temperature (°C)")
        ax.legend(loc="lower right", fontsize=7)
    fig.colorbar(mesh, ax=axes[0].tolist(), label="predicted peel strength (kgf/cm)")
    fig.suptitle(f"{_plain(win['case'])}: {win['interface']} bond on {win['surface']} ({win['nip']})", fontsize=10)
    return save_figure(fig, path)


def _plain(text) -> str:
    """User text (a case name) as plain text in a plot or progress bar: no mathtext, no control characters."""
    return plain_text(str(text))


def parse_grid(text: str, name: str = "grid") -> list[float]:
    """CLI grid syntax: "300,350,400" (a list), "300:450:16" (16 points, linear), "0.01:20:12:log" (geometric).

    InputError (a ValueError) naming the option for bad syntax and for more than MAX_AXIS points (checked before
    any array is made: "0:1:100000000" is refused, not allocated)."""
    usage = f"{name}={text[:80]!r}: use 'a,b,c', 'start:stop:n' or 'start:stop:n:log' (log: start, stop > 0)"
    try:
        if ":" not in text:
            if text.count(",") >= MAX_AXIS:
                raise InputError(f"{name}: {text.count(',') + 1} values: at most {MAX_AXIS} are allowed")
            return [float(x) for x in text.split(",") if x.strip()]
        parts = text.split(":")
        lo, hi, n = float(parts[0]), float(parts[1]), int(parts[2])
        log = len(parts) == 4 and parts[3] == "log"
        if len(parts) > 4 or (len(parts) == 4 and not log) or n < 1 or (log and min(lo, hi) <= 0):
            raise ValueError
    except (ValueError, IndexError, OverflowError) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(usage) from None
    if n > MAX_AXIS:
        raise InputError(f"{name}={text[:80]!r}: {n} points: at most {MAX_AXIS} are allowed along one axis")
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise InputError(usage)
    return [float(x) for x in (np.geomspace(lo, hi, n) if log else np.linspace(lo, hi, n))]


def window_command(case_path, out_dir, temperatures_C: Sequence[float], speeds_m_per_min: Sequence[float],
                   loads_kgf: Sequence[float] | None = None, progress: bool = True, nip: str = "analytic",
                   wait_s: float | None = None) -> dict:
    """`fem-laminate window CASE`: peel map as window.csv and window.png in out_dir; returns the paths.

    nip: "analytic" (nip.solve_nip analytic, the nip validate uses) or "hertz" (fast isothermal stand-in).
    """
    from ..case import load_case

    nip_source(nip)  # one-line ValueError for a bad nip name before any work
    case = case_path if hasattr(case_path, "spec") else load_case(case_path)
    check_window(case, temperatures_C, speeds_m_per_min, loads_kgf)  # before the folder is made
    out = Path(out_dir)
    folder = OutputFolder(out)  # the rules of `run`: a folder of files this tool did not write is refused
    folder.check()
    with locked(out, "--out", wait_s):  # another window run into out: refused, or waited for
        win = peel_window(case, temperatures_C, speeds_m_per_min, loads_kgf, progress=progress, nip=nip)
        with folder.scratch() as tmp:  # written aside, renamed into place when complete
            write_window_csv(win, tmp / "window.csv")
            plot_window(win, tmp / "window.png")
        return {"csv": out / "window.csv", "png": out / "window.png",
                "points": int(win["peel_kgf_per_cm"].size), "nip": win["nip"]}
