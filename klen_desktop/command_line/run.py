"""``klen-desktop COMMAND …``: build the request, have the running app answer it (or answer it here when none
runs), print the answer, and return its exit code. ``add`` reads its sentence here first and shows what it read:
on a terminal it asks before saving; elsewhere it needs ``--yes``; a sentence with open questions is never saved."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import TextIO

from klen_desktop.command_line.client import AppDidNotAnswer, ask_app
from klen_desktop.command_line.exit_codes import Exit
from klen_desktop.command_line.json_times import utc_text
from klen_desktop.command_line.output import render
from klen_desktop.command_line.protocol import APP_ACTIONS, Answer, Request, runtime_dir, server_name
from klen_desktop.command_line.where import Where
from klen_desktop.i18n import N_, _

READ_TIMEOUT = 3.0
WRITE_TIMEOUT = 20.0
READS = ("next", "agenda")
NEVER_SYNCED = N_("This calendar was never synced on this computer: run `klen-desktop sync`, or start Klen Desktop.")
NOT_RUNNING = N_("Klen Desktop is not running: start it first (this command asks the running app).")


class Refused(Exception):
    def __init__(self, code: Exit, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _account(options: argparse.Namespace) -> str | None:
    """The id of the account ``--account`` names (None: not given, the first account)."""
    wanted = getattr(options, "account", None)
    if wanted is None:
        return None
    from klen_desktop.command_line.account_choice import UnknownAccount, chosen_account

    try:
        return chosen_account(wanted).id
    except UnknownAccount as exc:
        raise Refused(Exit.USAGE, exc.message) from None


def _args(options: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> dict[str, object]:
    command = options.command
    if command == "next":
        return {}
    if command == "agenda":
        return {"days": options.days, "all": options.all}
    if command == "status":
        return {"id": options.id, "status": options.status}
    if command == "cancel":
        return {"id": options.id, "reason": options.reason}
    if command == "free":
        return {"duration": options.duration, "date": options.date}
    if command == "add":
        return _quick_add(" ".join(options.text), options.yes, stdin, stdout)
    return {}


def _quick_add(text: str, yes: bool, stdin: TextIO, stdout: TextIO) -> dict[str, object]:
    from klen_desktop.quick_add import parse_quick_add, preview_lines

    parsed = parse_quick_add(text, datetime.now(UTC))
    width = max(len(label) for label, _ in preview_lines(parsed))
    out = sys.stderr if yes or not stdin.isatty() else stdout
    for label, value in preview_lines(parsed):
        print(f"{label + ':':<{width + 1}} {value}", file=out)
    problems = parsed.problems()
    if problems:
        raise Refused(Exit.USAGE, " ".join(problems) + " " + _("Nothing was saved."))
    if not yes:
        if not stdin.isatty():
            raise Refused(Exit.USAGE, _("Not saved: confirm with --yes when not on a terminal."))
        stdout.write(_("Save this event?") + " [y/N] ")  # y or yes, as the parsing below reads
        stdout.flush()
        if stdin.readline().strip().lower() not in ("y", "yes"):
            raise Refused(Exit.ERROR, _("Not saved."))
    assert parsed.start is not None and parsed.end is not None
    return {
        "title": parsed.title,
        "type": str(parsed.event_type),
        "start": utc_text(parsed.start),
        "end": utc_text(parsed.end),
        "customer_name": parsed.customer_name,
        "location": parsed.location,
        "video_provider": parsed.video_provider,
    }


async def _here(request: Request, where: Where) -> Answer:
    # The core is imported only here: a command the running app answers needs none of it. httpx's own command
    # line (and rich, which it brings) is never run: kept out as the app keeps it out (launch.py).
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
    from klen_desktop.command_line.commands import run
    from klen_desktop.command_line.standalone import cached_calendar, service_calendar

    opened = cached_calendar(where) if request.command in READS else service_calendar(where)
    async with opened as calendar:
        return await run(request, calendar)


def answer(request: Request, where: Where, timeout: float) -> Answer:
    """The running app's answer, or when none runs, this process's own."""
    try:
        from_app = ask_app(server_name(runtime_dir()), request, timeout)
    except AppDidNotAnswer as exc:
        return Answer(Exit.ERROR, error=str(exc))
    if from_app is not None:
        return from_app
    if request.command in APP_ACTIONS:
        return Answer(Exit.ERROR, error=_(NOT_RUNNING))
    import asyncio

    try:
        return asyncio.run(asyncio.wait_for(_here(request, where), timeout))
    except TimeoutError:
        return Answer(
            Exit.ERROR,
            error=_("Gave up after {seconds} s; try again, or allow more with --timeout.").format(
                seconds=f"{timeout:g}"
            ),
        )
    except OSError as exc:
        return Answer(Exit.ERROR, error=_("The calendar could not be opened: {error}").format(error=exc))


def run_command(options: argparse.Namespace, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> int:
    try:
        account = _account(options)
        args = _args(options, stdin, stdout)
    except Refused as exc:
        print(exc.message, file=sys.stderr)
        return int(exc.code)
    if account is not None:
        args["account"] = account
    default_timeout = READ_TIMEOUT if options.command in READS or options.command in APP_ACTIONS else WRITE_TIMEOUT
    timeout = getattr(options, "timeout", default_timeout)
    result = answer(Request(options.command, args), Where(options.demo, options.base_url, account), timeout)
    if result.error:
        print(result.error, file=sys.stderr)
        return int(result.exit)
    print(render(options.command, result.data, getattr(options, "json", False)), file=stdout)
    if options.command in READS and result.data.get("source") == "cache" and not result.data.get("synced_at"):
        print(_(NEVER_SYNCED), file=sys.stderr)
    return int(result.exit)
