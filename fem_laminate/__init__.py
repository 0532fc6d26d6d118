"""fem_laminate: finite-element simulation of adhesiveless double-sided copper-clad laminates (EP0496334A1).

The process chain, in the patent's order, lives in `fem_laminate.process`; one case end to end in
`fem_laminate.job.run_case`; the command line in `fem_laminate.cli`.
"""
from .case import CaseError, load_case, load_case_dict  # noqa: F401
from .job import run_case  # noqa: F401
