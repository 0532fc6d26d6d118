"""External meshes through meshio: layers from physical groups give the same answer as the built-in mesher."""
from pathlib import Path

import pytest

from fem_laminate.case import CaseError, load_case_dict
from fem_laminate.job import simulate
from fem_laminate.model.mesh import layered_mesh_3d
from fem_laminate.model.mesh_io import load_layered_mesh, write_layered_mesh

ROOT = Path(__file__).resolve().parents[2]


def _case(mesh):
    return {
        "name": "mesh io",
        "layers": [{"material": "copper_ed", "thickness_um": 35}, {"material": "pi_I", "thickness_um": 24},
                   {"material": "pi_IV", "thickness_um": 6}],
        "mesh": mesh,
        "steps": [{"kind": "cool", "from_C": 350, "to_C": 25},
                  {"kind": "bond", "roll_diameter_mm": 100, "roll_width_mm": 300, "temperature_C": 400,
                   "load_kgf": 1500, "speed_m_per_min": 0.2, "nip_method": "none"},
                  {"kind": "cool", "from_C": 400, "to_C": 25}],
    }


def test_bundled_gmsh_mesh_matches_generated_mesh():
    ext = simulate(load_case_dict(_case({"model": "generalized_plane_strain", "file": str(ROOT / "meshes" / "example_1_2d.msh")}), "ext.toml"))[2]
    gen = simulate(load_case_dict(_case({"model": "generalized_plane_strain", "nx": 60, "n_per_layer": 2, "length_mm": 10}), "gen.toml"))[2]
    assert ext["model"]["dofs"] == gen["model"]["dofs"]
    for key in ("curvature_1_per_m",):
        assert ext["curl"][key] == pytest.approx(gen["curl"][key], rel=1e-9)
    assert ext["steps"][-1]["curvature_1_per_m"] == pytest.approx(gen["steps"][-1]["curvature_1_per_m"], rel=1e-9)


def test_3d_mesh_roundtrip(tmp_path):
    case = load_case_dict(_case({"model": "plate3d"}), "c.toml")
    stack = case.full_stack()
    lm = layered_mesh_3d(stack.interfaces_m, 2e-3, 3e-3, 4, 6)
    write_layered_mesh(lm, [lay.name for lay in stack.layers], tmp_path / "p.msh")
    back = load_layered_mesh(str(tmp_path / "p.msh"), stack, "c.toml")
    assert (back.layer == lm.layer).all()
    assert back.width_m == pytest.approx(3e-3)


def test_mesh_with_unnamed_groups_is_refused(tmp_path):
    case = load_case_dict(_case({"model": "plate3d"}), "c.toml")
    stack = case.full_stack()
    lm = layered_mesh_3d(stack.interfaces_m, 2e-3, 2e-3, 2, 2)
    write_layered_mesh(lm, ["a", "b", "c", "d"], tmp_path / "bad.msh")
    with pytest.raises(CaseError, match="no layer group"):
        load_layered_mesh(str(tmp_path / "bad.msh"), stack, "c.toml")
