"""The accounts at start: the saved ones, or, on the first start of this version, the install's one account.

Before accounts existed the app had one key, under the keyring entry :data:`~klen_desktop.secrets.ACCOUNT_NAME`,
and one cache, ``cache.sqlite3`` (events, details, the outbox of unsent changes, the reminder log). The first
account keeps both where they are: nothing is copied, so nothing can be lost half-way, the cache is not
downloaded again and every queued change is still sent. Only ``accounts.json`` is new. A start that cannot save
that file (a read-only folder) still runs with the same first account and tries again next time.
"""

from __future__ import annotations

import logging
from pathlib import Path

from klen_desktop.accounts.model import PALETTE, Account
from klen_desktop.accounts.registry import AccountRegistry
from klen_desktop.accounts.storage import load_accounts, save_accounts
from klen_desktop.key_helper_runs import ACCOUNT_NAME
from klen_desktop.paths import DATABASE_FILENAME

log = logging.getLogger(__name__)

FIRST_ACCOUNT_ID = "1"
FIRST_ACCOUNT_NAME = "Klen"


def first_account() -> Account:
    """The account of an install from before accounts: its keyring entry and cache file, as they were."""
    return Account(
        id=FIRST_ACCOUNT_ID,
        name=FIRST_ACCOUNT_NAME,
        colour=PALETTE[0],
        key_entry=ACCOUNT_NAME,
        cache_file=DATABASE_FILENAME,
    )


def accounts_at_start(path: Path | None = None) -> AccountRegistry:
    """The saved accounts; with none saved (first start, or an unreadable file set aside), the first account. A
    list without a keyed account (an edited file) gets the first account back in front: the app always has one,
    whose key the Account tab holds."""
    saved = load_accounts(path) or AccountRegistry()
    if any(not account.demo for account in saved):
        return saved
    registry = AccountRegistry((first_account(), *saved))
    try:
        save_accounts(registry, path)
    except OSError as exc:
        log.warning("accounts: could not save the first account (%s); trying again at the next start", exc)
    return registry


def shown_first(accounts: AccountRegistry | None) -> Account:
    """The account the app shows first: the first with a key entry, else the first account of an install from
    before accounts (whose key entry it has)."""
    return next((account for account in accounts or () if not account.demo), first_account())
