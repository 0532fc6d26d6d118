"""The README and the documentation site: the README stays short and its commands are the ones CI runs, its
minimal case loads, the generated references name every step kind and case field the loader accepts, and what a
user reads carries no issue numbers, session notes or dates. (The site itself is built, warnings as errors, by
.ci/run.)"""
import re
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
CI = (ROOT / ".ci" / "run").read_text().replace("--quiet ", "")  # CI installs quietly
sys.path.insert(0, str(ROOT / "docs" / "_ext"))
import fem_reference  # noqa: E402


def test_readme_is_short_and_its_commands_are_what_ci_runs():
    assert len(README.splitlines()) <= 150
    test_cmd = "pip install '.[test]' && pytest"
    docs_cmd = "pip install '.[docs]' && sphinx-build -W --keep-going -b html docs docs/_build/html"
    for cmd in (test_cmd, docs_cmd):
        assert cmd in README and cmd in CI, cmd
    assert "fem-laminate run cases/example_1.toml" in README
    for link in re.findall(r"\]\(([^)#]+)\)", README):  # every picture and page the README points to exists
        assert (ROOT / link).exists(), link


def test_readme_minimal_case_loads():
    from fem_laminate.case import load_case_dict
    text = README.split("```toml\n")[1].split("```")[0]
    case = load_case_dict(tomllib.loads(text), source="README.md")
    assert [s.kind for s in case.steps] == ["cure", "cool"]


def test_generated_references_cover_the_registry_and_the_schema():
    from fem_laminate.case import CaseSpec, LayerSpec, MeshSpec
    from fem_laminate.physics.laws import switches
    from fem_laminate.process import STEP_KINDS
    steps, fields = fem_reference.step_kinds_md(), fem_reference.case_fields_md()
    for name, kind in STEP_KINDS.items():
        assert f'## `kind = "{name}"`' in steps, name
        for field in kind.spec.model_fields:
            assert f"| `{field}` |" in steps, (name, field)
    for model in (CaseSpec, LayerSpec, MeshSpec):
        for field in model.model_fields:
            assert f"| `{field}` |" in fields, field
    assert all(f"| `{s}` |" in fields for s in switches())
    # a comment above a field is that field's, a comment block below it with no field after continues it
    c = fem_reference.field_comments(STEP_KINDS["peel"].spec)
    assert c["fem_bonded_length_mm"].startswith("crack advance") and "crack advance" not in c["fem_elements_per_layer"]


def test_docstrings_are_made_safe_for_restructuredtext():
    lines = ["Curvature |kappa| of:", "    k = a + b", "then", "- one", "  more", "- two", "after"]
    assert fem_reference.plain_docstring(lines) == [
        "Curvature \\|kappa\\| of:", "", "    k = a + b", "", "then", "", "- one", "  more", "- two", "", "after"]


NOT_FOR_READERS = re.compile(r"\bissues?\b|\bsession\b|\b20\d\d-\d\d-\d\d\b", re.IGNORECASE)


@pytest.mark.parametrize("path", [ROOT / "README.md"] + sorted((ROOT / "docs").rglob("*.md"))
                         + sorted((ROOT / "docs" / "gallery").glob("*.py")), ids=lambda p: p.name)
def test_what_users_read_has_no_issue_numbers_or_dates(path):
    if {"_build", "_generated", "auto_gallery", "generated"} & set(path.relative_to(ROOT).parts):
        return
    hits = [line for line in path.read_text().splitlines() if NOT_FOR_READERS.search(line)]
    assert not hits, hits
