"""The catalogs are complete and sound: every message of the code is in each .po, translated, not fuzzy, its
fields and mnemonic kept, and the compiled catalog reads back as the .po says."""

from __future__ import annotations

import gettext
import io
import re

import pytest
from translations import catalog_path, extract, languages

from klen_desktop.i18n import translated_languages
from klen_desktop.po_files import PoEntry, compile_po, read_po

FIELD = re.compile(r"\{[^{}]*\}|%\(\w+\)[sdr]|%[sdr]")  # str.format fields and argparse's %-fields
MNEMONIC = re.compile(r"&(?!&)(\w)")
LANGUAGES = languages()


def entries(language: str) -> dict[tuple[str | None, str], PoEntry]:
    return {(e.msgctxt, e.msgid): e for e in read_po(catalog_path(language).read_text(encoding="utf-8")) if e.msgid}


def test_german_is_a_language_of_the_app() -> None:
    assert translated_languages() == LANGUAGES and "de" in LANGUAGES


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_of_the_code_is_in_the_catalog_and_nothing_else(language: str) -> None:
    in_code = {m.key for m in extract()}
    in_catalog = set(entries(language))
    assert sorted(in_code - in_catalog, key=str) == [], "run `make translations` and translate the new messages"
    assert sorted(in_catalog - in_code, key=str) == [], "run `make translations` to drop messages the code lost"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(language: str) -> None:
    untranslated = [e.msgid for e in entries(language).values() if not e.translated()]
    fuzzy = [e.msgid for e in entries(language).values() if e.fuzzy]
    assert untranslated == [] and fuzzy == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_fields_and_the_mnemonic_of_their_message(language: str) -> None:
    for entry in entries(language).values():
        fields = sorted(set(FIELD.findall(entry.msgid + entry.msgid_plural)))
        for form, text in entry.msgstr.items():
            # A singular may name its count in words ("am nächsten Tag"); every other field must be kept.
            expected = [f for f in fields if not (f == "{n}" and form == 0 and entry.msgid_plural)]
            assert set(expected) <= set(FIELD.findall(text)) <= set(fields), f"{entry.msgid!r} → {text!r}"
            assert len(MNEMONIC.findall(text)) == len(MNEMONIC.findall(entry.msgid)), f"{entry.msgid!r} → {text!r}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalog_reads_back_every_translation(language: str) -> None:
    text = catalog_path(language).read_text(encoding="utf-8")
    compiled = gettext.GNUTranslations(io.BytesIO(compile_po(text)))
    for entry in entries(language).values():
        if entry.msgid_plural:
            for n, form in ((1, 0), (2, 1), (5, 1)):
                got = (
                    compiled.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
                    if entry.msgctxt
                    else compiled.ngettext(entry.msgid, entry.msgid_plural, n)
                )
                assert got == entry.msgstr[form]
        else:
            got = compiled.pgettext(entry.msgctxt, entry.msgid) if entry.msgctxt else compiled.gettext(entry.msgid)
            assert got == entry.msgstr[0]


def test_a_fuzzy_entry_is_left_out_of_the_compiled_catalog() -> None:
    text = """msgid ""
msgstr "Content-Type: text/plain; charset=UTF-8\\nPlural-Forms: nplurals=2; plural=(n != 1);\\n"

#, fuzzy
msgid "Save"
msgstr "Sichern"

msgctxt "button"
msgid "Close"
msgstr "Schließen"
"""
    compiled = gettext.GNUTranslations(io.BytesIO(compile_po(text)))
    assert compiled.gettext("Save") == "Save"
    assert compiled.pgettext("button", "Close") == "Schließen"
