"""The catalogs of the app's messages: extract them from the code, update each language's ``.po``, compile ``.mo``.

``make translations`` runs ``update`` then ``compile``. Standard library only, with the app's own compiler
(:mod:`klen_desktop.po_files`), so the build and a fresh clone need nothing more.

    python packaging/translations.py extract            # klen_desktop/locale/klen_desktop.pot
    python packaging/translations.py update             # every .po: new messages added empty, gone ones dropped
    python packaging/translations.py compile            # every .po → .mo beside it
    python packaging/translations.py new fr             # start a catalog for French

Messages are the literal first arguments of ``_``, ``N_``, ``ngettext``, ``pgettext`` and ``npgettext`` in
``klen_desktop`` (the emulator aside: it is a test server, not the product). A ``# Translators:`` comment on
the line before a message goes into the catalog for the translator.
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from klen_desktop.i18n import DOMAIN, LOCALE_DIR  # noqa: E402
from klen_desktop.po_files import PoEntry, compile_po, read_po  # noqa: E402

PACKAGE = ROOT / "klen_desktop"
SKIPPED = ("emulator",)
TEMPLATE = LOCALE_DIR / f"{DOMAIN}.pot"
PLURAL_FORMS = {"de": "nplurals=2; plural=(n != 1);", "en": "nplurals=2; plural=(n != 1);"}
LANGUAGE_TEAMS = {"de": "German"}
_FIELD = re.compile(r"\{[^{}]*\}")

# name → (index of msgid, index of plural or None, index of context or None)
_KEYWORDS: dict[str, tuple[int, int | None, int | None]] = {
    "_": (0, None, None),
    "N_": (0, None, None),
    "ngettext": (0, 1, None),
    "pgettext": (1, None, 0),
    "npgettext": (1, 2, 0),
}


@dataclass
class Message:
    msgid: str
    plural: str = ""
    context: str | None = None
    places: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple[str | None, str]:
        return self.context, self.msgid


def _literal(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def source_files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if not any(part in SKIPPED for part in p.parts))


def extract(files: list[Path] | None = None) -> list[Message]:
    """Every message in the code, in the order of first appearance."""
    found: dict[tuple[str | None, str], Message] = {}
    for path in files or source_files():
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        for node in ast.walk(ast.parse(text)):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _KEYWORDS):
                continue
            at, plural_at, context_at = _KEYWORDS[node.func.id]
            if len(node.args) <= at:
                continue
            msgid = _literal(node.args[at])
            plural = _literal(node.args[plural_at]) if plural_at is not None else ""
            context = _literal(node.args[context_at]) if context_at is not None else None
            if msgid is None or plural is None or (context_at is not None and context is None):
                continue  # a variable: the literal it holds was marked where it was written
            message = found.setdefault((context, msgid), Message(msgid, plural, context))
            message.places.append(f"{path.relative_to(ROOT).as_posix()}:{node.lineno}")
            before = lines[node.lineno - 2].strip() if node.lineno > 1 else ""
            if before.startswith("# Translators:") and before[2:] not in message.notes:
                message.notes.append(before[2:])
    return sorted(found.values(), key=lambda m: (m.places[0].split(":")[0], int(m.places[0].split(":")[1])))


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\n", "\\n")
    return f'"{escaped}"'


def _field(keyword: str, text: str) -> list[str]:
    if "\\n" in _quote(text)[1:-1] and len(text) > 1:
        parts = text.splitlines(keepends=True)
        return [f'{keyword} ""', *(_quote(p) for p in parts)]
    return [f"{keyword} {_quote(text)}"]


def _header(language: str | None) -> str:
    lines = [
        "Project-Id-Version: klen-desktop",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=UTF-8",
        "Content-Transfer-Encoding: 8bit",
    ]
    if language:
        lines += [
            f"Language: {language}",
            f"Plural-Forms: {PLURAL_FORMS.get(language, 'nplurals=2; plural=(n != 1);')}",
        ]
    return "".join(line + "\n" for line in lines)


def render(messages: list[Message], translations: dict[tuple[str | None, str], PoEntry], language: str | None) -> str:
    """A ``.po`` (or with no language, the ``.pot``) of ``messages``, each with its translation if it has one."""
    out = ["# Messages of Klen Desktop. Update with `make translations`; see README, Languages.", ""]
    out += ['msgid ""', 'msgstr ""', *(_quote(line) for line in _header(language).splitlines(keepends=True))]
    for message in messages:
        out.append("")
        out += [f"#. {note}" for note in message.notes]
        out.append("#: " + " ".join(message.places[:4]))
        old = translations.get(message.key)
        flags = ["python-brace-format"] if _FIELD.search(message.msgid + message.plural) else []
        if old is not None and old.fuzzy:
            flags.insert(0, "fuzzy")
        if flags:
            out.append("#, " + ", ".join(flags))
        if message.context is not None:
            out += _field("msgctxt", message.context)
        out += _field("msgid", message.msgid)
        if message.plural:
            out += _field("msgid_plural", message.plural)
            for form in (0, 1):
                out += _field(f"msgstr[{form}]", old.msgstr.get(form, "") if old else "")
        else:
            out += _field("msgstr", old.msgstr.get(0, "") if old else "")
    return "\n".join(out) + "\n"


def catalog_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def languages() -> list[str]:
    return sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def update(language: str, messages: list[Message]) -> None:
    path = catalog_path(language)
    old = {(e.msgctxt, e.msgid): e for e in read_po(path.read_text(encoding="utf-8"))} if path.exists() else {}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(messages, old, language), encoding="utf-8")


def compile_catalog(language: str) -> Path:
    po = catalog_path(language)
    mo = po.with_suffix(".mo")
    mo.write_bytes(compile_po(po.read_text(encoding="utf-8")))
    return mo


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "update"
    if command == "extract":
        TEMPLATE.write_text(render(extract(), {}, None), encoding="utf-8")
    elif command == "update":
        messages = extract()
        for language in languages():
            update(language, messages)
    elif command == "new" and len(argv) == 2:
        update(argv[1], extract())
    elif command == "compile":
        for language in languages():
            print(compile_catalog(language).relative_to(ROOT))  # noqa: T201
    else:
        print(__doc__)  # noqa: T201
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
