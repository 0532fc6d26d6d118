"""Issue 11: every input either runs or is refused in one line (InputError / CaseError, exit 2).

Case loading (encodings, types inside inline materials, booleans, degenerate geometry, increments, layer counts,
stacks a step cannot act on, names), the size estimate before allocation (sizing.py), sweep and window grids,
scheduler addresses and CLI options.
"""
import copy
import time
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from fem_laminate import cli, sizing
from fem_laminate.case import MAX_LAYERS, load_case, load_case_dict
from fem_laminate.errors import CaseError, InputError
from fem_laminate.studies import sweep
from fem_laminate.studies import window as wn

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = tomllib.loads((ROOT / "cases" / "example_1.toml").read_text())
PLATE = tomllib.loads((ROOT / "cases" / "example_1_plate3d.toml").read_text())


def example():
    return copy.deepcopy(EXAMPLE)


def refused(d, *fragments, source="bad.toml"):
    """Load and expect a one-line CaseError naming the source and every fragment; returns the message."""
    with pytest.raises(CaseError) as exc:
        load_case_dict(d, source)
    msg = str(exc.value)
    assert "\n" not in msg and msg.startswith(f"{source}: ") and len(msg) < 1000, msg
    for f in fragments:
        assert f in msg, msg
    return msg


# -- files ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("content", [
    bytes(range(256)) * 4,  # binary junk
    (ROOT / "cases" / "example_1.toml").read_text().encode("utf-16"),
    (ROOT / "cases" / "example_1.toml").read_text().replace("Example 1", "Exemple \xe9").encode("latin-1"),
])
def test_a_file_that_is_not_utf8_is_one_line(tmp_path, content):
    p = tmp_path / "case.toml"
    p.write_bytes(content)
    with pytest.raises(CaseError, match="not a UTF-8 text file") as exc:
        load_case(p)
    assert str(p) in str(exc.value) and "\n" not in str(exc.value)


def test_truncated_toml_and_a_folder_are_one_line(tmp_path):
    p = tmp_path / "case.toml"
    p.write_text((ROOT / "cases" / "example_1.toml").read_text()[:700])
    with pytest.raises(CaseError, match="not valid TOML"):
        load_case(p)
    with pytest.raises(CaseError, match="not found"):
        load_case(tmp_path)


# -- inline materials ------------------------------------------------------------------------------------
def with_material(mat: dict, layer: int = 2):
    d = example()
    d["materials"] = {"mine": mat}
    d["layers"][layer]["material"] = "mine"
    return d


@pytest.mark.parametrize("mat, field", [
    ({"base": ["pi_I"]}, "materials.mine.base"),
    ({"base": {"value": "pi_I"}}, "materials.mine.base"),
    ({"base": "pi_IV", "cte_mean_table": 5}, "materials.mine.cte_mean_table"),
    ({"base": "pi_IV", "cte_mean_table": []}, "materials.mine.cte_mean_table"),
    ({"base": "pi_IV", "cte_mean_table": [[20.0, 3e-5]]}, "materials.mine.cte_mean_table"),
    ({"base": "pi_IV", "cte_mean_table": [[100.0, 3e-5], [20.0, 3.1e-5]]}, "materials.mine.cte_mean_table"),
    ({"base": "pi_IV", "cte_mean_table": [[20.0, 3e-5], [20.0, 3.1e-5]]}, "materials.mine.cte_mean_table"),
    ({"base": "pi_IV", "cte_mean_table": [[20.0, "x"], [100.0, 3e-5]]}, "materials.mine.cte_mean_table"),
    ({"base": "pi_IV", "cte_mean_table": [[20.0, 3e-5, 1.0], [100.0, 3e-5]]}, "materials.mine.cte_mean_table"),
    ({"base": "pi_IV", "kind": {"value": ["metal"]}}, "materials.mine.kind"),
    ({"base": "pi_IV", "kind": "ceramic"}, "materials.mine.kind"),
    ({"base": "pi_IV", "E_GPa": {"source": "x"}}, "materials.mine.E_GPa"),
    ({"base": "pi_IV", "E_GPa": {"value": 3, "source": 5}}, "materials.mine.E_GPa.source"),
    ({"base": "pi_IV", "E_GPa": True}, "materials.mine.E_GPa"),
    ({"base": "pi_IV", "E_GPa": "3"}, "materials.mine.E_GPa"),
    ({"base": "pi_IV", "E_GPa": float("nan")}, "materials.mine.E_GPa"),
    ({"base": "pi_IV", "Tg_C": float("inf")}, "materials.mine.Tg_C"),
    ({"base": "pi_IV", "cte_z_per_K": [1e-5]}, "materials.mine.cte_z_per_K"),
    ({"base": "pi_IV", "description": ["x"]}, "materials.mine.description"),
    ({"base": "pi_IV", "colour": "red"}, "colour"),
    ({"E_GPa": 3.0, "cte_per_K": 3e-5}, "materials.mine.nu"),
    ({"E_GPa": 3.0, "nu": 0.3}, "materials.mine.cte_per_K"),
])
def test_wrong_types_inside_an_inline_material(mat, field):
    refused(with_material(mat), field)


def test_a_wrapped_kind_is_read_like_any_property():
    d = with_material({"base": "pi_IV", "kind": {"value": "metal", "source": "test"}}, layer=0)
    assert load_case_dict(d, "ok.toml").materials["mine"].kind == "metal"


def test_tiny_yield_is_refused_and_cte_z_on_any_material_loads():
    d = with_material({"base": "copper_ed", "yield_MPa": 1e-6}, layer=0)
    refused(d, "materials.mine.yield_MPa", "[1, 10000]")
    for base in ("copper_ed", "pi_I", "pi_IV", "steel_roll"):
        d = with_material({"base": base, "cte_z_per_K": 40e-6}, layer=1)
        case = load_case_dict(d, "ok.toml")
        assert case.materials["mine"].cte_z_per_K == 40e-6


def test_an_inline_material_without_thermal_data_cannot_enter_the_nip():
    d = with_material({"E_GPa": 3.0, "nu": 0.3, "cte_per_K": 3e-5, "Tg_C": 290.0})
    refused(d, "steps.2.nip_method", "k_W_per_mK", "density_kg_per_m3")
    d["steps"][2]["nip_method"] = "none"
    load_case_dict(d, "ok.toml")


# -- booleans, NaN, degenerate geometry, increments -----------------------------------------------------
@pytest.mark.parametrize("where, key, value, fragment", [
    (("layers", 1), "thickness_um", True, "valid number"),
    (("mesh",), "nx", True, "valid integer"),
    (("mesh",), "nx", 80.5, "valid integer"),
    (("mesh",), "quadratic", 1, "valid boolean"),
    (("steps", 2), "load_kgf", False, "valid number"),
    (("steps", 1), "to_C", float("nan"), "finite"),
    (("steps", 2), "speed_m_per_min", float("inf"), "finite"),
    (("layers", 1), "thickness_um", 1e-300, "greater than or equal to 0.1"),
    (("layers", 1), "thickness_um", 0.05, "greater than or equal to 0.1"),
    (("mesh",), "length_mm", 1e-300, "greater than or equal to 0.1"),
    (("steps", 1), "max_step_K", 1e-300, "greater than or equal to 0.5"),
    (("steps", 1), "max_step_K", 0.001, "greater than or equal to 0.5"),
    (("layers", 1), "thickness_um", 1e300, "less than or equal"),
    (("steps", 2), "foil_material", "../../evil/name", "library material"),
])
def test_field_refused(where, key, value, fragment):
    d = example()
    node = d
    for w in where:
        node = node[w]
    node[key] = value
    field = ".".join(str(w) for w in where) + "." + key
    refused(d, field, fragment)


def test_thermoelastic_increments_are_capped():
    d = example()
    d["steps"][0]["segments"] = [{"action": "ramp", "to_C": T, "minutes": 1.0} for T in [600.0, -100.0] * 20]
    d["steps"][0]["max_step_K"] = 0.5
    refused(d, "steps.0.max_step_K", "thermoelastic increments", "at most 2000")


# -- stacks a step cannot act on ------------------------------------------------------------------------
CU = {"material": "copper_ed", "thickness_um": 35.0}
NSTEPS = len(EXAMPLE["steps"])
STEP = {st["kind"]: st for st in EXAMPLE["steps"]}  # Example 1's step of each kind
PI = {"material": "pi_I", "thickness_um": 24.0}
TPI = {"material": "pi_IV", "thickness_um": 6.0}


@pytest.mark.parametrize("layers, steps, fragments", [
    ([CU], None, ("steps.0.kind", "no polymer")),
    ([CU, dict(CU, thickness_um=12.0)], None, ("steps.0.kind", "no polymer")),
    ([PI], None, ("steps.0.kind", "no metal foil")),
    ([CU, PI, TPI], lambda s: s + [{"kind": "etch", "side": "both"}], (f"steps.{NSTEPS}.side", "not a metal foil")),
    ([CU, PI, TPI], lambda s: s[:6] + [{"kind": "etch", "side": "top"}, {"kind": "etch", "side": "bottom"},
                                       {"kind": "etch", "side": "bottom"}], ("steps.8", "not a metal foil")),
    ([PI, CU], None, ("steps.2.kind", "bond", "polymer")),
    ([CU, TPI, CU], lambda s: s[1:3], ("steps.1.kind", "bond", "polymer")),
    ([CU], lambda s: [s[1], STEP["tma"]], ("steps.1.kind", "tma", "no polymer")),
    ([CU, dict(CU, thickness_um=12.0)], lambda s: [s[1], {"kind": "etch", "side": "both"}],
     ("steps.1.side", "every layer")),
    ([CU, PI, TPI], lambda s: s + [{"kind": "dimensional_stability"}], (f"steps.{NSTEPS}.kind", "no metal foil")),
    ([CU, PI], lambda s: [STEP["tma"]] + s[:2], ("steps.0.kind", "'tma'", "before the laminate is formed")),
    ([CU, PI], lambda s: [{"kind": "etch", "side": "bottom"}] + s[:2], ("steps.0.kind", "before the laminate")),
    ([CU], lambda s: [s[1], STEP["solder_float"]], ("steps.1.kind", "solder_float", "no interface")),
    ([CU, PI, TPI], lambda s: s[:2] + [{"kind": "curl", "n_inplane": 4}, {"kind": "etch", "side": "bottom"},
                                       {"kind": "etch", "side": "bottom"}], ("steps.4", "not a metal foil")),
])
def test_a_stack_the_step_cannot_act_on_is_refused_at_load(layers, steps, fragments):
    d = example()
    d["layers"] = copy.deepcopy(layers)
    if steps is not None:
        d["steps"] = steps(d["steps"])
    refused(d, *fragments)


def test_layer_count_limit():
    d = example()
    d["layers"] = [CU] + [PI] * MAX_LAYERS
    refused(d, "layers", f"at most {MAX_LAYERS}")


# -- names -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["../../evil/name", "a/b", "two\nlines", "tab\there", "$\\frac{1}{$", "x" * 200_000,
                                  "", " lead", "a\x00b"])
def test_odd_layer_and_material_names_are_refused_in_one_line(name):
    d = example()
    d["layers"][1]["name"] = name
    msg = refused(d, "layers.1.name", "pattern")
    d = example()
    d["materials"] = {name: {"base": "pi_I"}}
    refused(d, "materials")
    assert len(msg) < 1000


@pytest.mark.parametrize("name", ["two\nlines", "bell\x07", "x" * 201, ""])
def test_odd_case_names_are_refused(name):
    d = example()
    d["name"] = name
    refused(d, "'name'")


def test_markup_in_a_case_name_is_plain_text(tmp_path):
    """A case named like mathtext runs; its plot titles carry the escaped text (no matplotlib crash)."""
    from fem_laminate.job import run_case
    d = example()
    d["name"] = "$\\frac{1}{$ % {x} <b> \u00e9"
    d["mesh"].update(nx=8, n_per_layer=1)
    d["steps"] = d["steps"][:2]
    s = run_case(load_case_dict(d, "odd.toml"), tmp_path / "o")
    assert s["name"] == d["name"] and (tmp_path / "o" / "deformed.png").stat().st_size > 0


def test_duplicate_layer_names_are_refused():
    d = example()
    d["layers"][1]["name"] = "cu_foil"  # the generated name of layer 0
    refused(d, "layer name 'cu_foil' is used twice")


# -- sizes -----------------------------------------------------------------------------------------------
def test_schema_maxima_are_refused_in_well_under_a_second():
    for base, mesh, field in ((PLATE, {"nx": 20000, "ny": 5000}, "mesh.nx"),
                              (EXAMPLE, {"nx": 20000, "n_per_layer": 50}, "mesh.nx")):
        d = copy.deepcopy(base)
        d["mesh"].update(mesh)
        t0 = time.perf_counter()
        msg = refused(d, field, "DOFs", "GB", "largest resolution that fits")
        assert time.perf_counter() - t0 < 0.5
        assert "nx = " in msg.split("fits:")[1]


def test_size_refusal_follows_available_memory(monkeypatch):
    """On a 4 GB machine the 2D maximum nx = 20000 (1.4M DOFs) is refused; the suggestion itself fits."""
    monkeypatch.setattr(sizing, "available_bytes", lambda: 4e9)
    d = example()
    d["mesh"]["nx"] = 20000
    msg = refused(d, "mesh.nx' = 20000", "3.2 GB is usable")
    best = int(msg.split("fits: nx = ")[1].split()[0])
    d["mesh"]["nx"] = best
    load_case_dict(d, "ok.toml")
    d["mesh"]["nx"] = best + 1
    refused(d, "mesh.nx")
    assert sizing.mesh_dofs("generalized_plane_strain", 4, 60, 16, 2) == 4116  # Example 1's run reports 4116


def test_an_elongated_curl_sample_is_sized():
    d = tomllib.loads((ROOT / "cases" / "example_1_curl.toml").read_text())
    d["steps"][2].update(length_mm=0.1, width_mm=2000.0, n_inplane=64)
    refused(d, "steps.2.n_inplane", "DOFs")


# -- sweeps, windows, options ----------------------------------------------------------------------------
def test_a_huge_sweep_grid_is_refused_before_expansion(tmp_path, monkeypatch):
    def no_expansion(*a, **k):
        raise AssertionError("expanded")
    monkeypatch.setattr(sweep, "set_dotted", no_expansion)
    grid = {f"steps.{i}.max_step_K" if i in (0, 1) else f"layers.{i - 2}.thickness_um": list(range(1, 61))
            for i in range(5)}
    grid["mesh.nx"] = list(range(4, 64))
    with pytest.raises(ValueError, match=r"46,656,000,000 points .*at most 100,000"):
        sweep.spec_from_dict({"base": example(), "grid": grid}, "big.toml")


def test_sweep_specs_that_are_not_text_name_the_file(tmp_path, capsys):
    p = tmp_path / "spec.toml"
    p.write_bytes(b"\xff\xfe\x00binary")
    assert sweep.sweep_command(p, workers=0, progress=False) == 2
    err = capsys.readouterr().err
    assert str(p) in err and "UTF-8" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("address, fragment", [("not an address", "is not an address"),
                                               ("tcp://127.0.0.1:9", "cannot connect")])
def test_bad_scheduler_is_one_line(tmp_path, capsys, address, fragment):
    spec = tmp_path / "spec.toml"
    spec.write_text('base = "../case.toml"\n[grid]\n"layers.1.thickness_um" = [10.0, 20.0]\n')
    (tmp_path / "case.toml").write_text((ROOT / "cases" / "example_1.toml").read_text())
    (tmp_path / "sub").mkdir()
    spec = spec.rename(tmp_path / "sub" / "spec.toml")
    t0 = time.perf_counter()
    assert sweep.sweep_command(spec, scheduler=address, progress=False) == 2
    assert time.perf_counter() - t0 < 20
    err = capsys.readouterr().err
    assert fragment in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "sub" / "spec_out").exists()


def test_window_grids_are_checked_before_allocation_and_before_the_folder(tmp_path, cases_dir):
    with pytest.raises(InputError, match="at most 1000"):
        wn.parse_grid("300:400:100000000", "--temperatures-C")
    with pytest.raises(InputError, match="--speeds"):
        wn.parse_grid("1:2:abc", "--speeds")
    out = tmp_path / "win"
    r = CliRunner().invoke(cli.main, ["window", str(cases_dir / "example_1.toml"), "--temperatures-C", "300,nan",
                                      "--out", str(out)])
    assert r.exit_code == 2 and "temperatures_C" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert not out.exists()
    r = CliRunner().invoke(cli.main, ["window", str(cases_dir / "example_1.toml"), "--temperatures-C",
                                      "300:400:1000", "--speeds-m-per-min", "0.1:10:1000", "--out", str(out)])
    assert r.exit_code == 2 and "1,000,000 points" in r.stderr
    assert not out.exists()


@pytest.mark.parametrize("option, value", [("--sizes", "abc"), ("--sizes", "1e400"), ("--dims", "2,x")])
def test_bench_option_errors_name_the_option(option, value):
    r = CliRunner().invoke(cli.main, ["bench", option, value])
    assert r.exit_code == 2
    assert option in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_an_external_mesh_is_read_checked_and_sized_at_load():
    d = tomllib.loads((ROOT / "cases" / "example_1_external_mesh.toml").read_text())
    src = str(ROOT / "cases" / "fuzzed.toml")  # the mesh is looked for beside the case and in meshes/
    case = load_case_dict(copy.deepcopy(d), src)
    assert sizing.external_mesh_dofs(case) == (4116, 2)  # what the run reports for it
    d["layers"][1]["thickness_um"] = 100.0
    refused(d, "mesh.file", "thickness", source=src)


def test_a_pattern_refined_plate_is_sized_with_its_pattern_grid(monkeypatch):
    """circuit_lines_small (2 x 2 mm, 50/50 um lines, Hex20): the estimate is the run's 38,097 DOFs exactly;
    the 12 x 12 mm panel (1.34 M DOFs, about 12 GB estimated for the iterative chain) loads on a 24 GB machine
    and is refused on a 12 GB one."""
    monkeypatch.setattr(sizing, "available_bytes", lambda: 1e13)
    case = load_case(ROOT / "cases" / "circuit_lines_small.toml")
    m = case.spec.mesh
    gx = sizing._grid_elements(case, 0, m.length_mm * 1e-3, m.nx)
    gy = sizing._grid_elements(case, 1, m.width_mm * 1e-3, m.ny)
    assert sizing.mesh_dofs(m.model, len(case.full_stack().layers), gx, gy, m.n_per_layer, m.quadratic,
                            m.element) == 38097
    monkeypatch.setattr(sizing, "available_bytes", lambda: 24e9)
    load_case(ROOT / "cases" / "circuit_lines.toml")
    monkeypatch.setattr(sizing, "available_bytes", lambda: 12e9)
    with pytest.raises(CaseError, match="1,335,483 DOFs"):
        load_case(ROOT / "cases" / "circuit_lines.toml")


def test_plate_suggestion_keeps_the_grid_ratio_and_fits(monkeypatch):
    """A 3D plate refused for memory gets a suggestion with the case's nx : ny ratio that loads, one step finer
    does not (the pattern's grid lines counted: circuit_lines_small, 50/50 um lines across y)."""
    monkeypatch.setattr(sizing, "available_bytes", lambda: 3e9)
    d = tomllib.loads((ROOT / "cases" / "circuit_lines_small.toml").read_text())
    d["mesh"].update(nx=60, ny=120)
    msg = refused(d, "mesh.nx' = 60, 'mesh.ny' = 120", "largest resolution that fits")
    fit = msg.split("fits: ")[1]
    nx, ny = int(fit.split("nx = ")[1].split(",")[0]), int(fit.split("ny = ")[1].split()[0])
    assert abs(ny / nx - 2.0) < 0.1
    d["mesh"].update(nx=nx, ny=ny)
    load_case_dict(d, "ok.toml")
    d["mesh"].update(nx=2 * nx, ny=2 * ny)
    refused(d, "mesh.nx")
