"""Write the .deb's changelog.Debian from the <releases> of the AppStream metainfo: one place for release notes.

Usage: python packaging/debian_changelog.py DEBIAN_REVISION OUT   (packaging/linux/build_deb.sh gzips it)

Each <release> becomes one entry, newest first, version ``VERSION-REVISION`` (the package's own revision on top of
the app's version), dated at noon UTC of the release date, its description's paragraphs and list items as bullets
wrapped to Debian's 80 columns.
"""

from __future__ import annotations

import sys
import textwrap
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

METAINFO = Path(__file__).resolve().parents[1] / "resources" / "linux" / "ai.klen.desktop.metainfo.xml"
PACKAGE = "klen-desktop"
MAINTAINER = "Klen Desktop developers <desktop@klen.ai>"


def bullets(release: ET.Element) -> list[str]:
    items = [" ".join("".join(node.itertext()).split()) for node in release.iter() if node.tag in ("p", "li")]
    return [item for item in items if item] or ["New release."]


def entry(release: ET.Element, revision: str) -> str:
    version = f"{release.get('version')}-{revision}"
    when = datetime.strptime(release.get("date", ""), "%Y-%m-%d").replace(hour=12, tzinfo=UTC)
    lines = [f"{PACKAGE} ({version}) unstable; urgency=medium", ""]
    for item in bullets(release):
        lines += textwrap.wrap(item, width=78, initial_indent="  * ", subsequent_indent="    ")
    lines += ["", f" -- {MAINTAINER}  {format_datetime(when)}"]
    return "\n".join(lines) + "\n"


def changelog(revision: str, metainfo: Path = METAINFO) -> str:
    releases = list(ET.parse(metainfo).getroot().iter("release"))
    if not releases:
        raise SystemExit(f"{metainfo.name} has no <release>")
    return "\n".join(entry(release, revision) for release in releases)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        sys.stderr.write(__doc__.strip().splitlines()[2] + "\n")
        return 2
    Path(argv[1]).write_text(changelog(argv[0]), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
