"""Output folders that never lose data: checked before computing, written in scratch, renamed into place.

- The target is replaced only if it does not exist, is empty, or holds a previous output of this tool (it has
  the marker file MARKER); anything else is refused in one line (InputError) unless `overwrite` is given.
- Everything is written to a scratch sibling ``.NAME.tmp-XXXX`` that holds the marker from its first moment; it
  is renamed over the target when complete (atomic on POSIX), so a killed run never leaves a half-written
  target. Scratch folders left by a killed run (they have the marker) are removed by the next run there.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from ..errors import InputError

MARKER = ".fem_laminate_output"


def _ours(path: Path) -> bool:
    return (path / MARKER).is_file()


def _writable(path: Path) -> bool:
    """Writable for us and not marked read-only: the mode bits count even for root, whom os.access lets
    write anywhere (a folder the user made read-only is not replaced by any user)."""
    try:
        return os.access(path, os.W_OK | os.X_OK) and bool(path.stat().st_mode & 0o222)
    except OSError:
        return False


class OutputFolder:
    def __init__(self, target: Path, overwrite: bool = False):
        self.target = Path(target)
        self.overwrite = overwrite

    def check(self) -> None:
        """Refuse, before any computing, a target that is a file, not ours, or not writable."""
        t = self.target
        if t.exists() or t.is_symlink():
            if not t.is_dir():
                raise InputError(f"--out {t}: is a file, not a folder (allowed: a new, empty or earlier output folder)")
            if any(t.iterdir()) and not _ours(t) and not self.overwrite:
                raise InputError(f"--out {t}: the folder holds files this tool did not write; refusing to replace "
                                 "them (allowed: a new, empty or earlier output folder; --overwrite to replace it)")
            if not _writable(t):
                raise InputError(f"--out {t}: the folder is read-only or not writable; refusing to replace it "
                                 "(allowed: a new, empty or earlier output folder that is writable)")
        parent = self._parent()
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"--out {t}: cannot create the parent folder ({exc.strerror or exc})") from None
        if not _writable(parent):
            raise InputError(f"--out {t}: the parent folder {parent} is not writable")
        try:  # a real probe: some file systems (/proc, read-only mounts) pass os.access
            probe = Path(tempfile.mkdtemp(prefix=f".{t.name}.tmp-", dir=parent))
            probe.rmdir()
        except OSError as exc:
            raise InputError(f"--out {t}: cannot write in {parent} ({exc.strerror or exc})") from None

    def _parent(self) -> Path:
        return self.target.absolute().parent

    def clean_stale(self) -> None:
        """Remove scratch folders of this target left by killed runs (only ours: they hold the marker)."""
        for p in self._parent().glob(f".{self.target.name}.tmp-*"):
            if p.is_dir() and _ours(p):
                shutil.rmtree(p, ignore_errors=True)
        for p in self._parent().glob(f".{self.target.name}.old-*"):
            if p.is_dir() and _ours(p):
                shutil.rmtree(p, ignore_errors=True)

    @contextmanager
    def scratch(self):
        """Yield a scratch folder to write into; on success it replaces the target, on failure it is removed."""
        self.check()
        self.clean_stale()
        parent = self._parent()
        tmp = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.tmp-", dir=parent))
        try:
            (tmp / MARKER).write_text("written by fem_laminate; this folder may be replaced by its next run\n")
            yield tmp
            os.chmod(tmp, 0o755)
            t = self.target
            if t.exists():
                old = parent / f".{t.name}.old-{os.getpid()}"
                os.replace(t, old)
                os.replace(tmp, t)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(tmp, t)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
