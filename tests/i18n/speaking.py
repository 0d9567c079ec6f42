"""Switch the app's language for a block of a test, and back to English after it."""

from __future__ import annotations

import locale
from collections.abc import Iterator
from contextlib import contextmanager

from klen_desktop import date_texts, i18n


@contextmanager
def speaking(language: str, time_locale: str | None = None) -> Iterator[None]:
    """The app's messages in ``language`` inside the block (and, with ``time_locale``, the process's ``LC_TIME``,
    such as ``de_DE.UTF-8``: the date shapes); English and the locale as it was after it."""
    before = locale.setlocale(locale.LC_TIME)
    i18n.install(language)
    if time_locale is not None:
        locale.setlocale(locale.LC_TIME, time_locale)
    date_texts.forget_style()
    try:
        yield
    finally:
        locale.setlocale(locale.LC_TIME, before)
        i18n.install(i18n.SOURCE_LANGUAGE)
        date_texts.forget_style()
