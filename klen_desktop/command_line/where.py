"""Which calendar a command is for, as the command line was asked."""

from __future__ import annotations

from klen_desktop.records import record


@record
class Where:
    demo: bool
    base_url: str
    account: str | None = None  # the account's id (command_line.account_choice); None: the first
