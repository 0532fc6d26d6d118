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

    try:
        rows = run_validation(cases_dir, out_dir)
    except (CaseError, FileNotFoundError) as exc:
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


if __name__ == "__main__":  # pragma: no cover
    main()
