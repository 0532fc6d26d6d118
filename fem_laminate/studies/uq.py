"""`fem-laminate uq CASE --samples N --out DIR`: uncertainty bands and Sobol' indices from the data's uncertainties.

Every number of the material library carries an uncertainty (data/materials.toml: `sd`, `range` or, for a
table, `sd_rel`, each with its reason). The uncertain parameters of a case are those of the materials its layers
and bonded foils use (library merged; a property the case sets itself is taken as exact). Each is a
distribution on a unit variable q in (0, 1): sd -> normal (value + sd * Phi^-1(q), kept inside the key's
physical range), range -> uniform, sd_rel -> a common factor 1 + sd_rel * Phi^-1(q) on the table's CTEs or
relaxation times.

Three sets of runs, all through the sweep machinery (Dask, resumable: a rerun reads finished runs back):

1. screening, one at a time: the nominal case and each parameter at its 84th percentile (+1 sd) -> the effect
   of each parameter on each leading output; the `sobol_params` largest are the leading parameters;
2. bands: a Latin hypercube (scipy.stats.qmc, N points) over all the uncertain parameters -> p05 / p50 / p95 of
   every scalar of summary.json;
3. indices: SALib's Sobol' design (Saltelli's scheme, N (k + 2) runs) over the k leading parameters, the others
   at nominal -> first-order and total Sobol' indices (SALib.analyze.sobol) of each leading output.
"""
from __future__ import annotations

import csv
import fnmatch
import io
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import InputError
from .evaluate import CaseFile, Evaluator, numeric_leaves, output_value, study_folder
from ..post.output import strict_json
from .fit import _write_text
from .overlay import format_key, is_value_table, merged_view

LEADING = ("curl.curvature_1_per_m", "film.cte_per_K", "dimensional_change_pct", "peel.kgf_per_cm")
Q_SCREEN = 0.8413447460685429  # Phi(1): one standard deviation up
MAX_SAMPLES = 4096


@dataclass(frozen=True)
class Uncertain:
    """One uncertain number of the data, as a function of a unit variable q."""
    path: str
    parts: tuple
    nominal: object
    kind: str  # "sd" | "range" | "sd_rel"
    spread: object  # sd, [lo, hi], or relative sd
    reason: str
    limits: tuple = (-math.inf, math.inf)  # the key's physical range (model/materials.py RANGES)

    def value(self, q: float):
        from scipy.stats import norm

        q = min(max(float(q), 1e-9), 1 - 1e-9)
        if self.kind == "range":
            lo, hi = self.spread
            return lo + q * (hi - lo)
        z = float(norm.ppf(q))
        if self.kind == "sd":
            v = self.nominal + self.spread * z
            lo, hi = self.limits
            if self.nominal > 0:  # a positive quantity stays positive
                lo = max(lo, 0.05 * self.nominal)
            return float(min(max(v, lo), hi))
        f = max(1.0 + self.spread * z, 0.05)
        return scale_table(self.parts[-1], self.nominal, f)

    def std(self) -> float | None:
        """Standard deviation of the number (None for a table)."""
        if self.kind == "sd":
            return float(self.spread)
        if self.kind == "range":
            return (self.spread[1] - self.spread[0]) / math.sqrt(12.0)
        return None


def scale_table(key: str, table, f: float):
    """A table with its uncertain column scaled by f: relaxation times of a Prony series, CTEs of a mean-CTE table."""
    if key == "prony":
        return [{"g": t["g"], "tau_s": t["tau_s"] * f} for t in table]
    return [[row[0], row[1] * f] for row in table]


def used_materials(layers) -> list[str]:
    """The material names of a stack's layers, each once, bottom first."""
    names = []
    for lay in layers:
        if lay.material.name not in names:
            names.append(lay.material.name)
    return names


def used_interfaces(layers) -> list[str]:
    """The interface table's keys ("a|b", alphabetical) of every pair of adjacent layers in a stack."""
    keys = []
    for lo, hi in zip(layers[:-1], layers[1:]):
        key = "|".join(sorted((lo.material.name, hi.material.name)))
        if key not in keys:
            keys.append(key)
    return keys


def uncertain_parameters(raw: dict, source: str, only=None) -> list[Uncertain]:
    """The uncertain numbers of the materials and interfaces the case uses, optionally filtered by glob patterns
    on the paths."""
    from ..case import load_case_dict
    from ..model.materials import RANGES

    layers = load_case_dict(raw, source).full_stack().layers  # validated once for both lists below
    merged = merged_view(raw)
    view = merged["materials"]
    out = []
    for key in used_interfaces(layers):
        for field, e in (merged.get("interfaces", {}).get(key) or {}).items():
            kind = next((k for k in ("sd", "range") if is_value_table(e) and k in e), None)
            if kind is None:
                continue
            parts = ("interfaces", key, field)
            path = format_key(parts)
            if only and not any(fnmatch.fnmatchcase(path, pat) for pat in only):
                continue
            limits = (0.0, 1.0) if field == "wet_toughness_loss" else (0.0, math.inf)
            out.append(Uncertain(path, parts, e["value"], kind, e[kind], e.get("uncertainty", ""), limits))
    for name in used_materials(layers):
        entries = view.get(name, {})
        items = []
        for key, e in entries.items():
            if is_value_table(e):
                items.append(((key,), e))
            elif isinstance(e, dict):  # a law's own table
                items += [((key, k2), e2) for k2, e2 in e.items() if is_value_table(e2)]
        for sub, e in items:
            kind = next((k for k in ("sd", "range", "sd_rel") if k in e), None)
            if kind is None or isinstance(e["value"], bool):
                continue
            parts = ("materials", name) + sub
            path = format_key(parts)
            if only and not any(fnmatch.fnmatchcase(path, pat) for pat in only):
                continue
            out.append(Uncertain(path, parts, e["value"], kind, e[kind], e.get("uncertainty", ""),
                                 RANGES.get(sub[-1], (-math.inf, math.inf))))
    return out


class Study:
    """Runs a case at unit-variable points q (one per uncertain parameter; None: nominal)."""

    def __init__(self, case: CaseFile, params: list[Uncertain], ev: Evaluator):
        self.case, self.params, self.ev = case, params, ev

    def run(self, Q: list) -> list[dict]:
        jobs = []
        for q in Q:
            idx = [j for j in range(len(self.params)) if q is not None and q[j] is not None]
            jobs.append((self.case, [self.params[j].parts for j in idx], [self.params[j].value(q[j]) for j in idx]))
        return self.ev.run_values(jobs)


def _outputs_of(records, outputs) -> np.ndarray:
    return np.array([[output_value(r["summary"], o) if r["status"] == "ok" else None for o in outputs]
                     for r in records], dtype=float)


def run_uq(case_path, out_dir, samples: int, client=None, outputs=None, only=None, sobol_params: int = 4,
           seed: int = 0, runner=None, progress: bool = False) -> dict:
    """Screening, Latin-hypercube bands, Sobol' indices; writes uq.json, uq.csv, sobol.csv, uq.png."""
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample
    from scipy.stats import qmc

    from ..case import read_case_toml

    out = Path(out_dir)
    raw = read_case_toml(case_path)
    case = CaseFile(Path(case_path).stem, str(Path(case_path).resolve()), raw)
    params = uncertain_parameters(raw, str(case_path), only)
    if not params:
        raise InputError(f"{case_path}: no uncertain parameter{' matches --params' if only else ''} in the "
                         "materials this case uses")
    ev = Evaluator(out / "evals", client=client, runner=runner, progress=progress)
    study = Study(case, params, ev)
    D = len(params)
    # 1. screening
    recs = study.run([None] + [[Q_SCREEN if j == i else None for j in range(D)] for i in range(D)])
    if recs[0]["status"] != "ok":
        raise RuntimeError(f"uq: the nominal run of {case_path} failed ({recs[0]['error']})")
    nominal = recs[0]["summary"]
    if outputs is None:
        outputs = [o for o in LEADING if output_value(nominal, o) is not None]
        if not outputs:
            outputs = sorted(numeric_leaves(nominal))[:1]
    Y = _outputs_of(recs, outputs)
    effects = Y[1:] - Y[0]  # D x outputs
    norm_eff = np.abs(effects) / np.maximum(np.nanmax(np.abs(effects), axis=0), 1e-300)
    rank = np.argsort(-np.nan_to_num(np.nanmax(norm_eff, axis=1), nan=0.0), kind="stable")
    lead = sorted(rank[:min(sobol_params, D)].tolist())
    # 2. bands: Latin hypercube over everything
    lhs = qmc.LatinHypercube(d=D, seed=seed).random(samples)
    band_recs = study.run([list(row) for row in lhs])
    flat = [numeric_leaves(r["summary"]) for r in band_recs if r["status"] == "ok"]
    keys = sorted({k for f in flat for k in f})
    quant = {}
    for k in keys:
        v = np.array([f[k] for f in flat if k in f])
        p05, p50, p95 = np.percentile(v, [5, 50, 95])
        quant[k] = {"p05": p05, "p50": p50, "p95": p95, "nominal": output_value(nominal, k), "n": int(v.size)}
    # 3. Sobol' indices over the leading parameters (the others at nominal)
    problem = {"num_vars": len(lead), "names": [params[j].path for j in lead], "bounds": [[0.0, 1.0]] * len(lead)}
    X = sobol_sample.sample(problem, samples, calc_second_order=False, seed=seed)
    Q = []
    for row in X:
        q = [None] * D
        for c, j in enumerate(lead):
            q[j] = row[c]
        Q.append(q)
    sob_recs = study.run(Q)
    YS = _outputs_of(sob_recs, outputs)
    indices = {}
    for o, name in enumerate(outputs):
        y = YS[:, o]
        if not np.all(np.isfinite(y)) or np.ptp(y) == 0:
            indices[name] = {"note": "not computed: a run failed or gave null, or the output does not vary"}
            continue
        Si = sobol_analyze.analyze(problem, y, calc_second_order=False, seed=seed)
        indices[name] = {p: {"S1": Si["S1"][c], "S1_conf": Si["S1_conf"][c], "ST": Si["ST"][c],
                             "ST_conf": Si["ST_conf"][c]} for c, p in enumerate(problem["names"])}
    ev.write_table()
    failed = sum(r["status"] != "ok" for r in recs + band_recs + sob_recs)
    result = {
        "case": str(case_path), "samples": samples, "seed": seed, "outputs": outputs,
        "parameters": [{"path": p.path, "kind": p.kind, "nominal": p.nominal if p.kind != "sd_rel" else None,
                        "spread": p.spread, "reason": p.reason} for p in params],
        "screening": {p.path: {o: effects[i, c] for c, o in enumerate(outputs)} for i, p in enumerate(params)},
        "leading_parameters": problem["names"],
        "quantiles": quant, "sobol": indices,
        "runs": {"screening": D + 1, "bands": samples, "sobol": len(X), "failed": failed, "case_runs": ev.runs},
        "method": ("bands: Latin hypercube over every uncertain parameter (scipy.stats.qmc); indices: SALib Sobol' "
                   "(Saltelli's design, calc_second_order = false) over the leading parameters, the others nominal; "
                   "leading = largest one-at-a-time effect at +1 sd on the leading outputs"),
    }
    _write_text(out / "uq.json", json.dumps(strict_json(result), indent=1, allow_nan=False) + "\n")
    _write_text(out / "uq.csv", quantiles_csv(quant))
    _write_text(out / "sobol.csv", sobol_csv(indices))
    plot_uq(result, out / "uq.png")
    return result


def quantiles_csv(quant: dict) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["output", "nominal", "p05", "p50", "p95", "n"])
    for k, q in quant.items():
        w.writerow([k, "" if q["nominal"] is None else repr(float(q["nominal"]))] +
                   [repr(float(q[c])) for c in ("p05", "p50", "p95")] + [q["n"]])
    return buf.getvalue()


def sobol_csv(indices: dict) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["output", "parameter", "S1", "S1_conf", "ST", "ST_conf"])
    for o, d in indices.items():
        for p, s in d.items():
            if isinstance(s, dict):
                w.writerow([o, p] + [repr(float(s[k])) for k in ("S1", "S1_conf", "ST", "ST_conf")])
    return buf.getvalue()


def plot_uq(result: dict, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    outs = [o for o in result["outputs"] if isinstance(result["sobol"].get(o), dict)
            and "note" not in result["sobol"][o]]
    n = max(len(outs), 1)
    fig, axes = plt.subplots(1, n, figsize=(4.5 * n, 4.2), squeeze=False)
    for ax, o in zip(axes[0], outs):
        d = result["sobol"][o]
        names = list(d)
        x = np.arange(len(names))
        ax.bar(x - 0.2, [d[p]["S1"] for p in names], 0.4, yerr=[d[p]["S1_conf"] for p in names], label="first order")
        ax.bar(x + 0.2, [d[p]["ST"] for p in names], 0.4, yerr=[d[p]["ST_conf"] for p in names], label="total")
        ax.set_xticks(x, [p.replace("materials.", "") for p in names], rotation=30, ha="right", fontsize=7)
        q = result["quantiles"].get(o)
        band = f"\np05 {q['p05']:.4g}, p50 {q['p50']:.4g}, p95 {q['p95']:.4g}" if q else ""
        ax.set_title(f"{o}{band}", fontsize=8)
        ax.set_ylim(-0.05, 1.1)
        ax.legend(fontsize=7)
    fig.suptitle(f"Sobol' indices ({Path(result['case']).name}, N = {result['samples']})", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def uq_command(case_path, out_dir, samples: int, scheduler=None, workers=None, outputs=None, only=None,
               sobol_params: int = 4, seed: int = 0, progress: bool = False, wait_s=None) -> dict:
    if not 2 <= samples <= MAX_SAMPLES:
        raise InputError(f"--samples {samples}: must be in [2, {MAX_SAMPLES}] (a power of two suits Sobol' designs)")
    if not 1 <= sobol_params <= 20:
        raise InputError(f"--sobol-params {sobol_params}: must be in [1, 20]")
    from ..case import load_case
    load_case(case_path)  # a bad case is refused before anything else
    out = Path(out_dir)
    with study_folder(out, scheduler, workers, wait_s) as client:
        return run_uq(case_path, out, samples, client=client, outputs=outputs, only=only,
                      sobol_params=sobol_params, seed=seed, progress=progress)


def report(result: dict, out) -> str:
    lines = [f"uq: {result['runs']['case_runs']} case runs ({result['runs']['failed']} failed) -> {out}"]
    for o in result["outputs"]:
        q = result["quantiles"].get(o)
        if q:
            lines.append(f"  {o}: p05 {q['p05']:.4g}  p50 {q['p50']:.4g}  p95 {q['p95']:.4g}")
        d = result["sobol"].get(o, {})
        if isinstance(d, dict) and "note" not in d:
            top = max(d, key=lambda p: d[p]["ST"])
            lines.append(f"    largest total Sobol' index: {top} (ST {d[top]['ST']:.2f})")
    return "\n".join(lines)
