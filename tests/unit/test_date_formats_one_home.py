"""No screen or notification makes its own date format: they all come from :mod:`klen_desktop.date_texts`.

A complement to tests/ui/test_date_shapes.py (which checks the texts themselves under two locale styles): this
catches a new hand-made format (an f-string ``{start:%H:%M}``, ``strftime``, a Qt display format written out)
in the modules whose texts a person reads. Machine formats (API, cache, logs, calendar files) live elsewhere.
"""

from __future__ import annotations

import re
from pathlib import Path

import klen_desktop

ROOT = Path(klen_desktop.__file__).resolve().parent
USER_FACING = ("ui", "notify", "session", "reminders")
HAND_MADE = re.compile(r"\{[^{}]*:%[aAbBdHIMmpYy][^{}]*\}|strftime\(|setDisplayFormat\(\s*[\"']")


def test_user_facing_modules_make_no_date_format_of_their_own() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for folder in USER_FACING
        for path in sorted((ROOT / folder).rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if HAND_MADE.search(line)
    ]
    assert found == [], "use klen_desktop.date_texts:\n" + "\n".join(found)


def test_the_pattern_finds_what_it_is_for() -> None:
    for made in ('f"{start:%H:%M}"', "day.strftime('%a')", 'edit.setDisplayFormat("ddd d MMM")', 'f"{d:%a %d %b}"'):
        assert HAND_MADE.search(made), made
    for fine in ('f"{clock(start)}"', "edit.setDisplayFormat(qt_date_format())", 'f"{count:,}"'):
        assert not HAND_MADE.search(fine), fine
