"""Write the man page klen-desktop(1) from the same argparse parser that answers ``--help``, so the two never drift:
the options, every command with its own options (``klen-desktop next --help`` and the rest), and the exit codes.

Usage: python packaging/make_manpage.py OUT.1   (packaging/linux/build_deb.sh gzips it into the .deb)

The page's date is the date of this version's <release> in the AppStream metainfo (the release notes every package
already carries), not the build's: building the same version twice gives the same page.
"""

from __future__ import annotations

import argparse
import sys
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from klen_desktop import __version__
from klen_desktop.cli import build_parser
from klen_desktop.command_line.exit_codes import MEANINGS, Exit
from klen_desktop.i18n import SOURCE_LANGUAGE, install

METAINFO = Path(__file__).resolve().parents[1] / "resources" / "linux" / "ai.klen.desktop.metainfo.xml"

# What --help cannot say: where the app keeps things and how it ends. Kept short, and true of every Linux install.
FILES = (
    ("~/.config/klen-desktop/settings.json", "the settings"),
    ("~/.local/share/klen-desktop/", "the local cache of the calendar and the demo calendar"),
    ("~/.local/state/klen-desktop/log/", "the log files and crash reports"),
    ("~/.config/autostart/klen-desktop.desktop", "the start-at-login entry (Settings, or --autostart on)"),
)
# The app's own meaning of a code, where it adds to the commands' (from klen_desktop/command_line/exit_codes.py).
APP_EXIT = {
    Exit.OK: "the app ran and quit normally",
    Exit.ERROR: "for --quit: no Klen Desktop was running",
    Exit.USAGE: "no graphical desktop session to open the app on",
}
EXIT_STATUS = tuple(
    (str(int(code)), f"{meaning}; {APP_EXIT[code]}" if code in APP_EXIT else meaning)
    for code, meaning in MEANINGS.items()
)


def roff_text(text: str) -> str:
    """Plain text as roff: backslashes escaped, hyphens as \\- (what a reader types), no line read as a request."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    # Non-ASCII as groff's Unicode escapes (\[u2026] for …): groff reads its input as Latin-1.
    text = "".join(ch if ord(ch) < 128 else f"\\[u{ord(ch):04X}]" for ch in text)
    return "\n".join("\\&" + line if line.startswith((".", "'")) else line for line in text.splitlines())


def release_date(version: str) -> str:
    for release in ET.parse(METAINFO).getroot().iter("release"):
        if release.get("version") == version:
            return release.get("date", "")
    raise SystemExit(f'{METAINFO.name} has no <release version="{version}">: add one for this version')


def option_heading(action: argparse.Action, names: Sequence[str]) -> str:
    """``--base-url URL`` or ``--autostart {on,off}``, bold option and italic argument, as man pages write them."""
    names_text = ", ".join(f"\\fB{roff_text(name)}\\fR" for name in names)
    if action.nargs == 0:
        return names_text
    if action.choices is not None:
        argument = "{" + ",".join(str(choice) for choice in action.choices) + "}"
    else:
        argument = str(action.metavar or action.dest.upper())
    # "\ " and \% keep an option and its argument whole: no break between them, no hyphen inside the argument.
    return f"{names_text}\\ \\fI\\%{roff_text(argument)}\\fR"


def option_help(action: argparse.Action, prog: str) -> str:
    if action.help is None or action.help == argparse.SUPPRESS:
        return ""
    # argparse's own expansion of %(default)s, %(prog)s and the like, so the page says what --help says.
    values = {**vars(action), "prog": prog}
    return str(action.help) % values


def commands(parser: argparse.ArgumentParser) -> list[tuple[str, argparse.ArgumentParser]]:
    """The commands (``next``, ``agenda``, …) with their own parsers, in the order ``--help`` lists them."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return list(action.choices.items())
    return []


# Options every command takes: described once, before the commands.
SHARED = ("demo", "base_url", "timeout")


def _argument_name(action: argparse.Action) -> str:
    return f"\\fI{roff_text(str(action.metavar or action.dest))}\\fR"


def _entries(actions: Sequence[argparse.Action], prog: str) -> list[str]:
    lines = []
    for action in actions:
        heading = option_heading(action, action.option_strings) if action.option_strings else _argument_name(action)
        lines += [".TP", heading, roff_text(option_help(action, prog))]
    return lines


def command_section(name: str, parser: argparse.ArgumentParser, prog: str) -> list[str]:
    own = [
        a
        for a in parser._actions
        if a.help != argparse.SUPPRESS and not isinstance(a, argparse._HelpAction) and a.dest not in SHARED
    ]
    usage = " ".join(_argument_name(a) for a in own if not a.option_strings)
    lines = [".SS " + roff_text(name), f"\\fB{roff_text(prog)} {roff_text(name)}\\fR {usage}".rstrip()]
    return [*lines, ".br", roff_text(parser.description or ""), *_entries(own, prog)]


def commands_part(parser: argparse.ArgumentParser, prog: str) -> list[str]:
    found = commands(parser)
    lines = [".SH COMMANDS", roff_text(parser.epilog.split("\n\n")[0] if parser.epilog else "")]
    if found:
        shared = [a for a in found[0][1]._actions if a.dest in SHARED]
        lines += [".PP", "Every command takes:", *_entries(shared, prog)]
    for name, command in found:
        lines += command_section(name, command, prog)
    return lines


def manpage(parser: argparse.ArgumentParser) -> str:
    prog = parser.prog
    title = prog.upper()
    actions = [a for a in parser._actions if a.option_strings and a.help != argparse.SUPPRESS]
    synopsis = " ".join(f"[{option_heading(a, a.option_strings[-1:])}]" for a in actions)
    lines = [
        f'.TH {roff_text(title)} 1 "{release_date(__version__)}" "Klen Desktop {__version__}" "User Commands"',
        ".SH NAME",
        f"{roff_text(prog)} \\- Klen AI Calendar in the system tray",
        ".SH SYNOPSIS",
        # Left-adjusted: justified, the long option list spreads into wide gaps.
        ".ad l",
        f"\\fB{roff_text(prog)}\\fR {synopsis}",
        ".br",
        f"\\fB{roff_text(prog)}\\fR [\\fB\\-\\-demo\\fR] \\fICOMMAND\\fR [\\fIoptions\\fR]",
        ".ad",
        ".SH DESCRIPTION",
        roff_text(parser.description or ""),
        ".SH OPTIONS",
    ]
    for action in actions:
        lines += [".TP", option_heading(action, action.option_strings), roff_text(option_help(action, prog))]
    lines += commands_part(parser, prog)
    lines.append(".SH FILES")
    for path, what in FILES:
        lines += [".TP", f"\\fI{roff_text(path)}\\fR", roff_text(what)]
    lines.append(".SH EXIT STATUS")
    for code, what in EXIT_STATUS:
        lines += [".TP", f"\\fB{code}\\fR", roff_text(what)]
    lines += [".SH SEE ALSO", "https://docs.klen.ai"]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        sys.stderr.write(__doc__.strip().splitlines()[2] + "\n")
        return 2
    install(SOURCE_LANGUAGE)  # the man page is English whatever the language of the machine that builds it
    Path(argv[0]).write_text(manpage(build_parser()), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
