"""The app's one translation mechanism: Python's gettext, Qt-free, so the notification texts and the command
line read in the same language as the windows.

Code marks a message with ``_("Save")``, a count with ``ngettext("1 event", "{n} events", n)`` (the catalog
holds as many plural forms as the language has) and a word that reads two ways in English with
``pgettext("button", "Close")``. Messages are ``str.format`` templates with named fields, so a translation may
move them. A text kept in a module-level table is marked with :func:`N_` and translated where it is shown,
after the language has been chosen.

The language comes from the environment the way gettext reads it (``LANGUAGE``, a list, then the first set of
``LC_ALL``, ``LC_MESSAGES``, ``LANG``), unless the user picked one in Settings. Catalogs live beside this
module (``locale/<lang>/LC_MESSAGES/klen_desktop.po``); the compiled ``.mo`` is built by ``make translations``
and ``make run`` and by the packaging (which ships the ``.mo`` alone), and where it is missing or older than its
``.po`` (a fresh clone) the ``.po`` is compiled in memory at start, so a stale binary is never read.

``qps`` is a pseudo-language: every message longer and accented (``[Ŝàvé ~]``), to find unwrapped text and
labels too narrow for a longer language.
"""

from __future__ import annotations

import gettext
import io
import math
import os
import re
from collections.abc import Mapping
from pathlib import Path

DOMAIN = "klen_desktop"
LOCALE_DIR = Path(__file__).with_name("locale")
SOURCE_LANGUAGE = "en"
PSEUDO_LANGUAGE = "qps"
# The choices of Settings, each named in its own language (a user who cannot read the current one finds theirs).
LANGUAGE_NAMES = {"": "System", "en": "English", "de": "Deutsch"}

_ENVIRONMENT = ("LC_ALL", "LC_MESSAGES", "LANG")
_active: gettext.NullTranslations | None = None
_language = SOURCE_LANGUAGE


def translated_languages() -> list[str]:
    """The languages with a catalog in the package (besides the source language, English)."""
    if not LOCALE_DIR.is_dir():
        return []
    folders = (p / "LC_MESSAGES" for p in LOCALE_DIR.iterdir())
    return sorted(f.parent.name for f in folders if (f / f"{DOMAIN}.po").exists() or (f / f"{DOMAIN}.mo").exists())


def _candidates(value: str) -> list[str]:
    """``de_DE.UTF-8@euro`` → ``["de_DE", "de"]``; the C locale names English."""
    code = value.split(".", 1)[0].split("@", 1)[0].strip()
    if code in {"", "C", "POSIX"}:
        return [SOURCE_LANGUAGE]
    return [code, code.split("_", 1)[0]] if "_" in code else [code]


def language_from_environment(env: Mapping[str, str] | None = None) -> str:
    """The language the environment asks for, among those the app has; English when none of them."""
    env = os.environ if env is None else env
    known = {SOURCE_LANGUAGE, PSEUDO_LANGUAGE, *translated_languages()}
    wanted = [part for part in env.get("LANGUAGE", "").split(":") if part]
    first_set = next((env[name] for name in _ENVIRONMENT if env.get(name)), "")
    for value in (*wanted, first_set):
        for code in _candidates(value):
            if code in known:
                return code
    return SOURCE_LANGUAGE


def catalog(language: str) -> gettext.NullTranslations:
    """The translations of ``language``: its compiled catalog, or its ``.po`` compiled now when that is newer."""
    if language == PSEUDO_LANGUAGE:
        return PseudoTranslations()
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as binary:
            return gettext.GNUTranslations(binary)  # a build, or a clone after `make translations`
    if po.exists():
        from klen_desktop.po_files import compile_po  # only without a compiled catalog: a fresh clone

        return gettext.GNUTranslations(io.BytesIO(compile_po(po.read_text(encoding="utf-8"))))
    return gettext.NullTranslations()


def install(language: str | None = None) -> str:
    """Use ``language`` (``None`` or ``""``: the environment's) for every message from now on; returns it."""
    global _active, _language
    _language = language or language_from_environment()
    _active = catalog(_language)
    # argparse asks Python's global gettext for its own words ("usage: ", "options"): the documented way to
    # translate them is to make this catalog the global domain. That reads the compiled .mo, in the language
    # of the environment, as a command line's --help should.
    gettext.bindtextdomain(DOMAIN, str(LOCALE_DIR))
    gettext.textdomain(DOMAIN)
    return _language


def current_language() -> str:
    """The language messages are in: ``en``, ``de``, ``qps``…"""
    if _active is None:
        install()
    return _language


def _catalog() -> gettext.NullTranslations:
    if _active is None:
        install()
    assert _active is not None
    return _active


def _(message: str) -> str:
    """``message`` in the user's language."""
    return _catalog().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a message for the count ``n``, in the user's language (fill ``{n}`` with ``.format``)."""
    return _catalog().ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` in the user's language, where ``context`` says which of its English senses is meant."""
    return _catalog().pgettext(context, message)


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    """:func:`ngettext` with a context (see :func:`pgettext`)."""
    return _catalog().npgettext(context, singular, plural, n)


def N_(message: str) -> str:
    """Mark ``message`` for translation where it is defined; :func:`_` translates it where it is shown."""
    return message


# The words of argparse's --help and errors, so the catalog holds them (see :func:`install`).
ARGPARSE_WORDS = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("%(prog)s: error: %(message)s\n"),
    N_("unrecognized arguments: %s"),
    N_("the following arguments are required: %s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("expected one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("invalid %(type)s value: %(value)r"),
)

_ACCENTS = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "àƀçđéƒĝĥîĵķĺɱñöþʠŕšţûṽŵẋýžÀƁÇĐÉƑĜĤÎĴĶĹṀÑÖÞǪŔŠŢÛṼŴẊÝŽ",
)
# What must reach the program as written: format fields, %-fields, Qt's mnemonic, markup tags, entities.
_KEPT = re.compile(r"\{[^{}]*\}|%\(\w+\)[sd]|%[sd]|&&|&\w|<[^<>]*>|&\w+;")


def pseudo(message: str) -> str:
    """``message`` accented and about 40 % longer, its fields and mnemonic kept: ``Save`` → ``[Šàṽé ~]``."""
    text = message.strip()
    if not text:
        return message
    parts: list[str] = []
    last = 0
    for kept in _KEPT.finditer(text):
        parts += [text[last : kept.start()].translate(_ACCENTS), kept.group()]
        last = kept.end()
    parts.append(text[last:].translate(_ACCENTS))
    # Words of tildes, so a long message still wraps where a real translation's words would.
    tildes = max(1, math.ceil(len(text) * 0.4) - 3)
    padding = " ".join("~" * min(5, tildes - i) for i in range(0, tildes, 5))
    lead, trail = message[: len(message) - len(message.lstrip())], message[len(message.rstrip()) :]
    return f"{lead}[{''.join(parts)} {padding}]{trail}"


class PseudoTranslations(gettext.NullTranslations):
    """The pseudo-language ``qps``: every English message through :func:`pseudo`."""

    def gettext(self, message: str) -> str:
        return pseudo(message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return pseudo(msgid1 if n == 1 else msgid2)

    def pgettext(self, context: str, message: str) -> str:  # noqa: ARG002
        return pseudo(message)

    def npgettext(self, context: str, msgid1: str, msgid2: str, n: int) -> str:  # noqa: ARG002
        return pseudo(msgid1 if n == 1 else msgid2)
