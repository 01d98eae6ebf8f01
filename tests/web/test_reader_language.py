"""Pages say in Chinese what the data keeps as codes and times: outcomes, age bands, tags, local times."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.extensions import db
from tests.factories import make_case, make_household, make_visit
from tests.services.coverage_helpers import build_march_district


@pytest.fixture
def march(app):
    m = build_march_district()
    # 17:30 UTC on 22 March is 01:30 on 23 March in Shanghai: the day changes too.
    make_visit(
        household=m.h1,
        user=m.worker,
        at=datetime(2026, 3, 22, 17, 30, tzinfo=UTC),
        outcome="not_home",
    )
    m.case = make_case(
        area=m.c1,
        occurred_on=date(2026, 3, 25),
        household=m.h1,
        loss="5000",
        victim_age_band="over_60",
    )
    db.session.commit()
    return m


def test_the_backcheck_shows_outcomes_as_words_and_times_in_shanghai(client, login_as, march):
    login_as(march.district_leader)
    page = client.get(f"/dashboard/cases/{march.case.id}").get_data(as_text=True)
    visits = page[page.index('id="household-visits"') :]
    visits = visits[: visits.index("</table>")]
    assert "<td>2026-03-23 01:30</td>" in visits and "UTC" not in visits
    assert "<td>不在家</td>" in visits and "<td>已见面</td>" in visits
    assert "not_home" not in visits and "reached" not in visits
    assert "受害人 60 岁以上" in page and "over–60" not in page


def test_the_case_form_names_the_age_bands(client, login_as, march):
    login_as(march.coordinator)
    page = client.get("/dashboard/cases").get_data(as_text=True)
    assert '<option value="under_18">18 岁以下</option>' in page
    assert '<option value="31_45">31–45 岁</option>' in page and "under–18" not in page


def test_the_household_tag_parent_is_jiazhang_and_the_area_parent_is_shangji(
    client, login_as, district
):
    make_household(area=district.a.grids[0], tags=["parent"])
    db.session.commit()
    login_as(district.a.coordinator)
    households = client.get(f"/coordinate/households?area_id={district.a.grids[0].id}").get_data(
        as_text=True
    )
    assert '<span class="tag">家长</span>' in households
    assert "上级区域" not in households
    areas = client.get("/coordinate/areas").get_data(as_text=True)
    assert "上级区域" in areas and "家长" not in areas


def test_service_field_messages_reach_the_form_in_chinese(client, login_as, district):
    grid = district.a.grids[0]
    login_as(district.a.coordinator)
    client.post("/coordinate/households", data={"area_id": grid.id, "label": "3-2-201"})
    again = client.post("/coordinate/households", data={"area_id": grid.id, "label": "3-2-201"})
    assert again.status_code == 409
    html = again.get_data(as_text=True)
    assert "本网格内已有同名地址" in html and "already used in this grid" not in html


def test_bad_list_filters_are_explained_in_chinese(client, login_as, district):
    login_as(district.a.coordinator)
    response = client.get("/coordinate/checkins?area_id=north")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "不是有效的整数。" in html and "Not a valid integer." not in html


def test_http_error_pages_are_chinese(client):
    response = client.delete("/login")
    html = response.get_data(as_text=True)
    assert response.status_code == 405
    assert "此处不允许该请求方法。" in html and "not allowed for the requested URL" not in html
    missing = client.get("/no-such-page").get_data(as_text=True)
    assert "页面不存在" in missing and "requested URL was not found" not in missing


def test_field_messages_written_as_plain_literals_are_looked_up_too(client, login_as, district):
    """A service that still raises a bare literal gets it translated on the form when the catalogue has it."""
    login_as(district.a.coordinator)
    response = client.post(
        "/coordinate/users",
        data={
            "username": "bad name!",
            "password": "Strong-Pass-77",
            "role": "worker",
            "force": "grid_worker",
            "area_id": district.a.community.id,
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'data-field="username"' in html
    assert "3–64 个字母、数字或 _ . -" in html and "3-64 letters" not in html


def test_a_short_password_says_how_long_in_chinese(client, login_as, district):
    login_as(district.a.coordinator)
    response = client.post(
        "/coordinate/users",
        data={
            "username": "shortpw",
            "password": "Ab1!",
            "role": "worker",
            "force": "grid_worker",
            "area_id": district.a.community.id,
        },
    )
    assert response.status_code == 422
    assert "至少 8 个字符" in response.get_data(as_text=True)
