"""The event editor dialog: create or edit every documented field, with inline validation.

It renders an :class:`EventDraft` and emits ``save_requested(EventDraft)`` once the draft passes
:func:`klen_desktop.drafts.validate`; it never talks to the network. Save contract with the controller:
the dialog goes into its saving state as it emits, and the controller answers with exactly one of
:meth:`EventEditor.saved` (closes), :meth:`EventEditor.show_field_errors` (stays open, content kept) or
:meth:`EventEditor.set_saving` ``(False)`` (stays open, content kept). The draft is never lost on error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from klen_desktop.api.models import CREATE_STATUSES, EventStatus, EventType
from klen_desktop.drafts import (
    MAX_REMIND_MINUTES,
    MAX_TITLE_LENGTH,
    EventDraft,
    draft_field,
    normalise_phone,
    validate,
)
from klen_desktop.ui.form_widgets import (
    DateTimeField,
    DurationCombo,
    ErrorLabel,
    plain_label,
    with_error,
    zone_description,
)
from klen_desktop.ui.formatting import STATUS_LABELS, TYPE_LABELS

VIDEO_PROVIDERS = ("Zoom", "Google Meet", "Microsoft Teams", "Webex")
# Above what the drafts allow, so an out-of-range value reaches validation and is explained inline
# rather than silently clamped by the spin box.
_SPIN_MAX = MAX_REMIND_MINUTES * 10


def _ask_discard(parent: QWidget) -> bool:
    answer = QMessageBox.question(
        parent,
        "Discard changes?",
        "This event has changes that are not saved. Discard them?",
        QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Discard


class EventEditor(QDialog):
    """Create (``draft.event_id is None``) or edit one event.

    ``read_only_reason`` disables every input and Save and shows the reason. ``confirm_discard`` is asked
    before closing with unsaved changes (tests replace it; the default asks with a message box).
    """

    save_requested = Signal(object)

    def __init__(
        self, draft: EventDraft, *, read_only_reason: str | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._initial = draft
        self._read_only = read_only_reason is not None
        self._saving = False
        self._saved = False
        self.confirm_discard: Callable[[], bool] = lambda: _ask_discard(self)
        self.setWindowTitle("New event" if draft.creating else "Edit event")
        self.setModal(False)

        self._errors: dict[str, ErrorLabel] = {}
        self._fields: dict[str, QWidget] = {}
        self._build(draft, read_only_reason)
        self._load(draft)
        self._wire()
        self._apply_enabled()

    # -- public API ------------------------------------------------------------------------------------

    def draft(self) -> EventDraft:
        """The draft as the inputs show it now (whether or not it is valid)."""
        return replace(
            self._initial,
            title=self.title_edit.text(),
            description=self.description_edit.toPlainText(),
            start=self.start_edit.value(),
            end=self.end_edit.value(),
            event_type=EventType(self.type_combo.currentData()),
            status=EventStatus(self.status_combo.currentData()),
            location=self.location_edit.text(),
            customer_name=self.customer_name_edit.text(),
            customer_email=self.customer_email_edit.text(),
            customer_phone=self.customer_phone_edit.text(),
            customer_notes=self.customer_notes_edit.toPlainText(),
            has_video_conference=self.video_check.isChecked(),
            video_conference_url=self.video_url_edit.text(),
            video_conference_provider=self.video_provider_combo.currentText(),
            is_reminder_enabled=self.reminder_check.isChecked(),
            remind_before_minutes=self.reminder_spin.value(),
            sync_external_calendars=self.sync_check.isChecked(),
            send_notifications=self.notify_check.isChecked(),
        )

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
        self.read_only_banner = plain_label(read_only_reason or "")
        self.read_only_banner.setVisible(read_only_reason is not None)
        self.read_only_banner.setFrameShape(QLabel.Shape.StyledPanel)
        self.read_only_banner.setMargin(6)
        root.addWidget(self.read_only_banner)
        self.partial_note = plain_label(
            "Some details of this event are not loaded yet (description, notes, reminder, video provider). "
            "Fields left empty here are not changed on the server."
        )
        self.partial_note.setVisible(draft.partial)
        root.addWidget(self.partial_note)
        self.general_error = ErrorLabel()
        root.addWidget(self.general_error)

        columns = QHBoxLayout()
        left, right = QVBoxLayout(), QVBoxLayout()
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        root.addLayout(columns)
        left.addWidget(self._event_group(draft))
        left.addWidget(self._when_group())
        left.addStretch(1)
        right.addWidget(self._customer_group())
        right.addWidget(self._video_group())
        right.addWidget(self._options_group())
        right.addStretch(1)

        buttons = QHBoxLayout()
        buttons.addWidget(plain_label("Ctrl+Enter saves · Esc closes", wrap=False))
        buttons.addStretch(1)
        self.cancel_button = QPushButton("Close" if read_only_reason is not None else "Cancel")
        self.save_button = QPushButton("Create event" if draft.creating else "Save changes")
        for button in (self.cancel_button, self.save_button):
            button.setAutoDefault(False)  # Enter in a line edit must not send a half-typed event
            buttons.addWidget(button)
        root.addLayout(buttons)

    def _row(self, form: QFormLayout, label: str, name: str, widget: QWidget) -> None:
        error = ErrorLabel()
        self._errors[name] = error
        self._fields[name] = widget
        form.addRow(label, with_error(widget, error))

    def _event_group(self, draft: EventDraft) -> QGroupBox:
        box = QGroupBox("Event")
        form = QFormLayout(box)
        self.title_edit = QLineEdit()
        self.title_edit.setPlaceholderText("What is it?")
        self._row(form, "&Title", "title", self.title_edit)
        self.type_combo = QComboBox()
        for event_type in EventType:
            self.type_combo.addItem(TYPE_LABELS[event_type], event_type.value)
        if not draft.event_type.known:
            # Shown as it is so an unrelated edit does not change it; it is never sent (the patch leaves it out).
            self.type_combo.addItem(TYPE_LABELS[draft.event_type], draft.event_type.value)
        self._row(form, "T&ype", "event_type", self.type_combo)
        self.status_combo = QComboBox()
        statuses = [s for s in EventStatus if not draft.creating or s in CREATE_STATUSES or s == draft.status]
        if not draft.status.known:
            statuses.append(draft.status)
        for status in statuses:
            self.status_combo.addItem(STATUS_LABELS[status], status.value)
        self._row(form, "&Status", "status", self.status_combo)
        self.location_edit = QLineEdit()
        self._row(form, "&Location", "location", self.location_edit)
        self.description_edit = QPlainTextEdit()
        self.description_edit.setTabChangesFocus(True)
        self.description_edit.setFixedHeight(90)
        self._row(form, "&Description", "description", self.description_edit)
        return box

    def _when_group(self) -> QGroupBox:
        box = QGroupBox("When")
        form = QFormLayout(box)
        self.start_edit = DateTimeField()
        self._row(form, "St&art", "start", self.start_edit)
        self.duration_combo = DurationCombo()
        self._row(form, "D&uration", "duration", self.duration_combo)
        self.end_edit = DateTimeField()
        self._row(form, "&End", "end", self.end_edit)
        self.zone_label = plain_label()
        form.addRow("Time zone", self.zone_label)
        return box

    def _customer_group(self) -> QGroupBox:
        box = QGroupBox("Customer")
        form = QFormLayout(box)
        self.customer_name_edit = QLineEdit()
        self._row(form, "&Name", "customer_name", self.customer_name_edit)
        self.customer_email_edit = QLineEdit()
        self.customer_email_edit.setPlaceholderText("name@example.com")
        self._row(form, "E&mail", "customer_email", self.customer_email_edit)
        self.customer_phone_edit = QLineEdit()
        self.customer_phone_edit.setPlaceholderText("+1 555 123 4567 (international, E.164)")
        self._row(form, "&Phone", "customer_phone", self.customer_phone_edit)
        self.customer_notes_edit = QPlainTextEdit()
        self.customer_notes_edit.setTabChangesFocus(True)
        self.customer_notes_edit.setFixedHeight(70)
        self._row(form, "N&otes", "customer_notes", self.customer_notes_edit)
        return box

    def _video_group(self) -> QGroupBox:
        box = QGroupBox("Video conference")
        form = QFormLayout(box)
        self.video_check = QCheckBox("Use a &video conference")
        self._row(form, "", "has_video_conference", self.video_check)
        self.video_url_edit = QLineEdit()
        self.video_url_edit.setPlaceholderText("https://… (optional: the provider may create it)")
        self._row(form, "Lin&k", "video_conference_url", self.video_url_edit)
        self.video_provider_combo = QComboBox()
        self.video_provider_combo.setEditable(True)
        self.video_provider_combo.addItems(["", *VIDEO_PROVIDERS])
        self._row(form, "Pro&vider", "video_conference_provider", self.video_provider_combo)
        return box

    def _options_group(self) -> QGroupBox:
        box = QGroupBox("Reminder and sharing")
        form = QFormLayout(box)
        self.reminder_check = QCheckBox("&Remind me")
        self._row(form, "", "is_reminder_enabled", self.reminder_check)
        self.reminder_spin = QSpinBox()
        self.reminder_spin.setRange(0, _SPIN_MAX)
        self.reminder_spin.setSuffix(" min before")
        self._row(form, "Rem&inder", "remind_before_minutes", self.reminder_spin)
        self.sync_check = QCheckBox("Sync to external calendars (Google, Outlook, GoHighLevel)")
        self._row(form, "", "sync_external_calendars", self.sync_check)
        self.notify_check = QCheckBox("Send notifications to the customer")
        self._row(form, "", "send_notifications", self.notify_check)
        return box

    # -- loading and behaviour -------------------------------------------------------------------------

    def _load(self, draft: EventDraft) -> None:
        for edit, value in (
            (self.title_edit, draft.title),
            (self.location_edit, draft.location),
            (self.customer_name_edit, draft.customer_name),
            (self.customer_email_edit, draft.customer_email),
            (self.customer_phone_edit, draft.customer_phone),
            (self.video_url_edit, draft.video_conference_url),
        ):
            # QLineEdit cuts its text at maxLength (32,767 by default) without a word: never below the value.
            edit.setMaxLength(max(edit.maxLength(), len(value)))
        self.title_edit.setText(draft.title)
        self.type_combo.setCurrentIndex(self.type_combo.findData(draft.event_type.value))
        self.status_combo.setCurrentIndex(self.status_combo.findData(draft.status.value))
        self.location_edit.setText(draft.location)
        self.description_edit.setPlainText(draft.description)
        self.start_edit.set_value(draft.start)
        self.end_edit.set_value(draft.end)
        self.customer_name_edit.setText(draft.customer_name)
        self.customer_email_edit.setText(draft.customer_email)
        self.customer_phone_edit.setText(draft.customer_phone)
        self.customer_notes_edit.setPlainText(draft.customer_notes)
        self.video_check.setChecked(draft.has_video_conference)
        self.video_url_edit.setText(draft.video_conference_url)
        self.video_provider_combo.setCurrentText(draft.video_conference_provider)
        self.reminder_check.setChecked(draft.is_reminder_enabled)
        self.reminder_spin.setValue(draft.remind_before_minutes)
        self.sync_check.setChecked(draft.sync_external_calendars)
        self.notify_check.setChecked(draft.send_notifications)
        for edit in (self.title_edit, self.location_edit, self.customer_name_edit, self.video_url_edit):
            edit.home(False)  # a long value reads from its beginning, not its cut-off end
        self._show_times()
        self._show_title_limit(draft.title)

    def _show_title_limit(self, title: str) -> None:
        """A title longer than Klen accepts (another client or an older server stored it) is kept in full and
        the limit is said up front, rather than cut silently or refused only on Save."""
        length = len(title.strip())
        if length > MAX_TITLE_LENGTH:
            self._errors["title"].show_message(
                f"This title has {length:,} characters; Klen accepts at most {MAX_TITLE_LENGTH}. "
                "It is kept in full here: shorten it before saving."
            )

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
        clear = self._clear_error
        self.title_edit.textEdited.connect(lambda _t: clear("title"))
        self.location_edit.textEdited.connect(lambda _t: clear("location"))
        self.customer_name_edit.textEdited.connect(lambda _t: clear("customer_name"))
        self.customer_email_edit.textEdited.connect(lambda _t: clear("customer_email"))
        self.customer_phone_edit.textEdited.connect(lambda _t: clear("customer_phone"))
        self.video_url_edit.textEdited.connect(lambda _t: clear("video_conference_url"))
        self.reminder_spin.valueChanged.connect(lambda _v: clear("remind_before_minutes"))
        self.status_combo.currentIndexChanged.connect(lambda _i: clear("status"))
        self.description_edit.textChanged.connect(lambda: clear("description"))
        self.customer_notes_edit.textChanged.connect(lambda: clear("customer_notes"))

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
        self._clear_error("end")

    def _show_times(self) -> None:
        start, end = self.start_edit.value(), self.end_edit.value()
        self._last_length = end - start
        self.duration_combo.show_duration(round(self._last_length.total_seconds() / 60))
        self.zone_label.setText(zone_description(start))
        if end > start:
            self._clear_error("end")

    def _tidy_phone(self) -> None:
        normalised = normalise_phone(self.customer_phone_edit.text())
        if normalised is not None and normalised != self.customer_phone_edit.text():
            self.customer_phone_edit.setText(normalised)

    def _clear_error(self, name: str) -> None:
        label = self._errors.get(name)
        if label is not None:
            label.clear_message()

    def _apply_enabled(self) -> None:
        editable = not self._read_only and not self._saving
        for widget in self._fields.values():
            widget.setEnabled(editable)
        self.video_url_edit.setEnabled(editable and self.video_check.isChecked())
        self.video_provider_combo.setEnabled(editable and self.video_check.isChecked())
        self.reminder_spin.setEnabled(editable and self.reminder_check.isChecked())
        self.save_button.setEnabled(editable)
        base = "Create event" if self._initial.creating else "Save changes"
        self.save_button.setText("Saving…" if self._saving else base)

    def _focus_first_error(self, errors: dict[str, str]) -> None:
        for name in self._errors:  # form order, not message order
            if name in {draft_field(k) for k in errors} and self._fields[name].isEnabled():
                self._fields[name].setFocus(Qt.FocusReason.OtherFocusReason)
                return

    def _on_save(self) -> None:
        if self._read_only or self._saving:
            return
        draft = self.draft()
        errors = validate(draft, creating=draft.creating, unchanged_from=None if draft.creating else self._initial)
        self.show_field_errors(errors)
        if errors:
            return
        self.set_saving(True)
        self.save_requested.emit(draft)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
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
