"""The list of accounts and the changes the user makes to it: add, rename, recolour, remove. No Qt, no disk.

Every change returns a new :class:`AccountRegistry` (the old one stays valid for whoever still reads it), so
the caller decides when the change is saved (:mod:`klen_desktop.accounts.storage`) and what runs for it.
A new account gets the next free number as its id, its own keyring entry (``account:<id>``) and its own cache
file (``cache-<id>.sqlite3``); the first account of an install (:mod:`klen_desktop.accounts.migration`) keeps the
entry and file the app used before accounts existed, so nothing moves.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from klen_desktop.accounts.model import PALETTE, Account, AccountError, checked_account, checked_colour, checked_name
from klen_desktop.i18n import _
from klen_desktop.records import record

DEMO_ACCOUNT_ID = "demo"
DEMO_CACHE_FILE = "demo-cache.sqlite3"


@record(slots=True)
class AccountRegistry:
    """The accounts, in the order the user added them."""

    accounts: tuple[Account, ...] = ()

    def __iter__(self) -> Iterator[Account]:
        return iter(self.accounts)

    def __len__(self) -> int:
        return len(self.accounts)

    @property
    def several(self) -> bool:
        """More than one account: only then does the app name the account of an event, a reminder or a problem."""
        return len(self.accounts) > 1

    def get(self, account_id: str) -> Account:
        for account in self.accounts:
            if account.id == account_id:
                return account
        raise AccountError(_("That account no longer exists; it may have been removed."))

    def label(self, account_id: str) -> str:
        """The account's name where several are shown, else "" (one account looks as it did before accounts)."""
        if not self.several:
            return ""
        return next((account.name for account in self.accounts if account.id == account_id), "")

    def new_account(self, name: str, *, colour: str | None = None, base_url: str | None = None) -> Account:
        """A new keyed account (not yet in the registry: :meth:`with_account` puts it there once its key is
        stored, so an account never exists without the key it was added with)."""
        account_id = self._next_id()
        return Account(
            id=account_id,
            name=self._unique_name(checked_name(name)),
            colour=checked_colour(colour) if colour else self._free_colour(),
            key_entry=f"account:{account_id}",
            cache_file=f"cache-{account_id}.sqlite3",
            base_url=base_url,
        )

    def new_demo(self, name: str = "Demo") -> Account:
        """The demo calendar as an account of its own (one at most)."""
        if any(account.demo for account in self.accounts):
            raise AccountError(_("The demo calendar is already one of the accounts."))
        return Account(
            id=DEMO_ACCOUNT_ID,
            name=self._unique_name(checked_name(name)),
            colour=self._free_colour(),
            key_entry="",
            cache_file=DEMO_CACHE_FILE,
            demo=True,
        )

    def with_account(self, account: Account) -> AccountRegistry:
        account = checked_account(account)
        if any(existing.id == account.id for existing in self.accounts):
            raise AccountError("An account with that id exists already.")
        return AccountRegistry((*self.accounts, account))

    def renamed(self, account_id: str, name: str) -> AccountRegistry:
        name = checked_name(name)
        if name.casefold() != self.get(account_id).name.casefold() and self._name_taken(name):
            raise AccountError(
                _("Another account is called '{name}' already; pick a name that tells them apart.").format(name=name)
            )
        return self._changed(replace(self.get(account_id), name=name))

    def recoloured(self, account_id: str, colour: str) -> AccountRegistry:
        return self._changed(replace(self.get(account_id), colour=checked_colour(colour)))

    def without(self, account_id: str) -> AccountRegistry:
        self.get(account_id)
        return AccountRegistry(tuple(account for account in self.accounts if account.id != account_id))

    def _changed(self, account: Account) -> AccountRegistry:
        return AccountRegistry(tuple(account if a.id == account.id else a for a in self.accounts))

    def _next_id(self) -> str:
        numbers = [int(account.id) for account in self.accounts if account.id.isdigit()]
        return str(max(numbers, default=0) + 1)

    def _name_taken(self, name: str) -> bool:
        return any(account.name.casefold() == name.casefold() for account in self.accounts)

    def _unique_name(self, name: str) -> str:
        if not self._name_taken(name):
            return name
        number = 2
        while self._name_taken(f"{name} {number}"):
            number += 1
        return f"{name} {number}"

    def _free_colour(self) -> str:
        used = {account.colour for account in self.accounts}
        return next((colour for colour in PALETTE if colour not in used), PALETTE[len(self.accounts) % len(PALETTE)])
