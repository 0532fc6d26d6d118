"""Sweep and window follow the rules of `run`: paths checked against the case schema before any point runs, a
folder of foreign files refused, a rerun says what it reused, a failing sweep says in one line what failed."""
import sys
import tomllib
from pathlib import Path

import pytest

from fem_laminate.case import load_case
from fem_laminate.errors import InputError
from fem_laminate.studies import sweep
from fem_laminate.studies import window as wn

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = tomllib.loads((ROOT / "cases" / "example_1.toml").read_text())


def spec_of(grid, source="spec.toml"):
    return sweep.spec_from_dict({"base": EXAMPLE, "grid": grid}, source=source)


@pytest.mark.parametrize("path, message", [
    ("layers.1.thicknes_um", "spec.toml: grid.layers.1.thicknes_um: in layers.1: unknown field 'thicknes_um' "
                             "(did you mean 'thickness_um'?)"),
    ("mesh.length", "spec.toml: grid.mesh.length: in mesh: unknown field 'length' (did you mean 'length_mm'?)"),
    ("steps.2.tempreature_C", "spec.toml: grid.steps.2.tempreature_C: in steps.2: unknown field 'tempreature_C' "
                              "(did you mean 'temperature_C'?)"),
    ("steps.0.segments.1.temprature_C", "spec.toml: grid.steps.0.segments.1.temprature_C: in steps.0.segments.1: "
                                        "unknown field 'temprature_C' (did you mean 'temperature_C'?)"),
])
def test_sweep_paths_are_checked_against_the_case_schema(path, message):
    with pytest.raises(ValueError) as exc:
        sweep.check_paths(spec_of({path: [1.0]}))
    assert str(exc.value) == message


def test_a_misspelt_spec_table_is_named():
    with pytest.raises(ValueError) as exc:
        sweep.spec_from_dict({"base": EXAMPLE, "gird": {"layers.1.thickness_um": [10.0]}}, source="spec.toml")
    assert str(exc.value) == ("spec.toml: unknown key 'gird' (did you mean 'grid'?); allowed: base, out, grid, zip, "
                              "plots")


def test_valid_paths_pass_including_new_optional_fields_and_free_tables():
    sweep.check_paths(spec_of({"layers.1.thickness_um": [10.0], "steps.2.temperature_C": [380.0],
                               "steps.0.segments.2.minutes": [30.0], "mesh.width_mm": [5.0],  # not in the base
                               "steps.2.preheat_C": [200.0], "reference.row": ["mine"]}))


def test_cli_refuses_a_misspelt_path_before_any_point_runs(tmp_path, capsys):
    (tmp_path / "case.toml").write_text((ROOT / "cases" / "example_1.toml").read_text())
    spec = tmp_path / "spec.toml"
    spec.write_text('base = "case.toml"\n[grid]\n"layers.1.thicknes_um" = [10.0, 20.0]\n')
    assert sweep.sweep_command(spec, workers=0, progress=False) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "(did you mean 'thickness_um'?)" in err
    assert not (tmp_path / "spec_out").exists()


def toy_runner(case, source, out_dir):
    h = case["layers"][1]["thickness_um"]
    if h < 0:
        raise ValueError(f"layers.1.thickness_um = {h}: must be > 0")
    return {"h_um": h}


TOY = 'base = {name = "toy", layers = [{thickness_um = 18.0}, {thickness_um = 25.0}]}\n'


def test_rerun_says_what_it_reused_and_failures_are_one_error_line(tmp_path, capsys):
    spec = tmp_path / "spec.toml"
    spec.write_text(TOY + '[grid]\n"layers.1.thickness_um" = [10.0, 20.0]\n')
    assert sweep.sweep_command(spec, workers=0, progress=False, runner=toy_runner) == 0
    out, err = capsys.readouterr()
    assert "2 points (0 reused from an earlier run, 2 run), 0 failed" in out and err == ""
    spec.write_text(TOY + '[grid]\n"layers.1.thickness_um" = [10.0, 20.0, -1.0]\n')
    assert sweep.sweep_command(spec, workers=0, progress=False, runner=toy_runner) == 1
    out, err = capsys.readouterr()
    assert "3 points (2 reused from an earlier run, 1 run), 1 failed" in out
    assert err.count("\n") == 1 and err.startswith("error: sweep: 1 of 3 points failed; the first, point 2 "
                                                   "(layers.1.thickness_um = -1.0): ValueError: layers.1.thickness_um")
    # the table is readable with the dependencies alone: CSV, and Parquet through pyarrow
    import pyarrow.parquet as pq
    table = pq.read_table(tmp_path / "spec_out" / sweep.TABLE_PARQUET).to_pydict()
    assert table["status"] == ["ok", "ok", "failed"] and table["h_um"][:2] == [10.0, 20.0]


def test_a_folder_of_foreign_files_is_refused(tmp_path):
    spec = sweep.spec_from_dict(tomllib.loads(TOY + '[grid]\n"layers.1.thickness_um" = [10.0]\n'),
                                source=str(tmp_path / "s.toml"))
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.tex").write_text("mine")
    (mine / ".hidden").mkdir()  # a sweep removes hidden scratch folders in its folder: not in a folder not its own
    with pytest.raises(InputError, match="holds files this tool did not write"):
        sweep.run_sweep(spec, mine, runner=toy_runner)
    assert (mine / "thesis.tex").read_text() == "mine" and (mine / ".hidden").is_dir()


def test_window_grid_errors_show_plain_numbers(tmp_path):
    T = wn.parse_grid("100:700:7", "--temperatures-C")
    assert T == [100.0, 200.0, 300.0, 400.0, 500.0, 600.0, 700.0] and all(type(t) is float for t in T)
    case = load_case(ROOT / "cases" / "example_1.toml")
    with pytest.raises(InputError) as exc:
        wn.check_window(case, T, [0.2])
    assert "temperatures_C=[100, 200, 300, 400, 500, 600, 700]: need" in str(exc.value)
    assert "np." not in str(exc.value) and "float64" not in str(exc.value)
    import numpy as np
    assert wn._shown(np.array([1.5, np.inf])) == "[1.5, inf]"


def test_window_refuses_a_folder_of_foreign_files(tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "data.csv").write_text("mine")
    case = load_case(ROOT / "cases" / "example_1.toml")
    with pytest.raises(InputError, match="holds files this tool did not write"):
        wn.window_command(case, mine, [400.0], [0.2], progress=False, nip="hertz")
    assert (mine / "data.csv").read_text() == "mine"
