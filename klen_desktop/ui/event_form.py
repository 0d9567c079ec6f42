"""The event editor's form: every documented field of an event, laid out in groups, loaded from a draft and read
back into one. What the dialog does with it (validation, saving, discarding) is :mod:`klen_desktop.ui.editor`.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from klen_desktop.api.models import CREATE_STATUSES, EventStatus, EventType
from klen_desktop.drafts import MAX_REMIND_MINUTES, MAX_TITLE_LENGTH, EventDraft
from klen_desktop.i18n import _, ngettext
from klen_desktop.labels import STATUS_LABELS, TYPE_LABELS
from klen_desktop.ui.event_fields import DateTimeField, DurationCombo, labelled, with_error
from klen_desktop.ui.form_widgets import ErrorLabel, plain_label

VIDEO_PROVIDERS = ("Zoom", "Google Meet", "Microsoft Teams", "Webex")
# Above what the drafts allow, so an out-of-range value reaches validation and is explained inline
# rather than silently clamped by the spin box.
_SPIN_MAX = MAX_REMIND_MINUTES * 10


class EventForm(QDialog):
    """The fields of the editor, each with the inline error label under it (``_errors``, in form order)."""

    def __init__(self, initial: EventDraft, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._initial = initial
        self._errors: dict[str, ErrorLabel] = {}
        self._fields: dict[str, QWidget] = {}

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

    def _row(self, form: QFormLayout, label: str, name: str, widget: QWidget, lines: int = 2) -> None:
        """``widget`` with ``lines`` lines kept under it for its message: two where a message may be long, one
        where every message of the drafts fits a line, none for a switch (a server message about it is general)."""
        self._fields[name] = widget
        if lines == 0:
            form.addRow(label, widget)
        else:
            error = ErrorLabel(lines)
            self._errors[name] = error
            form.addRow(label, with_error(widget, error))
        if label:
            labelled(form, widget, label)

    def _event_group(self, draft: EventDraft) -> QGroupBox:
        box = QGroupBox(_("Event"))
        form = QFormLayout(box)
        self.title_edit = QLineEdit()
        self.title_edit.setPlaceholderText(_("What is it?"))
        self._row(form, _("&Title"), "title", self.title_edit)
        self.type_combo = QComboBox()
        for event_type in EventType:
            self.type_combo.addItem(TYPE_LABELS[event_type], event_type.value)
        if not draft.event_type.known:
            # Shown as it is so an unrelated edit does not change it; it is never sent (the patch leaves it out).
            self.type_combo.addItem(TYPE_LABELS[draft.event_type], draft.event_type.value)
        self._row(form, _("T&ype"), "event_type", self.type_combo, lines=1)
        self.status_combo = QComboBox()
        statuses = [s for s in EventStatus if not draft.creating or s in CREATE_STATUSES or s == draft.status]
        if not draft.status.known:
            statuses.append(draft.status)
        for status in statuses:
            self.status_combo.addItem(STATUS_LABELS[status], status.value)
        self._row(form, _("&Status"), "status", self.status_combo, lines=1)
        self.location_edit = QLineEdit()
        self._row(form, _("&Location"), "location", self.location_edit, lines=1)
        self.description_edit = QPlainTextEdit()
        self.description_edit.setTabChangesFocus(True)
        self.description_edit.setFixedHeight(90)
        self._row(form, _("&Description"), "description", self.description_edit, lines=1)
        return box

    def _when_group(self) -> QGroupBox:
        box = QGroupBox(_("When"))
        form = QFormLayout(box)
        self.start_edit = DateTimeField()
        self._row(form, _("St&art"), "start", self.start_edit, lines=1)
        self.duration_combo = DurationCombo()
        self._row(form, _("D&uration"), "duration", self.duration_combo, lines=0)
        self.end_edit = DateTimeField()
        self._row(form, _("&End"), "end", self.end_edit)
        self.zone_label = plain_label()
        form.addRow(_("Time zone"), self.zone_label)
        # The optional second zone: the start and end read there too (hidden when none is chosen).
        self.second_zone_label = plain_label()
        self.second_zone_label.setObjectName("second_zone")
        self.second_zone_caption = plain_label(_("Second zone"), wrap=False)
        form.addRow(self.second_zone_caption, self.second_zone_label)
        return box

    def _customer_group(self) -> QGroupBox:
        box = QGroupBox(_("Customer"))
        form = QFormLayout(box)
        self.customer_name_edit = QLineEdit()
        self._row(form, _("&Name"), "customer_name", self.customer_name_edit, lines=1)
        self.customer_email_edit = QLineEdit()
        self.customer_email_edit.setPlaceholderText(_("name@example.com"))
        self._row(form, _("E&mail"), "customer_email", self.customer_email_edit, lines=1)
        self.customer_phone_edit = QLineEdit()
        self.customer_phone_edit.setPlaceholderText(_("+1 555 123 4567 (international, E.164)"))
        self._row(form, _("&Phone"), "customer_phone", self.customer_phone_edit)
        self.customer_notes_edit = QPlainTextEdit()
        self.customer_notes_edit.setTabChangesFocus(True)
        self.customer_notes_edit.setFixedHeight(70)
        self._row(form, _("N&otes"), "customer_notes", self.customer_notes_edit, lines=1)
        return box

    def _video_group(self) -> QGroupBox:
        box = QGroupBox(_("Video conference"))
        form = QFormLayout(box)
        self.video_check = QCheckBox(_("Use a video &conference"))
        self._row(form, "", "has_video_conference", self.video_check, lines=0)
        self.video_url_edit = QLineEdit()
        self.video_url_edit.setPlaceholderText(_("https://… (optional: the provider may create it)"))
        self._row(form, _("Lin&k"), "video_conference_url", self.video_url_edit)
        self.video_provider_combo = QComboBox()
        self.video_provider_combo.setEditable(True)
        self.video_provider_combo.addItems(["", *VIDEO_PROVIDERS])
        self.video_provider_combo.setItemData(0, _("No provider"), Qt.ItemDataRole.AccessibleTextRole)
        self._row(form, _("Pro&vider"), "video_conference_provider", self.video_provider_combo, lines=1)
        return box

    def _options_group(self) -> QGroupBox:
        box = QGroupBox(_("Reminder and sharing"))
        form = QFormLayout(box)
        self.reminder_check = QCheckBox(_("&Remind me"))
        self._row(form, "", "is_reminder_enabled", self.reminder_check, lines=0)
        self.reminder_spin = QSpinBox()
        self.reminder_spin.setRange(0, _SPIN_MAX)
        self.reminder_spin.setSuffix(_(" min before"))
        self._row(form, _("Rem&inder"), "remind_before_minutes", self.reminder_spin, lines=1)
        # The calendars in the tooltip: a check box does not wrap, and the label must fit a longer language.
        self.sync_check = QCheckBox(_("Sync to external calendars"))
        self.sync_check.setToolTip(_("Google, Outlook and GoHighLevel calendars linked in Klen"))
        self.sync_check.setAccessibleDescription(self.sync_check.toolTip())
        self._row(form, "", "sync_external_calendars", self.sync_check, lines=0)
        self.notify_check = QCheckBox(_("Send notifications to the customer"))
        self._row(form, "", "send_notifications", self.notify_check, lines=0)
        return box

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
        self._show_title_limit(draft.title)

    def _show_title_limit(self, title: str) -> None:
        """A title longer than Klen accepts (another client or an older server stored it) is kept in full and
        the limit is said up front, rather than cut silently or refused only on Save."""
        length = len(title.strip())
        if length > MAX_TITLE_LENGTH:
            self._errors["title"].show_message(
                ngettext(
                    "{length} character, kept in full; Klen takes at most {limit}: shorten it to save.",
                    "{length} characters, kept in full; Klen takes at most {limit}: shorten it to save.",
                    length,
                ).format(length=f"{length:,}", limit=MAX_TITLE_LENGTH)
            )
