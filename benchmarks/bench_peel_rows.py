"""FEM peel of bundled patent rows (35 um ED copper on the row's polyimides, G_c = the bonding model's fully wetted
Cu-PI toughness, sigma_c from data/bonding.toml) against the closed form (cohesive root), as the peel step runs it.

Records DOFs, seconds, steps, steady (detected), the force and the closed form in
benchmarks/results/bench_peel_rows.json (README, Peel test).
Usage: python benchmarks/bench_peel_rows.py ROW ANGLE START LINE_SEARCH EXTRAPOLATE SECONDS [MAX_STEP_ELEMENTS]
  e.g. example1 180 arc 1 1 90     ROW: example1 | example4
START: "arc" (stress-free arc of radius 1/kappa0 of the closed form, the peel step's start for a plastic arm) or
"elastica" (the elastic elastica, prestressed straight); LINE_SEARCH / EXTRAPOLATE: 0 | 1 (the peel step: 1 1).
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


ROWS = {"example1": (("pi_IV", 6e-6), ("pi_I", 24e-6)),  # foundation beneath the bonded foil, top-down
        "example4": (("pi_II", 9e-6), ("pi_I", 21e-6))}


def patent_row(row, angle, start, line_search, extrapolate, seconds, max_step=2.0):
    lib = load_library()
    cu = lib["copper_ed"]
    G = full_toughness_J_per_m2("Cu-PI")  # Example 1 is fully wetted: the calibrated Cu-PI toughness
    arm = [ap.ArmLayer(float(cu.E(T)), cu.nu, 35e-6, cu.yield_stress(T), cu.hardening_Pa)]
    found = [ap.FoundationLayer(float(lib[m].E(T)), lib[m].nu, t) for m, t in ROWS[row]]
    cf = ap.steady_peel(G, angle, arm, found, cohesive=ap.CohesiveLaw(cohesive_strength_Pa()))
    spec = fp.PeelFEMSpec(arm=tuple(fp.Layer(a.E_Pa, a.nu, a.thickness_m, a.yield_Pa, a.hardening_Pa) for a in arm),
                          substrate=tuple(fp.Layer(f.E_Pa, f.nu, f.thickness_m) for f in found),
                          toughness_J_per_m2=G, strength_Pa=cohesive_strength_Pa(), angle_deg=angle,
                          bonded_length_m=1.5e-3, tail_length_m=0.3e-3, time_limit_s=seconds, initial_shape=start,
                          bend_radius_m=1.0 / cf.root_curvature_1_per_m, line_search=line_search,
                          extrapolate=extrapolate)
    le = fp.process_zone_length(spec) / (1.01 * spec.min_cohesive_elements)  # as the peel step meshes it
    return replace(spec, element_length_m=le, max_step_m=max_step * le), cf


def main(row, angle, start, line_search, extrapolate, seconds, max_step=2.0):
    spec, cf = patent_row(row, angle, start, line_search, extrapolate, seconds, max_step)
    t = time.perf_counter()
    r = fp.run_peel_fem(spec)
    out = {"row": row, "angle_deg": angle, "start": start, "line_search": line_search, "extrapolate": extrapolate,
           "max_step_elements": max_step, "root_rotation_deg": r.root_rotation_deg,
           "closed_form_root_rotation_deg": cf.root_rotation_deg, "plastic_share": r.plastic_dissipation_fraction,
           "element_um": spec.element_length_m * 1e6, "dofs": int(r.ndofs), "seconds": time.perf_counter() - t,
           "steady": bool(r.steady), "pull_um": float(r.pull_m[-1] * 1e6), "last_force_N_per_m": float(r.force_N_per_m),
           "crack_advance_um": float(r.crack_advance_m[-1] * 1e6), "steps": int(r.steps),
           "newton_iterations": int(r.newton_iterations), "closed_form_N_per_m": cf.force_N_per_m,
           "last_force_over_closed_form": r.force_N_per_m / cf.force_N_per_m,
           "force_history_every_10th_N_per_m": [float(f) for f in r.force_history_N_per_m[::10]]}
    print(json.dumps(out))
    res = json.loads(OUT.read_text()) if OUT.is_file() else {}
    res[f"{row}_{angle:g}_{start}_ls{int(line_search)}_ex{int(extrapolate)}_step{max_step:g}_{seconds:g}s"] = out
    OUT.write_text(json.dumps(res, indent=1))


if __name__ == "__main__":
    a = sys.argv[1:] or ["example1", "180", "arc", "1", "1", "90"]
    main(a[0], float(a[1]), a[2], bool(int(a[3])), bool(int(a[4])), float(a[5]), float(a[6]) if len(a) > 6 else 2.0)
