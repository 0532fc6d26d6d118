"""Bonding model speed: one nip history, the 11 patent rows' bond predictions, and a process-window map.

Run: PYTHONPATH=. python benchmarks/bench_bonding.py   (prints points, seconds, peak memory)
The peel values printed for held-back rows are blind predictions, not compared with anything here.
"""
import resource
import time

import numpy as np

from fem_laminate import window as wn
from fem_laminate.case import load_case_dict
from fem_laminate.physics import bonding as bd

CURE = {"kind": "cure", "segments": [{"action": "hold", "temperature_C": 350.0, "minutes": 30.0}]}
CU = {"material": "copper_ed", "thickness_um": 35}
# EP0496334A1 Table 1 bonding conditions and the one-side bases of the examples (public process data).
ROWS = [
    ("Example 1", [CU, ("pi_I", 24), ("pi_IV", 6)], 100, 300, 400, 1500, 0.2, False),
    ("Example 2", [CU, ("pi_I", 24), ("pi_IV", 6)], 250, 500, 400, 3500, 0.3, False),
    ("Example 3", [CU, ("pi_I", 24), ("pi_IV", 6)], 350, 800, 400, 30800, 0.5, False),
    ("Example 4", [CU, ("pi_I", 21), ("pi_II", 9)], 100, 300, 400, 1500, 0.2, False),
    ("Example 5", [CU, ("pi_V", 18), ("pi_II", 12)], 100, 300, 400, 1500, 0.2, False),
    ("Comparative 1", [CU, ("pi_I", 24), ("pi_IV", 6)], 100, 300, 280, 1500, 0.2, False),
    ("Comparative 2", [CU, ("pi_I", 30)], 100, 300, 500, 1500, 0.2, False),
    ("Comparative 3", [CU, ("pi_II", 30)], 100, 300, 400, 1500, 0.2, False),
    ("Comparative 4", [CU, ("pi_III", 30)], 100, 300, 400, 1500, 0.2, False),
    ("Comparative 5", [CU, ("pi_IV", 30)], 100, 300, 400, 1500, 0.2, False),
    ("Comparative 6", [CU, ("pi_VI", 24), ("pi_VII", 6)], 100, 300, 400, 1500, 0.2, True),
]


def case_of(name, layers, dia, width, T, load, speed, mirror):
    lay = [x if isinstance(x, dict) else {"material": x[0], "thickness_um": x[1]} for x in layers]
    bond = {"kind": "bond", "roll_diameter_mm": dia, "roll_width_mm": width, "temperature_C": T, "load_kgf": load,
            "speed_m_per_min": speed, "mirror_base": mirror, "nip_method": "analytic"}
    return load_case_dict({"name": name, "layers": lay, "steps": [CURE, bond]})


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main():
    print(f"nip: {wn.nip_source()}")
    t, T, p = wn.hertz_nip_history(400, 1500, 300, 100, 0.2, n=401)
    surf = wn.load_library()["pi_IV"]
    params = bd.load_bonding_params("pi_IV")
    n = 2000
    t0 = time.perf_counter()
    for _ in range(n):
        bd.bond_quality(t, T, p, surf, params)
    print(f"bond_quality, 401-point history: {(time.perf_counter() - t0) / n * 1e6:.0f} us per call")

    t0 = time.perf_counter()
    print(f"{'row':15s} {'interface':9s} {'D_ic':>6s} {'D_h':>6s} {'D_b':>6s} {'peel kgf/cm':>11s}  first failing")
    for row in ROWS:
        case = case_of(*row)
        r = wn.predict_bond(case, *wn.case_nip_history(case, row[4], row[6], row[5]))
        print(f"{row[0]:15s} {r['interface']:9s} {r['degree_intimate_contact']:6.3f} {r['degree_healing']:6.3f} "
              f"{r['degree_bonding']:6.3f} {r['peel_kgf_per_cm']:11.3f}  {r['first_failing_interface']}")
    print(f"11 rows, bonding part: {time.perf_counter() - t0:.3f} s")

    case = case_of(*ROWS[0])
    Ts, vs, Ls = np.arange(280, 561, 10), np.geomspace(0.005, 40, 25), [150, 1500, 15000]
    t0 = time.perf_counter()
    win = wn.peel_window(case, Ts, vs, Ls, progress=False)
    dt = time.perf_counter() - t0
    t0 = time.perf_counter()
    wn.plot_window(win, "/tmp/bench_window.png")
    print(f"window map: {win['peel_kgf_per_cm'].size} points in {dt:.2f} s, PNG in {time.perf_counter() - t0:.2f} s; "
          f"peak RSS {peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
