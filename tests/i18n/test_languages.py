"""How the app's language is chosen, what the pseudo-language does, and the Qt-free texts in German: the
notifications, the dates, the labels and the command line."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from speaking import speaking

from klen_desktop import date_texts, i18n
from klen_desktop.api.models import Customer, EventStatus, EventType
from klen_desktop.i18n import _, language_from_environment, ngettext, pseudo
from klen_desktop.labels import STATUS_LABELS, TYPE_LABELS
from klen_desktop.notify.messages import change_message, reminder_message, snooze_buttons
from klen_desktop.notify.summaries import burst_message, dnd_summary_message, missed_message, outbox_problem_message
from klen_desktop.reminders.due import MissedSummary
from klen_desktop.store.outbox import OutboxEntry, OutboxOp, OutboxState
from klen_desktop.sync.diff import Change, ChangeKind

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "notify"))
from notify_support import BASE, reminder, summary

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("env", "language"),
    [
        ({}, "en"),
        ({"LANG": "de_DE.UTF-8"}, "de"),
        ({"LANG": "de_AT.UTF-8"}, "de"),  # no Austrian catalog: the German one
        ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "de_DE.UTF-8"}, "de"),
        ({"LANG": "de_DE.UTF-8", "LC_MESSAGES": "en_GB.UTF-8"}, "en"),
        ({"LANG": "de_DE.UTF-8", "LC_ALL": "C.UTF-8"}, "en"),  # LC_ALL outranks the rest
        ({"LANGUAGE": "fr:de", "LANG": "en_US.UTF-8"}, "de"),  # the first of the list the app has
        ({"LANGUAGE": "fr", "LANG": "de_DE.UTF-8"}, "de"),  # none of the list: the locale's
        ({"LANGUAGE": "qps"}, "qps"),
        ({"LANG": "fr_FR.UTF-8"}, "en"),
    ],
)
def test_the_language_comes_from_the_environment_as_gettext_reads_it(env: dict[str, str], language: str) -> None:
    assert language_from_environment(env) == language


def test_the_pseudo_language_lengthens_and_accents_but_keeps_fields_mnemonics_and_markup() -> None:
    assert pseudo("Save") == "[Šàṽé ~]"
    assert pseudo("&Book this slot…").startswith("[&B")
    text = pseudo("Snooze {n} min until <b>{time}</b>")
    assert "{n}" in text and "{time}" in text and "<b>" in text and "</b>" in text
    long = "Choose a range and a length, then Search."
    assert len(pseudo(long)) >= 1.4 * len(long)
    assert pseudo(" min") == " [ɱîñ ~]"  # a suffix keeps its space outside


def test_english_is_the_source_and_untouched() -> None:
    with speaking("en"):
        assert _("Open agenda") == "Open agenda"
        assert ngettext("{n} event", "{n} events", 1).format(n=1) == "1 event"


def test_german_notifications_dates_and_labels() -> None:
    event = summary(title="Beratung", start=BASE + timedelta(days=400), video_conference_url="https://meet.example/b")
    with speaking("de", "de_DE.UTF-8"):
        message = reminder_message(reminder(event), UTC)
        assert [b.label for b in message.buttons][:3] == ["Beitreten", "5 Min. später", "Öffnen"]
        assert snooze_buttons()[-1].label == "Beim Beginn erinnern"
        assert "Videoanruf" in message.body
        assert TYPE_LABELS[EventType.MEETING] == "Besprechung"
        assert STATUS_LABELS[EventStatus.NO_SHOW] == "Nicht erschienen"
        assert burst_message([message, message]).title == "2 Kalenderänderungen"
        assert burst_message([message]).title == "1 Kalenderänderung"
        assert missed_message(MissedSummary((reminder(event),)), UTC).title == "1 verpasste Erinnerung"
        assert date_texts.short_date(date(2026, 12, 7), date(2027, 1, 1)) == "Mo 7. Dez 2026"
        assert date_texts.day_heading(date(2026, 12, 7), date(2026, 12, 7)) == "Heute, Montag 7. Dezember"
        assert date_texts.date_time(datetime(2026, 12, 7, 20, 30), date(2026, 12, 1)) == "Mo 7. Dez, 20:30"
        assert date_texts.duration_text(timedelta(days=1, minutes=90)) == "1 Tag 1 Std. 30 Min."
        assert date_texts.qt_date_format() == "ddd d'.' MMM yyyy"


def test_us_english_dates_read_month_first_on_a_twelve_hour_clock() -> None:
    with speaking("en", "en_US.UTF-8"):
        assert date_texts.short_date(date(2026, 12, 7), date(2027, 1, 1)) == "Mon Dec 7, 2026"
        assert date_texts.date_time(datetime(2026, 12, 7, 20, 30), date(2026, 12, 1)) == "Mon Dec 7, 8:30 PM"


def test_the_language_switches_back_and_forth_in_one_process() -> None:
    with speaking("de"):
        assert _("Open agenda") == "Agenda öffnen"
        assert date_texts.weekday(date(2026, 12, 7)) == "Mo"
    assert i18n.current_language() == "en"
    assert _("Open agenda") == "Open agenda" and date_texts.weekday(date(2026, 12, 7)) == "Mon"


def test_a_fresh_clone_without_compiled_catalogs_runs_translated(tmp_path: Path) -> None:
    """The .po alone (no .mo, as after a clone) is compiled in memory at start."""
    copy = tmp_path / "locale" / "de" / "LC_MESSAGES"
    copy.mkdir(parents=True)
    source = ROOT / "klen_desktop" / "locale" / "de" / "LC_MESSAGES" / "klen_desktop.po"
    (copy / "klen_desktop.po").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    original = i18n.LOCALE_DIR
    i18n.LOCALE_DIR = tmp_path / "locale"
    try:
        assert not (copy / "klen_desktop.mo").exists()
        assert i18n.catalog("de").gettext("Open agenda") == "Agenda öffnen"
    finally:
        i18n.LOCALE_DIR = original


def test_the_command_line_help_speaks_german() -> None:
    """argparse's own words too ("usage:", "options:"), read from the compiled catalog as `make run` builds it."""
    from translations import compile_catalog

    compile_catalog("de")
    env = {"LANGUAGE": "de", "LANG": "de_DE.UTF-8", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "klen_desktop", "--help"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0
    assert "den Demokalender verwenden" in done.stdout
    assert done.stdout.startswith("Aufruf: klen-desktop") and "\nOptionen:\n" in done.stdout


def test_every_notification_speaks_the_pseudo_language_but_the_server_s_words() -> None:
    """In the pseudo-language every word of a notification is accented but the event's own (its title, the
    customer, the server's reason): a text the builders left in English would show plain here."""
    event = summary(
        title="Pitch", location="Room", video_conference_url="https://meet.example/p", customer=Customer(name="Ann")
    )
    moved = event.model_copy(update={"start_time": event.start_time + timedelta(hours=1)})
    entry = OutboxEntry(
        seq=3, op=OutboxOp.PATCH, event_id=4, payload={"title": "Pitch"}, base=None, state=OutboxState.ATTENTION,
        attempts=1, next_attempt_at=None, error_code="validation_error", error_message="End before start.",
        error_field="end_time", meta={}, created_at=BASE, updated_at=BASE,
    )  # fmt: skip
    with speaking("qps"):
        messages = [
            reminder_message(reminder(event, late=True), UTC),
            change_message(Change(ChangeKind.CREATED, event), UTC),
            change_message(Change(ChangeKind.MOVED, moved, event), UTC),
            change_message(Change(ChangeKind.CANCELLED, event.model_copy(update={"status": "cancelled"})), UTC),
            missed_message(MissedSummary((reminder(event),)), UTC),
            outbox_problem_message(entry),
        ]
        messages += [burst_message([m for m in messages[1:4] if m]), dnd_summary_message(messages[1:3], [], UTC)]
    server_words = re.compile(r"Pitch|Room|Ann|End before start\.|https://\S+")
    for message in messages:
        assert message is not None
        for text in (message.title, *message.body.splitlines(), *(b.label for b in message.buttons)):
            plain = server_words.sub("", text)
            if re.search(r"[A-Za-z]{2,}", plain):
                assert re.search(r"[àçéîöûñ~]", plain), f"{message.kind}: {text!r} is not translated"
