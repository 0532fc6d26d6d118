"""The closed form with the cohesive-zone root (analytic/peel.py, root="cohesive": since 2026-11-30 the
elastic-plastic zone beam of analytic/peel_zone.py and the energy balance; before, the elastic zone beam, now
root="cohesive_elastic") against the FEM peels recorded in benchmarks/results/bench_peel.json (not rerun here),
beside the old Winkler root; and the evidence for the elastic zone beam's two open points (where M0 acts, and the
zone's force balance). Writes benchmarks/results/peel_cohesive_root.json (and .txt: the printed table).

History: why the FEM's plastic peel sat below the closed form: the root rotation of a beam on a cohesive zone.

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
comparison is of the root models only (`tip_on_cohesive_zone`, kept as the evidence that M0 does not act at the
tip: the zone's tractions then sum to 0.82-0.88 of P sin theta, violating equilibrium).
Usage: python benchmarks/peel_cohesive_root.py  (prints a table, writes benchmarks/results/peel_cohesive_root.json)
"""
import json
import math
import time
from pathlib import Path

import numpy as np
from scipy.optimize import brentq

from fem_laminate.analytic import peel as ap

RES = Path(__file__).resolve().parent / "results"
ARM = dict(E_Pa=10e9, nu=0.34, thickness_m=20e-6, hardening_Pa=100e6)  # the scaled arm of bench_peel.py
K_WINKLER = 3e9 / (1 - 0.34 ** 2) / 30e-6  # 30 um PI, E 3 GPa
PENALTY = 50.0  # physics/models/peel.py penalty_factor: K0 = 50 k


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


def arm_of(r):
    """The scaled arm of a bench row (elastic rows: no yield, no hardening)."""
    sy = r["yield_MPa"] * 1e6 if r["yield_MPa"] else math.inf
    return [ap.ArmLayer(yield_Pa=sy, **{**ARM, "hardening_Pa": ARM["hardening_Pa"] if math.isfinite(sy) else 0.0})]


def closed_forms(r):
    """New (cohesive root, the FEM's law: sigma_c and penalty K0) and old (Winkler root) closed forms of a row."""
    arm = arm_of(r)
    found = [ap.FoundationLayer(3e9, 0.34, 30e-6)]
    law = ap.CohesiveLaw(r["strength_MPa"] * 1e6, PENALTY * K_WINKLER)
    t = time.perf_counter()
    new = ap.steady_peel(200.0, r["angle_deg"], arm, found, cohesive=law)
    dt = time.perf_counter() - t
    rigid_law = ap.steady_peel(200.0, r["angle_deg"], arm, found, cohesive=ap.CohesiveLaw(r["strength_MPa"] * 1e6))
    old = ap.steady_peel(200.0, r["angle_deg"], arm, found, root="winkler")
    return new, old, rigid_law, dt


def main():
    bench = json.loads((RES / "bench_peel.json").read_text())
    out = {}
    print("row | sigma_y | sigma_c | FEM N/m | new closed form (ratio) | old, Winkler root (ratio) | "
          "theta_0 FEM / new / "
          "old | tip slope FEM / new | zone um | plastic share FEM / new | M_peak/M0 | ms")
    for name, r in bench.items():
        if not r.get("steady") or "fem_force_N_per_m" not in r or r.get("elements_per_layer", 1) < 3 and r[
                "yield_MPa"] is not None:
            continue  # the 1-element-per-layer plastic rows do not resolve the arm's yielding (README)
        new, old, rigid_law, dt = closed_forms(r)
        P = r["fem_force_N_per_m"]
        row = {"yield_MPa": r["yield_MPa"], "strength_MPa": r["strength_MPa"], "angle_deg": r["angle_deg"],
               "fem_force_N_per_m": P, "new_N_per_m": new.force_N_per_m, "fem_over_new": P / new.force_N_per_m,
               "old_N_per_m": old.force_N_per_m, "fem_over_old": P / old.force_N_per_m,
               "new_rigid_law_N_per_m": rigid_law.force_N_per_m,
               "fem_root_rotation_deg": r.get("fem_root_rotation_deg"), "new_root_rotation_deg": new.root_rotation_deg,
               "old_root_rotation_deg": old.root_rotation_deg,
               "fem_crack_tip_rotation_deg": r.get("fem_crack_tip_rotation_deg"),
               "new_crack_tip_rotation_deg": new.crack_tip_rotation_deg, "new_zone_um": new.zone_length_m * 1e6,
               "fem_plastic_share": r["fem_plastic_share"], "new_plastic_share": new.plastic_dissipation_fraction,
               "old_plastic_share": old.plastic_dissipation_fraction,
               "new_zone_peak_moment_over_M0": new.zone_peak_moment_N / new.root_moment_N, "new_ms": dt * 1e3}
        if r.get("fem_root_curvature_1_per_m") and r["angle_deg"] < 180.0:
            # the open points, from the FEM's own force and root curvature: (a) the arm's M0 put at the crack tip
            # with w(0) = delta_f (the earlier derivation): the zone's traction sum Q against P sin theta;
            # (b) the closed form's conditions (Q = P sin theta, w(0) = delta_f): the zone's peak moment against M0
            sec = ap.Section(arm_of(r))
            M0 = sec.cycle(r["fem_root_curvature_1_per_m"])[0]
            _, Q_a, _ = tip_on_cohesive_zone(M0, sec.EI, r["strength_MPa"] * 1e6, 200.0)
            zone = ap.CohesiveRoot(sec.EI, K_WINKLER, 200.0, ap.CohesiveLaw(r["strength_MPa"] * 1e6,
                                                                         PENALTY * K_WINKLER))
            Q = P * math.sin(math.radians(r["angle_deg"]))
            row.update(M0_at_tip_traction_sum_over_P=Q_a / Q,
                       equilibrium_zone_peak_moment_over_M0=zone.state(Q)["zone_peak_moment_N"] / M0,
                       equilibrium_theta0_deg=math.degrees(float(zone.rotation(Q))))
        out[name] = row
        f = lambda v: "-" if v is None else f"{v:.1f}"  # noqa: E731
        print(f"{name} | {r['yield_MPa'] or 'elastic'} | {r['strength_MPa']:g} | {P:.1f} | {new.force_N_per_m:.1f} "
              f"({P / new.force_N_per_m:.3f}) | {old.force_N_per_m:.1f} ({P / old.force_N_per_m:.3f}) | "
              f"{f(r.get('fem_root_rotation_deg'))} / {new.root_rotation_deg:.1f} / {old.root_rotation_deg:.1f} | "
              f"{f(r.get('fem_crack_tip_rotation_deg'))} / {new.crack_tip_rotation_deg:.1f} | "
              f"{new.zone_length_m * 1e6:.0f} | {100 * r['fem_plastic_share']:.0f} / "
              f"{100 * new.plastic_dissipation_fraction:.0f} % | {row['new_zone_peak_moment_over_M0']:.3f} | "
              f"{dt * 1e3:.0f}")
        if "M0_at_tip_traction_sum_over_P" in row:
            print(f"    open points: M0 at the tip -> traction sum / P sin theta = "
                  f"{row['M0_at_tip_traction_sum_over_P']:.3f}; Q = P sin theta -> zone peak moment / M0(FEM kappa0) "
                  f"= {row['equilibrium_zone_peak_moment_over_M0']:.3f}, theta_0 = {row['equilibrium_theta0_deg']:.1f}")
    (RES / "peel_cohesive_root.json").write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
