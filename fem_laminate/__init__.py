"""fem_laminate: finite-element simulation of adhesiveless double-sided copper-clad laminates (EP0496334A1).

A case flows down the packages in the patent's order (README, "Architecture"):
case.py (the case file) -> model/ (materials, stack, mesh) -> process/ (one module per step kind: cure, cool,
bond, etch and the patent's tests) -> physics/ (the solvers the steps call) -> post/ (measurements, summary,
ParaView, plots); job.py runs one case end to end, studies/ many (validate, window, sweep, bench); cli.py.

Importing the package has no side effects; `run_case` and `load_case` are imported on first use.
"""


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
