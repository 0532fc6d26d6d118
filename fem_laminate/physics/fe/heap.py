"""Freed arrays go back to the operating system at once.

glibc's allocator serves a request above its mmap threshold (128 kB at start) with a mapping of its own, which a
free returns; but each time such a block is freed it raises the threshold (up to 32 MB), so that later arrays of
up to 32 MB come from the heap, whose freed space stays with the process. A process chain makes and drops
thousands of arrays of 1-30 MB (element batches, residuals, per-step fields): measured on a 153 k DOF chain the
heap then held ~1.4 kB per DOF of freed memory. A fixed threshold (which also stops it from moving) keeps every
array of 1 MB or more in a mapping of its own. Without glibc (another C library, another system) nothing changes.
"""
from __future__ import annotations

import ctypes
import ctypes.util

M_MMAP_THRESHOLD = -3  # mallopt parameter (malloc.h)
MMAP_THRESHOLD_BYTES = 1 << 20


def _fix_mmap_threshold() -> bool:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES))
    except (OSError, AttributeError):
        return False


FIXED = _fix_mmap_threshold()
