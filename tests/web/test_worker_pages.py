"""The phone page a scanned code opens (/c/TOKEN), its offline shell and service worker."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from app import qr
from app.extensions import db
from app.models.base import utcnow
from tests.factories import make_task


def _config(html: str) -> dict:
    match = re.search(
        r'<script type="application/json" id="checkin-config">(.*?)</script>', html, re.S
    )
    return json.loads(match.group(1))


def test_logged_out_phone_sees_the_public_page_whose_staff_link_comes_back(client, district):
    site = district.a.sites[0]
    path = f"/c/{qr.site_token(site)}"
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "工作人员登录" in html and "96110" in html and "checkin-btn" not in html
    staff = re.search(r'id="staff-login" href="([^"]+)"', html).group(1)
    assert staff.startswith("/login?next=")
    login = client.get(staff.replace("&amp;", "&"))
    assert f'value="{path}"' in login.get_data(as_text=True)
    back = client.post(
        "/login",
        data={"username": district.a.worker.username, "password": "Correct-Horse-9", "next": path},
    )
    assert back.status_code == 302 and back.headers["Location"] == path
    assert "checkin-btn" in client.get(path).get_data(as_text=True)


def test_site_page_shows_site_grid_kind_my_open_tasks_and_the_button(client, district, login_as):
    site, worker = district.a.sites[0], district.a.worker
    mine = make_task(area=site.area, title="Check the boards", assignees=[worker], sites=[site])
    make_task(
        area=site.area, title="Finished round", assignees=[worker], sites=[site], status="done"
    )
    make_task(area=district.b.grids[0], title="Someone else's street", sites=[district.b.sites[0]])
    login_as(worker)
    response = client.get(f"/c/{qr.site_token(site)}?lang=en")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert site.name in html and site.area.name in html and "Display board" in html
    assert mine.title in html and "Finished round" not in html and "Someone else" not in html
    assert 'id="checkin-btn"' in html and "<details" in html
    assert 'name="task_id"' not in html  # one task: the server links it by itself
    assert "echarts" not in html and "leaflet" not in html
    assert response.headers["Cache-Control"] == "private, no-cache"
    config = _config(html)
    assert config["token"] == qr.site_token(site) and config["api"] == "/api/v1/checkins"
    assert "out_of_range" in config["reasons"] and "denied" in config["messages"]


def test_several_open_tasks_offer_a_choice_soonest_first(client, district, login_as):
    site, worker = district.a.sites[0], district.a.worker
    later = make_task(
        area=site.area,
        title="Later",
        assignees=[worker],
        sites=[site],
        due_at=utcnow() + timedelta(days=9),
    )
    sooner = make_task(
        area=site.area,
        title="Sooner",
        assignees=[worker],
        sites=[site],
        due_at=utcnow() + timedelta(days=2),
    )
    login_as(worker)
    html = client.get(f"/c/{qr.site_token(site)}").get_data(as_text=True)
    assert html.index("Sooner") < html.index("Later")
    assert f'value="{sooner.id}" checked' in html and f'value="{later.id}">' in html


def test_a_leader_sees_the_site_but_no_check_in_button(client, district, login_as):
    login_as(district.a.leader)
    response = client.get(f"/c/{qr.site_token(district.a.sites[0])}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert district.a.sites[0].name in html and 'id="no-checkin"' in html
    assert 'id="checkin-btn"' not in html and "checkin.js" not in html


def test_a_tampered_code_answers_a_friendly_page(client, district, login_as):
    login_as(district.a.worker)
    token = qr.site_token(district.a.sites[0])
    response = client.get(f"/c/{token[:-2]}xx?lang=en")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert 'id="code-problem"' in html and "does not work" in html


def test_a_replaced_code_says_so(client, district, login_as):
    site = district.a.sites[0]
    old = qr.site_token(site)
    site.qr_version += 1
    db.session.commit()
    login_as(district.a.worker)
    response = client.get(f"/c/{old}")
    assert response.status_code == 404
    assert "此二维码已被新码替换" in response.get_data(as_text=True)
    assert client.get(f"/c/{qr.site_token(site)}").status_code == 200


def test_a_site_outside_my_area_is_refused_kindly(client, district, login_as):
    login_as(district.a.worker)
    response = client.get(f"/c/{qr.site_token(district.b.sites[0])}")
    html = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "该点位不在您的负责范围内" in html and district.b.sites[0].name not in html


def test_offline_shell_needs_no_login_and_reads_the_token_from_the_link(client):
    response = client.get("/c/offline")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="checkin-btn"' in html and 'id="offline-note"' in html
    assert _config(html)["token"] is None


def test_service_worker_is_served_from_the_root(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    assert b"/c/offline" in response.data


def test_csrf_token_refresh_needs_a_login(client, district, login_as):
    assert client.get("/csrf-token").status_code == 302
    login_as(district.a.worker)
    response = client.get("/csrf-token")
    assert response.status_code == 200 and response.json["csrf_token"]
