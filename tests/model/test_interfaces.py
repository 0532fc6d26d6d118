"""The interface table: keys, the class fallback, inline overrides, one-line errors; what the peel, bond and
pressure cooker read from it; the failing-interface rule and its limits (closed forms)."""
import math
import tomllib
from dataclasses import replace
from pathlib import Path

import pytest

from fem_laminate.analytic import peel as ap
from fem_laminate.case import load_case, load_case_dict
from fem_laminate.errors import CaseError
from fem_laminate.model.interfaces import FIELDS, library_table, pair_key
from fem_laminate.model.materials import load_library
from fem_laminate.model.stack import Layer
from fem_laminate.physics.correlations import bonding as bd
from fem_laminate.physics.laws.layer_views import arm_layer
from fem_laminate.process import peel as pp

ROOT = Path(__file__).resolve().parents[2]


def _case(**extra) -> dict:
    d = tomllib.loads((ROOT / "cases" / "example_1.toml").read_text())
    d.update(extra)
    return d


# -- the table -------------------------------------------------------------------------------------------
def test_pair_key_is_alphabetical_and_every_bundled_interface_has_its_own_entry():
    assert pair_key("pi_IV", "copper_ed") == pair_key("copper_ed", "pi_IV") == "copper_ed|pi_IV"
    table, lib = library_table(), load_library()
    for path in (ROOT / "cases").glob("*.toml"):  # the stacks as written (a large mesh need not fit here)
        d = tomllib.loads(path.read_text())
        names = [lay["material"] for lay in d["layers"]]
        for step in d["steps"]:
            if step["kind"] == "bond":
                names += names[::-1] if step.get("mirror_base") else [step.get("foil_material", "copper_ed")]
        for lo, hi in zip(names[:-1], names[1:]):
            data = table.of(lib[lo], lib[hi])
            assert data.assumed == (), f"{path.name}: {data.pair} falls back to its class"


def test_every_interface_number_names_a_source_and_an_uncertainty():
    raw = tomllib.loads((ROOT / "fem_laminate" / "data" / "materials.toml").read_text())
    for table in ("interfaces", "interface_classes"):
        for key, entry in raw[table].items():
            assert set(entry) == set(FIELDS), key
            for name, v in entry.items():
                assert len(v["source"]) > 8 and ("sd" in v or "range" in v) and v.get("uncertainty"), (key, name)
                if "range" in v:
                    assert v["range"][0] <= v["value"] <= v["range"][1], (key, name)


def test_the_calibrated_pair_reproduces_the_former_single_toughness():
    """The bond line of Example 1 is the calibrated entry; the other bundled pairs take its value as assumption."""
    table = library_table()
    G = table.pairs["copper_ed|pi_IV"]["bonded_toughness_J_per_m2"]
    assert "calibrated on Example 1" in table.sources["copper_ed|pi_IV.bonded_toughness_J_per_m2"]
    assert G == pytest.approx(261.38, abs=0.01)
    assert bd.full_toughness_J_per_m2("Cu-PI") == G and bd.full_toughness_J_per_m2("PI-PI") == G
    for key, entry in table.pairs.items():
        assert entry["bonded_toughness_J_per_m2"] == G, key


def test_a_pair_without_entry_falls_back_to_its_class_labelled_assumption():
    lib = load_library()
    new = replace(lib["pi_IV"], name="my_tpi")
    data = library_table().of(lib["copper_ed"], new)
    cls = library_table().classes["metal|polymer"]
    assert data.pair == "copper_ed|my_tpi" and set(data.assumed) == set(FIELDS)
    assert data.bonded_toughness_J_per_m2 == cls["bonded_toughness_J_per_m2"]
    assert data.label("cast_toughness_J_per_m2") == "assumption (class fallback)"
    pp_ = library_table().of(new, lib["pi_I"])
    assert pp_.cast_toughness_J_per_m2 == library_table().classes["polymer|polymer"]["cast_toughness_J_per_m2"]
    # the peel reports every interface of its path that took class values
    case = load_case_dict(_case(materials={"my_tpi": {"base": "pi_IV"}},
                                layers=[{"material": "copper_ed", "thickness_um": 35},
                                        {"material": "pi_I", "thickness_um": 24},
                                        {"material": "my_tpi", "thickness_um": 6}]))
    bond = {"bond_line": "my_tpi/cu_bonded", "interface": "Cu-PI", "degree_intimate_contact": 1.0,
            "degree_healing": 1.0, "surface": "pi_IV"}
    res, _ = pp.peel_laminate(list(case.full_stack().layers), 25.0, pp.Spec(kind="peel", method="analytic"), bond,
                              case.interfaces)
    assert set(res["interfaces_assumed"]) == {"my_tpi/cu_bonded", "pi_I/my_tpi"}
    assert "assumption" in res["interfaces_assumed"]["pi_I/my_tpi"]


def test_an_inline_case_entry_overrides_the_library_field_by_field():
    """What `fem-laminate fit` writes: interfaces."copper_ed|pi_IV".bonded_toughness_J_per_m2 in the case."""
    case = load_case_dict(_case(interfaces={"copper_ed|pi_IV": {"bonded_toughness_J_per_m2": 300.0}}))
    lib = load_library()
    data = case.full_stack().interfaces.of(lib["copper_ed"], lib["pi_IV"])
    assert data.bonded_toughness_J_per_m2 == 300.0 and data.label("bonded_toughness_J_per_m2") == "case file"
    assert data.cast_toughness_J_per_m2 == library_table().pairs["copper_ed|pi_IV"]["cast_toughness_J_per_m2"]
    # and the peel reads it: the bond line's toughness scales with it
    layers = list(case.full_stack().layers)
    bond = {"bond_line": "pi_IV/cu_bonded", "interface": "Cu-PI", "degree_intimate_contact": 1.0,
            "degree_healing": 1.0, "surface": "pi_IV"}
    tough = pp.path_toughness(layers, bond, None, 25.0, case.interfaces)
    base = pp.path_toughness(layers, bond, None, 25.0)
    assert tough["pi_IV/cu_bonded"] == pytest.approx(base["pi_IV/cu_bonded"] * 300.0 / 261.3816782804155, rel=1e-12)
    assert tough["pi_I/pi_IV"] == base["pi_I/pi_IV"]


@pytest.mark.parametrize("interfaces, expect", [
    ({"copper_ed|pi_iv": {"bonded_toughness_J_per_m2": 1.0}}, "did you mean 'pi_IV'"),
    ({"pi_IV|copper_ed": {"bonded_toughness_J_per_m2": 1.0}}, "did you mean 'copper_ed|pi_IV'"),
    ({"copper_ed|pi_IV": {"bonded_toughnes_J_per_m2": 1.0}}, "did you mean 'bonded_toughness_J_per_m2'"),
    ({"copper_ed|pi_IV": {"wet_toughness_loss": 1.5}}, "[0, 1]"),
    ({"copper_ed": {"cast_toughness_J_per_m2": 1.0}}, "two material names"),
    ({"copper_ed|pi_IV": {"cast_toughness_J_per_m2": {"value": 1.0, "sorce": "x"}}}, "did you mean 'source'"),
])
def test_bad_interface_input_is_one_line_with_a_suggestion(interfaces, expect):
    with pytest.raises(CaseError) as exc:
        load_case_dict(_case(interfaces=interfaces), "case.toml")
    msg = str(exc.value)
    assert "\n" not in msg and msg.startswith("case.toml: field 'interfaces.") and expect in msg, msg


# -- the failing interface --------------------------------------------------------------------------------
CU = dict(E_Pa=117e9, nu=0.34)


def _elastic_stack(n_pi=2):
    """An elastic foil on polymer layers on a foil (no yield anywhere: the Kendall closed form holds)."""
    lib = load_library()
    cu = replace(lib["copper_ed"], name="cu_el", yield_Pa=None)
    pi = replace(lib["pi_III"], name="pi_el")  # no [polymer_yield] entry: elastic in the arm
    return [Layer("base", cu, 35e-6), *[Layer(f"p{k}", pi, 10e-6, "cast") for k in range(n_pi)],
            Layer("top", cu, 12e-6, "bonded")]


def test_elastic_peel_is_the_kendall_energy_balance():
    """Elastic arm: G = F (1 - cos theta) + F^2 / (2 E'A), whichever interface it opens (1 %)."""
    layers = _elastic_stack()
    for name in pp.peel_path(layers):
        arm, found = pp.arm_and_foundation(layers, name, 25.0)
        EA = ap.Section(arm).EA
        for angle in (90.0, 180.0):
            F = pp.opening_force(200.0, angle, arm, found)
            G = F * (1.0 - math.cos(math.radians(angle))) + F ** 2 / (2.0 * EA)
            assert G == pytest.approx(200.0, rel=0.01), (name, angle)


def test_the_force_is_the_least_any_interface_needs_and_its_arm_carries_the_layers_above():
    layers = _elastic_stack()
    path = pp.peel_path(layers)
    assert path == ["p1/top", "p0/p1", "base/p0"]
    arm, found = pp.arm_and_foundation(layers, "base/p0", 25.0)
    assert [a.thickness_m for a in arm] == [10e-6, 10e-6, 12e-6] and found == []
    tough = {"p1/top": 400.0, "p0/p1": 150.0, "base/p0": 300.0}
    failing, forces = pp.failing_interface(layers, tough, 180.0, 25.0)
    one = {n: pp.opening_force(G, 180.0, *pp.arm_and_foundation(layers, n, 25.0)) for n, G in tough.items()}
    assert forces == one and failing == min(one, key=one.get) == "p0/p1"
    # tougher everywhere but one: the force never falls, and stays the weakest one's
    for n in tough:
        _, up = pp.failing_interface(layers, {**tough, n: tough[n] * 2.0}, 180.0, 25.0)
        assert min(up.values()) >= min(forces.values())


def test_a_foil_directly_beneath_is_the_stiff_foundation_limit():
    """An interface on a foil has no compliant layer: the rigid base is the limit of an ever stiffer one (the
    rigid base takes the elastic zone beam, a very stiff one the Winkler root at the brittle limit: 3 % apart)."""
    lib = load_library()
    arm = [arm_layer(Layer("pi", lib["pi_I"], 24e-6), 25.0), arm_layer(Layer("cu", lib["copper_ed"], 35e-6), 25.0)]
    rigid = pp.opening_force(300.0, 180.0, arm, [])
    assert math.isfinite(rigid) and rigid > 0.0
    for E in (1e12, 1e14, 1e16):  # k = E'/h from 1e18 to 1e22 N/m^3
        assert pp.opening_force(300.0, 180.0, arm, [ap.FoundationLayer(E, 0.3, 1e-6)]) == pytest.approx(rigid, rel=0.05)


def test_polyimides_yield_in_the_arm_at_their_sourced_stress():
    lib = load_library()
    a25 = arm_layer(Layer("pi", lib["pi_I"], 24e-6), 25.0)
    a200 = arm_layer(Layer("pi", lib["pi_I"], 24e-6), 200.0)
    assert a25.yield_Pa == pytest.approx(69e6) and a200.yield_Pa == pytest.approx(69e6 * (1 - 2.3e-3 * 175))
    assert a25.hardening_Pa == pytest.approx(257e6)
    # the plastic polymer arm dissipates: more force than the same arm elastic at the same toughness
    cu = arm_layer(Layer("cu", lib["copper_ed"], 35e-6), 25.0)
    plastic = pp.opening_force(400.0, 180.0, [a25, cu], [])
    elastic = pp.opening_force(400.0, 180.0, [replace(a25, yield_Pa=math.inf, hardening_Pa=0.0), cu], [])
    assert plastic > elastic


# -- water at the interface (pressure cooker) ------------------------------------------------------------
def test_water_lowers_the_toughness_linearly_to_the_pairs_loss_at_saturation():
    lib = load_library()
    cu, pi4 = Layer("cu", lib["copper_ed"], 35e-6), Layer("tpi", lib["pi_IV"], 6e-6, "cast")
    a = library_table().pairs["copper_ed|pi_IV"]["wet_toughness_loss"]
    dry = pp.interface_toughness(cu, pi4, None, 25.0)
    for c in (0.0, 0.3, 1.0):
        assert pp.interface_toughness(cu, pi4, None, 25.0, water=c) == pytest.approx(dry * (1 - a * c), rel=1e-12)


def test_the_wet_peel_is_the_dry_mechanics_at_the_lowered_toughness():
    case = load_case(ROOT / "cases" / "example_1.toml")
    layers = list(case.full_stack().layers)
    bond = {"bond_line": "pi_IV/cu_bonded", "interface": "Cu-PI", "degree_intimate_contact": 1.0,
            "degree_healing": 1.0, "surface": "pi_IV"}
    spec = pp.Spec(kind="peel", method="analytic")
    water = {"pi_IV/cu_bonded": 0.8, "pi_I/pi_IV": 0.9, "cu_foil/pi_I": 0.7}
    dry, _ = pp.peel_laminate(layers, 25.0, spec, bond)
    wet, _ = pp.peel_laminate(layers, 25.0, spec, bond, water=water)
    assert wet["force_N_per_mm"] < dry["force_N_per_mm"]
    a = 0.5  # every bundled pair's wet_toughness_loss
    G = dry["interface_toughnesses_J_per_m2"][wet["failing_layers"]] * (1 - a * water[wet["failing_layers"]])
    arm, found = pp.arm_and_foundation(layers, wet["failing_layers"], 25.0)
    assert wet["force_N_per_mm"] == pytest.approx(pp.closed_form(G, 180.0, arm, found).force_N_per_mm, rel=1e-9)
    assert wet["failing_interface"] == "copper_ed|pi_IV"


def test_a_failed_fem_peel_under_auto_is_a_null_peel_with_its_reason(monkeypatch):
    """method = "auto" never ends the run on the FEM's failure: the peel is null and says why."""
    def failing_fem(*args, **kwargs):
        raise RuntimeError("peel FEM: Newton failed at pull 51 um even with tiny steps")

    monkeypatch.setattr(pp, "choose_method", lambda *a: ("fem", None))
    monkeypatch.setattr(pp, "_peel_fem", failing_fem)
    layers = _elastic_stack()
    arm, found = pp.arm_and_foundation(layers, "p1/top", 25.0)
    res, fem = pp.peel_arm(arm, found, 200.0, pp.Spec(kind="peel", method="auto"))
    assert fem is None and res["force_N_per_mm"] is None and res["kgf_per_cm"] is None and not res["valid"]
    assert "FEM peel failed (peel FEM: Newton failed" in res["peel_null_reason"]
    with pytest.raises(RuntimeError):
        pp.peel_arm(arm, found, 200.0, pp.Spec(kind="peel", method="fem"))
