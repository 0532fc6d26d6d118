"""
Healing margin of the patent rows
=================================

How far each patent row's bond line is past full healing, and how Comparative 6 would respond to a longer t_r.

For every bundled row: the surface resin, its reptation time at the peak interface temperature (Doi-Edwards lower
bound, physics/correlations/bonding.py), the dwell, the time the controlling surface spends above Tg in the nip
history and after it (Newton cooling in air, `air_cooling_tail` in physics/models/nip.py), the reduced time
Int dt/t_r (uncapped: the factor by which t_r could be longer before D_h drops below 1) and D_h. Then, for
Comparative 6 only, D_h and the healing toughness factor D_h^2 if t_r were longer than the lower bound by 1 ... 1e4
(a sensitivity to an unknown parameter, not a fit: the row's measured result is held back and nothing here is
compared with it). Last, the sampling check of the air-cooling tail (192 vs 1920 points).

About 5 s. Writes healing_margin.json into the folder given as the first argument (default: a new temporary
folder); the copy the docs quote is docs/results/healing_margin.json.

    PYTHONPATH=. python docs/examples/healing_margin.py [OUT_DIR]
"""
import dataclasses
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from fem_laminate.case import load_case
from fem_laminate.physics.correlations import bonding as bd
from fem_laminate.physics.models import nip as nip_mod
from fem_laminate.process import bond as B

ROOT = Path(__file__).resolve().parents[2]
NAMES = [f"example_{i}" for i in range(1, 6)] + [f"comparative_{i}" for i in range(1, 7)]
MULTIPLIERS = [1.0, 10.0, 100.0, 1e3, 1e4]


# %%
# One row: the nip (analytic), the bond history in and after the nip, the healing
# --------------------------------------------------------------------------------
def row(name):
    case = load_case(ROOT / "cases" / f"{name}.toml")
    setup = B.bond_setup(case)
    st = setup.step
    spec = B.nip_spec_for(case.full_stack(), st, st.temperature_C, st.speed_m_per_min, st.load_kgf)
    nip = nip_mod.solve_nip(spec, method="analytic")
    in_nip = B.predict_bond(nip.t_s, nip.interface_temperature_C, nip.interface_pressure_Pa, setup)
    *hist, after = B.bond_history(nip.t_s, nip.interface_temperature_C, nip.interface_pressure_Pa, spec, setup)
    full = B.predict_bond(*hist, setup)
    return case, setup, spec, nip, hist, {
        "row": name, "surface": setup.surface.name, "Tg_C": setup.surface.Tg_C, "interface": setup.interface,
        "roll_C": st.temperature_C, "speed_m_per_min": st.speed_m_per_min, "dwell_s": nip.dwell_s,
        "reptation_time_at_peak_s": full["reptation_time_at_peak_s"],
        "air_cooling_time_constant_s": nip_mod.air_cooling_time_constant_s(spec),
        "time_above_Tg_nip_s": in_nip["time_above_Tg_s"], "time_above_Tg_after_nip_s": after,
        "reduced_time_nip": in_nip["healing_reduced_time"], "reduced_time_total": full["healing_reduced_time"],
        "D_h": full["degree_healing"], "D_ic": full["degree_intimate_contact"]}


def main(out_dir=None):
    out_dir = Path(out_dir or tempfile.mkdtemp(prefix="healing_margin_"))
    out_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    rows, comp6 = [], None
    print(f"{'row':15s} {'resin':6s} {'Tg':>4s} {'itf':5s} {'dwell s':>7s} {'t_r(peak) s':>11s} {'>Tg nip s':>9s} "
          f"{'>Tg after s':>11s} {'red. nip':>9s} {'red. total':>10s} {'D_h':>5s}")
    for name in NAMES:
        case, setup, spec, nip, hist, r = row(name)
        rows.append(r)
        if name == "comparative_6":
            comp6 = (setup, spec, nip, hist)
        tg = "none" if r["Tg_C"] is None else f"{r['Tg_C']:.0f}"
        print(f"{name:15s} {r['surface']:6s} {tg:>4s} {r['interface']:5s} {r['dwell_s']:7.3f} "
              f"{r['reptation_time_at_peak_s']:11.3g} {r['time_above_Tg_nip_s']:9.3f} "
              f"{r['time_above_Tg_after_nip_s']:11.2f} {r['reduced_time_nip']:9.3g} {r['reduced_time_total']:10.3g} "
              f"{r['D_h']:5.3f}")

    setup, spec, nip, hist = comp6
    params = bd.load_bonding_params(setup.surface.name, setup.surface.Tg_C)
    sens = []
    print("\nComparative 6 (PI-PI), if t_r were F x the Doi-Edwards lower bound (sensitivity, not a fit):")
    for F in MULTIPLIERS:
        p = dataclasses.replace(params, reptation_time_ref_s=F * params.reptation_time_ref_s)
        r = bd.bond_quality(*hist, setup.surface, p, "PI-PI", setup.counter_surface)
        sens.append({"t_r_multiplier": F, "reptation_time_at_peak_s": r.min_reptation_time_s,
                     "D_h": r.degree_healing, "toughness_factor_D_h2": r.degree_healing ** 2})
        print(f"  F = {F:8.0f}: t_r(peak) = {r.min_reptation_time_s:9.3g} s, D_h = {r.degree_healing:.3f}, "
              f"D_h^2 = {r.degree_healing ** 2:.3f}")

    # sampling of the tail: 96 (default) vs 960 log-spaced points
    t_t, T_t = nip_mod.air_cooling_tail(spec, float(nip.interface_temperature_C[-1]), params.Tg_C)
    t_f, T_f = nip_mod.air_cooling_tail(spec, float(nip.interface_temperature_C[-1]), params.Tg_C, n=1920)
    red96 = bd.healing_reduced_time(t_t, T_t, params)[-1]
    red960 = bd.healing_reduced_time(t_f, T_f, params)[-1]
    print(f"\nafter-nip reduced time, Comparative 6: {red96:.6g} (192 points) vs {red960:.6g} (1920 points), "
          f"rel. diff {abs(red96 / red960 - 1):.1e}")
    dt = time.perf_counter() - t0
    print(f"{len(rows)} rows in {dt:.1f} s")
    out = {"rows": rows, "comparative_6_sensitivity": sens,
           "tail_sampling": {"n192": red96, "n1920": red960, "rel_diff": abs(red96 / red960 - 1)}, "seconds": dt}
    path = out_dir / "healing_margin.json"
    path.write_text(json.dumps(out, indent=1, default=lambda o: None if not np.isfinite(o) else float(o)))
    print(f"wrote {path}")
    return out


# %%
# Run
# ---
# The rows, the Comparative 6 sensitivity and the tail sampling check, printed and written as JSON.
if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
