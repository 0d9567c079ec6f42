"""The list of accounts: adding, renaming, recolouring and removing, and the accounts file that keeps it."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from klen_desktop.accounts.migration import accounts_at_start, first_account
from klen_desktop.accounts.model import PALETTE, AccountError
from klen_desktop.accounts.registry import AccountRegistry
from klen_desktop.accounts.storage import load_accounts, save_accounts
from klen_desktop.paths import DATABASE_FILENAME
from klen_desktop.secrets import ACCOUNT_NAME


def test_a_new_account_gets_its_own_number_key_entry_cache_and_colour() -> None:
    registry = AccountRegistry((first_account(),))
    second = registry.new_account("Acme Dental")
    registry = registry.with_account(second)
    third = registry.new_account("Acme Dental")

    assert (second.id, second.key_entry, second.cache_file) == ("2", "account:2", "cache-2.sqlite3")
    assert third.name == "Acme Dental 2"  # two accounts of one name could not be told apart in a notification
    assert len({first_account().colour, second.colour, third.colour}) == 3
    assert third.colour in PALETTE


def test_one_account_is_never_named_several_are() -> None:
    one = AccountRegistry((first_account(),))
    two = one.with_account(one.new_account("Studio North"))

    assert one.label("1") == ""
    assert (two.label("1"), two.label("2")) == ("Klen", "Studio North")


def test_rename_and_recolour_check_what_the_user_typed() -> None:
    registry = AccountRegistry((first_account(),))
    registry = registry.with_account(registry.new_account("Studio North"))

    assert registry.renamed("2", "  Studio South ").get("2").name == "Studio South"
    assert registry.recoloured("2", "#ABCDEF").get("2").colour == "#abcdef"
    with pytest.raises(AccountError, match="called 'klen' already"):
        registry.renamed("2", "klen")
    with pytest.raises(AccountError, match="needs a name"):
        registry.renamed("2", "   ")
    with pytest.raises(AccountError, match="one line"):
        registry.renamed("2", "two\nlines")
    with pytest.raises(AccountError, match="#rrggbb"):
        registry.recoloured("2", "red")
    with pytest.raises(AccountError, match="no longer exists"):
        registry.without("7")


def test_the_demo_calendar_is_one_account_among_others_and_only_once() -> None:
    registry = AccountRegistry((first_account(),))
    registry = registry.with_account(registry.new_demo())

    demo = registry.get("demo")
    assert demo.demo and demo.key_entry == "" and demo.cache_file == "demo-cache.sqlite3"
    with pytest.raises(AccountError, match="already"):
        registry.new_demo()


def test_the_accounts_file_round_trips_private_and_without_any_key(tmp_path: Path) -> None:
    path = tmp_path / "config" / "accounts.json"
    registry = AccountRegistry((first_account(),))
    registry = registry.with_account(registry.new_account("Zahnarztpraxis Müller", base_url="https://eu.klen.ai"))

    save_accounts(registry, path)

    assert load_accounts(path) == registry
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "klen_" not in path.read_text(encoding="utf-8")


def test_a_record_pointing_outside_the_data_folder_is_skipped_the_others_kept(tmp_path: Path) -> None:
    path = tmp_path / "accounts.json"
    good = {"id": "1", "name": "Klen", "colour": "#0072b2", "key_entry": ACCOUNT_NAME, "cache_file": DATABASE_FILENAME}
    bad = {**good, "id": "2", "name": "Evil", "cache_file": "../../.bashrc.sqlite3"}
    path.write_text(json.dumps({"version": 1, "accounts": [good, bad, "junk"]}), encoding="utf-8")

    loaded = load_accounts(path)

    assert loaded is not None and [account.id for account in loaded] == ["1"]


def test_an_unreadable_accounts_file_is_set_aside_and_the_first_account_rebuilt(tmp_path: Path) -> None:
    path = tmp_path / "accounts.json"
    path.write_text("{not json", encoding="utf-8")

    registry = accounts_at_start(path)

    assert list(registry) == [first_account()]
    assert (tmp_path / "accounts.json.bad").read_text(encoding="utf-8") == "{not json"
    assert load_accounts(path) == registry


def test_the_first_account_keeps_the_key_entry_and_cache_file_of_before_accounts(tmp_path: Path) -> None:
    registry = accounts_at_start(tmp_path / "accounts.json")

    (account,) = registry
    assert (account.key_entry, account.cache_file, account.demo) == (ACCOUNT_NAME, DATABASE_FILENAME, False)
    assert accounts_at_start(tmp_path / "accounts.json") == registry  # saved: the second start reads it back


def test_a_list_left_without_a_keyed_account_gets_the_first_account_back_in_front(tmp_path: Path) -> None:
    path = tmp_path / "accounts.json"
    only_demo = AccountRegistry((first_account(),))
    only_demo = only_demo.with_account(only_demo.new_demo()).without("1")
    save_accounts(only_demo, path)

    registry = accounts_at_start(path)

    assert [account.id for account in registry] == ["1", "demo"]
    assert load_accounts(path) == registry
