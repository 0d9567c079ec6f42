"""The .deb by Debian's own checker, and the man page it carries.

lintian runs on the built package (gated with the frozen build: KLEN_PACKAGING_TESTS=1; about 35 s on 2 cores) with
--pedantic and --display-info, and must report nothing the overrides file does not cover with a reason. The man
page is generated from the parser that answers --help, so every option --help lists must be on it, and groff must
render it without a warning.
"""

from __future__ import annotations

import gzip
import io
import re
import shutil
import subprocess
import tarfile
from pathlib import Path

import make_manpage
import pytest
from packaging_support import Artefacts, requires_packaging_run

from klen_desktop import __version__
from klen_desktop.cli import build_parser

OVERRIDES = Path(make_manpage.__file__).parent / "linux" / "debian" / "klen-desktop.lintian-overrides"


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (Debian: tests/session/system-deps.sh test installs it)")
    return path


def render(page: str, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [tool("groff"), "-man", "-ww", *options],
        input=page,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"LC_ALL": "C.UTF-8", "PATH": "/usr/bin:/bin"},
    )


def test_the_man_page_lists_every_option_as_help_does() -> None:
    parser = build_parser()
    # Plain ASCII, no bold or underline, and lines so long that no word is hyphenated across two.
    shown = render(make_manpage.manpage(parser), "-Tascii", "-P-cbu", "-rLL=2000n").stdout
    text = " ".join(shown.split())
    options = text.partition(" OPTIONS ")[2].partition(" FILES ")[0]
    formatter = parser._get_formatter()  # argparse's own wording of each option in --help
    for action in parser._actions:
        if not action.option_strings:
            continue
        # "--base-url URL", "-h, --help", "--autostart {on,off}": exactly as --help writes the option, then its help.
        invocation = formatter._format_action_invocation(action)
        entry = f"{invocation} {' '.join(str(action.help).split())}"
        assert entry in options, f"the man page's OPTIONS lack: {entry}\n{options}"
    assert f"Klen Desktop {__version__}" in text
    assert "NAME klen-desktop - Klen AI Calendar in the system tray" in text


def test_the_man_page_renders_without_warnings() -> None:
    result = render(make_manpage.manpage(build_parser()), "-Tutf8", "-z")
    assert result.returncode == 0 and result.stderr == "", result.stderr


def test_man_reads_the_man_page_without_warnings(tmp_path: Path) -> None:
    page = tmp_path / "klen-desktop.1"
    page.write_text(make_manpage.manpage(build_parser()), encoding="utf-8")
    result = subprocess.run(
        [tool("man"), "--warnings", "-l", str(page)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"LC_ALL": "C.UTF-8", "PATH": "/usr/bin:/bin", "MANPAGER": "cat", "MANWIDTH": "80"},
    )
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert "--log-level" in result.stdout


def deb_member(deb: Path, name: str) -> bytes:
    tree = subprocess.run(["dpkg-deb", "--fsys-tarfile", str(deb)], capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(tree)) as archive:
        member = archive.extractfile(name)
        assert member is not None, name
        return member.read()


@pytest.mark.packaging
@requires_packaging_run
def test_the_deb_carries_the_generated_man_page_and_debian_files_owned_by_root(artefacts: Artefacts) -> None:
    if artefacts.deb is None:
        pytest.skip("no dpkg-deb here: the .deb was not built")
    listing = subprocess.run(
        ["dpkg-deb", "--contents", str(artefacts.deb)], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert listing and all(line.split()[1] == "root/root" for line in listing), "every file is root's"
    page = gzip.decompress(deb_member(artefacts.deb, "./usr/share/man/man1/klen-desktop.1.gz")).decode()
    assert page == make_manpage.manpage(build_parser()), "the .deb's man page is not the parser's"
    changelog = gzip.decompress(deb_member(artefacts.deb, "./usr/share/doc/klen-desktop/changelog.Debian.gz"))
    assert changelog.decode().startswith(f"klen-desktop ({__version__}-")
    assert deb_member(artefacts.deb, "./usr/share/lintian/overrides/klen-desktop") == OVERRIDES.read_bytes()


@pytest.mark.packaging
@requires_packaging_run
@pytest.mark.timeout(300)
def test_lintian_finds_nothing_the_overrides_do_not_explain(artefacts: Artefacts) -> None:
    if artefacts.deb is None:
        pytest.skip("no dpkg-deb here: the .deb was not built")
    result = subprocess.run(
        [tool("lintian"), "--pedantic", "--display-info", "--show-overrides", str(artefacts.deb)],
        capture_output=True,
        text=True,
        timeout=280,
        check=False,
    )
    lines = (result.stdout + result.stderr).splitlines()
    # E: error, W: warning, I: info, P: pedantic, X: experimental; O: a tag the overrides file covers.
    reported = [line for line in lines if re.match(r"[EWIPX]: ", line)]
    assert reported == [], "\n".join(reported)
    overridden = {line.split()[2] for line in lines if line.startswith("O: ")}
    # Every override is still needed (lintian would report an unused one as I: unused-override above).
    assert "embedded-library" in overridden and "hardening-no-pie" in overridden, sorted(overridden)
    # 2: the overridden tags count as found when --show-overrides prints them; 1 would be lintian failing to run.
    assert result.returncode in (0, 2), result.stdout[-3000:] + result.stderr[-3000:]
