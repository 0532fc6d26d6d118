"""One case run end to end: case file -> mesh -> process chain -> output folder.

The output folder is written atomically: everything goes to a temporary sibling folder that replaces the
target only when the run has succeeded, so a failed or interrupted run leaves nothing half-written.
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np

from . import measure, process, results
from .case import Case, load_case
from .mesh import layered_mesh_2d, layered_mesh_3d
from .physics import elastic, solvers
from .thermoelastic import initial_state

SIGN_CONVENTION = "positive when the top layer is on the concave side (the sample's ends lift)"


def _version() -> str:
    try:
        return version("fem_laminate")
    except PackageNotFoundError:  # running from a source tree
        return "0+src"


def build_state(case: Case):
    """Mesh the full stack (every layer that will ever exist) and return the initial laminate state."""
    m = case.spec.mesh
    stack = case.full_stack()
    if m.file:
        from .mesh_io import load_layered_mesh
        lmesh = load_layered_mesh(m.file, stack, source=case.source)
    elif m.model == "plane_strain":
        lmesh = layered_mesh_2d(stack.interfaces_m, m.length_mm * 1e-3, nx=m.nx, n_per_layer=m.n_per_layer,
                                edge_refinement=m.edge_refinement)
    else:
        lmesh = layered_mesh_3d(stack.interfaces_m, m.length_mm * 1e-3, m.width_mm * 1e-3, nx=m.nx, ny=m.ny,
                                n_per_layer=min(m.n_per_layer, 4), edge_refinement=1.0)
    model = elastic.make_model(lmesh, out_of_plane=m.out_of_plane, quadratic=m.quadratic)
    return initial_state(stack, model, case.spec.initial_temperature_C, solver=m.solver)


def simulate(case: Case, progress: bool = False):
    """Run the process chain; returns (final state, record, summary dict)."""
    t0 = time.perf_counter()
    state = build_state(case)
    bar = None
    if progress:
        from tqdm import tqdm
        bar = tqdm(total=len(case.steps), desc=case.name, unit="step", file=sys.stderr, leave=False)

    def on_step(k, kind):
        if bar is not None:
            bar.set_postfix_str(kind)
            if k:
                bar.update(1)

    try:
        record = process.run(state, case.steps, progress=on_step)
    finally:
        if bar is not None:
            bar.update(1)
            bar.close()
    summary = make_summary(case, state, record, time.perf_counter() - t0)
    return state, record, summary


def make_summary(case: Case, state, record, seconds: float) -> dict:
    model = state.model
    if record.base_curl is not None:
        curl = dict(record.base_curl)
        curl["measured_on"] = "single-sided base after its last cool before bonding"
    else:
        curl = {k: v for k, v in measure.curvature(state).items()}
        curl["measured_on"] = "stack after the last step"
        curl["temperature_C"] = state.T_C
    curl["radius_mm"] = measure.radius_mm(curl["curvature_1_per_m"])
    curl["sign_convention"] = SIGN_CONVENTION
    if record.results.get("curl_sample"):
        # the sample that matches what this block is measured on (the base) if one was cut from it, else the
        # last one; every curl step's own result is in "steps"
        samples = record.results["curl_sample"]
        on_base = [r for r in samples if r.get("cut_from") == "single-sided base"]
        last = on_base[0] if record.base_curl is not None and on_base else samples[-1]
        curl["corner_lift_mm"] = last["corner_lift_mm"]
        curl["shape"] = last["shape"]
        curl["principal_curvatures_1_per_m"] = last["principal_curvatures_1_per_m"]
        curl["large_deflection_sample"] = {k: last.get(k) for k in ("cut_from", "length_mm", "width_mm", "sample_shape",
                                                                     "table", "gravity", "layers", "temperature_C")}
    peaks = {}
    for st in record.steps:
        layers = st.get("layers")
        if not isinstance(layers, dict):
            continue
        for name, vals in layers.items():
            p = peaks.setdefault(name, {"material": vals["material"], "stress_xx_max_MPa": -np.inf,
                                        "stress_xx_min_MPa": np.inf, "von_mises_max_MPa": 0.0})
            p["stress_xx_max_MPa"] = max(p["stress_xx_max_MPa"], vals["stress_xx_max_MPa"])
            p["stress_xx_min_MPa"] = min(p["stress_xx_min_MPa"], vals["stress_xx_min_MPa"])
            p["von_mises_max_MPa"] = max(p["von_mises_max_MPa"], vals["von_mises_max_MPa"])
    summary = {
        "name": case.name,
        "case_file": case.source,
        "fem_laminate_version": _version(),
        "units": "SI unless the key names another unit",
        "model": {"kind": case.spec.mesh.model, "out_of_plane": case.spec.mesh.out_of_plane
                  if model.dim == 2 else None, "element": type(model.basis.elem).__name__,
                  "dofs": int(model.ndofs), "elements": int(model.nelements),
                  "solver": state.solver_used or solvers.default_method(), "solves": state.solves},
        "stack": [{"name": lay.name, "material": lay.material.name, "thickness_um": lay.thickness_m * 1e6,
                   "origin": lay.origin, "born_at_C": state.born_at_C.get(lay.name)} for lay in state.stack.layers],
        "curl": curl,
        "film": record.results.get("film"),
        "dimensional_change_pct": record.results.get("dimensional_change_pct"),
        "layers": peaks,
        "steps": record.steps,
        "notes": record.notes,
        "timing": {"total_s": seconds},
    }
    for key in ("nip", "bond", "solder_float", "dimensional_stability", "curl_sample"):
        if key in record.results:
            summary[key] = record.results[key]
    if case.spec.reference:
        summary["reference"] = case.spec.reference
    return summary


def write_outputs(out: Path, case: Case, state, record, summary) -> None:
    results.write_json(out / "summary.json", summary)
    results.write_pvd(state, record, out)
    if record.snapshots:
        results.plot_stress_profiles(record.snapshots, out / "stress_through_thickness.png")
    results.plot_deformed(state, out / "deformed.png", title=f"{case.name}: after the last step")
    if record.base_curl is not None and record.snapshots:
        first = next(iter(record.snapshots.values()))
        results.plot_deformed(first, out / "deformed_base.png",
                              title=f"{case.name}: single-sided base after cooling")
    results.plot_temperature_history(record, out / "cure_schedule.png")
    for hook in record.results.get("_writers", []):
        hook(out)


def run_case(case_or_path, out_dir, *, progress: bool = False) -> dict:
    """Validate, simulate and write the output folder; returns the summary dict (also summary.json)."""
    case = case_or_path if isinstance(case_or_path, Case) else load_case(case_or_path)
    out = Path(out_dir)
    state, record, summary = simulate(case, progress=progress)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        write_outputs(tmp, case, state, record, summary)
        if out.exists():
            old = out.parent / f".{out.name}.old-{os.getpid()}"
            os.replace(out, old)
            os.replace(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return summary
