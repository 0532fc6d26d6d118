"""Large-deflection curl speed and mesh convergence: the patent's single-sided base (Cu 35 um /
PI I 24 um / PI IV 6 um, bonded stress-free at 350 C, PI IV at its Tg 300 C, cooled to 25 C), a
100 mm x 100 mm sample, quarter model, through the sphere -> cylinder bifurcation to full load.

Run: PYTHONPATH=. python benchmarks/bench_curl.py [--plain] [--gravity] [n_inplane ...]   (default 4 6 10 16 24)
Prints DOFs, load steps, seconds, peak memory, corner lift and curvatures per mesh. Default element: Hex27
with MITC9 membrane tying; --plain: the fully integrated Hex27 (membrane locking, for comparison);
--gravity: the sample lies on the table under its weight.
On a shared 2-core machine, set MKL_NUM_THREADS / OPENBLAS_NUM_THREADS to the cores you may use.
Appends the printout to benchmarks/results/bench_curl.txt.
"""
import resource
import sys
import time

from fem_laminate.analytic import curl as ac
from fem_laminate.physics.models import curl as C
from fem_laminate.studies import curl_study as S
from fem_laminate.model.materials import load_library

from _record import Tee, record  # benchmarks/_record.py (run as a script: its folder is on the path)


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main(ns, plain=False, gravity=False):
    lib = load_library()
    layers = [(lib["copper_ed"], 35e-6), (lib["pi_I"], 24e-6), (lib["pi_IV"], 6e-6)]
    eps = S.cure_eigenstrains(layers, 350.0, 25.0)
    pl = C.plate_layers(layers, eps, 25.0)
    k0 = ac.linear_curvature(pl)[0]
    print(f"eigenstrains {['%.3e' % e for e in eps]}; linear (Hsueh) curvature {k0:.4f} 1/m; "
          f"cylindrical limit {ac.cylindrical_curvature(pl):.4f} 1/m; Ritz bifurcation at "
          f"{ac.critical_curvature(ac.equivalent_plate(pl), 'rectangle', 0.1):.4f} 1/m")
    print(f"{'n':>4s} {'DOFs':>8s} {'steps':>5s} {'seconds':>8s} {'peak MB':>8s} {'lift mm':>8s} "
          f"{'k1 1/m':>8s} {'k2 1/m':>8s} {'centre k1':>9s} shape")
    for n in ns:
        t0 = time.perf_counter()
        if plain:  # same sample, plain Hex27
            orig = C.build_model
            C.build_model = lambda *a, **k: orig(*a, **k, membrane_tying=False)
        r = C.curl_sample(layers, eps, 25.0, 0.1, 0.1, n_inplane=n, gravity=gravity)
        if plain:
            C.build_model = orig
        dt = time.perf_counter() - t0
        print(f"{n:4d} {r.ndofs:8d} {len(r.path) - 1:5d} {dt:8.1f} {peak_mb():8.0f} "
              f"{r.corner_lift_m * 1e3:8.3f} {r.principal_curvatures_1_per_m[0]:8.4f} "
              f"{r.principal_curvatures_1_per_m[1]:8.4f} {r.centre_curvatures_1_per_m[0]:9.4f} {r.shape}"
              + ("" if r.converged else f"  NOT CONVERGED: {r.message}"), flush=True)


if __name__ == "__main__":
    sys.stdout = Tee(sys.stdout)
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    print("element:", "plain Hex27" if "--plain" in sys.argv else "Hex27 + MITC9 membrane tying",
          "| on a table under its weight" if "--gravity" in sys.argv else "| free sample")
    main([int(a) for a in args] or [4, 6, 10, 16, 24], "--plain" in sys.argv, "--gravity" in sys.argv)
    record("".join(sys.stdout.lines), "bench_curl.txt")
