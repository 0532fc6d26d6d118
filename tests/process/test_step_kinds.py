"""Step kinds declare what they need and do; nothing outside a kind's own module names it.

(a) no module compares a step-kind name outside that kind's module (the case, the stack walk and the sizing ask
    the declarations);
(b) a kind registered at runtime is loaded, walked, sized and run without edits elsewhere;
(c) every bundled kind's declarations (layers brought, added and removed, temperatures, on a copy, results put
    and read) agree with what its run does on Example 1 (with a conditioning, a hold and a curl sample added).
"""
import ast
import copy
import tomllib
from pathlib import Path
from typing import Literal

import pytest
from pydantic import Field

from fem_laminate import process
from fem_laminate.case import load_case_dict
from fem_laminate.errors import CaseError
from fem_laminate.physics.models.schedule import change_temperature
from fem_laminate.process.step import (STEP_KINDS, MaxStep, OwnModel, Strict, StepKind, Temperature,
                                       ensure_started, layers_present_at, register, step_summary, walk)

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "fem_laminate"
EXAMPLE = tomllib.loads((ROOT / "cases" / "example_1.toml").read_text())


# -- (a) no kind names outside their modules ---------------------------------------------------------------
def _about_kind(node) -> bool:
    """Whether an expression reads a step's kind: `st.kind`, `kind`, `kinds`, `st["kind"]`, `st.get("kind")`."""
    for n in ast.walk(node):
        if isinstance(n, ast.Attribute) and n.attr == "kind":
            return True
        if isinstance(n, ast.Name) and "kind" in n.id.lower():
            return True
        if isinstance(n, ast.Constant) and n.value == "kind":
            return True
    return False


def _names_in(node, names) -> set:
    return {n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and n.value in names}


def kind_names_compared(source: str, names, own: str | None = None) -> list[str]:
    """Step-kind names (other than `own`) a module compares a kind with, or lists two or more of together."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(_about_kind(s) for s in sides):
                found += sorted(_names_in(node, names) - {own})
        elif isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            listed = {e.value for e in node.elts if isinstance(e, ast.Constant) and e.value in names}
            if len(listed) >= 2:  # a list of kinds (FORMING_KINDS) is a comparison waiting to happen
                found += sorted(listed - {own})
    return found


def test_the_scan_finds_kind_comparisons():
    names = set(STEP_KINDS)
    assert kind_names_compared('if st.kind == "bond": pass', names) == ["bond"]
    assert kind_names_compared('x = "etch" in kinds', names) == ["etch"]
    assert kind_names_compared('F = ("cure", "cool")\nif st.kind in F: pass', names) == ["cool", "cure"]
    assert kind_names_compared('b = [s for s in steps if s.get("kind") != "curl"]', names) == ["curl"]
    assert kind_names_compared('if st.kind == "bond": pass', names, own="bond") == []
    assert kind_names_compared('if seg.action in ("dry", "hold"): pass', names) == []  # not a step's kind


def test_no_module_compares_a_step_kind_name_outside_its_own():
    names = set(STEP_KINDS)
    bad = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        own = path.stem if rel.parts[0] == "process" and path.stem in names else None
        hits = kind_names_compared(path.read_text(), names, own)
        if hits:
            bad[str(rel)] = hits
    assert not bad, f"step-kind names compared outside their modules: {bad}"


# -- (b) a kind registered at runtime ------------------------------------------------------------------------
class AnnealSpec(Strict):
    kind: Literal["anneal"]
    temperature_C: Temperature
    max_step_K: MaxStep = 25.0


def anneal(state, spec, record):
    ensure_started(state, spec.temperature_C)
    change_temperature(state, spec.temperature_C, spec.max_step_K)
    record.steps.append(step_summary(state, "anneal"))
    return state


ANNEAL = StepKind("anneal", AnnealSpec, anneal, doc="toy: an oven at temperature_C",
                  temperatures=lambda spec: [spec.temperature_C], forms_laminate=True)


class ProbeSpec(Strict):
    kind: Literal["probe"]
    n: int = Field(default=4, ge=1, le=1000)


PROBE = StepKind("probe", ProbeSpec, lambda state, spec, record: state, doc="toy: a model of its own", on_copy=True,
                 own_model=OwnModel(dofs=lambda spec, nl: 10 ** 9 * spec.n * nl, resolution="n", finest=1000,
                                    coarsest=1, describe=lambda spec: "the probe", none_fits="none: no probe fits"))


@pytest.fixture
def toy_kinds():
    for k in (ANNEAL, PROBE):
        register(k)
    yield
    for k in (ANNEAL, PROBE):
        STEP_KINDS.pop(k.name)


def example(steps) -> dict:
    d = copy.deepcopy(EXAMPLE)
    d["steps"] = steps
    d["mesh"].update(nx=16)
    return d


def test_a_kind_registered_at_runtime_loads_walks_sizes_and_runs(toy_kinds):
    from fem_laminate.job import simulate

    s = EXAMPLE["steps"]
    anneal_step = {"kind": "anneal", "temperature_C": 150.0}
    case = load_case_dict(example([s[0], s[1], anneal_step, s[2], s[3], dict(anneal_step, temperature_C=60.0)]))
    assert [st.kind for st in case.steps][2] == "anneal"
    names = [[lay.name for lay in layers_present_at(case, i)] for i in range(len(case.steps) + 1)]
    assert names[3] == names[2] and names[6] == names[5] and "cu_bonded" in names[5]  # adds and removes nothing
    # it forms the laminate: a test may follow it directly
    load_case_dict(example([anneal_step, EXAMPLE["steps"][-1]]))
    # its temperatures count in the thermoelastic increments
    swing = [{"kind": "anneal", "temperature_C": T, "max_step_K": 0.5} for T in [600.0, -100.0] * 4]
    with pytest.raises(CaseError, match="thermoelastic increments"):
        load_case_dict(example([s[0]] + swing))
    # and the run: the laminate ends at the anneal's temperature
    state, record, summary = simulate(case)
    assert state.T_C == 60.0 and summary["steps"][2]["kind"] == "anneal"
    assert [d.added for d in record.history] == [(), (), (), ("cu_bonded",), (), ()]


def test_a_kind_with_a_model_of_its_own_is_sized(toy_kinds):
    s = EXAMPLE["steps"]
    with pytest.raises(CaseError, match=r"steps\.2\.n' = 4 .* the probe has about .* none: no probe fits"):
        load_case_dict(example([s[0], s[1], {"kind": "probe"}]))


def test_an_unregistered_kind_is_refused_again():
    with pytest.raises(CaseError, match="steps.0"):
        load_case_dict(example([{"kind": "anneal", "temperature_C": 150.0}]))


# -- (c) declarations against the runs --------------------------------------------------------------------------
def chain() -> dict:
    """Example 1 on a coarse section with a conditioning, a dry hold and a small curl sample added: every kind."""
    s = {st["kind"]: st for st in EXAMPLE["steps"]}
    steps = [EXAMPLE["steps"][k] for k in range(4)]  # cure, cool, bond, cool
    steps += [{"kind": "condition", "temperature_C": 21.0, "rh_pct": 50.0, "hours": 4.0},
              {"kind": "hold", "temperature_C": 150.0, "minutes": 30.0},
              {"kind": "cool", "from_C": 150.0, "to_C": 25.0},
              {"kind": "curl", "length_mm": 10.0, "width_mm": 10.0, "n_inplane": 2},
              s["solder_float"], s["pressure_cooker"], s["dimensional_stability"], s["peel"], s["etch"], s["tma"]]
    return example(steps)


def test_every_kind_is_in_the_chain():
    assert {st["kind"] for st in chain()["steps"]} == set(STEP_KINDS)


def test_declarations_agree_with_the_runs():
    from fem_laminate.job import build_state

    case = load_case_dict(chain())
    stack = case.full_stack().layers
    predicted = walk(stack, case.steps)
    state, record = build_state(case), process.Record()
    assert state.stack.layers == stack  # the full stack: the base and every step's new_layers
    results = {k.result for k in STEP_KINDS.values() if k.result is not None}
    for k, spec in enumerate(case.steps):
        kind = STEP_KINDS[spec.kind]
        assert set(kind.reads) <= results, f"{kind.name} reads a result no kind puts"
        T0, active0, n = state.T_C, state.active.copy(), len(record.results)
        state = kind.run(state, spec, record)
        put = record.results[n:]
        assert all(type(r) is kind.result for r in put), f"{kind.name} put {put} (declared {kind.result})"
        if kind.result is not None:
            assert put, f"{kind.name} declares {kind.result.__name__} and put nothing"
        present = [state.stack.layers[i].name for i in state.active_layers()]
        assert present == [lay.name for lay in predicted[k + 1]], f"layers after step {k} ({kind.name})"
        if kind.on_copy:
            assert state.T_C == T0 and (state.active == active0).all(), f"{kind.name} changed the laminate"
        elif kind.temperatures(spec):
            assert state.T_C == pytest.approx(kind.temperatures(spec)[-1]), f"{kind.name} ends elsewhere"
        else:
            assert state.T_C == T0, f"{kind.name} declares no temperature and changed it"
        if kind.forms_laminate:
            assert state.active.any()
