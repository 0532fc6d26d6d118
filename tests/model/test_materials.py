"""The material library: provenance of every number, and the temperature behaviour the physics relies on."""
import numpy as np
import pytest

from fem_laminate.model.materials import library_sources, load_library


def test_every_number_names_its_source():
    for name, props in library_sources().items():
        flat = dict(props)
        for table, sub in props.items():  # a law's own data table, [<material>.<law>]
            if isinstance(sub, dict) and "value" not in sub:
                flat.pop(table)
                flat.update({f"{table}.{k}": v for k, v in sub.items()})
        for key, v in flat.items():
            if key in ("kind", "description"):
                continue
            assert isinstance(v, dict) and {"value", "source"} <= set(v), f"{name}.{key} must be {{value, source}}"
            assert len(v["source"].strip()) > 8, f"{name}.{key} has no real source"
            # and an uncertainty with its reason: exactly one of sd, range, sd_rel (the loader checks the numbers)
            assert set(v) - {"value", "source"} in ({"sd", "uncertainty"}, {"range", "uncertainty"},
                                                     {"sd_rel", "uncertainty"}), f"{name}.{key} has no uncertainty"
            assert len(v["uncertainty"].strip()) > 8, f"{name}.{key}: the uncertainty gives no reason"


@pytest.mark.parametrize("entry, words", [
    ({"value": 3.0, "source": "x", "sd": -1.0, "uncertainty": "why"}, "E_GPa.sd"),
    ({"value": 3.0, "source": "x", "range": [4.0, 5.0], "uncertainty": "why"}, "E_GPa.range"),
    ({"value": 3.0, "source": "x", "sd": 0.3}, "E_GPa.uncertainty"),
    ({"value": 3.0, "source": "x", "sd": 0.3, "range": [1.0, 4.0], "uncertainty": "why"}, "exactly one"),
    ({"value": 3.0, "source": "x", "sigma": 0.3}, "optional: one of sd, range, sd_rel"),
])
def test_uncertainty_fields_are_checked(entry, words):
    from fem_laminate.model.materials import material_from_dict

    with pytest.raises(ValueError, match=words):
        material_from_dict("m", {"base": "pi_II", "E_GPa": entry}, load_library()["pi_II"])
    ok = {"value": 3.0, "source": "x", "range": [2.0, 4.0], "uncertainty": "the class's spread"}
    assert material_from_dict("m", {"E_GPa": ok}, load_library()["pi_II"]).E_Pa == 3.0e9


def test_patent_ctes_and_tgs_are_the_preparation_examples():
    lib = load_library()
    # the numbers the patent gives (Preparation examples 1-7, Table 1) and nothing else
    for name, cte in {"pi_I": 1.5e-5, "pi_II": 3.3e-5, "pi_III": 3.3e-5, "pi_IV": 3.1e-5, "pi_V": 0.8e-5,
                      "pi_VI": 1.2e-5, "pi_VII": 5.0e-5}.items():
        assert lib[name].cte(175.0) == pytest.approx(cte, rel=1e-9)
    assert lib["pi_II"].Tg_C == 290 and lib["pi_IV"].Tg_C == 300 and lib["pi_VII"].Tg_C == 280
    assert lib["pi_I"].Tg_C is None and lib["pi_III"].Tg_C is None and lib["pi_V"].Tg_C is None


def test_thermoplastic_modulus_drops_through_tg():
    m = load_library()["pi_IV"]
    E = m.E([250.0, 300.0, 350.0])
    assert E[0] > 0.9 * m.E_Pa * (1 + m.dE_rel_per_K * 225)
    assert E[2] < 0.02 * E[0]
    assert E[0] > E[1] > E[2]
    assert m.is_rubbery(300.0) and not m.is_rubbery(299.9)


def test_copper_follows_the_mean_cte_table():
    cu = load_library()["copper_ed"]
    # mean CTE from 20 C (copper.org): strain(T) - strain(20 C) = alpha_mean(T) (T - 20)
    for T, a in ((100.0, 16.8e-6), (200.0, 17.3e-6), (300.0, 17.7e-6)):
        assert cu.thermal_strain(T) - cu.thermal_strain(20.0) == pytest.approx(a * (T - 20.0), rel=1e-9)
    assert np.all(np.diff(cu.thermal_strain(np.linspace(20, 400, 50))) > 0)


@pytest.mark.parametrize("data_file", ["bonding.toml", "criteria.toml"])
def test_every_number_of_the_other_data_files_has_an_uncertainty(data_file):
    import tomllib
    from importlib import resources

    from fem_laminate.model.materials import check_uncertainty

    raw = tomllib.loads(resources.files("fem_laminate").joinpath(f"data/{data_file}").read_text())

    def entries(node, prefix=""):
        for k, v in node.items():
            if isinstance(v, dict) and "value" in v:
                yield prefix + k, v
            elif isinstance(v, dict):
                yield from entries(v, f"{prefix}{k}.")

    found = list(entries(raw))
    assert found
    for key, v in found:
        if isinstance(v["value"], bool):
            continue  # a switch, not a number
        assert "uncertainty" in v and any(k in v for k in ("sd", "range")), f"{data_file}: {key} has no uncertainty"
        check_uncertainty(key, v)  # sd > 0, a range holding the value, a reason


def test_materials_sources_lists_every_number_with_its_spread():
    from click.testing import CliRunner

    from fem_laminate.cli import main

    res = CliRunner().invoke(main, ["materials", "--sources"])
    assert res.exit_code == 0, res.output
    assert "E_GPa = 116.0 in [115, 117]" in res.output
    assert "cure_shrinkage.shrinkage_per_conversion = 0.05 in [0.02, 0.15]" in res.output  # a law's table too
