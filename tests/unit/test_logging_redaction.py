"""Whatever logger a line comes from, an API key or an Authorization header never reaches the log output."""

from __future__ import annotations

import io
import logging

from klen_desktop.logging_setup import RedactingFilter, redact


def test_redact_masks_keys_headers_and_query_parameters() -> None:
    line = "GET /x?api_key=abc123&page=2 Authorization: Bearer klen_secret_42 other klen_abcDEF-9"
    cleaned = redact(line)
    assert "klen_secret_42" not in cleaned
    assert "klen_abcDEF-9" not in cleaned
    assert "abc123" not in cleaned
    assert "page=2" in cleaned


def test_filter_rewrites_formatted_records() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("klen.test.redaction")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        logger.info("sending with %s to %s", "klen_topsecret", "/api/v1/calendar/events")
    finally:
        logger.removeHandler(handler)
    output = stream.getvalue()
    assert "klen_topsecret" not in output
    assert "klen_***" in output
    assert "/api/v1/calendar/events" in output


def test_configured_logging_keeps_qasync_future_results_out_even_at_debug() -> None:
    from klen_desktop.logging_setup import configure_logging

    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        configure_logging("DEBUG")
        assert not logging.getLogger("qasync").isEnabledFor(logging.DEBUG)
        assert not logging.getLogger("httpx").isEnabledFor(logging.INFO)
        assert logging.getLogger("klen_desktop").isEnabledFor(logging.DEBUG)
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
        for name in ("qasync", "httpx", "httpcore"):
            logging.getLogger(name).setLevel(logging.NOTSET)
