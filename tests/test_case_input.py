"""Bad case input: one line naming file, field, value and what is allowed; exit 2; nothing written."""
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from fem_laminate.case import CaseError, load_case, load_case_dict

ROOT = Path(__file__).resolve().parents[1]


def _example(cases_dir):
    return tomllib.loads((cases_dir / "example_1.toml").read_text())


@pytest.mark.parametrize("name", sorted(p.stem for p in (ROOT / "cases").glob("*.toml")))
def test_every_bundled_case_loads(name, cases_dir, monkeypatch):
    # every check but the machine's memory (sizing.py: circuit_lines.toml needs more than a 24 GB machine has;
    # tests/test_case_limits.py tests the refusal)
    from fem_laminate import sizing
    monkeypatch.setattr(sizing, "available_bytes", lambda: 1e13)
    case = load_case(cases_dir / f"{name}.toml")
    assert case.full_stack().thickness_m > 0


@pytest.mark.parametrize("mutate, field, fragment", [
    (lambda d: d["layers"][1].update(thickness_um=-24), "layers.1.thickness_um", "greater than or equal to 0.1"),
    (lambda d: d["layers"][0].update(material="unobtainium"), "layers.0.material", "library material"),
    (lambda d: d["steps"][2].update(load_kgf=0), "steps.2.load_kgf", "greater than 0"),
    (lambda d: d["steps"][2].update(speed_m_per_min=-1), "steps.2.speed_m_per_min", "greater than 0"),
    (lambda d: d["steps"][2].update(roll_diameter_mm=0), "steps.2.roll_diameter_mm", "greater than 0"),
    (lambda d: d["steps"][2].update(temperature_C=20), "steps.2.temperature_C", "entry temperature"),
    (lambda d: d["steps"][2].update(foil_thickness_um=3500, roll_diameter_mm=6), "steps.2.foil_thickness_um", "roll radius"),
    (lambda d: d["steps"][1].update(kind="anneal"), "steps.1", "kind"),
    (lambda d: d["steps"][2].update(roll_diameter_mm=0.2), "steps.2", "fifth of the roll radius"),
    (lambda d: d["steps"][2].update(preheat_C=10), "steps.2", "preheat"),
    (lambda d: d["mesh"].update(model="shell"), "mesh.model", "plane_strain"),
    (lambda d: d["mesh"].update(nxx=3), "mesh: unknown field 'nxx'", "did you mean 'nx'?"),
    (lambda d: d.update(materials={"x": {"E_GPa": -1, "nu": 0.3, "cte_per_K": 1e-5}}), "materials.x.E_GPa", "["),
    (lambda d: d.update(materials={"x": {"E_GPa": 1, "nu": 0.7, "cte_per_K": 1e-5}}), "materials.x.nu", "["),
    (lambda d: d.pop("name"), "name", "missing"),
    (lambda d: d["steps"].append({"kind": "curl", "gravity": True, "table": False}), "steps.10.gravity", "table"),
    (lambda d: d["steps"].append({"kind": "curl", "n_inplane": 1}), "steps.10.n_inplane", "greater than or equal"),
    (lambda d: (d.update(materials={"light": {"E_GPa": 5, "nu": 0.3, "cte_per_K": 2e-5}}),
                d["layers"][2].update(material="light"), d["steps"][2].update(nip_method="none"),
                d["steps"].append({"kind": "curl", "gravity": True})),
     "steps.10.gravity", "density_kg_per_m3"),
])
def test_bad_field_is_named(mutate, field, fragment, cases_dir):
    d = _example(cases_dir)
    mutate(d)
    with pytest.raises(CaseError) as exc:
        load_case_dict(d, "bad.toml")
    msg = str(exc.value)
    assert "\n" not in msg
    assert msg.startswith("bad.toml: ")
    assert field in msg
    assert fragment in msg


def test_inline_material_overrides_library(cases_dir):
    d = _example(cases_dir)
    d["materials"] = {"stiff_I": {"base": "pi_I", "E_GPa": 12.0}, "mine": {"E_GPa": 3, "nu": 0.3, "cte_per_K": 4e-5,
                                                                          "Tg_C": 280, "k_W_per_mK": 0.12,
                                                                          "cp_J_per_kgK": 1090,
                                                                          "density_kg_per_m3": 1400}}
    d["layers"][1]["material"] = "stiff_I"
    d["layers"][2]["material"] = "mine"
    case = load_case_dict(d, "x.toml")
    assert case.materials["stiff_I"].E_Pa == pytest.approx(12e9)
    assert case.materials["stiff_I"].cte_per_K == pytest.approx(1.5e-5)  # inherited
    assert case.materials["mine"].Tg_C == 280


def test_cli_bad_case_exit_2_no_traceback_no_output(tmp_path, cases_dir):
    bad = tmp_path / "bad.toml"
    bad.write_text((cases_dir / "example_1.toml").read_text().replace("load_kgf = 1500", "load_kgf = -3"))
    out = tmp_path / "out"
    r = subprocess.run([sys.executable, "-m", "fem_laminate.cli", "run", str(bad), "--out", str(out)],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    assert len(lines) == 1 and "steps.2.load_kgf" in lines[0] and "-3" in lines[0]
    assert not out.exists()
    assert not any(tmp_path.glob(".out*"))


def test_cli_broken_toml(tmp_path):
    bad = tmp_path / "broken.toml"
    bad.write_text("name = 'x'\n[[layers]\n")
    r = subprocess.run([sys.executable, "-m", "fem_laminate.cli", "run", str(bad), "--out", str(tmp_path / "o")],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 2 and "not valid TOML" in r.stderr and "Traceback" not in r.stderr
