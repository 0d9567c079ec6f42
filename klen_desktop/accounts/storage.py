"""The accounts file: ``accounts.json`` beside the settings, never holding a key (those are in the keyring).

Reading never fails the app: a missing file is ``None`` (the caller migrates, see
:mod:`klen_desktop.accounts.migration`); a file that is not a JSON object is set aside as ``accounts.json.bad``
and read as missing, so the first account is rebuilt from the entry and cache the app has always used; one
unreadable account record is skipped with a warning and the others are kept. Writing is atomic and 0600.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from pathlib import Path
from typing import Any

from klen_desktop.accounts.model import Account, AccountError, checked_account
from klen_desktop.accounts.registry import AccountRegistry
from klen_desktop.paths import config_dir, data_dir, set_aside, write_private_file

log = logging.getLogger(__name__)

ACCOUNTS_FILENAME = "accounts.json"
ACCOUNTS_VERSION = 1
_TEXT_FIELDS = ("id", "name", "colour", "key_entry", "cache_file")


def accounts_path() -> Path:
    """``accounts.json`` in the per-user configuration folder (created 0700)."""
    return config_dir() / ACCOUNTS_FILENAME


def cache_path_of(account: Account) -> Path:
    """The account's cache database in the user data folder (the folder is created; the file is not)."""
    return data_dir() / account.cache_file


def _account(record: Any) -> Account:
    if not isinstance(record, dict):
        raise AccountError("an account record is not an object")
    values: dict[str, str] = {}
    for name in _TEXT_FIELDS:
        value = record.get(name)
        if not isinstance(value, str):
            raise AccountError(f"an account record lacks its {name}")
        values[name] = value
    base_url = record.get("base_url")
    demo = record.get("demo", False)
    if not (base_url is None or isinstance(base_url, str)) or not isinstance(demo, bool):
        raise AccountError("an account record has a service address or demo flag of the wrong type")
    return checked_account(Account(**values, base_url=base_url, demo=demo))


def load_accounts(path: Path | None = None) -> AccountRegistry | None:
    """The saved accounts, or None when there is no readable accounts file (never raises)."""
    path = accounts_path() if path is None else path
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("accounts: cannot read %s (%s)", path, type(exc).__name__)
        return None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        data = None
    records = data.get("accounts") if isinstance(data, dict) else None
    if not isinstance(records, list):
        set_aside(path, "accounts")
        return None
    registry = AccountRegistry()
    for record in records:
        try:
            registry = registry.with_account(_account(record))
        except AccountError as exc:
            log.warning("accounts: skipping an account record: %s", exc.message)
    return registry


def save_accounts(registry: AccountRegistry, path: Path | None = None) -> None:
    """Write the accounts atomically (0600). Raises OSError when the disk refuses."""
    path = accounts_path() if path is None else path
    payload = {"version": ACCOUNTS_VERSION, "accounts": [asdict(account) for account in registry]}
    write_private_file(path, json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    log.info("accounts saved to %s (%d)", path, len(registry))
