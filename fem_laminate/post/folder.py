"""Output folders that never lose data: checked before computing, written in scratch, renamed into place.

- The target is replaced only if it does not exist, is empty, or holds a previous output of this tool (it has
  the marker file MARKER); anything else is refused in one line (InputError) unless `overwrite` is given.
- Everything is written to a scratch sibling ``.NAME.tmp-XXXX`` that holds the marker from its first moment; it
  is renamed over the target when complete (atomic on POSIX), so a killed run never leaves a half-written
  target. A scratch folder also records its owner (OWNER: pid, host, start time).
- A run holds a lock on its target for its whole length (FolderLock: flock on ``.NAME.lock`` beside it, which
  the OS releases when the process dies), so a second run into the same place is refused in one line naming
  the owner, or waits for it. Scratch folders are removed by the next run only when their owner is gone: the
  marker is there and the owner's pid is not alive on this host (or no owner was recorded).
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: no lock, runs are then not protected from each other
    fcntl = None

from ..errors import InputError

MARKER = ".fem_laminate_output"
OWNER = ".fem_laminate_owner"  # in a scratch folder: the run writing it (removed before it is published)
POLL_S = 0.5  # how often a waiting run tries the lock again


def _ours(path: Path) -> bool:
    return (path / MARKER).is_file()


def _writable(path: Path) -> bool:
    """Writable for us and not marked read-only: the mode bits count even for root, whom os.access lets
    write anywhere (a folder the user made read-only is not replaced by any user)."""
    try:
        return os.access(path, os.W_OK | os.X_OK) and bool(path.stat().st_mode & 0o222)
    except OSError:
        return False


# -- who writes a folder --------------------------------------------------------------------------
def owner_record() -> dict:
    return {"pid": os.getpid(), "host": socket.gethostname(), "started": time.strftime("%Y-%m-%d %H:%M:%S")}


def describe_owner(owner: dict | None) -> str:
    if not owner:
        return "another fem-laminate run"
    return (f"another fem-laminate run (pid {owner.get('pid')} on host {owner.get('host')}, "
            f"started {owner.get('started')})")


def _parse_owner(text: str) -> dict | None:
    try:
        owner = json.loads(text)
    except ValueError:
        return None
    return owner if isinstance(owner, dict) and isinstance(owner.get("pid"), int) else None


def read_owner(path: Path) -> dict | None:
    try:
        return _parse_owner(path.read_text())
    except OSError:
        return None


def pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's
        return True
    except OSError:
        return False
    return True


def owner_gone(owner: dict | None) -> bool:
    """Asked while holding the target's lock. No owner recorded: a run killed before it wrote one (or an older
    version of the tool), gone. A pid on another host cannot be checked from here: kept, to be safe."""
    if owner is None:
        return True
    return owner.get("host") == socket.gethostname() and not pid_alive(owner["pid"])


# -- the lock on a target ---------------------------------------------------------------------------
def _note(msg: str) -> None:
    print(f"note: {msg}", file=sys.stderr, flush=True)


def _same_file(fd: int, path: Path) -> bool:
    try:
        a, b = os.fstat(fd), os.stat(path)
    except OSError:
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


class FolderLock:
    """An advisory lock on an output location (a folder or a file), held for a whole run.

    flock on ``.NAME.lock`` beside the target: it works across processes and the OS releases it when its
    process dies, so a lock is never stale. The lock file holds its owner (pid, host, start) for the message
    of a refused run. It is removed on release, while still locked; a run that locked a file removed under it
    sees that (another inode at the path) and tries again.
    """

    def __init__(self, target, option: str = "--out"):
        self.target = Path(target)
        self.option = option
        self.path = self.target.absolute().parent / f".{self.target.name}.lock"
        self.fd: int | None = None

    def _where(self) -> str:
        return f"{self.option} {self.target}"

    def acquire(self, wait_s: float | None = None, note=_note) -> None:
        """Take the lock, or raise InputError naming its owner; wait_s: wait up to that many seconds
        (inf: without limit), with one note line per owner waited for."""
        deadline = None if wait_s is None else time.monotonic() + wait_s
        waited_for = ...  # no owner yet: the first wait is told even when the owner is not known
        while True:
            got, owner = self._try()
            if got:
                return
            if deadline is None:
                raise InputError(f"{self._where()}: {describe_owner(owner)} is writing this "
                                 f"{self._kind()}; wait for it or use --wait")
            if time.monotonic() >= deadline:
                raise InputError(f"{self._where()}: {describe_owner(owner)} is still writing this {self._kind()} "
                                 f"after {wait_s:g} s of waiting; try again later or wait longer (--wait-timeout-s)")
            if owner != waited_for:
                note(f"{self._where()}: waiting for {describe_owner(owner)} to finish")
                waited_for = owner
            time.sleep(max(0.0, min(POLL_S, deadline - time.monotonic())))

    def _kind(self) -> str:
        return "file" if self.option == "--json" else "folder"

    def _try(self) -> tuple[bool, dict | None]:
        """(True, None) when locked by us; (False, owner) when another run holds it."""
        if fcntl is None:
            return True, None
        while True:
            fd = self._open()
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                owner = self._owner_of(fd)
                os.close(fd)
                return False, owner
            except OSError:  # a file system without locks: run unprotected rather than not at all
                os.close(fd)
                _note(f"{self._where()}: the file system does not support locks; another run into this place "
                      "would not be detected")
                return True, None
            if _same_file(fd, self.path):
                break
            os.close(fd)  # its last owner removed it between our open and our lock: lock the one there now
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps(owner_record()).encode())
        self.fd = fd
        return True, None

    def _open(self) -> int:
        parent = self.path.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
            return os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise InputError(f"{self._where()}: cannot create the lock file {self.path} "
                             f"({exc.strerror or exc})") from None

    @staticmethod
    def _owner_of(fd: int) -> dict | None:
        for _ in range(5):  # the owner writes its record just after locking: give it a moment
            owner = _parse_owner(os.pread(fd, 4096, 0).decode(errors="replace"))
            if owner is not None:
                return owner
            time.sleep(0.02)
        return None

    def release(self) -> None:
        if self.fd is None:
            return
        try:
            if _same_file(self.fd, self.path):
                os.unlink(self.path)
        except OSError:
            pass
        os.close(self.fd)
        self.fd = None


@contextmanager
def locked(target, option: str = "--out", wait_s: float | None = None):
    """Hold the lock on `target` for the body (see FolderLock); refuse or wait when another run holds it."""
    lock = FolderLock(target, option)
    lock.acquire(wait_s)
    try:
        yield lock
    finally:
        lock.release()


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
            probe = Path(tempfile.mkdtemp(prefix=f".{t.name}.probe-", dir=parent))  # not a scratch name
            probe.rmdir()
        except OSError as exc:
            raise InputError(f"--out {t}: cannot write in {parent} ({exc.strerror or exc})") from None

    def _parent(self) -> Path:
        return self.target.absolute().parent

    def clean_stale(self) -> None:
        """Remove scratch folders of this target whose run is gone (only ours: they hold the marker). Called
        with the target's lock held, so no live run of this host can be writing one."""
        for p in self._parent().glob(f".{self.target.name}.tmp-*"):
            if p.is_dir() and _ours(p) and owner_gone(read_owner(p / OWNER)):
                shutil.rmtree(p, ignore_errors=True)
        for p in self._parent().glob(f".{self.target.name}.old-*"):  # .NAME.old-PID: a publish cut short
            pid = p.name.rsplit("-", 1)[-1]
            if p.is_dir() and _ours(p) and not (pid.isdigit() and pid_alive(int(pid))):
                shutil.rmtree(p, ignore_errors=True)

    @contextmanager
    def scratch(self):
        """Yield a scratch folder to write into; on success it replaces the target, on failure it is removed.
        Call it with the target locked (`locked`)."""
        self.check()
        self.clean_stale()
        parent = self._parent()
        tmp = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.tmp-", dir=parent))
        try:
            (tmp / MARKER).write_text("written by fem_laminate; this folder may be replaced by its next run\n")
            (tmp / OWNER).write_text(json.dumps(owner_record()))
            yield tmp
            (tmp / OWNER).unlink()  # machine and moment: not part of the output
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
