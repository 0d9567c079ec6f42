"""What the tray menu's own actions do: the next free slot and its one-click booking, and Do not disturb.

The rules (which slot is free, what the item says, what a booking sends, how long Do not disturb holds) are the
session's; this only hands the answers to the tray, and says how a booking went in a notice, because the menu
closed on the click that asked.
"""

from __future__ import annotations

from datetime import datetime

from klen_desktop.i18n import _
from klen_desktop.session.free_slot_offer import look_up
from klen_desktop.session.outcomes import WriteRefused
from klen_desktop.ui.controller import Controller
from klen_desktop.ui.formatting import span
from klen_desktop.ui.tray import Tray


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
        session = self._controller.session
        self._tray.slot_answered(await look_up(session, session.clock.now(), self._tray.free_slot.minutes))

    async def book(self, start: object, end: object) -> None:
        if not isinstance(start, datetime) or not isinstance(end, datetime):
            return
        try:
            await self._controller.book(start, end)
        except WriteRefused as exc:
            self._controller.notice.emit(_("Could not book the slot"), exc.message)
            return
        self._controller.notice.emit(_("Booked"), _("{time} is now busy.").format(time=span(start, end)))
