"""The command line's habits: --version, --quiet/--verbose, init, check, schema, "did you mean" for a misspelt key,
table, step kind or material, and bench's output place."""
import copy
import json
import logging
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from fem_laminate import __version__, cli, job
from fem_laminate.case import CaseError, load_case_dict
from fem_laminate.schema import schema_text, shipped_schema_path, unit_of
from fem_laminate.suggest import closest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = tomllib.loads((ROOT / "cases" / "example_1.toml").read_text())


def invoke(*args):
    return CliRunner().invoke(cli.main, [str(a) for a in args])


def refused(mutate) -> str:
    d = copy.deepcopy(EXAMPLE)
    mutate(d)
    with pytest.raises(CaseError) as exc:
        load_case_dict(d, "case.toml")
    return str(exc.value)


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d["layers"][1].update(thicknes_um=d["layers"][1].pop("thickness_um")),
     "case.toml: layers.1: unknown field 'thicknes_um' (did you mean 'thickness_um'?)"),
    (lambda d: d["mesh"].update(length=10), "case.toml: mesh: unknown field 'length' (did you mean 'length_mm'?)"),
    (lambda d: d.update(meshh=d.pop("mesh")), "case.toml: unknown table [meshh] (did you mean [mesh]?)"),
    (lambda d: d["mesh"].update(modle=d["mesh"].pop("model")),
     "case.toml: mesh: unknown field 'modle' (did you mean 'model'?)"),
    (lambda d: d["steps"][2].update(tempreature_C=400), "case.toml: steps.2: unknown field 'tempreature_C' "
                                                        "(did you mean 'temperature_C'?)"),
    (lambda d: d.update(physics={"viscoelastc": False}),
     "case.toml: physics: unknown field 'viscoelastc' (did you mean 'viscoelastic'?)"),
])
def test_a_misspelt_key_is_named_with_the_key_it_resembles(mutate, message):
    assert refused(mutate) == message


def test_unknown_step_kind_material_and_distant_keys():
    msg = refused(lambda d: d["steps"][1].update(kind="cooll"))
    assert msg.startswith("case.toml: steps.1: unknown step kind 'cooll' (did you mean 'cool'?) (allowed: cure, ")
    msg = refused(lambda d: d["layers"][0].update(material="copper_eb"))
    assert "layers.0.material" in msg and "(did you mean 'copper_ed'?)" in msg
    msg = refused(lambda d: d["steps"][2].update(foil_material="coper_ed"))
    assert "steps.2.foil_material" in msg and "(did you mean 'copper_ed'?)" in msg
    msg = refused(lambda d: d.update(materials={"x": {"E_GP": 1, "nu": 0.3, "cte_per_K": 1e-5}}))
    assert "materials.x.E_GP" in msg and "(did you mean 'E_GPa'?)" in msg
    # nothing close: no guess, the allowed keys instead
    msg = refused(lambda d: d["layers"][0].update(zzz=1))
    assert msg == "case.toml: layers.0: unknown field 'zzz' (allowed: material, thickness_um, name)"
    assert closest("xyz", ["mesh", "steps"]) is None and closest("temperature", ["temperature_C", "to_C"])


def test_version_quiet_verbose(monkeypatch):
    r = invoke("--version")
    assert r.exit_code == 0 and r.output.strip() == f"fem-laminate {__version__}"

    def logs_a_step(case, out, **kw):
        job._log.info("step 1 of 1: cool")
        raise cli.InputError("x.toml: field 'y' = 1 is not allowed")

    monkeypatch.setattr(job, "run_case", logs_a_step)
    case = ROOT / "cases" / "example_1.toml"
    try:
        loud, quiet, plain = invoke("run", case, "-v"), invoke("run", case, "-q"), invoke("run", case)
    finally:
        logging.getLogger("fem_laminate").setLevel(logging.NOTSET)
        cli.VERBOSITY.update(quiet=False, verbose=False)
    assert loud.exit_code == quiet.exit_code == plain.exit_code == 2
    assert "note: fem_laminate.job: step 1 of 1: cool" in loud.stderr
    assert "step 1 of 1" not in plain.stderr and quiet.stderr == "error: x.toml: field 'y' = 1 is not allowed\n"
    assert invoke("run", case, "-q", "-v").exit_code == 2


def test_init_then_check_and_no_overwrite(tmp_path):
    target = tmp_path / "new.toml"
    r = invoke("init", target)
    assert r.exit_code == 0 and target.is_file(), r.output
    text = target.read_text()
    assert text.startswith("#:schema file://") and text.splitlines()[0].endswith("case.schema.json")
    r = invoke("check", target)
    assert r.exit_code == 0 and r.stdout.count("\n") == 1
    assert r.stdout.startswith(f"{target}: OK: 'my laminate': cu_foil 35 um / pi_I 24 um / pi_IV 6 um; "
                               "generalized_plane_strain 10 mm; 7 steps: cure, cool, bond")
    target.write_text("name = 'mine'\n")
    r = invoke("init", target)
    assert r.exit_code == 2 and "refusing to overwrite" in r.stderr and target.read_text() == "name = 'mine'\n"


def test_check_refuses_in_one_line(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text((ROOT / "cases" / "example_1.toml").read_text().replace("length_mm = 10", "length = 10"))
    r = invoke("check", bad)
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr == f"error: {bad}: mesh: unknown field 'length' (did you mean 'length_mm'?)\n"


def test_shipped_schema_is_the_generated_one():
    shipped = Path(str(shipped_schema_path())).read_text()
    assert shipped == schema_text(), "regenerate: fem-laminate schema > fem_laminate/data/case.schema.json"
    r = invoke("schema")
    assert r.exit_code == 0 and json.loads(r.stdout) == json.loads(shipped)
    schema = json.loads(shipped)
    layer = schema["$defs"]["LayerSpec"]
    assert "micrometres" in layer["properties"]["thickness_um"]["description"]
    assert layer["additionalProperties"] is False and set(layer["required"]) == {"material", "thickness_um"}
    assert set(schema["properties"]) >= {"name", "layers", "mesh", "steps", "physics"}
    # every number in a step says its unit where its name carries one
    for name, model in schema["$defs"].items():
        for field, prop in model.get("properties", {}).items():
            if unit_of(field):
                assert "description" in prop, (name, field)


def test_bench_writes_into_its_folder_and_never_over_a_foreign_file(tmp_path):
    assert cli._bench_json(str(tmp_path / "b"), None) == tmp_path / "b" / "bench.json"
    assert (tmp_path / "b").is_dir()
    mine = tmp_path / "notes.json"
    mine.write_text('{"my": "data"}')
    with pytest.raises(cli.InputError, match="not a bench result; refusing to replace it"):
        cli._bench_json(str(tmp_path), str(mine))
    earlier = tmp_path / "b" / "bench.json"
    earlier.write_text('{"meta": {}, "results": []}')
    assert cli._bench_json(str(tmp_path / "b"), None) == earlier
