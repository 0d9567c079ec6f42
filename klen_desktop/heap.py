"""Large buffers given back to the system when freed, all session long (Linux, glibc).

glibc serves a request of 128 KiB or more with a mapping of its own, unmapped when it is freed, and trims its heap
when more than 128 KiB lie free at the top. Freeing such a mapping, though, raises both limits to its size (up to
32 MiB): after one large buffer that lived a moment (a page of events, a read of the cache, an image Qt painted),
every later buffer of that size comes from the heap, and what the heap held stays resident, scattered between what
the app keeps. Setting the threshold once (``mallopt(M_MMAP_THRESHOLD)``) turns that adjustment off and keeps both
limits where they start. Measured with tests/benchmarks/bench_startup.py: 0.3 to 0.6 MiB less with the agenda open on
10,000 events, no figure larger. The cost is a map and an unmap for each buffer of 128 KiB or more.
"""

from __future__ import annotations

import ctypes
import sys

# glibc's malloc.h.
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 128 * 1024  # glibc's own start value


def keep_large_buffers_mapped() -> bool:
    """Fix glibc's mapping threshold at its start value; False where there is no glibc ``mallopt`` to ask."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD))
