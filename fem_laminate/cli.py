"""Command line: fem-laminate run | check | init | schema | validate | materials | window | sweep | bench.

One error mapping for every command (`_guarded`):
- bad input (InputError: case file, referenced files, options, output location, a case too large): one line
  on stderr, exit status 2;
- a failure inside a valid run (RunError, ProcessError, anything unexpected): one line on stderr saying what
  failed and where the full traceback was logged, exit status 1.
No traceback ever reaches the terminal, and nothing else but `note:` lines does: Python warnings raised during a
command (numerical RuntimeWarnings, library warnings) become one `note:` line each (`_warnings_as_notes`), progress
bars are drawn only on a terminal (`_progress`). Every command takes --quiet (no progress bar, no `note:` lines:
stdout's result and the error line only) and --verbose (also the package's progress as `note:` lines).
"""
from __future__ import annotations

import functools
import logging
import os
import sys
import tempfile
import time
import traceback
import warnings
from pathlib import Path

import click

from .errors import InputError

LOG_ENV = "FEM_LAMINATE_LOG_DIR"  # where tracebacks of failed runs go (default: the system temp folder)
VERBOSITY = {"quiet": False, "verbose": False}  # set by each command's --quiet / --verbose


def _one_line(text: str) -> str:
    """A message on one line: control characters shown as escapes, very long values cut."""
    flat = " ".join(str(text).splitlines()) if text else ""
    flat = "".join(c if c.isprintable() else repr(c)[1:-1] for c in flat)
    return flat if len(flat) <= 2000 else flat[:2000] + " ... (cut)"


def _log_traceback(command: str) -> Path | None:
    try:
        folder = Path(os.environ.get(LOG_ENV) or tempfile.gettempdir())
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"fem-laminate-{command}-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}.log"
        path.write_text(f"fem-laminate {command}: {' '.join(sys.argv[1:])}\n\n{traceback.format_exc()}")
        return path
    except OSError:
        return None


def _fail(msg: str, code: int = 2):
    click.echo(f"error: {_one_line(msg)}", err=True)
    sys.exit(code)


def _where(filename: str, lineno: int) -> str:
    """A warning's source as a short path: inside this package from its root, else the file's name."""
    path = Path(filename)
    parts = path.parts
    if "fem_laminate" in parts:
        path = Path(*parts[len(parts) - 1 - parts[::-1].index("fem_laminate"):])
    else:
        path = Path(path.name)
    return f"{path.as_posix()}:{lineno}"


def _note(text: str) -> None:
    """One `note:` line on stderr (none with --quiet)."""
    if not VERBOSITY["quiet"]:
        click.echo(f"note: {_one_line(text)}", err=True)


def _warnings_as_notes():
    """A warnings.showwarning that prints each distinct warning once, as one `note:` line (what, where)."""
    seen = set()

    def show(message, category, filename, lineno, file=None, line=None):
        key = (category, str(message), filename, lineno)
        if key in seen or VERBOSITY["quiet"]:
            return
        seen.add(key)
        try:
            click.echo(f"note: {category.__name__} in {_where(filename, lineno)}: "
                       f"{_one_line(str(message))[:300]}", err=True)
        except Exception:  # noqa: BLE001 - a warning must never end a run
            pass
    return show


def _guarded(command: str):
    """Map every exception of a command to one line and an exit status (2: bad input, 1: failed run); warnings
    raised meanwhile become `note:` lines."""
    def deco(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with warnings.catch_warnings():
                warnings.showwarning = _warnings_as_notes()
                return _mapped(command, fn, args, kwargs)
        return wrapper
    return deco


def _mapped(command: str, fn, args, kwargs):
    """Run fn; every exception becomes one line and an exit status."""
    try:
        return fn(*args, **kwargs)
    except InputError as exc:
        _fail(str(exc), 2)
    except KeyboardInterrupt:
        _fail(f"{command}: interrupted; no output folder was changed", 130)
    except MemoryError:
        log = _log_traceback(command)
        _fail(f"{command}: ran out of memory (use a coarser mesh); details in {log}", 1)
    except Exception as exc:  # a failure inside a valid run: one line here, the traceback in a log
        log = _log_traceback(command)
        where = f"details in {log}" if log else "no log could be written"
        _fail(f"{command} failed: {type(exc).__name__}: {exc}; {where}", 1)


class _NoteHandler(logging.Handler):
    """Libraries' log warnings (scikit-fem, meshio, distributed) as one `note:` line each, never a block."""

    def emit(self, record):
        if VERBOSITY["quiet"]:
            return
        try:
            click.echo(f"note: {record.name}: {_one_line(record.getMessage())[:500]}", err=True)
        except Exception:  # noqa: BLE001 - a log line must never end a run
            pass


def _quiet_libraries() -> None:
    root = logging.getLogger()
    if not any(isinstance(h, _NoteHandler) for h in root.handlers):
        handler = _NoteHandler(level=logging.INFO)  # INFO reaches it only from the package's logger (--verbose)
        root.addHandler(handler)
        # scikit-fem warns that it cannot read gmsh tags; model/mesh_io.py reads the layer groups itself
        logging.getLogger("skfem").setLevel(logging.ERROR)
        for name in ("distributed", "dask"):  # Dask configures its own handlers: route them here too
            lg = logging.getLogger(name)
            lg.handlers = [handler]
            lg.propagate = False


def _progress(quiet: bool = False) -> bool:
    """Progress bars only on a terminal: piped or logged, stderr carries nothing but `note:` lines and errors."""
    return not (quiet or VERBOSITY["quiet"]) and sys.stderr.isatty()


def _verbosity(fn):
    """--quiet / --verbose on a command: set VERBOSITY (and the package logger's level) before it runs."""
    @functools.wraps(fn)
    def wrapper(*args, quiet=False, verbose=False, **kwargs):
        if quiet and verbose:
            _fail("--quiet and --verbose exclude each other", 2)
        VERBOSITY.update(quiet=quiet, verbose=verbose)
        logging.getLogger("fem_laminate").setLevel(logging.INFO if verbose else logging.WARNING)
        return fn(*args, **kwargs)
    wrapper = click.option("--verbose", "-v", is_flag=True,
                           help="Also print the package's progress (each step as it starts) as `note:` lines.")(wrapper)
    return click.option("--quiet", "-q", is_flag=True,
                        help="No progress bar and no `note:` lines: the result on stdout, errors on stderr.")(wrapper)


def _wait_options(fn):
    """--wait / --wait-timeout-s: what to do when another run is writing the same output."""
    fn = click.option("--wait-timeout-s", "wait_timeout_s", type=click.FloatRange(min=0.0), default=None,
                      help="With --wait: give up (exit 2) after this many seconds (default: no limit).")(fn)
    return click.option("--wait", is_flag=True,
                        help="If another run is writing the same output, wait for it instead of refusing.")(fn)


def _dask_options(fn):
    """--scheduler / --workers: where a study's case runs go."""
    fn = click.option("--workers", type=int, default=None,
                      help="LocalCluster workers (default: one per core; 0 = serial).")(fn)
    return click.option("--scheduler", default=None,
                        help="Address of a running Dask scheduler (default: a LocalCluster).")(fn)


def _plot_options(fn):
    """--format / --dpi: how figures are written."""
    fn = click.option("--dpi", type=click.IntRange(20, 1200), default=120, show_default=True,
                      help="Resolution of the figures (dots per inch; svg and pdf: of their raster parts).")(fn)
    return click.option("--format", "plot_format", type=click.Choice(["png", "svg", "pdf"]), default="png",
                        show_default=True, help="Format of the figures.")(fn)


def _wait_s(wait: bool, wait_timeout_s: float | None) -> float | None:
    """None: refuse at once; seconds to wait otherwise (inf: no limit). A timeout implies --wait."""
    if wait_timeout_s is not None:
        return wait_timeout_s
    return float("inf") if wait else None


def _version() -> str:
    """The installed distribution's version (as fem_laminate.__version__ reads it; the package sits above cli)."""
    from importlib import metadata
    try:
        return metadata.version("fem_laminate")
    except metadata.PackageNotFoundError:  # a source tree that was never installed
        return "0+unknown"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version=_version(), prog_name="fem-laminate",
                      message="%(prog)s %(version)s")
def main():
    """Finite-element simulator for adhesiveless double-sided copper-clad laminates (EP0496334A1)."""
    _quiet_libraries()


@main.command()
@click.argument("case_file", type=click.Path(dir_okay=False))
@click.option("--out", "out_dir", type=click.Path(), default=None,
              help="Output folder (default: results/<case file name>).")
@click.option("--overwrite", is_flag=True, help="Replace --out even if it holds files this tool did not write.")
@click.option("--with", "overlays", multiple=True, type=click.Path(dir_okay=False),
              help="A TOML overlay of dotted keys merged into the case (library merged) before it is checked; "
                   "repeatable, later ones win (e.g. the fitted.toml of `fit`).")
@_plot_options
@_wait_options
@_verbosity
@_guarded("run")
def run(case_file, out_dir, overwrite, overlays, plot_format, dpi, wait, wait_timeout_s):
    """Simulate the process chain of CASE_FILE and write summary.json, a ParaView series and PNG plots."""
    from .job import run_case
    from .studies.overlay import load_case_with_overlays

    case = load_case_with_overlays(case_file, overlays)
    for note in case.notes:
        _note(note)
    out = Path(out_dir) if out_dir else Path("results") / Path(case_file).stem
    s = run_case(case, out, progress=_progress(), overwrite=overwrite, wait_s=_wait_s(wait, wait_timeout_s),
                 plot_format=plot_format, dpi=dpi)
    for note in s.get("notes", [])[len(case.notes):]:  # what the steps flagged (also in summary.json)
        _note(note)
    click.echo(report(s, out))


def _num(v, fmt: str) -> str:
    return "n/a" if v is None else format(v, fmt)


def report(s: dict, out) -> str:
    """The few lines `run` prints: what an engineer looks at first."""
    curl = s["curl"]
    lines = [f"{_one_line(s['name'])[:80]}: {s['model']['dofs']} dofs -> {out}",
             f"  base curl  {_num(curl['curvature_1_per_m'], '+.3f')} 1/m (radius {_num(curl['radius_mm'], '.4g')} mm)"]
    if s.get("film"):
        lines.append(f"  film CTE   {_num(s['film']['cte_per_K'], '.3e')} 1/K "
                     f"(TMA {s['film']['from_C']:g}-{s['film']['to_C']:g} C)")
    if s.get("dimensional_change_pct") is not None:
        lines.append(f"  dimensional change (JIS C 6481) {s['dimensional_change_pct']:+.4f} %")
    for key in ("nip", "bond"):
        if s.get(key):
            lines.append(f"  {key}: " + ", ".join(f"{k}={v:.4g}" for k, v in s[key].items()
                                                 if isinstance(v, (int, float)) and not isinstance(v, bool)))
    return "\n".join(lines)


@main.command()
@click.argument("case_file", type=click.Path(dir_okay=False))
@_verbosity
@_guarded("check")
def check(case_file):
    """Validate CASE_FILE without running it: one line saying what it would run (exit 0), or the error (exit 2)."""
    from .case import load_case

    case = load_case(case_file)
    for note in case.notes:
        _note(note)
    click.echo(f"{case_file}: OK: {describe(case)}")


def describe(case) -> str:
    """What a case would run, in one line: layers, model and mesh, the steps in order."""
    m = case.spec.mesh
    stack = " / ".join(f"{lay.name} {lay.thickness_m * 1e6:g} um" for lay in case.base_stack().layers)
    mesh = f"{m.model} {m.length_mm:g} mm" + (f" x {m.width_mm:g} mm" if m.model == "plate3d" else "")
    return (f"{_one_line(case.name)[:80]!r}: {stack}; {mesh}; {len(case.steps)} steps: "
            + ", ".join(step.kind for step in case.steps))


@main.command()
@click.argument("path", type=click.Path(dir_okay=False), default="case.toml", required=False)
@_verbosity
@_guarded("init")
def init(path):
    """Write a commented starting case to PATH (default case.toml); an existing file is never replaced."""
    from importlib import resources

    from .schema import shipped_schema_path

    target = Path(path)
    text = resources.files("fem_laminate").joinpath("data/starter_case.toml").read_text()
    schema = Path(str(shipped_schema_path())).resolve()
    text = f"#:schema {schema.as_uri()}\n{text}"  # editors (Taplo, Even Better TOML) check and complete from it
    try:
        with open(target, "x", encoding="utf-8") as fh:  # "x": fails if the file exists, even in a race
            fh.write(text)
    except FileExistsError:
        raise InputError(f"{target}: the file exists; refusing to overwrite it (give another PATH)") from None
    except OSError as exc:
        raise InputError(f"{target}: cannot write the case file ({exc.strerror or exc})") from None
    click.echo(f"{target}: starting case written; check it with `fem-laminate check {target}`, run it with "
               f"`fem-laminate run {target}`")


@main.command()
@click.option("--path", "show_path", is_flag=True, help="Print where the shipped schema file is instead.")
@_verbosity
@_guarded("schema")
def schema(show_path):
    """Print the JSON Schema of case files (field descriptions and units), generated from the case models."""
    from .schema import schema_text, shipped_schema_path

    click.echo(Path(str(shipped_schema_path())).resolve() if show_path else schema_text(), nl=show_path)


@main.command()
@click.option("--cases", "cases_dir", type=click.Path(file_okay=False), default="cases", show_default=True)
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default="results/validation", show_default=True)
@click.option("--physics", "physics", type=click.Choice(["case", "elastic"]), default="case", show_default=True,
              help="case: each case's [physics] table (full model by default); elastic: viscoelasticity and "
                   "moisture off in every case (the elastic model of 0.2).")
@click.option("--uncertainty", type=click.IntRange(min=2, max=4096), default=None,
              help="Add p05/p95 bands to each predicted quantity from N samples of the data's uncertainties.")
@click.option("--workers", type=int, default=None, help="With --uncertainty: Dask workers (default: one per core).")
@_plot_options
@_wait_options
@_verbosity
@_guarded("validate")
def validate(cases_dir, out_dir, physics, uncertainty, workers, plot_format, dpi, wait, wait_timeout_s):
    """Run every patent case and write validation.csv / validation.md beside the published values; print a
    headline (rows within tolerance per quantity)."""
    from .post.output import plot_settings
    from .studies.sweep import dask_client
    from .studies.validate import ELASTIC, headline, run_validation

    with dask_client(None, workers if uncertainty else 0) as client, plot_settings(plot_format, dpi):
        rows = run_validation(cases_dir, out_dir, progress=_progress(),
                              physics=ELASTIC if physics == "elastic" else None,
                              wait_s=_wait_s(wait, wait_timeout_s), uncertainty=uncertainty, client=client)
    click.echo(f"{len(rows)} cases -> {Path(out_dir) / 'validation.md'} (and validation.csv)")
    for line in headline(rows):
        click.echo(f"  {line}")


@main.command()
@click.option("--sources", is_flag=True, help="Show the source of every number.")
@_verbosity
@_guarded("materials")
def materials(sources):
    """List the material library (values at 25 C) with provenance."""
    from .model.materials import library_sources, load_library

    lib, raw = load_library(), library_sources()
    click.echo(f"{'name':<11} {'kind':<8} {'E (GPa)':>8} {'nu':>5} {'CTE (ppm/K)':>12} {'CTE_z':>6} {'Tg (C)':>7}  description")
    for name, m in lib.items():
        cte = m.cte(25.0) * 1e6
        cz = (m.cte_z_per_K or 0) * 1e6
        tg = f"{m.Tg_C:g}" if m.Tg_C is not None else "none"
        click.echo(f"{name:<11} {m.kind:<8} {m.E_Pa / 1e9:8.2f} {m.nu:5.2f} {cte:12.1f} {cz:6.0f} {tg:>7}  {m.description}")
        if sources:
            for key, v in raw[name].items():
                subs = [(key, v)] if isinstance(v, dict) and "value" in v else \
                    [(f"{key}.{k}", e) for k, e in v.items()] if isinstance(v, dict) else []  # a law's table
                for k, e in subs:
                    click.echo(f"    {k} = {e['value']}{_spread(e)}  [{e['source']}]")
    _list_interfaces(sources)


def _spread(entry: dict) -> str:
    """A data entry's uncertainty as the listing shows it."""
    if "sd" in entry:
        return f" ± {entry['sd']:.3g} (1 sd)"
    if "range" in entry:
        return f" in [{entry['range'][0]:.4g}, {entry['range'][1]:.4g}]"
    if "sd_rel" in entry:
        return f" × (1 ± {entry['sd_rel']:g})"
    return ""


def _list_interfaces(sources: bool) -> None:
    """The interface table (docs/interfaces.md): each pair's toughnesses and wet loss, then the class fallbacks."""
    from .model.interfaces import FIELDS, library_table

    table = library_table()
    click.echo(f"\n{'interface':<24} {'bonded G_c (J/m2)':>18} {'cast G_c (J/m2)':>16} {'wet loss':>9}")
    rows = [(k, v) for k, v in table.pairs.items()] + [(f"{k} (class)", v) for k, v in table.classes.items()]
    for key, entry in rows:
        click.echo(f"{key:<24} {entry['bonded_toughness_J_per_m2']:18.1f} {entry['cast_toughness_J_per_m2']:16.1f} "
                   f"{entry['wet_toughness_loss']:9.2f}")
        if sources and key in table.pairs:
            for name in FIELDS:
                click.echo(f"    {name}  [{table.sources.get(f'{key}.{name}', '')}]")


@main.command()
@click.argument("case_file", type=click.Path(dir_okay=False))
@click.option("--temperatures-C", "temps", default=None,
              help="Roll temperatures: 'a,b,c', 'start:stop:n' (default: Tg .. Tg+250 C of the bonding layer, 11 points).")
@click.option("--speeds-m-per-min", "speeds", default="0.01:20:12:log", show_default=True,
              help="Line speeds: 'a,b,c', 'start:stop:n' or 'start:stop:n:log'.")
@click.option("--loads-kgf", "loads", default=None, help="Roll loads (default: the case's load).")
@click.option("--nip", type=click.Choice(["analytic", "hertz"]), default="analytic", show_default=True,
              help="Nip model for each grid point.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Output folder (default: results/<case>_window).")
@_plot_options
@_wait_options
@_verbosity
@_guarded("window")
def window(case_file, temps, speeds, loads, nip, out_dir, plot_format, dpi, wait, wait_timeout_s):
    """Process-window map: predicted peel over roll temperature x speed (x load), CSV + PNG."""
    from .case import load_case
    from .process.bond import bond_setup
    from .studies.window import parse_grid, window_command

    case = load_case(case_file)
    if temps is None:
        tg = bond_setup(case).surface.Tg_C
        if tg is None:
            raise InputError(f"{case_file}: the bonding layer has no Tg; give --temperatures-C")
        temps = f"{tg}:{tg + 250}:11"
    T = parse_grid(temps, "--temperatures-C")
    v = parse_grid(speeds, "--speeds-m-per-min")
    L = parse_grid(loads, "--loads-kgf") if loads else None
    out = Path(out_dir) if out_dir else Path("results") / f"{Path(case_file).stem}_window"
    from .post.output import plot_settings

    with plot_settings(plot_format, dpi):
        res = window_command(case, out, T, v, L, progress=_progress(), nip=nip, wait_s=_wait_s(wait, wait_timeout_s))
    click.echo(f"window map -> {out}: " + ", ".join(str(p) for p in res.values() if isinstance(p, (str, Path))))


@main.command()
@click.argument("spec_file", type=click.Path(dir_okay=False))
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Sweep folder (default: from the spec, beside it).")
@_dask_options
@_wait_options
@_verbosity
@_guarded("sweep")
def sweep(spec_file, out_dir, scheduler, workers, wait, wait_timeout_s):
    """Run a parameter sweep over a base case on Dask; finished points survive crashes and are skipped on rerun."""
    from .studies.sweep import sweep_command

    sys.exit(sweep_command(spec_file, out_dir, scheduler=scheduler, workers=workers, progress=_progress(),
                           wait_s=_wait_s(wait, wait_timeout_s)))


@main.command()
@click.argument("spec_file", type=click.Path(dir_okay=False))
@click.option("--out", "out_dir", type=click.Path(file_okay=False), required=True,
              help="Output folder: fit.json, fitted.toml, predictions.csv, fit.png; evaluations in evals/ (reused).")
@_dask_options
@_wait_options
@_guarded("fit")
def fit(spec_file, out_dir, scheduler, workers, wait, wait_timeout_s):
    """Calibrate case parameters on coupon measurements (weighted least squares) and predict with bands."""
    from .studies.fit import fit_command, report

    click.echo(report(fit_command(spec_file, out_dir, scheduler=scheduler, workers=workers, progress=_progress(),
                                  wait_s=_wait_s(wait, wait_timeout_s)), out_dir))


@main.command()
@click.argument("case_file", type=click.Path(dir_okay=False))
@click.option("--samples", type=int, default=32, show_default=True,
              help="Latin-hypercube samples for the bands, and the base size N of the Sobol' design (N (k+2) runs).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), required=True,
              help="Output folder: uq.json, uq.csv, sobol.csv, uq.png; runs in evals/ (reused on a rerun).")
@click.option("--outputs", default=None, help="Comma-separated summary paths for the Sobol' indices "
                                              "(default: curl, film CTE, dimensional change, peel where present).")
@click.option("--params", "only", default=None, help="Comma-separated glob patterns of the parameters to sample "
                                                     "(default: every uncertain number of the case's materials).")
@click.option("--sobol-params", type=int, default=4, show_default=True,
              help="Leading parameters (by screening) that get Sobol' indices.")
@click.option("--seed", type=int, default=0, show_default=True)
@_dask_options
@_wait_options
@_guarded("uq")
def uq(case_file, samples, out_dir, outputs, only, sobol_params, seed, scheduler, workers, wait, wait_timeout_s):
    """Uncertainty of a case's predictions from the data's uncertainties: p05/p50/p95 and Sobol' indices."""
    from .studies.uq import report, uq_command

    res = uq_command(case_file, out_dir, samples, scheduler=scheduler, workers=workers,
                     outputs=outputs.split(",") if outputs else None, only=only.split(",") if only else None,
                     sobol_params=sobol_params, seed=seed, progress=_progress(), wait_s=_wait_s(wait, wait_timeout_s))
    click.echo(report(res, out_dir))


@main.command()
@click.option("--sizes", default=None, help="Target DOFs, comma separated (default: 10k .. 1M).")
@click.option("--dims", default="2,3", show_default=True, help="2 and/or 3.")
@click.option("--large", is_flag=True, help="Add sizes beyond 1M DOF (HPC nodes).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default="results/bench", show_default=True,
              help="Folder for bench.json (machine-readable results).")
@click.option("--json", "out_json", default=None, help="Write the JSON here instead of <--out>/bench.json.")
@click.option("--no-skfem", is_flag=True, help="Skip the scikit-fem default-path comparison.")
@click.option("--max-memory-GB", "max_memory_GB", type=float, default=None,
              help="Stop a configuration above this resident memory (default: half the RAM).")
@click.option("--element", type=click.Choice(["lagrange", "serendipity"]), default="lagrange", show_default=True,
              help="Quadratic element family: 9/27-node Lagrange or 8/20-node serendipity (CalculiX's C3D20).")
@click.option("--solver", type=click.Choice(["pardiso", "spsolve", "cg_plate", "cg_amg"]), default=None,
              help="Run only the configurations with this solver (e.g. cg_plate for the 3D scaling).")
@click.option("--threads", default=None,
              help="Thread counts, comma separated: each configuration runs once with each (e.g. 1,2).")
@_wait_options
@_verbosity
@_guarded("bench")
def bench(sizes, dims, large, out_dir, out_json, no_skfem, max_memory_GB, element, solver, threads, wait,
          wait_timeout_s):
    """Assembly and solve scaling: DOFs, seconds, peak memory; fast path vs scikit-fem's generic path."""
    from .studies.bench import bench_command

    sz = _int_list(sizes, "--sizes", float_ok=True) if sizes else None
    dd = tuple(_int_list(dims, "--dims"))
    out_json = str(_bench_json(out_dir, out_json))
    click.echo(f"bench: results -> {out_json}")
    th = tuple(_int_list(threads, "--threads")) if threads else None
    try:
        code = bench_command(sizes=sz, out_json=out_json, large=large, dims=dd, compare_skfem=not no_skfem,
                             max_memory_GB=max_memory_GB, family=element, solver=solver,
                             wait_s=_wait_s(wait, wait_timeout_s), threads=th)
    except InputError:
        raise
    except ValueError as exc:
        raise InputError(f"bench: {exc}") from None
    sys.exit(code)


def _bench_json(out_dir: str, out_json: str | None) -> Path:
    """Where bench writes its JSON: refused if a file there is not an earlier bench result (never overwritten)."""
    import json

    path = Path(out_json) if out_json else Path(out_dir) / "bench.json"
    option = "--json" if out_json else "--out"
    if path.exists():
        try:
            ours = set(json.loads(path.read_text())) == {"meta", "results"}
        except (OSError, ValueError, TypeError):
            ours = False
        if not ours:
            raise InputError(f"{option} {path}: the file exists and is not a bench result; refusing to replace it")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{option} {path.parent}: cannot create the folder ({exc.strerror or exc})") from None
    return path


def _int_list(text: str, option: str, float_ok: bool = False) -> list[int]:
    try:
        return [int(float(x)) if float_ok else int(x) for x in text.split(",")]
    except (ValueError, OverflowError):
        raise InputError(f"{option} = {text!r} is not allowed: a comma-separated list of integers") from None


if __name__ == "__main__":  # pragma: no cover
    main()
