"""The commands' answers in words for a person, or as one line of JSON for a script; ``next --json`` is also what
waybar reads (``text``, ``tooltip``, ``class``). Times are shown in the user's zone."""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import datetime, timedelta
from typing import Any

from klen_desktop import markup
from klen_desktop.command_line.json_times import parse_utc
from klen_desktop.date_texts import clock, day_heading, duration_text, moment_range
from klen_desktop.i18n import _, ngettext
from klen_desktop.labels import STATUS_LABELS, TYPE_LABELS, clip

SOON = timedelta(minutes=15)
TEXT_WIDTH = 48
# polybar reads "%{" as the start of a formatting or click-action tag: in a title from the server it must not be one.
_PANEL_TAG = re.compile(r"%(?=\{)")


def shown(text: object, limit: int = TEXT_WIDTH) -> str:
    """Server text (untrusted) as one line for a terminal or a panel: cut to ``limit``, with no control characters
    (a terminal's escape sequences) and no panel tags."""
    flat = clip(str(text), limit)
    plain = "".join("\ufffd" if unicodedata.category(ch) in ("Cc", "Cf") and ch != "\u200d" else ch for ch in flat)
    return _PANEL_TAG.sub("%\u200b", plain)


def _time(value: object) -> datetime:
    moment = parse_utc(value)
    if moment is None:
        raise ValueError(f"not a time: {value!r}")
    return moment.astimezone()


def _until(start: datetime, now: datetime) -> str:
    left = start - now
    return _("now") if left <= timedelta(0) else _("in {duration}").format(duration=duration_text(left))


def _event_line(event: dict[str, Any]) -> str:
    start, end = _time(event["start"]), _time(event["end"])
    return f"{clock(start)}–{clock(end)}  {shown(event['title'])}"


def next_fields(data: dict[str, Any]) -> dict[str, str]:
    """waybar's fields: the text on the bar, the tooltip (the rest of today), and a class to style by."""
    now = _time(data["now"])
    event = data.get("event")
    if not event:
        return {"text": "", "tooltip": _("Nothing more in the calendar"), "class": "none", "alt": "none"}
    start, end = _time(event["start"]), _time(event["end"])
    title = shown(event["title"])
    if start <= now:
        text, kind = _("Now: {title} (until {time})").format(title=title, time=clock(end)), "ongoing"
    else:
        when = clock(start) if start.date() == now.date() else moment_range(start, end).split("–")[0]
        text = f"{when} {title} ({_until(start, now)})"
        kind = "soon" if start - now <= SOON else "today" if start.date() == now.date() else "later"
    lines = [_event_line(event)] + [_event_line(other) for other in data.get("upcoming", [])]
    if data.get("demo"):
        lines.append(_("Demo calendar"))
    return {"text": text, "tooltip": "\n".join(lines), "class": kind, "alt": kind}


def _agenda_text(data: dict[str, Any]) -> str:
    now = _time(data["now"])
    lines: list[str] = []
    day = None
    for event in data["events"]:
        start = _time(event["start"])
        if start.date() != day:
            day = start.date()
            lines.append(day_heading(day, now.date()))
        kind = TYPE_LABELS[str(event["type"])]
        status = STATUS_LABELS[str(event["status"])]
        extra = [kind, status]
        customer = event.get("customer") or {}
        if customer.get("name"):
            extra.append(shown(customer["name"], 40))
        if event.get("pending"):
            extra.append(_("not sent yet"))
        lines.append(f"  {_event_line(event)}  [{event['id']}]  {' · '.join(extra)}")
    return "\n".join(lines) if lines else _("No events.")


def _change_text(data: dict[str, Any], done: str, kept: str) -> str:
    """``done`` and ``kept`` (saved on this computer only) are sentences with the event as ``{event}``."""
    event = data.get("event") or {}
    name = f"“{shown(event.get('title', ''))}” [{event.get('id')}]" if event else _("The event")
    if data.get("state") == "queued":
        return f"{kept.format(event=name)} {data.get('message', '')}".strip()
    return done.format(event=name)


def _free_text(data: dict[str, Any]) -> str:
    slots = data["slots"]
    if not slots:
        return _("No free {minutes} min left on {date}.").format(minutes=data["duration_minutes"], date=data["date"])
    return "\n".join(f"{clock(_time(s['start']))}–{clock(_time(s['end']))}" for s in slots)


def render(command: str, data: dict[str, Any], as_json: bool) -> str:
    """What a successful (or queued) answer prints on stdout."""
    if command == "next":
        fields = next_fields(data)
        if not as_json:
            return fields["text"]
        # waybar reads text and tooltip as Pango markup: a title's "<" or "&" is shown, never read as markup.
        marked = {key: markup.escape(value, quote=False) for key, value in fields.items()}
        return json.dumps({**marked, **data}, ensure_ascii=False)
    if as_json:
        return json.dumps(data, ensure_ascii=False)
    if command == "agenda":
        return _agenda_text(data)
    if command == "add":
        return _change_text(data, _("{event} saved."), _("{event} saved on this computer."))
    if command == "status":
        status = STATUS_LABELS[str((data.get("event") or {}).get("status", ""))].lower()
        done = _("{event} is now {status}.").replace("{status}", status)
        kept = _("{event} is now {status} on this computer.").replace("{status}", status)
        return _change_text(data, done, kept)
    if command == "cancel":
        return _change_text(data, _("{event} cancelled."), _("{event} cancelled on this computer."))
    if command == "free":
        return _free_text(data)
    if command in ("quick-add", "join-next-call"):
        return str(data.get("done", ""))
    synced = parse_utc(data.get("synced_at"))
    waiting = data.get("pending_changes", 0)
    stamp = clock(synced.astimezone()) if synced else _("never")
    if data.get("state") == "done":
        said = _("Synced at {time}.").format(time=stamp)
    else:
        said = _("Sync under way; the last one was at {time}.").format(time=stamp)
    waits = ngettext("{n} change still waiting to be sent.", "{n} changes still waiting to be sent.", waiting)
    return said + (" " + waits.format(n=waiting) if waiting else "")
