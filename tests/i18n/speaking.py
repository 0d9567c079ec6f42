"""Switch the app's language for a block of a test, and back to English after it."""

from __future__ import annotations

import locale
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from klen_desktop import date_texts, i18n


@contextmanager
def speaking(language: str, time_locale: str | None = None) -> Iterator[None]:
    """The app's messages in ``language`` inside the block (and, with ``time_locale``, the process's ``LC_TIME``,
    such as ``de_DE.UTF-8``: the date shapes); English and the locale as it was after it."""
    before = locale.setlocale(locale.LC_TIME)
    if time_locale is not None:
        try:
            locale.setlocale(locale.LC_TIME, time_locale)
        except locale.Error:
            pytest.skip(f"needs the {time_locale} locale (tests/session/system-deps.sh test generates it as root)")
    i18n.install(language)
    date_texts.forget_style()
    try:
        yield
    finally:
        locale.setlocale(locale.LC_TIME, before)
        i18n.install(i18n.SOURCE_LANGUAGE)
        date_texts.forget_style()
