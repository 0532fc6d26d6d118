"""The mesh model names (issue 10 item 6): plane strain means eps_zz = 0; old cases are told what to write."""
import tomllib

import pytest

from fem_laminate.case import CaseError, load_case_dict, out_of_plane


def _example(cases_dir):
    return tomllib.loads((cases_dir / "example_1.toml").read_text())


def test_every_bundled_2d_case_says_its_model(cases_dir):
    for path in sorted(cases_dir.glob("*.toml")):
        mesh = tomllib.loads(path.read_text())["mesh"]
        assert mesh["model"] in ("generalized_plane_strain", "plate3d"), path.name


def test_a_case_without_a_model_is_told_what_to_write(cases_dir):
    d = _example(cases_dir)
    del d["mesh"]["model"]
    with pytest.raises(CaseError, match="mesh.model.*missing.*generalized_plane_strain.*former default"):
        load_case_dict(d, "old.toml")


@pytest.mark.parametrize("old, new", [("free", "generalized_plane_strain"), ("fixed", "model = 'plane_strain'"),
                                      ("uniform", "out_of_plane = 'uniform'")])
def test_old_out_of_plane_spellings_are_refused_with_the_new_one(cases_dir, old, new):
    d = _example(cases_dir)
    d["mesh"].update(model="plane_strain", out_of_plane=old)
    with pytest.raises(CaseError) as exc:
        load_case_dict(d, "old.toml")
    msg = str(exc.value)
    assert "\n" not in msg and "mesh.out_of_plane" in msg and new in msg


def test_plane_strain_is_eps_zz_zero_and_says_so(cases_dir):
    d = _example(cases_dir)
    d["mesh"]["model"] = "plane_strain"
    case = load_case_dict(d, "ps.toml")
    assert out_of_plane(case.spec.mesh) == "fixed"
    assert any("eps_zz = 0" in n and "generalized_plane_strain" in n for n in case.notes)


@pytest.mark.parametrize("mesh, expected", [({"model": "generalized_plane_strain"}, "free"),
                                            ({"model": "generalized_plane_strain", "out_of_plane": "bending"}, "free"),
                                            ({"model": "generalized_plane_strain", "out_of_plane": "uniform"}, "uniform")])
def test_generalized_plane_strain_variants(cases_dir, mesh, expected):
    d = _example(cases_dir)
    d["mesh"] = {**{k: v for k, v in d["mesh"].items() if k not in ("model", "out_of_plane")}, **mesh}
    assert out_of_plane(load_case_dict(d, "g.toml").spec.mesh) == expected
    assert not load_case_dict(d, "g.toml").notes
