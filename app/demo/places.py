"""The demo district's places: streets, communities, hexagonal grids, sites and households."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import insert, select

from app.demo.data import DISTRICT_CODE, SITE_KINDS, STREETS, TAG_SHARES
from app.extensions import db
from app.models import Area, Household, Site
from app.models.household import count_households
from app.models.site import count_sites

METRES_PER_DEGREE = 111_320.0
SITES_TOTAL = 300
# Axial hex offsets: a community's grids around its centre, and communities as 7-hex "flowers"
# that tile the plane without overlapping.
GRID_CELLS = ((0, 0), (1, 0), (0, 1), (-1, 1), (-1, 0))
COMMUNITY_CELLS = ((0, 0), (2, 1), (-1, 3), (-3, 2), (-2, -1), (1, -3), (3, -2))


@dataclass
class Street:
    area: Area
    key: str
    index: int
    performance: float
    case_weight: float
    roads: tuple[str, ...]
    communities: list[Area] = field(default_factory=list)


@dataclass
class Grid:
    area: Area
    street: Street
    community: Area
    radius_m: float
    performance: float
    site_ids: list[int] = field(default_factory=list)
    households: list[tuple[int, bool]] = field(default_factory=list)  # (id, unreachable)


@dataclass
class SiteRow:
    id: int
    grid: Grid
    kind: str
    lat: float
    lng: float
    radius_m: int
    visits_per_month: int
    active: bool


def offset(lat: float, lng: float, east_m: float, north_m: float) -> tuple[float, float]:
    """The point `east_m`/`north_m` metres away (flat-earth: fine at grid scale)."""
    return (
        lat + north_m / METRES_PER_DEGREE,
        lng + east_m / (METRES_PER_DEGREE * math.cos(math.radians(lat))),
    )


def random_point(rng: random.Random, lat: float, lng: float, max_m: float) -> tuple[float, float]:
    """A uniform random point within `max_m` metres of the centre."""
    distance = max_m * math.sqrt(rng.random())
    bearing = rng.uniform(0, 2 * math.pi)
    return offset(lat, lng, distance * math.sin(bearing), distance * math.cos(bearing))


def _hex_centre(lat: float, lng: float, radius_m: float, q: int, r: int) -> tuple[float, float]:
    east = radius_m * math.sqrt(3) * (q + r / 2)
    return offset(lat, lng, east, radius_m * 1.5 * r)


def hexagon(lat: float, lng: float, radius_m: float) -> dict:
    """A pointy-top hexagon as a GeoJSON Polygon ([lng, lat] positions, closed ring)."""
    ring = []
    for k in range(7):
        angle = math.radians(30 + 60 * (k % 6))
        point = offset(lat, lng, radius_m * math.cos(angle), radius_m * math.sin(angle))
        ring.append([round(point[1], 6), round(point[0], 6)])
    return {"type": "Polygon", "coordinates": [ring]}


def build_areas(rng: random.Random, created_at: datetime) -> tuple[list[Street], list[Grid]]:
    """Streets, communities and grids with codes, centres, boundaries and totals."""
    streets, grids = [], []
    for index, (name, key, lat, lng, radius, perf, weight, roads, communities) in enumerate(
        STREETS
    ):
        code = f"{DISTRICT_CODE}{100 if name.endswith('镇') else index + 1:03d}"
        area = Area(
            level="street",
            name=name,
            code=code,
            center_lat=lat,
            center_lng=lng,
            created_at=created_at,
        )
        streets.append(Street(area, key, index, perf, weight, roads))
        for c_index, c_name in enumerate(communities):
            c_lat, c_lng = _hex_centre(lat, lng, radius, *COMMUNITY_CELLS[c_index])
            community = Area(
                level="community",
                name=c_name,
                code=f"{code}{c_index + 1:03d}",
                parent=area,
                center_lat=round(c_lat, 6),
                center_lng=round(c_lng, 6),
                created_at=created_at,
            )
            streets[-1].communities.append(community)
            for g_index in range(rng.randint(3, 5)):
                g_lat, g_lng = _hex_centre(c_lat, c_lng, radius, *GRID_CELLS[g_index])
                grid = Area(
                    level="grid",
                    name=f"{c_name}第{g_index + 1}网格",
                    code=f"{community.code}{g_index + 1:03d}",
                    parent=community,
                    center_lat=round(g_lat, 6),
                    center_lng=round(g_lng, 6),
                    boundary=hexagon(g_lat, g_lng, radius),
                    created_at=created_at,
                )
                grid.household_count = rng.randint(260, 620)
                grid.population = round(grid.household_count * rng.uniform(2.4, 3.1))
                spread = max(0.1, min(1.0, perf + rng.uniform(-0.12, 0.12)))
                grids.append(Grid(grid, streets[-1], community, radius, spread))
    db.session.add_all(s.area for s in streets)
    db.session.flush()
    # Parents first, so that each child extends a finished path.
    for area in (
        [s.area for s in streets]
        + [c for s in streets for c in s.communities]
        + [g.area for g in grids]
    ):
        area.path = f"{area.parent.path if area.parent else '/'}{area.id}/"
    _sum_totals(streets, grids)
    db.session.flush()
    return streets, grids


def _sum_totals(streets: list[Street], grids: list[Grid]) -> None:
    """A parent's household_count and population are its children's sums."""
    for parent_of in (lambda g: g.community, lambda g: g.street.area):
        sums: dict[int, list[int]] = {}
        for grid in grids:
            total = sums.setdefault(id(parent_of(grid)), [0, 0])
            total[0] += grid.area.household_count
            total[1] += grid.area.population
        for grid in grids:
            parent_of(grid).household_count, parent_of(grid).population = sums[id(parent_of(grid))]


def _site_name(rng: random.Random, templates: tuple[str, ...], grid: Grid, used: set[str]) -> str:
    stem = grid.community.name.removesuffix("社区")
    road, road2 = rng.sample(grid.street.roads, 2)
    name = rng.choice(templates).format(c=stem, r=road, r2=road2)
    base, n = name, 2
    while name in used:
        name, n = f"{base}({n})", n + 1
    used.add(name)
    return name


def build_sites(rng: random.Random, grids: list[Grid], created_at: datetime) -> list[SiteRow]:
    """About 300 sites, every one inside its grid's hexagon."""
    per_grid = [1] * len(grids)
    for _ in range(SITES_TOTAL - len(grids)):
        per_grid[rng.randrange(len(grids))] += 1
    kinds = [k[0] for k in SITE_KINDS]
    weights = [k[1] for k in SITE_KINDS]
    table = {k[0]: k for k in SITE_KINDS}
    rows, meta, used = [], [], set()
    for grid, count in zip(grids, per_grid, strict=True):
        for _ in range(count):
            kind = rng.choices(kinds, weights)[0]
            # The inscribed circle of the hexagon, with a margin, keeps the site inside it.
            lat, lng = random_point(
                rng, grid.area.center_lat, grid.area.center_lng, grid.radius_m * 0.8
            )
            radius = 150 if kind in ("company", "school") else 100
            road = rng.choice(grid.street.roads)
            rows.append(
                {
                    "area_id": grid.area.id,
                    "name": _site_name(rng, table[kind][3], grid, used),
                    "kind": kind,
                    "lat": round(lat, 6),
                    "lng": round(lng, 6),
                    "radius_m": radius,
                    "address": f"宁波市江北区{road}{rng.randint(1, 399)}号",
                    "active": rng.random() > 0.03,
                    "visits_per_month": table[kind][2],
                    "qr_version": 1,
                    "created_at": created_at - timedelta(days=rng.randint(0, 300)),
                }
            )
            meta.append(grid)
    ids = db.session.scalars(
        insert(Site).returning(Site.id, sort_by_parameter_order=True), rows
    ).all()
    count_sites(db.session.connection(), rows)  # a bulk insert: no per-row events
    sites = []
    for site_id, row, grid in zip(ids, rows, meta, strict=True):
        grid.site_ids.append(site_id)
        sites.append(
            SiteRow(
                site_id,
                grid,
                row["kind"],
                row["lat"],
                row["lng"],
                row["radius_m"],
                row["visits_per_month"],
                row["active"],
            )
        )
    return sites


def _labels(rng: random.Random, grid: Grid, number: int, count: int) -> list[str]:
    labels: set[str] = set()
    rural = grid.street.area.name.endswith("镇") and rng.random() < 0.5
    while len(labels) < count:
        if rural:
            labels.add(f"{rng.choice(grid.street.roads)}{rng.randint(1, 260)}号")
        else:
            building = (number - 1) * 8 + rng.randint(1, 8)
            labels.add(
                f"{building}幢{rng.randint(1, 3)}单元{rng.randint(1, 18)}{rng.randint(1, 2):02d}"
            )
    return sorted(labels)


def _tags(rng: random.Random) -> list[str]:
    return [tag for tag, share in TAG_SHARES if rng.random() < share]


def build_households(rng: random.Random, grids: list[Grid], created_at: datetime) -> int:
    """30 to 80 households per grid, a few of them vacant or demolished."""
    rows = []
    for grid in grids:
        number = int(grid.area.code[-3:])
        for label in _labels(rng, grid, number, rng.randint(30, 80)):
            unreachable = rng.random() < 0.05
            rows.append(
                {
                    "area_id": grid.area.id,
                    "label": label,
                    "tags": _tags(rng),
                    "unreachable": unreachable,
                    "unreachable_reason": (
                        rng.choice(("vacant", "vacant", "demolished")) if unreachable else None
                    ),
                    "created_at": created_at - timedelta(days=rng.randint(0, 200)),
                }
            )
    db.session.execute(insert(Household), rows)  # a bulk insert: no per-row events
    count_households(db.session.connection(), [(r["area_id"], r["unreachable"]) for r in rows])
    # Read the ids back in one query: RETURNING over thousands of rows in order is slow on SQLite.
    by_area = {grid.area.id: grid for grid in grids}
    stored = (
        select(Household.id, Household.area_id, Household.unreachable)
        .where(Household.area_id.in_(list(by_area)))
        .order_by(Household.area_id, Household.label)
    )
    for household_id, area_id, unreachable in db.session.execute(stored):
        by_area[area_id].households.append((household_id, unreachable))
    return len(rows)
