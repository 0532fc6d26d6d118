"""FEM peel against the closed form: elastic arm at 90 and 180 deg (Rivlin/Kendall) and elastic-plastic arms.

Each run pulls until the force levels off (plateau detected) or the bonded strip / time limit runs out; prints DOFs,
seconds, steps, the steady force and the closed form; adds the row to the fixture tests/data/peel_fem_scaled_arm.json
(read by tests/physics/test_peel.py and docs/examples/peel_cohesive_root.py). Each row takes 200-450 s of FEM.
Usage: PYTHONPATH=. python -m tests.studies.regenerate.peel_fem_scaled_arm [name ...]   (names: see CASES)
The arm is a scaled model (E 10 GPa, 20 um): the comparison is dimensionless, and a thin compliant arm keeps the
bend length and the cohesive zone short enough for a 2-core machine. The free arm starts on the closed-form
elastica (physics/models/peel.py initial_shape), so the steady state comes after a short crack advance.
"""
import json
import math
import sys
import time
from pathlib import Path

from fem_laminate.analytic import peel as ap
from fem_laminate.physics.models import peel as fp

OUT = Path(__file__).resolve().parents[2] / "data" / "peel_fem_scaled_arm.json"
SUB = (fp.Layer(3e9, 0.34, 30e-6),)


# name: (yield Pa, angle deg, element um, cohesive strength MPa, elements per layer, bonded mm)
CASES = {
    "elastic90": (math.inf, 90.0, 25.0, 10.0, 1, 1.5),
    "elastic180": (math.inf, 180.0, 25.0, 10.0, 1, 1.5),
    # mesh convergence of the steady force (elastic arm, 90 deg): 25 (above), 17.5, 12.5 um
    "mesh90_17": (math.inf, 90.0, 17.5, 10.0, 1, 1.5),
    "mesh90_12": (math.inf, 90.0, 12.5, 10.0, 1, 1.5),
    # elastic-plastic arms against the closed form: a strong, short cohesive zone (40 MPa, zone ~ 50 um, under
    # half the root bend radius) so that the root is supported as in the beam-on-foundation closed form, and
    # 3 elements through each layer so that the plastic bending is resolved
    "plastic300": (300e6, 90.0, 10.0, 40.0, 3, 1.2),
    "plastic400": (400e6, 90.0, 10.0, 40.0, 3, 1.2),
    "plastic450": (450e6, 90.0, 10.0, 40.0, 3, 1.2),
    "plastic500": (500e6, 90.0, 10.0, 40.0, 3, 1.2),
    "plastic600": (600e6, 90.0, 10.0, 40.0, 3, 1.2),
    # the root rotation against the cohesive strength (sigma_y 500 MPa): a stronger, shorter zone rotates less
    "plastic500_sc20": (500e6, 90.0, 10.0, 20.0, 3, 1.2),
    "plastic500_sc100": (500e6, 90.0, 8.0, 100.0, 3, 1.2),
    # the same arm with the weak zone (10 MPa) of the elastic runs: the compliant root stays elastic
    "plastic500_weak": (500e6, 90.0, 20.0, 10.0, 1, 3.0),
}


def case(name):
    sy, th, le, sc, epl, bonded = CASES[name]
    arm = (fp.Layer(10e9, 0.34, 20e-6, sy, 100e6),)
    return fp.PeelFEMSpec(arm=arm, substrate=SUB, toughness_J_per_m2=200.0, strength_Pa=sc * 1e6, angle_deg=th,
                          element_length_m=le * 1e-6, bonded_length_m=bonded * 1e-3, elements_per_layer=epl,
                          tail_length_m=0.5e-3, time_limit_s=1800, plateau_tolerance=0.01,
                          max_step_m=2 * le * 1e-6)


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
        # the closed form's arm mechanics at the FEM's own root rotation (the root model set aside)
        cf_root = ap.steady_peel(spec.toughness_J_per_m2, spec.angle_deg,
                                 [ap.ArmLayer(L.E_Pa, L.nu, L.thickness_m, L.yield_Pa, L.hardening_Pa)],
                                 root_rotation_deg=r.root_rotation_deg)
        row = {"element_um": spec.element_length_m * 1e6, "strength_MPa": spec.strength_Pa * 1e-6,
               "elements_per_layer": spec.elements_per_layer, "yield_MPa": L.yield_Pa * 1e-6 if math.isfinite(L.yield_Pa) else None,
               "angle_deg": spec.angle_deg, "fem_force_N_per_m": r.force_N_per_m, "steady": bool(r.steady), "closed_form_N_per_m": cf.force_N_per_m,
               "fem_over_closed_form": r.force_N_per_m / cf.force_N_per_m, "dofs": int(r.ndofs), "steps": int(r.steps),
               "newton_iterations": int(r.newton_iterations), "seconds": time.perf_counter() - t,
               "crack_advance_mm": float(r.crack_advance_m[-1] * 1e3), "process_zone_um": r.process_zone_m * 1e6,
               "fem_plastic_share": r.plastic_dissipation_fraction, "cf_plastic_share": cf.plastic_dissipation_fraction,
               "fem_root_rotation_deg": r.root_rotation_deg, "cf_root_rotation_deg": cf.root_rotation_deg,
               "fem_crack_tip_rotation_deg": r.crack_tip_rotation_deg,
               "fem_root_curvature_1_per_m": r.root_curvature_1_per_m,
               "cf_root_curvature_1_per_m": cf.root_curvature_1_per_m,
               "cf_at_fem_root_N_per_m": cf_root.force_N_per_m,
               "fem_over_cf_at_fem_root": r.force_N_per_m / cf_root.force_N_per_m,
               "cf_at_fem_root_plastic_share": cf_root.plastic_dissipation_fraction,
               "cf_at_fem_root_curvature_1_per_m": cf_root.root_curvature_1_per_m,
               "last_forces_N_per_m": [float(f) for f in r.force_history_N_per_m[-10:]]}
        print(name, json.dumps(row))
        results = json.loads(OUT.read_text()) if OUT.is_file() else {}  # other runs may have written meanwhile
        results[name] = row
        OUT.parent.mkdir(parents=True, exist_ok=True)
        OUT.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main(sys.argv[1:] or list(CASES))
