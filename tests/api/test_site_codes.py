"""GET /sites/ID/qr.png|svg and POST /sites/ID/rotate-qr: who may print and rotate, and what the code says."""

from __future__ import annotations

from app import qr
from app.extensions import db
from tests.api.checkin_helpers import body
from tests.qr_decode import decode, needs_zbar, rasterise_svg


def current_url(app, site) -> str:
    db.session.refresh(site)
    with app.test_request_context():
        return qr.site_url(site)


@needs_zbar
def test_png_decodes_to_the_site_url(app, api, district, tmp_path):
    site = district.a.sites[0]
    response = api.get(f"/sites/{site.id}/qr.png", user=district.a.coordinator)
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert "no-cache" in response.headers["Cache-Control"]
    (tmp_path / "code.png").write_bytes(response.data)
    url = current_url(app, site)
    assert decode(tmp_path / "code.png") == [url]
    assert url.startswith("http://gridreach.test/c/")


@needs_zbar
def test_svg_decodes_to_the_site_url(app, api, district, tmp_path):
    site = district.a.sites[1]
    response = api.get(f"/sites/{site.id}/qr.svg", user=district.a.leader)
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    rasterise_svg(response.get_data(as_text=True)).save(tmp_path / "code.png")
    assert decode(tmp_path / "code.png") == [current_url(app, site)]


def test_codes_are_scoped(api, district):
    site = district.a.sites[0]
    for fmt in ("png", "svg"):
        assert api.get(f"/sites/{site.id}/qr.{fmt}", user=district.b.coordinator).status_code == 404
        assert api.get(f"/sites/{site.id}/qr.{fmt}", user=district.a.worker).status_code == 403
        assert api.get(f"/sites/999999/qr.{fmt}", user=district.admin).status_code == 404
        assert api.get(f"/sites/{site.id}/qr.{fmt}").status_code == 401


def test_rotation_changes_the_code_and_old_links_stop(app, api, district):
    site = district.a.sites[0]
    before = current_url(app, site)
    old_checkin = body(site)
    response = api.post(f"/sites/{site.id}/rotate-qr", user=district.a.coordinator)
    assert response.status_code == 200 and response.get_json()["qr_version"] == 2
    after = current_url(app, site)
    assert after != before
    refused = api.post("/checkins", user=district.a.worker, json=old_checkin)
    assert refused.status_code == 404 and "已被新码替换" in refused.get_json()["message"]


def test_only_managers_in_scope_rotate(api, district):
    site = district.a.sites[0]
    assert api.post(f"/sites/{site.id}/rotate-qr", user=district.a.worker).status_code == 403
    assert api.post(f"/sites/{site.id}/rotate-qr", user=district.a.leader).status_code == 403
    assert api.post(f"/sites/{site.id}/rotate-qr", user=district.b.coordinator).status_code == 404
    db.session.refresh(site)
    assert site.qr_version == 1
