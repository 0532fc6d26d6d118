"""FEM peel of a bundled patent row (Example 1: 35 um ED copper on 6 um pi_IV / 24 um pi_I, G_c from the bonding
model, sigma_c from data/bonding.toml) under a time limit: how far the pull gets, against the closed form.

Not yet a steady-state result (README, Peel test): the run stops at the time limit and records pull, force, crack
advance, DOFs and seconds; benchmarks/results/bench_peel_rows.json.
Usage: python benchmarks/bench_peel_rows.py ANGLE START LINE_SEARCH SECONDS   e.g. 90 arc 1 60
START: "arc" (stress-free arc of radius 1/kappa0 of the closed form) or "elastica" (the default start).
"""
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

from fem_laminate.analytic import peel as ap
from fem_laminate.model.materials import load_library
from fem_laminate.physics import peel as fp
from fem_laminate.physics.bonding import cohesive_strength_Pa, full_toughness_J_per_m2

OUT = Path(__file__).resolve().parent / "results" / "bench_peel_rows.json"
T = 25.0


def example_1(angle, start, line_search, seconds):
    lib = load_library()
    cu, tpi, pi1 = lib["copper_ed"], lib["pi_IV"], lib["pi_I"]
    G = full_toughness_J_per_m2("Cu-PI")  # Example 1 is fully wetted: the calibrated Cu-PI toughness
    arm = [ap.ArmLayer(float(cu.E(T)), cu.nu, 35e-6, cu.yield_stress(T), cu.hardening_Pa)]
    found = [ap.FoundationLayer(float(tpi.E(T)), tpi.nu, 6e-6), ap.FoundationLayer(float(pi1.E(T)), pi1.nu, 24e-6)]
    cf = ap.steady_peel(G, angle, arm, found, cohesive=ap.CohesiveLaw(cohesive_strength_Pa()))
    spec = fp.PeelFEMSpec(arm=tuple(fp.Layer(a.E_Pa, a.nu, a.thickness_m, a.yield_Pa, a.hardening_Pa) for a in arm),
                          substrate=tuple(fp.Layer(f.E_Pa, f.nu, f.thickness_m) for f in found),
                          toughness_J_per_m2=G, strength_Pa=cohesive_strength_Pa(), angle_deg=angle,
                          bonded_length_m=1.5e-3, tail_length_m=0.3e-3, time_limit_s=seconds, initial_shape=start,
                          bend_radius_m=1.0 / cf.root_curvature_1_per_m, line_search=line_search)
    le = fp.process_zone_length(spec) / (1.01 * spec.min_cohesive_elements)  # as the peel step meshes it
    return replace(spec, element_length_m=le, max_step_m=2.0 * le), cf


def main(angle, start, line_search, seconds):
    spec, cf = example_1(angle, start, line_search, seconds)
    t = time.perf_counter()
    r = fp.run_peel_fem(spec)
    row = {"row": "Example 1", "angle_deg": angle, "start": start, "line_search": line_search,
           "element_um": spec.element_length_m * 1e6, "dofs": int(r.ndofs), "seconds": time.perf_counter() - t,
           "steady": bool(r.steady), "pull_um": float(r.pull_m[-1] * 1e6), "last_force_N_per_m": float(r.force_N_per_m),
           "crack_advance_um": float(r.crack_advance_m[-1] * 1e6), "steps": int(r.steps),
           "newton_iterations": int(r.newton_iterations), "closed_form_N_per_m": cf.force_N_per_m,
           "last_force_over_closed_form": r.force_N_per_m / cf.force_N_per_m}
    print(json.dumps(row))
    res = json.loads(OUT.read_text()) if OUT.is_file() else {}
    res[f"example1_{angle:g}_{start}_ls{int(line_search)}_{seconds:g}s"] = row
    OUT.write_text(json.dumps(res, indent=1))


if __name__ == "__main__":
    a = sys.argv[1:] or ["90", "arc", "1", "60"]
    main(float(a[0]), a[1], bool(int(a[2])), float(a[3]))
