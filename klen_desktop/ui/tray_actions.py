"""What the tray menu's own actions do: the next free slot and its one-click booking, and Do not disturb.

The rules (which slot is free, what a booking sends, how long Do not disturb holds) are the session's; this
only turns the answers into the menu's next state and a notice, because the menu closed on the click that asked.
"""

from __future__ import annotations

from datetime import datetime

from klen_desktop.api.errors import KlenError
from klen_desktop.session.outcomes import WriteRefused
from klen_desktop.ui.controller import Controller
from klen_desktop.ui.tray import FREE_SLOT_MINUTES, Tray, no_slot_today


class TrayActions:
    def __init__(self, controller: Controller, tray: Tray) -> None:
        self._controller = controller
        self._tray = tray

    def set_do_not_disturb(self, minutes: int) -> None:
        """``minutes`` as the menu sends it: 0 ends it, a negative number holds it until tomorrow."""
        dnd, now = self._controller.dnd, self._controller.session.clock.now()
        if minutes == 0:
            dnd.stop()
        elif minutes < 0:
            dnd.hold_until_tomorrow(now)
        else:
            dnd.hold_for(now, minutes)

    async def find_free_slot(self) -> None:
        controller, tray = self._controller, self._tray
        now = controller.session.clock.now()
        try:
            found = await controller.session.free_slots_ahead(now, FREE_SLOT_MINUTES)
        except KlenError as exc:
            tray.offer_slot(None, None, "Could not look for a free slot")
            controller.notice.emit("Could not look for a free slot", exc.message)
            return
        if found.today is not None:
            tray.offer_slot(found.today.start, found.today.end)
            return
        note = no_slot_today(found.later, FREE_SLOT_MINUTES, now)
        tray.offer_slot(None, None, note)
        controller.notice.emit(note, "Find a free slot… in the tray menu looks at other days and lengths.")

    async def book(self, start: object, end: object) -> None:
        if not isinstance(start, datetime) or not isinstance(end, datetime):
            return
        try:
            await self._controller.book(start, end)
        except WriteRefused as exc:
            self._controller.notice.emit("Could not book the slot", exc.message)
            return
        self._controller.notice.emit("Booked", f"{start.astimezone():%H:%M}–{end.astimezone():%H:%M} is now busy.")
