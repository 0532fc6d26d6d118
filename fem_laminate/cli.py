"""Command line: fem-laminate run | validate | materials | window | sweep | bench.

Errors in the input are one line on stderr with exit status 2 and no traceback.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from .case import CaseError


def _fail(msg: str, code: int = 2):
    click.echo(f"error: {msg}", err=True)
    sys.exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main():
    """Finite-element simulator for adhesiveless double-sided copper-clad laminates (EP0496334A1)."""


@main.command()
@click.argument("case_file", type=click.Path(dir_okay=False))
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Output folder (default: results/<case file name>).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def run(case_file, out_dir, quiet):
    """Simulate the process chain of CASE_FILE and write summary.json, a ParaView series and PNG plots."""
    from .job import run_case
    from .process import ProcessError

    out = Path(out_dir) if out_dir else Path("results") / Path(case_file).stem
    try:
        s = run_case(case_file, out, progress=not quiet)
    except (CaseError, ProcessError) as exc:
        _fail(str(exc))
    curl = s["curl"]
    click.echo(f"{s['name']}: {s['model']['dofs']} dofs, {s['timing']['total_s']:.1f} s -> {out}")
    click.echo(f"  base curl  {curl['curvature_1_per_m']:+.3f} 1/m (radius {curl['radius_mm']:.4g} mm)")
    if s.get("film"):
        click.echo(f"  film CTE   {s['film']['cte_per_K']:.3e} 1/K (TMA {s['film']['from_C']:g}-{s['film']['to_C']:g} C)")
    if s.get("dimensional_change_pct") is not None:
        click.echo(f"  dimensional change (JIS C 6481) {s['dimensional_change_pct']:+.4f} %")
    for key in ("nip", "bond"):
        if s.get(key):
            click.echo(f"  {key}: " + ", ".join(f"{k}={v:.4g}" for k, v in s[key].items()
                                               if isinstance(v, (int, float)) and not isinstance(v, bool)))


@main.command()
@click.option("--cases", "cases_dir", type=click.Path(file_okay=False), default="cases", show_default=True)
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default="results/validation", show_default=True)
def validate(cases_dir, out_dir):
    """Run every patent case and write validation.csv / validation.md beside the published values."""
    from .validate import run_validation

    from .process import ProcessError

    try:
        rows = run_validation(cases_dir, out_dir)
    except (CaseError, ProcessError, FileNotFoundError) as exc:
        _fail(str(exc))
    click.echo((Path(out_dir) / "validation.md").read_text())
    click.echo(f"{len(rows)} cases -> {out_dir}/validation.csv, validation.md")


@main.command()
@click.option("--sources", is_flag=True, help="Show the source of every number.")
def materials(sources):
    """List the material library (values at 25 C) with provenance."""
    from .materials import library_sources, load_library

    lib, raw = load_library(), library_sources()
    click.echo(f"{'name':<11} {'kind':<8} {'E (GPa)':>8} {'nu':>5} {'CTE (ppm/K)':>12} {'CTE_z':>6} {'Tg (C)':>7}  description")
    for name, m in lib.items():
        cte = m.cte(25.0) * 1e6
        cz = (m.cte_z_per_K or 0) * 1e6
        tg = f"{m.Tg_C:g}" if m.Tg_C is not None else "none"
        click.echo(f"{name:<11} {m.kind:<8} {m.E_Pa / 1e9:8.2f} {m.nu:5.2f} {cte:12.1f} {cz:6.0f} {tg:>7}  {m.description}")
        if sources:
            for key, v in raw[name].items():
                if isinstance(v, dict):
                    click.echo(f"    {key} = {v['value']}  [{v['source']}]")


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
def window(case_file, temps, speeds, loads, nip, out_dir):
    """Process-window map: predicted peel over roll temperature x speed (x load), CSV + PNG."""
    from .case import load_case
    from .window import parse_grid, window_command

    try:
        case = load_case(case_file)
        if temps is None:
            from .window import bond_setup
            tg = bond_setup(case).surface.Tg_C
            if tg is None:
                raise ValueError(f"{case_file}: the bonding layer has no Tg; give --temperatures-C")
            temps = f"{tg}:{tg + 250}:11"
        T = parse_grid(temps, "--temperatures-C")
        v = parse_grid(speeds, "--speeds-m-per-min")
        L = parse_grid(loads, "--loads-kgf") if loads else None
        out = Path(out_dir) if out_dir else Path("results") / f"{Path(case_file).stem}_window"
        res = window_command(case_file, out, T, v, L, progress=True, nip=nip)
    except (CaseError, ValueError) as exc:
        _fail(str(exc))
    click.echo(f"window map -> {out}: " + ", ".join(str(p) for p in (res.values() if isinstance(res, dict) else res)
                                                   if isinstance(p, (str, Path))))


@main.command()
@click.argument("spec_file", type=click.Path(dir_okay=False))
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Sweep folder (default: from the spec, beside it).")
@click.option("--scheduler", default=None, help="Address of a running Dask scheduler (default: a LocalCluster).")
@click.option("--workers", type=int, default=None, help="LocalCluster workers (default: one per core; 0 = serial).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def sweep(spec_file, out_dir, scheduler, workers, quiet):
    """Run a parameter sweep over a base case on Dask; finished points survive crashes and are skipped on rerun."""
    from .sweep import sweep_command

    sys.exit(sweep_command(spec_file, out_dir, scheduler=scheduler, workers=workers, progress=not quiet))


@main.command()
@click.option("--sizes", default=None, help="Target DOFs, comma separated (default: 10k .. 1M).")
@click.option("--dims", default="2,3", show_default=True, help="2 and/or 3.")
@click.option("--large", is_flag=True, help="Add sizes beyond 1M DOF (HPC nodes).")
@click.option("--json", "out_json", default="bench.json", show_default=True, help="Machine-readable results.")
@click.option("--no-skfem", is_flag=True, help="Skip the scikit-fem default-path comparison.")
def bench(sizes, dims, large, out_json, no_skfem):
    """Assembly and solve scaling: DOFs, seconds, peak memory; fast path vs scikit-fem's generic path."""
    from .bench import bench_command

    try:
        sz = [int(float(x)) for x in sizes.split(",")] if sizes else None
        dd = tuple(int(x) for x in dims.split(","))
        code = bench_command(sizes=sz, out_json=out_json, large=large, dims=dd, compare_skfem=not no_skfem)
    except ValueError as exc:
        _fail(str(exc))
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    main()
