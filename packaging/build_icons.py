"""Render every icon file the installers need from the SVG sources in ``resources/icons``.

    .venv/bin/python packaging/build_icons.py [OUT_DIR]        # default: build/icons

Output (nothing of it is committed: this script makes it):

- ``png/klen-desktop-<N>.png`` for every size in ``APP_ICON_SIZES``;
- ``hicolor/<N>x<N>/apps/klen-desktop.png`` and ``hicolor/scalable/apps/klen-desktop.svg``: the freedesktop
  icon theme layout the Linux packages install under ``share/icons``;
- ``klen-desktop.ico`` (Windows; ``ICO_SIZES``) and ``klen-desktop.icns`` (macOS; ``ICNS_SIZES``);
- ``tray/klen-desktop-tray-on-<light|dark>-<N>.png``: the monochrome tray variants at ``TRAY_SIZES``.

Qt's SVG renderer draws the PNGs (the app draws its SVGs with the same renderer, so they look the same);
Pillow packs the ``.ico`` and ``.icns`` from those PNGs.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("build_icons")

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIR = ROOT / "resources" / "icons"
APP_ICON = "klen-desktop"
TRAY_VARIANTS = ("on-light", "on-dark")

APP_ICON_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_SIZES = (16, 32, 64, 128, 256, 512, 1024)
TRAY_SIZES = (16, 22, 24, 32, 48, 64)


class IconBuildError(RuntimeError):
    """An icon could not be made; the message names the file and what to fix."""


@dataclass(frozen=True)
class IconSet:
    """Paths of what :func:`build_icons` wrote."""

    png: dict[int, Path]
    hicolor: Path
    ico: Path
    icns: Path
    tray: dict[tuple[str, int], Path]


def render_png(svg: Path, size: int, target: Path) -> Path:
    """Render ``svg`` into a ``size`` x ``size`` PNG with a transparent background at ``target``."""
    # Imported here so `--help` and the unit tests of the sizes need no Qt.
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise IconBuildError(f"{svg} is not an SVG Qt can draw: check that it exists and is well-formed")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    target.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(target)):  # the format follows the .png suffix
        raise IconBuildError(f"cannot write {target}: check that its folder is writable")
    return target


def _write_ico(pngs: dict[int, Path], target: Path) -> Path:
    from PIL import Image

    largest = max(ICO_SIZES)
    with Image.open(pngs[largest]) as base:
        frames = [Image.open(pngs[size]) for size in ICO_SIZES if size != largest]
        try:
            # Each size is its own rendering, so small sizes stay crisp instead of being scaled down.
            base.save(target, format="ICO", sizes=[(s, s) for s in ICO_SIZES], append_images=frames)
        finally:
            for frame in frames:
                frame.close()
    return target


def _write_icns(pngs: dict[int, Path], target: Path) -> Path:
    from PIL import Image

    largest = max(ICNS_SIZES)
    with Image.open(pngs[largest]) as base:
        frames = [Image.open(pngs[size]) for size in ICNS_SIZES if size != largest]
        try:
            base.save(target, format="ICNS", append_images=frames)
        finally:
            for frame in frames:
                frame.close()
    return target


def build_icons(out_dir: Path, source_dir: Path = SOURCE_DIR) -> IconSet:
    """Write every icon file into ``out_dir`` (created; earlier output is replaced) and return their paths."""
    app_svg = source_dir / f"{APP_ICON}.svg"
    if out_dir.exists():
        shutil.rmtree(out_dir)
    png_dir, hicolor = out_dir / "png", out_dir / "hicolor"
    all_sizes = sorted(set(APP_ICON_SIZES) | set(ICO_SIZES) | set(ICNS_SIZES))
    rendered = {size: render_png(app_svg, size, png_dir / f"{APP_ICON}-{size}.png") for size in all_sizes}
    for size in APP_ICON_SIZES:
        theme_png = hicolor / f"{size}x{size}" / "apps" / f"{APP_ICON}.png"
        theme_png.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(rendered[size], theme_png)
    scalable = hicolor / "scalable" / "apps"
    scalable.mkdir(parents=True)
    shutil.copyfile(app_svg, scalable / f"{APP_ICON}.svg")
    tray = {
        (variant, size): render_png(
            source_dir / f"{APP_ICON}-tray-{variant}.svg",
            size,
            out_dir / "tray" / f"{APP_ICON}-tray-{variant}-{size}.png",
        )
        for variant in TRAY_VARIANTS
        for size in TRAY_SIZES
    }
    ico = _write_ico(rendered, out_dir / f"{APP_ICON}.ico")
    icns = _write_icns(rendered, out_dir / f"{APP_ICON}.icns")
    png = {size: rendered[size] for size in APP_ICON_SIZES}
    log.info("icons written to %s: %d PNG sizes, .ico, .icns, %d tray PNGs", out_dir, len(png), len(tray))
    return IconSet(png=png, hicolor=hicolor, ico=ico, icns=icns, tray=tray)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ("-h", "--help"):
        sys.stdout.write(__doc__ or "")
        return 0
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    # QImage and QPainter need no window; offscreen keeps the script working on a machine with no display.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    out_dir = Path(args[0]) if args else ROOT / "build" / "icons"
    try:
        build_icons(out_dir)
    except IconBuildError as exc:
        log.error("%s", exc)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
