"""Command line of the app: `klen-desktop [options]` and `python -m klen_desktop [options]`."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from klen_desktop import __version__
from klen_desktop.i18n import _

DEFAULT_BASE_URL = "https://api.klen.ai"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="klen-desktop",
        description=_(
            "Klen Desktop: your Klen AI Calendar in the system tray. With no API key stored in the system "
            "keyring it runs in demo mode against a built-in emulator of the Klen API with a sample calendar."
        ),
    )
    parser.add_argument(
        "--version", action="version", version=f"Klen Desktop {__version__}", help=_("show the version and exit")
    )
    parser.add_argument("--demo", action="store_true", help=_("run in demo mode even when an API key is stored"))
    parser.add_argument(
        "--base-url",
        default=DEFAULT_BASE_URL,
        metavar="URL",
        help=_("Klen API host (advanced; default {url}). Plain http is allowed only for loopback.").format(
            url=DEFAULT_BASE_URL
        ),
    )
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
    return parser


def missing_display_message() -> str | None:
    """A clear sentence when Qt would have no screen to open on (Linux without X11 or Wayland), else None."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return None
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return None
    return _(
        "Klen Desktop needs a graphical desktop session, and none was found (DISPLAY and WAYLAND_DISPLAY are unset). "
        "Start it from your desktop, or for a headless check run it with QT_QPA_PLATFORM=offscreen and --smoke."
    )


def quit_running() -> int:
    """``--quit``: the running app is asked over its single-instance socket; needs no display."""
    from klen_desktop.ui.single_instance import ask_running_to_quit

    if ask_running_to_quit():
        return 0
    print(_("Klen Desktop is not running."), file=sys.stderr)
    return 1


def set_autostart(on: bool) -> int:
    from klen_desktop import autostart

    try:
        autostart.enable() if on else autostart.disable()
    except autostart.AutostartError as exc:
        print(f"{_(exc.title)}: {exc.message}", file=sys.stderr)
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    options = build_parser().parse_args(list(argv) if argv is not None else sys.argv[1:])
    if options.quit:
        return quit_running()
    if options.autostart is not None:
        return set_autostart(options.autostart == "on")
    problem = missing_display_message()
    if problem is not None:
        print(problem, file=sys.stderr)
        return 2
    from klen_desktop.logging_setup import configure_logging

    configure_logging(options.log_level, to_file=True, crash_report=True)
    # Qt is imported only now, so --help and --version answer at once.
    from klen_desktop.launch import AppOptions, run_app

    return run_app(
        AppOptions(demo=options.demo, base_url=options.base_url, smoke=options.smoke),
    )
