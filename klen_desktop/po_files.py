"""Gettext catalogs read and compiled with the standard library alone: ``.po`` text → the ``.mo`` binary that
:class:`gettext.GNUTranslations` reads. The running app compiles a catalog whose ``.mo`` is missing or stale
(a fresh clone) with it, and ``make translations`` writes the ``.mo`` files with it, so there is one compiler.

Entries marked fuzzy are left out, as ``msgfmt`` does: a guess is not shown to the user.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

_CONTEXT_SEPARATOR = "\x04"  # between msgctxt and msgid in a .mo key (gettext's convention)
_PLURAL_SEPARATOR = "\x00"


@dataclass
class PoEntry:
    """One message of a catalog."""

    msgid: str = ""
    msgid_plural: str = ""
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # by plural form; form 0 alone without a plural
    fuzzy: bool = False

    def key(self) -> str:
        text = self.msgid + (_PLURAL_SEPARATOR + self.msgid_plural if self.msgid_plural else "")
        return text if self.msgctxt is None else self.msgctxt + _CONTEXT_SEPARATOR + text

    def value(self) -> str:
        return _PLURAL_SEPARATOR.join(self.msgstr[i] for i in sorted(self.msgstr))

    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values())


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def _unquote(text: str) -> str:
    """The string of a quoted .po line, its C escapes (``\\n``, ``\\"``, ``\\\\``) undone."""
    text = text.strip()
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise ValueError(f"not a quoted string: {text!r}")
    out: list[str] = []
    chars = iter(text[1:-1])
    for ch in chars:
        out.append(_ESCAPES.get(next(chars, ""), "") if ch == "\\" else ch)
    return "".join(out)


def read_po(text: str) -> list[PoEntry]:
    """The entries of a ``.po`` file, the header (``msgid ""``) first; obsolete (``#~``) entries left out."""
    entries: list[PoEntry] = []
    entry = PoEntry()
    target = ("msgid", 0)
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#"):
            if entry.msgstr:  # a comment after a msgstr starts the next entry
                entries.append(entry)
                entry = PoEntry()
            entry.fuzzy |= line.startswith("#,") and "fuzzy" in line[2:].replace(",", " ").split()
            continue
        if line.startswith('"'):
            _append(entry, target, _unquote(line))
            continue
        keyword, _, rest = line.partition(" ")
        if keyword in ("msgctxt", "msgid") and entry.msgstr:
            entries.append(entry)
            entry = PoEntry()
        target = ("msgstr", int(keyword[7:-1])) if keyword.startswith("msgstr[") else (keyword, 0)
        _append(entry, target, _unquote(rest), new=True)
    if entry.msgstr:
        entries.append(entry)
    return entries


def _append(entry: PoEntry, target: tuple[str, int], text: str, new: bool = False) -> None:
    name, form = target
    if name == "msgid":
        entry.msgid = text if new else entry.msgid + text
    elif name == "msgid_plural":
        entry.msgid_plural = text if new else entry.msgid_plural + text
    elif name == "msgctxt":
        entry.msgctxt = text if new else (entry.msgctxt or "") + text
    elif name == "msgstr":
        entry.msgstr[form] = text if new else entry.msgstr.get(form, "") + text
    else:
        raise ValueError(f"unknown keyword in a .po file: {name}")


def compile_po(text: str) -> bytes:
    """The ``.mo`` binary of a ``.po`` text: translated entries that are not fuzzy, and the header."""
    messages = {
        e.key().encode(): e.value().encode() for e in read_po(text) if (e.msgid == "" or not e.fuzzy) and e.translated()
    }
    keys = sorted(messages)
    ids = b"".join(k + b"\0" for k in keys)
    strs = b"".join(messages[k] + b"\0" for k in keys)
    header_size = 7 * 4
    table_size = len(keys) * 8
    ids_start = header_size + 2 * table_size
    strs_start = ids_start + len(ids)
    id_table, str_table = [], []
    id_offset = str_offset = 0
    for k in keys:
        id_table += [len(k), ids_start + id_offset]
        str_table += [len(messages[k]), strs_start + str_offset]
        id_offset += len(k) + 1
        str_offset += len(messages[k]) + 1
    header = struct.pack("<7I", 0x950412DE, 0, len(keys), header_size, header_size + table_size, 0, 0)
    tables = struct.pack(f"<{len(id_table)}I", *id_table) + struct.pack(f"<{len(str_table)}I", *str_table)
    return header + tables + ids + strs
