"""Plain text made safe inside HTML-like markup: Qt rich text, notification bodies, Pango (panels). No Qt.

The same five replacements as :func:`html.escape`, without importing :mod:`html`: that module builds its tables
for unescaping (over 2,000 named references, about 0.5 MiB resident) on import, and this app only ever escapes.
"""

from __future__ import annotations


def escape(text: str, *, quote: bool = True) -> str:
    """``text`` with ``&``, ``<`` and ``>`` (and ``"`` and ``'`` when ``quote``) written as character references."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if quote:
        text = text.replace('"', "&quot;").replace("'", "&#x27;")
    return text
