"""Every command has its --help with the exit codes, the man page is made from the same parser (each command and
its options), and a command line mistake is a usage error (exit 2)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from klen_desktop.cli import build_parser
from klen_desktop.command_line.exit_codes import MEANINGS

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "packaging"))
import make_manpage

COMMANDS = ("next", "agenda", "add", "status", "cancel", "free", "sync", "quick-add", "join-next-call")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "klen_desktop", *args], capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_has_help_with_the_exit_codes(command: str) -> None:
    result = run(command, "--help")
    assert result.returncode == 0 and f"usage: klen-desktop {command}" in result.stdout
    text = " ".join(result.stdout.split())
    for code, meaning in MEANINGS.items():
        assert f"{int(code)} {' '.join(meaning.split())}" in text


def test_a_wrong_command_line_is_a_usage_error() -> None:
    assert run("status", "12", "maybe").returncode == 2
    assert run("cancel").returncode == 2
    assert run("next", "--days", "3").returncode == 2


def test_the_man_page_has_every_command_and_its_options() -> None:
    page = make_manpage.manpage(build_parser())
    for name, parser in make_manpage.commands(build_parser()):
        assert f".SS {make_manpage.roff_text(name)}" in page
        for action in parser._actions:
            for option in action.option_strings:
                assert make_manpage.roff_text(option) in page, (name, option)
    assert [name for name, _ in make_manpage.commands(build_parser())] == list(COMMANDS)
    for code in MEANINGS:
        assert f"\\fB{int(code)}\\fR" in page
