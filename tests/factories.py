"""Building blocks for tests: areas, users, sites and a small district."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from sqlalchemy import text

from app.extensions import db
from app.models import Area, Household, Site, User
from app.services.auth import issue_token
from app.services.passwords import hash_password

PASSWORD = "Correct-Horse-9"
_seq = itertools.count(1)


def make_area(name: str, level: str, parent: Area | None = None, **fields) -> Area:
    area = Area(name=name, level=level, parent=parent, **fields)
    db.session.add(area)
    db.session.flush()
    area.path = f"{parent.path if parent else '/'}{area.id}/"
    db.session.flush()
    return area


_hashes: dict[int, str] = {}


def _password_hash() -> str:
    """PASSWORD hashed once per hasher: hashing it for every user made most of a district's cost."""
    from app.services import passwords

    key = id(passwords._hasher)
    if key not in _hashes:
        _hashes[key] = hash_password(PASSWORD)
    return _hashes[key]


def make_user(role: str, area: Area | None = None, force: str | None = None,
              grids: list[Area] | None = None, **fields) -> User:
    n = next(_seq)
    user = User(username=fields.pop("username", f"{role}{n}"), display_name=fields.pop("display_name", f"{role} {n}"),
                password_hash=_password_hash(), role=role,
                force=force or ("grid_worker" if role == "worker" else None), area_id=area.id if area else None,
                **fields)
    user.grids = list(grids or [])
    db.session.add(user)
    db.session.flush()
    return user


def make_site(grid: Area, lat: float = 29.90, lng: float = 121.55, **fields) -> Site:
    n = next(_seq)
    site = Site(area_id=grid.id, name=fields.pop("name", f"site {n}"), kind=fields.pop("kind", "board"),
                lat=lat, lng=lng, **fields)
    db.session.add(site)
    db.session.flush()
    return site


def make_household(grid: Area, label: str | None = None, **fields) -> Household:
    household = Household(area_id=grid.id, label=label or f"{next(_seq)}-1-101", tags=fields.pop("tags", []), **fields)
    db.session.add(household)
    db.session.flush()
    return household


@dataclass
class Street:
    street: Area
    community: Area
    grids: list[Area]
    sites: list[Site]
    coordinator: User
    leader: User
    worker: User
    police: User


@dataclass
class District:
    admin: User
    leader: User
    a: Street
    b: Street
    extra: dict = field(default_factory=dict)


def _street(name: str, lat: float) -> Street:
    street = make_area(name, "street")
    community = make_area(f"{name}一社区", "community", street)
    grids = [make_area(f"{name}网格{i}", "grid", community, household_count=100) for i in (1, 2)]
    sites = [make_site(g, lat=lat + i * 0.001, lng=121.55) for i, g in enumerate(grids)]
    return Street(
        street=street, community=community, grids=grids, sites=sites,
        coordinator=make_user("coordinator", street), leader=make_user("leader", street),
        worker=make_user("worker", community, grids=[grids[0]]),
        police=make_user("worker", street, force="police"),
    )


def build_district() -> District:
    district = District(admin=make_user("admin"), leader=make_user("leader"),
                        a=_street("甲街道", 29.90), b=_street("乙街道", 29.95))
    db.session.commit()
    return district


def token_for(user: User) -> str:
    plain, _ = issue_token(user)
    db.session.commit()
    return plain


class ApiClient:
    """Calls /api/v1 as a given user with a bearer token."""

    def __init__(self, client):
        self.client = client
        self._tokens: dict[int, str] = {}

    def _headers(self, user: User | None) -> dict:
        if user is None:
            return {}
        if user.id not in self._tokens:
            self._tokens[user.id] = token_for(user)
        return {"Authorization": f"Bearer {self._tokens[user.id]}"}

    def _call(self, method: str, url: str, user: User | None = None, **kwargs):
        headers = {**self._headers(user), **kwargs.pop("headers", {})}
        return self.client.open("/api/v1" + url, method=method, headers=headers, **kwargs)

    def get(self, url, user=None, **kw):
        return self._call("GET", url, user, **kw)

    def post(self, url, user=None, **kw):
        return self._call("POST", url, user, **kw)

    def patch(self, url, user=None, **kw):
        return self._call("PATCH", url, user, **kw)

    def delete(self, url, user=None, **kw):
        return self._call("DELETE", url, user, **kw)


def empty_all_tables() -> None:
    """Remove every row (for tests that commit for real)."""
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(t.name for t in tables)
        with db.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        with db.engine.begin() as conn:
            for table in tables:
                conn.execute(table.delete())
