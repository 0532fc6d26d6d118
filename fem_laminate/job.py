"""One case run end to end: case file -> stack and mesh -> process chain -> output folder.

The output folder is written atomically: everything goes to a scratch sibling folder that replaces the target
only when the run has succeeded, so a failed or interrupted run leaves nothing half-written. An existing target
is replaced only if it is empty or holds a previous output of this tool (the marker file OUTPUT_MARKER).
"""
from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

from . import process
from .case import Case, load_case, out_of_plane
from .model.mesh import layered_mesh_2d, layered_mesh_3d
from .model.pattern import PatternSet
from .physics.fe import elastic
from .physics.models.laminate import initial_state
from .post import output
from .post.folder import OutputFolder, locked
from .post.summary import make_summary

_log = logging.getLogger(__name__)  # step-by-step progress, shown by the CLI with --verbose


def build_state(case: Case):
    """Mesh the full stack (every layer that will ever exist) and return the initial laminate state."""
    m = case.spec.mesh
    stack = case.full_stack()
    if m.file and case.external_mesh is not None:
        lmesh = case.external_mesh  # read and checked when the case loaded
    elif m.file:
        from .model.mesh_io import load_layered_mesh
        lmesh = load_layered_mesh(m.file, stack, source=case.source)
    elif m.model in ("plane_strain", "generalized_plane_strain"):
        lmesh = layered_mesh_2d(stack.interfaces_m, m.length_mm * 1e-3, nx=m.nx, n_per_layer=m.n_per_layer,
                                edge_refinement=m.edge_refinement)
    else:
        cut = process.step.patterns(case)  # the mesh resolves every circuit pattern a step will cut
        lmesh = layered_mesh_3d(stack.interfaces_m, m.length_mm * 1e-3, m.width_mm * 1e-3, nx=m.nx, ny=m.ny,
                                n_per_layer=min(m.n_per_layer, 4), edge_refinement=1.0,
                                pattern=PatternSet(tuple(cut)) if cut else None)
    model = elastic.make_model(lmesh, out_of_plane=out_of_plane(m) if lmesh.dim == 2 else "free",
                               quadratic=m.quadratic, family=m.element)
    state = initial_state(stack, model, case.spec.initial_temperature_C, solver=m.solver,
                          mechanisms=case.spec.physics.model_dump())
    return state


def simulate(case: Case, progress: bool = False):
    """Run the process chain; returns (final state, record, summary dict); wall-clock times are in
    `timing(record)`, never in the summary."""
    t0 = time.perf_counter()
    state = build_state(case)
    bar = None
    if progress:
        from tqdm import tqdm
        bar = tqdm(total=len(case.steps), desc=_printable(case.name), unit="step", file=sys.stderr, leave=False)

    def on_step(k, kind):
        _log.info("%s: step %d of %d: %s", _printable(case.name), k + 1, len(case.steps), kind)  # --verbose
        if bar is not None:
            bar.set_postfix_str(kind)
            if k:
                bar.update(1)

    try:
        record = process.run(state, case.steps, progress=on_step)
    finally:
        if bar is not None:
            bar.update(1)
            bar.close()
    hooks = [k.summarize for k in process.STEP_KINDS.values() if k.summarize is not None]
    summary = make_summary(case, state, record, hooks)
    record.total_s = time.perf_counter() - t0
    return state, record, summary


def timing(record) -> dict:
    """timing.json: the only output that depends on the machine and the moment."""
    return {"total_s": record.total_s, "steps": record.timing}


def _printable(name: str) -> str:
    return "".join(c if c.isprintable() else "?" for c in name)[:60]


def _label(name: str) -> str:
    """A case name as plain text in a plot title: no mathtext, no control characters, not too long."""
    return _printable(name).replace("$", r"\$")


def write_outputs(out: Path, case: Case, state, record, summary, times=None, plots: bool = True) -> None:
    """summary.json, timing.json, the ParaView series and (plots) the PNGs; the PNGs cost more than a small
    case's whole simulation (measured 3-5 s against 2 s for a 40 k DOF section), so sweeps leave them out."""
    output.write_json(out / "summary.json", summary)
    if times is not None:
        output.write_json(out / "timing.json", times)
    output.write_pvd(state, record, out)
    if not plots:
        return
    if record.snapshots:
        output.plot_stress_profiles(record.snapshots, out / "stress_through_thickness.png")
    output.plot_deformed(state, out / "deformed.png", title=f"{_label(case.name)}: after the last step")
    if any(r.of_base for r in record.all(process.cool.CoolResult)) and record.snapshots:
        first = next(iter(record.snapshots.values()))
        output.plot_deformed(first, out / "deformed_base.png", title=f"{_label(case.name)}: single-sided base after cooling")
    output.plot_temperature_history(record, out / "cure_schedule.png")
    for kind, payload in record.outputs:
        process.STEP_KINDS[kind].write(out, payload)


def run_case(case_or_path, out_dir, *, progress: bool = False, overwrite: bool = False, plots: bool = True,
             wait_s: float | None = None) -> dict:
    """Validate, simulate and write the output folder; returns the summary dict (also summary.json).

    The output location is checked before any computing; an existing folder that this tool did not write is
    refused (InputError) unless `overwrite`. The folder is locked from start to end: another run writing it
    is refused (InputError naming it), or waited for up to `wait_s` seconds (inf: no limit).
    """
    case = case_or_path if isinstance(case_or_path, Case) else load_case(case_or_path)
    folder = OutputFolder(Path(out_dir), overwrite=overwrite)
    folder.check()
    with locked(folder.target, "--out", wait_s):
        state, record, summary = simulate(case, progress=progress)
        with folder.scratch() as tmp:
            write_outputs(tmp, case, state, record, summary, timing(record), plots=plots)
    return summary
