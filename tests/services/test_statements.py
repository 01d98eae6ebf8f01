"""Reads built once per shape and sent together (app/services/statements.py), on SQLite and
PostgreSQL: the same rows as SQLAlchemy gives, in order, every statement seen by the hooks."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import bindparam, event, func, select, update

from app.extensions import db
from app.models import Area, Site
from app.services import coverage, statements
from tests.factories import make_area, make_site, make_visit
from tests.services.coverage_helpers import build_march_district


@pytest.fixture
def sites(app):
    street = make_area(name="读街道", level="street")
    community = make_area(name="读社区", level="community", parent=street)
    grids = [make_area(name=f"读网格{i}", level="grid", parent=community) for i in range(3)]
    made = [
        make_site(area=grid, name=f"读点位{i}{j}")
        for i, grid in enumerate(grids)
        for j in range(i + 1)
    ]
    db.session.flush()
    return grids, made


def _per_grid():
    return (
        select(Site.area_id, func.count(Site.id))
        .where(statements.in_list(Site.area_id, "grid_ids"))
        .group_by(Site.area_id)
        .order_by(Site.area_id)
    )


def _made_after():
    return select(func.count(Site.id)).where(Site.created_at >= bindparam("since"))


def test_a_shape_is_built_once_per_engine_and_shape():
    first = statements.prebuilt(("test", 1), _per_grid)
    assert statements.prebuilt(("test", 1), _per_grid) is first
    assert statements.prebuilt(("test", 2), _per_grid) is not first


def test_reads_give_sqlalchemys_rows_in_order_and_every_statement_is_seen(sites):
    grids, made = sites
    per_grid, after = _per_grid(), _made_after()
    wanted_ids = [grids[2].id, grids[0].id]
    since = datetime.now(UTC) - timedelta(days=1)
    expected = [
        db.session.execute(per_grid, {"grid_ids": wanted_ids}).all(),
        db.session.execute(after, {"since": since}).all(),
        db.session.execute(per_grid, {"grid_ids": []}).all(),
    ]
    assert expected[0] == [(grids[0].id, 1), (grids[2].id, 3)] and expected[2] == []

    seen = []
    listener = lambda _c, _cur, statement, *_args: seen.append(statement)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        answers = statements.read_all(
            [
                (per_grid, {"grid_ids": wanted_ids}),
                (after, {"since": since}),
                (per_grid, {"grid_ids": []}),
            ]
        )
        got = [[tuple(row) for row in rows] for rows in answers]
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert got == [[tuple(row) for row in rows] for rows in expected]
    assert got[1] == [(len(made),)]
    assert len(seen) == 3 and all("sites" in statement for statement in seen)


def test_a_read_sees_what_the_session_has_not_flushed_yet(sites):
    grids, made = sites
    # Added, not flushed: read_all flushes it first, as Session.execute would.
    db.session.add(Site(area_id=grids[0].id, name="读点位新", kind="board", lat=29.9, lng=121.5))
    (rows,) = statements.read_all([(_per_grid(), {"grid_ids": [grids[0].id]})])
    assert [tuple(row) for row in rows] == [(grids[0].id, 2)]


def test_on_postgresql_a_list_written_into_the_statement_is_refused(sites):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL sends reads together; elsewhere SQLAlchemy runs each")
    listed = select(func.count(Area.id)).where(Area.level.in_(["grid", "street"]))
    with pytest.raises(ValueError, match="in_list"):
        list(statements.read_all([(listed, {})]))


def _connections_seen(run) -> tuple[object, set[int]]:
    """What `run` returns, and the ids of the connections its statements were sent on."""
    seen: set[int] = set()
    listener = lambda conn, *_args: seen.add(id(conn.connection.dbapi_connection))  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        return run(), seen
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)


def test_on_postgresql_reads_beside_run_on_a_second_connection_unless_this_one_wrote(committing):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL sends reads together; elsewhere SQLAlchemy runs each")
    march = build_march_district()
    db.session.commit()
    period = coverage.make_period(date(2026, 3, 1), date(2026, 3, 31))
    # A transaction that has read only: the visits and people go to a second connection.
    beside, lanes = _connections_seen(lambda: coverage.compute(None, period))
    assert len(lanes) == 2
    db.session.rollback()
    # One that wrote (here a row set to what it held): all on this one, which sees its writes.
    db.session.execute(update(Area).where(Area.id == march.s1.id).values(name=Area.name))
    alone, lanes = _connections_seen(lambda: coverage.compute(None, period))
    assert len(lanes) == 1
    assert beside == alone and alone["checkins"] == 4 and alone["visits"] == 5
    db.session.rollback()
    # A visit written and not committed is counted: the reads stay on the connection that wrote.
    make_visit(user=march.worker, household=march.h1, at=datetime(2026, 3, 10, 2, tzinfo=UTC))
    (after, lanes) = _connections_seen(lambda: coverage.compute(None, period))
    assert len(lanes) == 1 and after["visits"] == alone["visits"] + 1
    db.session.rollback()
