"""Why the FEM's plastic peel sits below the closed form: the root rotation of a beam on a cohesive zone.

The closed form (analytic/peel.py) rotates the root as the end of a semi-infinite elastic beam on a Winkler
foundation (KLW, Hetenyi): the interface is intact up to the crack tip. The FEM has a softening cohesive zone
ahead of the tip. This script puts that zone into the same beam model (derived here) and compares the crack-tip
slope with the FEM's (benchmarks/results/bench_peel.json, plastic rows):

    x >= 0 ahead of the tip, w the arm's opening deflection, EI w'''' = -sigma(w);
    zone 0 <= x <= c: linear softening (bilinear law, penalty K0) in series with the Winkler spring k:
        sigma = s' (delta_f - w),  s = sigma_c / (delta_f - sigma_c/K0),  s' = s / (1 - s/k),
        w = delta_f + A cosh(bx) + B sinh(bx) + C cos(bx) + D sin(bx),  b^4 = s'/EI;
    x >= c: elastic, w = exp(-l(x-c)) (E cos l(x-c) + F sin l(x-c)),  l^4 = k_eff/(4EI),  E = sigma_c/k_eff;
    w, w', w'', w''' continuous at c; at the tip EI w''(0) = M_0 (the arm's root moment, KLW's end moment)
    and sigma(0) = 0, i.e. w(0) = delta_f (the zone fully developed at a growing crack): c from that condition;
    the tip slope -w'(0) and the tip shear EI w'''(0) follow.
M_0 is taken from the FEM's measured root curvature through the closed form's section (Section.cycle), so the
comparison is of the root models only. Usage: python benchmarks/peel_cohesive_root.py  (prints a table, writes
benchmarks/results/peel_cohesive_root.json)
"""
import json
import math
from pathlib import Path

import numpy as np
from scipy.optimize import brentq

from fem_laminate.analytic import peel as ap

RES = Path(__file__).resolve().parent / "results"
ARM = dict(E_Pa=10e9, nu=0.34, thickness_m=20e-6, hardening_Pa=100e6)  # the scaled arm of bench_peel.py
K_WINKLER = 3e9 / (1 - 0.34 ** 2) / 30e-6  # 30 um PI, E 3 GPa
PENALTY = 50.0  # physics/peel.py penalty_factor: K0 = 50 k


def _zone(c, M0, EI, sigma_c, G):
    k, K0 = K_WINKLER, PENALTY * K_WINKLER
    df, keff = 2 * G / sigma_c, 1 / (1 / K_WINKLER + 1 / (PENALTY * K_WINKLER))
    lam = (keff / (4 * EI)) ** 0.25
    s = sigma_c / (df - sigma_c / K0)
    b = (s / (1 - s / k) / EI) ** 0.25
    E = sigma_c / keff
    ch, sh, co, si = math.cosh(b * c), math.sinh(b * c), math.cos(b * c), math.sin(b * c)
    rows = [[ch, sh, co, si, 0], [b * sh, b * ch, -b * si, b * co, -lam],
            [b * b * ch, b * b * sh, -b * b * co, -b * b * si, 2 * lam ** 2],
            [b ** 3 * sh, b ** 3 * ch, b ** 3 * si, -b ** 3 * co, -2 * lam ** 3], [b * b, 0, -b * b, 0, 0]]
    A, B, C, D, _ = np.linalg.solve(np.array(rows), np.array([E - df, -lam * E, 0, 2 * lam ** 3 * E, M0 / EI]))
    return A + C, EI * b ** 3 * (B - D), math.degrees(-b * (B + D)), b


def tip_on_cohesive_zone(M0, EI, sigma_c, G):
    """(zone length m, tip shear N/m, tip slope deg) of the beam on the softening zone + Winkler foundation."""
    b = _zone(1e-9, M0, EI, sigma_c, G)[3]
    cs = np.linspace(1e-9, 0.99 * math.pi / b, 400)
    g = np.array([_zone(c, M0, EI, sigma_c, G)[0] for c in cs])
    j = np.flatnonzero(np.diff(np.sign(g)))[0]
    c = brentq(lambda c: _zone(c, M0, EI, sigma_c, G)[0], cs[j], cs[j + 1], xtol=1e-12)
    _, Q, slope, _ = _zone(c, M0, EI, sigma_c, G)
    return c, Q, slope


def main():
    bench = json.loads((RES / "bench_peel.json").read_text())
    out = {}
    print("row | sigma_y | sigma_c | FEM tip slope | cohesive beam tip slope | Winkler (closed form) | "
          "zone estimate of physics/peel / beam (um)")
    for name, r in sorted(bench.items()):
        if not name.startswith("plastic") or "fem_crack_tip_rotation_deg" not in r or not r["steady"]:
            continue
        sec = ap.Section([ap.ArmLayer(yield_Pa=r["yield_MPa"] * 1e6, **ARM)])
        M0 = sec.cycle(r["fem_root_curvature_1_per_m"])[0]
        c, Q, slope = tip_on_cohesive_zone(M0, sec.EI, r["strength_MPa"] * 1e6, 200.0)
        out[name] = {"yield_MPa": r["yield_MPa"], "strength_MPa": r["strength_MPa"], "root_moment_N": M0,
                     "fem_crack_tip_rotation_deg": r["fem_crack_tip_rotation_deg"],
                     "cohesive_beam_tip_rotation_deg": slope, "cohesive_beam_zone_um": c * 1e6,
                     "cohesive_beam_tip_shear_N_per_m": Q, "fem_force_N_per_m": r["fem_force_N_per_m"],
                     "closed_form_winkler_rotation_deg": r["cf_root_rotation_deg"],
                     "process_zone_estimate_um": r["process_zone_um"]}
        print(f"{name} | {r['yield_MPa']:g} | {r['strength_MPa']:g} | {r['fem_crack_tip_rotation_deg']:.1f} | "
              f"{slope:.1f} | {r['cf_root_rotation_deg']:.1f} | {r['process_zone_um']:.0f} / {c*1e6:.0f}")
    (RES / "peel_cohesive_root.json").write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
