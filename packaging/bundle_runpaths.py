"""Native libraries of the bundle must not search the build machine: find and remove such RUNPATH/RPATH entries.

PyInstaller copies libpython and Python's extension modules as they are, with the RUNPATH of the Python they
came from (``/root/.pyenv/versions/3.11.7/lib`` and the like). On a user's machine that folder does not exist,
or worse, holds another Python's libraries that would be loaded first. Entries relative to ``$ORIGIN`` that stay
inside the bundle are kept (Qt's plugins find Qt that way); every other entry is removed.

    python packaging/bundle_runpaths.py check BUNDLE   # list offending files; exit 1 when there is one
    python packaging/bundle_runpaths.py fix BUNDLE     # rewrite them with patchelf, then check again

Needs ``readelf`` (binutils) and, for ``fix``, ``patchelf`` (Debian: apt-get install patchelf).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

ELF_MAGIC = b"\x7fELF"
_DYNAMIC_PATH = re.compile(r"\((RUNPATH|RPATH)\)\s+Library (?:runpath|rpath): \[(.*)\]")


@dataclass(frozen=True)
class SearchPath:
    file: Path
    kind: str  # RUNPATH or RPATH
    entries: tuple[str, ...]


def elf_files(bundle: Path) -> Iterator[Path]:
    for path in sorted(bundle.rglob("*")):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as handle:
                if handle.read(4) == ELF_MAGIC:
                    yield path


def search_paths(path: Path) -> list[SearchPath]:
    """The RUNPATH and RPATH entries of one ELF file, as ``readelf -d`` shows them."""
    out = subprocess.run(
        ["readelf", "-d", str(path)], capture_output=True, text=True, timeout=60, check=True, env={"LC_ALL": "C"}
    ).stdout
    return [
        SearchPath(path, kind, tuple(entry for entry in value.split(":") if entry))
        for kind, value in _DYNAMIC_PATH.findall(out)
    ]


def inside_bundle(entry: str, file: Path, bundle: Path) -> bool:
    """Whether one search path entry of ``file`` points into ``bundle``: only ``$ORIGIN``-relative ones can."""
    for origin in ("$ORIGIN", "${ORIGIN}"):
        if entry == origin or entry.startswith(origin + "/"):
            target = Path(os.path.normpath(str(file.parent) + entry[len(origin) :]))
            return target == bundle or bundle in target.parents
    return False


def outside_entries(bundle: Path) -> list[tuple[SearchPath, tuple[str, ...]]]:
    """Every file with search path entries that leave the bundle, and those entries."""
    bundle = bundle.resolve()
    found = []
    for file in elf_files(bundle):
        for search in search_paths(file):
            outside = tuple(entry for entry in search.entries if not inside_bundle(entry, file, bundle))
            if outside:
                found.append((search, outside))
    return found


def fix(bundle: Path) -> int:
    """Remove the entries that leave the bundle; returns how many files were rewritten."""
    rewritten = 0
    for search, outside in outside_entries(bundle):
        kept = [entry for entry in search.entries if entry not in outside]
        if kept:
            command = ["patchelf", "--set-rpath", ":".join(kept), str(search.file)]
        else:
            command = ["patchelf", "--remove-rpath", str(search.file)]
        subprocess.run(command, check=True, timeout=60)
        rewritten += 1
    return rewritten


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2 or args[0] not in ("check", "fix"):
        sys.stderr.write("usage: bundle_runpaths.py check|fix BUNDLE\n")
        return 2
    bundle = Path(args[1])
    if args[0] == "fix":
        sys.stdout.write(f"bundle_runpaths: removed search paths outside the bundle from {fix(bundle)} files\n")
    offending = outside_entries(bundle)
    for search, outside in offending:
        sys.stderr.write(f"{search.file}: {search.kind} {':'.join(outside)} points outside the bundle\n")
    return 1 if offending else 0


if __name__ == "__main__":
    sys.exit(main())
