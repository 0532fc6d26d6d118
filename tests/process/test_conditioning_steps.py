"""Issue-13 input: material keys, [physics] switches and the new step kinds refuse bad values in one line."""
import tomllib

import pytest

from fem_laminate.case import CaseError, load_case_dict


def _example(cases_dir):
    return tomllib.loads((cases_dir / "example_1.toml").read_text())


@pytest.mark.parametrize("mutate, fragment", [
    (lambda d: d.setdefault("materials", {}).update(x={"base": "pi_IV", "prony": [{"g": 0.7, "tau_s": 1.0},
                                                                                 {"g": 0.5, "tau_s": 9.0}]}),
     "sum of g below 1"),
    (lambda d: d.setdefault("materials", {}).update(x={"base": "pi_IV", "prony": [{"g": 0.3}]}), "tau_s"),
    (lambda d: d.setdefault("materials", {}).update(x={"base": "pi_IV", "moisture_saturation_wt_pct_per_rh_pct": 5}),
     "moisture_saturation_wt_pct_per_rh_pct"),
    (lambda d: d.update(physics={"moisture": True, "creep": True}), "physics: unknown field 'creep' (did you mean 'copper_creep'?)"),
    (lambda d: d["steps"].append({"kind": "condition", "temperature_C": 21, "rh_pct": 120, "hours": 4}), "rh_pct"),
    (lambda d: d["steps"].append({"kind": "hold", "temperature_C": 150, "minutes": -1}), "minutes"),
    (lambda d: d["steps"][1].update(minutes=0), "minutes"),
])
def test_bad_issue13_input_is_one_line(mutate, fragment, cases_dir):
    d = _example(cases_dir)
    mutate(d)
    with pytest.raises(CaseError) as exc:
        load_case_dict(d, "case.toml")
    msg = str(exc.value)
    assert "\n" not in msg and fragment in msg


def test_physics_defaults_to_the_full_model(cases_dir):
    case = load_case_dict(_example(cases_dir), "case.toml")
    assert case.spec.physics.model_dump() == {"viscoelastic": True, "copper_plasticity": True, "copper_creep": True,
                                                "moisture": True, "cure_shrinkage": True}
