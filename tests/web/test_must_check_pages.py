"""The must-checks through the pages: the dashboard counts the open ones, the coordinator reads one
with its back-check evidence and concludes it through the page's form; the daily report counts them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.extensions import db
from app.models import MustCheck


def test_a_coordinator_concludes_a_check_on_its_page(api, client, login_as, district):
    a = district.a
    body = {
        "area_id": a.community.id,
        "occurred_on": "2026-03-05",
        "fraud_type": "shopping",
        "loss_amount": "900000",
    }
    assert api.post("/cases", user=a.coordinator, json=body).status_code == 201
    check = db.session.scalar(select(MustCheck))
    day = date(2026, 3, 5).isoformat()
    report = api.get(f"/reports/daily?date={day}", user=a.leader).get_json()
    assert report["totals"]["open_checks"] == 1
    assert (
        api.get(f"/reports/daily?date={day}", user=district.b.leader).get_json()["totals"][
            "open_checks"
        ]
        == 0
    )
    login_as(a.coordinator)
    dashboard = client.get("/dashboard/").get_data(as_text=True)
    assert 'data-figure="open_checks">1<' in dashboard
    listed = client.get("/coordinate/checks").get_data(as_text=True)
    assert f'data-check-id="{check.id}"' in listed and "大额" in listed
    page = client.get(f"/coordinate/checks/{check.id}")
    assert page.status_code == 200 and 'id="evidence"' in page.get_data(as_text=True)
    assert 'maxlength="1000"' in page.get_data(as_text=True)
    url = f"/coordinate/checks/{check.id}/conclude"
    refused = client.post(url, data={"conclusion": "未入户", "responsible": "", "follow_up": "x"})
    assert refused.status_code == 422
    done = client.post(
        url, data={"conclusion": "未入户", "responsible": "网格员", "follow_up": "补课"}
    )
    assert done.status_code == 302
    db.session.expire_all()
    assert check.status == "concluded" and check.responsible == "网格员"
    client.get("/logout")
    login_as(district.b.coordinator)
    assert client.get(f"/coordinate/checks/{check.id}").status_code == 404
