"""Reads are pure: every page and API read of the demo district, for every role, writes nothing
but audit rows (a reveal, an export)."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select

from app import qr
from app.demo import DEMO_PASSWORD, seed_demo
from app.extensions import db
from app.models import Area, Household, Site, Task, User
from tests import factories
from tests.factories import make_checkin, make_visit

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE|UPSERT|MERGE)\b", re.IGNORECASE)
AUDIT = re.compile(r"^\s*INSERT\s+INTO\s+\"?audit_events\"?", re.IGNORECASE)
# Where an id in a route comes from: the caller's own API list, so that most reads find something.
LISTS = {
    "area_id": "/areas",
    "campaign_id": "/campaigns",
    "case_id": "/cases",
    "checkin_id": "/checkins",
    "household_id": "/households",
    "site_id": "/sites",
    "task_id": "/tasks",
    "user_id": "/users",
    "visit_id": "/visits",
    "warning_id": "/warnings",
    "grid_id": "/areas?level=grid",
}
SKIPPED = ("/static/", "/lang/", "/api/v1/jobs/")


@pytest.fixture(scope="module")
def demo(app):
    """The demo district, committed for the module (tables emptied afterwards)."""
    with app.app_context():
        assert seed_demo(), "the test database was not empty"
        db.session.commit()
        db.session.remove()
    try:
        yield
    finally:
        with app.app_context():
            db.session.remove()
            factories.empty_all_tables()


def _people() -> dict[str, User]:
    worker = User.role == "worker"

    def pick(*where):
        return db.session.scalar(select(User).where(User.active == True, *where).order_by(User.id))

    street_leader = pick(
        User.role == "leader", User.area_id.in_(select(Area.id).where(Area.level == "street"))
    )
    return {
        "admin": pick(User.role == "admin"),
        "district_leader": pick(User.role == "leader", User.area_id.is_(None)),
        "street_leader": street_leader,
        "coordinator": pick(User.role == "coordinator"),
        "grid_worker": pick(worker, User.force == "grid_worker"),
        "police": pick(worker, User.force == "police"),
    }


def _unsettled_evidence(worker: User) -> None:
    """Evidence as rows written before statuses were settled on writes (or by hand) would leave it:
    a read that settled statuses would now have something to write."""
    for task in db.session.scalars(
        select(Task).where(Task.status == "open", Task.kind == "site_check").limit(20)
    ):
        site = db.session.scalar(select(Site).where(Site.area_id == task.area_id))
        if site is not None:
            make_checkin(user=worker, site=site, task=task)
    door = db.session.scalar(select(Task).where(Task.status == "open", Task.kind == "door_to_door"))
    household = door and db.session.scalar(
        select(Household).where(Household.area_id == door.area_id, Household.unreachable == False)
    )
    if household is not None:
        make_visit(user=worker, household=household, task=door)
    db.session.commit()


@contextmanager
def _writes():
    """Collect every write statement but audit inserts run meanwhile."""
    seen: list[str] = []

    def watch(_conn, _cursor, statement, *_args):
        if WRITE.match(statement) and not AUDIT.match(statement):
            seen.append(statement.split("(")[0][:80])

    bind = db.session.get_bind()
    event.listen(bind, "before_cursor_execute", watch)
    try:
        yield seen
    finally:
        event.remove(bind, "before_cursor_execute", watch)


def _read_urls(app, api_get) -> list[str]:
    """Every GET route, with ids the caller can see filled in (routes with other arguments skipped)."""
    urls = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.rule.startswith(SKIPPED):
            continue
        values = {}
        for name in rule.arguments:
            if name == "token":
                values[name] = qr.site_token(db.session.scalar(select(Site).order_by(Site.id)))
            elif name in LISTS:
                items = api_get(LISTS[name] + ("&" if "?" in LISTS[name] else "?") + "per_page=1")
                values[name] = (items or [{"id": 1}])[0]["id"]
        if set(values) == set(rule.arguments):
            urls.append(_build(rule.rule, values))
    return urls


def _build(rule: str, values: dict) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), rule)


@pytest.mark.parametrize(
    "role", ["admin", "district_leader", "street_leader", "coordinator", "grid_worker", "police"]
)
def test_no_read_writes_anything_but_audit_rows(app, demo, role):
    people = _people()
    _unsettled_evidence(people["grid_worker"])
    user = people[role]
    token = factories.make_api_token(user=user)
    bearer = {"Authorization": f"Bearer {token}"}
    pages, api = app.test_client(), app.test_client()
    login = pages.post("/login", data={"username": user.username, "password": DEMO_PASSWORD})
    assert login.status_code == 302

    def api_get(url):
        response = api.get("/api/v1" + url, headers=bearer)
        return response.get_json().get("items") if response.status_code == 200 else None

    written, failed = {}, {}
    urls = _read_urls(app, api_get)
    statuses = {}
    for url in urls:
        client, headers = (api, bearer) if url.startswith("/api/") else (pages, {})
        with _writes() as seen:
            response = client.get(url, headers=headers)
        if seen:
            written[url] = seen
        statuses[url] = response.status_code
        if response.status_code >= 500:
            failed[url] = response.status_code
    assert not failed, failed
    assert not written, written
    # The walk reaches real reads, not only refusals.
    assert len(urls) >= 70 and list(statuses.values()).count(200) >= 25
