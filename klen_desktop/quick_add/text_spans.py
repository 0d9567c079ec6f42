"""The typed sentence as the parser consumes it: each recognised phrase is masked out, so a later pattern cannot
match inside it (the ``12-10`` of ``2026-12-10`` is not read as a time range), and what is left is the title."""

from __future__ import annotations

import re
from collections.abc import Iterator

_BLANK = "\x00"


class Sentence:
    """The text and what is still unread of it."""

    def __init__(self, text: str) -> None:
        self.text = " ".join(text.split())
        self._free = list(self.text)

    @property
    def unread(self) -> str:
        """The text with every consumed phrase blanked (same length and positions as :attr:`text`)."""
        return "".join(self._free)

    def take(self, pattern: re.Pattern[str]) -> Iterator[re.Match[str]]:
        """Each match of ``pattern`` in the unread text, consumed as it is yielded (positions are the text's)."""
        for match in list(pattern.finditer(self.unread)):
            if _BLANK in match.group(0):
                continue
            self.consume(match.start(), match.end())
            yield match

    def consume(self, start: int, end: int) -> None:
        for i in range(start, end):
            self._free[i] = _BLANK

    def rest(self) -> str:
        """What no pattern took, spaces tidied: the words that make the title."""
        return " ".join(self.unread.replace(_BLANK, " ").split())

    def pieces(self) -> list[str]:
        """The unread runs of text between consumed phrases (a name ends where a time or date begins)."""
        return [piece for piece in self.unread.split(_BLANK) if piece.strip()]
