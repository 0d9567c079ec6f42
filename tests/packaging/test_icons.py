"""One SVG source makes every icon file: the PNG sizes, the hicolor theme tree, .ico, .icns and the tray PNGs."""

from __future__ import annotations

import re
from pathlib import Path

import build_icons
import packaging_support
import pytest
from PIL import Image

ICONS = packaging_support.RESOURCES / "icons"


@pytest.fixture(scope="module")
def icon_set(tmp_path_factory: pytest.TempPathFactory) -> build_icons.IconSet:
    return build_icons.build_icons(tmp_path_factory.mktemp("icons") / "out")


def test_every_png_size_is_rendered_square_with_transparent_corners(icon_set: build_icons.IconSet) -> None:
    assert sorted(icon_set.png) == sorted(build_icons.APP_ICON_SIZES)
    for size, path in icon_set.png.items():
        with Image.open(path) as image:
            assert image.size == (size, size)
            assert image.mode == "RGBA"
            assert image.getpixel((0, size - 1))[3] == 0, f"{path.name}: the corner should be transparent"
            # The icon is drawn, not empty: a good share of the pixels are opaque.
            opaque = sum(image.getchannel("A").histogram()[201:])
            assert opaque > size * size * 0.4, path.name


def test_the_hicolor_tree_is_what_desktops_look_up(icon_set: build_icons.IconSet) -> None:
    for size in build_icons.APP_ICON_SIZES:
        assert (icon_set.hicolor / f"{size}x{size}" / "apps" / "klen-desktop.png").is_file()
    scalable = icon_set.hicolor / "scalable" / "apps" / "klen-desktop.svg"
    assert scalable.read_bytes() == (ICONS / "klen-desktop.svg").read_bytes()


def test_ico_and_icns_hold_every_size(icon_set: build_icons.IconSet) -> None:
    with Image.open(icon_set.ico) as ico:
        assert ico.format == "ICO"
        assert set(ico.info["sizes"]) == {(s, s) for s in build_icons.ICO_SIZES}
    with Image.open(icon_set.icns) as icns:
        assert icns.format == "ICNS"
        sizes = {width * scale for width, _height, scale in icns.info["sizes"]}
        assert {256, 512, 1024} <= sizes


def test_tray_variants_are_monochrome_and_read_on_their_panel(icon_set: build_icons.IconSet) -> None:
    assert set(icon_set.tray) == {(v, s) for v in build_icons.TRAY_VARIANTS for s in build_icons.TRAY_SIZES}
    luminance = {}
    for variant in build_icons.TRAY_VARIANTS:
        size = 32
        with Image.open(icon_set.tray[(variant, size)]) as image:
            colours = {pixel[:3] for _count, pixel in image.getcolors(size * size) or [] if pixel[3] == 255}
            assert len(colours) == 1, f"{variant}: a tray icon has one colour, found {len(colours)}"
            red, green, blue = colours.pop()
            luminance[variant] = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    assert luminance["on-light"] < 80 < 180 < luminance["on-dark"]


def test_the_two_tray_svgs_differ_only_in_colour() -> None:
    def shape(variant: str) -> str:
        text = (ICONS / f"klen-desktop-tray-{variant}.svg").read_text(encoding="utf-8")
        text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
        return re.sub(r"#[0-9a-fA-F]{6}", "COLOUR", text)

    assert shape("on-light") == shape("on-dark")


def test_no_generated_icon_is_committed() -> None:
    generated = {".png", ".ico", ".icns"}
    assert not [p for p in packaging_support.RESOURCES.rglob("*") if p.suffix in generated]


def test_a_broken_source_is_reported_with_its_path(tmp_path: Path) -> None:
    (tmp_path / "klen-desktop.svg").write_text("<svg", encoding="utf-8")
    with pytest.raises(build_icons.IconBuildError, match=r"klen-desktop\.svg is not an SVG Qt can draw"):
        build_icons.build_icons(tmp_path / "out", source_dir=tmp_path)
