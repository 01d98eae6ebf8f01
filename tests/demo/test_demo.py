"""The demo district: its shape, its invariants, its logins, and that seeding twice adds nothing."""

from __future__ import annotations

import ast
import uuid
from collections import Counter, defaultdict
from datetime import timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select
from sqlalchemy.orm import aliased, selectinload

from app.demo import DEMO_PASSWORD, demo_logins, seed_demo
from app.extensions import db
from app.geo import point_in_polygon
from app.models import (
    FORCES,
    ROLES,
    Area,
    Campaign,
    CheckIn,
    FraudCase,
    Household,
    RiskWarning,
    Site,
    Task,
    User,
    Visit,
)
from app.models.base import utcnow
from app.models.user import user_grids
from app.services.auth import authenticate
from app.services.passwords import check_password_rules
from tests import factories
from tests.services.coverage_helpers import assert_month_sums_match
from tests.source_files import parse

MODELS = {
    "sites": Site,
    "households": Household,
    "users": User,
    "campaigns": Campaign,
    "tasks": Task,
    "checkins": CheckIn,
    "visits": Visit,
    "warnings": RiskWarning,
    "cases": FraudCase,
}


@pytest.fixture(scope="module")
def demo(app):
    """Seed once for the module (real commits, tables emptied afterwards): seeding takes a second or two."""
    with app.app_context():
        created = seed_demo()
        db.session.commit()
        db.session.remove()
    assert created, "the test database was not empty"
    try:
        yield created
    finally:
        with app.app_context():
            db.session.remove()
            factories.empty_all_tables()


def _all(model):
    return db.session.scalars(select(model)).all()


def test_counts_are_in_the_expected_ranges(demo):
    assert demo["streets"] == 8
    assert 24 <= demo["communities"] <= 32
    assert 3 * demo["communities"] <= demo["grids"] <= 5 * demo["communities"]
    assert 280 <= demo["sites"] <= 320
    assert 30 * demo["grids"] <= demo["households"] <= 80 * demo["grids"]
    assert demo["checkins"] > demo["sites"] and demo["visits"] > demo["households"] / 2
    for key, model in MODELS.items():
        assert db.session.scalar(select(func.count()).select_from(model)) == demo[key], key
    levels = Counter(db.session.scalars(select(Area.level)))
    assert levels == {
        "street": demo["streets"],
        "community": demo["communities"],
        "grid": demo["grids"],
    }


def test_area_paths_follow_the_parent_chain_and_totals_add_up(demo):
    areas = {area.id: area for area in _all(Area)}
    wanted_parent = {"street": None, "community": "street", "grid": "community"}
    sums = defaultdict(lambda: [0, 0])
    for area in areas.values():
        parent = areas.get(area.parent_id)
        assert area.path == f"{parent.path if parent else '/'}{area.id}/"
        assert (parent.level if parent else None) == wanted_parent[area.level]
        assert area.household_count > 0 and area.population > area.household_count
        if parent:
            sums[parent.id][0] += area.household_count
            sums[parent.id][1] += area.population
    for parent_id, (households, population) in sums.items():
        assert (areas[parent_id].household_count, areas[parent_id].population) == (
            households,
            population,
        )
    assert len({area.code for area in areas.values()}) == len(areas)


def test_every_site_lies_inside_its_grid_in_jiangbei(demo):
    for site in _all(Site):
        assert site.area.level == "grid"
        assert point_in_polygon(site.lat, site.lng, site.area.boundary), site.name
        assert 29.85 <= site.lat <= 30.02 and 121.40 <= site.lng <= 121.65
    assert {site.kind for site in _all(Site)} >= {
        "banner",
        "screen",
        "board",
        "poster",
        "bank",
        "school",
    }


def test_users_of_every_role_and_force_share_the_demo_password(demo):
    users = _all(User)
    assert {u.role for u in users} == set(ROLES)
    assert {u.force for u in users if u.force} == set(FORCES)
    assert len({u.password_hash for u in users}) == 1
    check_password_rules(DEMO_PASSWORD)
    assert all(u.username.isascii() and not u.display_name.isascii() for u in users)
    riders = [u for u in users if u.force == "rider"]
    assert riders and all("美团" in u.display_name or "饿了么" in u.display_name for u in riders)
    workers_of = defaultdict(list)
    for user in users:
        if user.force == "grid_worker":
            assert 1 <= len(user.grids) <= 2
        for grid in user.grids:
            assert grid.level == "grid" and grid.is_within(user.area)
            workers_of[grid.id].append(user)
    assert set(workers_of) == {a.id for a in _all(Area) if a.level == "grid"}


def test_visits_and_checkins_stay_within_their_people_and_rules(demo):
    now = utcnow()
    own_grid = (
        select(user_grids)
        .where(user_grids.c.user_id == Visit.user_id, user_grids.c.area_id == Household.area_id)
        .exists()
    )
    visits = select(Visit).join(Household, Household.id == Visit.household_id)
    assert (
        db.session.scalar(select(func.count()).select_from(visits.where(~own_grid).subquery())) == 0
    )
    times = db.session.execute(
        select(func.min(Visit.captured_at), func.max(Visit.received_at))
    ).one()
    assert now - timedelta(days=31) <= times[0] and times[1] <= now
    site_area, user_area = aliased(Area), aliased(Area)
    rows = db.session.execute(
        select(CheckIn, Site.radius_m, site_area.path, user_area.path)
        .join(Site, Site.id == CheckIn.site_id)
        .join(site_area, site_area.id == Site.area_id)
        .join(User, User.id == CheckIn.user_id)
        .join(user_area, user_area.id == User.area_id)
    ).all()
    assert len(rows) == demo["checkins"]
    statuses = Counter()
    for checkin, radius, site_path, user_path in rows:
        statuses[checkin.status] += 1
        assert site_path.startswith(user_path)
        assert checkin.captured_at <= checkin.received_at <= now
        reach = radius + min(checkin.accuracy_m, 50)
        assert (checkin.distance_m > reach) == (checkin.reason == "out_of_range")
        assert (checkin.status == "flagged") <= (checkin.reason == "poor_accuracy")
    assert statuses["flagged"] and statuses["rejected"]
    assert statuses["accepted"] > 5 * (statuses["flagged"] + statuses["rejected"])
    ids = list(db.session.scalars(select(CheckIn.client_id))) + list(
        db.session.scalars(select(Visit.client_id))
    )
    assert len(set(ids)) == len(ids) and all(uuid.UUID(i).version == 4 for i in ids)


def test_the_monthly_sums_match_the_evidence(demo):
    """The demo inserts check-ins and visits in bulk and adds them to the sums coverage reads."""
    assert_month_sums_match()


def test_coverage_differs_between_streets(demo):
    reached = set(db.session.scalars(select(Visit.household_id).where(Visit.outcome == "reached")))
    shares = defaultdict(lambda: [0, 0])
    rows = db.session.execute(
        select(Household.id, Area.path)
        .join(Area, Area.id == Household.area_id)
        .where(Household.unreachable == False)
    )  # noqa: E712
    for household_id, path in rows:
        shares[path.split("/")[1]][0] += household_id in reached
        shares[path.split("/")[1]][1] += 1
    rates = sorted(done / total for done, total in shares.values())
    assert len(rates) == 8 and rates[-1] - rates[0] > 0.3


def test_tasks_belong_to_their_grids_and_people(demo):
    tasks = db.session.scalars(
        select(Task).options(
            selectinload(Task.assignees).selectinload(User.grids),
            selectinload(Task.sites),
            selectinload(Task.campaign).selectinload(Campaign.area),
            selectinload(Task.area),
        )
    ).all()
    for task in tasks:
        assert task.area.level == "grid" and task.area.is_within(task.campaign.area)
        assert task.assignees
        for user in task.assignees:
            assert task.area in user.grids or task.area.is_within(user.area)
        assert all(site.area_id == task.area_id for site in task.sites)
    assert {t.status for t in tasks} >= {"open", "in_progress", "done"}


def test_warnings_of_every_level_are_open_overdue_and_handled(demo):
    now = utcnow()
    for level in ("high", "medium", "low"):
        warnings = db.session.scalars(select(RiskWarning).where(RiskWarning.level == level)).all()
        assert any(w.status == "open" and w.deadline_at < now for w in warnings), level
        assert any(w.status == "open" and w.deadline_at > now for w in warnings), level
        handled = [w for w in warnings if w.result]
        assert handled and all(w.handled_at and w.handled_by.area is not None for w in handled)
        assert all(w.area.is_within(w.handled_by.area) for w in handled)
    assert all(w.phone and len(w.phone) == 11 for w in _all(RiskWarning))


def test_cases_fall_on_communities_and_earn_some_streets_cards(demo, app):
    today = utcnow().date()
    recent = Counter()
    for case in _all(FraudCase):
        assert case.area.level == "community" and case.loss_amount > 0
        assert today - timedelta(days=61) <= case.occurred_on <= today + timedelta(days=1)
        assert case.household is None or case.household.area.parent_id == case.area_id
        if case.occurred_on > today - timedelta(days=29):
            recent[case.area.parent_id] += 1
    streets = db.session.scalars(select(Area).where(Area.level == "street")).all()
    rates = sorted(recent[s.id] / s.population * 10_000 for s in streets)
    assert rates[-1] >= app.config["CARD_RED_PER_10K"]
    assert any(
        app.config["CARD_YELLOW_PER_10K"] <= rate < app.config["CARD_RED_PER_10K"] for rate in rates
    )
    assert rates[0] < app.config["CARD_YELLOW_PER_10K"]


def test_every_printed_login_authenticates(demo):
    logins = demo_logins()
    assert {role for _, role, _ in logins} == set(ROLES)
    for username, role, _area in logins:
        assert authenticate(username, DEMO_PASSWORD).role == role


def test_a_hash_made_with_other_argon2_parameters_still_verifies(demo):
    user = db.session.scalar(select(User).where(User.username == "admin"))
    user.password_hash = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=2).hash(
        DEMO_PASSWORD
    )
    db.session.flush()
    assert authenticate("admin", DEMO_PASSWORD) is user


def test_seeding_twice_adds_nothing(demo):
    before = {
        key: db.session.scalar(select(func.count()).select_from(model))
        for key, model in MODELS.items()
    }
    assert seed_demo() == {}
    after = {
        key: db.session.scalar(select(func.count()).select_from(model))
        for key, model in MODELS.items()
    }
    assert after == before


def test_the_command_prints_the_logins_and_seeds_nothing_more(demo, app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "not seeded" in result.output and DEMO_PASSWORD in result.output
    for username, _role, _area in demo_logins():
        assert username in result.output
    assert db.session.scalar(select(func.count()).select_from(Site)) == demo["sites"]


def test_the_demo_lives_outside_the_rules_layer():
    """app/services/ holds the business rules; the seed is app/demo/, and no service imports it."""
    services = Path(__file__).resolve().parents[2] / "app" / "services"
    assert sorted(p.name for p in services.rglob("demo*.py")) == []
    for path in services.rglob("*.py"):
        for node in ast.walk(parse(path)):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else ([alias.name for alias in node.names] if isinstance(node, ast.Import) else [])
            )
            assert not any(name.startswith("app.demo") for name in names), path
