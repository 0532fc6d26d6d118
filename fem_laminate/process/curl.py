"""Curl of a sample cut from the laminate as it is at this point of the step list (large deflection).

After the cure's `cool` it is the single-sided base, after the bond's `cool` the double-sided laminate, after an
`etch` the etched one. Each present layer's in-plane stress-free strain (mid-plane value and gradient) loads the
cut sample (physics/models/curl.py: total-Lagrangian Hex27 with MITC9 tying, Newton with load steps, table, weight).

Puts a CurlResult: an entry in ``curl_sample`` (and in steps[]); the ``curl`` block quotes the sample cut from
the base it speaks of; files ``curl/curl_sample.vtu|png`` (``curl_<k>/`` for the k-th sample).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import Field

from ..errors import CaseError
from ..physics.models.curl import curl_sample
from ..post.measure import layer_mismatch_profile
from .cool import CoolResult
from .etch import EtchResult
from .step import OwnModel, Strict, StepKind, layers_present_at, require_formed


class Spec(Strict):
    kind: Literal["curl"]
    length_mm: float = Field(default=100.0, ge=0.1, le=2000.0)
    width_mm: float = Field(default=100.0, ge=0.1, le=2000.0)
    shape: Literal["rectangle", "disc"] = "rectangle"
    table: bool = True
    gravity: bool = False
    n_inplane: int = Field(default=8, ge=2, le=64)  # quadratic hexes along each half side (converged by ~6)
    flat_lift_mm: float = Field(default=0.5, ge=0.0, le=100.0)  # below this lift the sample counts as flat


@dataclass(frozen=True)
class CurlResult:
    """One cut sample's curl (its summary entry: lift, curvatures, what it was cut from)."""
    sample: dict

    def blocks(self) -> dict:
        return {"curl_sample": [self.sample]}


def curl_dofs(n_inplane: int, length_mm: float, width_mm: float, shape: str, nlayers: int) -> int:
    """DOFs of the quarter-sample Hex27 model of physics/models/curl.py (one element per layer through the thickness)."""
    ny = max(2, int(round(n_inplane * (length_mm if shape == "disc" else width_mm) / length_mm)))
    return 3 * (2 * n_inplane + 1) * (2 * ny + 1) * (2 * nlayers + 1)


SAMPLE_MODEL = OwnModel(
    dofs=lambda spec, nlayers: curl_dofs(spec.n_inplane, spec.length_mm, spec.width_mm, spec.shape, nlayers),
    resolution="n_inplane", finest=64, coarsest=2,
    describe=lambda spec: f"the {spec.length_mm:g} x {spec.width_mm:g} mm sample",
    none_fits="none: make the sample less elongated (width/length)")


def check(spec, case, index: int) -> None:
    require_formed(case, index, "curl")
    where = f"{case.source}: field 'steps.{index}.gravity' = True is not allowed"
    if spec.gravity and not spec.table:
        raise CaseError(f"{where} with table = false: a free sample under its weight has no equilibrium (set "
                        "table = true or gravity = false)")
    present = layers_present_at(case, index)
    if spec.gravity:
        light = [lay.material.name for lay in present if lay.material.density_kg_per_m3 is None]
        if light:
            raise CaseError(f"{where}: material {light[0]!r} has no density_kg_per_m3 (give one under [materials])")
    if len(present) < 2:
        raise CaseError(f"{case.source}: field 'steps.{index}.kind' = 'curl' is not allowed here: a single layer "
                        "has no mismatch to curl")


def _cut_from(record) -> str:
    """What the sample is cut from: the base or the laminate (a step has added layers), etched or not (since
    then a step removed layers or etched a pattern)."""
    added = [k for k, done in enumerate(record.history) if done.added]
    bonded = bool(added)
    since = record.history[added[0]:] if bonded else record.history
    etched = any(done.removed or any(isinstance(r, EtchResult) for r in done.results) for done in since)
    if bonded:
        return "etched laminate" if etched else "double-sided laminate"
    return "etched base" if etched else "single-sided base"


def run(state, spec, record):
    present = state.active_layers()
    layers = [(state.stack.layers[i].material, state.stack.layers[i].thickness_m) for i in present]
    strains, gradients = layer_mismatch_profile(state)
    res = curl_sample(layers, strains, state.T_C, spec.length_mm * 1e-3, spec.width_mm * 1e-3,
                      shape=spec.shape, table=spec.table, gravity=spec.gravity, n_inplane=spec.n_inplane,
                      flat_lift_m=spec.flat_lift_mm * 1e-3, gradient_per_m=gradients)
    k = len(record.all(CurlResult))
    record.output("curl", (k, res))
    out = {"corner_lift_mm": res.corner_lift_m * 1e3, "shape": res.shape,
           "principal_curvatures_1_per_m": list(res.principal_curvatures_1_per_m),
           "centre_curvatures_1_per_m": list(res.centre_curvatures_1_per_m),
           "linear_curvature_1_per_m": res.linear_curvature_1_per_m,
           "length_mm": spec.length_mm, "width_mm": spec.width_mm, "sample_shape": spec.shape, "table": spec.table,
           "gravity": spec.gravity,
           "layers": [state.stack.layers[i].name for i in present], "temperature_C": state.T_C,
           "converged": res.converged, "message": res.message, "dofs": res.ndofs,
           "cut_from": _cut_from(record)}
    record.timing.append({"kind": "curl", "sample": k, "seconds": res.seconds})
    if not res.converged:
        record.notes.append(f"curl: {res.message}")
    record.put(CurlResult(out))
    record.steps.append({"kind": "curl", **out})
    return state


def summarize(summary: dict, record) -> None:
    """The curl block quotes the sample cut from what it is measured on (the base) if there is one, else the
    last sample; every curl step's own result is in steps[]."""
    samples = [r.sample for r in record.all(CurlResult)]
    if not samples:
        return
    curl = summary["curl"]
    on_base = [r for r in samples if r.get("cut_from") == "single-sided base"]
    base_curl = any(r.of_base for r in record.all(CoolResult))  # the curl block speaks of the base
    last = on_base[0] if base_curl and on_base else samples[-1]
    curl["corner_lift_mm"] = last["corner_lift_mm"]
    curl["shape"] = last["shape"]
    curl["principal_curvatures_1_per_m"] = last["principal_curvatures_1_per_m"]
    curl["large_deflection_sample"] = {k: last.get(k) for k in ("cut_from", "length_mm", "width_mm", "sample_shape",
                                                                 "table", "gravity", "layers", "temperature_C")}


def write(out: Path, payload) -> None:
    from ..post.curl_output import write_curl_outputs

    k, res = payload
    write_curl_outputs(res, Path(out) / (f"curl_{k}" if k else "curl"))


KIND = StepKind("curl", Spec, run, check=check, write=write, summarize=summarize,
                doc="large-deflection curl of a sample cut from the laminate as it is",
                on_copy=True, reads=(CoolResult, EtchResult), result=CurlResult, own_model=SAMPLE_MODEL)
