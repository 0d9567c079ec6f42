"""API keys of the emulator: their specification, the demo set and the thread-safe registry.

All keys belong to one account and see one calendar. A key is checked in the documented order of sources
(``Authorization: Bearer``, then ``X-API-Key``, then ``?api_key``; decision 6.24): the first source present
is the one used, even when a later one would hold a valid key.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Literal
from urllib.parse import parse_qs

from klen_desktop.emulator import decisions
from klen_desktop.records import record

KeySource = Literal["authorization", "x-api-key", "query"]


@record
class ApiKeySpec:
    """One API key: its permissions, whether it is revoked, and its two limits."""

    key: str
    can_read: bool = True
    can_write: bool = True
    revoked: bool = False
    daily_limit: int = decisions.DEFAULT_DAILY_LIMIT
    rpm: int = decisions.DEFAULT_RPM

    def __post_init__(self) -> None:
        if not self.key or any(ch.isspace() for ch in self.key):
            raise ValueError(f"An API key must be a non-empty string without spaces, got {self.key!r}.")
        if self.daily_limit < 0 or self.rpm < 0:
            raise ValueError("Key limits must be zero or more.")

    @classmethod
    def parse(cls, text: str) -> ApiKeySpec:
        """Read the CLI form ``KEY[:PERM,PERM...]`` where PERM is ``read``, ``write`` or ``revoked``.

        ``klen_abc`` alone means read and write; ``klen_ro:read`` is read-only. Raises ``ValueError`` naming
        the bad part.
        """
        key, sep, perms_text = text.strip().partition(":")
        if not sep:
            return cls(key=key)
        perms = {part.strip().lower() for part in perms_text.split(",") if part.strip()}
        unknown = perms - {"read", "write", "revoked"}
        if unknown:
            raise ValueError(f"Unknown permission(s) {sorted(unknown)} in {text!r}; use read, write or revoked.")
        return cls(key=key, can_read="read" in perms, can_write="write" in perms, revoked="revoked" in perms)

    def describe(self) -> str:
        """Short human form for the CLI banner, e.g. ``read+write``."""
        if self.revoked:
            return "revoked"
        perms = [name for name, on in (("read", self.can_read), ("write", self.can_write)) if on]
        return "+".join(perms) or "no permissions"


DEMO_KEYS: tuple[ApiKeySpec, ...] = (
    ApiKeySpec("klen_demo_readwrite"),
    ApiKeySpec("klen_demo_readonly", can_write=False),
    ApiKeySpec("klen_demo_revoked", revoked=True),
)


def extract_key(headers: Mapping[str, str], query_string: str) -> tuple[str | None, KeySource | None]:
    """The key the client presented and where it came from; ``(None, None)`` when it sent none.

    ``headers`` must have lower-case names. An ``Authorization`` header that is not a Bearer token counts as
    presenting an (invalid) key, so the client is told ``invalid_key`` rather than silently ignored.
    """
    auth = headers.get("authorization", "").strip()
    if auth:
        scheme, _, token = auth.partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return token.strip(), "authorization"
        return auth, "authorization"
    header_key = headers.get("x-api-key", "").strip()
    if header_key:
        return header_key, "x-api-key"
    values = parse_qs(query_string, keep_blank_values=False).get("api_key")
    if values and values[0].strip():
        return values[0].strip(), "query"
    return None, None


class KeyRegistry:
    """The keys the server accepts. Thread-safe: the admin (test thread) and handlers (server thread) share it."""

    def __init__(self, specs: Iterable[ApiKeySpec]) -> None:
        self._lock = threading.Lock()
        self._initial = tuple(specs)
        self._keys: dict[str, ApiKeySpec] = {spec.key: spec for spec in self._initial}

    def get(self, key: str) -> ApiKeySpec | None:
        with self._lock:
            return self._keys.get(key)

    def all(self) -> list[ApiKeySpec]:
        with self._lock:
            return list(self._keys.values())

    def put(self, spec: ApiKeySpec) -> None:
        with self._lock:
            self._keys[spec.key] = spec

    def change(self, key: str, **changes: object) -> ApiKeySpec:
        """Replace fields of an existing key; ``KeyError`` when the key is unknown."""
        with self._lock:
            current = self._keys.get(key)
            if current is None:
                raise KeyError(f"Unknown emulator key {key!r}; add it first with add_key().")
            updated = replace(current, **changes)  # type: ignore[arg-type]
            self._keys[key] = updated
            return updated

    def restore(self, specs: Sequence[ApiKeySpec] | None = None) -> None:
        """Go back to the keys given at construction (or to ``specs``)."""
        with self._lock:
            self._keys = {spec.key: spec for spec in (self._initial if specs is None else specs)}
