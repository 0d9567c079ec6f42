"""The key in use is masked in logs and crash reports whatever it looks like: not only keys that start with
``klen_``, and not only as typed (URL-encoded, escaped in a repr or JSON too)."""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Iterator
from urllib.parse import quote

import pytest

from klen_desktop.api.client import KlenClient
from klen_desktop.logging_setup import RedactingFilter, log_unhandled, redact, register_secret

pytestmark = pytest.mark.timeout(20)

# Nothing in it looks like a key to a pattern: no klen_ prefix, no Bearer in front.
ODD_KEY = 'Zq9vX2-odd/Key+42"x'


@pytest.fixture
def crash_log() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("klen_desktop.crash")
    logger.addHandler(handler)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)


@pytest.mark.asyncio
async def test_the_key_a_client_uses_never_reaches_a_crash_report(crash_log: io.StringIO) -> None:
    async with KlenClient("http://127.0.0.1:9", "Qm7_no-prefix-key-55"):
        pass  # the client alone registers the key it sends
    try:
        raise RuntimeError("a slot failed holding Qm7_no-prefix-key-55")
    except RuntimeError:
        log_unhandled(*sys.exc_info())  # type: ignore[arg-type]
    output = crash_log.getvalue()
    assert "unhandled exception" in output and "RuntimeError" in output
    assert "Qm7_no-prefix-key-55" not in output
    assert "a slot failed holding ***" in output


def test_every_form_of_a_registered_key_is_masked(crash_log: io.StringIO) -> None:
    register_secret(ODD_KEY)
    forms = [ODD_KEY, quote(ODD_KEY, safe=""), json.dumps(ODD_KEY)[1:-1], repr(ODD_KEY)[1:-1]]
    try:
        raise ValueError(f"state={ {'key': ODD_KEY} } url=/x?k={quote(ODD_KEY, safe='')} body={json.dumps(ODD_KEY)}")
    except ValueError:
        log_unhandled(*sys.exc_info())  # type: ignore[arg-type]
    output = crash_log.getvalue()
    for form in forms:
        assert form not in output
    assert output.count("***") >= 3


def test_a_klen_key_keeps_its_familiar_mask_and_short_strings_are_not_registered() -> None:
    register_secret("klen_live_registered_0001")
    assert redact("key klen_live_registered_0001 rejected") == "key klen_*** rejected"
    register_secret("abc")  # too short to blank everywhere: ordinary words would vanish from the log
    assert redact("abc def") == "abc def"
