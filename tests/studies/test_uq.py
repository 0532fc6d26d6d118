"""`uq`: Sobol' indices of a toy linear model against their closed form, band ordering, resumability.

The toy runner reads the sampled numbers straight from the case the study built (library merged, overlays
applied) and returns y = sum a_i x_i: for independent inputs S1_i = ST_i = a_i^2 Var(x_i) / sum_j a_j^2 Var(x_j).
"""
import json
import math
import os

import pytest
from click.testing import CliRunner

from fem_laminate.cli import main
from fem_laminate.model.materials import library_sources
from fem_laminate.studies import uq
from tests.studies.test_fit import CURL

COEFF = {"E_GPa": 1.0, "nu": 10.0, "Tg_C": 0.1}


def toy_runner(case, source, out_dir):
    from fem_laminate.studies.overlay import get_path

    x = {k: get_path(case, ("materials", "pi_II", k), "toy") for k in COEFF}
    return {"y": sum(COEFF[k] * x[k] for k in COEFF), "x": x}


def test_sobol_indices_of_a_linear_model_match_the_closed_form(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "fsync", lambda fd: None)  # 1500 toy points: their durability is not tested here
    lib = library_sources()["pi_II"]
    var = {}
    for k in COEFF:
        e = lib[k]
        var[k] = e["sd"] ** 2 if "sd" in e else (e["range"][1] - e["range"][0]) ** 2 / 12.0
    total = sum(COEFF[k] ** 2 * var[k] for k in COEFF)
    exact = {f"materials.pi_II.{k}": COEFF[k] ** 2 * var[k] / total for k in COEFF}
    res = uq.run_uq(CURL, tmp_path / "uq", 128, outputs=["y"], only=[f"materials.pi_II.{k}" for k in COEFF],
                    sobol_params=3, runner=toy_runner)
    assert set(res["leading_parameters"]) == set(exact)
    for p, s in res["sobol"]["y"].items():
        assert math.isfinite(s["S1"]) and math.isfinite(s["ST"])
        assert s["S1"] == pytest.approx(exact[p], abs=0.1), p
        assert s["ST"] == pytest.approx(exact[p], abs=0.1), p
    q = res["quantiles"]["y"]
    assert q["p05"] <= q["p50"] <= q["p95"]
    # the band of a linear model of near-normal inputs: about +-1.645 sd around the nominal
    sd = math.sqrt(total)
    assert (q["p95"] - q["p05"]) / (2 * 1.645 * sd) == pytest.approx(1.0, abs=0.25)
    again = uq.run_uq(CURL, tmp_path / "uq", 128, outputs=["y"], only=[f"materials.pi_II.{k}" for k in COEFF],
                      sobol_params=3, runner=toy_runner)
    assert again["runs"]["case_runs"] == 0  # resumed: every run read back
    assert again["sobol"] == json.loads((tmp_path / "uq" / "uq.json").read_text())["sobol"]


def test_uq_cli_on_a_coupon(tmp_path):
    res = CliRunner().invoke(main, ["uq", str(CURL), "--samples", "8", "--out", str(tmp_path / "u"), "--workers", "0",
                                    "--params", "materials.pi_II.*", "--sobol-params", "2"])
    assert res.exit_code == 0, res.output
    out = json.loads((tmp_path / "u" / "uq.json").read_text())
    for k, q in out["quantiles"].items():
        assert q["p05"] <= q["p50"] <= q["p95"], k
    assert "curl.curvature_1_per_m" in out["sobol"]
    assert all(p.startswith("materials.pi_II.") for p in out["leading_parameters"])
    rows = (tmp_path / "u" / "uq.csv").read_text().splitlines()
    assert rows[0] == "output,nominal,p05,p50,p95,n"
    bad = CliRunner().invoke(main, ["uq", str(CURL), "--samples", "1", "--out", str(tmp_path / "v")])
    assert bad.exit_code == 2 and len(bad.output.strip().splitlines()) == 1
