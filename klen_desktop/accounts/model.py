"""One Klen account as the app knows it: a name and colour for the user, a keyring entry and a cache file.

An account never holds its API key: the key lives in the OS keyring under the account's own entry
(:attr:`Account.key_entry`, read through :mod:`klen_desktop.secrets`). Each account has its own cache file, so
its events, outbox and reminder log never mix with another's; its core (poller, outbox, request budget) is its
own too, since the API's limits are per key.

Values come from a file the user could edit, so :func:`checked_account` refuses what could do harm: a cache file
name that is not a plain name in the data folder, a colour that is not ``#rrggbb``, a name with control characters.
"""

from __future__ import annotations

import re
import unicodedata

from klen_desktop.i18n import _
from klen_desktop.records import record

MAX_NAME_LENGTH = 60
# Distinct at a glance on light and dark backgrounds, and for the common colour-vision deficiencies (Okabe-Ito).
PALETTE = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000")
_COLOUR = re.compile(r"#[0-9a-f]{6}")
_ACCOUNT_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,31}")
_CACHE_FILE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,80}\.sqlite3")
_KEY_ENTRY = re.compile(r"[A-Za-z0-9][A-Za-z0-9:._-]{0,80}")


class AccountError(ValueError):
    """An account change or record that cannot be accepted; ``message`` is fit to show as it is."""

    title = "Account not changed"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@record(slots=True)
class Account:
    """One account. ``key_entry``: the keyring entry of its key ("" for the demo, which needs none).
    ``cache_file``: its cache database, a file name in the user data folder. ``base_url`` None: the live service."""

    id: str
    name: str
    colour: str
    key_entry: str
    cache_file: str
    base_url: str | None = None
    demo: bool = False


def checked_name(name: str) -> str:
    """``name`` trimmed, or :class:`AccountError` saying what is wrong with it."""
    name = name.strip()
    if not name:
        raise AccountError(_("An account needs a name, such as the business or client it books for."))
    if len(name) > MAX_NAME_LENGTH:
        raise AccountError(_("An account name has at most {n} characters.").format(n=MAX_NAME_LENGTH))
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in name):
        raise AccountError(_("An account name is one line of plain text."))
    return name


def checked_colour(colour: str) -> str:
    """``colour`` as lower-case ``#rrggbb``, or :class:`AccountError`."""
    colour = colour.strip().lower()
    if not _COLOUR.fullmatch(colour):
        raise AccountError(_("A colour is written #rrggbb, such as #0072b2."))
    return colour


def checked_account(account: Account) -> Account:
    """``account`` with its name and colour normalised; :class:`AccountError` for any value that could do harm."""
    if not _ACCOUNT_ID.fullmatch(account.id):
        raise AccountError(f"An account id is lower-case letters, digits and '-', not {account.id!r}.")
    if not _CACHE_FILE.fullmatch(account.cache_file):
        raise AccountError(f"An account's cache is a plain file name ending .sqlite3, not {account.cache_file!r}.")
    if account.demo != (account.key_entry == ""):
        raise AccountError("The demo account has no key entry, and every other account has one.")
    if account.key_entry and not _KEY_ENTRY.fullmatch(account.key_entry):
        raise AccountError(f"An account's key entry is a plain name, not {account.key_entry!r}.")
    if account.base_url is not None and not account.base_url.startswith(("https://", "http://")):
        raise AccountError("An account's service address starts with https://.")
    return Account(
        id=account.id,
        name=checked_name(account.name),
        colour=checked_colour(account.colour),
        key_entry=account.key_entry,
        cache_file=account.cache_file,
        base_url=account.base_url,
        demo=account.demo,
    )
