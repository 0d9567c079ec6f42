"""The client's edge with the network: which URLs may carry the key, and what a failed exchange means.

Only ``https`` URLs may carry the API key, except to this machine (the emulator on loopback), where plain
``http`` cannot be overheard. Links the server hands back (the ICS link) are followed only when they stay on
the configured origin, so the key never travels to another host. Transport failures from httpx become
:class:`ConnectionFailed` or :class:`TimedOut`, with ``reached_server`` False only when the request certainly
never left: connection refused or a host name that does not resolve.
"""

from __future__ import annotations

import errno
import ipaddress
import socket
import ssl

import httpx

from klen_desktop.api.constants import API_PREFIX, LOOPBACK_NAMES
from klen_desktop.api.errors import ConnectionFailed, InsecureConnection, KlenError, MalformedResponse, TimedOut
from klen_desktop.i18n import _

_NOT_SENT_ERRNOS = frozenset({errno.ECONNREFUSED})
_NOT_SENT_WORDS = (
    "connection refused",
    "name or service not known",
    "nodename nor servname",
    "temporary failure in name resolution",
    "no address associated with hostname",
    "getaddrinfo failed",
)


def is_loopback_host(host: str) -> bool:
    """True for ``localhost``, 127.0.0.0/8 and ``::1``: hosts where plain http never leaves the machine."""
    name = host.strip("[]").lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def normalize_base_url(base_url: str) -> httpx.URL:
    """The origin (plus any path prefix) requests are sent under, checked for safety.

    Accepts ``https://api.klen.ai``, with or without a trailing slash or the ``/api/v1`` root the docs
    print. Raises :class:`InsecureConnection` for plain http to a host that is not loopback, and
    ValueError for anything that is not an absolute http(s) URL without credentials, query or fragment.
    """
    try:
        url = httpx.URL(base_url.strip())
    except httpx.InvalidURL as exc:
        raise ValueError(_("Not a valid Klen server address: {error}").format(error=exc)) from None
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError(_("The Klen server address must be an absolute http(s) URL, like https://api.klen.ai"))
    if url.userinfo or url.query or url.fragment:
        raise ValueError(_("The Klen server address must not contain credentials, a query or a fragment"))
    if url.scheme == "http" and not is_loopback_host(url.host):
        raise InsecureConnection(
            _(
                "Refusing to send the API key in clear text to {host}: use an https:// address "
                "(plain http is only allowed to this computer)."
            ).format(host=url.host)
        )
    path = url.path.rstrip("/")
    if path.endswith(API_PREFIX):
        path = path[: -len(API_PREFIX)]
    return url.copy_with(path=path or "/")


def _unverified_transports(http: httpx.AsyncClient) -> bool:
    """True if any of ``http``'s network transports skips certificate or host-name checks (``verify=False``).

    Reads httpx's private attributes (checked against httpx 0.28) and the app's own transport's context; a
    transport of another kind (a test's MockTransport) has no TLS and counts as verified.
    """
    transports = [getattr(http, "_transport", None), *getattr(http, "_mounts", {}).values()]
    for transport in transports:
        # The app's own transport names its context; httpx's default keeps it on its httpcore pool.
        context = getattr(transport, "ssl_context", None) or getattr(
            getattr(transport, "_pool", None), "_ssl_context", None
        )
        if isinstance(context, ssl.SSLContext) and (context.verify_mode == ssl.CERT_NONE or not context.check_hostname):
            return True
    return False


def check_injected_http(base: httpx.URL, http: httpx.AsyncClient) -> None:
    """Refuse an injected client that does not verify TLS, unless the server is this machine.

    Raises :class:`InsecureConnection`: with ``verify=False`` anyone on the path could read the API key.
    """
    if not is_loopback_host(base.host) and _unverified_transports(http):
        raise InsecureConnection(
            _("Refusing to send the API key to {host} over a connection whose certificate is not verified.").format(
                host=base.host
            )
        )


def origin_path(base: httpx.URL, path: str) -> httpx.URL:
    """``base`` with ``path`` (which starts with ``/``) appended under its path prefix."""
    prefix = base.path.rstrip("/")
    return base.copy_with(path=prefix + path)


def resolve_on_origin(base: httpx.URL, link: str) -> httpx.URL:
    """Resolve a server-given link (usually relative) against ``base``; refuse it if it leaves our origin.

    Raises :class:`MalformedResponse` (field ``ics_url``) for a link to another scheme, host or port, or
    outside the base URL's path prefix: following it would hand the key to someone else.
    """
    text = link.strip()
    if not text:
        raise MalformedResponse(_("The server gave an empty link."), field="ics_url")
    try:
        # A root-relative link is relative to our root (base path prefix included), not the bare host.
        relative = text.startswith("/") and not text.startswith("//")
        target = base.join(base.path.rstrip("/") + text) if relative else base.join(text)
    except httpx.InvalidURL:
        raise MalformedResponse(_("The server gave a link that is not a valid URL."), field="ics_url") from None
    same_origin = (target.scheme, target.host, target.port) == (base.scheme, base.host, base.port)
    prefix = base.path.rstrip("/")
    if not same_origin or not (target.path.startswith(prefix + "/") or not prefix):
        raise MalformedResponse(
            _("The server gave a link outside {host}; it was not followed so the API key stays with Klen.").format(
                host=base.host
            ),
            field="ics_url",
        )
    return target


def _causes(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _never_sent(exc: httpx.ConnectError) -> bool:
    for cause in _causes(exc):
        if isinstance(cause, socket.gaierror):
            return True
        if isinstance(cause, OSError) and cause.errno in _NOT_SENT_ERRNOS:
            return True
    text = str(exc).lower()
    return any(words in text for words in _NOT_SENT_WORDS)


def _tls_failure(exc: httpx.ConnectError) -> bool:
    return any(isinstance(cause, ssl.SSLError) for cause in _causes(exc))


def error_for_transport(exc: httpx.HTTPError, *, method: str, path: str, host: str) -> KlenError:
    """The typed error for an exchange that got no usable HTTP answer. ``path`` must not hold the query."""
    what = f"{method} {path}"
    if isinstance(exc, httpx.TimeoutException):
        return TimedOut(
            _(
                "Klen at {host} did not answer {what} in time. The server may still have acted on it; "
                "check your connection and try again."
            ).format(host=host, what=what)
        )
    if isinstance(exc, httpx.ConnectError):
        if _tls_failure(exc):
            # Nothing was sent, but ``reached_server`` stays True: only refused connections and unresolved
            # names count as "never sent", so a create is not hammered against a host that will never verify.
            return ConnectionFailed(
                _(
                    "The secure connection to {host} could not be verified ({error}). "
                    "Check the server address and your system's certificates."
                ).format(host=host, error=type(exc).__name__)
            )
        if _never_sent(exc):
            return ConnectionFailed(
                _(
                    "Cannot connect to Klen at {host}: the server refused the connection or the name does not "
                    "resolve. Check your internet connection and the server address."
                ).format(host=host),
                reached_server=False,
            )
        return ConnectionFailed(
            _("Cannot connect to Klen at {host} for {what}. Check your internet connection.").format(
                host=host, what=what
            )
        )
    if isinstance(exc, httpx.DecodingError):
        return MalformedResponse(f"Klen's answer to {what} could not be decoded.")
    return ConnectionFailed(
        _(
            "The connection to Klen at {host} broke during {what} ({error}). The server may have "
            "acted on the request; check your connection and try again."
        ).format(host=host, what=what, error=type(exc).__name__)
    )
