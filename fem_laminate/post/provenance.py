"""What makes an output folder reproducible: the case as it ran (case.resolved.toml) and the software that ran
it (versions.json).

The resolved case is the case file with every default written out, every material of the stack as a full
table (library values merged with the case's own, each number with its source) and every file it names as an
absolute path: it loads and runs to the same summary wherever the library or the defaults have moved since.
versions.json names Python, fem_laminate and the libraries the numbers depend on; like timing.json it
describes the machine, so it is kept out of summary.json (which stays byte-identical between runs).
"""
from __future__ import annotations

import platform
import sys
from functools import lru_cache
from importlib import metadata
from pathlib import Path

RESOLVED_CASE = "case.resolved.toml"
VERSIONS = "versions.json"
# distributions whose versions are recorded (PyPI names)
PACKAGES = ("fem_laminate", "numpy", "scipy", "scikit-fem", "meshio", "pyvista", "vtk", "pydantic", "dask",
            "matplotlib", "pypardiso", "pyamg", "shapely")


@lru_cache(maxsize=1)
def package_version() -> str:
    """fem_laminate's version: the installed distribution's, else (a source tree never installed) the one in
    pyproject.toml beside the package, else "0+unknown"."""
    try:
        return metadata.version("fem_laminate")
    except metadata.PackageNotFoundError:
        pass
    import tomllib

    try:
        with open(Path(__file__).resolve().parents[2] / "pyproject.toml", "rb") as fh:
            return str(tomllib.load(fh)["project"]["version"])
    except (OSError, KeyError, ValueError):
        return "0+unknown"


def _drop_none(o):
    """TOML has no null: an unset optional field is left out (it loads as its default, None)."""
    if isinstance(o, dict):
        return {k: _drop_none(v) for k, v in o.items() if v is not None}
    if isinstance(o, list):
        return [_drop_none(v) for v in o if v is not None]
    return o


def _material_table(name: str, case_tables: dict, library: dict) -> dict:
    """A material's full table as a case file writes it: the library's, merged with the case's own entries
    (a `base` resolved to the library table it names), as model.materials.material_from_dict merges them."""
    own = case_tables.get(name)
    if own is None:
        return dict(library[name])
    if "base" not in own:
        return dict(own)
    table = dict(library[own["base"]])
    for key, value in own.items():
        if key == "base":
            continue
        if isinstance(value, dict) and "value" not in value and isinstance(table.get(key), dict):
            table[key] = {**table[key], **value}  # a law's own data table: merged key by key
        else:
            table[key] = value
    if "cte_per_K" in own and "cte_mean_table" not in own:
        table.pop("cte_mean_table", None)  # a constant CTE given over a base with a table replaces the table
    return table


def resolved_case(case) -> dict:
    """The case as it runs, as a dict a case file can hold (see the module docstring)."""
    from ..model.materials import library_sources
    from ..model.mesh_io import resolve

    d = _drop_none(case.spec.model_dump(mode="json"))
    library = library_sources()
    used = []
    for layer in case.full_stack().layers:
        if layer.material.name not in used:
            used.append(layer.material.name)
    d["materials"] = {name: _material_table(name, case.spec.materials, library) for name in used}
    if case.spec.mesh.file:
        d["mesh"]["file"] = str(resolve(case.spec.mesh.file, case.source).resolve())
    for step in d["steps"]:
        pattern = step.get("pattern")
        if isinstance(pattern, dict) and pattern.get("file"):
            pattern["file"] = str(resolve(pattern["file"], case.source).resolve())
    return d


def write_resolved_case(path: Path, case) -> Path:
    """case.resolved.toml: a comment naming the case it came from, then the resolved case."""
    import tomli_w

    source = "".join(c if c.isprintable() else "?" for c in str(case.source))
    head = (f"# {case.name!r} from {source}, as run by fem_laminate {package_version()}: every default written out,\n"
            "# the stack's materials as full tables (library values merged), files as absolute paths.\n"
            "# Run it again with: fem-laminate run case.resolved.toml\n")
    path = Path(path)
    path.write_text(head + tomli_w.dumps(resolved_case(case)))
    return path


def _dist_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _blas() -> dict | None:
    """numpy's BLAS and LAPACK as numpy reports its build (numpy >= 1.25); None when it does not say."""
    import numpy as np

    try:
        deps = np.show_config(mode="dicts")["Build Dependencies"]
    except (TypeError, KeyError, AttributeError):
        return None
    return {k: {f: deps[k][f] for f in ("name", "version") if deps[k].get(f)}
            for k in ("blas", "lapack") if k in deps}


def versions() -> dict:
    """versions.json: Python, the platform, fem_laminate and the libraries (None: not installed), numpy's BLAS."""
    packages = {name: _dist_version(name) for name in PACKAGES}
    packages["fem_laminate"] = package_version()
    return {"python": sys.version.split()[0], "implementation": platform.python_implementation(),
            "platform": platform.platform(), "machine": platform.machine(), "packages": packages,
            "numpy_blas": _blas()}
