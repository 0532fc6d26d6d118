"""Panel-size study of the etched lines: the resolved panel against the homogenized one at 1, 2, 4, 6 mm.

The case is cases/circuit_lines.toml (50/50 um lines along x; 20-node hexes, one per layer; two element rows per
line and per space, 0.25 mm along the lines) with the panel's length and width scaled and nx, ny scaled with them
(4 and 40 elements per mm), the elastic model of benchmarks/study_homogenization.py, solver cg_plate. Each size is
run in a child process (its peak memory is its own) and kept in
benchmarks/results/study_homogenization_size_runs.json; --reuse takes the kept runs instead of running them again.

The size dependence of each quantity is fitted as f(L) = f_inf + C/L (least squares over the sizes) and as
f(L) = f_inf + C L^-q with the exponent q observed from the three largest sizes (the Richardson form in h = 1/L),
and extrapolated to 12 mm and to L -> infinity. The corner lift grows as L^2, so it is fitted as lift / L^2.

The mesh error at this density: on the 2 mm panel, the Richardson limit of the 27-node refinement sequence in
benchmarks/results/study_homogenization_resolved.json (4 x 40, 8 x 80, 16 x 160) against this study's 2 mm run
(8 x 80, the same element size); on the 1 mm panel, a 27-node sequence 4 x 20, 8 x 40, 16 x 80 (--mesh-check, kept
in the runs file) against the 1 mm run. Three estimates of the size effect: (a) the runs from 2 mm divided by
1 + the 2 mm mesh error; (b) the 1 and 2 mm Richardson limits alone (C/L through the two); (c) those limits and the
larger runs divided by 1 + e(L), e(L) = e_inf + c/L through the 1 and 2 mm mesh errors.

    PYTHONPATH=. nice -n 19 python benchmarks/study_homogenization_size.py --mesh-check
    PYTHONPATH=. nice -n 19 python benchmarks/study_homogenization_size.py [--sizes 1 2 4 6] [--reuse]
        [--extra path/to/summary.json ...]
    # the 12 mm panel (the whole case, 1.34 M DOFs): about 10 GB and 10 minutes more
    PYTHONPATH=. nice -n 19 python benchmarks/study_homogenization_size.py --sizes 1 2 4 6 12 --reuse

--extra adds a finished resolved run of the same case at another size: its summary.json, or summary.json@L_mm (e.g.
the full 12 mm cases/circuit_lines.toml with [physics] switched off as here and solver cg_plate); the panel size is
read from the case file that the summary names unless given.
Appends the printout to benchmarks/results/study_homogenization_size.txt.
"""
import argparse
import json
import resource
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _record import Tee, record  # noqa: E402
from study_homogenization import COLS, ELASTIC, PATTERNS, pct, richardson, row  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CASE = str(ROOT / "cases" / "circuit_lines.toml")
RUNS = ROOT / "benchmarks" / "results" / "study_homogenization_size_runs.json"
MESH_RUNS = ROOT / "benchmarks" / "results" / "study_homogenization_resolved.json"
PER_MM = (4, 40)  # elements per mm along and across the lines: circuit_lines.toml's 48 x 480 on 12 mm
SOLVER = "cg_plate"


def case_dict(L_mm: float) -> dict:
    d = tomllib.load(open(CASE, "rb"))
    d["physics"] = dict(ELASTIC)
    d["mesh"].update(length_mm=L_mm, width_mm=L_mm, nx=round(PER_MM[0] * L_mm), ny=round(PER_MM[1] * L_mm),
                     solver=SOLVER)
    assert d["steps"][1]["pattern"] == PATTERNS["lines"] | {"line_um": 50, "space_um": 50}
    return d


def lift_checks(state) -> dict:
    """The corner lift read three ways on the resolved panel: as reported (the curvature's reference surface, the
    bottom of the lowest whole layer, corner minus centre), on the homogenized plate's reference surface (mid-height
    of the polymer film) and, on the reported surface, above the tangent plane of the central quadratic fit (as the
    homogenized plate reads it). All four corners each."""
    from fem_laminate.post import measure
    model = state.model
    x = model.basis.doflocs
    L, W = model.lmesh.length_m, model.lmesh.width_m
    plane = measure._reference_plane(state)
    xp = x[:, plane]
    w = state.u[2:3 * model.nnodes:3][plane]
    centre = int(np.argmin(xp[0] ** 2 + xp[1] ** 2))
    sel = (np.abs(xp[0]) <= 0.25 * L) & (np.abs(xp[1]) <= 0.25 * W)
    c = np.linalg.lstsq(np.c_[np.ones(sel.sum()), xp[0, sel], xp[1, sel], 0.5 * xp[0, sel] ** 2,
                              0.5 * xp[1, sel] ** 2, xp[0, sel] * xp[1, sel]], w[sel], rcond=None)[0]
    corners = [(-1, -1), (1, -1), (1, 1), (-1, 1)]
    reported, tangent = [], []
    for sx, sy in corners:
        k = int(np.argmax(sx * xp[0] + sy * xp[1]))
        reported.append(float((w[k] - w[centre]) * 1e6))
        tp = w[centre] + c[1] * (xp[0, k] - xp[0, centre]) + c[2] * (xp[1, k] - xp[1, centre])
        tangent.append(float((w[k] - tp) * 1e6))
    z = model.lmesh.interfaces_m
    pol = measure.polymer_layers(state)
    zm = 0.5 * (z[min(pol)] + z[max(pol) + 1])
    pts = np.array([[0.0] + [0.5 * sx * L for sx, _ in corners], [0.0] + [0.5 * sy * W for _, sy in corners],
                    [zm] * 5])
    wz = model.basis.probes(pts) @ state.u[2:3 * model.nnodes:3]
    mid = [float((wz[i + 1] - wz[0]) * 1e6) for i in range(4)]
    return {"corners": ["(-,-)", "(+,-)", "(+,+)", "(-,+)"], "reported_um": reported, "mid_polymer_um": mid,
            "above_fit_tangent_um": tangent, "fit_slopes": [float(c[1]), float(c[2])]}


def run_one(L_mm: float) -> dict:
    """One resolved run (in the child process)."""
    from fem_laminate import job
    from fem_laminate.case import load_case_dict
    t = time.perf_counter()
    state, _, s = job.simulate(load_case_dict(case_dict(L_mm), CASE))
    sec = time.perf_counter() - t
    return {"L_mm": L_mm, "dofs": int(s["model"]["dofs"]), "values": [float(v) for v in row(s["etch_pattern"])],
            "seconds": sec, "peak_rss_MB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "lift": lift_checks(state), "columns": COLS}


def homogenized(L_mm: float) -> dict:
    """The homogenized model and the rule of mixtures at the same size (the cool step on a coarse mesh: the
    homogenized etch reads only the layers' state, which is uniform before the etch)."""
    from fem_laminate import job
    from fem_laminate.case import load_case_dict
    from fem_laminate.process import etch as et
    from fem_laminate.process.etch_homogenized import homogenized_etch
    d = case_dict(L_mm)
    spec = d["steps"][1]["pattern"]
    d["steps"] = d["steps"][:1]
    d["mesh"].update(nx=4, ny=4, element="lagrange", solver="auto")
    state0, _, _ = job.simulate(load_case_dict(d, CASE))
    p = et.build_pattern(et.Spec(kind="etch", side="top", pattern=spec), CASE, 1)
    out = {}
    for method in ("homogenized", "mixtures"):
        hr = homogenized_etch(state0, [state0.active_layers()[-1]], p, "top", method=method)
        out[method] = {"values": [float(v) for v in row(hr)], "classes": int(hr["pattern_classes"]),
                       "tiles": hr["tiles"], "corner_lift_um": hr["warpage_after"]["corner_lift_um"]}
    return out


def from_summary(arg: str) -> dict:
    """An extra resolved point from a finished run's summary.json: "path" (the panel size read from the case file
    the summary names) or "path@L_mm". The run must be this study's case at this density: 20-node, 4 x 40 elements
    per mm, the elastic model (a case file whose [physics] is not all off is refused with a note)."""
    path, _, size = arg.partition("@")
    s = json.load(open(path))
    case_file = Path(s.get("case_file") or "")
    d = tomllib.load(open(case_file, "rb")) if case_file.is_file() else None
    if size:
        L_mm = float(size)
    elif d is not None:
        L_mm = float(d["mesh"]["length_mm"])
    else:
        raise SystemExit(f"{path}: its case file {case_file} is not here; give the size as {path}@L_mm")
    if d is not None:
        if any(d.get("physics", {}).get(k, True) for k in ELASTIC):
            raise SystemExit(f"{path}: case {case_file} is not the elastic model ([physics] "
                             + ", ".join(f"{k} = false" for k in ELASTIC) + " as in this study)")
        m = d["mesh"]
        if (m.get("nx"), m.get("ny")) != (round(PER_MM[0] * L_mm), round(PER_MM[1] * L_mm)):
            print(f"note: {path}: nx, ny = {m.get('nx')}, {m.get('ny')}, not this study's density "
                  f"({PER_MM[0]} x {PER_MM[1]} per mm)")
    if s["model"]["element"] != "ElementHexS2":  # the 20-node serendipity hex
        print(f"note: {path}: element {s['model']['element']}, not the 20-node hex of this study")
    return {"L_mm": L_mm, "dofs": int(s["model"]["dofs"]), "values": [float(v) for v in row(s["etch_pattern"])],
            "seconds": float("nan"), "peak_rss_MB": float("nan"), "lift": None, "columns": COLS, "source": path}


MESH_CHECK = [(4, 20), (8, 40), (16, 80)]  # 1 mm, 27-node; nx >= 4, so not the 2 mm sequence's sizes


def mesh_check_1mm() -> None:
    """The mesh error at 1 mm as well: a 27-node sequence on the 1 mm panel, the element size halved
    (kept as "27-node 1 mm n x m"), to see whether the relative mesh error depends on the panel size."""
    from fem_laminate import job
    from fem_laminate.case import load_case_dict
    for nx, ny in MESH_CHECK:
        key = f"27-node 1 mm {nx} x {ny}"
        if key in kept():
            continue
        d = case_dict(1.0)
        d["mesh"].update(nx=nx, ny=ny, element="lagrange", solver="cg_amg")
        t = time.perf_counter()
        _, _, s = job.simulate(load_case_dict(d, CASE))
        keep(key, {"L_mm": 1.0, "dofs": int(s["model"]["dofs"]), "values": [float(v) for v in row(s["etch_pattern"])],
                   "seconds": time.perf_counter() - t, "columns": COLS})


def kept() -> dict:
    return json.load(open(RUNS)) if RUNS.is_file() else {}


def keep(key: str, r: dict) -> None:
    runs = kept()
    runs[key] = r
    RUNS.write_text(json.dumps(runs, indent=1))


def mesh_error() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The 2 mm Richardson limit (27-node sequence), its observed orders, and the 8 x 80 27-node values."""
    runs = json.load(open(MESH_RUNS))["lines"]
    F = np.array([runs[k]["values"] for k in ("4 x 40", "8 x 80", "16 x 160")])
    h = [(runs[k]["dofs"] / 27.0) ** -0.5 for k in ("4 x 40", "8 x 80", "16 x 160")]
    h = [v / h[0] for v in h]
    ext, p = zip(*(richardson(h, F[:, j]) for j in range(F.shape[1])))
    return np.array(ext), np.array(p), F[1]


FIT_FROM_MM = 2.0  # the fits take the panels from 2 mm: on the 1 mm panel the central half that the curvature is
# fitted on reaches into the line ends' zones (kappa_x, the lift and dL_x are not monotone from 1 to 2 mm)


def fit_inverse(L, f):
    """f = f_inf + C / L, least squares; returns (f_inf, C, rms residual)."""
    A = np.c_[np.ones_like(L), 1.0 / L]
    c, *_ = np.linalg.lstsq(A, f, rcond=None)
    return c[0], c[1], float(np.sqrt(np.mean((A @ c - f) ** 2)))


def fit_power(L, f):
    """f = f_inf + C L^-q through the three largest sizes (q observed, bisection on [0.3, 8]); nan when the
    differences change sign (no asymptotic range). Returns (f_inf, C, q)."""
    if len(L) < 3:
        return float("nan"), float("nan"), float("nan")
    i = np.argsort(L)[-3:]
    h, g = 1.0 / L[i], f[i]
    order = np.argsort(-h)
    f_inf, q = richardson(h[order], g[order])
    if np.isnan(q):
        return float("nan"), float("nan"), float("nan")
    C = (g[order][-1] - f_inf) / h[order][-1] ** q
    return f_inf, C, q


def at(fit, L, power=False):
    f_inf, C = fit[0], fit[1]
    if not np.isfinite(L):
        return f_inf
    return f_inf + C * (L ** -fit[2] if power else 1.0 / L)


def mesh_limit_1mm():
    """The 1 mm panel's Richardson limit from the kept 27-node sequence (None until all three are run)."""
    runs = kept()
    keys = [f"27-node 1 mm {nx} x {ny}" for nx, ny in MESH_CHECK]
    if not all(k in runs for k in keys):
        return None
    F = np.array([runs[k]["values"] for k in keys])
    h = [(runs[k]["dofs"] / 27.0) ** -0.5 for k in keys]
    h = [v / h[0] for v in h]
    ext, p = zip(*(richardson(h, F[:, j]) for j in range(F.shape[1])))
    return np.array(ext), np.array(p), F, [runs[k]["dofs"] for k in keys]


def converged_size_fits(L, V, Vn, H, ext2):
    """The size effect between mesh-converged panels: the Richardson limits at 1 and 2 mm, and the larger runs
    corrected by a mesh error that depends on the size, e(L) = e_inf + c/L through the 1 and 2 mm errors (the
    line ends' zones are resolved by a fixed element size, so their share of the error falls as 1/L)."""
    m1 = mesh_limit_1mm()
    if m1 is None or not (np.isclose(L, 1.0).any() and np.isclose(L, 2.0).any()):
        print("\n(the 1 mm 27-node sequence is not run: --mesh-check)")
        return None
    ext1, p1, F1, dofs1 = m1
    i1, i2 = int(np.flatnonzero(np.isclose(L, 1.0))[0]), int(np.flatnonzero(np.isclose(L, 2.0))[0])
    print("\nmesh error at 1 mm: 27-node " + " / ".join(f"{nx} x {ny}" for nx, ny in MESH_CHECK)
          + " (" + " / ".join(str(d) for d in dofs1) + " DOFs):")
    for (nx, ny), f in zip(MESH_CHECK, F1):
        print(f"{'  ' + f'{nx} x {ny}':42s}" + "".join(f"{x:13.6g}" for x in f))
    print(f"{'  Richardson limit':42s}" + "".join(f"{x:13.6g}" for x in ext1))
    print(f"{'  observed order p':42s}" + "".join(f"{x:13.2f}" for x in p1))
    e1, e2 = V[i1] / ext1 - 1.0, V[i2] / ext2 - 1.0
    print(f"{'  20-node 4 x 40 (1 mm) against it':42s}" + " ".join(f"{100 * x:+7.2f}%" for x in e1))
    print(f"{'  20-node 8 x 80 (2 mm) against its own':42s}" + " ".join(f"{100 * x:+7.2f}%" for x in e2))
    lim = np.array([ext1, ext2])
    lim[:, 2] /= np.array([1.0, 4.0])
    print("converged 1 -> 2 mm (lift as lift/L^2): " + " ".join(f"{x:.6g}" for x in lim[0]) + " -> "
          + " ".join(f"{x:.6g}" for x in lim[1]))
    # e(L) = e_inf + c / L through (1, e1), (2, e2)
    c = 2.0 * (e1 - e2)
    e_inf = e1 - c
    W = np.array([Vn[k] / (1.0 + e_inf + c / L[k]) for k in range(len(L))])
    W[i1], W[i2] = lim[0], lim[1]
    hv, mv = H["homogenized"][-1], H["mixtures"][-1]
    print("resolved corrected by the size-dependent mesh error (1, 2 mm: the Richardson limits):")
    for k in range(len(L)):
        print(f"{f'  {L[k]:g} mm':26s}" + "".join(f"{x:13.6g}" for x in W[k]))
    fi = [fit_inverse(L, W[:, j]) for j in range(5)]
    fp = [fit_power(L, W[:, j]) for j in range(5)]
    two = [(2.0 * lim[1, j] - lim[0, j], 2.0 * (lim[0, j] - lim[1, j])) for j in range(5)]
    print(f"{'C/L, all: f_inf':26s}" + "".join(f"{a[0]:13.6g}" for a in fi))
    print(f"{'  rms residual':26s}" + "".join(f"{a[2]:13.3g}" for a in fi))
    print(f"{'C/L, 1 and 2 mm limits':26s}" + "".join(f"{a[0]:13.6g}" for a in two))
    print(f"{'power: f_inf':26s}" + "".join(f"{a[0]:13.6g}" for a in fp))
    print(f"{'  q':26s}" + "".join(f"{a[2]:13.3g}" for a in fp))
    res = {}
    for tag, Lx in (("12 mm", 12.0), ("L -> inf", np.inf)):
        for kind, fits, pw in (("C/L, all", fi, False), ("C/L, limits", [(a, b, 1.0) for a, b in two], False),
                               ("power", fp, True)):
            f = np.array([at(a, Lx, pw) for a in fits])
            lk = (f[0] + f[1]) / 8.0
            print(f"{tag + ', ' + kind:26s}" + "".join(f"{x:13.6g}" for x in f) + f"  lift(k) {lk:.6g}\n"
                  + f"{'':26s}" + " ".join(f"{pct(a, b):+7.2f}%" for a, b in zip(hv, f))
                  + f"  lift(k) {pct(hv[2], lk):+7.2f}% | " + " ".join(f"{pct(a, b):+7.2f}%" for a, b in zip(mv, f)))
            res[(tag, kind)] = f
    return res


def analyse(points: list[dict], hom: dict) -> dict:
    ext2, p2, h27 = mesh_error()
    P = sorted(points, key=lambda r: r["L_mm"])
    L = np.array([r["L_mm"] for r in P])
    V = np.array([r["values"] for r in P])
    names = ["kappa_x", "kappa_y", "lift/L^2", "dL_x", "dL_y"]
    Vn = V.copy()
    Vn[:, 2] = V[:, 2] / L**2  # um/mm^2: the lift's size-free part
    H = {m: np.array([hom[f"{x:g}"][m]["values"] for x in L]) for m in ("homogenized", "mixtures")}
    for m in H:
        H[m][:, 2] /= L**2
    print("\nresolved (20-node, 4 x 40 elements per mm, cg_plate) against the homogenized panel at the same size")
    print(f"{'L mm':>5s} {'DOFs':>8s} {'s':>6s} {'MB':>6s} {'model':12s}" + "".join(f"{c:>13s}" for c in COLS)
          + "   error against the resolved")
    for k, r in enumerate(P):
        print(f"{L[k]:5g} {r['dofs']:8d} {r['seconds']:6.0f} {r['peak_rss_MB']:6.0f} {'resolved':12s}"
              + "".join(f"{x:13.6g}" for x in V[k]))
        for m in H:
            hv = H[m][k].copy()
            hv[2] *= L[k] ** 2
            print(f"{'':28s}{m:12s}" + "".join(f"{x:13.6g}" for x in hv) + "   "
                  + " ".join(f"{pct(a, b):+7.2f}%" for a, b in zip(hv, V[k])))
        if r.get("classes_note"):
            print(f"{'':28s}({r['classes_note']})")
    # the mesh error at this element size, from the 2 mm panel
    norm = np.ones(5)
    i2 = np.flatnonzero(np.isclose(L, 2.0))
    print("\nmesh error at this element size (2 mm): 27-node 4 x 40 / 8 x 80 / 16 x 160 Richardson limit "
          + " ".join(f"{x:.6g}" for x in ext2) + " (orders " + " ".join(f"{x:.2f}" for x in p2)
          + "; dL_x: no asymptotic range, its 16 x 160 value)")
    print(f"{'  27-node 8 x 80 against the limit':42s}" + " ".join(f"{pct(a, b):+7.2f}%" for a, b in zip(h27, ext2)))
    if i2.size:
        e = V[i2[0]] / ext2 - 1.0
        print(f"{'  20-node 8 x 80 (this study) against it':42s}" + " ".join(f"{100 * x:+7.2f}%" for x in e))
        norm = 1.0 + e
    out = {}
    for label, W in (("as run", Vn), ("mesh-corrected", Vn / norm)):
        use = L >= FIT_FROM_MM
        fi = [fit_inverse(L[use], W[use, j]) for j in range(5)]
        fi_all = [fit_inverse(L, W[:, j]) for j in range(5)]
        fp = [fit_power(L[use], W[use, j]) for j in range(5)]
        print(f"\nsize fits, resolved values {label} (lift as lift/L^2, um/mm^2); C/L: least squares over "
              f"L >= {FIT_FROM_MM:g} mm; power: through the three largest")
        print(f"{'':26s}" + "".join(f"{n:>13s}" for n in names))
        print(f"{'C/L: f_inf':26s}" + "".join(f"{a[0]:13.6g}" for a in fi))
        print(f"{'  C':26s}" + "".join(f"{a[1]:13.6g}" for a in fi))
        print(f"{'  rms residual':26s}" + "".join(f"{a[2]:13.3g}" for a in fi))
        print(f"{'C/L with 1 mm: f_inf':26s}" + "".join(f"{a[0]:13.6g}" for a in fi_all))
        print(f"{'  rms residual':26s}" + "".join(f"{a[2]:13.3g}" for a in fi_all))
        print(f"{'power: f_inf':26s}" + "".join(f"{a[0]:13.6g}" for a in fp))
        print(f"{'  q':26s}" + "".join(f"{a[2]:13.3g}" for a in fp))
        hv, mv = H["homogenized"][-1], H["mixtures"][-1]  # a uniform plate: kappa and lift/L^2 size-free
        print(f"extrapolated resolved ({label}) and the errors against it: homogenized | rule of mixtures; "
              "lift (k): from the extrapolated curvatures, (kappa_x + kappa_y)/8")
        for tag, Lx in (("12 mm", 12.0), ("L -> inf", np.inf)):
            for kind, fits, pw in (("C/L", fi, False), ("power", fp, True)):
                f = np.array([at(a, Lx, pw) for a in fits])
                lk = (f[0] + f[1]) / 8.0
                print(f"{tag + ', ' + kind:26s}" + "".join(f"{x:13.6g}" for x in f) + f"  lift(k) {lk:.6g}\n"
                      + f"{'':26s}" + " ".join(f"{pct(a, b):+7.2f}%" for a, b in zip(hv, f))
                      + f"  lift(k) {pct(hv[2], lk):+7.2f}% | "
                      + " ".join(f"{pct(a, b):+7.2f}%" for a, b in zip(mv, f)))
                out[(label, tag, kind)] = f
        print(f"at the largest run ({L[-1]:g} mm), homogenized against resolved ({label}):"
              + " ".join(f"{pct(a, b):+7.2f}%" for a, b in zip(hv, W[-1])))
    out["converged"] = converged_size_fits(L, V, Vn, H, ext2)
    print("\ncorner lift on the resolved panel (um; corners (-,-) (+,-) (+,+) (-,+)): as reported (bottom of the "
          "lowest whole layer, corner minus centre), at mid-height of the polymer film (the homogenized plate's "
          "reference surface), above the central fit's tangent plane (as the homogenized plate reads it); and "
          "(kappa_x + kappa_y) L^2 / 8 from the panel's own central-fit curvatures (a uniform curvature's lift: "
          "the homogenized plate's)")
    for k, r in enumerate(P):
        if not r.get("lift"):
            continue
        lf = r["lift"]
        uni = (V[k, 0] + V[k, 1]) * (L[k] * 1e-3) ** 2 / 8 * 1e6
        rep = max(lf["reported_um"], key=abs)
        mid = max(lf["mid_polymer_um"], key=abs)
        print(f"{L[k]:5g} mm  reported " + " ".join(f"{x:.6g}" for x in lf["reported_um"])
              + "; mid-polymer " + " ".join(f"{x:.6g}" for x in lf["mid_polymer_um"])
              + "; above tangent " + " ".join(f"{x:.6g}" for x in lf["above_fit_tangent_um"])
              + f"\n          uniform-curvature lift {uni:.6g}: reported {pct(rep, uni):+.3f}%, "
              f"mid-polymer {pct(mid, uni):+.3f}%; reported - mid-polymer {rep - mid:+.5f} um")
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=float, nargs="+", default=[1, 2, 4, 6], help="panel sizes, mm")
    ap.add_argument("--reuse", action="store_true", help="take the kept runs instead of running them again")
    ap.add_argument("--extra", nargs="*", default=[], help="summary.json[@L_mm] of further resolved runs of the case")
    ap.add_argument("--child", type=float, help=argparse.SUPPRESS)
    ap.add_argument("--mesh-check", action="store_true", help="run the 1 mm 27-node mesh sequence (kept) and stop")
    args = ap.parse_args()
    if args.mesh_check:
        mesh_check_1mm()
        return
    if args.child is not None:
        keep(f"{args.child:g}", run_one(args.child))
        return
    tee = Tee(sys.stdout)
    sys.stdout = tee
    runs = kept()
    for L_mm in args.sizes:
        if not (args.reuse and f"{L_mm:g}" in runs):
            t = time.perf_counter()
            subprocess.run([sys.executable, __file__, "--child", f"{L_mm:g}"], check=True)
            print(f"  ran {L_mm:g} mm in {time.perf_counter() - t:.0f} s", flush=True)
    runs = kept()
    points = [runs[f"{L_mm:g}"] for L_mm in args.sizes] + [from_summary(p) for p in args.extra]
    hom = {f"{r['L_mm']:g}": homogenized(r["L_mm"]) for r in points}
    for r in points:
        h = hom[f"{r['L_mm']:g}"]["homogenized"]
        r["classes_note"] = f"homogenized: {h['classes']} class(es) on {h['tiles'][0]} x {h['tiles'][1]} tiles"
    analyse(points, hom)
    sys.stdout = tee.stream
    record("".join(tee.lines), "study_homogenization_size.txt")


if __name__ == "__main__":
    main()
