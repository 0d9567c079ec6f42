"""The event editor dialog: create or edit every documented field, with inline validation.

It renders an :class:`EventDraft` and emits ``save_requested(EventDraft)`` once the draft passes
:func:`klen_desktop.drafts.validate`; it never talks to the network. Save contract with the controller:
the dialog goes into its saving state as it emits, and the controller answers with exactly one of
:meth:`EventEditor.saved` (closes), :meth:`EventEditor.show_field_errors` (stays open, content kept) or
:meth:`EventEditor.set_saving` ``(False)`` (stays open, content kept). The draft is never lost on error.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QBoxLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from klen_desktop.api.models import EventType
from klen_desktop.date_texts import second_range, second_zone_id, zone_city
from klen_desktop.drafts import (
    EventDraft,
    draft_field,
    length_warning,
    normalise_phone,
    validate,
)
from klen_desktop.i18n import _
from klen_desktop.ui.account_choice import AccountChoice
from klen_desktop.ui.event_fields import zone_description
from klen_desktop.ui.event_form import EventForm
from klen_desktop.ui.form_widgets import ErrorLabel, plain_label, room_for_mnemonics
from klen_desktop.ui.screen_fit import FormScroll, fit_to_screen, room


def _ask_discard(parent: QWidget) -> bool:
    answer = QMessageBox.question(
        parent,
        _("Discard changes?"),
        _("This event has changes that are not saved. Discard them?"),
        QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Discard


class EventEditor(EventForm):
    """Create (``draft.event_id is None``) or edit one event.

    ``read_only_reason`` disables every input and Save and shows the reason. ``confirm_discard`` is asked
    before closing with unsaved changes (tests replace it; the default asks with a message box).
    """

    save_requested = Signal(object)

    def __init__(
        self, draft: EventDraft, *, read_only_reason: str | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(draft, parent)
        self._read_only = read_only_reason is not None
        self._saving = False
        self._saved = False
        self.confirm_discard: Callable[[], bool] = lambda: _ask_discard(self)
        self.setWindowTitle(_("New event") if draft.creating else _("Edit event"))
        self.setModal(False)

        self._build(draft, read_only_reason)
        room_for_mnemonics(self)
        fit_to_screen(self)
        self._load(draft)
        self._show_times()
        self._wire()
        self._apply_enabled()

    # -- public API ------------------------------------------------------------------------------------

    def show_field_errors(self, errors: dict[str, str]) -> None:
        """Show ``errors`` ({field: message}) inline; draft or API field names both work. Messages for ""
        or for a field the editor does not have go to the top. Ends the saving state; keeps all content."""
        self.set_saving(False)
        general: list[str] = []
        for shown in self._errors.values():
            shown.clear_message()
        for name, message in errors.items():
            label = self._errors.get(draft_field(name)) if name else None
            if label is None:
                general.append(f"{name}: {message}" if name else message)
            else:
                label.show_message(message)
        self.general_error.show_message("\n".join(general))
        self._show_length_notice()
        self._focus_first_error(errors)

    def set_saving(self, saving: bool) -> None:
        """While saving, inputs and Save are disabled and Save reads "Saving…"."""
        self._saving = saving
        self._apply_enabled()

    def saved(self) -> None:
        """The save went through: close without asking."""
        self._saving = False
        self._saved = True
        self.accept()

    @property
    def is_saving(self) -> bool:
        return self._saving

    # -- building --------------------------------------------------------------------------------------

    def _build(self, draft: EventDraft, read_only_reason: str | None) -> None:
        root = QVBoxLayout(self)
        self.account_choice = AccountChoice()  # shown by the window manager where several accounts are
        root.addWidget(self.account_choice)
        self.read_only_banner = plain_label(read_only_reason or "")
        self.read_only_banner.setVisible(read_only_reason is not None)
        self.read_only_banner.setFrameShape(QLabel.Shape.StyledPanel)
        self.read_only_banner.setMargin(6)
        root.addWidget(self.read_only_banner)
        self.partial_note = plain_label(
            _(
                "Some details of this event are not loaded yet (description, notes, reminder, video provider). "
                "Fields left empty here are not changed on the server."
            )
        )
        self.partial_note.setVisible(draft.partial)
        root.addWidget(self.partial_note)

        form = QWidget()
        columns = QBoxLayout(QBoxLayout.Direction.LeftToRight, form)
        columns.setContentsMargins(0, 0, 0, 0)
        left, right = QVBoxLayout(), QVBoxLayout()
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        left.addWidget(self._event_group(draft))
        left.addWidget(self._when_group())
        left.addStretch(1)
        right.addWidget(self._customer_group())
        right.addWidget(self._video_group())
        right.addWidget(self._options_group())
        right.addStretch(1)

        # Too wide for the screen side by side, the groups stand in one column, and the keyboard hint gives its
        # place to the form (the shortcuts are in the buttons' tooltips).
        narrow = form.sizeHint().width() > room(self).width()
        if narrow:
            columns.setDirection(QBoxLayout.Direction.TopToBottom)
        # The form scrolls where the screen is too small for it (a laptop at 200 % scale), so Save stays in reach.
        self.form_scroll = FormScroll(form)
        root.addWidget(self.form_scroll, 1)
        # Beside the buttons, in a space of its own: a server's answer appearing moves neither the fields nor Save.
        self.general_error = ErrorLabel(lines=2)
        buttons = QHBoxLayout()
        if not narrow:
            buttons.addWidget(plain_label(_("Ctrl+Enter saves · Esc closes"), wrap=False))
            buttons.addSpacing(self.fontMetrics().averageCharWidth() * 2)
        buttons.addWidget(self.general_error, 1)
        self.cancel_button = QPushButton(_("Close") if read_only_reason is not None else _("Cancel"))
        self.save_button = QPushButton(_("Create event") if draft.creating else _("Save changes"))
        self.cancel_button.setToolTip(_("Esc"))
        self.save_button.setToolTip(_("Ctrl+Enter"))
        for button in (self.cancel_button, self.save_button):
            button.setAutoDefault(False)  # Enter in a line edit must not send a half-typed event
            buttons.addWidget(button)
        root.addLayout(buttons)

    # -- loading and behaviour -------------------------------------------------------------------------

    def _wire(self) -> None:
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, self._on_save)
        # Multi-line fields take Ctrl+Return as a key of their own before any shortcut sees it.
        self.description_edit.installEventFilter(self)
        self.customer_notes_edit.installEventFilter(self)
        self.save_button.clicked.connect(self._on_save)
        self.cancel_button.clicked.connect(self.reject)
        self.start_edit.value_changed.connect(self._on_start_changed)
        self.end_edit.value_changed.connect(lambda _v: self._show_times())
        self.duration_combo.duration_chosen.connect(self._on_duration)
        self.video_check.toggled.connect(lambda _on: self._apply_enabled())
        self.type_combo.currentIndexChanged.connect(self._on_type)
        self.reminder_check.toggled.connect(lambda _on: self._apply_enabled())
        self.customer_phone_edit.editingFinished.connect(self._tidy_phone)
        recheck = self._recheck
        self.title_edit.textEdited.connect(lambda _t: recheck("title"))
        self.location_edit.textEdited.connect(lambda _t: recheck("location"))
        self.customer_name_edit.textEdited.connect(lambda _t: recheck("customer_name"))
        self.customer_email_edit.textEdited.connect(lambda _t: recheck("customer_email"))
        self.customer_phone_edit.textEdited.connect(lambda _t: recheck("customer_phone"))
        self.video_url_edit.textEdited.connect(lambda _t: recheck("video_conference_url"))
        self.video_provider_combo.editTextChanged.connect(lambda _t: recheck("video_conference_provider"))
        self.reminder_spin.valueChanged.connect(lambda _v: recheck("remind_before_minutes"))
        self.status_combo.currentIndexChanged.connect(lambda _i: recheck("status"))
        self.description_edit.textChanged.connect(lambda: recheck("description"))
        self.customer_notes_edit.textChanged.connect(lambda: recheck("customer_notes"))
        for widget in self._fields.values():
            widget.installEventFilter(self)

    def _on_start_changed(self, start: datetime) -> None:
        # Moving the start keeps the length, as every calendar does; the user then only fixes the end if needed.
        length = self._last_length
        self.end_edit.set_value(start + length if length > timedelta(0) else start + timedelta(minutes=30))
        self._show_times()

    def _on_type(self, _index: int) -> None:
        # A video call without the video switch on is almost always an oversight; turning it on is undoable.
        if self.type_combo.currentData() == EventType.VIDEO_CALL.value and not self.video_check.isChecked():
            self.video_check.setChecked(True)

    def _on_duration(self, minutes: int) -> None:
        self.end_edit.set_value(self.start_edit.value() + timedelta(minutes=minutes))

    def _show_times(self) -> None:
        start, end = self.start_edit.value(), self.end_edit.value()
        self._last_length = end - start
        self.duration_combo.show_duration(round(self._last_length.total_seconds() / 60))
        self.zone_label.setText(zone_description(start))
        self.show_second_zone()
        self._recheck("end")
        # A half-typed date is questioned only once the user leaves the field; a picked length at once.
        typing = self.start_edit.hasFocus() or self.end_edit.hasFocus()
        if not typing or self._errors["end"].is_notice:
            self._show_length_notice()

    def show_second_zone(self) -> None:
        """The start and end in the second zone under the fields (the row hidden with none); also called when the
        zone is chosen in Settings while the editor is open."""
        text = second_range(self.start_edit.value(), self.end_edit.value())
        self.second_zone_caption.setText(_("In {city}").format(city=zone_city(second_zone_id())) if text else "")
        self.second_zone_label.setText(text)
        self.second_zone_caption.setVisible(bool(text))
        self.second_zone_label.setVisible(bool(text))

    def _show_length_notice(self) -> None:
        """The question about a long event, in the End's message space unless a refusal holds it."""
        label = self._errors["end"]
        if label.isVisibleTo(self) and not label.is_notice:
            return
        warning = length_warning(self.draft())
        if warning:
            label.show_notice(warning)
        else:
            label.clear_message()

    def _problems(self) -> dict[str, str]:
        draft = self.draft()
        return validate(draft, creating=draft.creating, unchanged_from=None if draft.creating else self._initial)

    def _recheck(self, name: str) -> None:
        """While the user types, a message only goes away (once the input is valid); none appears."""
        label = self._errors.get(name)
        if label is not None and label.isVisibleTo(self) and not label.is_notice and name not in self._problems():
            label.clear_message()
            if name == "end":
                self._show_length_notice()

    def _check_left(self, field: QObject) -> None:
        """The user left ``field``: say what is wrong with it now (the end's rule for either of the times)."""
        names = [name for name, widget in self._fields.items() if widget is field]
        if field is self.start_edit or field is self.end_edit:
            names = ["end"]
        problems = self._problems()
        for name in names:
            label = self._errors.get(name)
            if label is not None and name in problems:
                label.show_message(problems[name])
            elif name == "end":
                self._show_length_notice()

    def _tidy_phone(self) -> None:
        normalised = normalise_phone(self.customer_phone_edit.text())
        if normalised is not None and normalised != self.customer_phone_edit.text():
            self.customer_phone_edit.setText(normalised)

    def _apply_enabled(self) -> None:
        editable = not self._read_only and not self._saving
        for widget in self._fields.values():
            widget.setEnabled(editable)
        self.video_url_edit.setEnabled(editable and self.video_check.isChecked())
        self.video_provider_combo.setEnabled(editable and self.video_check.isChecked())
        self.reminder_spin.setEnabled(editable and self.reminder_check.isChecked())
        self.save_button.setEnabled(editable)
        # What a screen reader says of a control that is off: it cannot see the banner or the box above it.
        why = self.read_only_banner.text() if self._read_only else ""
        self.save_button.setAccessibleDescription(why or (_("Saving…") if self._saving else ""))
        for widget, switch in (
            (self.video_url_edit, self.video_check),
            (self.video_provider_combo, self.video_check),
            (self.reminder_spin, self.reminder_check),
        ):
            off = editable and not switch.isChecked()
            switch_name = switch.text().replace("&", "")
            widget.setAccessibleDescription(
                _("Off until “{switch}” is checked").format(switch=switch_name) if off else why
            )
        base = _("Create event") if self._initial.creating else _("Save changes")
        self.save_button.setText(_("Saving…") if self._saving else base)

    def _focus_first_error(self, errors: dict[str, str]) -> None:
        for name in self._errors:  # form order, not message order
            if name in {draft_field(k) for k in errors} and self._fields[name].isEnabled():
                self._fields[name].setFocus(Qt.FocusReason.OtherFocusReason)
                return

    def _on_save(self) -> None:
        if self._read_only or self._saving:
            return
        draft = self.draft()
        errors = self._problems()
        self.show_field_errors(errors)
        if errors:
            return
        self.set_saving(True)
        self.save_requested.emit(draft)

    def _leaves(self, event: QFocusEvent) -> bool:
        # A calendar or list popup is still the same field being edited, not the user leaving it.
        return event.reason() != Qt.FocusReason.PopupFocusReason and not self._saving

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if isinstance(event, QFocusEvent) and event.type() == QEvent.Type.FocusOut and self._leaves(event):
            self._check_left(watched)
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            ctrl = event.modifiers() & Qt.KeyboardModifier.ControlModifier
            if ctrl and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._on_save()
                return True
        return super().eventFilter(watched, event)

    def reject(self) -> None:
        """Esc, Cancel or the window's close button: asks first when the draft has unsaved changes."""
        changed = not self._saved and not self._read_only and self.draft().changed_from(self._initial)
        if changed and not self.confirm_discard():
            return
        super().reject()
