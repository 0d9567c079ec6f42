"""Quick add as a widget: a line to type the event in words, what it was read as, and Save / Edit… / Cancel.

The same box sits at the top of the agenda and in the small "New event" window of the tray. Nothing is saved
until the user presses Save (or Enter), and Save is on only when the sentence left no question open
(:mod:`klen_desktop.quick_add`): an ambiguous or incomplete sentence shows its questions instead, and Edit…
opens the full editor with what was read, one click away either way.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from klen_desktop.i18n import N_, _
from klen_desktop.ui.form_widgets import ErrorLabel, plain_label
from klen_desktop.ui.line_edits import LineEdit

if TYPE_CHECKING:
    from klen_desktop.quick_add import QuickAdd

log = logging.getLogger(__name__)

PLACEHOLDER = N_("Quick add, e.g. Call with Jane tomorrow 3pm 30 min")
UNREADABLE = N_("This sentence could not be read. Edit… opens the whole form.")
# Reading waits for a pause in the typing this long, so a fast typist does not reread every letter.
READ_AFTER_MS = 150


# The date parser's data takes some 250 ms to load, at its first sentence naming a month ("24 Dec"): on the UI
# thread that would freeze the window as the user types. It loads once per process, on a thread of its own.
_warm_up_lock = threading.Lock()
_warm_up_started = False
_warmed_up = threading.Event()


def warm_up() -> None:
    """Load the date parser's data off the UI thread (once), so the first sentence typed reads at once."""
    global _warm_up_started
    with _warm_up_lock:
        if _warm_up_started:
            return
        _warm_up_started = True
    done = _warmed_up

    def load() -> None:
        try:
            from klen_desktop.quick_add import parse_quick_add

            parse_quick_add("Call 24 Dec 10:00", datetime.now(UTC))
        finally:
            done.set()

    threading.Thread(target=load, name="quick-add-warm-up", daemon=True).start()


def warmed_up() -> bool:
    return _warmed_up.is_set()


class QuickAddBox(QWidget):
    """``save_requested(QuickAdd)`` on Save or Enter (only when it is ready), ``edit_requested(QuickAdd)`` on
    Edit…, ``cancelled()`` on Cancel or Escape. ``clock`` gives now (tests pass a fixed one). ``closes``: Cancel
    closes what holds the box, so it is on even with nothing typed (the window); else only when there is text."""

    save_requested = Signal(object)
    edit_requested = Signal(object)
    cancelled = Signal()

    def __init__(
        self, parent: QWidget | None = None, *, clock: Callable[[], datetime] | None = None, closes: bool = False
    ) -> None:
        super().__init__(parent)
        self._clock = clock or (lambda: datetime.now(UTC))
        self._closes = closes
        self._parsed: QuickAdd | None = None
        self._read_only: str | None = None
        self._saving = False
        self.line = LineEdit(takes_escape=True)
        self.line.setPlaceholderText(_(PLACEHOLDER))
        self.line.setAccessibleName(_("Quick add"))
        self.line.setAccessibleDescription(_("Type a new event in words; what it is read as shows below"))
        self.line.setMinimumWidth(160)
        self.preview = plain_label()
        self.preview.setAccessibleName(_("Quick add preview"))
        self.problem = ErrorLabel()
        self.save_button = QPushButton(_("Save"))
        self.edit_button = QPushButton(_("Edit…"))
        self.cancel_button = QPushButton(_("Cancel"))
        self.save_button.setAccessibleDescription(_("Save the event as shown"))
        self.edit_button.setAccessibleDescription(_("Open the editor with what was read"))
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(READ_AFTER_MS)
        self._timer.timeout.connect(self._read_when_warm)
        self._build()
        self.line.textChanged.connect(self._text_changed)
        self.line.returnPressed.connect(self._save)
        self.save_button.clicked.connect(self._save)
        self.edit_button.clicked.connect(self._edit)
        self.cancel_button.clicked.connect(self.cancel)
        # Escape typed in the line clears it; a shortcut would take Escape from the whole window whenever the line
        # has focus (the week grid drops a drag with it).
        self.line.escaped.connect(self.cancel)
        self._show()

    def _build(self) -> None:
        buttons = QHBoxLayout()
        buttons.addWidget(self.line, 1)
        for button in (self.save_button, self.edit_button, self.cancel_button):
            buttons.addWidget(button)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(buttons)
        column.addWidget(self.preview)
        column.addWidget(self.problem)

    # -- inputs --------------------------------------------------------------------------------------------

    @property
    def parsed(self) -> QuickAdd | None:
        """What the text was last read as (None while it is empty)."""
        return self._parsed

    def set_read_only(self, reason: str | None) -> None:
        """A key that may not write: Save is off and says why (Edit… still shows what was read)."""
        self._read_only = reason
        self._show()

    def set_saving(self, saving: bool) -> None:
        self._saving = saving
        self._show()

    def show_problem(self, message: str) -> None:
        """The save did not go (refused by the server, or not queued): the text stays for the user to fix."""
        self._saving = False
        self.problem.show_message(message)
        self._show()

    def clear(self) -> None:
        """Empty again (after a save, or Cancel)."""
        self._timer.stop()
        self.line.clear()
        self.read_now()

    def cancel(self) -> None:
        self.clear()
        self.cancelled.emit()

    def _text_changed(self, text: str) -> None:
        if text:
            warm_up()  # the first sentence typed starts it: a box never typed in never loads the reader
        self._timer.start()

    def _read_when_warm(self) -> None:
        """The pause in the typing came: read, unless the reader is still loading (then look again shortly)."""
        if self.line.text().strip() and not warmed_up():
            self._timer.start()
            return
        self.read_now()

    def read_now(self) -> None:
        self._timer.stop()
        text = self.line.text().strip()
        if text:
            # The reader comes in with the first sentence: an agenda opened and left alone never needs it.
            from klen_desktop.quick_add import parse_quick_add

            try:
                self._parsed = parse_quick_add(text, self._clock())
            except Exception:  # the reader leans on a date parser of its own; a stale reading must not stay to save
                log.exception("quick add: a sentence could not be read")
                self._parsed = None
                self._show()
                self.problem.show_message(_(UNREADABLE))
                return
        else:
            self._parsed = None
        self.problem.clear_message()
        self._show()

    # -- what it shows -------------------------------------------------------------------------------------

    def _show(self) -> None:
        parsed = self._parsed
        if parsed is None:
            self.preview.setText("")
        else:
            from klen_desktop.quick_add import preview_lines

            lines = [f"{label}: {value}" for label, value in preview_lines(parsed)]
            self.preview.setText("\n".join([*lines, *parsed.problems()]))
        self.preview.setVisible(parsed is not None)
        ready = parsed is not None and not parsed.problems()
        self.save_button.setEnabled(ready and self._read_only is None and not self._saving)
        self.save_button.setText(_("Saving…") if self._saving else _("Save"))
        self.save_button.setToolTip(self._read_only or ("" if ready else _("Type an event with a day and a time")))
        self.edit_button.setEnabled(not self._saving)
        self.cancel_button.setEnabled(not self._saving and (self._closes or parsed is not None))
        self.line.setReadOnly(self._saving)

    def _save(self) -> None:
        self.read_now()
        if self.save_button.isEnabled() and self._parsed is not None:
            self.save_requested.emit(self._parsed)

    def _edit(self) -> None:
        self.read_now()
        self.edit_requested.emit(self._parsed)
