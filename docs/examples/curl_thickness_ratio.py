"""
Curl against the thermoplastic share of the polyimide
=====================================================

Curl (corner lift of a 100 mm x 100 mm sample on a table) of the single-sided base against the share of the
thermoplastic PI IV in a 30 um polyimide coat (PI I below, PI IV on top, Cu 35 um), bonded stress-free at 350 C
(PI IV at its Tg, 300 C) and cooled to 25 C. Writes curl_thickness_ratio.json and curl_vs_thickness_ratio.png into
the output folder (default: a new temporary folder) and prints the table. The recorded run the docs quote (n = 6)
is docs/results/curl_thickness_ratio.{json,txt}, its figure docs/curl_vs_thickness_ratio.png.

Run: PYTHONPATH=. python docs/examples/curl_thickness_ratio.py [n_inplane] [--out DIR]   (default 8, ~6 min)
     PYTHONPATH=. python docs/examples/curl_thickness_ratio.py --plot-only [--out DIR]  (re-plot the recorded JSON)
With FEM_LAMINATE_EXAMPLE_FAST=1: two shares on a coarse mesh (n = 4), the docs test's reduced run.
Two FEM series: the free sample (weightless) and the sample lying on a table under its own weight, as
it is measured. The uniform-curvature Ritz curve is drawn beside the free FEM; with the MITC9-tied
element the FEM is mesh-converged at n = 6-8 (benchmarks/bench_curl.py).
"""
import json
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

from fem_laminate.analytic import curl as ac
from fem_laminate.physics.models import curl as C
from fem_laminate.studies import curl_study as S
from fem_laminate.model.materials import load_library

ROOT = Path(__file__).resolve().parents[2]
RECORDED = ROOT / "docs" / "results" / "curl_thickness_ratio.json"
FAST = bool(os.environ.get("FEM_LAMINATE_EXAMPLE_FAST"))
FRACTIONS = [0.0, 0.3] if FAST else [0.0, 0.1, 0.2, 0.3, 0.4, 0.5]
L = 0.1


# %%
# The stack and the uniform-curvature Ritz reference
# --------------------------------------------------
def stack(fb):
    lib = load_library()
    cu, pa, pb = lib["copper_ed"], lib["pi_I"], lib["pi_IV"]
    return [(cu, 35e-6)] + ([(pa, 30e-6 * (1 - fb))] if fb < 1 else []) + ([(pb, 30e-6 * fb)] if fb > 0 else [])


def ritz_lift(fb):
    """Lift of the uniform-curvature Ritz shape: the circle of the major curvature over L/2."""
    layers = stack(fb)
    pl = C.plate_layers(layers, S.cure_eigenstrains(layers, 350.0, 25.0), 25.0)
    k0 = ac.linear_curvature(pl)[0]
    a, _ = ac.ritz_curvatures(k0, ac.equivalent_plate(pl), "rectangle", L)
    return np.sign(a) * (1 - np.cos(abs(a) * L / 2)) / abs(a) if a != 0 else 0.0, k0, a


# %%
# The figure: corner lift and curvatures against the PI IV share
# --------------------------------------------------------------
def plot(rows, out_dir):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ff = np.linspace(0, 0.6, 121)
    rz = np.array([ritz_lift(fb) for fb in ff])
    flat = ff[np.flatnonzero(np.diff(np.sign(rz[:, 1])))]
    fr = np.array([r["fraction_b"] for r in rows])
    lift = np.array([r["corner_lift_m"] for r in rows]) * 1e3 * np.sign([r["k1"] for r in rows])
    fig, ax = plt.subplots(1, 2, figsize=(11, 4.2))
    ax[0].plot(fr, lift, "o", label=f"FEM, free sample (n = {rows[0].get('n_inplane', '?')})")
    if "corner_lift_weight_m" in rows[0]:
        lw = np.array([r["corner_lift_weight_m"] for r in rows]) * 1e3 * np.sign([r["k1"] for r in rows])
        ax[0].plot(fr, lw, "s", mfc="none", label="FEM, on a table under its weight")
    ax[0].plot(ff, rz[:, 0] * 1e3, "-", lw=1, label="uniform-curvature Ritz, free sample")
    ax[0].axhline(0, color="k", lw=0.5)
    for fb in flat:
        ax[0].axvline(fb, color="r", ls="--", lw=0.8, label=f"flat: PI IV share {fb:.3f}")
    ax[0].set_xlabel("PI IV share of the 30 um polyimide, t_IV / (t_I + t_IV)")
    ax[0].set_ylabel("corner lift (mm); + = Cu side convex")
    ax[0].legend(fontsize=8)
    ax[1].plot(ff, rz[:, 1], "-", label="linear (Hsueh), equi-biaxial")
    ax[1].plot(ff, rz[:, 2], "--", label="Ritz major (cylindrical past bifurcation)")
    ax[1].plot(fr, [r["k1"] for r in rows], "o", label="FEM major (chord and lift)")
    ax[1].axhline(0, color="k", lw=0.5)
    ax[1].set_xlabel("PI IV share")
    ax[1].set_ylabel("curvature (1/m); + = polyimide side concave")
    ax[1].legend(fontsize=8)
    fig.suptitle("Single-sided base Cu 35 um / PI I / PI IV (30 um), cured 350 C, cooled to 25 C, "
                 "100 mm x 100 mm sample")
    fig.tight_layout()
    png = Path(out_dir) / "curl_vs_thickness_ratio.png"
    fig.savefig(png, dpi=120)
    plt.close(fig)
    print("flat (linear curvature = 0) at PI IV share", flat, "; wrote", png)


# %%
# The FEM series: free, and on the table under its weight
# -------------------------------------------------------
def main(n_inplane=8, out_dir=None):
    out_dir = Path(out_dir or tempfile.mkdtemp(prefix="curl_thickness_ratio_"))
    out_dir.mkdir(parents=True, exist_ok=True)
    lib = load_library()
    fractions = FRACTIONS
    rows = S.thickness_ratio_study(lib["copper_ed"], lib["pi_I"], lib["pi_IV"], 35.0, 30.0, fractions,
                                   n_inplane=n_inplane, progress=lambda r: print(r, flush=True))
    heavy = S.thickness_ratio_study(lib["copper_ed"], lib["pi_I"], lib["pi_IV"], 35.0, 30.0, fractions,
                                    n_inplane=n_inplane, gravity=True, progress=lambda r: print(r, flush=True))
    for r, g in zip(rows, heavy):
        r.update(corner_lift_weight_m=g["corner_lift_m"], shape_weight=g["shape"], converged_weight=g["converged"],
                 seconds_weight=g["seconds"])
    rows = [{k: (float(v) if isinstance(v, (np.floating, float)) else v) for k, v in r.items()} | {"n_inplane": n_inplane}
            for r in rows]
    (out_dir / "curl_thickness_ratio.json").write_text(json.dumps(rows, indent=1))
    plot(rows, out_dir)
    print(f"{'PI IV share':>11s} {'t_I um':>7s} {'t_IV um':>7s} {'k_lin 1/m':>9s} {'lift mm':>8s} {'k1':>8s} "
          f"{'k2':>8s} {'Ritz lift mm':>12s} shape        {'lift on table, weight mm':>24s} shape")
    for r in rows:
        print(f"{r['fraction_b']:11.2f} {r['thickness_a_um']:7.1f} {r['thickness_b_um']:7.1f} "
              f"{r['linear_curvature_1_per_m']:9.4f} {r['corner_lift_m'] * 1e3:8.3f} {r['k1']:8.4f} "
              f"{r['k2']:8.4f} {abs(ritz_lift(r['fraction_b'])[0]) * 1e3:12.3f} {r['shape']:12s} "
              f"{r['corner_lift_weight_m'] * 1e3:24.3f} {r['shape_weight']}")


    return rows


if __name__ == "__main__":
    args = sys.argv[1:]
    out = args[args.index("--out") + 1] if "--out" in args else tempfile.mkdtemp(prefix="curl_thickness_ratio_")
    Path(out).mkdir(parents=True, exist_ok=True)
    numbers = [a for a in args if a.isdigit()]
    if "--plot-only" in args:
        plot(json.loads(RECORDED.read_text()), out)
    else:
        main(int(numbers[0]) if numbers else (4 if FAST else 8), out)
