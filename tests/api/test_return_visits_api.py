"""发案必回访: every new case (API, import) makes one return-visit task due within RETURN_VISIT_DAYS,
for the grid of the victim's household (its workers assigned; a reached visit settles it done) or,
with no household known, for the community's coordinator to assign."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models import Task
from tests.api.test_visits_api import body as visit_body
from tests.factories import make_household


def post_case(api, district, **fields):
    body = {
        "area_id": district.a.community.id,
        "occurred_on": "2026-03-05",
        "fraud_type": "shopping",
        "loss_amount": "100",
        "client_id": str(uuid.uuid4()),
        **fields,
    }
    answer = api.post("/cases", user=district.a.coordinator, json=body)
    assert answer.status_code == 201, answer.get_json()
    return body, answer.get_json()


def test_a_case_with_a_household_sends_its_grid_a_return_visit(api, district, app):
    a = district.a
    home = make_household(area=a.grids[0], label="3-1-402")
    body, case = post_case(api, district, household_id=home.id)
    task = db.session.scalar(select(Task).where(Task.case_id == case["id"]))
    assert task.kind == "return_visit" and task.area_id == a.grids[0].id
    assert [u.id for u in task.assignees] == [a.worker.id]
    days = app.config["RETURN_VISIT_DAYS"]
    assert timedelta(days=days - 1) < task.due_at - datetime.now(UTC) <= timedelta(days=days + 1)
    # The same case posted again makes no second task.
    assert api.post("/cases", user=a.coordinator, json=body).status_code == 200
    assert db.session.scalar(select(func.count(Task.id)).where(Task.kind == "return_visit")) == 1
    mine = api.get("/tasks?mine=1", user=a.worker).get_json()
    assert task.id in [item["id"] for item in mine["items"]]
    now = datetime.now(UTC).isoformat()
    visit = visit_body(home, captured_at=now, task_id=task.id)
    assert api.post("/visits", user=a.worker, json=visit).status_code == 201
    db.session.expire_all()
    assert db.session.get(Task, task.id).status == "done"


def test_a_case_without_a_household_goes_to_the_community(api, district):
    a = district.a
    _body, case = post_case(api, district)
    task = db.session.scalar(select(Task).where(Task.case_id == case["id"]))
    assert task.area_id == a.community.id and task.assignees == []
    listed = api.get("/tasks?kind=return_visit", user=a.coordinator).get_json()
    assert [item["id"] for item in listed["items"]] == [task.id]
    assert (
        api.get("/tasks?kind=return_visit", user=district.b.coordinator).get_json()["items"] == []
    )


def test_an_import_makes_one_return_visit_per_case(api, district):
    home = make_household(area=district.a.grids[1], label="5-5-505")
    name = district.a.community.name
    csv = (
        "社区,发案日期,诈骗类型,损失金额,住户,案件编号\n"
        f"{name},2026-03-01,刷单,100,5-5-505,R-1\n"
        f"{name},2026-03-02,刷单,100,,R-2\n"
    ).encode()

    def upload():
        return api.post(
            "/cases/import",
            user=district.a.coordinator,
            data={"file": (io.BytesIO(csv), "cases.csv")},
            content_type="multipart/form-data",
        )

    assert upload().status_code == 201
    tasks = db.session.scalars(select(Task).where(Task.kind == "return_visit")).all()
    assert sorted(t.area_id for t in tasks) == sorted([home.area_id, district.a.community.id])
    assert upload().status_code == 422
    assert db.session.scalar(select(func.count(Task.id)).where(Task.kind == "return_visit")) == 2
