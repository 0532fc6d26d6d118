"""Parameter sweeps over case files, run on Dask distributed, that lose nothing when things fail.

A sweep spec (TOML) names a base case and the fields to vary by dotted path::

    base = "cases/example_1.toml"        # relative to the spec file
    out = "sweep_out"                    # output folder, relative to the spec file (optional)
    [grid]                               # cartesian product
    "layers.1.thickness_um" = [10, 20, 30]
    [zip]                                # varied together (all lists the same length)
    "steps.3.temperature_C" = [300, 320]
    "steps.3.pressure_MPa" = [2.0, 4.0]

Integer path parts index lists from 0 (``steps.3`` is the fourth step).

Each point runs in its own folder ``out/<point_id>``; ``point_id`` is a stable hash of the point's full
resolved case (base + overrides), so changing the base case never silently reuses old results.
A point is run in a scratch folder and renamed into place only when finished, so a folder that exists
under its final name is complete (rename is atomic on POSIX). Rerunning skips finished points and
retries failed ones. A point whose worker died (KilledWorker) is run again alone once the others are done,
so only the point that kills its worker is recorded failed, not the ones that were queued beside it.
``points.csv`` (and ``results.parquet``, readable with pyarrow, a dependency: ``pyarrow.parquet.read_table``) hold
one row per point: parameters, status, error and the flattened summary.

The sweep folder follows the rules of `run`'s output folder (post/folder.py): a folder holding files this tool did
not write is refused, and the folder is locked while a sweep writes it. The CLI checks every dotted path against the
case schema before any point runs (`check_paths`).
"""
from __future__ import annotations

import contextlib
import copy
import csv
import functools
import hashlib
import io
import itertools
import json
import math
import os
import re
import shutil
import sys
import time
import tomllib
import traceback
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..errors import InputError

POINT_FILE = "point.json"  # written last into the scratch folder: params, status, error, seconds
SUMMARY_FILE = "summary.json"
TABLE_CSV = "points.csv"
TABLE_PARQUET = "results.parquet"
THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
MAX_POINTS = 100_000  # grid x zip; counted before anything is expanded (each point is a whole case run)
MAX_VALUES = 10_000  # values in one [grid] or [zip] list
MAX_SPEC_BYTES = 10_000_000
CONNECT_TIMEOUT_S = 5  # an unreachable --scheduler is reported after this, not after Dask's 30 s default

# runner(case_dict, source, out_dir) -> summary dict; must be importable (picklable) by Dask workers
Runner = Callable[[dict, str, Path], dict]


# -- spec ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SweepSpec:
    source: str  # spec file, for messages
    base_source: str  # base case file (relative paths inside the case resolve against it)
    base: dict  # raw base case, as read from TOML
    grid: dict = field(default_factory=dict)  # dotted path -> list of values
    zip: dict = field(default_factory=dict)
    out: str | None = None
    plots: bool = False  # PNGs per point: off by default, they cost more than a small point's simulation


def _read_toml(path: Path, what: str, where: str) -> dict:
    """A TOML file as a dict; ValueError naming the file for a missing, oversized, non-UTF-8 or invalid file."""
    try:
        if path.stat().st_size > MAX_SPEC_BYTES:
            raise ValueError(f"{where}: {path} is not a {what} (over {MAX_SPEC_BYTES} bytes)")
        return tomllib.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ValueError(f"{where}: {path} is not a UTF-8 text file (byte {exc.start}: {exc.reason}); the "
                         f"{what} must be UTF-8 TOML") from None
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{where}: {path} is not valid TOML ({exc})") from None
    except RecursionError:
        raise ValueError(f"{where}: {path} is not valid TOML (nested too deeply)") from None
    except OSError as exc:
        raise ValueError(f"{where}: cannot read the {what} {path} ({exc.strerror or exc})") from None


def load_spec(path) -> SweepSpec:
    """Read a sweep spec TOML file; ValueError naming the file and the field for anything malformed."""
    path = Path(path)
    raw = _read_toml(path, "sweep spec", str(path))
    return spec_from_dict(raw, source=str(path))


def spec_from_dict(raw: dict, source: str) -> SweepSpec:
    allowed = ("base", "out", "grid", "zip", "plots")
    unknown = sorted(set(raw) - set(allowed))
    if unknown:
        from ..suggest import did_you_mean
        raise ValueError(f"{source}: unknown key {unknown[0][:60]!r}{did_you_mean(unknown[0], allowed)}; allowed: "
                         f"{', '.join(allowed)}")
    if not isinstance(raw.get("plots", False), bool):
        raise ValueError(f"{source}: field 'plots' must be true or false, got {raw['plots']!r}")
    if not isinstance(raw.get("base"), (str, dict)):
        raise ValueError(f"{source}: field 'base' must be a case file path (string), got {raw.get('base')!r}")
    here = Path(source).parent
    if isinstance(raw["base"], str):
        base_path = (here / raw["base"]).resolve()
        base = _read_toml(base_path, "base case", f"{source}: field 'base' = {raw['base'][:200]!r}")
        base_source = str(base_path)
    else:  # inline base case (handy in tests and generated specs)
        base, base_source = raw["base"], source
    grid, zipped = raw.get("grid", {}), raw.get("zip", {})
    for name, table in (("grid", grid), ("zip", zipped)):
        if not isinstance(table, dict):
            raise ValueError(f"{source}: [{name}] must be a table of dotted-path = [values]")
        for key, values in table.items():
            if not isinstance(values, list) or not 1 <= len(values) <= MAX_VALUES:
                shown = repr(values)[:60]
                raise ValueError(f"{source}: {name}.{key} = {shown}: must be a non-empty list of at most "
                                 f"{MAX_VALUES} values")
            _check_path(base, key, f"{source}: {name}.{key}")
    both = set(grid) & set(zipped)
    if both:
        raise ValueError(f"{source}: field(s) {sorted(both)} appear in both [grid] and [zip]")
    lengths = {len(v) for v in zipped.values()}
    if len(lengths) > 1:
        raise ValueError(f"{source}: [zip] lists must have equal lengths, got "
                         f"{ {k: len(v) for k, v in zipped.items()} }")
    n = count_points(grid, zipped)
    if n > MAX_POINTS:
        sizes = " x ".join(str(len(v)) for v in grid.values()) + (f" x {lengths.pop()} (zip)" if zipped else "")
        raise ValueError(f"{source}: the sweep has {n:,} points ({sizes}): at most {MAX_POINTS:,} are allowed; "
                         "split it or use fewer values")
    out = raw.get("out")
    if out is not None and not isinstance(out, str):
        raise ValueError(f"{source}: field 'out' must be a folder name, got {out!r}")
    return SweepSpec(source=source, base_source=base_source, base=base, grid=dict(grid), zip=dict(zipped),
                     out=out, plots=raw.get("plots", False))


def count_points(grid: dict, zipped: dict) -> int:
    """Points of grid x zip, from the list lengths alone (nothing is expanded)."""
    return math.prod(len(v) for v in grid.values()) * (len(next(iter(zipped.values()))) if zipped else 1)


def _check_path(case: dict, dotted: str, where: str) -> None:
    """The containers along a dotted path must exist in the base case (catches typos before running)."""
    node = case
    parts = dotted.split(".")
    for i, part in enumerate(parts[:-1]):
        node = _child(node, part, f"{where}: '{'.'.join(parts[:i + 1])}'")
    last = parts[-1]
    if isinstance(node, list):
        _child(node, last, f"{where}: '{dotted}'")
    elif not isinstance(node, dict):
        raise ValueError(f"{where}: '{'.'.join(parts[:-1])}' is a value, not a table")


def _child(node, part: str, where: str):
    if isinstance(node, dict):
        if part not in node:
            raise ValueError(f"{where} not found in the base case (keys: {sorted(node)})")
        return node[part]
    if isinstance(node, list):
        if not part.lstrip("-").isdigit() or not 0 <= int(part) < len(node):
            raise ValueError(f"{where}: list index must be an integer in [0, {len(node) - 1}]")
        return node[int(part)]
    raise ValueError(f"{where}: parent is a value, not a table or list")


def check_paths(spec: "SweepSpec") -> None:
    """Every [grid]/[zip] path names a field the case schema has (step fields by the base's step kinds), checked
    before any point runs: ValueError naming the key, with a "did you mean" (free tables such as [materials] and
    [meta] are not checked below their names)."""
    for table, keys in (("grid", spec.grid), ("zip", spec.zip)):
        for dotted in keys:
            msg = schema_path_error(spec.base, dotted)
            if msg:
                raise ValueError(f"{spec.source}: {table}.{dotted}: {msg}")


def schema_path_error(base: dict, dotted: str) -> str | None:
    """Why a dotted path is not a field of the case schema, or None."""
    from ..case import _models, _tag_of, case_schema
    from ..suggest import did_you_mean

    models, node, done = [case_schema()], base, []
    for part in dotted.split("."):
        if not models:
            return None  # a free-form table (materials' properties, meta, reference): its own checks apply
        if part.lstrip("-").isdigit():
            node = node[int(part)] if isinstance(node, list) and 0 <= int(part) < len(node) else None
            if len(models) > 1:  # a step (or pattern) union: the base's entry says its kind
                tag = node.get("kind") if isinstance(node, dict) else None
                models = [m for m in models if _tag_of(m) == tag]
        else:
            fields = models[0].model_fields if len(models) == 1 else {}
            if len(models) == 1 and part not in fields:
                where = ".".join(done)
                return (f"{'in ' + where + ': ' if where else ''}unknown field '{part}'"
                        f"{did_you_mean(part, fields)}")
            models = _models(fields[part].annotation) if part in fields else []
            node = node.get(part) if isinstance(node, dict) else None
        done.append(part)
    return None


def set_dotted(case: dict, dotted: str, value) -> dict:
    """A deep copy of ``case`` with the field at ``dotted`` set to ``value``."""
    out = copy.deepcopy(case)
    parts = dotted.split(".")
    node = out
    for part in parts[:-1]:
        node = _child(node, part, f"'{dotted}'")
    if isinstance(node, list):
        node[int(parts[-1])] = value
    else:
        node[parts[-1]] = value
    return out


# -- points ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Point:
    index: int  # position in the sweep (rows are sorted by it)
    params: dict  # dotted path -> value
    case: dict  # resolved case dict
    point_id: str
    source: str | None = None  # the case file the point derives from (None: the sweep's base case)


def point_id(case: dict) -> str:
    """Stable hash of a resolved case: same inputs, same folder, on any machine and Python version."""
    text = json.dumps(case, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def expand_points(spec: SweepSpec) -> list[Point]:
    """Grid (cartesian product, first key slowest) times zip (lists varied together)."""
    gkeys = list(spec.grid)
    zkeys = list(spec.zip)
    nzip = len(next(iter(spec.zip.values()))) if zkeys else 1
    points, seen = [], {}
    for gvals in itertools.product(*(spec.grid[k] for k in gkeys)):
        for j in range(nzip):
            params = dict(zip(gkeys, gvals))
            params.update({k: spec.zip[k][j] for k in zkeys})
            case = spec.base
            for k, v in params.items():
                case = set_dotted(case, k, v)
            pid = point_id(case)
            if pid in seen:
                raise ValueError(f"{spec.source}: point {params} duplicates point {seen[pid]}")
            seen[pid] = params
            points.append(Point(index=len(points), params=params, case=case, point_id=pid))
    return points


# -- one point (runs on a worker) ------------------------------------------------------------------
def run_case_dict(case: dict, source: str, out_dir: Path, plots: bool = False) -> dict:
    """The production runner: validate the case, run it into out_dir (summary, timing, ParaView series; PNG
    plots only if asked), return its summary."""
    from ..case import load_case_dict
    from ..job import run_case
    return run_case(load_case_dict(case, source), out_dir, plots=plots)


def run_point(point: Point, source: str, sweep_dir, runner: Runner | None = None) -> dict:
    """Run one point into a scratch folder, then rename it into place; never raises for a bad point.

    Returns the point record (also written as point.json): params, status, error, seconds, summary.
    """
    for var in THREAD_VARS:  # one BLAS thread per worker (Dask supplies the parallelism); reaches only
        os.environ.setdefault(var, "1")  # libraries loaded after this, LocalCluster sets it at spawn
    runner = runner or run_case_dict
    sweep_dir = Path(sweep_dir)
    # the runner creates the scratch folder itself (job.run_case publishes its own folder atomically)
    scratch = sweep_dir / f".tmp-{point.point_id}-{uuid.uuid4().hex[:8]}"
    t0 = time.perf_counter()
    record = {"index": point.index, "point_id": point.point_id, "params": point.params}
    try:
        summary = runner(point.case, point.source or source, scratch)
        if not isinstance(summary, dict):
            raise TypeError(f"runner returned {type(summary).__name__}, expected dict")
        record.update(status="ok", error="", summary=summary)
    except Exception as exc:  # a failing point is recorded, never fatal to the sweep
        record.update(status="failed", error=f"{type(exc).__name__}: {exc}".splitlines()[0],
                      traceback=traceback.format_exc(), summary={})
    record["seconds"] = time.perf_counter() - t0
    scratch.mkdir(parents=True, exist_ok=True)
    if record["status"] == "ok" and not (scratch / SUMMARY_FILE).exists():
        _write_json_atomic(scratch / SUMMARY_FILE, record["summary"])
    _write_json_atomic(scratch / POINT_FILE, record)
    _publish(scratch, sweep_dir / point.point_id)
    return read_record(sweep_dir, point.point_id)  # as stored: a resumed sweep sees exactly the same


def _write_json_atomic(path: Path, obj) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    with open(tmp, "w") as fh:
        json.dump(obj, fh, indent=1, sort_keys=True, default=_json_default)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _json_default(obj):
    if hasattr(obj, "tolist"):  # numpy arrays and scalars
        return obj.tolist()
    return str(obj)


def _publish(scratch: Path, final: Path) -> None:
    """Move a complete point folder to its final name; an older (failed) result is swapped out first."""
    if final.exists():
        trash = final.with_name(f".old-{final.name}-{uuid.uuid4().hex[:8]}")
        os.replace(final, trash)
        os.replace(scratch, final)
        shutil.rmtree(trash, ignore_errors=True)
    else:
        os.replace(scratch, final)


def read_record(sweep_dir, pid: str) -> dict | None:
    """The stored record of a point, or None when it has not finished."""
    path = Path(sweep_dir) / pid / POINT_FILE
    if not path.exists():
        return None
    with open(path) as fh:
        return json.load(fh)


# -- the sweep -------------------------------------------------------------------------------------
def run_sweep(spec: SweepSpec, sweep_dir, *, client=None, runner: Runner | None = None,
              progress: bool = False, retry_failed: bool = True, wait_s: float | None = None) -> list[dict]:
    """Run every unfinished point, on ``client`` (a dask.distributed Client) or serially when None.

    Returns the records of all points, in sweep order, and writes the results table. The sweep folder is locked
    for the whole sweep: another sweep into it is refused (InputError), or waited for up to wait_s seconds.
    """
    from ..post.folder import locked

    sweep_dir = Path(sweep_dir)
    with locked(sweep_dir, "--out", wait_s):
        return _sweep_into(spec, sweep_dir, client, runner, progress, retry_failed)


def _sweep_into(spec: SweepSpec, sweep_dir: Path, client, runner: Runner | None, progress: bool,
                retry_failed: bool) -> list[dict]:
    from ..post.folder import MARKER, OutputFolder

    if not (sweep_dir / "sweep.json").is_file():  # an earlier sweep's folder is ours; anything else is checked
        OutputFolder(sweep_dir).check()
    sweep_dir.mkdir(parents=True, exist_ok=True)
    (sweep_dir / MARKER).write_text("written by fem_laminate; finished points are reused by the next sweep\n")
    points = expand_points(spec)
    _write_json_atomic(sweep_dir / "sweep.json", {
        "spec": spec.source, "base": spec.base_source, "grid": spec.grid, "zip": spec.zip,
        "points": [{"index": p.index, "point_id": p.point_id, "params": p.params} for p in points]})
    _clean_scratch(sweep_dir)
    if runner is None and spec.plots:
        runner = functools.partial(run_case_dict, plots=True)
    records = run_points(points, spec.base_source, sweep_dir, client=client, runner=runner, progress=progress,
                         retry_failed=retry_failed)
    ordered = [records[i] for i in sorted(records)]
    write_table(ordered, sweep_dir)
    return ordered


def run_points(points: list[Point], source: str, sweep_dir: Path, *, client=None, runner: Runner | None = None,
               progress: bool = False, retry_failed: bool = True) -> dict[int, dict]:
    """Run the unfinished ones of `points` into sweep_dir (finished points are read back, failed ones retried);
    index -> record. The caller holds the folder's lock and has cleaned its scratch folders; `source` names the
    case file of points that do not name their own. Fit and uq run their evaluations through this."""
    sweep_dir = Path(sweep_dir)
    sweep_dir.mkdir(parents=True, exist_ok=True)
    records: dict[int, dict] = {}
    todo = []
    for p in points:
        rec = read_record(sweep_dir, p.point_id)
        if rec is not None and (rec["status"] == "ok" or not retry_failed):
            rec.update(index=p.index, params=p.params)  # the grid may have grown since it ran
            records[p.index] = rec
        else:
            todo.append(p)
    bar = _progress_bar(len(points), len(points) - len(todo)) if progress else None
    last_table = time.monotonic()

    def done(rec):
        nonlocal last_table
        records[rec["index"]] = rec
        if bar is not None:
            bar.update(1)
            bar.set_postfix(failed=sum(r["status"] != "ok" for r in records.values()))
        if time.monotonic() - last_table > 5.0:  # keep a readable table while a long sweep runs
            write_table([records[i] for i in sorted(records)], sweep_dir, parquet=False)
            last_table = time.monotonic()

    if client is None:
        for p in todo:
            done(run_point(p, source, sweep_dir, runner))
    else:
        from distributed import as_completed

        def submit(p):
            return client.submit(run_point, p, source, str(sweep_dir), runner,
                                 key=f"point-{p.point_id}-{uuid.uuid4().hex[:8]}", pure=False)

        def outcome(fut, result, p, last_try: bool):
            """The point's record, or None: its worker died and it may only have been queued beside the point
            that killed it (the scheduler fails every task on a dead worker once its retries are used up)."""
            stored = read_record(sweep_dir, p.point_id) if fut.status == "error" else None
            if stored is not None and stored["status"] == "ok":
                return stored  # the worker died after publishing its finished point
            if fut.status != "error":
                return result
            exc = fut.exception()
            if type(exc).__name__ == "KilledWorker" and not last_try:
                return None
            rec = {"index": p.index, "point_id": p.point_id, "params": p.params, "status": "failed",
                   "error": f"{type(exc).__name__}: {exc}".splitlines()[0], "summary": {}, "seconds": float("nan")}
            scratch = sweep_dir / f".tmp-{p.point_id}-{uuid.uuid4().hex[:8]}"
            scratch.mkdir()
            _write_json_atomic(scratch / POINT_FILE, rec)
            _publish(scratch, sweep_dir / p.point_id)
            return rec

        futures = {submit(p): p for p in todo}
        suspects = []
        for fut, result in as_completed(futures, with_results=True, raise_errors=False):
            rec = outcome(fut, result, futures[fut], last_try=False)
            if rec is None:
                suspects.append(futures[fut])
            else:
                done(rec)
        for p in suspects:  # alone on a worker now: a point that kills it again is the one that does
            fut = submit(p)
            for fut, result in as_completed([fut], with_results=True, raise_errors=False):
                done(outcome(fut, result, p, last_try=True))
    if bar is not None:
        bar.close()
    return records


def _clean_scratch(sweep_dir: Path) -> None:
    """Scratch folders left by a killed run hold no finished result; remove them (all hidden folders
    in a sweep folder are scratch: ours, and job.run_case's own temporary siblings), and the lock files a killed
    point left beside its scratch folder. Called with the sweep folder locked: no point of ours is running."""
    for d in sweep_dir.glob(".*"):
        if d.is_dir():
            shutil.rmtree(d, ignore_errors=True)
    for f in sweep_dir.glob("..tmp-*.lock"):
        f.unlink(missing_ok=True)


def _progress_bar(total: int, initial: int):
    from tqdm import tqdm
    return tqdm(total=total, initial=initial, unit="point", desc="sweep")


# -- results table ---------------------------------------------------------------------------------
def flatten(obj, prefix: str = "", max_list: int = 16) -> dict:
    """Nested dicts/lists -> {"a.b.0": value}; long lists are kept as one JSON string."""
    flat = {}
    if isinstance(obj, dict):
        for k, v in obj.items():
            flat.update(flatten(v, f"{prefix}{k}.", max_list))
    elif isinstance(obj, (list, tuple)) and len(obj) <= max_list:
        for i, v in enumerate(obj):
            flat.update(flatten(v, f"{prefix}{i}.", max_list))
    elif isinstance(obj, (list, tuple)):
        flat[prefix[:-1]] = json.dumps(obj, default=_json_default)
    else:
        flat[prefix[:-1]] = obj
    return flat


def table_rows(records: list[dict]) -> tuple[list[str], list[dict]]:
    """Column names and rows: point, parameters, status, error, seconds, then the summary."""
    rows = []
    for rec in records:
        row = {"index": rec["index"], "point_id": rec["point_id"]}
        row.update({f"param.{k}": v for k, v in rec["params"].items()})
        row.update(status=rec["status"], error=rec.get("error", ""), seconds=rec.get("seconds"))
        row.update(flatten(rec.get("summary") or {}))
        rows.append(row)
    columns = []
    for row in rows:
        columns += [c for c in row if c not in columns]
    return columns, rows


def write_table(records: list[dict], sweep_dir, parquet: bool = True) -> Path:
    """points.csv (and results.parquet when pyarrow is present), each written atomically."""
    sweep_dir = Path(sweep_dir)
    columns, rows = table_rows(records)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, restval="", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path = sweep_dir / TABLE_CSV
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(buf.getvalue())
    os.replace(tmp, path)
    if parquet:
        _write_parquet(columns, rows, sweep_dir / TABLE_PARQUET)
    return path


def _write_parquet(columns, rows, path: Path) -> None:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        return
    data = {}
    for c in columns:
        vals = [r.get(c) for r in rows]
        numeric = all(v is None or (isinstance(v, (int, float)) and not isinstance(v, bool)) for v in vals)
        if numeric and any(isinstance(v, float) for v in vals):
            vals = [float(v) if v is not None else math.nan for v in vals]
        elif not numeric and not all(v is None or isinstance(v, bool) for v in vals):
            vals = [None if v is None else (v if isinstance(v, str) else json.dumps(v)) for v in vals]
        data[c] = vals
    tmp = path.with_name(f".{path.name}.tmp")
    pq.write_table(pa.table(data), tmp)
    os.replace(tmp, path)


def read_table(sweep_dir) -> list[dict]:
    """The CSV table as a list of string dicts (for tests and quick looks)."""
    with open(Path(sweep_dir) / TABLE_CSV, newline="") as fh:
        return list(csv.DictReader(fh))


# -- Dask ------------------------------------------------------------------------------------------
@contextlib.contextmanager
def dask_client(scheduler: str | None, workers: int | None):
    """The client a study runs on for the length of a with-block: None for workers = 0 without a scheduler (serial,
    in this process), else make_client's; a bad address or count is InputError (one line). A local cluster is
    closed afterwards, a remote scheduler left running."""
    if workers is not None and workers < 0:
        raise InputError(f"workers = {workers}: must be >= 0 (0 = serial, in this process)")
    client = None
    if workers != 0 or scheduler:
        try:
            client = make_client(scheduler, workers)
        except ValueError as exc:
            raise InputError(str(exc)) from None
    try:
        yield client
    finally:
        close_client(client, scheduler)


def close_client(client, scheduler) -> None:
    """Close a client, and its local cluster (never a scheduler given by address)."""
    if client is None:
        return
    cluster = getattr(client, "cluster", None)
    client.close()
    if cluster is not None and not scheduler:
        cluster.close()


def make_client(scheduler: str | None = None, workers: int | None = None):
    """A Client on an existing scheduler, or on a LocalCluster with one single-threaded worker per core."""
    from distributed import Client, LocalCluster
    if scheduler:
        return connect(scheduler)
    n = workers or os.cpu_count() or 1
    if n < 1:
        raise ValueError(f"workers = {n}: must be >= 1")
    import dask
    # one point per worker thread, none queued ahead: a point that kills its worker takes no other point
    # down with it, and a long point does not hold back a queue on a busy worker
    dask.config.set({"distributed.scheduler.worker-saturation": 1.0})
    cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                           env={v: "1" for v in THREAD_VARS})
    return Client(cluster)


SCHEDULER_ADDRESS = re.compile(r"^((tcp|tls|inproc|ucx|ws|wss)://)?[A-Za-z0-9_.\-\[\]:]+:\d{1,5}$")


def connect(scheduler: str):
    """A Client on a running scheduler; ValueError (one line) for a malformed or unreachable address."""
    from distributed import Client

    if not isinstance(scheduler, str) or not SCHEDULER_ADDRESS.match(scheduler):
        raise ValueError(f"--scheduler {scheduler[:200]!r} is not an address: use tcp://HOST:PORT (e.g. "
                         "tcp://127.0.0.1:8786)")
    try:
        return Client(scheduler, timeout=f"{CONNECT_TIMEOUT_S}s")
    except (OSError, TimeoutError, ValueError) as exc:
        msg = " ".join(str(exc).split())[:300]
        raise ValueError(f"--scheduler {scheduler!r}: cannot connect within {CONNECT_TIMEOUT_S} s ({msg}); is "
                         "a dask scheduler running there?") from None


def finished(points: list[Point], sweep_dir) -> int:
    """Points whose finished result a sweep into sweep_dir reuses."""
    return sum((rec := read_record(sweep_dir, p.point_id)) is not None and rec.get("status") == "ok" for p in points)


def sweep_command(spec_path, out_dir=None, scheduler: str | None = None, workers: int | None = None,
                  progress: bool = True, runner: Runner | None = None, wait_s: float | None = None) -> int:
    """CLI entry: run a sweep; workers=0 runs serially in this process. Exit code 0 when every point
    succeeded, 1 when some failed (they are in the table; one error line says which), 2 for a bad spec."""
    try:
        spec = load_spec(spec_path)
        if runner is None:  # the production runner reads case files: their schema applies
            check_paths(spec)
        points = expand_points(spec)
    except (ValueError, RecursionError) as exc:
        print(f"error: {_one_line(exc)}", file=sys.stderr)
        return 2
    if out_dir is None:
        out_dir = Path(spec_path).parent / (spec.out or f"{Path(spec_path).stem}_out")
    reused = finished(points, out_dir) if Path(out_dir, "sweep.json").is_file() else 0
    try:
        with dask_client(scheduler, workers) as client:
            records = run_sweep(spec, out_dir, client=client, runner=runner, progress=progress, wait_s=wait_s)
    except InputError as exc:
        print(f"error: {_one_line(exc)}", file=sys.stderr)
        return 2
    failed = [r for r in records if r["status"] != "ok"]
    print(f"{len(points)} points ({reused} reused from an earlier run, {len(points) - reused} run), {len(failed)} "
          f"failed; table: {Path(out_dir) / TABLE_CSV}")
    if failed:
        first = failed[0]
        params = ", ".join(f"{k} = {v!r}" for k, v in first["params"].items())
        print(f"error: sweep: {len(failed)} of {len(points)} points failed; the first, point {first['index']} "
              f"({params[:300]}): {_one_line(first.get('error') or 'no error recorded')[:600]}; all in "
              f"{Path(out_dir) / TABLE_CSV}", file=sys.stderr)
    return 1 if failed else 0


def _one_line(exc) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 2000 else text[:2000] + " ... (cut)"
