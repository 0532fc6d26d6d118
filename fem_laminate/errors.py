"""The package's two kinds of failure, told apart by the CLI's exit status.

- InputError (exit 2): something the user gave is wrong: a case file, a file it refers to, a command-line
  option, an output location, a case too large for this machine. One line naming the file, the field, the
  value and what is allowed.
- RunError (exit 1): a valid run that failed (a solver that did not converge, a step that cannot act on the
  laminate as it has become).
"""
from __future__ import annotations


class InputError(ValueError):
    """Bad input; the message is one line naming the file, the field, the value and what is allowed."""


class CaseError(InputError):
    """Bad case input (the case file or a file it refers to)."""


class ProcessError(RuntimeError):
    """A step that cannot be carried out on the laminate as it is (e.g. etching copper that is not there)."""
