"""`validate --uncertainty N` on one cheap patent row: band columns, their order, the headline."""
import csv
import shutil
from pathlib import Path

from click.testing import CliRunner

from fem_laminate.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_validate_with_bands_on_a_preparation_row(tmp_path):
    cases = tmp_path / "cases"
    cases.mkdir()
    shutil.copy(ROOT / "cases" / "preparation_2.toml", cases)
    args = ["validate", "--cases", str(cases), "--out", str(tmp_path / "v"), "--uncertainty", "16", "--workers", "0"]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    row = next(csv.DictReader(open(tmp_path / "v" / "validation.csv")))
    pred, lo, hi = (float(row[f"film CTE (1e-5/K) {k}"]) for k in ("predicted", "p05", "p95"))
    assert lo < pred < hi  # the film's own CTE (range 3.25-3.35e-5) and its modulus move the free film's CTE
    assert hi - lo < 0.2 * pred
    assert row["peel (kgf/cm) p05"] == "" and row["peel (kgf/cm) p95"] == ""  # no bond, no peel, no band
    md = (tmp_path / "v" / "validation.md").read_text()
    assert md.startswith("# Validation against EP0496334A1, with uncertainty bands")
    assert "1 of 1 published values inside the p05-p95 band" in md.splitlines()[2]
    assert (tmp_path / "v" / "parity_film_CTE.png").stat().st_size > 0
    evals = tmp_path / "v" / "uncertainty" / "evals"
    n_runs = len(list(evals.glob("*/point.json")))
    assert n_runs >= 5  # nominal + the film's CTE, modulus, Poisson ratio and the foil's numbers
