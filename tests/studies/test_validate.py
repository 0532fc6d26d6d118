"""All patent cases end to end (the validation table), with the calibration rows reproduced."""
import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from fem_laminate.studies.validate import PATENT_CASES, published

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def validation_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("validation")
    r = subprocess.run([sys.executable, "-m", "fem_laminate.cli", "validate", "--cases", str(ROOT / "cases"),
                        "--out", str(out)], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-2000:]
    STDOUT["validate"] = r.stdout
    return out


STDOUT = {}  # what `validate` printed (the fixture's run)


def test_validate_prints_a_headline_the_report_stays_in_the_folder(table, validation_out):
    rows, md = table
    text = STDOUT["validate"]
    assert len(text) < 800 and "|" not in text and md not in text, text
    assert text.splitlines()[0] == f"{len(PATENT_CASES)} cases -> {validation_out / 'validation.md'} (and validation.csv)"
    within = sum(abs(float(r["film CTE (1e-5/K) error (%)"])) <= 10.0 for r in rows.values()
                 if r["film CTE (1e-5/K) error (%)"])
    compared = sum(bool(r["film CTE (1e-5/K) error (%)"]) for r in rows.values())
    assert f"film CTE (1e-5/K): {within} of {compared} published rows within ±10 %" in text
    assert "peel (kgf/cm): " in text and "within ±0.2 kgf/cm" in text


@pytest.fixture(scope="module")
def table(validation_out):
    out = validation_out
    with open(out / "validation.csv") as fh:
        rows = {row["case"]: row for row in csv.DictReader(fh)}
    return rows, (out / "validation.md").read_text()


def test_every_patent_case_ran(table):
    rows, md = table
    assert set(rows) == set(PATENT_CASES)
    assert "Calibration" in md and "Example 1" in md


def test_report_opens_with_a_headline_parity_plots_and_a_compact_table(table, validation_out):
    rows, md = table
    head, details = md.split("## Details", 1)
    assert head.startswith("# Validation against EP0496334A1\n")
    assert "- **film CTE (1e-5/K)**:" in head and "- **peel (kgf/cm)**:" in head and "Calibration" in head
    for png in ("parity_film_CTE.png", "parity_peel.png"):
        assert f"]({png})" in head and (validation_out / png).stat().st_size > 1000
    assert "| case | quantity | predicted | published |" in head
    assert md.count("# Validation against EP0496334A1") == 1


def test_calibration_rows_are_reproduced(table):
    rows, _ = table
    pub = published()["rows"]
    # Example 1 set the fully bonded Cu-PI peel; Comparatives 1 and 2 must come out 0 from the physics
    assert float(rows["example_1"]["peel (kgf/cm) predicted"]) == pytest.approx(pub["Example 1"]["peel_kgf_per_cm"],
                                                                               abs=0.05)
    for row, name in (("comparative_1", "Comparative example 1"), ("comparative_2", "Comparative example 2")):
        assert float(rows[row]["peel (kgf/cm) predicted"]) == pytest.approx(pub[name]["peel_kgf_per_cm"], abs=1e-9)


def test_published_film_cte_rows_have_errors(table):
    rows, _ = table
    for name in ("example_1", "comparative_1", "comparative_2"):
        assert rows[name]["film CTE (1e-5/K) error (%)"] not in ("", None)
    # held-back rows carry a prediction and no published value
    assert rows["example_4"]["film CTE (1e-5/K) published"] == ""
    assert float(rows["example_4"]["film CTE (1e-5/K) predicted"]) > 0


def test_preparation_films_return_their_tma_cte(table):
    rows, _ = table
    pub = published()["rows"]
    for k in range(1, 8):
        pred = float(rows[f"preparation_{k}"]["film CTE (1e-5/K) predicted"])
        # within 1 %: the only difference is the 25 C normalisation of a film formed on copper at 350 C
        assert pred == pytest.approx(pub[f"Preparation example {k}"]["film_cte_per_K"] * 1e5, rel=0.01)


def test_patent_criteria_columns(table):
    rows, _ = table
    assert rows["example_1"]["bond T within Tg+30..Tg+250"] == "pass"
    assert rows["comparative_1"]["bond T within Tg+30..Tg+250"] == "fail"  # 280 C is below Tg 300 C
    assert rows["comparative_2"]["bonding-layer Tg 250-400 C"] == "fail"  # polyimide I has no Tg


def test_every_patent_row_writes_strict_json(validation_out):
    """Issue 11: summary.json of every patent row (Comparatives 1, 2 and 4 have an unbonded interface whose
    failure index is infinite) parses with a parser that refuses NaN and Infinity."""
    def refuse(name):
        raise ValueError(f"non-finite JSON constant {name}")
    summaries = sorted((validation_out / "cases").glob("*/summary.json"))
    assert {p.parent.name for p in summaries} == set(PATENT_CASES)
    for p in summaries:
        json.loads(p.read_text(), parse_constant=refuse)


def test_patent_dimensional_stability_rule_marks_comparatives_3_and_5(table):
    """The patent's own rule (film CTE above ~3.0e-5/K: inferior dimensional stability) applied to the predicted
    film CTE: Comparatives 3 and 5 (thick thermoplastic layers) come out inferior, every Example good."""
    rows, md = table
    col = "dimensional stability by the patent's rule (film CTE <= 3.0e-5)"
    for k in range(1, 6):
        assert rows[f"example_{k}"][col] == "good"
    for name in ("comparative_3", "comparative_5"):
        assert rows[name][col] == "inferior"
    assert "claim 1" in md


def test_patent_rows_peel_inside_the_closed_form_range_unchanged(validation_out):
    """Every bundled patent row's peel is inside the closed form's range (docs/theory/peel.md, validity table) and reads the
    closed form computed directly from the row's arm and foundation at its toughness (method auto changes none)."""
    from fem_laminate.analytic import peel as ap
    from fem_laminate.case import load_case
    from fem_laminate.physics.correlations import bonding as bd
    from fem_laminate.process import peel as pp

    for name in PATENT_CASES:
        p = json.loads((validation_out / "cases" / name / "summary.json").read_text()).get("peel")
        if p is None:
            continue
        assert p["valid"] and p["invalid_reason"] is None and p["peel_null_reason"] is None, name
        if p["interface_toughness_J_per_m2"] <= 0.0:
            assert p["force_N_per_mm"] == 0.0, name
            continue
        assert p["method_used"] == "analytic", name
        layers = list(load_case(ROOT / "cases" / f"{name}.toml").full_stack().layers)
        arm, found = pp.arm_and_foundation(layers, p["failing_layers"], p["temperature_C"])
        r = ap.steady_peel(p["interface_toughness_J_per_m2"], p["angle_deg"], arm, found,
                           cohesive=ap.CohesiveLaw(bd.cohesive_strength_Pa()))
        assert p["force_N_per_mm"] == r.force_N_per_mm, name


def test_validate_refuses_a_folder_of_the_users_files(tmp_path):
    """The rules of `run`: --out naming a folder that holds files this tool did not write is refused in one line,
    before any case runs, and the user's file is untouched."""
    import subprocess
    import sys

    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("my notes\n")
    r = subprocess.run([sys.executable, "-m", "fem_laminate.cli", "validate", "--out", str(out)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2
    assert r.stderr.strip().count("\n") == 0 and "files this tool did not write" in r.stderr, r.stderr
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    assert (out / "notes.txt").read_text() == "my notes\n"
