"""Validation against EP0496334A1: every patent case run end to end, predictions beside published values.

The published values are read from data/ep0496334_published.toml (never literals in code or tests). Rows the
reference holds back show the prediction only. The table says which parameters were calibrated and on which
rows (see data/materials.toml and, for bonding, data/bonding.toml).
"""
from __future__ import annotations

import csv
import tomllib
from importlib import resources
from pathlib import Path

from .case import load_case
from .job import run_case

PATENT_CASES = ["example_1", "example_2", "example_3", "example_4", "example_5"] + \
    [f"comparative_{k}" for k in range(1, 7)] + [f"preparation_{k}" for k in range(1, 8)]


def published() -> dict:
    text = resources.files("fem_laminate").joinpath("data/ep0496334_published.toml").read_text()
    return tomllib.loads(text)


def _err(pred, meas):
    if pred is None or meas is None:
        return None
    if meas == 0:
        return pred - meas
    return (pred - meas) / abs(meas) * 100.0


COLUMNS = [
    # (column, unit, summary getter, published key, error kind)
    ("film CTE", "1e-5/K", lambda s: (s.get("film") or {}).get("cte_per_K"), "film_cte_per_K", "pct", 1e5),
    ("base curvature", "1/m", lambda s: s["curl"]["curvature_1_per_m"], None, None, 1.0),
    ("dimensional change", "%", lambda s: s.get("dimensional_change_pct"), None, None, 1.0),
    ("peel", "kgf/cm", lambda s: (s.get("bond") or {}).get("peel_kgf_per_cm"), "peel_kgf_per_cm", "abs", 1.0),
]


def run_validation(cases_dir, out_dir, progress: bool = True) -> list[dict]:
    """Run every patent case found in cases_dir; write validation.csv and validation.md to out_dir."""
    cases_dir, out_dir = Path(cases_dir), Path(out_dir)
    ref = published()["rows"]
    rows = []
    names = [n for n in PATENT_CASES if (cases_dir / f"{n}.toml").is_file()]
    if not names:
        raise FileNotFoundError(f"{cases_dir}: no patent case files (example_1.toml ...) found")
    it = names
    if progress:
        from tqdm import tqdm
        it = tqdm(names, desc="validate", unit="case")
    for n in it:
        case = load_case(cases_dir / f"{n}.toml")
        s = run_case(case, out_dir / "cases" / n)
        row_name = case.spec.reference.get("row", case.name)
        pub = ref.get(row_name, {})
        row = {"case": n, "row": row_name}
        for col, unit, get, key, kind, scale in COLUMNS:
            pred = get(s)
            meas = pub.get(key) if key else None
            row[f"{col} predicted ({unit})"] = None if pred is None else pred * scale
            row[f"{col} published ({unit})"] = None if meas is None else meas * scale
            e = None
            if pred is not None and meas is not None:
                e = _err(pred, meas) if kind == "pct" else (pred - meas)
            row[f"{col} error ({'%' if kind == 'pct' else unit})"] = e
        for extra in s.get("validation_extra", {}).items():
            row[extra[0]] = extra[1]
        rows.append(row)
    out_dir.mkdir(parents=True, exist_ok=True)
    keys = list(dict.fromkeys(k for r in rows for k in r))
    with open(out_dir / "validation.csv", "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=keys)
        w.writeheader()
        w.writerows(rows)
    (out_dir / "validation.md").write_text(markdown_table(rows, keys))
    return rows


def _fmt(v):
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.3g}"
    return str(v)


def markdown_table(rows, keys) -> str:
    head = ("# Validation against EP0496334A1\n\n"
            "Predictions of fem_laminate beside the values the patent publishes ('–': held back by the reference "
            "or not measured). Errors are prediction minus measurement (relative in % for CTE, absolute for peel).\n\n"
            "Calibration: no material parameter was fitted to any row; film CTEs are the Preparation-example "
            "inputs (data/materials.toml), moduli are literature values or labelled assumptions. Bonding "
            "parameters and the rows they were calibrated on are listed in data/bonding.toml.\n\n")
    lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    for r in rows:
        lines.append("| " + " | ".join(_fmt(r.get(k)) for k in keys) + " |")
    return head + "\n".join(lines) + "\n"
