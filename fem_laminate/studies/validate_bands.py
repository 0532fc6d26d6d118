"""`fem-laminate validate --uncertainty N`: a p05-p95 band on each predicted quantity of the validation table.

What makes it fast enough for 18 cases on two cores (benchmarks/bench_validate_uncertainty.py):

- the sampled parameters are chosen for the two quantities the table validates, not all ~60 numbers of a case's
  materials: for the film CTE (a free film's TMA: its layers' expansion weighted by their stiffness) each
  polyimide's CTE, modulus, Poisson ratio and Tg; for the peel (the copper arm's elastic-plastic bending and the
  nip's intimate contact, shifted by the bonding layer's Tg) the foil's modulus, yield stress and hardening.
  The interface toughness is a bonding-model number (data/bonding.toml), not a case field: its uncertainty is
  not in these bands;
- the runs leave out the tests on copies that feed neither quantity (solder float, pressure cooker, JIS
  dimensional stability, curl), which do not change the laminate: the same film CTE and peel, a quarter less time;
- the model is the full one, linearised: one run per parameter at its 84th percentile (+1 sd; for a range, the
  same quantile of its uniform law) gives the gradient, and N Latin-hypercube samples of the inputs through that
  first-order model give the band, centred on the table's own (full-case) prediction. The one-at-a-time runs
  go in parallel on Dask through the sweep machinery and are kept (a rerun reads them back).

So the bands are first-order: a quantity that responds strongly nonlinearly to a parameter (a peel at the edge of
full intimate contact) is banded by its slope at the nominal. `fem-laminate uq CASE` samples the full model.
"""
from __future__ import annotations

import copy
from pathlib import Path

import numpy as np

from .evaluate import CaseFile, Evaluator, output_value
from .uq import Q_SCREEN, Study, uncertain_parameters

# the parameters sampled for the validated quantities (glob patterns on library-merged case paths)
SAMPLED = ("materials.pi_*.cte_per_K", "materials.pi_*.E_GPa", "materials.pi_*.nu", "materials.pi_*.Tg_C",
           "materials.copper_ed.E_GPa", "materials.copper_ed.yield_MPa", "materials.copper_ed.hardening_MPa",
           "interfaces.*.bonded_toughness_J_per_m2")
# summary path of each validated quantity, and its factor to the table's unit
OUTPUTS = {"film CTE (1e-5/K)": ("film.cte_per_K", 1e5), "peel (kgf/cm)": ("peel.kgf_per_cm", 1.0)}
# agreement with a published value: film CTE within 10 % (TMA CTEs of one film scatter by several percent between
# runs and instruments: assumption), peel within 0.2 kgf/cm (peel of 1 cm strips reads to about 0.1 kgf/cm and
# scatters more: assumption)
TOLERANCE = {"film CTE (1e-5/K)": ("rel", 0.10), "peel (kgf/cm)": ("abs", 0.2)}


def reduced(raw: dict) -> dict:
    """The case without the tests on copies that feed neither validated quantity (only the film's TMA and the peel
    put the results the bands are of)."""
    from ..process.peel import PeelResult
    from ..process.step import STEP_KINDS
    from ..process.tma import FilmResult

    def skipped(step) -> bool:
        kind = STEP_KINDS.get(step.get("kind")) if isinstance(step, dict) else None
        return kind is not None and kind.on_copy and kind.result not in (FilmResult, PeelResult)

    d = copy.deepcopy(raw)
    d["steps"] = [s for s in d["steps"] if not skipped(s)]
    return d


def case_bands(raws: dict[str, tuple[dict, str]], samples: int, folder, client=None, progress=False,
               seed: int = 0) -> dict[str, dict]:
    """name -> {column: (p05, p95) or None, "parameters": [...]} for every case (raw dict, source path)."""
    from scipy.stats import qmc

    ev = Evaluator(Path(folder) / "evals", client=client, progress=progress)
    studies, flat, spans = {}, [], {}
    for name, (raw, src) in raws.items():
        d = reduced(raw)
        params = uncertain_parameters(d, src, SAMPLED)
        studies[name] = Study(CaseFile(name, src, d), params, ev)
        spans[name] = (len(flat), len(params))
        flat.append((studies[name].case, [], []))  # nominal
        flat += [(studies[name].case, [p.parts], [p.value(Q_SCREEN)]) for p in params]  # one at a time, +1 sd
    # one batch for every case: the whole set of one-at-a-time runs in parallel
    recs = ev.run_values(flat)
    ev.write_table()
    out = {}
    for name, study in studies.items():
        start, D = spans[name]
        rr = recs[start:start + D + 1]
        params = study.params
        lhs = qmc.LatinHypercube(d=max(D, 1), seed=seed).random(samples)
        # input deviations of each sample from the nominal, and of each one-at-a-time run
        dx = np.array([[_num(p.value(row[j])) - _num(p.nominal) for j, p in enumerate(params)] for row in lhs])
        step = np.array([_num(p.value(Q_SCREEN)) - _num(p.nominal) for p in params])
        res = {"parameters": [p.path for p in params], "failed": [r["point_id"] for r in rr if r["status"] != "ok"]}
        for col, (path, k) in OUTPUTS.items():
            if rr[0]["status"] != "ok":
                res[col] = None
                continue
            y0 = output_value(rr[0]["summary"], path)
            ys = [output_value(r["summary"], path) if r["status"] == "ok" else None for r in rr[1:]]
            if y0 is None or any(y is None for y in ys):
                res[col] = None
                continue
            g = np.array([(y - y0) / s if s else 0.0 for y, s in zip(ys, step)])
            dy = dx @ g if D else np.zeros(samples)
            p05, p95 = np.percentile(dy, [5, 95])
            res[col] = (float(p05) * k, float(p95) * k)  # deviations from the prediction, in the table's unit
        out[name] = res
    return out


def _num(v) -> float:
    return float(v) if isinstance(v, (int, float)) else 0.0


def add_band_columns(rows: list[dict], bands: dict[str, dict]) -> None:
    """`<quantity> p05` / `<quantity> p95` beside each predicted quantity (the prediction plus the band)."""
    for r in rows:
        b = bands.get(r["case"], {})
        for col in OUTPUTS:
            pred = r.get(f"{col} predicted")
            dev = b.get(col)
            ok = pred is not None and dev is not None
            r[f"{col} p05"] = pred + dev[0] if ok else None
            r[f"{col} p95"] = pred + dev[1] if ok else None


def within_tolerance(col: str, pred, pub) -> bool | None:
    if pred is None or pub is None:
        return None
    kind, tol = TOLERANCE[col]
    return abs(pred - pub) <= (tol * abs(pub) if kind == "rel" else tol)


def headline(rows: list[dict], samples: int | None, calibration: str, plots: dict[str, str]) -> str:
    """The opening of validation.md: per quantity how many published values lie within tolerance (and, with
    bands, inside the band); which parameters were calibrated on which rows; the parity plots; a compact table.
    samples=None: no bands."""
    bands = samples is not None
    lines = ["# Validation against EP0496334A1" + (", with uncertainty bands" if bands else "") + "\n"]
    for col in OUTPUTS:
        pub = [r for r in rows if r.get(f"{col} published") is not None and r.get(f"{col} predicted") is not None]
        inside = sum(1 for r in pub if r.get(f"{col} p05") is not None
                     and r[f"{col} p05"] <= r[f"{col} published"] <= r[f"{col} p95"])
        tol = sum(1 for r in pub if within_tolerance(col, r[f"{col} predicted"], r[f"{col} published"]))
        kind, t = TOLERANCE[col]
        tol_text = f"±{t * 100:g} %" if kind == "rel" else f"±{t:g}"
        band_text = f"{inside} of {len(pub)} published values inside the p05-p95 band; " if bands else ""
        lines.append(f"- **{col}**: {band_text}{tol} of {len(pub)} within {tol_text} of the prediction.")
    if bands:
        lines.append(f"\nBands: first-order propagation of the library's uncertainties (data/materials.toml) through "
                     f"the full model, {samples} Latin-hypercube samples (studies/validate_bands.py says which "
                     "parameters and why), the bonded toughness of each interface among them.\n")
    else:
        lines.append("\nNo bands: `fem-laminate validate --uncertainty N` adds p05/p95 from the data's "
                     "uncertainties.\n")
    lines.append(calibration)
    for col, png in plots.items():
        lines.append(f"![{col}: published vs predicted]({png})\n")
    cols = ("predicted", "p05", "p95", "published") if bands else ("predicted", "published")
    lines.append("| case | quantity | " + " | ".join(cols) + " |")
    lines.append("|---|---|" + "---|" * len(cols))
    for r in rows:
        for col in OUTPUTS:
            if r.get(f"{col} predicted") is None and r.get(f"{col} published") is None:
                continue
            cells = [r["case"], col] + [_fmt(r.get(f"{col} {k}")) for k in cols]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n\n## Details\n\n"


def _fmt(v) -> str:
    return "–" if v is None else f"{v:.3g}"


def parity_plots(rows: list[dict], out_dir: Path) -> dict[str, str]:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    files = {}
    for col in OUTPUTS:
        pts = [r for r in rows if r.get(f"{col} published") is not None and r.get(f"{col} predicted") is not None]
        if not pts:
            continue
        fig, ax = plt.subplots(figsize=(4.8, 4.5))
        for r in pts:
            x, y = r[f"{col} published"], r[f"{col} predicted"]
            lo, hi = r.get(f"{col} p05"), r.get(f"{col} p95")
            yerr = [[y - lo], [hi - y]] if lo is not None else None
            ax.errorbar(x, y, yerr=yerr, fmt="o", capsize=3, color="C0")
            ax.annotate(r["case"].replace("comparative_", "C").replace("example_", "E").replace("preparation_", "P"),
                        (x, y), fontsize=7, xytext=(3, 3), textcoords="offset points")
        vals = [v for r in pts for v in (r[f"{col} published"], r[f"{col} predicted"],
                                          r.get(f"{col} p05"), r.get(f"{col} p95")) if v is not None]
        lo, hi = min(vals), max(vals)
        pad = 0.05 * (hi - lo or 1.0)
        ax.plot([lo - pad, hi + pad], [lo - pad, hi + pad], color="0.6", lw=0.8)
        ax.set_xlabel(f"published {col}")
        ax.set_ylabel(f"predicted {col} (p05-p95)")
        ax.set_title(col, fontsize=9)
        fig.tight_layout()
        name = "parity_" + col.split(" (")[0].replace(" ", "_") + ".png"
        fig.savefig(out_dir / name, dpi=110)
        plt.close(fig)
        files[col] = name
    return files
