"""Coordinator warning pages: entry, import, the board, one warning."""

import io
from datetime import timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models import RiskWarning
from app.models.base import utcnow
from tests.factories import make_warning, reveal_count


def _warn(district, grid=None, level="high", at=None):
    warning = make_warning(
        by=district.a.police, area=grid or district.a.grids[0], level=level, at=at
    )
    db.session.commit()
    return warning


def test_coordinator_enters_a_warning_and_sees_it_masked(client, login_as, district):
    a = district.a
    login_as(a.coordinator)
    response = client.post(
        "/coordinate/warnings",
        data={
            "level": "medium",
            "area_id": a.grids[0].id,
            "subject_label": "李某",
            "phone": "13900001111",
        },
    )
    assert response.status_code == 302
    page = client.get("/coordinate/warnings").get_data(as_text=True)
    assert "李某" in page and "139****1111" in page and "13900001111" not in page
    bad = client.post(
        "/coordinate/warnings",
        data={
            "level": "high",
            "area_id": a.grids[0].id,
            "subject_label": "李某",
            "phone": "call me",
        },
    )
    assert bad.status_code == 422 and 'data-field="phone"' in bad.get_data(as_text=True)


def test_import_page_reports_bad_rows_and_writes_nothing(client, login_as, district):
    a = district.a
    login_as(a.coordinator)
    before = db.session.scalar(select(func.count()).select_from(RiskWarning))
    bad = f"等级,网格,对象,电话\n高,{a.grids[0].id},王某,13800131234\n很高,{a.grids[0].id},李某,\n".encode()
    response = client.post(
        "/coordinate/warnings/import",
        data={"upload-file": (io.BytesIO(bad), "list.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and '<li data-row="3">' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(RiskWarning)) == before
    good = f"level,grid,subject_label\nlow,{a.grids[1].name},赵某\n".encode()
    response = client.post(
        "/coordinate/warnings/import",
        data={"upload-file": (io.BytesIO(good), "list.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(RiskWarning)) == before + 1


def test_board_page_shows_streets_escalations_and_review(client, login_as, district):
    a = district.a
    late = _warn(district, at=utcnow() - timedelta(hours=5))
    _warn(district, level="low")
    login_as(a.coordinator)
    page = client.get("/coordinate/warnings/board").get_data(as_text=True)
    assert (
        a.street.name in page
        and 'id="total-open">2<' in page
        and 'id="total-overdue" class="overdue">1<' in page
    )
    assert f"/coordinate/warnings/{late.id}" in page and "esc-street" in page
    assert 'id="zeroing"' in page
    earlier = client.get("/coordinate/warnings/board?date=2099-01-01").get_data(as_text=True)
    assert 'data-cleared="no"' in earlier  # both are open and were entered before that day
    assert client.get("/coordinate/warnings/board?date=yesterday").status_code == 200
    assert client.get("/coordinate/warnings/board?date=2026-11-06").status_code == 200


def test_coordinators_cannot_reveal(client, login_as, district):
    warning = _warn(district)
    login_as(district.a.coordinator)
    assert "/reveal" not in client.get(f"/coordinate/warnings/{warning.id}").get_data(as_text=True)
    assert client.post(f"/coordinate/warnings/{warning.id}/reveal").status_code == 403


def test_admin_reveals_on_the_coordinator_page_and_it_is_audited(client, login_as, district):
    warning = _warn(district)
    login_as(district.admin)
    page = client.get(f"/coordinate/warnings/{warning.id}").get_data(as_text=True)
    assert (
        "138****1234" in page
        and "13800131234" not in page
        and f"/coordinate/warnings/{warning.id}/reveal" in page
    )
    before = reveal_count()
    assert "13800131234" in client.post(f"/coordinate/warnings/{warning.id}/reveal").get_data(
        as_text=True
    )
    assert reveal_count() == before + 1


def test_coordinator_records_an_outcome_on_the_page(client, login_as, district):
    warning = _warn(district)
    login_as(district.a.coordinator)
    response = client.post(
        f"/coordinate/warnings/{warning.id}", data={"result": "phone_dissuaded", "note": "空号"}
    )
    assert response.status_code == 302
    page = client.get(f"/coordinate/warnings/{warning.id}").get_data(as_text=True)
    assert (
        'data-result="phone_dissuaded"' in page and "空号" in page and 'id="stop-loss"' not in page
    )
    assert client.get(f"/coordinate/warnings/{warning.id}", headers={}).status_code == 200
    login_other = district.b.coordinator
    client.post("/logout")
    login_as(login_other)
    assert client.get(f"/coordinate/warnings/{warning.id}").status_code == 404


def test_import_page_queues_a_large_list_and_follows_it(client, login_as, district):
    a = district.a
    login_as(a.coordinator)
    big = (
        "level,grid,subject_label\n"
        + "".join(f"low,{a.grids[0].id},对象{i}\n" for i in range(5_001))
    ).encode()
    response = client.post(
        "/coordinate/warnings/import",
        data={"upload-file": (io.BytesIO(big), "list.csv")},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 202 and 'id="import-job"' in page and "js/import-job.js" in page
