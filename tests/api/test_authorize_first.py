"""Authorization comes before validation on every write of the API: a caller outside their role,
or addressing an object or area outside their own, hears 403/404 even when the body is also wrong.

The sweep walks the app's URL map, so a write endpoint added later is swept too."""

from __future__ import annotations

import re

from app import qr
from app.extensions import db
from tests.factories import make_checkin, make_household, make_task, make_visit, make_warning

INVALID = {"__not_a_field__": True}
NO_SUCH_ID = 2**31 - 2
# Writes a worker is entitled to (their own check-ins, visits, reports, a warning of their grid):
# for them a wrong body is rightly a 422. They are swept below as another street's coordinator.
WORKER_WRITES = {
    ("POST", "/checkins"),
    ("POST", "/visits"),
    ("POST", "/tasks/<task_id>/report"),
    ("POST", "/warnings/<warning_id>/outcome"),
    ("POST", "/warnings/<warning_id>/reveal-phone"),
    ("PATCH", "/checkins/<checkin_id>"),
    ("PATCH", "/visits/<visit_id>"),
    ("POST", "/photos"),
}
# Calls that address no object or area before reading their body: anyone's own token, public
# quiz answers, and imports (each row names its area and is judged with the rest of the file).
# Calls that name nothing of anybody's area (a photo upload is one's own until a record takes it).
ADDRESS_NOTHING = {
    ("POST", "/auth/token"),
    ("DELETE", "/auth/token"),
    ("POST", "/auth/sms-code"),
    ("POST", "/auth/sms-token"),
    ("POST", "/quiz-responses"),
    ("POST", "/photos"),
    # One's own notifications and channel.
    ("POST", "/notifications/read"),
    ("PUT", "/notifications/channel"),
}
# Files naming their areas inside (rows, GeoJSON features): an area outside the caller's reads as
# unknown in the per-row (per-feature) report, as any unusable row does.
IMPORTS = re.compile(r"/(import|boundaries)$")


def write_endpoints(app) -> list[tuple[str, str]]:
    """(method, path under /api/v1 with <name> placeholders) for every write of the API."""
    found = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"<\1>", rule.rule[len("/api/v1") :])
        for method in rule.methods - {"GET", "HEAD", "OPTIONS"}:
            found.add((method, path))
    return sorted(found)


def objects_of(street, worker):
    """One object of each kind in a street, the ids a path or body may name."""
    grid = street.grids[0]
    task = make_task(area=grid, assignees=[worker] if worker else [])
    household = make_household(area=grid)
    warning = make_warning(by=street.police, area=grid)
    checkin = make_checkin(user=street.worker, site=street.sites[0])
    visit = make_visit(user=street.worker, household=household)
    return {
        "area_id": grid.id,
        "site_id": street.sites[0].id,
        "task_id": task.id,
        "household_id": household.id,
        "warning_id": warning.id,
        "checkin_id": checkin.id,
        "visit_id": visit.id,
        "user_id": street.worker.id,
        "campaign_id": NO_SUCH_ID,
        "from_user_id": street.worker.id,
        "to_user_id": street.worker.id,
        "token": qr.site_token(street.sites[0]),
    }


def fill(path: str, ids: dict) -> str:
    return re.sub(r"<([^<>]+)>", lambda m: str(ids.get(m.group(1), NO_SUCH_ID)), path)


def call(api, method, path, user, body):
    return api.client.open("/api/v1" + path, method=method, json=body, headers=api._headers(user))


def test_every_write_endpoint_is_swept(app):
    """The sweep sees the writes this test was written against (more may come)."""
    endpoints = write_endpoints(app)
    for expected in (
        ("POST", "/tasks/bulk-assign"),
        ("POST", "/tasks/reassign"),
        ("PATCH", "/users/<user_id>"),
        ("POST", "/households/import"),
        ("POST", "/warnings/<warning_id>/outcome"),
    ):
        assert expected in endpoints
    assert len(endpoints) >= 25


def test_a_worker_hears_403_or_404_before_any_422(app, api, district):
    a = district.a
    ids = objects_of(a, worker=None)
    db.session.commit()
    wrong = []
    for method, path in write_endpoints(app):
        if (method, path) in WORKER_WRITES | ADDRESS_NOTHING:
            continue
        for body in (
            INVALID,
            {**INVALID, **{k: ids[k] for k in ("area_id", "household_id", "from_user_id")}},
        ):
            response = call(api, method, fill(path, ids), a.worker, body)
            if response.status_code not in (403, 404):
                wrong.append((method, path, response.status_code, response.get_json()))
    assert [w[:3] for w in wrong] == []


def test_another_streets_coordinator_hears_403_or_404_before_any_422(app, api, district):
    a, b = district.a, district.b
    ids = objects_of(b, worker=b.worker)
    db.session.commit()
    body = {
        **INVALID,
        **{k: v for k, v in ids.items() if k != "user_id"},
        "parent_id": b.street.id,
        "assignee_ids": [b.worker.id],
        "site_ids": [b.sites[0].id],
        "grid_ids": [b.grids[0].id],
    }
    wrong = []
    for method, path in write_endpoints(app):
        if (method, path) in ADDRESS_NOTHING or IMPORTS.search(path):
            continue
        response = call(api, method, fill(path, ids), a.coordinator, body)
        if response.status_code not in (403, 404):
            wrong.append((method, path, response.status_code, response.get_json()))
    assert [w[:3] for w in wrong] == []
