"""Which Klen account a command is for: ``--account`` names one by its name or its number, as Settings lists them;
without it, the first account (the one an install from before accounts became)."""

from __future__ import annotations

from klen_desktop.accounts.migration import first_account
from klen_desktop.accounts.model import Account
from klen_desktop.accounts.storage import load_accounts
from klen_desktop.i18n import _


class UnknownAccount(LookupError):
    """``--account`` named no account; ``message`` lists the ones there are."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def accounts() -> list[Account]:
    """The accounts as the app keeps them (read only: the app writes the list), the first account when none is saved."""
    registry = load_accounts()
    listed = list(registry) if registry is not None else []
    return listed if any(not account.demo for account in listed) else [first_account(), *listed]


def chosen_account(wanted: str | None) -> Account:
    """The account ``wanted`` names (its number, or its name in any case), the first keyed one for None."""
    listed = accounts()
    if wanted is None:
        return next(account for account in listed if not account.demo)
    text = wanted.strip()
    for account in listed:
        if account.id == text or account.name.casefold() == text.casefold():
            return account
    names = ", ".join(f"{account.id} ({account.name})" for account in listed)
    raise UnknownAccount(
        _("No account is called {name!r}; the accounts are: {names}.").format(name=wanted, names=names)
    )
