"""What one check-in costs the database: the statements POST /checkins sends, counted on a
session that starts empty, as each request's does when served."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event, select

from app.extensions import db
from app.models import Area, CheckIn, Task, User
from tests.api.checkin_helpers import ago, body
from tests.factories import make_task

# The test's own transaction wraps the request's in savepoints: count the statements that read
# or write rows.
_ROWS = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b", re.IGNORECASE)


@pytest.fixture
def statements():
    seen: list[str] = []
    bind = db.session.get_bind()

    def watch(_conn, _cursor, statement, *_args):
        if _ROWS.match(statement):
            seen.append(" ".join(statement.split()))

    event.listen(bind, "before_cursor_execute", watch)
    yield seen
    event.remove(bind, "before_cursor_execute", watch)


def _post(client, headers, data, statements):
    db.session.commit()
    db.session.expunge_all()  # the request starts from an empty session, as it does when served
    statements.clear()
    response = client.post("/api/v1/checkins", headers=headers, json=data)
    return response, [s.split(" WHERE ")[0][:60] for s in statements]


def _kinds(found: list[str]) -> list[str]:
    # The table read, written or updated (a CASE or an EXISTS in the select list may read
    # others); for a statement with data-modifying CTEs, every table it inserts into, in order.
    return [
        "WITH " + "+".join(re.findall(r"INSERT INTO (\w+)", s))
        if s.startswith("WITH")
        else s.split(" ", 1)[0]
        + " "
        + re.search(r"(?:FROM|INTO|UPDATE) (\w+)", re.sub(_SELECTED, "", s)).group(1)
        for s in found
    ]


_SELECTED = re.compile(r"CASE WHEN .*? END|EXISTS \(SELECT .*?\) AS \w+,")


def _on_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


# Storing it: on PostgreSQL one statement claims the client_id with a new id and inserts the row
# FROM the claim (a repeat stores nothing); on SQLite, inside the SAVEPOINT that is its write
# transaction, the INSERT and the claim (ON CONFLICT DO NOTHING: a lost race deletes the row).
STORED = {
    "postgresql": ["WITH idempotency_keys+checkins"],
    "sqlite": ["INSERT checkins", "INSERT idempotency_keys"],
}


def test_a_check_in_without_a_task_is_six_statements_five_on_postgresql(api, district, statements):
    a = district.a
    headers, data = api._headers(a.worker), body(a.sites[0])
    earlier = body(a.sites[0], 40, captured_at=ago(hours=1))
    assert _post(api.client, headers, earlier, statements)[0].status_code == 201
    response, found = _post(api.client, headers, data, statements)
    assert response.status_code == 201 and response.get_json()["status"] == "accepted"
    assert response.get_json()["photo_ids"] == []
    assert _kinds(statements) == [
        "SELECT api_tokens",  # the caller, with their user and area
        # the site the code names, with its grid, and whether the caller has open tasks here or
        # the grid unfinished site tasks: none, so they are not looked for
        "SELECT sites",
        "SELECT checkins",  # the caller's previous fix and recent check-ins at the site
        *STORED[db.session.get_bind().dialect.name],
        "INSERT site_months",  # added to its site's month (ON CONFLICT DO UPDATE), last
    ], "\n".join(found)


def test_a_workers_first_check_in_also_looks_further_back_for_a_previous_fix(
    api, district, statements
):
    a = district.a
    response, found = _post(api.client, api._headers(a.worker), body(a.sites[0]), statements)
    assert response.status_code == 201
    # none in the last week: the one look without a lower bound (on PostgreSQL, every month)
    assert _kinds(statements).count("SELECT checkins") == 2, "\n".join(found)


def test_a_check_in_for_a_task_settles_it_without_loading_it_again(api, district, statements):
    a = district.a
    headers, data = api._headers(a.worker), body(a.sites[0])
    grid_id, worker_id = a.sites[0].area_id, a.worker.id
    earlier = body(a.sites[0], 40, captured_at=ago(hours=1))  # before the task: it does not count
    assert _post(api.client, headers, earlier, statements)[0].status_code == 201
    grid, worker = db.session.get(Area, grid_id), db.session.get(User, worker_id)
    task = make_task(area=grid, kind="site_check", assignees=[worker])
    task_id = task.id
    response, found = _post(api.client, headers, data, statements)
    assert response.status_code == 201 and response.get_json()["task_id"] == task_id
    assert _kinds(statements) == [
        "SELECT api_tokens",
        "SELECT sites",  # there are tasks to look at here
        "SELECT tasks",  # the caller's open tasks here, and the grid's unfinished site tasks
        "SELECT checkins",
        *STORED[db.session.get_bind().dialect.name],
        "SELECT checkins",  # the task's progress (the task itself is not loaded again)
        "UPDATE tasks",  # its new status
        "INSERT site_months",
    ], "\n".join(found)
    assert db.session.get(Task, task_id).status == "done"


def test_a_retry_still_answers_the_first_record_and_adds_none(api, district, statements):
    a = district.a
    data, headers = body(a.sites[0]), api._headers(a.worker)
    first, _found = _post(api.client, headers, data, statements)
    again, _found = _post(api.client, headers, data, statements)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == first.get_json()
    # No look-up first. On SQLite the repeat's row goes in, its claim finds the key taken, the
    # row goes out again; on PostgreSQL the one statement's claim finds the key taken and
    # nothing is inserted. Then the first record is read; nothing is added to the site's month.
    kinds = _kinds(statements)
    if _on_postgresql():
        stored = kinds.index("WITH idempotency_keys+checkins")  # flagged: no month to add to
        assert kinds[stored : stored + 3] == [
            "WITH idempotency_keys+checkins",
            "SELECT idempotency_keys",
            "SELECT checkins",
        ], "\n".join(statements)
    else:
        inserted = kinds.index("INSERT checkins")
        assert kinds[inserted : inserted + 5] == [
            "INSERT checkins",
            "INSERT idempotency_keys",
            "DELETE checkins",
            "SELECT idempotency_keys",
            "SELECT checkins",
        ], "\n".join(statements)
    rows = db.session.scalars(select(CheckIn).where(CheckIn.client_id == data["client_id"]))
    assert len(rows.all()) == 1
