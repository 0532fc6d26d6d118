"""case.resolved.toml holds the case as it runs: it loads to the same spec and the same materials.

(That it also runs to the same summary is checked on a real run in test_run_outputs.py.)
"""
import tomllib
from pathlib import Path

import pytest
import tomli_w

from fem_laminate.case import load_case, load_case_dict
from fem_laminate.post.provenance import resolved_case

ROOT = Path(__file__).resolve().parents[2]


def reloaded(case):
    return load_case_dict(tomllib.loads(tomli_w.dumps(resolved_case(case))), "resolved")


def same_case(a, b) -> None:
    assert b.spec.model_dump(exclude={"materials"}) == a.spec.model_dump(exclude={"materials"})
    la, lb = a.full_stack().layers, b.full_stack().layers
    assert [(x.name, x.thickness_m, x.origin) for x in la] == [(x.name, x.thickness_m, x.origin) for x in lb]
    for x, y in zip(la, lb):
        assert x.material == y.material, x.material.name  # every property, law tables included


def test_own_materials_with_a_base_resolve_to_full_tables():
    d = {"name": "own", "initial_temperature_C": 30.0,
         "materials": {"film": {"base": "pi_IV", "cte_per_K": 2.0e-5,  # over a base: a constant CTE
                                "cure_shrinkage": {"shrinkage_per_conversion": 0.03}},  # one key of a law table
                       "pi_I": {"base": "pi_I", "E_GPa": {"value": 8.0, "source": "test"}},  # a library name
                       "unused": {"E_GPa": 1.0, "nu": 0.3, "cte_per_K": 1e-5}},
         "layers": [{"material": "copper_ed", "thickness_um": 18}, {"material": "pi_I", "thickness_um": 10},
                    {"material": "film", "thickness_um": 5, "name": "top_film"}],
         "mesh": {"model": "generalized_plane_strain", "nx": 8},
         "steps": [{"kind": "cool", "from_C": 300, "to_C": 25},
                   {"kind": "bond", "roll_diameter_mm": 100, "roll_width_mm": 300, "temperature_C": 350,
                    "load_kgf": 500, "speed_m_per_min": 1.0}]}
    case = load_case_dict(d, "own.toml")
    resolved = resolved_case(case)
    assert set(resolved["materials"]) == {"copper_ed", "pi_I", "film"}  # the full stack's, the bonded foil's too
    assert "base" not in resolved["materials"]["film"] and resolved["materials"]["film"]["Tg_C"]["source"]
    assert resolved["mesh"]["ny"] == 16 and resolved["steps"][0]["max_step_K"] == 25.0  # defaults written out
    again = reloaded(case)
    same_case(case, again)
    assert again.materials["pi_I"].E_Pa == 8e9 and again.materials["film"].cte_mean_table is None


@pytest.mark.parametrize("name", ["example_1", "example_1_external_mesh", "circuit_lines_small"])
def test_case_files_resolve_to_themselves(name):
    case = load_case(ROOT / "cases" / f"{name}.toml")
    again = reloaded(case)
    if case.spec.mesh.file:  # a file named by the case is written as its absolute path
        assert Path(again.spec.mesh.file).is_absolute()
        again.spec.mesh.file = case.spec.mesh.file
    same_case(case, again)
