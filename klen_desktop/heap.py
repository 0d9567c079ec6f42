"""Freed memory given back to the system (Linux, glibc): large buffers at once, the rest after large reads.

glibc serves a request of 128 KiB or more with a mapping of its own, unmapped when it is freed, and trims its heap
when more than 128 KiB lie free at the top. Freeing such a mapping, though, raises both limits to its size (up to
32 MiB): after one large buffer that lived a moment (a page of events, a read of the cache, an image Qt painted),
every later buffer of that size comes from the heap, and what the heap held stays resident, scattered between what
the app keeps. Setting the threshold once (``mallopt(M_MMAP_THRESHOLD)``) turns that adjustment off and keeps both
limits where they start. Measured with tests/benchmarks/bench_startup.py: 0.3 to 0.6 MiB less with the agenda open on
10,000 events, no figure larger. The cost is a map and an unmap for each buffer of 128 KiB or more.

Smaller blocks come from the heap, and a large read frees many of them between blocks that stay (the rows' text,
the decoded JSON, lists that outgrew themselves): glibc returns only the free space at the heap's top by itself.
:func:`give_back_free_pages` (``malloc_trim``) hands back every whole free page; the agenda opened on a week of
10,000 cached events leaves some 0.35 MiB of them, and a call takes 0.1 ms.
"""

from __future__ import annotations

import ctypes
import functools
import sys
from collections.abc import Callable
from typing import cast

# glibc's malloc.h.
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 128 * 1024  # glibc's own start value


def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None)  # the process's own symbols: glibc's, where it is the C library
    except OSError:
        return None


def keep_large_buffers_mapped() -> bool:
    """Fix glibc's mapping threshold at its start value; False where there is no glibc ``mallopt`` to ask."""
    mallopt = getattr(_libc(), "mallopt", None)
    if mallopt is None:
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD))


def give_back_free_pages() -> bool:
    """Return the heap's whole free pages to the system: True if there were any, False if none or no glibc."""
    trim = _trim()
    return trim is not None and bool(trim(0))


@functools.cache
def _trim() -> Callable[[int], int] | None:
    trim = getattr(_libc(), "malloc_trim", None)
    if trim is None:
        return None
    trim.argtypes = (ctypes.c_size_t,)
    trim.restype = ctypes.c_int
    return cast("Callable[[int], int]", trim)
