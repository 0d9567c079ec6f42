"""Runs of the key helper process (klen_desktop/key_helper.py), seen from the app: starting one, writing its
request, collecting its answer, killing it at the timeout; and the reads a launch starts early.

Light on purpose (no asyncio): a launch starts the first key's read from here before the app's modules are
imported; :class:`klen_desktop.secrets.KeyStore` is the app's interface to the keyring on top of it.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from klen_desktop import key_helper

log = logging.getLogger(__name__)

SERVICE_NAME = "klen-desktop"  # the keyring entries' service
ACCOUNT_NAME = "klen-api-key"  # the entry of the first account (and of an install from before accounts)
MAX_ANSWER_BYTES = 64 * 1024


def helper_command() -> list[str]:
    """How to start the key helper: the frozen app's own executable, or this interpreter on this package."""
    if getattr(sys, "frozen", False):
        return [sys.executable, key_helper.HELPER_FLAG]
    return [sys.executable, "-m", "klen_desktop", key_helper.HELPER_FLAG]


# ``-m`` looks in the working directory first: run it where this very package is found.
_PACKAGE_HOME = str(Path(__file__).resolve().parent.parent)


class HelperRun:
    """One helper process: started (and its request written) at once, its answer collected later."""

    def __init__(self, request: dict[str, Any]) -> None:
        # No console window flashing up on Windows for a helper that draws nothing.
        flags = getattr(subprocess, "CREATE_NO_WINDOW", 0) if sys.platform == "win32" else 0
        # The request (a few hundred bytes, far below a pipe's buffer) is in the pipe before the helper starts,
        # and the pipe closed behind it, so the helper works on while nobody waits on it yet.
        requests, to_requests = os.pipe()
        try:
            with open(to_requests, "wb") as pipe:
                pipe.write(json.dumps(request).encode())
            self._process = subprocess.Popen(
                helper_command(),
                stdin=requests,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                cwd=None if getattr(sys, "frozen", False) else _PACKAGE_HOME,
                creationflags=flags,
            )
        finally:
            os.close(requests)

    def answer(self, timeout: float) -> dict[str, Any]:
        """The decoded answer. Raises subprocess.TimeoutExpired (the helper killed) or ValueError (it answered
        nothing readable)."""
        try:
            out, err = self._process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            raise
        try:
            answer = json.loads(out[:MAX_ANSWER_BYTES]) if out else None
        except ValueError:
            answer = None
        if not isinstance(answer, dict) or not ("ok" in answer or "error" in answer):
            last = err.decode(errors="replace").strip().splitlines()[-1:] or [""]
            raise ValueError(f"the key helper exited with {self._process.returncode} and no answer: {last[0][:200]}")
        return answer

    def stop(self) -> None:
        self._process.kill()
        self._process.communicate()


def run_helper(request: dict[str, Any], timeout: float) -> dict[str, Any]:
    """Run the helper on ``request`` and wait for its answer (see :meth:`HelperRun.answer`; OSError: it could
    not start)."""
    return HelperRun(request).answer(timeout)


# Reads started before the app's modules were imported, by entry (service, account).
_early_reads: dict[tuple[str, str], HelperRun] = {}


def start_early_read(service: str, account: str) -> None:
    """Start reading the key of one entry now, for the next read of that entry to collect: a launch calls this
    before importing the app's modules, so that the keyring is read beside them rather than after."""
    if (service, account) in _early_reads:
        return
    try:
        _early_reads[service, account] = HelperRun({"op": "get", "service": service, "account": account})
    except OSError as exc:
        log.warning("keyring: the early read could not start (%s); the key is read when needed", exc)


def take_early_read(service: str, account: str) -> HelperRun | None:
    """The early read of that entry, if one was started and not yet taken (it is then the caller's)."""
    return _early_reads.pop((service, account), None)


def drop_early_reads() -> None:
    """End the early reads no one collected (the app chose another entry, or quit first)."""
    while _early_reads:
        _, run = _early_reads.popitem()
        run.stop()
