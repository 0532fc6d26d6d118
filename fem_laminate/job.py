"""One case run end to end: case file -> stack and mesh -> process chain -> output folder (`run_case`), or a
result in memory (`run`, the Python API: docs/python_api.md).

The output folder is written atomically: everything goes to a scratch sibling folder that replaces the target
only when the run has succeeded, so a failed or interrupted run leaves nothing half-written. An existing target
is replaced only if it is empty or holds a previous output of this tool (the marker file OUTPUT_MARKER).
"""
from __future__ import annotations

import logging
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from . import process
from .case import Case, load_case, load_case_dict, out_of_plane
from .model.mesh import layered_mesh_2d, layered_mesh_3d
from .model.pattern import PatternSet
from .physics.fe import elastic
from .physics.models.laminate import initial_state
from .post import output, provenance, vtk_series
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


def write_outputs(out: Path, case: Case, state, record, summary, times=None, plots: bool = True,
                  frames=None) -> None:
    """summary.json, timing.json, versions.json, case.resolved.toml, the ParaView series and (plots) the figures;
    the figures cost more than a small case's whole simulation (measured 3-5 s against 2 s for a 40 k DOF
    section), so sweeps leave them out. Figures take the format and resolution of `output.plot_settings`."""
    output.write_json(out / "summary.json", summary)
    if times is not None:
        output.write_json(out / "timing.json", times)
    output.write_json(out / provenance.VERSIONS, provenance.versions())
    provenance.write_resolved_case(out / provenance.RESOLVED_CASE, case)
    vtk_series.write_series(state, record, out, frames)
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


def _as_case(case) -> Case:
    if isinstance(case, Case):
        return case
    if isinstance(case, dict):
        return load_case_dict(case)
    return load_case(case)


def publish(out_dir, case: Case, state, record, summary, *, overwrite: bool = False, plots: bool = True,
            wait_s: float | None = None, plot_format: str | None = None, dpi: int | None = None,
            frames=None, simulate_first=None) -> Path:
    """Write the output folder atomically (post/folder.py): checked, locked, written in scratch, renamed into
    place. `simulate_first`: a callable run under the lock before writing, returning (state, record, summary)."""
    folder = OutputFolder(Path(out_dir), overwrite=overwrite)
    folder.check()
    with locked(folder.target, "--out", wait_s):
        if simulate_first is not None:
            state, record, summary = simulate_first()
        with folder.scratch() as tmp, output.plot_settings(plot_format, dpi):
            write_outputs(tmp, case, state, record, summary, timing(record), plots=plots, frames=frames)
    return folder.target


def run_case(case_or_path, out_dir=None, *, progress: bool = False, overwrite: bool = False, plots: bool = True,
             wait_s: float | None = None, plot_format: str | None = None, dpi: int | None = None) -> dict:
    """Validate, simulate and (with `out_dir`) write the output folder; return the summary.

    Parameters
    ----------
    case_or_path : str, pathlib.Path, dict or Case
        A case file, a case as a dict (as parsed from TOML) or a loaded case.
    out_dir : str or pathlib.Path, optional
        The output folder. None (the default) writes nothing.
    progress : bool
        A progress bar on stderr.
    overwrite : bool
        Replace `out_dir` even if it holds files this tool did not write.
    plots : bool
        Write the figures.
    wait_s : float, optional
        If another run is writing `out_dir`, wait up to this many seconds (inf: no limit); None refuses at once.
    plot_format : {"png", "svg", "pdf"}, optional
        Format of the figures (default: png, or that of an enclosing ``post.output.plot_settings``).
    dpi : int, optional
        Resolution of the figures in dots per inch (default: 120, or that of an enclosing ``plot_settings``).

    Returns
    -------
    dict
        The summary (the content of summary.json).

    Raises
    ------
    CaseError
        The case is not valid (one line naming file, field and allowed range).
    InputError
        The output location is refused: a folder this tool did not write (without `overwrite`), not writable,
        or being written by another run.
    """
    case = _as_case(case_or_path)
    if out_dir is None:
        return simulate(case, progress=progress)[2]
    out: dict = {}

    def sim():
        state, record, summary = simulate(case, progress=progress)
        out["summary"] = summary
        return state, record, summary

    # the output location is checked before any computing, and locked from start to end
    publish(out_dir, case, None, None, None, overwrite=overwrite, plots=plots, wait_s=wait_s,
            plot_format=plot_format, dpi=dpi, simulate_first=sim)
    return out["summary"]


@dataclass(frozen=True)
class StepResult:
    """One step as it ran.

    Attributes
    ----------
    name : str
        The step's frame name, ``"<index>_<kind>"`` (e.g. ``"2_bond"``), as in the .vtu file names.
    kind : str
        The step kind (``"cure"``, ``"cool"``, ``"bond"``, ...).
    spec : pydantic.BaseModel
        The step's table of the case, typed.
    results : tuple
        The typed results the step recorded (e.g. ``CoolResult``, ``BondResult``), oldest first.
    added, removed : tuple of str
        Names of the layers that joined and left the laminate in this step.
    """
    name: str
    kind: str
    spec: object
    results: tuple
    added: tuple
    removed: tuple

    @property
    def result(self):
        """The step's typed result (the first if it recorded several), None if it recorded none."""
        return self.results[0] if self.results else None


class RunResult:
    """A simulated case, in memory: the summary, the steps and the ParaView frames as pyvista meshes.

    Returned by `run`; nothing is written to disk unless `write` is called (or `run` was given ``out=``).

    Attributes
    ----------
    case : Case
        The validated case.
    summary : dict
        The content of summary.json.
    steps : list of StepResult
        One entry per step of the case, in order.
    state : LaminateState
        The laminate after the last step.
    record : Record
        Everything the steps recorded (results, frames, snapshots).
    timing : dict
        Wall-clock seconds (the content of timing.json).
    """

    def __init__(self, case: Case, state, record, summary: dict):
        self.case = case
        self.state = state
        self.record = record
        self.summary = summary
        self.timing = timing(record)
        self.steps = [StepResult(f"{k}_{d.kind.name}", d.kind.name, d.spec, tuple(d.results), tuple(d.added),
                                 tuple(d.removed)) for k, d in enumerate(record.history)]
        self._series = None

    def __repr__(self) -> str:
        return (f"<RunResult {self.case.name!r}: {len(self.steps)} steps, {len(self.frame_names)} frames, "
                f"curvature {self.summary['curl']['curvature_1_per_m']:+.4g} 1/m>")

    @property
    def _frames(self):
        if self._series is None:
            self._series = vtk_series.series(self.state, self.record)
        return self._series

    @property
    def frames(self) -> list:
        """The ParaView frames as pyvista.UnstructuredGrid, one per step that has a layer present, with the
        arrays of the .vtu files (docs/paraview.md): built on first use."""
        return [g for _, _, g in self._frames]

    @property
    def frame_names(self) -> list[str]:
        """The step name of each frame (``"0_cure"``, ``"1_cool"``, ...)."""
        return [n for n, _, _ in self._frames]

    @property
    def frame_times_s(self) -> list[float]:
        """The time of each frame in the .pvd file (process seconds; docs/paraview.md)."""
        return [t for _, t, _ in self._frames]

    def mesh(self, step):
        """The laminate after a step, as a pyvista.UnstructuredGrid.

        Parameters
        ----------
        step : str or int
            A step name (``"2_bond"``), a step kind that occurs once in the case (``"bond"``), or the index of
            the step in the case (negative counts from the end).

        Returns
        -------
        pyvista.UnstructuredGrid
            The frame after that step.

        Raises
        ------
        KeyError
            No such step, a kind that occurs more than once, or a step before which no layer exists.
        """
        names = [s.name for s in self.steps]
        if isinstance(step, int) and not isinstance(step, bool):
            try:
                name = names[step]
            except IndexError:
                raise KeyError(f"step index {step} is out of range: the case has {len(names)} steps") from None
        elif step in names:
            name = step
        else:
            match = [s.name for s in self.steps if s.kind == step]
            if len(match) != 1:
                raise KeyError(f"step {step!r}: " + (f"the kind occurs {len(match)} times, name one of "
                                                     f"{', '.join(match)}" if match else
                                                     f"no such step (steps: {', '.join(names)})"))
            name = match[0]
        frames = dict(zip(self.frame_names, self.frames))
        if name not in frames:
            raise KeyError(f"step {name!r}: no layer is present after it, so it has no frame")
        return frames[name]

    def write(self, out, *, overwrite: bool = False, plots: bool = True, plot_format: str | None = None,
              dpi: int | None = None, wait_s: float | None = None) -> Path:
        """Write the output folder, as ``fem-laminate run`` does (docs/python_api.md).

        Parameters
        ----------
        out : str or pathlib.Path
            The output folder: new, empty, or an earlier output of this tool (else `overwrite`).
        overwrite : bool
            Replace a folder this tool did not write.
        plots : bool
            Write the figures.
        plot_format : {"png", "svg", "pdf"}, optional
            Format of the figures (default: png).
        dpi : int, optional
            Resolution of the figures in dots per inch (default: 120).
        wait_s : float, optional
            Wait up to this many seconds for another run writing `out`; None refuses at once.

        Returns
        -------
        pathlib.Path
            The folder written.
        """
        return publish(out, self.case, self.state, self.record, self.summary, overwrite=overwrite, plots=plots,
                       wait_s=wait_s, plot_format=plot_format, dpi=dpi, frames=self._frames)


def run(case, out=None, *, progress: bool = False, overwrite: bool = False, plots: bool = True,
        plot_format: str | None = None, dpi: int | None = None) -> RunResult:
    """Simulate a case in memory; write its output folder only if `out` is given.

    Parameters
    ----------
    case : str, pathlib.Path, dict or Case
        A case file (TOML), a case as a dict, or a case from `load_case`.
    out : str or pathlib.Path, optional
        Also write the output folder there (as ``fem-laminate run --out``). None (the default) writes nothing.
    progress : bool
        A progress bar on stderr.
    overwrite, plots, plot_format, dpi
        As for `RunResult.write`, when `out` is given.

    Returns
    -------
    RunResult
        ``.summary`` (the dict of summary.json), ``.steps`` (name, kind, typed results), ``.frames`` (pyvista
        meshes of the ParaView series) and ``.mesh(step)``.

    Raises
    ------
    CaseError
        The case is not valid.
    InputError
        `out` is refused (see `run_case`); checked before any computing.

    Examples
    --------
    >>> import fem_laminate as fl
    >>> r = fl.run("cases/example_1.toml")  # doctest: +SKIP
    >>> r.summary["curl"]["curvature_1_per_m"]  # doctest: +SKIP
    >>> r.mesh("bond").plot(scalars="von_mises_Pa")  # doctest: +SKIP
    """
    case = _as_case(case)
    if out is not None:
        OutputFolder(Path(out), overwrite=overwrite).check()  # refuse a bad location before computing
    result = RunResult(case, *simulate(case, progress=progress))
    if out is not None:
        result.write(out, overwrite=overwrite, plots=plots, plot_format=plot_format, dpi=dpi)
    return result
