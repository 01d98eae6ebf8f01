"""The check-in service's seams the phone page uses: resolving a code and the open tasks at a site."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from app import qr
from app.errors import Forbidden, NotFound
from app.extensions import db
from app.services import checkins
from tests.factories import make_task


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


def test_resolve_gives_the_site(ctx, district):
    site = district.a.sites[0]
    assert checkins.resolve_site_token(district.a.worker, qr.site_token(site)) is site


def test_resolve_refuses_other_streets(ctx, district):
    with pytest.raises(Forbidden):
        checkins.resolve_site_token(district.a.worker, qr.site_token(district.b.sites[0]))


def test_resolve_says_a_code_was_replaced(ctx, district):
    site = district.a.sites[0]
    token = qr.site_token(site)
    site.qr_version += 1
    db.session.flush()
    with force_locale("en"), pytest.raises(NotFound, match="replaced"):
        checkins.resolve_site_token(district.a.worker, token)


def test_resolve_refuses_inactive_and_deleted_sites(ctx, district):
    site = district.a.sites[0]
    site.active = False
    db.session.flush()
    with force_locale("en"), pytest.raises(NotFound, match="no longer"):
        checkins.resolve_site_token(district.a.worker, qr.site_token(site))
    with pytest.raises(qr.BadSiteToken):
        checkins.resolve_site_token(district.admin, qr.make_token(987654, 1))


def test_open_tasks_at_site(ctx, district):
    a = district.a
    site = a.sites[0]  # in grids[0], the worker's grid
    by_grid = make_task(area=a.grids[0])  # the worker's grid: theirs, here
    assigned_elsewhere = make_task(
        area=a.grids[1], assignees=[a.worker], sites=[site]
    )  # assigned and linked to the site
    not_here = make_task(area=a.grids[1], assignees=[a.worker])  # theirs, but another grid, no link
    not_mine = make_task(
        area=a.grids[1], assignees=[a.police], sites=[site]
    )  # here, but someone else's
    done = make_task(area=a.grids[0], assignees=[a.worker], status="done")
    started = make_task(area=a.grids[0], assignees=[a.worker], status="in_progress")
    ids = [t.id for t in checkins.open_tasks_at_site(a.worker, site)]
    assert set(ids) == {by_grid.id, assigned_elsewhere.id, started.id}
    assert not_here.id not in ids and not_mine.id not in ids and done.id not in ids
    assert [t.id for t in checkins.open_tasks_at_site(a.police, site)] == [not_mine.id]
