"""The running app's side of the commands: each request from the socket runs on the app's own calendar session,
so the cache keeps one writer and the windows, tray and reminders see the change at once."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

from klen_desktop.command_line.commands import Calendar, run
from klen_desktop.command_line.exit_codes import Exit
from klen_desktop.command_line.protocol import APP_ACTIONS, Answer, Request
from klen_desktop.i18n import N_, _
from klen_desktop.session.calendar import CalendarSession
from klen_desktop.session.outcomes import Queued

ACTION_DONE = {"quick-add": N_("Quick add is open."), "join-next-call": N_("Asked Klen Desktop to join the next call.")}
# A command that arrives while the app is still starting waits this long for its calendar.
START_WAIT = 5.0
# How long `sync` waits for the poll it asked for before answering that it is under way.
SYNC_WAIT = 15.0
# How long a write waits to hear from the server before it is reported as queued (the client waits 20 s).
SEND_WAIT = 12.0


class AppCommands:
    """``session()`` gives the app's current session (None while it starts); ``on_queued`` is the app's note of
    a write queued from here; ``default_reminder()`` the user's default reminder minutes; ``run_action`` runs
    one of the app's own actions (quick add, join the next call) as its global shortcut does; ``account_session``
    finds the session of an account by its id in the app's session (None: not open); ``account_opening`` says
    whether that account is still being opened (its key read), which a command waits for."""

    def __init__(
        self,
        session: Callable[[], CalendarSession | None],
        *,
        on_queued: Callable[[Queued], None],
        default_reminder: Callable[[], int],
        run_action: Callable[[str], object] | None = None,
        account_session: Callable[[str], CalendarSession | None] | None = None,
        account_opening: Callable[[str], bool] = lambda _account_id: False,
    ) -> None:
        self._session = session
        self._run_action = run_action
        self._account_session = account_session
        self._account_opening = account_opening
        self._on_queued = on_queued
        self._default_reminder = default_reminder

    async def _ready(self) -> CalendarSession | None:
        return await _waited(self._session, lambda: True)

    async def _account_ready(
        self, find: Callable[[str], CalendarSession | None], account_id: str
    ) -> CalendarSession | None:
        """The account's session, waiting while the app is still opening it: a status bar started with the app
        must not be told an account is not open because its key was being read."""
        return await _waited(lambda: find(account_id), lambda: self._account_opening(account_id))

    async def answer(self, request: Request) -> Answer:
        """Answer ``request`` on the app's calendar, or on the account ``args["account"]`` names."""
        if request.command in APP_ACTIONS:
            if self._run_action is None:
                return Answer(Exit.ERROR, error=_("Klen Desktop is still starting; try again in a moment."))
            self._run_action(request.command)
            return Answer(Exit.OK, data={"done": _(ACTION_DONE[request.command])})
        session = await self._ready()
        if session is None:
            return Answer(Exit.ERROR, error=_("Klen Desktop is still starting; try again in a moment."))
        wanted = request.args.get("account")
        if isinstance(wanted, str) and self._account_session is not None:
            found = await self._account_ready(self._account_session, wanted)
            if found is None:
                error = _("The account {id} is not open in Klen Desktop: see Settings.").format(id=wanted)
                return Answer(Exit.ERROR, error=error)
            session = found
        core = session.core
        calendar = Calendar(
            events_between=core.events_between,
            event=session.event,
            now=lambda: datetime.now(UTC),
            demo=session.demo,
            source="app",
            synced_at=session.status.last_success,
            session=session,
            settle=lambda seq: session.wait_for_send(seq, SEND_WAIT),
            send_queued=core.sender.retry_now,
            sync=lambda: _sync(session),
            on_queued=self._on_queued,
            default_reminder=self._default_reminder(),
        )
        return await run(request, calendar)


async def _waited(
    find: Callable[[], CalendarSession | None], still_coming: Callable[[], bool]
) -> CalendarSession | None:
    """``find()``'s running session, asked every 0.1 s while ``still_coming()``, for at most :data:`START_WAIT`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + START_WAIT
    while ((session := find()) is None or session.stopped) and still_coming():
        if loop.time() >= deadline:
            return None
        await asyncio.sleep(0.1)
    return None if session is None or session.stopped else session


async def _sync(session: CalendarSession) -> bool:
    """Ask the app's poller to sync now (it owns the request budget); True once a sync ended in time."""
    before = session.status.last_success
    await session.sync_now()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + SYNC_WAIT
    while session.status.last_success == before:
        if loop.time() >= deadline:
            return False
        await asyncio.sleep(0.2)
    return True
