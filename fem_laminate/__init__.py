"""fem_laminate: finite-element simulation of adhesiveless double-sided copper-clad laminates (EP0496334A1).

A case flows down the packages in the patent's order (docs/reference/architecture.md):
case.py (the case file) -> model/ (materials, stack, mesh) -> process/ (one module per step kind: cure, cool,
bond, etch and the patent's tests) -> physics/ (the solvers the steps call) -> post/ (measurements, summary,
ParaView, plots); job.py runs one case end to end, studies/ many (validate, window, sweep, bench); cli.py.

Importing the package has no side effects; `run_case` and `load_case` are imported on first use.
"""
from importlib import metadata as _metadata

try:
    __version__ = _metadata.version("fem_laminate")
except _metadata.PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = ["load_case", "load_case_dict", "run_case", "CaseError", "InputError", "ProcessError", "__version__"]


def __dir__():
    return sorted(__all__)


def __getattr__(name):  # lazy: `import fem_laminate` stays light and loads nothing it does not need
    if name in ("load_case", "load_case_dict"):
        from . import case
        return getattr(case, name)
    if name == "run_case":
        from .job import run_case
        return run_case
    if name in ("CaseError", "InputError", "ProcessError"):
        from . import errors
        return getattr(errors, name)
    raise AttributeError(f"module 'fem_laminate' has no attribute {name!r}")
