"""The large-deflection ABD plate (physics/fe/vk_plate.py) against the 3D curl step (process/curl.py, Hex27 with
MITC9 tying) on the same uniform laminate, mesh by mesh: the case of tests/physics/test_vk_vs_curl.py (Cu 18 um on
PI 25 um cooled from 250 C to 25 C, a free 10 mm square, a cylinder past the bifurcation) and the same laminate
at a quarter of the mismatch (a sphere, before the bifurcation, lift of the order of the thickness).
Appends to benchmarks/results/study_vk_vs_curl.txt.

    PYTHONPATH=. python benchmarks/study_vk_vs_curl.py
"""
import copy
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _record import Tee, record  # noqa: E402

from fem_laminate import job  # noqa: E402
from fem_laminate.case import load_case_dict  # noqa: E402
from fem_laminate.physics.fe import vk_plate as vk  # noqa: E402
from tests.physics.test_vk_vs_curl import CASE, L_MM, clt_loads  # noqa: E402


def main():
    tee = Tee(sys.stdout)
    sys.stdout = tee
    for label, to_C in (("cylinder: 250 -> 25 C", 25.0), ("sphere: 250 -> 215 C", 215.0)):
        print(f"\n{label}, {L_MM:g} mm square, free; curvatures at the centre (1/m, top concave +), lift um")
        print(f"{'model':28s}{'k_major':>10s}{'k_minor':>10s}{'lift':>10s}{'seconds':>9s}")
        rows = []
        for n3 in (2, 4, 6):
            d = copy.deepcopy(CASE)
            d["steps"][0]["to_C"] = to_C
            d["steps"][1]["n_inplane"] = n3
            t = time.perf_counter()
            state, _, s = job.simulate(load_case_dict(d, "vk_vs_curl.toml"))
            c = s["curl_sample"][0]
            rows.append((f"3D curl n_inplane {n3} ({c['dofs']} DOFs)", *c["centre_curvatures_1_per_m"],
                         c["corner_lift_mm"] * 1e3, time.perf_counter() - t))
        for n in (4, 8, 12):
            r, loads = clt_loads(state, n)
            t = time.perf_counter()
            sh = vk.solve_free(vk.Grid(L_MM * 1e-3, L_MM * 1e-3, n, n), loads)
            rows.append((f"vK plate {n} x {n}", *sh.principal_curvatures, abs(sh.corner_lift_m) * 1e6,
                         time.perf_counter() - t))
        A, B, D = r.ABD[:3, :3], r.ABD[:3, 3:], r.ABD[3:, 3:]
        k = np.linalg.solve(D - B @ np.linalg.solve(A, B), r.MT - B @ np.linalg.solve(A, r.NT))
        rows.append(("small deflection (CLT)", -k[0], -k[1], abs(k[0]) * (L_MM * 5e-4) ** 2 * 1e6, 0.0))
        for name, k1, k2, lift, sec in rows:
            print(f"{name:28s}{k1:10.4f}{k2:10.4f}{lift:10.2f}{sec:9.1f}")
        ref = rows[2]
        print(f"vK {rows[5][0][9:]} against 3D n_inplane 6: k_major {100 * (rows[5][1] / ref[1] - 1):+.2f} %, "
              f"lift {100 * (rows[5][3] / ref[3] - 1):+.2f} %")
    sys.stdout = tee.stream
    record("".join(tee.lines), "study_vk_vs_curl.txt")


if __name__ == "__main__":
    main()
