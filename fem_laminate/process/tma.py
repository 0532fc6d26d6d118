"""Film CTE by TMA as the patent defines it: expansion from from_C to to_C over the length at 25 C and the span.

A test: it works on a copy of the laminate and adds ``film`` to the summary.

With viscoelastic layers ([physics] viscoelastic) the test is the instrument's: the film is heated at
`rate_K_per_min` (5 K/min, the heating rate of ASTM E831 for linear thermal expansion by TMA) under a small
tensile load (`load_N` on a strip `sample_width_mm` wide: film TMA runs in tension with a few grams to keep the
strip straight; 0.05 N on 4 mm is an assumption of that order), so creep of a layer nearing its Tg reads as
expansion, as in a real trace. With viscoelasticity off it is today's quasi-static, unloaded measurement.

What the trace holds. The strain the marks show between from_C and to_C (``measured_strain``) is split into
- ``thermal_strain``: the same scan, same rate, with no load (a companion run): the free expansion the test is
  meant to measure;
- ``load_elastic_strain``: the change over the window of the load's instantaneous strain, read as the
  instrument would, by unloading a copy of the sample in no time at from_C and at to_C (the glassy compliance,
  which grows as the modulus falls with temperature);
- ``creep_strain``: the rest, the time-dependent strain the load added during the scan.
For linear viscoelastic layers (the Prony law) the loaded scan is exactly the unloaded one plus the load's
response (superposition), so the split is exact; with a yielding foil still present it is approximate.

Validity. The scan is invalid (``valid`` false, the CTE null, ``invalid_reason`` and a note) when the load's
elastic strain or its creep is more than LOAD_SHARE_LIMIT (10 %) of the thermal expansion: ASTM E831 asks for a
load that does not deform the specimen; 10 % is where the load's share would change a CTE quoted to two
digits (the patent quotes 1.2e-5/K) in its second digit by at least one, i.e. the number would no longer be the
film's. The default 0.05 N load on the patent films is below 1 % of it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..errors import CaseError
from pydantic import Field

from ..physics.models.laminate import apply_uniaxial_load, increment, relaxing_layers
from ..physics.models.schedule import change_temperature
from ..post import measure
from .step import Report, Strict, StepKind, Temperature, layers_present_at, metal_layers, require_formed

LOAD_SHARE_LIMIT = 0.10  # largest elastic or creep strain of the load, as a fraction of the thermal expansion


@dataclass(frozen=True)
class FilmResult(Report):
    """The film's CTE as the patent measures it (summary block ``film``)."""
    key = "film"


class Spec(Strict):
    kind: Literal["tma"]
    from_C: Temperature = 100.0
    to_C: Temperature = 250.0
    reference_C: Temperature = 25.0
    rate_K_per_min: float = Field(default=5.0, gt=0.0, le=100.0)  # ASTM E831
    load_N: float = Field(default=0.05, ge=0.0, le=10.0)  # tensile load on the strip (assumption)
    sample_width_mm: float = Field(default=4.0, gt=0.0, le=100.0)


def check(spec, case, index: int) -> None:
    require_formed(case, index, "tma")
    if not spec.to_C > spec.from_C:
        raise CaseError(f"{case.source}: field 'steps.{index}.to_C' = {spec.to_C!r} is not allowed: must be above "
                        f"from_C ({spec.from_C})")
    if not any(not lay.material.is_metal for lay in layers_present_at(case, index)):
        raise CaseError(f"{case.source}: field 'steps.{index}.kind' = 'tma' is not allowed here: no polymer film "
                        "is present to measure")


def load_stress_Pa(state, spec, layers) -> float:
    """The load over the strip's cross-section (every present layer carries it)."""
    thick = sum(state.stack.layers[i].thickness_m for i in layers)
    return spec.load_N / (spec.sample_width_mm * 1e-3 * thick)


def elastic_recovery(state, layers) -> float:
    """Length the marks lose when the load comes off in no time (a copy: the scan goes on loaded)."""
    c = state.copy()
    apply_uniaxial_load(c, 0.0, layers)
    increment(c, c.T_C, c.T_C, 0.0)  # dt = 0: the glassy (instantaneous) response, the history kept
    return measure.mark_distance(state, layers) - measure.mark_distance(c, layers)


def scan(state, spec, layers, stress_Pa: float | None) -> dict:
    """Mount a copy at reference_C (loaded with stress_Pa, None: quasi-static and unloaded) and heat it through
    the window; lengths at reference_C, from_C, to_C and, loaded, the load's elastic part at from_C and to_C."""
    s = state.copy()
    change_temperature(s, spec.reference_C)
    timed = stress_Pa is not None
    if stress_Pa:
        apply_uniaxial_load(s, stress_Pa, layers)
        change_temperature(s, spec.reference_C, seconds=0.0)  # the sample mounted and loaded at reference_C
    rate = spec.rate_K_per_min / 60.0
    out = {"L_ref": measure.mark_distance(s, layers), "elastic": [0.0, 0.0]}
    n0 = s.increments
    for k, T in enumerate((spec.from_C, spec.to_C)):
        change_temperature(s, T, seconds=abs(T - s.T_C) / rate if timed else None)
        out[k] = measure.mark_distance(s, layers)
        if stress_Pa:
            out["elastic"][k] = elastic_recovery(s, layers)
    out["increments"] = s.increments - n0
    return out


def strain_parts(loaded: dict, free: dict) -> dict:
    """The window's strain: measured (the loaded trace), thermal (the unloaded one), the load's elastic change
    and its creep (the rest of what the load added)."""
    measured = (loaded[1] - loaded[0]) / loaded["L_ref"]
    thermal = (free[1] - free[0]) / free["L_ref"]
    elastic = (loaded["elastic"][1] - loaded["elastic"][0]) / loaded["L_ref"]
    return {"measured_strain": measured, "thermal_strain": thermal, "load_elastic_strain": elastic,
            "creep_strain": measured - thermal - elastic}


def _percent(x: float) -> str:
    return f"{x * 100:.0f} %" if x >= 1.0 else f"{x * 100:.2g} %"


def invalid_reason(parts: dict, limit: float = LOAD_SHARE_LIMIT) -> str | None:
    """Why the scan does not measure the film's expansion (None: it does): the load's elastic strain or its creep
    over the window exceeds `limit` of the thermal expansion."""
    thermal = abs(parts["thermal_strain"])
    for name, key in (("creep", "creep_strain"), ("elastic strain", "load_elastic_strain")):
        if abs(parts[key]) > limit * thermal:
            share = _percent(abs(parts[key]) / thermal) if thermal else "all"
            return (f"the load's {name} over the window ({parts[key]:.3g}) is {share} of the thermal expansion "
                    f"({parts['thermal_strain']:.3g}), above the {limit * 100:g} % limit: lower load_N")
    return None


def run(state, spec, record):
    if metal_layers(state):
        record.notes.append("tma: metal foil still present; the CTE reported is that of the laminate")
    layers = state.active_layers()
    instrument = bool(relaxing_layers(state))
    extra = {"mode": "quasi-static, unloaded"}
    stress = None
    if instrument:
        stress = load_stress_Pa(state, spec, layers)
        extra = {"mode": "instrument: heated at rate under tensile load", "rate_K_per_min": spec.rate_K_per_min,
                 "load_N": spec.load_N, "load_stress_MPa": stress / 1e6}
    loaded = scan(state, spec, layers, stress)
    free = scan(state, spec, layers, 0.0) if stress else loaded  # the companion run: same scan, no load
    parts = strain_parts(loaded, free)
    why = invalid_reason(parts)
    cte = None if why else parts["measured_strain"] / (spec.to_C - spec.from_C)
    res = {"cte_per_K": cte, "cte_ppm_per_K": None if cte is None else cte * 1e6, "valid": why is None,
           "invalid_reason": why, **parts, "load_share_limit": LOAD_SHARE_LIMIT, "from_C": spec.from_C,
           "to_C": spec.to_C, "reference_C": spec.reference_C,
           "layers": [state.stack.layers[i].name for i in layers], **extra}
    if instrument:
        res["increments"] = loaded["increments"]
    if why:
        record.notes.append(f"tma: scan invalid, film CTE not reported: {why}")
    record.report("tma", FilmResult(res))
    return state


KIND = StepKind("tma", Spec, run, check=check, doc="film CTE (from_C, to_C, default 100 -> 250 C)",
                temperatures=lambda spec: [spec.reference_C, spec.from_C, spec.to_C], on_copy=True,
                result=FilmResult)
