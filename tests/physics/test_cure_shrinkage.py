"""The cure shrinkage law (physics/laws/cure_shrinkage.py): its kinetics against the closed form, its vitrification
limit, the stress it builds in a film on a rigid substrate against E/(1 - ν) β Δx, and its data checks."""
import math
from dataclasses import replace

import numpy as np
import pytest

from fem_laminate.errors import CaseError
from fem_laminate.model.materials import Material, load_library
from fem_laminate.model.mesh import layered_mesh_2d
from fem_laminate.model.stack import Layer, Stack
from fem_laminate.physics.fe import elastic
from fem_laminate.physics.laws import check_material, laws_for
from fem_laminate.physics.laws.cure_shrinkage import CureShrinkage
from fem_laminate.physics.models.laminate import cast, give_birth, initial_state
from fem_laminate.physics.models.schedule import change_temperature, hold
from fem_laminate.post import measure

DATA = {"shrinkage_per_conversion": 0.04, "rate_per_s_at_200C": 1e-3, "activation_kJ_per_mol": 130.0,
        "precursor_Tg_C": 130.0, "cured_Tg_C": 380.0}
PI = Material(name="pi", kind="polymer", E_Pa=8e9, nu=0.3, cte_per_K=0.0, law_data={"cure_shrinkage": DATA})
SUB = Material(name="rigid", kind="metal", E_Pa=1e14, nu=0.3, cte_per_K=0.0)


def test_isothermal_kinetics_follow_the_first_order_closed_form():
    """Below vitrification at T: x(t) = x_v - (x_v - x0) exp(-k t), whatever the steps."""
    law = CureShrinkage(PI)
    T = 250.0
    xv, k = law.vitrification_degree(T), law.rate(T)
    r = (250 - 130) / (380 - 130)
    assert xv == pytest.approx(r)  # this table has no lambda: Tg linear in x
    lam = replace(PI, law_data={"cure_shrinkage": {**DATA, "dibenedetto_lambda": 0.4}})
    x = CureShrinkage(lam).vitrification_degree(250.0)
    assert 0.4 * x / (1 - 0.6 * x) == pytest.approx(r, rel=1e-12)  # DiBenedetto's Tg(x) at x_v is T
    assert k == pytest.approx(1e-3 * math.exp(-130e3 / 8.314462618 * (1 / 523.15 - 1 / 473.15)), rel=1e-9)
    h = {"degree": np.zeros(3)}
    for _ in range(7):
        h = law.advance(h, T, T, 100.0)
    assert h["degree"] == pytest.approx(xv * (1 - math.exp(-k * 700.0)), rel=1e-12)


def test_conversion_stops_at_vitrification_and_resumes_above():
    """Held long at 300 C the degree stops at x_v(300) (the reaction waits for the forming Tg); heated to 400 C,
    above the cured Tg, it completes."""
    law = CureShrinkage(PI)
    h = law.advance({"degree": np.zeros(1)}, 300.0, 300.0, 1e7)
    assert h["degree"][0] == pytest.approx(law.vitrification_degree(300.0), rel=1e-9)
    h2 = law.advance(h, 300.0, 300.0, 1e7)
    assert h2["degree"][0] == h["degree"][0]  # vitrified: frozen
    assert law.advance(h, 400.0, 400.0, 1e4)["degree"][0] == pytest.approx(1.0, abs=1e-9)


def _film(on: bool, cured_at: float):
    st = Stack((Layer("sub", SUB, 200e-6, "foil"), Layer("pi", PI, 1e-6, "cast")))
    model = elastic.make_model(layered_mesh_2d(st.interfaces_m, 1e-3, nx=16, n_per_layer=2))
    s = initial_state(st, model, 25.0, mechanisms={"cure_shrinkage": on})
    give_birth(s, [0])
    cast(s, [1])
    change_temperature(s, cured_at, seconds=600.0)
    hold(s, 3600.0)
    give_birth(s, [1])  # the film forms stress-free at the end of the hold
    x0 = float(s.history["cure_shrinkage.degree"][s.layer_of_element == 1].mean()) if on else None
    change_temperature(s, 400.0, seconds=600.0)
    hold(s, 600.0)  # above the cured Tg: the conversion left at vitrification completes
    change_temperature(s, 25.0, seconds=600.0)
    return s, x0


def test_film_on_rigid_substrate_carries_the_shrinkage_left_at_vitrification():
    """An equi-biaxially held film: σ = E/(1 - ν) β (1 - x_v(T_cure)) (no thermal mismatch here), within 1 %;
    a film cured above its cured Tg has nothing left and carries nothing; off: no stress."""
    s, x0 = _film(True, 330.0)
    law = CureShrinkage(PI)
    assert x0 == pytest.approx(law.vitrification_degree(330.0), rel=1e-6)
    sigma = measure.layer_stress_summary(s)["pi"]["stress_xx_centre_MPa"] * 1e6
    expected = PI.E(25.0) / (1 - PI.nu) * DATA["shrinkage_per_conversion"] * (1 - x0)
    assert sigma == pytest.approx(expected, rel=0.01)
    s_full, _ = _film(True, 390.0)
    assert abs(measure.layer_stress_summary(s_full)["pi"]["stress_xx_centre_MPa"]) < 1e-3 * expected / 1e6
    s_off, _ = _film(False, 330.0)
    assert "cure_shrinkage.degree" not in s_off.history
    assert abs(measure.layer_stress_summary(s_off)["pi"]["stress_xx_centre_MPa"]) < 1e-6


def test_a_film_never_cast_does_not_shrink():
    """A bonded film arrives fully imidized (degree 1): heating it converts nothing."""
    st = Stack((Layer("sub", SUB, 200e-6, "foil"), Layer("pi", PI, 1e-6, "bonded")))
    model = elastic.make_model(layered_mesh_2d(st.interfaces_m, 1e-3, nx=8, n_per_layer=2))
    s = initial_state(st, model, 25.0, mechanisms={"cure_shrinkage": True})
    give_birth(s, [0, 1])
    change_temperature(s, 400.0, seconds=600.0)
    change_temperature(s, 25.0, seconds=600.0)
    assert np.all(s.history["cure_shrinkage.degree"] == 1.0)
    assert abs(measure.layer_stress_summary(s)["pi"]["stress_xx_centre_MPa"]) < 1e-6


def test_the_switch_selects_the_law_and_the_library_data_check():
    lib = load_library()
    for m in lib.values():
        check_material(m)
    assert "cure_shrinkage" in [law.name for law in laws_for(lib["pi_I"])]
    assert "cure_shrinkage" not in [law.name for law in laws_for(lib["pi_I"], {"cure_shrinkage": False})]
    assert "cure_shrinkage" not in [law.name for law in laws_for(lib["copper_ed"])]
    # every number of the table names its source
    for name, m in lib.items():
        for key in m.law_data.get("cure_shrinkage", {}):
            assert m.sources[f"cure_shrinkage.{key}"], (name, key)


@pytest.mark.parametrize("table, message", [
    ({**DATA, "precursor_Tg_C": 900.0}, "precursor_Tg_C' = 900.0 is not allowed"),
    ({k: v for k, v in DATA.items() if k != "rate_per_s_at_200C"}, "rate_per_s_at_200C' is missing"),
    ({**DATA, "shrinkage_per_conversoin": 0.01}, "not a known parameter"),
    ({**DATA, "cured_Tg_C": 100.0}, "above precursor_Tg_C"),
])
def test_bad_cure_data_is_refused_in_one_line(table, message):
    with pytest.raises(ValueError, match=message):
        check_material(replace(PI, law_data={"cure_shrinkage": table}))


def test_a_case_with_a_bad_law_table_is_refused_at_load(tmp_path):
    from fem_laminate.case import load_case
    text = (tmp_path / "c.toml")
    src = open("cases/preparation_1.toml").read()
    src += '\n[materials.pi_x]\nbase = "pi_I"\n[materials.pi_x.cure_shrinkag]\nrate_per_s_at_200C = 1e-3\n'
    text.write_text(src)
    with pytest.raises(CaseError, match="materials.pi_x.cure_shrinkag' is not a known law table"):
        load_case(text)


def test_on_example_1_the_shrinkage_leaves_the_base_curl_and_lowers_the_dimensional_change(cases_dir):
    """The cast layers form stress-free at the end of the hold, so the base curl is the same with the law on or
    off; the conversion pi_I completes in the 400 C press shrinks the film, so the JIS C 6481 dimensional change
    falls, the more the larger the shrinkage per conversion (a coarse mesh: this is a trend, not a number)."""
    from fem_laminate.case import load_case_dict
    from fem_laminate.job import simulate
    import tomllib

    d = tomllib.loads((cases_dir / "example_1.toml").read_text())
    d["mesh"]["nx"] = 20
    d["steps"] = [s for s in d["steps"] if s["kind"] in ("cure", "cool", "bond", "dimensional_stability")]
    out = []
    for on, beta in ((False, 0.05), (True, 0.05), (True, 0.10)):
        d["physics"] = {"cure_shrinkage": on}
        d["materials"] = {"pi_I": {"base": "pi_I", "cure_shrinkage": {"shrinkage_per_conversion": beta}}}
        _, _, s = simulate(load_case_dict(d, "example_1.toml"))
        out.append((s["curl"]["curvature_1_per_m"], s["dimensional_change_pct"]))
    # the same to round-off: the shrinkage strain (~5e-2) and its share of ε0 cancel in a system whose condition
    # number turns 1e-16 into ~1e-7 of the curvature
    assert out[1][0] == pytest.approx(out[0][0], rel=1e-5) and out[2][0] == pytest.approx(out[0][0], rel=1e-5)
    assert out[0][1] > out[1][1] > out[2][1]
