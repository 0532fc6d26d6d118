"""The peel over every bundled stack: whichever interface fails, the force is finite and positive, never falls when
an interface gets tougher, and names an interface of the stack (process/peel.failing_interface, closed form).

Hypothesis, derandomized: toughness 1-2000 J/m^2 on each interface of the peel path, angle 30-180 deg, the peeled
foil 5-70 um. The stacks are built once (the case's full stack, the foil thickness replaced per draw).
"""
import functools
import math
from dataclasses import replace
from pathlib import Path

import tomllib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fem_laminate.case import load_case
from fem_laminate.model.interfaces import pair_key
from fem_laminate.process import peel as pp

ROOT = Path(__file__).resolve().parents[2]
PEEL_CASES = sorted(p.stem for p in (ROOT / "cases").glob("*.toml")
                    if any(s.get("kind") == "peel" for s in tomllib.loads(p.read_text()).get("steps", [])))
# one case per distinct stack of materials (the 3D and external-mesh variants repeat Example 1's layers)
STACKS = {}
for _name in PEEL_CASES:
    _d = tomllib.loads((ROOT / "cases" / f"{_name}.toml").read_text())
    STACKS.setdefault(tuple((lay["material"], lay["thickness_um"]) for lay in _d["layers"]), _name)


@functools.lru_cache(maxsize=None)
def _layers(name: str):
    return tuple(load_case(ROOT / "cases" / f"{name}.toml").full_stack().layers)


def _with_foil(layers, foil_um: float):
    return list(layers[:-1]) + [replace(layers[-1], thickness_m=foil_um * 1e-6)]


def _peel_force(layers, tough, angle):
    failing, forces = pp.failing_interface(layers, tough, angle, 25.0)
    return failing, forces[failing]


@settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(case=st.sampled_from(sorted(STACKS.values())),
       G=st.lists(st.floats(1.0, 2000.0), min_size=6, max_size=6),
       angle=st.floats(30.0, 180.0), foil_um=st.floats(5.0, 70.0),
       which=st.integers(0, 5), factor=st.floats(1.05, 3.0))
def test_peel_force_is_finite_positive_monotone_and_names_an_interface(case, G, angle, foil_um, which, factor):
    layers = _with_foil(_layers(case), foil_um)
    path = pp.peel_path(layers)
    tough = dict(zip(path, G))
    failing, F = _peel_force(layers, tough, angle)
    assert math.isfinite(F) and F > 0.0
    pairs = {f"{lo.name}/{hi.name}": pair_key(lo.material.name, hi.material.name)
             for lo, hi in zip(layers[:-1], layers[1:])}
    assert failing in path and pairs[failing] in set(pairs.values())
    # the step's own path on the failing interface (closed form, its range checks): a force or a null with a reason
    arm, found = pp.arm_and_foundation(layers, failing, 25.0)
    res, _ = pp.peel_arm(arm, found, tough[failing], pp.Spec(kind="peel", method="analytic", angle_deg=angle))
    assert (res["force_N_per_mm"] is None and res["peel_null_reason"]) or (
        math.isfinite(res["force_N_per_mm"]) and res["force_N_per_mm"] > 0.0)
    bumped = path[which % len(path)]
    tougher = {**tough, bumped: tough[bumped] * factor}
    _, F2 = _peel_force(layers, tougher, angle)
    assert F2 >= F * (1.0 - 1e-9), (case, bumped, F, F2)
