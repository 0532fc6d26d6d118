"""FEM peel against the closed form: elastic arm at 90 and 180 deg (Rivlin/Kendall) and elastic-plastic arms.

Each run pulls until the force levels off (plateau detected) or the bonded strip / time limit runs out; prints DOFs,
seconds, steps, the steady force and the closed form; appends to benchmarks/results/bench_peel.json.
Usage: python benchmarks/bench_peel.py [name ...]   (names: elastic90 elastic180 plastic50 plastic100 plastic200)
The arm is a scaled model (E 10 GPa, 20 um): the comparison is dimensionless, and a thin compliant arm keeps the
bend length and the cohesive zone short enough for a 2-core machine.
"""
import json
import math
import sys
import time
from pathlib import Path

from fem_laminate.analytic import peel as ap
from fem_laminate.physics import peel as fp

OUT = Path(__file__).resolve().parent / "results" / "bench_peel.json"
SUB = (fp.Layer(3e9, 0.34, 30e-6),)


def case(name):
    sy = {"elastic90": math.inf, "elastic180": math.inf, "plastic400": 400e6, "plastic500": 500e6,
          "plastic600": 600e6}[name]
    th = 180.0 if name == "elastic180" else 90.0
    arm = (fp.Layer(10e9, 0.34, 20e-6, sy, 100e6),)
    le = 25e-6 if name.startswith("elastic") else 20e-6
    return fp.PeelFEMSpec(arm=arm, substrate=SUB, toughness_J_per_m2=200.0, strength_Pa=10e6, angle_deg=th,
                          element_length_m=le, bonded_length_m=3e-3, elements_per_layer=1,
                          tail_length_m=0.5e-3, time_limit_s=300, plateau_tolerance=0.01, max_step_m=2 * le)


def main(names):
    results = json.loads(OUT.read_text()) if OUT.is_file() else {}
    for name in names:
        spec = case(name)
        L = spec.arm[0]
        cf = ap.steady_peel(spec.toughness_J_per_m2, spec.angle_deg,
                            [ap.ArmLayer(L.E_Pa, L.nu, L.thickness_m, L.yield_Pa, L.hardening_Pa)],
                            [ap.FoundationLayer(s.E_Pa, s.nu, s.thickness_m) for s in spec.substrate])
        t = time.perf_counter()
        r = fp.run_peel_fem(spec)
        row = {"fem_force_N_per_m": r.force_N_per_m, "steady": bool(r.steady), "closed_form_N_per_m": cf.force_N_per_m,
               "fem_over_closed_form": r.force_N_per_m / cf.force_N_per_m, "dofs": int(r.ndofs), "steps": int(r.steps),
               "newton_iterations": int(r.newton_iterations), "seconds": time.perf_counter() - t,
               "crack_advance_mm": float(r.crack_advance_m[-1] * 1e3), "process_zone_um": r.process_zone_m * 1e6,
               "fem_plastic_share": r.plastic_dissipation_fraction, "cf_plastic_share": cf.plastic_dissipation_fraction,
               "last_forces_N_per_m": [float(f) for f in r.force_history_N_per_m[-10:]]}
        print(name, json.dumps(row))
        results[name] = row
        OUT.parent.mkdir(parents=True, exist_ok=True)
        OUT.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main(sys.argv[1:] or ["elastic90", "elastic180", "plastic50", "plastic100", "plastic200"])
