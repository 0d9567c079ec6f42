"""The one argparse parser of ``klen-desktop``: the app's options and the commands. ``--help`` of each and the
man page (packaging/make_manpage.py) are both made from it, so they cannot drift apart."""

from __future__ import annotations

import argparse
import textwrap

from klen_desktop import __version__
from klen_desktop.command_line.exit_codes import exit_status_text
from klen_desktop.i18n import N_, _
from klen_desktop.options import DEFAULT_BASE_URL

DESCRIPTION = N_(
    "Klen Desktop: your Klen AI Calendar in the system tray. With no API key stored in the system "
    "keyring it runs in demo mode against a built-in emulator of the Klen API with a sample calendar. "
    "With a command (next, agenda, add, status, cancel, free, sync) it answers on the command line instead: "
    "through the running app when there is one, else from the local cache and the API directly."
)
COMMANDS_EPILOG = N_(
    "commands go through the running app when it runs (so the cache has one writer), else they read the cache "
    "and talk to the API themselves, with the same outbox; --json output is one line of JSON with UTC times "
    "(start, end) and the same times in your zone (start_local, end_local)."
)
STATUS_CHOICES = ("confirmed", "completed", "no_show", "scheduled")


class _Formatter(argparse.HelpFormatter):
    """Wraps each paragraph on its own and keeps indented lines (the exit codes) as they are."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        lines = []
        for paragraph in text.split("\n"):
            if paragraph.startswith("  ") or not paragraph:
                lines.append(indent + paragraph if paragraph else "")
            else:
                lines.append(textwrap.fill(paragraph, width, initial_indent=indent, subsequent_indent=indent))
        return "\n".join(lines)


def _connection_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    """``--demo``, ``--base-url`` and ``--account``, accepted before or after a command (after it, only when
    given)."""
    default_demo: object = False if top else argparse.SUPPRESS
    default_url: object = DEFAULT_BASE_URL if top else argparse.SUPPRESS
    parser.add_argument(
        "--demo",
        action="store_true",
        default=default_demo,
        help=_("use the demo calendar even when an API key is stored"),
    )
    parser.add_argument(
        "--base-url",
        default=default_url,
        metavar="URL",
        help=_("Klen API host (advanced; default {url}). Plain http is allowed only for loopback.").format(
            url=DEFAULT_BASE_URL
        ),
    )
    parser.add_argument(
        "--account",
        default=None if top else argparse.SUPPRESS,
        metavar="NAME",
        help=_("the account, by its name or number as Settings lists them (default: the first account)"),
    )


def _command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], name: str, summary: str, description: str
) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        name,
        help=summary,
        description=description,
        epilog=exit_status_text(),
        formatter_class=_Formatter,
    )
    _connection_options(parser, top=False)
    parser.add_argument(
        "--timeout",
        type=float,
        default=argparse.SUPPRESS,
        metavar="SECONDS",
        help=_("give up after this many seconds (default: 3 for next and agenda, 20 for the rest)"),
    )
    return parser


def _add_commands(parser: argparse.ArgumentParser) -> None:
    commands = parser.add_subparsers(dest="command", metavar=_("COMMAND"), title=_("commands"))
    nxt = _command(
        commands,
        "next",
        _("the next event (or the one under way)"),
        _(
            "Print the next event, or the one under way, from the cache. With --json: one line of JSON that waybar "
            "reads as it is (text, tooltip, class: ongoing, soon, today, later or none), plus the event itself."
        ),
    )
    nxt.add_argument("--json", action="store_true", help=_("print JSON (waybar-ready) instead of one line of text"))
    agenda = _command(
        commands,
        "agenda",
        _("the events of the next days"),
        _("Print the events from today on, day by day, from the cache."),
    )
    agenda.add_argument("--days", type=int, default=7, metavar="N", help=_("how many days from today (default 7)"))
    agenda.add_argument("--all", action="store_true", help=_("show cancelled events too"))
    agenda.add_argument("--json", action="store_true", help=_("print JSON instead of text"))
    add = _command(
        commands,
        "add",
        _("add an event from a sentence"),
        _(
            "Read a sentence in plain words (quick add), show the event it makes and, once confirmed, save it. "
            'Examples: "Call with Jane Doe tomorrow 3pm 30 min video", "Demo for Acme Fri 10:00-11:00 at Office", '
            '"busy Tue 9am-12". A sentence that could be read two ways is not saved: the command says what to add.'
        ),
    )
    add.add_argument("text", nargs="+", help=_("the event in plain words"))
    add.add_argument("--yes", "-y", action="store_true", help=_("save without asking (needed when not on a terminal)"))
    add.add_argument("--json", action="store_true", help=_("print JSON instead of text"))
    status = _command(
        commands, "status", _("confirm an event or record how it went"), _("Set an event's status (ids: see agenda).")
    )
    status.add_argument("id", type=int, help=_("the event's id"))
    status.add_argument("status", choices=STATUS_CHOICES, help=_("the new status"))
    status.add_argument("--json", action="store_true", help=_("print JSON instead of text"))
    cancel = _command(
        commands, "cancel", _("cancel an event"), _("Cancel an event; the reason goes to its customer notes.")
    )
    cancel.add_argument("id", type=int, help=_("the event's id"))
    cancel.add_argument("--reason", default="", help=_("why it is cancelled"))
    cancel.add_argument("--json", action="store_true", help=_("print JSON instead of text"))
    free = _command(commands, "free", _("free slots of a day"), _("Ask the server for the free slots of one day."))
    free.add_argument("--duration", type=int, default=30, metavar="MINUTES", help=_("slot length (default 30)"))
    free.add_argument("--date", metavar="YYYY-MM-DD", help=_("the day (default today)"))
    free.add_argument("--json", action="store_true", help=_("print JSON instead of text"))
    sync = _command(
        commands,
        "sync",
        _("sync with the server now"),
        _("Read the calendar from the server now and send what is queued."),
    )
    sync.add_argument("--json", action="store_true", help=_("print JSON instead of text"))
    _command(
        commands,
        "quick-add",
        _("open the running app's quick-add window"),
        _(
            "Open Quick add in the running Klen Desktop: bind this command to a key in your desktop's keyboard "
            "settings where the desktop lets no application bind one (exit 1 when Klen Desktop is not running)."
        ),
    )
    _command(
        commands,
        "join-next-call",
        _("join the call under way or starting soon"),
        _(
            "Have the running Klen Desktop open the video link of the call under way or starting within 15 minutes "
            "(or say there is none): bind it to a key in your desktop's keyboard settings (exit 1 when Klen Desktop "
            "is not running)."
        ),
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="klen-desktop",
        description=_(DESCRIPTION),
        epilog=_(COMMANDS_EPILOG) + "\n\n" + exit_status_text(),
        formatter_class=_Formatter,
    )
    parser.add_argument(
        "--version", action="version", version=f"Klen Desktop {__version__}", help=_("show the version and exit")
    )
    _connection_options(parser, top=True)
    parser.add_argument(
        "--smoke",
        action="store_true",
        help=_("start, load the calendar, report on stdout and quit (for CI and packaged builds)"),
    )
    parser.add_argument(
        "--quit",
        action="store_true",
        help=_("ask the running Klen Desktop to quit, then exit (exit status 1 when none runs)"),
    )
    parser.add_argument(
        "--autostart",
        choices=["on", "off"],
        help=_("write or remove the start-at-login entry of this installation (the one Settings writes), then exit"),
    )
    parser.add_argument(
        "--log-level",
        default="WARNING",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help=_("how much to log on stderr (default WARNING)"),
    )
    _add_commands(parser)
    return parser
