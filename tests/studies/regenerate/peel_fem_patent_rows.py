"""FEM peel of bundled patent rows (ED copper on the row's polyimides, G_c = the bonding model's fully wetted Cu-PI
toughness, sigma_c from data/bonding.toml) against the closed form (cohesive root), as the peel step runs it.

Regenerates the fixture tests/data/peel_fem_patent_rows.json (read by tests/physics/test_peel.py), one entry per run: every input needed to recompute the closed
form (`inputs`: G, sigma_c, the arm's E/nu/h/sigma_y/H, the foundation layers, the angle), the mesh, and the FEM's
outputs (steady flag, force, root rotation and curvature, crack-tip slope, plastic share, DOFs, seconds, crack
advance), the force history, and the arm diagnostics at the end of the run (`arm`: curvature and bending moment
along the arm against arc length from the crack tip, downsampled; docs/theory/peel.md). Run FEM jobs one at a time.

Usage: PYTHONPATH=. python -m tests.studies.regenerate.peel_fem_patent_rows ROW ANGLE START LINE_SEARCH EXTRAPOLATE SECONDS [MAX_STEP_ELEMENTS]
                                                                      [--cu-um 35] [--refine 1] [--arm-per-layer 2] [--bonded-mm 1.0]
                                                                      [--min-crack-mm 0]
  e.g. example1 180 arc 1 1 90     ROW: example1 | example4
START: "arc" (stress-free arc of radius 1/kappa0 of the closed form, the peel step's start for a plastic arm) or
"elastica" (the elastic elastica, prestressed straight); LINE_SEARCH / EXTRAPOLATE: 0 | 1 (the peel step: 1 1).
--refine k: element length / k; --arm-per-layer: elements through the copper (the polyimides keep 2);
--min-crack-mm: keep pulling to this crack advance before the plateau may end the run.
The comparison with the closed form and the PNG of the arm diagnostics: tests/studies/regenerate/peel_rows_vs_closed_form.py.
Each run takes 1-30 min of FEM; the fixture is a record of such runs (a run adds or replaces its own entry).
Entries written before the recorded inputs (bonded length 1.5 mm) keep their keys and fields.
"""
import argparse
import json
import math
import re
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from fem_laminate.analytic import peel as ap
from fem_laminate.model.materials import load_library
from fem_laminate.physics.models import peel as fp
from fem_laminate.physics.correlations.bonding import cohesive_strength_Pa, full_toughness_J_per_m2

OUT = Path(__file__).resolve().parents[2] / "data" / "peel_fem_patent_rows.json"
T = 25.0
PROFILE_POINTS = 160  # downsampled arm profile


ROWS = {"example1": (("pi_IV", 6e-6), ("pi_I", 24e-6)),  # foundation beneath the bonded foil, top-down
        "example4": (("pi_II", 9e-6), ("pi_I", 21e-6))}


def patent_row(row, angle, start, line_search, extrapolate, seconds, max_step=2.0, cu_um=35.0, refine=1.0,
               arm_per_layer=2, bonded_mm=1.0, min_crack_mm=0.0):
    lib = load_library()
    cu = lib["copper_ed"]
    G = full_toughness_J_per_m2("Cu-PI")  # Example 1 is fully wetted: the calibrated Cu-PI toughness
    arm = [ap.ArmLayer(float(cu.E(T)), cu.nu, cu_um * 1e-6, cu.yield_stress(T), cu.hardening_Pa)]
    found = [ap.FoundationLayer(float(lib[m].E(T)), lib[m].nu, t) for m, t in ROWS[row]]
    cf = ap.steady_peel(G, angle, arm, found, cohesive=ap.CohesiveLaw(cohesive_strength_Pa()))
    spec = fp.PeelFEMSpec(arm=tuple(fp.Layer(a.E_Pa, a.nu, a.thickness_m, a.yield_Pa, a.hardening_Pa) for a in arm),
                          substrate=tuple(fp.Layer(f.E_Pa, f.nu, f.thickness_m) for f in found),
                          toughness_J_per_m2=G, strength_Pa=cohesive_strength_Pa(), angle_deg=angle,
                          bonded_length_m=bonded_mm * 1e-3, tail_length_m=0.3e-3, time_limit_s=seconds,
                          initial_shape=start, bend_radius_m=1.0 / cf.root_curvature_1_per_m,
                          line_search=line_search, extrapolate=extrapolate, arm_elements_per_layer=arm_per_layer,
                          min_crack_advance_m=min_crack_mm * 1e-3)
    le = fp.process_zone_length(spec) / (1.01 * spec.min_cohesive_elements) / refine  # as the peel step meshes it
    return replace(spec, element_length_m=le, max_step_m=max_step * le), cf


def inputs(spec, row):
    """Everything the closed form needs (and the FEM's cohesive penalty, for reference)."""
    Es = fp.plane_strain_modulus(spec.substrate[0].E_Pa, spec.substrate[0].nu)
    return {"toughness_J_per_m2": spec.toughness_J_per_m2, "cohesive_strength_Pa": spec.strength_Pa,
            "cohesive_penalty_Pa_per_m": spec.penalty_factor * Es / sum(L.thickness_m for L in spec.substrate),
            "angle_deg": spec.angle_deg,
            "arm": [{"E_Pa": L.E_Pa, "nu": L.nu, "thickness_m": L.thickness_m, "yield_Pa": L.yield_Pa,
                     "hardening_Pa": L.hardening_Pa} for L in spec.arm],
            "foundation": [{"material": m, "E_Pa": L.E_Pa, "nu": L.nu, "thickness_m": L.thickness_m}
                           for (m, _), L in zip(ROWS[row], spec.substrate)]}


def _down(x, n=PROFILE_POINTS):
    idx = np.unique(np.linspace(0, len(x) - 1, min(n, len(x))).round().astype(int))
    return idx


def arm_diagnostics(r, spec, cf) -> dict:
    """Curvature and moment along the arm at the end of the run, and what they say about the closed form's
    assumptions: where curvature and moment peak, whether the far arm is straight, the moment-curvature path."""
    p = r.arm_profile
    a, xi, k, phi = p["a_m"], p["xi_m"], p["kappa_1_per_m"], p["phi_deg"]
    sa, M, N = p["station_a_m"], p["moment_N"], p["axial_N_per_m"]
    crack = float(r.crack_advance_m[-1])
    zone = float(r.process_zone_m)
    sec = ap.Section(list(cf_arm(spec)))
    Mp = float(sec.sy[0] * spec.arm[0].thickness_m ** 2 / 4) if len(spec.arm) == 1 else float("nan")
    # the arm from 3 zones ahead of the tip to the grip, and the material peeled off during the run (xi >= 0)
    keep = a >= -3 * zone
    peeled = keep & (xi >= 0) & (a >= 0)
    st_keep = sa >= -3 * zone
    # peaks within the material that was bonded at the start (the starting arc keeps its own curvature)
    bonded0 = keep & (xi >= 0)
    xi_st = np.interp(sa, a[::-1], xi[::-1])
    i_k = int(np.argmax(np.where(bonded0, k, -np.inf)))
    i_m = int(np.argmax(np.where(st_keep & (xi_st >= 0), M, -np.inf)))
    # far end of the peeled material: the last quarter of it (toward the grip)
    far = peeled & (a >= 0.75 * a[peeled].max()) if peeled.any() else peeled
    far_st = (sa >= 0.75 * a[peeled].max()) & (sa <= a[peeled].max()) if peeled.any() else sa < -1
    # every section around the root (3 zones ahead to 400 um behind the tip), the rest downsampled
    root, st_root = keep & (a <= 400e-6), st_keep & (sa <= 400e-6)
    ka, kb = np.flatnonzero(keep & ~root), np.flatnonzero(st_keep & ~st_root)
    ia = np.union1d(np.flatnonzero(root), ka[_down(ka)])
    ib = np.union1d(np.flatnonzero(st_root), kb[_down(kb)])
    return {
        "crack_advance_um": crack * 1e6, "zone_estimate_um": zone * 1e6, "plastic_moment_N": Mp,
        "elastic_curvature_1_per_m": sec.kappa_e, "EI_N_m": sec.EI,
        "peak_curvature": {"a_um": float(a[i_k] * 1e6), "kappa_1_per_m": float(k[i_k]),
                           "phi_deg": float(phi[i_k])},
        "peak_moment": {"a_um": float(sa[i_m] * 1e6), "moment_N": float(M[i_m])},
        "peeled_length_um": float(a[peeled].max() * 1e6) if peeled.any() else 0.0,
        "far_arm": {"a_um_range": [float(a[far].min() * 1e6), float(a[far].max() * 1e6)] if far.any() else None,
                    "kappa_mean_1_per_m": float(k[far].mean()) if far.any() else None,
                    "kappa_over_kappa0": float(k[far].mean() / k[i_k]) if far.any() else None,
                    "moment_mean_N": float(M[far_st].mean()) if far_st.any() else None,
                    "phi_deg_mean": float(phi[far].mean()) if far.any() else None},
        "profile": {"a_um": (a[ia] * 1e6).tolist(), "xi_um": (xi[ia] * 1e6).tolist(),
                    "phi_deg": phi[ia].tolist(), "kappa_1_per_m": k[ia].tolist()},
        "stations": {"a_um": (sa[ib] * 1e6).tolist(), "moment_N": M[ib].tolist(), "axial_N_per_m": N[ib].tolist()},
    }


def cf_arm(spec):
    return [ap.ArmLayer(L.E_Pa, L.nu, L.thickness_m, L.yield_Pa, L.hardening_Pa) for L in spec.arm]


def main(row, angle, start, line_search, extrapolate, seconds, max_step=2.0, cu_um=35.0, refine=1.0,
         arm_per_layer=2, bonded_mm=1.0, min_crack_mm=0.0):
    spec, cf = patent_row(row, angle, start, line_search, extrapolate, seconds, max_step, cu_um, refine,
                          arm_per_layer, bonded_mm, min_crack_mm)
    t, c = time.perf_counter(), time.process_time()
    r = fp.run_peel_fem(spec)
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    hist = _down(r.pull_m, 200)
    out = {"row": row, "angle_deg": angle, "start": start, "line_search": line_search, "extrapolate": extrapolate,
           "max_step_elements": max_step, "root_rotation_deg": r.root_rotation_deg,
           "closed_form_root_rotation_deg": cf.root_rotation_deg, "plastic_share": r.plastic_dissipation_fraction,
           "element_um": spec.element_length_m * 1e6, "dofs": int(r.ndofs), "seconds": wall,
           "steady": bool(r.steady), "pull_um": float(r.pull_m[-1] * 1e6), "last_force_N_per_m": float(r.force_N_per_m),
           "crack_advance_um": float(r.crack_advance_m[-1] * 1e6), "steps": int(r.steps),
           "newton_iterations": int(r.newton_iterations), "closed_form_N_per_m": cf.force_N_per_m,
           "last_force_over_closed_form": r.force_N_per_m / cf.force_N_per_m,
           "force_history_every_10th_N_per_m": [float(f) for f in r.force_history_N_per_m[::10]],
           # added with the recorded inputs
           "inputs": inputs(spec, row), "copper_um": cu_um, "refine": refine, "arm_elements_per_layer": arm_per_layer,
           "substrate_elements_per_layer": spec.elements_per_layer, "bonded_length_mm": bonded_mm,
           "min_crack_advance_mm": min_crack_mm, "time_limit_s": seconds, "cpu_seconds": cpu,
           "force_N_per_m": float(r.force_N_per_m), "root_curvature_1_per_m": r.root_curvature_1_per_m,
           "crack_tip_rotation_deg": r.crack_tip_rotation_deg, "process_zone_um": r.process_zone_m * 1e6,
           "plateau_window_pull_um": r.plateau_window_m * 1e6,
           "history": {"pull_um": (r.pull_m[hist] * 1e6).tolist(), "crack_um": (r.crack_advance_m[hist] * 1e6).tolist(),
                       "force_N_per_m": r.force_history_N_per_m[hist].tolist()},
           "arm": arm_diagnostics(r, spec, cf)}
    print(json.dumps({k: v for k, v in out.items() if k not in ("history", "arm", "inputs")
                      and not k.startswith("force_history")}))
    res = json.loads(OUT.read_text()) if OUT.is_file() else {}
    key = f"{row}_{angle:g}_{start}_ls{int(line_search)}_ex{int(extrapolate)}_step{max_step:g}_{seconds:g}s"
    key += f"_cu{cu_um:g}_r{refine:g}_n{arm_per_layer}_b{bonded_mm:g}" + (f"_c{min_crack_mm:g}" if min_crack_mm else "")
    res[key] = out
    write_json(res)
    return key


NUMBER_LIST = re.compile(r"\[\s+((?:-?(?:[\d.eE+-]+|Infinity|NaN),\s+)*-?(?:[\d.eE+-]+|Infinity|NaN))\s+\]")


def write_json(res):
    """indent=1, with lists of numbers on one line each (the profiles would take a line per number)."""
    text = NUMBER_LIST.sub(lambda m: "[" + ", ".join(x.strip() for x in m.group(1).split(",")) + "]",
                           json.dumps(res, indent=1))
    OUT.write_text(text)


def _args(argv):
    p = argparse.ArgumentParser()
    for name in ("row", "angle", "start", "line_search", "extrapolate", "seconds"):
        p.add_argument(name)
    p.add_argument("max_step", nargs="?", type=float, default=2.0)
    p.add_argument("--cu-um", type=float, default=35.0)
    p.add_argument("--refine", type=float, default=1.0)
    p.add_argument("--arm-per-layer", type=int, default=2)
    p.add_argument("--bonded-mm", type=float, default=1.0)
    p.add_argument("--min-crack-mm", type=float, default=0.0)
    return p.parse_args(argv or ["example1", "180", "arc", "1", "1", "90"])


if __name__ == "__main__":
    a = _args(sys.argv[1:])
    main(a.row, float(a.angle), a.start, bool(int(a.line_search)), bool(int(a.extrapolate)), float(a.seconds),
         a.max_step, a.cu_um, a.refine, a.arm_per_layer, a.bonded_mm, a.min_crack_mm)
