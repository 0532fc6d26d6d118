"""`fem-laminate fit SPEC.toml --out DIR`: calibrate case parameters on coupon measurements, predict with bands.

The spec::

    [[measurements]]
    case = "coupon_curl.toml"          # a case file: absolute, or relative to the spec
    output = "curl.curvature_1_per_m"  # a dotted path into that case's summary.json
    value = 18.0
    sd = 0.2                           # one standard deviation of the measurement
    [[parameters]]
    path = "materials.pi_II.E_GPa"     # a TOML dotted key into the case, library merged
    bounds = [1.0, 10.0]
    [[predict]]
    case = "../example_4.toml"
    outputs = ["curl.curvature_1_per_m", "film.cte_per_K"]

Weighted least squares (scipy.optimize.least_squares, trust-region reflective, bounds) starting from the
library's values. The parameters are scaled by their start values (u = theta / |theta_0|), so one finite-
difference step (1e-3 in u) is a relative step of every parameter. The forward-difference Jacobian's runs are
submitted together with the residual's run as one batch (sweep.run_points: parallel on Dask, resumable, failures
recorded), so a fit of p parameters costs about one batch of (p + 1) case runs per iteration.

Statistics at the optimum, from the weighted Jacobian J (residuals (f - y) / sd): the singular values of J with
its columns scaled to relative changes of the parameters tell which directions the data determine (a singular
value below 1e-6 of the largest, or no singular value at all when there are fewer measurements than
parameters: that direction is not determined, and the parameters that make it up are named). The covariance is
(J^T J)^-1 over the determined directions (the measurement sd as given, not rescaled by the fit's chi^2);
standard errors and correlations follow. Prediction bands are linear propagation: p05/p95 = f -/+ 1.645
sqrt(g^T C g) with g the prediction's gradient at the optimum; a prediction that moves along an undetermined
direction gets no band (empty).
"""
from __future__ import annotations

import csv
import io
import json
import math
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..post.output import strict_json
from .evaluate import CaseFile, Evaluator, output_value, require_number, study_folder, value_in
from .overlay import format_key, parse_key, read_toml

Z95 = 1.6448536269514722  # standard normal quantile of 0.95
FD_STEP = 1e-3  # forward-difference step in the scaled parameters (a relative step of 1e-3)
RANK_RTOL = 1e-6  # a singular value below this fraction of the largest: a direction the data do not determine
MAX_SPEC_BYTES = 1_000_000
MAX_ROWS = 1000


class FitRunError(RuntimeError):
    """An evaluation the fit needs failed (its record is in the evaluation folder)."""


@dataclass
class Measurement:
    case: CaseFile
    output: str
    value: float
    sd: float


@dataclass
class Parameter:
    path: str  # as written
    parts: tuple
    lo: float
    hi: float
    start: float
    scale: float


@dataclass
class Prediction:
    case: CaseFile
    outputs: list[str]


@dataclass
class FitSpec:
    source: str
    measurements: list[Measurement]
    parameters: list[Parameter]
    predict: list[Prediction]


# -- spec --------------------------------------------------------------------------------------------------------
def _bad(src: str, field: str, value, allowed: str) -> InputError:
    shown = repr(value)
    shown = shown if len(shown) <= 80 else shown[:77] + "..."
    return InputError(f"{src}: field '{field}' = {shown} is not allowed: {allowed}")


def _number(src, field, v, allowed="a finite number") -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise _bad(src, field, v, allowed)
    return float(v)


def _keys(src: str, field: str, table, allowed: tuple, required: tuple) -> None:
    if not isinstance(table, dict):
        raise _bad(src, field, table, f"a table with keys {', '.join(allowed)}")
    for k in table:
        if k not in allowed:
            import difflib
            close = difflib.get_close_matches(str(k), allowed, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise InputError(f"{src}: field '{field}.{k}' is not allowed (allowed: {', '.join(allowed)}){hint}")
    for k in required:
        if k not in table:
            raise InputError(f"{src}: field '{field}.{k}' is missing (needed: {', '.join(required)})")


def _case_file(src: str, field: str, value, cache: dict) -> CaseFile:
    from ..case import read_case_toml

    if not isinstance(value, str) or not value:
        raise _bad(src, field, value, "a case file path (absolute, or relative to the spec)")
    path = Path(value) if Path(value).is_absolute() else Path(src).parent / value
    path = path.resolve()
    if str(path) not in cache:
        if not path.is_file():
            raise _bad(src, field, value, f"an existing case file ({path} not found)")
        key = path.stem if path.stem not in {c.key for c in cache.values()} else f"{path.stem}_{len(cache)}"
        cache[str(path)] = CaseFile(key, str(path), read_case_toml(path))
    return cache[str(path)]


def load_spec(path) -> FitSpec:
    """Read and check a fit spec; InputError (one line: file, field, what is allowed) for anything malformed."""
    src = str(path)
    raw = read_toml(path, src, "a fit spec", MAX_SPEC_BYTES)
    return spec_from_dict(raw, src)


def spec_from_dict(raw: dict, src: str) -> FitSpec:
    _keys(src, "(top level)", raw, ("measurements", "parameters", "predict"), ("measurements", "parameters"))
    cases: dict[str, CaseFile] = {}
    for name in ("measurements", "parameters", "predict"):
        v = raw.get(name, [])
        if not isinstance(v, list) or (name != "predict" and not v) or len(v) > MAX_ROWS:
            raise _bad(src, name, v, f"a list of 1 to {MAX_ROWS} [[{name}]] tables")
    meas = []
    for i, m in enumerate(raw["measurements"]):
        f = f"measurements.{i}"
        _keys(src, f, m, ("case", "output", "value", "sd"), ("case", "output", "value", "sd"))
        case = _case_file(src, f"{f}.case", m["case"], cases)
        if not isinstance(m["output"], str) or not m["output"]:
            raise _bad(src, f"{f}.output", m["output"], "a dotted path into summary.json, e.g. curl.curvature_1_per_m")
        sd = _number(src, f"{f}.sd", m["sd"], "a number > 0 (one standard deviation of the measurement)")
        if sd <= 0:
            raise _bad(src, f"{f}.sd", m["sd"], "a number > 0 (one standard deviation of the measurement)")
        meas.append(Measurement(case, m["output"], _number(src, f"{f}.value", m["value"]), sd))
    params, seen = [], set()
    for j, q in enumerate(raw["parameters"]):
        f = f"parameters.{j}"
        _keys(src, f, q, ("path", "bounds"), ("path", "bounds"))
        parts = parse_key(q["path"], f"{src}: field '{f}.path'")
        if parts in seen:
            raise _bad(src, f"{f}.path", q["path"], "a path not given twice")
        seen.add(parts)
        b = q["bounds"]
        if not (isinstance(b, list) and len(b) == 2):
            raise _bad(src, f"{f}.bounds", b, "[low, high] with low < high")
        lo, hi = (_number(src, f"{f}.bounds", x, "[low, high], finite numbers with low < high") for x in b)
        if not lo < hi:
            raise _bad(src, f"{f}.bounds", b, "[low, high] with low < high")
        start, first_error = None, None
        for m in meas:  # the start: the value in the first measurement case that has the path
            try:
                v = value_in(m.case, parts, f"{src}: field '{f}.path' in {m.case.path}")
            except InputError as exc:
                first_error = first_error or exc
                continue
            if v is None:
                raise _bad(src, f"{f}.path", q["path"], f"a value the case sets ({m.case.path} leaves it at its "
                           "default: write the value to start from into the case)")
            v = require_number(v, f"{src}: field '{f}.path' in {m.case.path}")
            start = v if start is None else start
        if start is None:
            raise first_error
        if not lo <= start <= hi:
            raise _bad(src, f"{f}.bounds", b, f"bounds around the start value {start:g} (the case's, library merged)")
        scale = abs(start) if start != 0 else max(abs(lo), abs(hi))
        params.append(Parameter(q["path"], parts, lo, hi, start, scale))
    preds = []
    for k, pr in enumerate(raw.get("predict", [])):
        f = f"predict.{k}"
        _keys(src, f, pr, ("case", "outputs"), ("case", "outputs"))
        case = _case_file(src, f"{f}.case", pr["case"], cases)
        outs = pr["outputs"]
        if not isinstance(outs, list) or not outs or not all(isinstance(o, str) and o for o in outs):
            raise _bad(src, f"{f}.outputs", outs, "a non-empty list of dotted paths into summary.json")
        preds.append(Prediction(case, list(outs)))
    # a case must validate before anything runs (parameters at their start values)
    from ..case import load_case_dict
    for c in cases.values():
        load_case_dict(c.raw, c.path)
    return FitSpec(src, meas, params, preds)


# -- the fit ------------------------------------------------------------------------------------------------------
class Problem:
    """Residuals and finite-difference Jacobians of a spec, evaluated in batches through an Evaluator."""

    def __init__(self, spec: FitSpec, ev: Evaluator):
        self.spec, self.ev = spec, ev
        p = spec.parameters
        self.scale = np.array([q.scale for q in p])
        self.lb = np.array([q.lo for q in p]) / self.scale
        self.ub = np.array([q.hi for q in p]) / self.scale
        self.u0 = np.array([q.start for q in p]) / self.scale
        self.y = np.array([m.value for m in spec.measurements])
        self.sd = np.array([m.sd for m in spec.measurements])
        self._applies: dict[str, list[int]] = {}

    def applies(self, case: CaseFile) -> list[int]:
        """The parameters whose path is in this case (a peel step's field is not in a TMA coupon)."""
        if case.path not in self._applies:
            app = []
            for j, q in enumerate(self.spec.parameters):
                try:
                    value_in(case, q.parts, case.path)
                    app.append(j)
                except InputError:
                    pass
            self._applies[case.path] = app
        return self._applies[case.path]

    def steps(self, u) -> np.ndarray:
        """Forward steps per parameter, turned backward at an upper bound."""
        h = FD_STEP * np.maximum(1.0, np.abs(u))
        return np.where(u + h > self.ub, -h, h)

    def _outputs(self, items: list[tuple[CaseFile, list[str]]], thetas: list[np.ndarray], what: str):
        """Per theta, per item, the list of output values (None where null)."""
        jobs = []
        for t in thetas:
            for case, _ in items:
                app = self.applies(case)
                jobs.append((case, [self.spec.parameters[j].parts for j in app], [t[j] for j in app]))
        recs = self.ev.run(jobs)
        out, k = [], 0
        for t in thetas:
            row = []
            for case, outputs in items:
                rec = recs[k]
                k += 1
                if rec["status"] != "ok":
                    raise FitRunError(f"{what}: the run of {case.path} at {self._show(t)} failed ({rec['error']}); "
                                      f"its record: {self.ev.folder / rec['point_id']}")
                row.append([output_value(rec["summary"], o) for o in outputs])
            out.append(row)
        return out

    def _check_output(self, i: int, m: Measurement, theta) -> None:
        """A measurement's output that is not a number of the case's summary at all is a bad spec (exit 2)."""
        import difflib

        from .evaluate import numeric_leaves
        app = self.applies(m.case)
        rec = self.ev.run([(m.case, [self.spec.parameters[j].parts for j in app], [theta[j] for j in app])])[0]
        known = numeric_leaves(rec.get("summary") or {})
        node, exists = rec.get("summary") or {}, True
        for part in m.output.split("."):
            if isinstance(node, dict) and part in node:
                node = node[part]
            else:
                exists = False
                break
        if not exists:
            close = difflib.get_close_matches(m.output, list(known), n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise InputError(f"{self.spec.source}: field 'measurements.{i}.output' = {m.output!r} is not allowed: "
                             f"not a number in the summary.json of {m.case.path}{hint}")

    def _show(self, theta) -> str:
        return ", ".join(f"{q.path} = {v:.6g}" for q, v in zip(self.spec.parameters, theta))

    def model(self, thetas: list[np.ndarray]) -> list[np.ndarray]:
        items = [(m.case, [m.output]) for m in self.spec.measurements]
        res = []
        for t, row in zip(thetas, self._outputs(items, thetas, "fit")):
            vals = [r[0] for r in row]
            for i, (m, v) in enumerate(zip(self.spec.measurements, vals)):
                if v is None:
                    self._check_output(i, m, t)
                    raise FitRunError(f"fit: output '{m.output}' of {m.case.path} is null or missing at "
                                      f"{self._show(t)} (see its summary.json)")
            res.append(np.array(vals))
        return res

    def batch(self, u) -> tuple[np.ndarray, np.ndarray]:
        """Model outputs at u and the forward-difference Jacobian d f / d u, in one batch of runs."""
        h = self.steps(u)
        thetas = [u * self.scale] + [(u + h[j] * np.eye(len(u))[j]) * self.scale for j in range(len(u))]
        f = self.model(thetas)
        J = np.column_stack([(f[j + 1] - f[0]) / h[j] for j in range(len(u))]) if len(u) else np.zeros((len(f[0]), 0))
        return f[0], J

    def residuals(self, u) -> np.ndarray:
        return (self.batch(u)[0] - self.y) / self.sd

    def jacobian(self, u) -> np.ndarray:
        return self.batch(u)[1] / self.sd[:, None]


def identifiability(Jw: np.ndarray, theta: np.ndarray, names: list[str]):
    """(singular values, V^T, determined rows, undetermined directions (columns, in relative parameter changes),
    names per direction, the relative units) of the weighted Jacobian d r / d theta, its columns scaled to
    relative changes of each parameter."""
    rel = np.where(np.abs(theta) > 0, np.abs(theta), 1.0)
    Jr = Jw * rel[None, :]  # d r / d (relative change of theta_j)
    n = Jr.shape[1]
    U, s, Vt = np.linalg.svd(Jr, full_matrices=True)
    smax = s.max() if s.size else 0.0
    det = [k for k in range(len(s)) if smax > 0 and s[k] > RANK_RTOL * smax]
    undet = [k for k in range(n) if k not in det]
    dirs = Vt[undet].T if undet else np.zeros((n, 0))
    named = []
    for c in range(dirs.shape[1]):
        v = dirs[:, c]
        named.append([names[j] for j in range(n) if abs(v[j]) > 0.1])
    return s, Vt, det, dirs, named, rel


def _write_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def run_fit(spec: FitSpec, out_dir, client=None, progress: bool = False, runner=None, max_nfev: int = 40) -> dict:
    """Fit, write fit.json, fitted.toml, predictions.csv, fit.png into out_dir (evaluations in out_dir/evals)."""
    from scipy.optimize import least_squares

    out = Path(out_dir)
    ev = Evaluator(out / "evals", client=client, runner=runner, progress=progress)
    prob = Problem(spec, ev)
    names = [q.path for q in spec.parameters]
    try:
        res = least_squares(prob.residuals, prob.u0, jac=prob.jacobian, bounds=(prob.lb, prob.ub), method="trf",
                            x_scale=1.0, xtol=1e-7, ftol=1e-10, gtol=1e-10, max_nfev=max_nfev)
    finally:
        ev.write_table()
    u = res.x
    theta = u * prob.scale
    f, J_u = prob.batch(u)
    Jw_u = J_u / prob.sd[:, None]
    s, Vt, det, dirs, named, rel = identifiability(Jw_u / prob.scale[None, :], theta, names)
    # covariance of theta over the determined directions: theta_j = rel_j (1 + x_j), x = relative change
    n = len(theta)
    C_rel = np.zeros((n, n))
    for k in det:
        C_rel += np.outer(Vt[k], Vt[k]) / s[k] ** 2
    C = C_rel * np.outer(rel, rel)
    undetermined = sorted({p for group in named for p in group})
    se = {q.path: (None if q.path in undetermined else math.sqrt(max(C[j, j], 0.0)))
          for j, q in enumerate(spec.parameters)}
    corr = np.full((n, n), np.nan)
    for a in range(n):
        for b in range(n):
            if names[a] not in undetermined and names[b] not in undetermined and C[a, a] > 0 and C[b, b] > 0:
                corr[a, b] = C[a, b] / math.sqrt(C[a, a] * C[b, b])
    r = (f - prob.y) / prob.sd
    preds = predict(prob, theta, C, dirs, rel)
    ev.write_table()
    result = {
        "spec": spec.source,
        "status": res.message, "success": bool(res.success),
        "parameters": {q.path: {"value": float(theta[j]), "standard_error": se[q.path], "start": q.start,
                                "bounds": [q.lo, q.hi], "at_bound": bool(np.isclose(theta[j], q.lo) or
                                                                         np.isclose(theta[j], q.hi)),
                                "determined": q.path not in undetermined}
                       for j, q in enumerate(spec.parameters)},
        "correlation": {"parameters": names, "matrix": corr},
        "not_determined": [{"parameters": g, "direction": dirs[:, c]} for c, g in enumerate(named)],
        "singular_values": s,
        "chi2": float(r @ r), "degrees_of_freedom": len(r) - len(det),
        "residuals": [{"case": m.case.path, "output": m.output, "measured": m.value, "sd": m.sd,
                       "fitted": float(f[i]), "weighted": float(r[i])} for i, m in enumerate(spec.measurements)],
        "evaluations": {"least_squares_residuals": int(res.nfev), "least_squares_jacobians": int(res.njev or 0),
                        "case_runs": ev.runs, "folder": "evals"},
        "predictions": preds,
        "method": ("scipy.optimize.least_squares (trf, bounds), parameters scaled by their start values, forward "
                   f"differences of relative step {FD_STEP:g}; covariance (J^T J)^-1 of the weighted Jacobian over "
                   f"the directions whose singular value exceeds {RANK_RTOL:g} of the largest; bands: linear "
                   "propagation, p05/p95 = value -/+ 1.645 sd"),
    }
    _write_text(out / "fit.json", json.dumps(strict_json(result), indent=1, allow_nan=False) + "\n")
    _write_text(out / "fitted.toml", fitted_toml(spec, theta, se))
    _write_text(out / "predictions.csv", predictions_csv(preds))
    plot_fit(result, out / "fit.png")
    return result


def predict(prob: Problem, theta: np.ndarray, C: np.ndarray, dirs: np.ndarray, rel: np.ndarray) -> list[dict]:
    """Each [[predict]] output at the optimum, with its band by linear propagation of C."""
    spec = prob.spec
    if not spec.predict:
        return []
    n = len(theta)
    u = theta / prob.scale
    h = prob.steps(u)
    thetas = [theta] + [(u + h[j] * np.eye(n)[j]) * prob.scale for j in range(n)]
    items = [(pr.case, pr.outputs) for pr in spec.predict]
    vals = prob._outputs(items, thetas, "predict")
    rows = []
    for i, pr in enumerate(spec.predict):
        for o, out in enumerate(pr.outputs):
            v0 = vals[0][i][o]
            row = {"case": Path(pr.case.path).name, "output": out, "value": v0, "p05": None, "p95": None,
                   "sd": None, "note": ""}
            if v0 is None:
                row["note"] = "null in the case's summary.json"
                rows.append(row)
                continue
            g = np.zeros(n)
            for j in range(n):
                vj = vals[j + 1][i][o]
                g[j] = np.nan if vj is None else (vj - v0) / (h[j] * prob.scale[j])
            if not np.all(np.isfinite(g)):
                row["note"] = "null at a finite-difference step: no band"
            elif dirs.shape[1] and np.max(np.abs((g * rel) @ dirs)) > 1e-4 * max(abs(v0), 1e-300):
                row["note"] = "depends on a parameter combination the measurements do not determine: no band"
            else:
                sd = math.sqrt(max(float(g @ C @ g), 0.0))
                row.update(sd=sd, p05=v0 - Z95 * sd, p95=v0 + Z95 * sd)
            rows.append(row)
    return rows


def fitted_toml(spec: FitSpec, theta, se: dict) -> str:
    lines = [f"# Overlay written by `fem-laminate fit {Path(spec.source).name}`: the fitted parameters.",
             "# Use: fem-laminate run CASE.toml --with fitted.toml",
             "# Source of each number: weighted least squares to the spec's [[measurements]]; the standard error",
             "# is in the comment (fit.json has the correlations)."]
    for q, v in zip(spec.parameters, theta):
        e = se[q.path]
        note = f"standard error {e:.4g}" if e is not None else "NOT determined by the measurements"
        lines.append(f"{format_key(q.parts)} = {float(v)!r}  # fitted ({note}); start {q.start:g}")
    text = "\n".join(lines) + "\n"
    tomllib.loads(text)  # what we write must read back
    return text


def predictions_csv(rows: list[dict]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["case", "output", "value", "p05", "p95"])
    for r in rows:
        w.writerow([r["case"], r["output"]] + ["" if r[k] is None else repr(float(r[k])) for k in ("value", "p05", "p95")])
    return buf.getvalue()


def plot_fit(result: dict, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    preds = result["predictions"]
    fig, axes = plt.subplots(1, 2 if preds else 1, figsize=(11 if preds else 5.5, 4.5), squeeze=False)
    ax = axes[0, 0]
    res = result["residuals"]
    for k, r in enumerate(res):  # every output on one scale: relative to its measured value
        scale = abs(r["measured"]) or 1.0
        ax.errorbar(k, r["measured"] / scale, yerr=r["sd"] / scale, fmt="o", color="k", capsize=3,
                    label="measured ± sd" if k == 0 else None)
        ax.plot(k, r["fitted"] / scale, "x", color="C3", ms=9, label="fitted" if k == 0 else None)
    ax.set_ylabel("value / |measured value|")
    ax.set_xticks(range(len(res)), [f"{Path(r['case']).stem}\n{r['output']}" for r in res], fontsize=7, rotation=20)
    ax.set_title("coupon measurements and the fitted model")
    ax.legend(fontsize=8)
    if preds:
        ax = axes[0, 1]
        for k, p in enumerate(preds):
            if p["value"] is None:
                continue
            lo = p["value"] - p["p05"] if p["p05"] is not None else 0.0
            hi = p["p95"] - p["value"] if p["p95"] is not None else 0.0
            scale = abs(p["value"]) or 1.0
            ax.errorbar(k, 1.0 if p["value"] else 0.0, yerr=[[lo / scale], [hi / scale]], fmt="s", color="C0",
                        capsize=4)
        ax.axhline(1.0, color="0.8", lw=0.8)
        ax.set_xticks(range(len(preds)), [f"{Path(p['case']).stem}\n{p['output']}" for p in preds], fontsize=7,
                      rotation=20)
        ax.set_ylabel("prediction / its value (band p05-p95)")
        ax.set_title("predictions with 90 % bands")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# -- CLI ----------------------------------------------------------------------------------------------------------
def fit_command(spec_path, out_dir, scheduler=None, workers=None, progress=False, wait_s=None) -> dict:
    """`fem-laminate fit`: spec checked first (exit 2), then the output folder, then the fit."""
    spec = load_spec(spec_path)
    out = Path(out_dir)
    with study_folder(out, scheduler, workers, wait_s) as client:
        return run_fit(spec, out, client=client, progress=progress)


def report(result: dict, out) -> str:
    lines = [f"fit: {result['status']} ({result['evaluations']['case_runs']} case runs) -> {out}"]
    for path, p in result["parameters"].items():
        se = "not determined by the measurements" if p["standard_error"] is None else f"± {p['standard_error']:.4g}"
        lines.append(f"  {path} = {p['value']:.6g} {se}")
    lines.append(f"  chi2 = {result['chi2']:.4g}")
    return "\n".join(lines)
