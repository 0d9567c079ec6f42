"""The kernel's word that the wall clock jumped or the machine woke up (Linux), so nothing has to poll for it.

A ``CLOCK_REALTIME`` timerfd armed with ``TFD_TIMER_CANCEL_ON_SET`` becomes readable, its read failing with
``ECANCELED``, whenever the wall clock is set (NTP stepping it, the user, a new time from the network), and Linux
treats a resume from suspend the same way (``timekeeping_resume`` calls ``timerfd_resume``). One such timer,
watched by the event loop, replaces a check every minute: an idle app then wakes for nothing at all.

Python gains ``os.timerfd_create`` only in 3.13, so the two calls go through ``ctypes`` to the C library. Where
they are missing (macOS, Windows, an old kernel, a sandbox that forbids them) :meth:`ClockJumpSignal.open`
returns None and the wake watch keeps its one-minute check.
"""

from __future__ import annotations

import ctypes
import errno
import logging
import os
import sys
import time

log = logging.getLogger(__name__)

_CLOCK_REALTIME = 0
_TFD_NONBLOCK = os.O_NONBLOCK
_TFD_CLOEXEC = os.O_CLOEXEC
_TFD_TIMER_ABSTIME = 1 << 0
_TFD_TIMER_CANCEL_ON_SET = 1 << 1
# The timer itself is armed far ahead: it exists to be cancelled by a jump, not to expire. Should it expire
# anyway (a clock set past it), reading it just re-arms it.
_ARM_AHEAD = 10 * 365 * 24 * 3600


class _Timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]


class _Itimerspec(ctypes.Structure):
    _fields_ = [("it_interval", _Timespec), ("it_value", _Timespec)]


class ClockJumpSignal:
    """A file descriptor that becomes readable when the wall clock jumped or the machine resumed.

    Watch :meth:`fileno` for reading; when it is readable call :meth:`consume` (True: a jump, and the signal is
    armed again). Close it when done.
    """

    def __init__(self, fd: int, libc: ctypes.CDLL) -> None:
        self._fd = fd
        self._libc = libc

    @classmethod
    def open(cls) -> ClockJumpSignal | None:
        """The signal, or None where the platform cannot give it."""
        if not sys.platform.startswith("linux"):
            return None
        try:
            # The process's own symbols, libc's among them: ``ctypes.util.find_library`` would run ``ldconfig -p``
            # in a child process at every start to name the same library.
            libc = ctypes.CDLL(None, use_errno=True)
            create = libc.timerfd_create
        except (OSError, AttributeError):
            return None
        create.argtypes = [ctypes.c_int, ctypes.c_int]
        create.restype = ctypes.c_int
        libc.timerfd_settime.argtypes = [
            ctypes.c_int,
            ctypes.c_int,
            ctypes.POINTER(_Itimerspec),
            ctypes.POINTER(_Itimerspec),
        ]
        libc.timerfd_settime.restype = ctypes.c_int
        fd = create(_CLOCK_REALTIME, _TFD_NONBLOCK | _TFD_CLOEXEC)
        if fd < 0:
            log.info(
                "no clock-jump signal here (%s): the wake watch checks every minute", os.strerror(ctypes.get_errno())
            )
            return None
        signal = cls(fd, libc)
        if not signal._arm():
            os.close(fd)
            return None
        return signal

    def fileno(self) -> int:
        return self._fd

    def consume(self) -> bool:
        """Read the signal: True when the clock jumped (or the machine woke) since it was armed; it is re-armed."""
        try:
            os.read(self._fd, 8)
        except BlockingIOError:
            return False
        except OSError as exc:
            if exc.errno != errno.ECANCELED:
                raise
            self._arm()
            return True
        self._arm()  # expired: the clock was set past the far-ahead time, which is a jump too
        return True

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def _arm(self) -> bool:
        ahead = _Itimerspec(_Timespec(0, 0), _Timespec(int(time.time()) + _ARM_AHEAD, 0))
        flags = _TFD_TIMER_ABSTIME | _TFD_TIMER_CANCEL_ON_SET
        if self._libc.timerfd_settime(self._fd, flags, ctypes.byref(ahead), None) != 0:
            log.info("cannot arm the clock-jump signal (%s)", os.strerror(ctypes.get_errno()))
            return False
        return True
