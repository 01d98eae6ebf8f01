"""The demo district: a Jiangbei-like district with its people and a month of work, for first runs."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from app.demo import casework
from app.demo.activity import Clock, Links, build_checkins, build_rider_drops, build_visits
from app.demo.data import GIVEN, SURNAMES
from app.demo.places import (
    Grid,
    SiteRow,
    Street,
    build_areas,
    build_households,
    build_sites,
)
from app.extensions import db
from app.models import Area, User
from app.models.base import utcnow
from app.services.passwords import check_password_rules, hash_password
from app.services.task_progress import settle_tasks

DEMO_PASSWORD = "Demo-2026!"
SEED = 330205  # fixed, so that every run builds the same district
FEATURED = (
    "admin",
    "leader",
    "zhuangqiao.leader",
    "zhuangqiao.coord",
    "yongjiang.coord",
    "kongpu.coord",
    "wenjiao.coord",
    "baisha.coord",
    "zhongma.coord",
    "hongtang.coord",
    "cicheng.coord",
    "wangge01",
    "wangge02",
    "militia01",
    "rider01",
    "volunteer01",
    "police01",
    "enterprise01",
)


@dataclass
class People:
    """The demo's users, indexed the ways the activity needs them."""

    users: list[User] = field(default_factory=list)
    coordinators: dict[int, User] = field(default_factory=dict)  # street index → user
    by_street: dict[tuple[int, str], list[User]] = field(
        default_factory=dict
    )  # (street index, force)
    by_grid: dict[int, list[User]] = field(default_factory=dict)  # grid area id → grid workers
    by_community: dict[int, list[User]] = field(
        default_factory=dict
    )  # community id → enterprise officers


class _Factory:
    """Makes users with one shared password hash, unique usernames and Chinese display names."""

    def __init__(self, rng: random.Random, created_at: datetime):
        self.rng, self.created_at = rng, created_at
        self.password_hash = hash_password(DEMO_PASSWORD)  # argon2 is slow: hash once for everyone
        self.numbers: dict[str, int] = {}
        self.names: set[str] = set()
        self.people = People()

    def person(self) -> str:
        while True:
            name = self.rng.choice(SURNAMES) + self.rng.choice(GIVEN)
            if name not in self.names:
                self.names.add(name)
                return name

    def numbered(self, prefix: str) -> str:
        self.numbers[prefix] = self.numbers.get(prefix, 0) + 1
        return f"{prefix}{self.numbers[prefix]:02d}"

    def add(
        self,
        username: str,
        role: str,
        area: Area | None,
        force: str | None = None,
        title: str = "",
        grids: list[Area] | None = None,
    ) -> User:
        user = User(
            username=username,
            display_name=f"{title}{self.person()}",
            role=role,
            force=force,
            area=area,
            password_hash=self.password_hash,
            created_at=self.created_at,
            phone=f"1{self.rng.choice(('39', '58', '88', '37'))}0000{self.rng.randint(1000, 9999)}",
        )
        user.grids = list(grids or [])
        self.people.users.append(user)
        return user

    def worker(self, prefix: str, force: str, area: Area, street: Street, title: str = "") -> User:
        user = self.add(self.numbered(prefix), "worker", area, force, title)
        self.people.by_street.setdefault((street.index, force), []).append(user)
        return user


def _grid_workers(factory: _Factory, street: Street, grids: list[Grid]) -> None:
    """Each community's grids shared out among grid workers, one or two grids each."""
    for community in street.communities:
        own = [g for g in grids if g.community is community]
        while own:
            take = 2 if len(own) > 1 and factory.rng.random() < 0.35 else 1
            chunk, own = own[:take], own[take:]
            user = factory.add(
                factory.numbered("wangge"),
                "worker",
                community,
                "grid_worker",
                "网格员 ",
                grids=[g.area for g in chunk],
            )
            factory.people.by_street.setdefault((street.index, "grid_worker"), []).append(user)
            for grid in chunk:
                factory.people.by_grid.setdefault(grid.area.id, []).append(user)


def _street_forces(factory: _Factory, street: Street) -> None:
    """Militia, riders, volunteers and community police of one street."""
    rng, area = factory.rng, street.area
    for _ in range(rng.randint(1, 2)):
        factory.worker("militia", "militia", area, street, "民兵 ")
    for n in range(3 if street.key == "kongpu" else 1):
        platform = "美团骑手 " if (street.index + n) % 2 == 0 else "饿了么骑手 "
        factory.worker("rider", "rider", area, street, platform)
    for _ in range(2 if street.key in ("wenjiao", "cicheng") else 1):
        factory.worker("volunteer", "volunteer", area, street, "反诈志愿者 ")
    factory.worker("police", "police", area, street, "社区民警 ")


def build_users(
    rng: random.Random,
    streets: list[Street],
    grids: list[Grid],
    company_grids: list[Grid],
    created_at: datetime,
) -> People:
    """Users of every role and force, all with the demo password."""
    factory = _Factory(rng, created_at)
    factory.add("admin", "admin", None, title="系统管理员 ")
    factory.add("leader", "leader", None, title="区反诈中心 ")
    for street in streets:
        factory.add(f"{street.key}.leader", "leader", street.area, title=f"{street.area.name} ")
        factory.people.coordinators[street.index] = factory.add(
            f"{street.key}.coord", "coordinator", street.area, title=f"{street.area.name}平安办 "
        )
        _grid_workers(factory, street, grids)
        _street_forces(factory, street)
    seen = set()
    for grid in (
        company_grids
    ):  # an enterprise publicity officer in each of the first four company communities
        if grid.community.id not in seen and len(seen) < 4:
            seen.add(grid.community.id)
            user = factory.worker(
                "enterprise", "enterprise_officer", grid.community, grid.street, "企业反诈宣传员 "
            )
            factory.people.by_community.setdefault(grid.community.id, []).append(user)
    db.session.add_all(factory.people.users)
    db.session.flush()
    return factory.people


def build_activity(
    clock: Clock, streets: list[Street], grids: list[Grid], sites: list[SiteRow], people: People
) -> dict:
    """Campaigns, check-ins, visits, warnings and cases; returns their counts."""

    def rng(
        part: str,
    ) -> random.Random:  # one generator per part, so that one part never shifts another
        return random.Random(f"{SEED}:{part}")

    links = Links()
    campaigns, tasks = casework.build_campaigns(clock, streets, grids, sites, people, links)
    checkins = build_checkins(rng("checkins"), clock, sites, people, links)
    checkins += build_rider_drops(rng("riders"), clock, tasks, sites)
    visits = build_visits(rng("visits"), clock, grids, people, links)
    settle_tasks([task.id for task in tasks])  # as every writer of evidence does
    reached = {row["household_id"] for row in visits if row["outcome"] == "reached"}
    warnings = casework.build_warnings(rng("warnings"), clock, grids, people)
    cases = casework.build_cases(rng("cases"), clock, streets, grids, people, reached)
    db.session.flush()
    return {
        "campaigns": campaigns,
        "tasks": len(tasks),
        "checkins": len(checkins),
        "visits": len(visits),
        "warnings": warnings,
        "cases": cases,
    }


def seed_demo() -> dict:
    """Fill an empty database with the demo district; {} (and nothing written) when any area exists."""
    if db.session.scalar(select(Area.id).limit(1)) is not None:
        return {}
    check_password_rules(DEMO_PASSWORD)
    rng = random.Random(SEED)
    clock = Clock(utcnow())
    long_ago = clock.now - timedelta(days=400)
    streets, grids = build_areas(rng, long_ago)
    sites = build_sites(rng, grids, clock.now - timedelta(days=40))
    households = build_households(rng, grids, clock.now - timedelta(days=35))
    company_grids = [s.grid for s in sites if s.kind == "company"]
    people = build_users(rng, streets, grids, company_grids, long_ago)
    counts = {
        "streets": len(streets),
        "communities": sum(len(s.communities) for s in streets),
        "grids": len(grids),
        "sites": len(sites),
        "households": households,
        "users": len(people.users),
    }
    counts.update(build_activity(clock, streets, grids, sites, people))
    return counts


def demo_logins() -> list[tuple[str, str, str]]:
    """(username, role, area name) of the demo's featured logins that exist in this database."""
    rows = db.session.execute(
        select(User.username, User.role, Area.name)
        .outerjoin(Area, User.area_id == Area.id)
        .where(User.username.in_(FEATURED))
    ).all()
    found = {row.username: (row.username, row.role, row.name or "whole district") for row in rows}
    return [found[name] for name in FEATURED if name in found]
