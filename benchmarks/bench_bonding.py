"""Bonding model speed: one history, the 11 patent rows' bond predictions (nip + bonding), a process-window map.

Run: PYTHONPATH=. python benchmarks/bench_bonding.py   (prints points, seconds, peak memory; appends the printout
to benchmarks/results/bench_bonding.txt)
The peel values printed for held-back rows are blind predictions, not compared with anything here.
"""
import resource
import sys
import time
from pathlib import Path

import numpy as np

from fem_laminate.studies import window as wn
from fem_laminate.case import load_case
from fem_laminate.physics.correlations import bonding as bd

from _record import Tee, record  # benchmarks/_record.py (run as a script: its folder is on the path)

CASES = Path(__file__).resolve().parents[1] / "cases"
NAMES = [f"example_{i}" for i in range(1, 6)] + [f"comparative_{i}" for i in range(1, 7)]


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

    print(f"{'row':15s} {'interface':9s} {'D_ic':>6s} {'D_h':>6s} {'D_b':>6s} {'peel kgf/cm':>11s}  "
          f"{'nip s':>6s} {'bond s':>7s}  first failing")
    t_all = time.perf_counter()
    for name in NAMES:
        case = load_case(CASES / f"{name}.toml")
        step = wn.bond_setup(case).step
        t0 = time.perf_counter()
        hist = wn.case_nip_history(case, step.temperature_C, step.speed_m_per_min, step.load_kgf)
        t1 = time.perf_counter()
        r = wn.predict_bond(case, *hist)
        t2 = time.perf_counter()
        print(f"{name:15s} {r['interface']:9s} {r['degree_intimate_contact']:6.3f} {r['degree_healing']:6.3f} "
              f"{r['degree_bonding']:6.3f} {r['peel_kgf_per_cm']:11.3f}  {t1 - t0:6.2f} {t2 - t1:7.4f}  "
              f"{r['first_failing_interface']}")
    print(f"11 rows, nip + bonding: {time.perf_counter() - t_all:.2f} s")

    case = load_case(CASES / "example_1.toml")
    Ts, vs = np.arange(300, 451, 10), np.geomspace(0.01, 20, 12)
    t0 = time.perf_counter()
    win = wn.peel_window(case, Ts, vs, None, progress=False)
    dt = time.perf_counter() - t0
    t0 = time.perf_counter()
    wn.plot_window(win, "/tmp/bench_window.png")
    print(f"window map: {win['peel_kgf_per_cm'].size} points in {dt:.2f} s "
          f"({dt / win['peel_kgf_per_cm'].size * 1e3:.0f} ms/point), PNG in {time.perf_counter() - t0:.2f} s; "
          f"peak RSS {peak_mb():.0f} MB")


if __name__ == "__main__":
    sys.stdout = Tee(sys.stdout)
    main()
    record("".join(sys.stdout.lines), "bench_bonding.txt")
