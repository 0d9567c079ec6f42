"""The free-slot finder: pick a date range and a length, see the free slots grouped by local day, book one.

It only emits intentions: ``search_requested(start: date, end: date, minutes: int)`` for the controller to
ask the availability endpoint, and ``slot_chosen(start, end)`` (aware datetimes) when the user books a slot.
The controller answers a search with :meth:`SlotFinder.show_availability` or :meth:`SlotFinder.show_error`.
The finder stays open after ``slot_chosen`` (the controller closes it once the editor is up, if it wants).

What the calendar takes meanwhile (a slot just booked, here or elsewhere, an event an agent added) is taken off
the list at once through :meth:`SlotFinder.set_busy_times`, which also asks the server again for the last range
soon after (one request for a burst of changes): the cache alone cannot see everything the server counts as taken.
:meth:`SlotFinder.refresh` asks at once; one asked during a search is made when that search answers, since its
answer may predate the change. A refresh keeps the range and length the user chose and the selected slot.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from itertools import groupby

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from klen_desktop.api.models import Availability, AvailabilitySlot
from klen_desktop.date_texts import duration_text, moment_range, qt_date_format
from klen_desktop.i18n import _, ngettext
from klen_desktop.ui.account_choice import AccountChoice
from klen_desktop.ui.form_widgets import ErrorLabel, plain_label, room_for_mnemonics
from klen_desktop.ui.formatting import (
    day_heading,
    local_zone_text,
    readable_ink,
    span,
)
from klen_desktop.ui.screen_fit import available_size
from klen_desktop.ui.theme_watch import on_palette_change

MIN_DURATION = 1
MAX_DURATION = 180
DEFAULT_DURATION = 30
DEFAULT_RANGE_DAYS = 7
#: Longest range asked for at once: the API documents none, and our emulator refuses more than 31 days.
MAX_RANGE_DAYS = 30
#: How long a change waits before the server is asked again, so a burst of changes costs one request.
REFRESH_DELAY_MS = 500
_SLOT_ROLE = Qt.ItemDataRole.UserRole


def readable_selection(palette: QPalette) -> QPalette:
    """``palette`` with a highlighted text that reads on its highlight, focused or not.

    Themes pair a highlight with a highlighted text that does not always read on it (white on a dark theme's
    light blue; white on Fusion's mid blue falls short too): the palette's own highlighted text is kept where it
    reads, else the better of black and white. The highlight itself stays the theme's.
    """
    fitted = QPalette(palette)
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        background = palette.color(group, QPalette.ColorRole.Highlight)
        ink = palette.color(group, QPalette.ColorRole.HighlightedText)
        ink = readable_ink(ink, background, (QColor("#000000"), QColor("#ffffff")))
        fitted.setColor(group, QPalette.ColorRole.HighlightedText, ink)
    return fitted


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())


class SlotFinder(QDialog):
    """Search free slots and book one. ``today`` (local) is injectable for tests; default the real today."""

    search_requested = Signal(object, object, int)
    slot_chosen = Signal(object, object)

    def __init__(self, *, today: date | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Find a free slot"))
        self._today = today or datetime.now().astimezone().date()
        self._slots: list[AvailabilitySlot] = []
        self._answer: Availability | None = None
        self._busy: tuple[tuple[datetime, datetime], ...] = ()
        self.last_search: tuple[date, date, int] | None = None
        self._idle_text = ""
        self._refresh_pending = False
        self._refresh_soon = QTimer(self)
        self._refresh_soon.setSingleShot(True)
        self._refresh_soon.setInterval(REFRESH_DELAY_MS)
        self._refresh_soon.timeout.connect(self.refresh)
        self._build()
        room_for_mnemonics(self)
        self._wire()
        on_palette_change(self, lambda: self.tree.setPalette(readable_selection(self.palette())))
        self._set_busy(False)
        self._update_book()

    # -- public API ------------------------------------------------------------------------------------

    def show_availability(self, availability: Availability) -> None:
        """List the slots grouped by local day (earliest first); an empty answer shows the empty state."""
        chosen = self._selected_slot()
        self._set_busy(False)
        self.error_label.clear_message()
        self._answer = availability
        self._render(availability, keep=chosen)
        self._refresh_if_pending()

    def set_busy_times(self, busy: tuple[tuple[datetime, datetime], ...]) -> None:
        """Times the calendar now takes: slots overlapping them leave the list (the selection stays if it can)."""
        if busy == self._busy:
            return
        self._busy = busy
        if self._answer is not None:
            chosen = self._selected_slot()
            self._render(self._answer, keep=chosen)
        if self.last_search is not None:
            self._refresh_soon.start()

    def refresh(self) -> None:
        """Ask the server again for the last range; during a search, once it answers (nothing before a search)."""
        if self.last_search is None:
            return
        if self.is_busy:
            self._refresh_pending = True
            return
        self._refresh_pending = False
        self._set_busy(True)
        self.search_requested.emit(*self.last_search)

    def _refresh_if_pending(self) -> None:
        if self._refresh_pending:
            self.refresh()

    def _render(self, availability: Availability, keep: AvailabilitySlot | None = None) -> None:
        self.tree.clear()
        free = [slot for slot in availability.available_slots if not self._taken(slot)]
        self._slots = sorted(free, key=lambda s: s.start)
        first: QTreeWidgetItem | None = None
        numbered = enumerate(self._slots)
        for day, group in groupby(numbered, key=lambda pair: pair[1].start.astimezone().date()):
            day_item = QTreeWidgetItem([day_heading(day, self._today)])
            day_item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = day_item.font(0)
            font.setBold(True)
            day_item.setFont(0, font)
            self.tree.addTopLevelItem(day_item)
            for index, slot in group:
                start, end = slot.start.astimezone(), slot.end.astimezone()
                child = QTreeWidgetItem([span(start, end)])
                length = duration_text(timedelta(minutes=slot.duration_minutes))
                whole = f"{moment_range(start, end, self._today)} ({length})"
                child.setToolTip(0, whole)
                child.setData(0, Qt.ItemDataRole.AccessibleTextRole, whole)  # read alone, "10:00–10:30" says no day
                child.setData(0, _SLOT_ROLE, index)
                day_item.addChild(child)
                if first is None or slot == keep:
                    first = child
        self.tree.expandAll()
        self._tab_to_slots()
        if first is not None:
            zone = local_zone_text(self._slots[0].start)
            length = duration_text(timedelta(minutes=availability.duration_minutes))
            count = len(self._slots)
            self.state_label.setText(
                ngettext(
                    "{n} free slot of {length} · times in {zone}", "{n} free slots of {length} · times in {zone}", count
                ).format(n=count, length=length, zone=zone)
            )
            self.tree.setCurrentItem(first)
        else:
            self.state_label.setText(_("No free slots in this range. Try more days or a shorter length."))
        self._update_book()

    def show_error(self, message: str) -> None:
        """The search failed: say why (plain text); the previous list stays so nothing is lost."""
        self._set_busy(False)
        self.error_label.show_message(message)
        self._refresh_if_pending()

    def search_range(self) -> tuple[date, date, int]:
        """The range and length the inputs show now."""
        return _pydate(self.start_date.date()), _pydate(self.end_date.date()), self.duration_spin.value()

    def day_headings(self) -> list[str]:
        items = (self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount()))
        return [item.text(0) for item in items if item is not None]

    @property
    def is_busy(self) -> bool:
        return not self.progress.isHidden()

    # -- building --------------------------------------------------------------------------------------

    def _build(self) -> None:
        root = QVBoxLayout(self)
        self.account_choice = AccountChoice()  # shown by the window manager where several accounts are
        root.addWidget(self.account_choice)
        form = QFormLayout()
        self.start_date = QDateEdit(_qdate(self._today))
        self.end_date = QDateEdit(_qdate(self._today + timedelta(days=DEFAULT_RANGE_DAYS)))
        for edit in (self.start_date, self.end_date):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat(qt_date_format())
        self.start_date.setMinimumDate(_qdate(self._today))
        self._bound_end()
        form.addRow(_("&From"), self.start_date)
        form.addRow(_("&To"), self.end_date)
        self.duration_spin = QSpinBox()
        self.duration_spin.setRange(MIN_DURATION, MAX_DURATION)
        self.duration_spin.setValue(DEFAULT_DURATION)
        self.duration_spin.setSuffix(_(" min"))
        form.addRow(_("&Length"), self.duration_spin)
        root.addLayout(form)

        search_row = QHBoxLayout()
        self.search_button = QPushButton(_("&Search"))
        self.search_button.setAutoDefault(False)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # indeterminate: the endpoint gives no progress
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(12)
        self.progress.hide()  # idle until a search: "not hidden" reads as busy, and would blank the hint below
        search_row.addWidget(self.search_button)
        search_row.addWidget(self.progress, 1)
        root.addLayout(search_row)

        self.error_label = ErrorLabel()
        root.addWidget(self.error_label)
        self.state_label = plain_label(_("Choose a range and a length, then Search."))
        root.addWidget(self.state_label)
        self.tree = QTreeWidget()
        self.tree.setAccessibleName(_("Free slots"))
        self.tree.setAccessibleDescription(_("By day; pick one, then Book this slot"))
        self._tab_to_slots()
        self.tree.setColumnCount(1)
        self.tree.setHeaderHidden(True)  # one column; the length is in the line above the list
        self.tree.setRootIsDecorated(True)
        self.tree.setUniformRowHeights(True)
        # Room for a few days of slots, less where the screen is short (a laptop at 200 % scale): the list scrolls.
        self.tree.setMinimumSize(360, min(280, available_size(self).height() * 2 // 5))
        self.tree.setPalette(readable_selection(self.palette()))
        root.addWidget(self.tree, 1)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.close_button = QPushButton(_("Close"))
        self.book_button = QPushButton(_("&Book this slot…"))
        for button in (self.close_button, self.book_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        root.addLayout(buttons)

    def _wire(self) -> None:
        self.search_button.clicked.connect(self._on_search)
        self.book_button.clicked.connect(self._on_book)
        self.close_button.clicked.connect(self.reject)
        # Activation is a double-click (or Enter, or a single click where the style says so): one signal,
        # so one double-click never books twice.
        self.tree.itemActivated.connect(lambda _item, _col: self._on_book())
        self.tree.currentItemChanged.connect(lambda _cur, _prev: self._update_book())
        self.start_date.dateChanged.connect(lambda _d: self._bound_end())
        QShortcut(QKeySequence("Ctrl+Return"), self, self._on_search)

    def _bound_end(self) -> None:
        start = self.start_date.date()
        self.end_date.setMinimumDate(start)
        self.end_date.setMaximumDate(start.addDays(MAX_RANGE_DAYS))

    def _set_busy(self, busy: bool) -> None:
        was_busy = self.is_busy
        self.progress.setVisible(busy)
        self.search_button.setEnabled(not busy)
        if busy and not was_busy:
            self._idle_text = self.state_label.text()
            self.state_label.setText(_("Searching…"))
        elif was_busy and not busy:
            self.state_label.setText(self._idle_text)  # a new answer then replaces it; an error keeps it

    def _taken(self, slot: AvailabilitySlot) -> bool:
        return any(start < slot.end and slot.start < end for start, end in self._busy)

    def _selected_slot(self) -> AvailabilitySlot | None:
        item = self.tree.currentItem()
        index = item.data(0, _SLOT_ROLE) if item is not None else None
        return self._slots[index] if isinstance(index, int) and 0 <= index < len(self._slots) else None

    def _tab_to_slots(self) -> None:
        """The list is a Tab stop only while it has slots: an empty list would take focus and show none."""
        has = Qt.FocusPolicy.StrongFocus if self.tree.topLevelItemCount() else Qt.FocusPolicy.NoFocus
        self.tree.setFocusPolicy(has)

    def _update_book(self) -> None:
        picked = self._selected_slot() is not None
        self.book_button.setEnabled(picked)
        self.book_button.setAccessibleDescription("" if picked else _("Pick a free slot in the list first"))

    def _on_search(self) -> None:
        if self.is_busy:
            return
        self.last_search = self.search_range()
        self._refresh_pending = False  # this answer is newer than any change that asked for one
        self._refresh_soon.stop()
        self.error_label.clear_message()
        self._set_busy(True)
        self.search_requested.emit(*self.last_search)

    def _on_book(self) -> None:
        slot = self._selected_slot()
        if slot is not None:
            self.slot_chosen.emit(slot.start, slot.end)
