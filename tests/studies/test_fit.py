"""Overlays and `fit`: parameters the tool generated measurements from are recovered; a two-parameter problem;
a problem the data cannot determine is reported as such; bad input is one line, exit 2; a rerun reuses runs.

The coupons (cases/calibration/coupon_*.toml) are elastic 2D strips of 172 DOFs: each run is well under a
second, so a fit of one parameter is a few seconds.
"""
import json
import math
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from fem_laminate.cli import main
from fem_laminate.errors import InputError
from fem_laminate.studies import fit, overlay
from fem_laminate.studies.evaluate import CaseFile, Evaluator, output_value

ROOT = Path(__file__).resolve().parents[2]
CAL = ROOT / "cases" / "calibration"
CURL, TMA, PEEL = (CAL / f"coupon_{k}_resin_II.toml" for k in ("curl", "tma", "peel"))


def measure(tmp_path, case_path, output, values: dict) -> float:
    """What the model reads on a coupon with the given parameters: the synthetic measurement."""
    from fem_laminate.case import read_case_toml

    case = CaseFile(case_path.stem, str(case_path), read_case_toml(case_path))
    paths = [overlay.parse_key(k, "test") for k in values]
    rec = Evaluator(tmp_path / "truth").run([(case, paths, list(values.values()))])[0]
    assert rec["status"] == "ok", rec.get("error")
    return output_value(rec["summary"], output)


def write_spec(tmp_path, measurements, parameters, predict=()) -> Path:
    lines = []
    for case, output, value, sd in measurements:
        lines += ["[[measurements]]", f'case = "{case}"', f'output = "{output}"', f"value = {value!r}", f"sd = {sd!r}"]
    for path, bounds in parameters:
        lines += ["[[parameters]]", f"path = '{path}'", f"bounds = {list(bounds)!r}"]
    for case, outputs in predict:
        lines += ["[[predict]]", f'case = "{case}"', f"outputs = {json.dumps(outputs)}"]
    p = tmp_path / "spec.toml"
    p.write_text("\n".join(lines) + "\n")
    return p


# -- overlays ----------------------------------------------------------------------------------------------------
def test_overlay_sets_library_material_and_step_fields():
    from fem_laminate.case import load_case_dict, read_case_toml

    raw = read_case_toml(PEEL)
    d = overlay.apply_overlay(raw, tomllib.loads('materials.pi_II.E_GPa = 4.5\nsteps.3.angle_deg = 90.0\n'
                                                '[materials.copper_ed]\nnu = 0.3\n'), "o.toml")
    case = load_case_dict(d, str(PEEL))
    assert case.materials["pi_II"].E_Pa == pytest.approx(4.5e9, rel=1e-12)
    assert case.materials["pi_II"].Tg_C == 290.0  # the rest of the library material kept
    assert case.materials["copper_ed"].nu == 0.3
    assert case.spec.steps[3].angle_deg == 90.0
    assert "materials" not in raw  # the case read is not changed
    quoted = overlay.parse_key('interfaces."copper_ed|pi_II".bonded_toughness_J_per_m2', "x")
    assert quoted == ("interfaces", "copper_ed|pi_II", "bonded_toughness_J_per_m2")
    assert overlay.parse_key(overlay.format_key(quoted), "x") == quoted


@pytest.mark.parametrize("text, hint", [("materials.pi_IIx.E_GPa = 4.0", "did you mean 'pi_II'"),
                                        ("steps.0.too_C = 50", "did you mean 'to_C'"),
                                        ("materials.pi_II.E_GPaa = 4.0", "did you mean 'E_GPa'"),
                                        ("mesh.nx.a = 4", "is a value, not a table")])
def test_bad_overlay_key_is_one_line_exit_2(tmp_path, text, hint):
    ov = tmp_path / "bad.toml"
    ov.write_text(text + "\n")
    res = CliRunner().invoke(main, ["run", str(CURL), "--with", str(ov), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and str(ov) in lines[0] and hint in lines[0], res.output
    assert not (tmp_path / "o").exists()


def test_run_with_overlay_changes_the_result(tmp_path):
    ov = tmp_path / "stiff.toml"
    ov.write_text("[materials.pi_II]\nE_GPa = 7.0\n")
    r0 = CliRunner().invoke(main, ["run", str(CURL), "--out", str(tmp_path / "a"), "--quiet"])
    r1 = CliRunner().invoke(main, ["run", str(CURL), "--with", str(ov), "--out", str(tmp_path / "b"), "--quiet"])
    assert r0.exit_code == 0 and r1.exit_code == 0, r0.output + r1.output
    k0, k1 = (json.loads((tmp_path / d / "summary.json").read_text())["curl"]["curvature_1_per_m"] for d in "ab")
    assert k1 > 1.3 * k0  # a stiffer resin curls the bimaterial strip more (Timoshenko: E2/E1 << 1 here)


# -- fit ------------------------------------------------------------------------------------------------------------
def test_recovers_modulus_from_curl_and_rerun_reuses_runs(tmp_path):
    y = measure(tmp_path, CURL, "curl.curvature_1_per_m", {"materials.pi_II.E_GPa": 4.6})
    spec = write_spec(tmp_path, [(CURL, "curl.curvature_1_per_m", y, 0.01 * abs(y))],
                      [("materials.pi_II.E_GPa", (1.0, 12.0))])
    res = fit.run_fit(fit.load_spec(spec), tmp_path / "fit")
    p = res["parameters"]["materials.pi_II.E_GPa"]
    assert p["start"] == 3.5  # the library's value
    assert p["value"] == pytest.approx(4.6, rel=5e-3)
    assert p["standard_error"] > 0 and p["determined"]
    # the standard error is 1 % of the curvature mapped through d kappa / d E (one measurement, one parameter)
    k1 = measure(tmp_path, CURL, "curl.curvature_1_per_m", {"materials.pi_II.E_GPa": 4.6 * 1.01})
    dk_dE = (k1 - y) / (0.046)
    assert p["standard_error"] == pytest.approx(0.01 * abs(y) / abs(dk_dE), rel=0.02)
    out = tmp_path / "fit"
    ov = tomllib.loads((out / "fitted.toml").read_text())
    assert ov["materials"]["pi_II"]["E_GPa"] == pytest.approx(p["value"], rel=1e-12)
    json.loads((out / "fit.json").read_text())  # strict JSON
    assert (out / "fit.png").stat().st_size > 0 and (out / "evals" / "points.csv").is_file()
    again = fit.run_fit(fit.load_spec(spec), out)  # resumed: every evaluation read back from evals/
    assert again["evaluations"]["case_runs"] == 0
    assert again["parameters"]["materials.pi_II.E_GPa"]["value"] == p["value"]


def test_recovers_cte_from_tma(tmp_path):
    y = measure(tmp_path, TMA, "film.cte_per_K", {"materials.pi_II.cte_per_K": 4.1e-5})
    spec = write_spec(tmp_path, [(TMA, "film.cte_per_K", y, 0.02e-5)], [("materials.pi_II.cte_per_K", (1e-5, 8e-5))])
    res = fit.run_fit(fit.load_spec(spec), tmp_path / "fit")
    assert res["parameters"]["materials.pi_II.cte_per_K"]["value"] == pytest.approx(4.1e-5, rel=5e-3)


def test_recovers_toughness_from_peel_on_dask(tmp_path):
    from distributed import Client, LocalCluster

    # the coupon's pressed bond line; 330 J/m2 lies below the point where its cast interface opens first
    path = 'interfaces."copper_ed|pi_II".bonded_toughness_J_per_m2'
    y = measure(tmp_path, PEEL, "peel.kgf_per_cm", {path: 330.0})
    spec = write_spec(tmp_path, [(PEEL, "peel.kgf_per_cm", y, 0.05)], [(path, (10.0, 2000.0))],
                      predict=[(CURL, ["curl.curvature_1_per_m"])])
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=":0") as cluster, \
            Client(cluster) as client:
        res = fit.run_fit(fit.load_spec(spec), tmp_path / "fit", client=client)
    assert res["parameters"][path]["value"] == pytest.approx(330.0, rel=5e-3)
    # the curl coupon has no peel step: its prediction does not depend on the toughness, its band is zero-width
    rows = (tmp_path / "fit" / "predictions.csv").read_text().splitlines()
    assert rows[0] == "case,output,value,p05,p95"
    _, _, v, lo, hi = rows[1].split(",")
    assert float(lo) == float(v) == float(hi)


def test_two_parameters_from_curl_and_tma(tmp_path):
    truth = {"materials.pi_II.E_GPa": 5.0, "materials.pi_II.cte_per_K": 2.8e-5}
    yk = measure(tmp_path, CURL, "curl.curvature_1_per_m", truth)
    ya = measure(tmp_path, TMA, "film.cte_per_K", truth)
    spec = write_spec(tmp_path, [(CURL, "curl.curvature_1_per_m", yk, 0.01 * abs(yk)), (TMA, "film.cte_per_K", ya, 1e-7)],
                      [("materials.pi_II.E_GPa", (1.0, 12.0)), ("materials.pi_II.cte_per_K", (1e-5, 8e-5))],
                      predict=[(CURL, ["curl.curvature_1_per_m"])])
    res = fit.run_fit(fit.load_spec(spec), tmp_path / "fit")
    for k, v in truth.items():
        assert res["parameters"][k]["value"] == pytest.approx(v, rel=5e-3)
        assert res["parameters"][k]["standard_error"] > 0
    C = res["correlation"]["matrix"]
    assert C[0][0] == pytest.approx(1.0) and C[1][1] == pytest.approx(1.0) and C[0][1] == pytest.approx(C[1][0])
    assert res["not_determined"] == []
    # the band of the curl prediction at the optimum: the measurement's own sd comes back (one curl datum
    # carries all the information on the combination that sets the curl)
    pred = res["predictions"][0]
    assert pred["p05"] < pred["value"] < pred["p95"]
    assert pred["sd"] == pytest.approx(0.01 * abs(yk), rel=0.05)


def test_non_identifiable_parameters_are_named(tmp_path):
    y = measure(tmp_path, CURL, "curl.curvature_1_per_m", {"materials.pi_II.E_GPa": 4.0})
    spec = write_spec(tmp_path, [(CURL, "curl.curvature_1_per_m", y, 0.2)],
                      [("materials.pi_II.E_GPa", (1.0, 12.0)), ("materials.pi_II.cte_per_K", (1e-5, 8e-5)),
                       ("materials.pi_III.E_GPa", (1.0, 5.0))])  # pi_III is not in the coupon at all
    res = fit.run_fit(fit.load_spec(spec), tmp_path / "fit")
    named = {p for d in res["not_determined"] for p in d["parameters"]}
    assert named == {"materials.pi_II.E_GPa", "materials.pi_II.cte_per_K", "materials.pi_III.E_GPa"}
    assert len(res["not_determined"]) == 2  # one curl datum fixes one combination of the three
    for k in named:
        assert res["parameters"][k]["standard_error"] is None and not res["parameters"][k]["determined"]
    assert abs(res["residuals"][0]["weighted"]) < 1e-3
    out = CliRunner().invoke(main, ["fit", str(spec), "--out", str(tmp_path / "cli"), "--workers", "0"])
    assert out.exit_code == 0 and "not determined by the measurements" in out.output


@pytest.mark.parametrize("body, words", [
    ("[[measurements]]\ncase='{c}'\noutput='curl.curvature_1_per_m'\nvalue=1.0\nsd=0.0\n"
     "[[parameters]]\npath='materials.pi_II.E_GPa'\nbounds=[1.0, 9.0]\n", "measurements.0.sd"),
    ("[[measurements]]\ncase='{c}'\noutput='curl.curvature_1_per_m'\nvalue=1.0\nsdd=0.1\n"
     "[[parameters]]\npath='materials.pi_II.E_GPa'\nbounds=[1.0, 9.0]\n", "did you mean 'sd'"),
    ("[[measurements]]\ncase='{c}'\noutput='curl.curvature_1_per_m'\nvalue=1.0\nsd=0.1\n"
     "[[parameters]]\npath='materials.pi_II.E_GPA'\nbounds=[1.0, 9.0]\n", "did you mean 'E_GPa'"),
    ("[[measurements]]\ncase='{c}'\noutput='curl.curvature_1_per_m'\nvalue=1.0\nsd=0.1\n"
     "[[parameters]]\npath='materials.pi_II.E_GPa'\nbounds=[5.0, 9.0]\n", "around the start value 3.5"),
    ("[[measurements]]\ncase='nope.toml'\noutput='x'\nvalue=1.0\nsd=0.1\n"
     "[[parameters]]\npath='materials.pi_II.E_GPa'\nbounds=[1.0, 9.0]\n", "measurements.0.case"),
])
def test_bad_spec_is_one_line_exit_2(tmp_path, body, words):
    spec = tmp_path / "bad.toml"
    spec.write_text(body.format(c=CURL))
    res = CliRunner().invoke(main, ["fit", str(spec), "--out", str(tmp_path / "o"), "--workers", "0"])
    assert res.exit_code == 2, res.output
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and str(spec) in lines[0] and words in lines[0], res.output
    with pytest.raises(InputError):
        fit.load_spec(spec)


def test_an_output_the_summary_does_not_have_is_a_bad_spec(tmp_path):
    spec = write_spec(tmp_path, [(CURL, "curl.curvature_1_per_mm", 1.0, 0.1)], [("materials.pi_II.E_GPa", (1.0, 9.0))])
    res = CliRunner().invoke(main, ["fit", str(spec), "--out", str(tmp_path / "o"), "--workers", "0"])
    assert res.exit_code == 2 and "did you mean 'curl.curvature_1_per_m'" in res.output, res.output
    assert len(res.output.strip().splitlines()) == 1


def test_an_interface_key_is_suggested_in_alphabetical_order():
    case = {"interfaces": {"copper_ed|pi_II": {"bonded_toughness_J_per_m2": 300.0}}}
    key = overlay.parse_key('interfaces."pi_II|copper_ed".bonded_toughness_J_per_m2', "x")
    with pytest.raises(InputError, match=r"did you mean 'copper_ed\|pi_II'"):
        overlay.set_path(case, key, 310.0, "o.toml")
    ok = overlay.set_path(case, ("interfaces", "copper_ed|pi_II", "bonded_toughness_J_per_m2"), 310.0, "o.toml")
    assert ok["interfaces"]["copper_ed|pi_II"]["bonded_toughness_J_per_m2"] == 310.0
