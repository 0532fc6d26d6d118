"""Case evaluations at parameter values, run through the sweep machinery (Dask, resumable, failures recorded).

An evaluation is a case file with a set of dotted paths set (studies/overlay.py); its folder is named by the
hash of the resolved case (sweep.point_id), so the same evaluation asked again, in this run or after a crash,
is read back from disk instead of run. `fit` and `uq` evaluate through here.
"""
from __future__ import annotations

import math

import numpy as np
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from .overlay import apply_overlay, format_key, get_path, set_path
from .sweep import Point, point_id, read_record, run_points, write_table


def output_value(summary: dict, dotted: str):
    """A number of summary.json by dotted path (integer parts index lists); None when absent or null."""
    node = summary
    for part in dotted.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    if isinstance(node, bool) or not isinstance(node, (int, float)) or not math.isfinite(node):
        return None
    return float(node)


def numeric_leaves(summary: dict, prefix: str = "") -> dict[str, float]:
    """Every finite scalar of a summary (booleans left out), by dotted path."""
    out = {}
    if isinstance(summary, dict):
        for k, v in summary.items():
            out.update(numeric_leaves(v, f"{prefix}{k}."))
    elif isinstance(summary, list) and len(summary) <= 64:
        for i, v in enumerate(summary):
            out.update(numeric_leaves(v, f"{prefix}{i}."))
    elif isinstance(summary, (int, float)) and not isinstance(summary, bool) and math.isfinite(summary):
        out[prefix[:-1]] = float(summary)
    return out


@dataclass
class CaseFile:
    key: str  # a short name for tables
    path: str  # the case file (its source: relative files inside it resolve against it)
    raw: dict  # as read, with any fixed overlay merged


class Evaluator:
    """Runs (case, parameter values) pairs in batches on a Dask client (or serially), remembering records."""

    def __init__(self, folder, client=None, runner=None, progress: bool = False):
        self.folder = Path(folder)
        self.client = client
        self.runner = runner
        self.progress = progress
        self.records: dict[str, dict] = {}  # point_id -> record
        self.runs = 0  # case runs done (not read back from an earlier run's folder)

    def case_at(self, case: CaseFile, paths: list[tuple], values, where: str) -> dict:
        d = case.raw
        for parts, v in zip(paths, values):
            d = set_path(d, parts, _plain_number(v), where)
        return d

    def run(self, jobs: list[tuple[CaseFile, list[tuple], list[float]]]) -> list[dict]:
        """Records (status, summary, error, point_id) of each job (case, paths, values), in order."""
        points, ids = [], []
        for i, (case, paths, values) in enumerate(jobs):
            d = self.case_at(case, paths, values, case.path)
            pid = point_id({"case": d, "source": case.path})
            ids.append(pid)
            params = {format_key(p): (_plain_number(v) if isinstance(_plain_number(v), float) else "table")
                      for p, v in zip(paths, values)}
            params["case"] = case.key
            points.append(Point(index=i, params=params, case=d, point_id=pid, source=case.path))
        unique = {}
        for p in points:
            unique.setdefault(p.point_id, p)
        todo = [Point(index=k, params=p.params, case=p.case, point_id=p.point_id, source=p.source)
                for k, p in enumerate(unique.values()) if p.point_id not in self.records]
        stored = [read_record(self.folder, p.point_id) for p in todo]
        self.runs += sum(r is None or r["status"] != "ok" for r in stored)  # the rest is read back from disk
        if todo:
            done = run_points(todo, todo[0].source, self.folder, client=self.client, runner=self.runner,
                              progress=self.progress)
            for rec in done.values():
                self.records[rec["point_id"]] = rec
        return [self.records[pid] for pid in ids]

    run_values = run  # values may be tables (a scaled Prony series) as well as numbers

    def write_table(self) -> None:
        recs = sorted(self.records.values(), key=lambda r: r["point_id"])
        for k, r in enumerate(recs):
            r = dict(r)
            r["index"] = k
            recs[k] = r
        if recs:
            write_table(recs, self.folder)


def _plain_number(v):
    """numpy and int scalars as float (TOML-like), tables unchanged."""
    if isinstance(v, (int, float, np.floating, np.integer)) and not isinstance(v, bool):
        return float(v)
    return v


def value_in(case: CaseFile, parts: tuple, where: str):
    """The library-merged value at parts in a case (InputError with did-you-mean when the path is wrong)."""
    return get_path(case.raw, parts, where)


def with_fixed(case: CaseFile, overlay: dict, where: str) -> CaseFile:
    return CaseFile(case.key, case.path, apply_overlay(case.raw, overlay, where))


def require_number(v, where: str) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise InputError(f"{where}: the case's value {v!r} is not a number (a parameter must be a number)")
    return float(v)


@contextmanager
def study_folder(out: Path, scheduler, workers, wait_s):
    """For a fit or uq run: the output folder checked (one holding files this tool did not write is refused),
    locked, created and marked as ours for the body; yields the Dask client (or None) the study runs on."""
    from ..post.folder import MARKER, OutputFolder, locked
    from .sweep import dask_client

    OutputFolder(out).check()
    with locked(out, "--out", wait_s):
        out.mkdir(parents=True, exist_ok=True)
        (out / MARKER).write_text("written by fem_laminate; this folder may be replaced by its next run\n")
        with dask_client(scheduler, workers) as client:
            yield client
