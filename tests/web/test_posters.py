"""Printable posters: the code on the page is the site's current link, and it still scans once printed."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageFilter

from app import qr
from app.extensions import db
from tests.factories import make_site
from tests.qr_decode import decode, needs_zbar, rasterise_svg

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
GHOSTSCRIPT = shutil.which("gs")
STATIC = Path(__file__).resolve().parents[2] / "static"


def page_size(html: str) -> str:
    """The printed page size, from the size stylesheet the poster links (no inline style: CSP)."""
    [href] = re.findall(r'href="/static/(css/poster-a\d\.css)(?:\?v=[0-9a-f]+)?"', html)
    return re.search(r"@page \{ size: ([^;]+);", (STATIC / href).read_text()).group(1)


def poster_svgs(html: str) -> list[str]:
    return re.findall(r"<svg width=.*?</svg>", html, flags=re.S)


def test_site_poster_shows_name_grid_and_the_code(client, login_as, district):
    site = district.a.sites[0]
    login_as(district.a.coordinator)
    response = client.get(f"/coordinate/sites/{site.id}/poster")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert (
        site.name in html and district.a.grids[0].name in html and district.a.community.name in html
    )
    assert page_size(html) == "A4 portrait" and 'lang="zh-CN"' in html
    assert len(poster_svgs(html)) == 1


@needs_zbar
def test_the_poster_code_decodes_to_the_site_url(client, login_as, district, tmp_path):
    site = district.a.sites[0]
    login_as(district.a.coordinator)
    [svg] = poster_svgs(client.get(f"/coordinate/sites/{site.id}/poster").get_data(as_text=True))
    rasterise_svg(svg).save(tmp_path / "poster.png")
    with client.application.test_request_context():
        assert decode(tmp_path / "poster.png") == [qr.site_url(site)]


def test_a5_and_bad_size(client, login_as, district):
    login_as(district.a.coordinator)
    site = district.a.sites[0]
    assert (
        page_size(client.get(f"/coordinate/sites/{site.id}/poster?size=a5").get_data(as_text=True))
        == "A5 portrait"
    )
    assert client.get(f"/coordinate/sites/{site.id}/poster?size=B3").status_code == 422


def test_poster_is_chinese_whatever_the_screen_language(client, login_as, district):
    login_as(district.a.coordinator)
    client.get("/lang/en")
    html = client.get(f"/coordinate/sites/{district.a.sites[0].id}/poster").get_data(as_text=True)
    assert 'lang="zh-CN"' in html


def test_posters_are_scoped(client, login_as, district):
    login_as(district.a.coordinator)
    assert client.get(f"/coordinate/sites/{district.b.sites[0].id}/poster").status_code == 404
    assert client.get(f"/coordinate/areas/{district.b.community.id}/posters").status_code == 404


def test_workers_cannot_print(client, login_as, district):
    login_as(district.a.worker)
    assert client.get(f"/coordinate/sites/{district.a.sites[0].id}/poster").status_code == 403


def test_batch_sheet_has_one_page_per_active_site(client, login_as, district):
    a = district.a
    retired = make_site(area=a.grids[1], name="撤除的展板", active=False)
    extra = make_site(area=a.grids[1], name="菜场入口横幅")
    db.session.commit()
    login_as(a.coordinator)
    html = client.get(f"/coordinate/areas/{a.community.id}/posters?size=A5").get_data(as_text=True)
    ids = [int(i) for i in re.findall(r'data-site-id="(\d+)"', html)]
    assert sorted(ids) == sorted([a.sites[0].id, a.sites[1].id, extra.id]) and retired.id not in ids
    assert len(poster_svgs(html)) == 3 and 'href="/static/css/poster.css?v=' in html
    assert "break-after: page" in (STATIC / "css/poster.css").read_text()
    grid_html = client.get(f"/coordinate/areas/{a.grids[1].id}/posters").get_data(as_text=True)
    assert sorted(int(i) for i in re.findall(r'data-site-id="(\d+)"', grid_html)) == sorted(
        [a.sites[1].id, extra.id]
    )


def test_batch_needs_a_community_or_grid(client, login_as, district):
    login_as(district.a.coordinator)
    assert client.get(f"/coordinate/areas/{district.a.street.id}/posters").status_code == 422


@needs_zbar
def test_rotated_site_prints_the_new_code(client, login_as, district, api, tmp_path):
    site = district.a.sites[0]
    with client.application.test_request_context():
        old_url = qr.site_url(site)
    api.post(f"/sites/{site.id}/rotate-qr", user=district.a.coordinator)
    login_as(district.a.coordinator)
    svg = poster_svgs(client.get(f"/coordinate/sites/{site.id}/poster").get_data(as_text=True))[0]
    rasterise_svg(svg).save(tmp_path / "p.png")
    [decoded] = decode(tmp_path / "p.png")
    assert decoded != old_url and decoded.endswith(f"/c/{site.id}-2." + decoded.rsplit(".", 1)[1])


def _print_and_photograph(html: str, tmp_path, dpi: int, px_per_mm: float) -> Image.Image:
    """Print the page to PDF with Chromium, rasterise it like a laser printer, then look at it
    the way a cheap phone camera does from a distance: few pixels per module, some blur."""
    page = tmp_path / "poster.html"
    page.write_text(
        html.replace('"/static/', f'"{STATIC.as_uri()}/'), encoding="utf-8"
    )  # its stylesheets
    pdf = tmp_path / "poster.pdf"
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            page.as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    subprocess.run(
        [
            GHOSTSCRIPT,
            "-q",
            "-dNOPAUSE",
            "-dBATCH",
            "-dSAFER",
            "-sDEVICE=pngmono",
            f"-r{dpi}",
            "-dFirstPage=1",
            "-dLastPage=1",
            f"-sOutputFile={tmp_path / 'printed.png'}",
            str(pdf),
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    printed = Image.open(tmp_path / "printed.png").convert("L")
    scale = px_per_mm / (dpi / 25.4)
    seen = printed.resize(
        (round(printed.width * scale), round(printed.height * scale)), Image.BILINEAR
    )
    return seen.filter(ImageFilter.GaussianBlur(0.8))


@pytest.mark.slow
@needs_zbar
@pytest.mark.skipif(
    not (CHROMIUM and GHOSTSCRIPT), reason="needs Debian's chromium and ghostscript (gs)"
)
@pytest.mark.parametrize("size, px_per_mm", [("A4", 0.8), ("A5", 1.1)])
def test_printed_poster_scans_from_a_distance(
    client, login_as, district, tmp_path, size, px_per_mm
):
    """A 1080p phone camera two metres away sees about 2.5 m of wall across 1,920 px: 0.77 px/mm.
    The A4 code still decodes at 0.8 px/mm (under 3 px per module) after print and blur."""
    site = district.a.sites[0]
    login_as(district.a.coordinator)
    html = client.get(f"/coordinate/sites/{site.id}/poster?size={size}").get_data(as_text=True)
    photo = _print_and_photograph(html, tmp_path, dpi=300, px_per_mm=px_per_mm)
    photo.save(tmp_path / "photo.png")
    with client.application.test_request_context():
        assert decode(tmp_path / "photo.png") == [qr.site_url(site)]
