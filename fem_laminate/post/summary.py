"""summary.json: what a run reports, assembled from the final state and what the steps recorded."""
from __future__ import annotations

import numpy as np

from ..physics.fe import solvers
from . import measure
from .provenance import package_version

OUT_OF_PLANE_TEXT = {"fixed": "eps_zz = 0", "uniform": "eps_zz uniform (free)",
                     "free": "eps_zz = a + b y (free strain and bending)"}
SIGN_CONVENTION = "positive when the top layer is on the concave side (the sample's ends lift)"


def curl_block(curvature: dict, measured_on: str, **extra) -> dict:
    """The summary's curl block: the curvature entries, what they were measured on, the radius."""
    curl = dict(curvature)
    curl["measured_on"] = measured_on
    curl.update(extra)
    curl["radius_mm"] = measure.radius_mm(curl["curvature_1_per_m"])
    curl["sign_convention"] = SIGN_CONVENTION
    return curl


SMALL_STRAIN = 0.02  # small-strain elasticity: engineering and Green-Lagrange strain differ by ε/2 relative, 1 %


def kinematics_check(state, record) -> dict:
    """Whether small-strain elasticity held for the laminate model: the largest stress-producing (elastic)
    strain component after any step (`measure.peak_elastic_strain`) against SMALL_STRAIN, flagged with a note
    beyond it. The end rotation of the section, |κ| L/2 over every step, is reported beside it: a free 2D section
    in pure bending is an exact arc in either kinematics, so its curvature holds at any rotation; a cut plate at
    large deflection is the curl step's."""
    L = state.model.lmesh.length_m
    kappas = [abs(k) for st in record.steps for k in (st.get("principal_curvatures_1_per_m") or [])]
    strain = record.peak_elastic_strain  # the runner's frame after the last step measured the final state too
    out = {"max_elastic_strain": strain, "strain_limit": SMALL_STRAIN, "valid": strain <= SMALL_STRAIN,
           "max_end_rotation_rad": max(kappas, default=0.0) * L / 2}
    if not out["valid"]:
        out["invalid_reason"] = (f"elastic strains reach {strain:.3g}, beyond small-strain theory ({SMALL_STRAIN}): "
                                 "the numbers are those of the small-strain model")
    return out


def make_summary(case, state, record, summarizers=()) -> dict:
    """The summary.json dict. Steps contribute their blocks through their results (`record.blocks()`);
    `summarizers` are the step kinds' hooks that shape the top-level blocks (the curl block is the stack's after
    the last step unless a hook says otherwise). Nothing here depends on time or machine (timing.json has that),
    so two runs of a case give byte-identical summaries."""
    model = state.model
    curl = curl_block(measure.curvature(state), "stack after the last step", temperature_C=state.T_C)
    blocks = record.blocks()
    summary = {
        "name": case.name,
        "case_file": case.source,
        "fem_laminate_version": package_version(),
        "units": "SI unless the key names another unit",
        "model": {"kind": case.spec.mesh.model, "out_of_plane": OUT_OF_PLANE_TEXT[model.out_of_plane] if model.dim == 2 else None,
                  "element": type(model.basis.elem).__name__, "dofs": int(model.ndofs),
                  "elements": int(model.nelements), "solver": state.solver_used or solvers.default_method(), "solves": state.solves,
                  **({"solver_iterations_max": state.solver_iterations, "solver_residual_max": state.solver_residual}
                     if state.solver_used.startswith("cg") else {}),
                  "kinematics": kinematics_check(state, record)},
        "stack": [{"name": lay.name, "material": lay.material.name, "thickness_um": lay.thickness_m * 1e6,
                   "origin": lay.origin, "born_at_C": state.born_at_C.get(lay.name)} for lay in state.stack.layers],
        "curl": curl,
        "film": blocks.get("film"),
        "dimensional_change_pct": blocks.get("dimensional_change_pct"),
        "layers": peak_layer_stresses(record.steps),
        "steps": record.steps,
        "notes": list(case.notes) + record.notes,
    }
    if not summary["model"]["kinematics"]["valid"]:
        summary["notes"].append(f"model: {summary['model']['kinematics']['invalid_reason']}")
    for key, block in blocks.items():
        summary.setdefault(key, block)
    for hook in summarizers:
        hook(summary, record)
    if case.spec.reference:
        summary["reference"] = case.spec.reference
    return summary


def peak_layer_stresses(steps) -> dict:
    """Per layer, the peak in-plane stresses and von Mises over every step, MPa."""
    peaks = {}
    for st in steps:
        layers = st.get("layers")
        if not isinstance(layers, dict):
            continue
        for name, vals in layers.items():
            p = peaks.setdefault(name, {"material": vals["material"], "stress_xx_max_MPa": -np.inf,
                                        "stress_xx_min_MPa": np.inf, "von_mises_max_MPa": 0.0})
            p["stress_xx_max_MPa"] = max(p["stress_xx_max_MPa"], vals["stress_xx_max_MPa"])
            p["stress_xx_min_MPa"] = min(p["stress_xx_min_MPa"], vals["stress_xx_min_MPa"])
            p["von_mises_max_MPa"] = max(p["von_mises_max_MPa"], vals["von_mises_max_MPa"])
    return peaks
