"""Find out what an API key may do (read the calendar, change it) without changing anything.

Reading is tested with the cheapest real read: ``list_events(limit=1)``.

Writing is probed, because the API has no endpoint that lists a key's permissions: we send a PATCH to an event
that cannot exist, the nil UUID ``00000000-0000-0000-0000-000000000000`` (no server hands out the nil UUID,
and a UUID rather than a numeric id so a real server's id parser accepts the path). The server checks the
key's permission before it looks the event up (401, then 403, then 404: the order the emulator documents in
decision 22 and the one the docs' error list implies), so:

* 403 ``permission_denied`` -> the key may not write;
* 404 ``not_found`` -> the key passed the permission check, so it may write; nothing was changed, since
  there was no event to change;
* 400 (the server looked at the body before the event) also means the permission check was passed;
* 401 -> the key itself is not accepted.

Nothing here raises for a bad key or an unreachable server: the answer is a :class:`KeyCheck` whose
``message`` is fit to show as it is. The key is never logged and never put in a message.
"""

from __future__ import annotations

import asyncio
import logging

from klen_desktop.api.client import KlenClient
from klen_desktop.api.error_mapping import after_wait
from klen_desktop.api.errors import (
    ConnectionFailed,
    EventNotFound,
    InsecureConnection,
    InvalidRequest,
    KeyRejected,
    KlenError,
    PermissionMissing,
    RateLimited,
)
from klen_desktop.api.models import EventPatch
from klen_desktop.api.retry import RetryPolicy
from klen_desktop.i18n import _
from klen_desktop.records import record

log = logging.getLogger(__name__)

WRITE_PROBE_EVENT = "00000000-0000-0000-0000-000000000000"
"""The event the write probe addresses: the nil UUID, which no event ever has."""

CHECK_TIMEOUT_S = 20.0
# One quick retry for a dropped connection, never a long wait: the user is looking at the dialog.
_CHECK_RETRY = RetryPolicy(max_attempts=2, total_budget=10.0, base_delay=0.2, max_delay=1.0, retry_after_cap=5.0)


@record(slots=True)
class KeyCheck:
    """What a key may do. ``ok``: the server accepted the key and it can read the calendar (what the app needs).

    ``can_write``: it may create, change and cancel events. ``message``: one or two sentences for the user.
    """

    ok: bool
    can_read: bool
    can_write: bool
    message: str
    answered: bool = True  # False when no verdict on the permissions came back (key refused, no answer)


def _failure(exc: KlenError) -> KeyCheck:
    if isinstance(exc, KeyRejected):
        message = _(
            "Klen did not accept this key: it is unknown, inactive or revoked. Copy it again from "
            "Klen (Settings > API keys) and paste it here."
        )
    elif isinstance(exc, RateLimited):
        if exc.retry_after is not None:
            when = after_wait(exc.retry_after + 1)
            message = _("Klen is limiting requests for this key right now. Try the test again at {time}.").format(
                time=when
            )
        else:
            message = _("Klen is limiting requests for this key right now. Try the test again in a minute.")
    elif isinstance(exc, InsecureConnection | ConnectionFailed):
        message = exc.message + " " + _("The key was not tested.")
    else:
        message = _("The key could not be tested: {error}").format(error=exc.message)
    return KeyCheck(ok=False, can_read=False, can_write=False, message=message, answered=False)


async def _can_read(client: KlenClient) -> bool:
    try:
        await client.list_events(limit=1)
    except PermissionMissing:
        return False
    return True


async def _can_write(client: KlenClient) -> bool:
    try:
        await client.update_event(WRITE_PROBE_EVENT, EventPatch(title="Klen Desktop permission check"))
    except PermissionMissing:
        return False
    except (EventNotFound, InvalidRequest):
        return True
    # A success would mean the nil UUID exists; the title it now has names us, and writing evidently works.
    log.warning("the write-permission probe changed an event with the nil UUID")
    return True


def _summary(can_read: bool, can_write: bool) -> KeyCheck:
    if can_read and can_write:
        message = _("The key works: Klen Desktop can read your calendar and create, change and cancel events.")
    elif can_read:
        message = _(
            "The key works read-only: Klen Desktop can show your calendar, but not change it. To change events "
            "from here, give the key the 'can_write_calendar' permission in Klen."
        )
    elif can_write:
        message = _(
            "This key may change events but not read the calendar, so Klen Desktop cannot show anything. Give it "
            "the 'can_read_calendar' permission in Klen."
        )
    else:
        message = _("This key may neither read nor change the calendar. Give it the calendar permissions in Klen.")
    return KeyCheck(ok=can_read, can_read=can_read, can_write=can_write, message=message)


async def check_key(base_url: str, api_key: str, *, timeout: float = CHECK_TIMEOUT_S) -> KeyCheck:
    """Ask the server at ``base_url`` what ``api_key`` may do: two requests, nothing changed, bounded by ``timeout``."""
    try:
        client = KlenClient(base_url, api_key.strip(), retry=_CHECK_RETRY)
    except ValueError as exc:
        # Either the key has characters a key never has, or the address is not a usable URL; both messages are ours.
        return KeyCheck(
            ok=False, can_read=False, can_write=False, message=f"{exc} " + _("Nothing was sent."), answered=False
        )
    except InsecureConnection as exc:
        return _failure(exc)
    try:
        async with client:
            can_read = await asyncio.wait_for(_can_read(client), timeout)
            can_write = await asyncio.wait_for(_can_write(client), timeout)
    except KlenError as exc:
        log.info("API key check failed: %s", type(exc).__name__)
        return _failure(exc)
    except TimeoutError:
        return KeyCheck(
            ok=False,
            can_read=False,
            can_write=False,
            message=_("Klen did not answer within {seconds} s. Check your connection and try again.").format(
                seconds=f"{timeout:.0f}"
            ),
            answered=False,
        )
    log.info("API key check: read=%s write=%s", can_read, can_write)
    return _summary(can_read, can_write)
