"""Which links the app may open or offer: the one rule, used by the tray, the agenda, notifications and the editor.

Links come from server data (an agent typed them, or anyone who can book on the calendar), so nothing in them is
trusted. A link is offered only when it is an absolute ``http``/``https`` URL with a valid host, and nothing in it
can surprise the browser or the user:
- no white space or control or format characters anywhere (some URL handlers split on spaces into arguments;
  bidirectional overrides and zero-width characters can make a link read as another one);
- no user name or password (``https://bank.example@evil.example/`` reads as the bank and goes to ``evil``);
- a host that is a DNS name which IDNA can encode, or an IP address (``http://[x`` is neither);
- a port, if any, between 1 and 65535;
- at most :data:`MAX_LINK_LENGTH` characters.

:func:`web_link` is total: it returns ``None`` for anything it does not accept, whatever the input, and never
raises. It is fuzzed in ``tests/unit/test_links.py``.
"""

from __future__ import annotations

import ipaddress
import unicodedata
from urllib.parse import SplitResult, urlsplit

MAX_LINK_LENGTH = 2048
WEB_SCHEMES = frozenset({"http", "https"})
# Cc: controls; Cf: format characters (bidi overrides, zero-width joiners); Zl/Zp/Zs: separators and spaces.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Zs"})


def web_link(url: object) -> str | None:
    """``url`` without surrounding white space when the browser may open it, else ``None``. Never raises."""
    if not isinstance(url, str):
        return None
    text = url.strip()
    if not text or len(text) > MAX_LINK_LENGTH or _has_refused_character(text):
        return None
    try:
        parts = urlsplit(text)
        acceptable = _acceptable(parts)
    except (ValueError, UnicodeError):
        return None
    return text if acceptable else None


def is_web_link(url: object) -> bool:
    """True when :func:`web_link` accepts ``url``."""
    return web_link(url) is not None


def _has_refused_character(text: str) -> bool:
    return any(unicodedata.category(ch) in _REFUSED_CATEGORIES for ch in text)


def _acceptable(parts: SplitResult) -> bool:
    """Raises ValueError or UnicodeError for parts urlsplit accepted but that are not a usable address."""
    if parts.scheme.lower() not in WEB_SCHEMES or not parts.netloc:
        return False
    if "@" in parts.netloc:
        return False
    host = parts.hostname
    if not host:
        return False
    port = parts.port  # ValueError for a port out of range or not a number
    if port == 0:
        return False
    return _valid_host(host, bracketed="[" in parts.netloc)


def _valid_host(host: str, *, bracketed: bool) -> bool:
    if bracketed:
        # urlsplit lowers and unwraps "[...]"; only an IPv6 address may stand there.
        return isinstance(ipaddress.ip_address(host.split("%", 1)[0]), ipaddress.IPv6Address)
    if any(ch in host for ch in "[]\\%"):
        return False
    labels = host.rstrip(".").split(".")
    if not all(labels):
        return False
    # The 'idna' codec refuses empty and over-long labels and names that cannot be encoded.
    encoded = host.rstrip(".").encode("idna")
    return 0 < len(encoded) <= 253 and all(ch.isalnum() or ch in "-._" for ch in encoded.decode("ascii"))
