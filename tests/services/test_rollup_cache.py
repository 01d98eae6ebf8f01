"""Coverage roll-ups kept in a real Redis (ROLLUP_CACHE_URL): served from it while nothing they
count changed, computed afresh after any write they count (whoever made it: the check-in API's
own INSERT, the ORM, a review, a household moved, an import), and right when Redis goes away."""

from __future__ import annotations

import socket
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event

from app.extensions import db
from app.services import coverage, rollup_cache
from app.services.localtime import today
from tests import factories
from tests.api.checkin_helpers import body


@pytest.fixture
def cached(app, redis_server, monkeypatch):
    monkeypatch.setitem(app.config, "ROLLUP_CACHE_URL", redis_server.url)
    return redis_server


class Reads:
    """Counts the statements that read check-ins (a computed roll-up reads them; a kept one not)."""

    def __init__(self):
        self.count = 0
        event.listen(db.engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn, _cursor, statement, *_rest):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")) and "checkins" in statement:
            self.count += 1

    def during(self, action):
        before = self.count
        result = action()
        return result, self.count - before

    def close(self):
        event.remove(db.engine, "before_cursor_execute", self._seen)


@pytest.fixture
def reads(app):
    watcher = Reads()
    yield watcher
    watcher.close()


def _month_bounds(day: date) -> tuple[str, str]:
    first = day.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return first.isoformat(), last.isoformat()


def _figures(api, leader, month: date | None = None) -> dict:
    first, last = _month_bounds(month or today())
    response = api.get(f"/coverage?from={first}&to={last}", user=leader)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _fresh(month: date | None = None) -> dict:
    """The same figures computed straight, past the cache."""
    first, last = _month_bounds(month or today())
    period = coverage.make_period(date.fromisoformat(first), date.fromisoformat(last))
    figures = coverage._compute(None, period)
    figures["from"], figures["to"] = figures.pop("date_from"), figures.pop("date_to")
    return figures


def _last_month() -> date:
    return today().replace(day=1) - timedelta(days=1)


def test_a_roll_up_is_kept_until_a_check_in_of_its_month_arrives(app, cached, reads):
    district = factories.build_district()
    db.session.commit()
    api = factories.ApiClient(app.test_client())
    leader, worker, site = district.leader, district.a.worker, district.a.sites[0]

    first, computed = reads.during(lambda: _figures(api, leader))
    assert computed > 0 and first["sites_visited"] == 0
    again, computed = reads.during(lambda: _figures(api, leader))
    assert computed == 0 and again == first  # from Redis
    last_month, _ = reads.during(lambda: _figures(api, leader, _last_month()))

    # The check-in API's own INSERT (SQLAlchemy Core, not the ORM) moves this month's version.
    checkin = api.post("/checkins", user=worker, json=body(site, 20))
    assert checkin.status_code == 201, checkin.get_json()
    after, computed = reads.during(lambda: _figures(api, leader))
    assert computed > 0 and after["sites_visited"] == 1
    assert after == _fresh()
    # Last month's figures did not move and stay kept.
    kept, computed = reads.during(lambda: _figures(api, leader, _last_month()))
    assert computed == 0 and kept == last_month


def test_a_review_a_late_visit_and_a_moved_household_each_refresh_what_they_change(
    app, cached, reads
):
    district = factories.build_district()
    a = district.a
    last_month = _last_month()
    at = datetime.combine(last_month, datetime.min.time(), UTC) + timedelta(hours=6)
    flagged = factories.make_checkin(user=a.worker, site=a.sites[0], at=at, status="flagged")
    household = factories.make_household(area=a.grids[0])
    db.session.commit()
    api = factories.ApiClient(app.test_client())
    this_month = _figures(api, district.leader)
    before = _figures(api, district.leader, last_month)
    assert before["sites_visited"] == 0

    flagged.status = "accepted"  # a coordinator approves it (an ORM UPDATE: its month moves)
    db.session.commit()
    approved, computed = reads.during(lambda: _figures(api, district.leader, last_month))
    assert computed > 0 and approved["sites_visited"] == 1 == _fresh(last_month)["sites_visited"]
    assert reads.during(lambda: _figures(api, district.leader))[1] == 0  # this month: kept

    factories.make_visit(user=a.worker, household=household, at=at)  # a late upload, last month
    db.session.commit()
    visited = _figures(api, district.leader, last_month)
    assert visited["households_reached"] == before["households_reached"] + 1
    assert visited == _fresh(last_month)

    # A household moving to another street changes every period's figures (set on a row that
    # expired at the last commit: its visits follow all the same).
    household.area_id = district.b.grids[0].id
    db.session.commit()
    moved, computed = reads.during(lambda: _figures(api, district.leader, last_month))
    assert computed > 0 and moved == _fresh(last_month)
    by_street = {c["area_id"]: c["households_reached"] for c in moved["children"]}
    assert by_street[district.b.street.id] == 1 and by_street[a.street.id] == 0
    now, computed = reads.during(lambda: _figures(api, district.leader))
    assert computed > 0 and now["households_total"] == this_month["households_total"]


def test_a_persons_login_does_not_refresh_but_their_move_does(app, cached, reads):
    district = factories.build_district()
    db.session.commit()
    api = factories.ApiClient(app.test_client())
    _figures(api, district.leader)
    worker = district.a.worker
    worker.display_name = worker.display_name + "（改）"  # not something coverage counts
    db.session.commit()
    assert reads.during(lambda: _figures(api, district.leader))[1] == 0
    worker.force = "militia"
    db.session.commit()
    assert reads.during(lambda: _figures(api, district.leader))[1] > 0


def test_a_copy_import_refreshes_the_roll_ups(app, cached, reads):
    """importing.bulk_insert: executemany on SQLite, COPY on PostgreSQL (past SQLAlchemy's events)."""
    from app.models import Household
    from app.services.importing import bulk_insert

    district = factories.build_district()
    db.session.commit()
    api = factories.ApiClient(app.test_client())
    before = _figures(api, district.leader)
    grid = district.a.grids[1]
    now = datetime.now(UTC)
    rows = [
        {
            "area_id": grid.id,
            "label": f"9-9-{n}",
            "tags": [],
            "unreachable": False,
            "created_at": now,
        }
        for n in range(3)
    ]
    bulk_insert(Household.__table__, rows)
    db.session.commit()
    after, computed = reads.during(lambda: _figures(api, district.leader))
    assert computed > 0 and after == _fresh()
    assert after["households_total"] != before["households_total"] or grid_had_count(grid)


def grid_had_count(grid) -> bool:
    """A grid with no household rows counts its household_count instead (then adding rows may
    leave the total as it was)."""
    return bool(grid.household_count)


def test_without_redis_the_figures_are_computed_and_right(app, cached, reads):
    district = factories.build_district()
    db.session.commit()
    api = factories.ApiClient(app.test_client())
    _figures(api, district.leader)
    cached.stop()
    started = time.monotonic()
    checkin = api.post("/checkins", user=district.a.worker, json=body(district.a.sites[0], 20))
    assert checkin.status_code == 201  # the bump fails quietly; the check-in is kept
    figures, computed = reads.during(lambda: _figures(api, district.leader))
    assert computed > 0 and figures["sites_visited"] == 1 == _fresh()["sites_visited"]
    assert time.monotonic() - started < 10  # a dead Redis costs a connect timeout, not a hang
    assert rollup_cache._owed["all"] is True  # clears everything once Redis answers again
    rollup_cache._owed["all"] = False


def test_nothing_is_kept_without_rollup_cache_url(app, redis_server, reads):
    district = factories.build_district()
    db.session.commit()
    api = factories.ApiClient(app.test_client())
    _figures(api, district.leader)
    assert reads.during(lambda: _figures(api, district.leader))[1] > 0
    with socket.create_connection(("127.0.0.1", redis_server.port), timeout=5) as connection:
        connection.sendall(b"DBSIZE\r\n")
        assert connection.recv(64).strip() == b":0"
