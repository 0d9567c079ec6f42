"""glibc's mapping threshold stays fixed once the app sets it: a large buffer is unmapped when freed, always."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

# In a fresh interpreter: the threshold is process-wide, and the test process's own history would decide it.
PROBE = textwrap.dedent(
    """
    import ctypes, sys
    from klen_desktop.heap import keep_large_buffers_mapped

    class MallInfo2(ctypes.Structure):
        _fields_ = [(name, ctypes.c_size_t) for name in (
            "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]

    mallinfo2 = ctypes.CDLL(None).mallinfo2
    mallinfo2.restype = MallInfo2
    if sys.argv[1] == "fixed":
        assert keep_large_buffers_mapped()
    moment = bytearray(8 << 20)
    del moment  # a large buffer that lived a moment: by default glibc now serves up to 8 MiB from its heap
    mapped = mallinfo2().hblks
    kept = bytearray(1 << 20)
    print(mallinfo2().hblks - mapped)
    """
)


def mappings_made(mode: str) -> int:
    result = subprocess.run([sys.executable, "-c", PROBE, mode], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return int(result.stdout)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator")
def test_after_a_large_buffer_is_freed_the_next_one_is_still_a_mapping_of_its_own() -> None:
    try:
        import ctypes

        ctypes.CDLL(None).mallinfo2  # noqa: B018 - glibc 2.33 and later
    except AttributeError:
        pytest.skip("no glibc mallinfo2 here")
    assert mappings_made("default") == 0  # the heap took it: what the probe tells apart
    assert mappings_made("fixed") == 1


def test_off_linux_nothing_is_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    from klen_desktop.heap import keep_large_buffers_mapped

    monkeypatch.setattr(sys, "platform", "darwin")
    assert keep_large_buffers_mapped() is False


# Many small blocks freed under one that stays (the heap's top cannot shrink past it), as a large read leaves them.
TRIM_PROBE = textwrap.dedent(
    """
    import sys
    from klen_desktop.heap import give_back_free_pages

    def resident_kib():
        return int(next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmRSS")))

    blocks = [bytearray(1000) for _ in range(30_000)]  # some 30 MiB of heap, under the mapping threshold
    kept = bytearray(1000)
    del blocks
    before = resident_kib()
    released = give_back_free_pages() if sys.argv[1] == "trim" else False
    print(released, before - resident_kib())
    """
)


def pages_given_back(mode: str) -> tuple[bool, int]:
    result = subprocess.run([sys.executable, "-c", TRIM_PROBE, mode], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    released, kib = result.stdout.split()
    return released == "True", int(kib)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator")
def test_freed_blocks_below_one_that_stays_are_given_back_only_when_asked() -> None:
    assert pages_given_back("keep")[1] < 1024  # glibc keeps them resident by itself
    released, kib = pages_given_back("trim")
    assert released and kib > 20 * 1024


def test_off_linux_no_pages_are_asked_back(monkeypatch: pytest.MonkeyPatch) -> None:
    from klen_desktop import heap

    heap._trim.cache_clear()
    monkeypatch.setattr(sys, "platform", "win32")
    try:
        assert heap.give_back_free_pages() is False
    finally:
        heap._trim.cache_clear()
