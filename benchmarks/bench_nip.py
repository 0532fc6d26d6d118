"""Roll-nip benchmark: one FEM nip solve of EP0496334A1 Example 3 (350 mm rolls, 800 mm wide, 30,800 kgf,
0.5 m/min, 400 C; Cu 35 / PI-I 24 / PI-IV 6 / Cu 35 um) and the analytic path.  Prints DOFs, Newton
iterations, wall seconds and peak memory; with --study also a resolution study (contact_elements 12/24/36).

Run:  PYTHONPATH=. python benchmarks/bench_nip.py [--study]    (appends the printout to benchmarks/results/bench_nip.txt)
"""
import resource
import sys
import time
import tracemalloc

from fem_laminate.model.materials import load_library
from fem_laminate.physics.models.nip import solve_nip, spec_from_patent

from _record import Tee, record  # benchmarks/_record.py (run as a script: its folder is on the path)


def example3(**kw):
    lib = load_library()
    layers = [(lib["copper_ed"], 35e-6), (lib["pi_I"], 24e-6), (lib["pi_IV"], 6e-6), (lib["copper_ed"], 35e-6)]
    return spec_from_patent(350, 800, 400, 30800, 0.5, layers, **kw)


def run(method, **kw):
    tracemalloc.start()
    t0 = time.perf_counter()
    r = solve_nip(example3(**kw), method=method)
    dt = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1] / 2 ** 20
    tracemalloc.stop()
    s = r.summary()["nip"]
    print(f"{method:8s} {str(kw):28s} dofs={r.info.get('dofs', '-')!s:>6} newton={r.info.get('newton_iterations', '-')!s:>3} "
          f"seconds={dt:6.2f} py_peak_MiB={peak:6.1f}  a={s['half_width_mm']:.4f} mm  p0={s['peak_pressure_MPa']:.1f} MPa  "
          f"eps_p={s['cu_plastic_strain_max']:.4f}  foil_elong={r.foil_elongation:.4f}  T_if_max={s['interface_temperature_max_C']:.1f} C")
    return r


def main():
    run("analytic")
    run("fem")
    if "--study" in sys.argv:
        for n in (12, 36):
            run("fem", contact_elements=n)
        run("fem", depth_factor=50.0)
    print(f"process max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    sys.stdout = Tee(sys.stdout)
    main()
    record("".join(sys.stdout.lines), "bench_nip.txt")
