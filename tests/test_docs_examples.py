"""The documentation examples (docs/examples/*.py, gallery-style scripts) run and write their outputs into the
folder they are given (here a temporary one), not into the repository. The long ones run a reduced version
(FEM_LAMINATE_EXAMPLE_FAST=1) and are marked slow."""
import runpy
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples"

# example: (files it writes, marked slow)
CASES = {
    "peel_thickness_study": (["peel_thickness_study.csv", "peel_vs_thickness.png"], False),
    "healing_margin": (["healing_margin.json"], False),
    "peel_cohesive_root": (["peel_cohesive_root.json", "peel_cohesive_root.txt"], False),
    "mechanisms": (["mechanisms.json", "mechanisms.md"], False),  # Example 1 only with FAST, ~8 s
    "curl_thickness_ratio": (["curl_thickness_ratio.json", "curl_vs_thickness_ratio.png"], True),  # FAST: ~70 s
    "press_conditions": (["press_conditions.json", "press_conditions.md"], True),  # FAST: Example 1's nip, ~20 s
}


def test_every_example_is_listed_and_gallery_style():
    found = {p.stem for p in EXAMPLES.glob("*.py")}
    assert found == set(CASES)
    for name in found:
        src = (EXAMPLES / f"{name}.py").read_text()
        doc = src.split('"""')[1].strip().splitlines()
        assert len(doc) > 3 and set(doc[1]) == {"="} and len(doc[1]) >= len(doc[0]), name  # title, underline
        assert "\n# %%\n" in src, name


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if slow else n
                                  for n, (_, slow) in CASES.items()])
def test_example_runs_and_writes_into_the_given_folder(name, tmp_path, monkeypatch):
    monkeypatch.setenv("FEM_LAMINATE_EXAMPLE_FAST", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    script = EXAMPLES / f"{name}.py"
    argv = [str(script), str(tmp_path)] if name != "curl_thickness_ratio" else [str(script), "--out", str(tmp_path)]
    monkeypatch.setattr(sys, "argv", argv)
    runpy.run_path(str(script), run_name="__main__")
    for f in CASES[name][0]:
        assert (tmp_path / f).is_file() and (tmp_path / f).stat().st_size > 0, f
