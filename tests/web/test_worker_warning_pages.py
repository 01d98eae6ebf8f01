"""The phone pages for warnings: outcomes with stop-loss steps, police entry and audited reveals."""

import re

from sqlalchemy import func, select

from app.extensions import db
from app.models import RiskWarning
from tests.factories import local, make_warning, reveal_count


def _warn(district, grid=None, level="high", at=None):
    warning = make_warning(
        by=district.a.police, area=grid or district.a.grids[0], level=level, at=at
    )
    db.session.commit()
    return warning


def test_worker_records_an_outcome_and_sees_the_stop_loss_steps(client, login_as, district):
    a = district.a
    warning = _warn(district)
    login_as(a.worker)
    home = client.get("/").get_data(as_text=True)
    assert f"/worker/warnings/{warning.id}" in home
    page = client.get(f"/worker/warnings/{warning.id}").get_data(as_text=True)
    assert "138****1234" in page and 'value="already_defrauded"' in page
    # The grid's worker is a handler who must call: the number is behind the call button.
    assert f"/worker/warnings/{warning.id}/reveal" in page and "13800131234" not in page
    response = client.post(
        f"/worker/warnings/{warning.id}",
        data={
            "result": "already_defrauded",
            "note": "已转账",
            "lat": "29.9",
            "lng": "121.55",
            "loss_amount": "8000",
            "stopped_amount": "5000.5",
            "reported_to": "96110",
        },
    )
    assert response.status_code == 302
    page = client.get(f"/worker/warnings/{warning.id}").get_data(as_text=True)
    assert 'id="stop-loss"' in page and "96110" in page and "110" in page
    db.session.expire_all()
    stored = db.session.get(RiskWarning, warning.id)
    assert (stored.status, stored.result, stored.handled_lat) == (
        "handled",
        "already_defrauded",
        29.9,
    )
    assert (str(stored.loss_amount), str(stored.stopped_amount), stored.reported_to) == (
        "8000.00",
        "5000.50",
        "96110",
    )


def test_worker_of_another_grid_cannot_open_the_warning(client, login_as, district):
    warning = _warn(district, grid=district.a.grids[1])
    login_as(district.a.worker)
    assert client.get(f"/worker/warnings/{warning.id}").status_code == 404
    assert (
        client.post(f"/worker/warnings/{warning.id}", data={"result": "dissuaded"}).status_code
        == 404
    )


def test_police_reveal_the_number_on_the_page_and_it_is_audited(client, login_as, district):
    warning = _warn(district)
    login_as(district.a.police)
    page = client.get(f"/worker/warnings/{warning.id}").get_data(as_text=True)
    assert "138****1234" in page and f"/worker/warnings/{warning.id}/reveal" in page
    before = reveal_count()
    revealed = client.post(f"/worker/warnings/{warning.id}/reveal").get_data(as_text=True)
    assert "13800131234" in revealed and reveal_count() == before + 1
    listing = client.get("/worker/warnings").get_data(as_text=True)
    assert "13800131234" not in listing and reveal_count() == before + 1


def test_police_enter_warnings_on_the_phone_and_deadlines_show_in_shanghai_time(
    client, login_as, district
):
    a = district.a
    _warn(district, at=local(2026, 11, 5, 23, 30))
    login_as(a.police)
    page = client.get("/worker/warnings").get_data(as_text=True)
    assert 'name="subject_label"' in page
    detail_id = db.session.scalar(select(RiskWarning.id).order_by(RiskWarning.id.desc()))
    detail = client.get(f"/worker/warnings/{detail_id}").get_data(as_text=True)
    assert "2026-11-06 01:30" in detail  # 23:30 + 2 hours, local time
    response = client.post(
        "/worker/warnings",
        data={"level": "low", "area_id": a.grids[1].id, "subject_label": "钱某", "phone": ""},
    )
    assert response.status_code == 302
    client.post("/logout")
    login_as(a.worker)
    assert (
        client.post(
            "/worker/warnings",
            data={"level": "low", "area_id": a.grids[0].id, "subject_label": "x"},
        ).status_code
        == 200
    )
    assert db.session.scalar(select(func.count()).where(RiskWarning.subject_label == "x")) == 0


def test_the_worker_reveals_then_calls_and_each_reveal_is_audited(client, login_as, district):
    warning = _warn(district)
    login_as(district.a.worker)
    before = reveal_count()
    revealed = client.post(f"/worker/warnings/{warning.id}/reveal")
    page = revealed.get_data(as_text=True)
    assert revealed.status_code == 200 and 'href="tel:13800131234"' in page
    assert "no-store" in revealed.headers["Cache-Control"] and reveal_count() == before + 1


def test_a_worker_of_another_grid_cannot_reveal(client, login_as, district):
    from tests.factories import make_user

    warning = _warn(district)
    other = make_user(role="worker", area=district.a.community, grids=[district.a.grids[1]])
    login_as(other)
    assert client.post(f"/worker/warnings/{warning.id}/reveal").status_code in (403, 404)


def test_a_double_tap_on_unreachable_counts_one_attempt(client, login_as, district):
    warning = _warn(district)
    login_as(district.a.worker)
    page = client.get(f"/worker/warnings/{warning.id}").get_data(as_text=True)
    attempt = re.search(r'name="client_id" type="hidden" value="([0-9a-f-]{36})"', page).group(1)
    for _ in range(2):  # the same form sent twice
        sent = client.post(
            f"/worker/warnings/{warning.id}", data={"result": "unreachable", "client_id": attempt}
        )
        assert sent.status_code == 302
    db.session.expire_all()
    assert db.session.get(RiskWarning, warning.id).unreachable_count == 1
    again = client.get(f"/worker/warnings/{warning.id}").get_data(as_text=True)
    assert 'id="try-again"' in again and attempt not in again  # a new page is a new attempt
