"""fem_laminate: finite-element simulation of adhesiveless double-sided copper-clad laminates (EP0496334A1).

A case flows down the packages in the patent's order (docs/reference/architecture.md):
case.py (the case file) -> model/ (materials, stack, mesh) -> process/ (one module per step kind: cure, cool,
bond, etch and the patent's tests) -> physics/ (the solvers the steps call) -> post/ (measurements, summary,
ParaView, plots); job.py runs one case end to end, studies/ many (validate, window, sweep, bench); cli.py.

The Python API (docs/python_api.md)::

    import fem_laminate as fl
    r = fl.run("cases/example_1.toml")      # in memory; out="folder" also writes the output folder
    r.summary["curl"]["curvature_1_per_m"]  # the dict of summary.json
    r.steps[2].kind, r.steps[2].result      # "bond", BondResult(...)
    r.mesh("bond")                          # pyvista.UnstructuredGrid of the frame after the bond

Importing the package has no side effects and loads none of the numerical libraries; `run`, `run_case`,
`load_case` and the rest are imported on first use.
"""
from .post.provenance import package_version as _package_version

__version__ = _package_version()

__all__ = ["run", "RunResult", "StepResult", "run_case", "load_case", "load_case_dict", "CaseError", "InputError",
           "ProcessError", "__version__"]


def __dir__():
    return sorted(__all__)


def __getattr__(name):  # lazy: `import fem_laminate` stays light and loads nothing it does not need
    if name in ("load_case", "load_case_dict"):
        from . import case
        return getattr(case, name)
    if name in ("run", "run_case", "RunResult", "StepResult"):
        from . import job
        return getattr(job, name)
    if name in ("CaseError", "InputError", "ProcessError"):
        from . import errors
        return getattr(errors, name)
    raise AttributeError(f"module 'fem_laminate' has no attribute {name!r}")
