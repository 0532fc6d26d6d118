"""Small-strain theory knows its range: the summary states the largest elastic strain over the run and flags a
run beyond the small-strain limit with a note, while the patent rows stay inside it."""
import tomllib
from pathlib import Path

from fem_laminate.case import load_case_dict
from fem_laminate.job import simulate
from fem_laminate.post.summary import SMALL_STRAIN

ROOT = Path(__file__).resolve().parents[2]


def _preparation(cte_per_K: float):
    d = tomllib.loads((ROOT / "cases" / "preparation_1.toml").read_text())
    d["mesh"]["nx"] = 20
    d["materials"] = {"pi_I": {"base": "pi_I", "cte_per_K": cte_per_K}}
    _, _, s = simulate(load_case_dict(d, "p1.toml"))
    return s


def test_a_patent_row_is_inside_small_strain_theory():
    k = _preparation(1.5e-5)["model"]["kinematics"]
    assert k["valid"] and 0.0 < k["max_elastic_strain"] < SMALL_STRAIN


def test_a_mismatch_beyond_small_strain_is_flagged_with_a_note():
    """A film with a CTE of 1e-3 /K (the largest the schema accepts) cast on copper and cooled from 350 C carries
    a mismatch of about 0.3: far beyond small strain; the number is kept, the run says so."""
    s = _preparation(1e-3)
    k = s["model"]["kinematics"]
    assert not k["valid"] and k["max_elastic_strain"] > SMALL_STRAIN
    assert any("beyond small-strain theory" in n for n in s["notes"])
