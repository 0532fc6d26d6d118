"""Curl (corner lift of a 100 mm x 100 mm sample on a table) of the single-sided base against the
share of the thermoplastic PI IV in a 30 um polyimide coat (PI I below, PI IV on top, Cu 35 um),
bonded stress-free at 350 C (PI IV at its Tg, 300 C) and cooled to 25 C. Writes
docs/curl_vs_thickness_ratio.png and prints the table.

Run: PYTHONPATH=. python benchmarks/curl_thickness_ratio.py [n_inplane]   (default 8)
"""
import sys
from pathlib import Path

import numpy as np

from fem_laminate import analytic_curl as ac
from fem_laminate import curl as C
from fem_laminate.materials import load_library

OUT = Path(__file__).resolve().parents[1] / "docs" / "curl_vs_thickness_ratio.png"


def main(n_inplane=8):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    lib = load_library()
    cu, pa, pb = lib["copper_ed"], lib["pi_I"], lib["pi_IV"]
    fractions = np.array([0.0, 0.1, 0.2, 0.3, 0.4, 0.6])
    # linear curvature on a fine grid, to locate the flat composition
    ff = np.linspace(0, 0.6, 121)
    k_lin = []
    for fb in ff:
        layers = [(cu, 35e-6)] + ([(pa, 30e-6 * (1 - fb))] if fb < 1 else []) + ([(pb, 30e-6 * fb)] if fb > 0 else [])
        k_lin.append(ac.linear_curvature(C.plate_layers(layers, C.cure_eigenstrains(layers, 350, 25), 25.0))[0])
    k_lin = np.array(k_lin)
    flat = ff[np.flatnonzero(np.diff(np.sign(k_lin)))]
    print("linear curvature changes sign (flat base) at PI IV fraction:", flat)
    rows = C.thickness_ratio_study(cu, pa, pb, 35.0, 30.0, fractions, n_inplane=n_inplane,
                                   progress=lambda r: print(r, flush=True))
    fig, ax = plt.subplots(1, 2, figsize=(10, 4))
    lift = np.array([r["corner_lift_m"] for r in rows]) * 1e3
    sgn = np.sign([r["k1"] for r in rows])
    ax[0].plot(fractions, sgn * lift, "o-", label="FEM (large deflection), 100 mm square")
    ax[0].axhline(0, color="k", lw=0.5)
    for fb in flat:
        ax[0].axvline(fb, color="r", ls="--", lw=0.8, label=f"flat (linear k = 0): {fb:.2f}")
    ax[0].set_xlabel("PI IV share of the 30 um polyimide (t_IV / (t_I + t_IV))")
    ax[0].set_ylabel("corner lift (mm), + = Cu side convex")
    ax[0].legend(fontsize=8)
    ax[1].plot(ff, k_lin, "-", label="linear (Hsueh)")
    ax[1].plot(fractions, [r["k1"] for r in rows], "o", label="FEM major curvature")
    ax[1].axhline(0, color="k", lw=0.5)
    ax[1].set_xlabel("PI IV share")
    ax[1].set_ylabel("curvature (1/m), + = top concave")
    ax[1].legend(fontsize=8)
    fig.suptitle("Single-sided base Cu 35 um / PI I / PI IV, cured 350 C, cooled to 25 C")
    fig.tight_layout()
    OUT.parent.mkdir(exist_ok=True)
    fig.savefig(OUT, dpi=120)
    print("wrote", OUT)
    print(f"{'PI IV share':>11s} {'t_I um':>7s} {'t_IV um':>7s} {'k_lin 1/m':>9s} {'lift mm':>8s} {'k1':>8s} {'k2':>8s} shape")
    for r in rows:
        print(f"{r['fraction_b']:11.2f} {r['thickness_a_um']:7.1f} {r['thickness_b_um']:7.1f} "
              f"{r['linear_curvature_1_per_m']:9.4f} {r['corner_lift_m'] * 1e3:8.3f} {r['k1']:8.4f} "
              f"{r['k2']:8.4f} {r['shape']}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 8)
