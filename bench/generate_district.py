"""Generate a large, seeded district for the coverage benchmark.

    .venv/bin/python bench/generate_district.py --database-url sqlite:///bench/out/district.db
    .venv/bin/python bench/generate_district.py --database-url postgresql://USER@HOST:PORT/DBNAME

Default size (scale 1): 10 streets x 10 communities x 10 grids = 1,000 grids, 20,000 sites,
200,000 household rows (5 % of grids keep only a household_count), 1,000,000 check-ins and
500,000 visits spread over the 365 days up to --end, plus users, campaigns, tasks, warnings and
cases. The schema is rebuilt from the models (every table is dropped first). Rows go in with
executemany on SQLite and COPY on PostgreSQL; the same --seed gives the same data.

On PostgreSQL the big tables (households, check-ins, visits) are loaded bare: their secondary
indexes, unique and foreign-key constraints are taken off first and put back (and checked) after
the COPY, which is several times faster than maintaining them row by row. `--scale 10` is the
issue's "ten times the data" (10,000 grids, 200,000 sites, 2 M households, 10 M check-ins,
5 M visits); the run ends with the database's size on disk.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from config import Config, database_url  # noqa: E402

CENTER = (29.87, 121.55)
CELL = 0.004  # degrees per grid cell (~400 m)
FORCE_MIX = (
    ("militia", 3),
    ("volunteer", 2),
    ("rider", 2),
    ("police", 1),
    ("enterprise_officer", 1),
)
FRAUD_TYPES = (
    "loan_investment",
    "order_brushing",
    "fake_customer_service",
    "pig_butchering",
    "shopping",
    "impersonating_police",
    "other",
)


class Sizes:
    """Row counts for a scale factor (1.0 = the issue's district)."""

    def __init__(self, scale: float):
        self.streets = 10
        self.communities = 10
        self.grids = max(1, round(10 * scale))
        self.sites_per_grid = 20
        self.households = round(200_000 * scale)
        self.checkins = round(1_000_000 * scale)
        self.visits = round(500_000 * scale)


class Writer:
    """Bulk-load rows through the raw DB-API connection: executemany (SQLite) or COPY (PostgreSQL)."""

    def __init__(self, engine):
        self.engine = engine
        self.postgres = engine.dialect.name == "postgresql"
        self.raw = engine.raw_connection()

    def ts(self, moment: datetime) -> str | datetime:
        # SQLAlchemy's SQLite DateTime stores this exact text; keep it so comparisons match.
        return moment if self.postgres else moment.strftime("%Y-%m-%d %H:%M:%S.%f")

    def write(self, table: str, columns: tuple[str, ...], rows) -> int:
        cursor = self.raw.cursor()
        count = 0
        if self.postgres:
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        else:
            marks = ", ".join("?" for _ in columns)
            batch: list = []
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
            for row in rows:
                batch.append(row)
                if len(batch) == 50_000:
                    cursor.executemany(sql, batch)
                    count += len(batch)
                    batch = []
            cursor.executemany(sql, batch)
            count += len(batch)
        cursor.close()
        return count

    BIG = ("households", "checkins", "visits")

    def detach(self) -> None:
        """PostgreSQL: take the big tables' secondary indexes and constraints off (see attach)."""
        self.attached: list[str] = []
        if not self.postgres:
            return
        cursor = self.raw.cursor()
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid::regclass::text = ANY(%s) AND contype IN ('u', 'f')",
            (list(self.BIG),),
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)"
            " AND indexname NOT IN (SELECT conname FROM pg_constraint)",
            (list(self.BIG),),
        )
        indexes = cursor.fetchall()
        for table, name, _definition in constraints:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        self.raw.commit()
        self.attached = [definition for _name, definition in indexes] + [
            f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
            for table, name, definition in constraints
        ]

    def attach(self) -> None:
        """Put back what detach took off; building an index once beats COPY maintaining it."""
        if not self.attached:
            return
        cursor = self.raw.cursor()
        # Sorting 10 M rows for an index in memory, with a helper process per core.
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute("SET max_parallel_maintenance_workers = 2")
        for statement in self.attached:
            cursor.execute(statement)
        self.raw.commit()

    def size(self) -> str:
        """The database's size on disk (PostgreSQL) or the file's (SQLite)."""
        cursor = self.raw.cursor()
        if self.postgres:
            cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            return cursor.fetchone()[0]
        cursor.execute("SELECT page_count * page_size FROM pragma_page_count, pragma_page_size")
        return f"{cursor.fetchone()[0] / 2**20:.0f} MB"

    def finish(self, analyze: bool) -> None:
        self.raw.commit()
        cursor = self.raw.cursor()
        if self.postgres:
            for table in (
                "areas",
                "users",
                "sites",
                "households",
                "checkins",
                "visits",
                "campaigns",
                "tasks",
            ):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT coalesce(max(id), 1) FROM {table}))"
                )
            self.raw.commit()
        if analyze:
            if self.postgres:
                self.raw.driver_connection.autocommit = True
                cursor = self.raw.cursor()
                cursor.execute("VACUUM ANALYZE")
            else:
                cursor.execute("ANALYZE")
                self.raw.commit()


def rectangle(lat: float, lng: float, dlat: float, dlng: float) -> str:
    ring = [[lng, lat], [lng + dlng, lat], [lng + dlng, lat + dlat], [lng, lat + dlat], [lng, lat]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


class District:
    """Builds every table's rows in memory-light generators."""

    def __init__(self, sizes: Sizes, seed: int, end: date, writer: Writer, password_hash: str):
        self.s, self.rng, self.w, self.pw = sizes, random.Random(seed), writer, password_hash
        self.end = datetime(
            end.year, end.month, end.day, 16, 0, tzinfo=UTC
        )  # end of the day in Shanghai
        self.start = self.end - timedelta(days=365)
        self.now = datetime.now(UTC)
        self.grids: list[int] = []
        self.workers_by_grid: dict[int, list[int]] = {}
        self.community_of_grid: dict[int, int] = {}

    def moment(self) -> datetime:
        return self.start + timedelta(seconds=self.rng.randrange(365 * 86400))

    def areas(self) -> None:
        rows, next_id = [], 1
        for si in range(self.s.streets):
            street_id, next_id = next_id, next_id + 1
            street_row = [
                street_id,
                None,
                "street",
                f"街道{si + 1:02d}",
                f"S{si + 1:02d}",
                f"/{street_id}/",
            ]
            rows.append(street_row)
            for ci in range(self.s.communities):
                community_id, next_id = next_id, next_id + 1
                c_path = f"/{street_id}/{community_id}/"
                rows.append(
                    [
                        community_id,
                        street_id,
                        "community",
                        f"{street_row[3]}社区{ci + 1:02d}",
                        f"S{si + 1:02d}C{ci + 1:02d}",
                        c_path,
                    ]
                )
                for gi in range(self.s.grids):
                    grid_id, next_id = next_id, next_id + 1
                    self.grids.append(grid_id)
                    self.community_of_grid[grid_id] = community_id
                    rows.append(
                        [
                            grid_id,
                            community_id,
                            "grid",
                            f"网格{gi + 1:02d}",
                            f"S{si + 1:02d}C{ci + 1:02d}G{gi + 1:02d}",
                            f"{c_path}{grid_id}/",
                        ]
                    )
        self.area_rows = rows
        side = math.ceil(math.sqrt(len(self.grids)))  # a rough square of grid cells
        self.cell = {g: divmod(i, side) for i, g in enumerate(self.grids)}

    def household_plan(self) -> dict[int, int]:
        """Household rows per grid: 5 % of grids have none (they count their household_count)."""
        empty = set(self.rng.sample(self.grids, max(0, len(self.grids) // 20)))
        filled = [g for g in self.grids if g not in empty]
        base, extra = divmod(self.s.households, len(filled))
        return {
            g: (0 if g in empty else base + (1 if i < extra else 0))
            for i, g in enumerate(self.grids)
        }

    def write_areas(self, plan: dict[int, int]) -> None:
        totals: dict[int, list[int]] = {}
        out = []
        for area_id, parent_id, level, name, code, path in self.area_rows:
            hh = pop = None
            lat = lng = boundary = None
            if level == "grid":
                hh = plan[area_id] or 180
                pop = round(hh * 2.6)
                row, col = self.cell[area_id]
                lat, lng = CENTER[0] + row * CELL, CENTER[1] + col * CELL
                boundary = rectangle(lat, lng, CELL, CELL)
                lat, lng = lat + CELL / 2, lng + CELL / 2
                for ancestor in path.strip("/").split("/")[:-1]:
                    t = totals.setdefault(int(ancestor), [0, 0])
                    t[0] += hh
                    t[1] += pop
            out.append([area_id, parent_id, level, name, code, path, hh, pop, lat, lng, boundary])
        boxes: dict[int, list[float]] = {}
        for row in out:
            if row[2] == "grid":
                for ancestor in row[5].strip("/").split("/")[:-1]:
                    box = boxes.setdefault(int(ancestor), [90.0, 180.0, -90.0, -180.0])
                    lat, lng = row[8] - CELL / 2, row[9] - CELL / 2
                    box[:] = [
                        min(box[0], lat),
                        min(box[1], lng),
                        max(box[2], lat + CELL),
                        max(box[3], lng + CELL),
                    ]
        for row in out:
            if row[2] != "grid":
                row[6], row[7] = totals[row[0]]
                south, west, north, east = boxes[row[0]]
                row[8], row[9] = (south + north) / 2, (west + east) / 2
                row[10] = rectangle(
                    south, west, north - south, east - west
                )  # a bounding box, for the map
        created = self.w.ts(self.start)
        self.w.write(
            "areas",
            (
                "id",
                "parent_id",
                "level",
                "name",
                "code",
                "path",
                "household_count",
                "population",
                "center_lat",
                "center_lng",
                "boundary",
                "created_at",
            ),
            (tuple(r) + (created,) for r in out),
        )

    def users(self) -> None:
        rows, uid = [], 1
        created = self.w.ts(self.start)

        def add(role, force, area_id, name):
            nonlocal uid
            rows.append(
                (
                    uid,
                    f"u{uid}",
                    name,
                    self.pw,
                    role,
                    force,
                    None,
                    True,
                    area_id,
                    None,
                    created,
                    None,
                )
            )
            uid += 1
            return uid - 1

        add("admin", None, None, "admin")
        add("leader", None, None, "district leader")
        self.grid_links = []
        for area_id, _parent, level, name, _code, _path in self.area_rows:
            if level == "street":
                add("leader", None, area_id, f"{name} leader")
                add("coordinator", None, area_id, f"{name} coordinator")
            elif level == "community":
                for force, n in FORCE_MIX:
                    for k in range(n):
                        helper = add("worker", force, area_id, f"{force} {area_id}-{k}")
                        self.workers_by_grid.setdefault(("c", area_id), []).append(helper)
            else:
                worker = add("worker", "grid_worker", area_id, f"grid worker {area_id}")
                self.grid_links.append((worker, area_id))
                self.workers_by_grid[area_id] = [worker]
        self.w.write(
            "users",
            (
                "id",
                "username",
                "display_name",
                "password_hash",
                "role",
                "force",
                "phone",
                "active",
                "area_id",
                "locale",
                "created_at",
                "last_login_at",
            ),
            rows,
        )
        self.w.write("user_grids", ("user_id", "area_id"), self.grid_links)
        self.coordinator = 4

    def worker_for(self, grid_id: int) -> int:
        """Mostly the grid's own worker; sometimes a militia member, rider, volunteer or police."""
        if self.rng.random() < 0.7:
            return self.workers_by_grid[grid_id][0]
        return self.rng.choice(self.workers_by_grid[("c", self.community_of_grid[grid_id])])

    def sites(self) -> None:
        rows, sid = [], 1
        self.site_grid = []
        kinds = ("banner", "board", "screen", "poster", "bank", "school", "company", "clinic")
        for g in self.grids:
            row, col = self.cell[g]
            for _k in range(self.s.sites_per_grid):
                lat = CENTER[0] + (row + self.rng.random()) * CELL
                lng = CENTER[1] + (col + self.rng.random()) * CELL
                active = self.rng.random() > 0.02
                per_month = 2 if self.rng.random() < 0.25 else 1
                rows.append(
                    (
                        sid,
                        g,
                        f"点位{sid}",
                        self.rng.choice(kinds),
                        lat,
                        lng,
                        100,
                        "",
                        active,
                        1,
                        per_month,
                        self.w.ts(self.start),
                    )
                )
                self.site_grid.append((sid, g, lat, lng))
                sid += 1
        self.w.write(
            "sites",
            (
                "id",
                "area_id",
                "name",
                "kind",
                "lat",
                "lng",
                "radius_m",
                "address",
                "active",
                "qr_version",
                "visits_per_month",
                "created_at",
            ),
            rows,
        )

    def households(self, plan: dict[int, int]) -> None:
        self.household_grid = []
        tags = ('["elderly"]', '["floating"]', '["student"]', "[]", "[]", "[]")

        def gen():
            hid = 1
            for g in self.grids:
                for k in range(plan[g]):
                    unreachable = self.rng.random() < 0.03
                    self.household_grid.append((hid, g))
                    yield (
                        hid,
                        g,
                        f"{k // 60 + 1}-{k // 12 % 5 + 1}-{k % 12 + 101}",
                        self.rng.choice(tags),
                        unreachable,
                        "vacant" if unreachable else None,
                        self.w.ts(self.start),
                    )
                    hid += 1

        self.w.write(
            "households",
            ("id", "area_id", "label", "tags", "unreachable", "unreachable_reason", "created_at"),
            gen(),
        )

    def checkins(self) -> None:
        rng = self.rng

        def gen():
            for i in range(1, self.s.checkins + 1):
                site_id, g, lat, lng = self.site_grid[rng.randrange(len(self.site_grid))]
                at = self.moment()
                roll = rng.random()
                status, reason, reviewed_by, reviewed_at = "accepted", None, None, None
                if roll < 0.05:
                    status, reason = "rejected", "too_far"
                elif roll < 0.12:
                    status, reason = "flagged", "low_accuracy"
                    if roll < 0.09:  # approved by a coordinator: counted from now on
                        status, reviewed_by, reviewed_at = (
                            "accepted",
                            self.coordinator,
                            self.w.ts(at + timedelta(hours=5)),
                        )
                yield (
                    i,
                    f"00000000-0000-4000-8000-{i:012x}",
                    self.worker_for(g),
                    site_id,
                    None,
                    lat,
                    lng,
                    rng.choice((8.0, 15.0, 30.0)),
                    rng.random() * 60,
                    self.w.ts(at),
                    self.w.ts(at),
                    status,
                    reason,
                    rng.randrange(0, 40),
                    rng.randrange(0, 30),
                    None,
                    reviewed_by,
                    reviewed_at,
                    None,
                )

        self.w.write(
            "checkins",
            (
                "id",
                "client_id",
                "user_id",
                "site_id",
                "task_id",
                "lat",
                "lng",
                "accuracy_m",
                "distance_m",
                "captured_at",
                "received_at",
                "status",
                "reason",
                "people_reached",
                "materials_count",
                "note",
                "reviewed_by_id",
                "reviewed_at",
                "review_note",
            ),
            gen(),
        )

    def visits(self) -> None:
        rng = self.rng
        outcomes = ("reached",) * 7 + ("not_home",) * 2 + ("refused",)

        def gen():
            for i in range(1, self.s.visits + 1):
                hid, g = self.household_grid[rng.randrange(len(self.household_grid))]
                at = self.moment()
                outcome = rng.choice(outcomes)
                installed = outcome == "reached" and rng.random() < 0.15
                yield (
                    i,
                    f"00000000-0000-4000-9000-{i:012x}",
                    hid,
                    self.worker_for(g),
                    None,
                    g,
                    outcome,
                    None,
                    None,
                    20.0,
                    self.w.ts(at),
                    self.w.ts(at),
                    installed,
                    rng.randrange(0, 3),
                    None,
                )

        self.w.write(
            "visits",
            (
                "id",
                "client_id",
                "household_id",
                "user_id",
                "task_id",
                "area_id",
                "outcome",
                "lat",
                "lng",
                "accuracy_m",
                "captured_at",
                "received_at",
                "app_installed",
                "materials_count",
                "flag_reason",
            ),
            gen(),
        )

    def campaigns_and_tasks(self) -> None:
        """A monthly campaign per street (household_rounds 1, or 2 in odd streets); tasks in some grids."""
        campaigns, tasks, cid, tid = [], [], 1, 1
        streets = [r for r in self.area_rows if r[2] == "street"]
        first = date(self.start.year, self.start.month, 1)
        for m in range(13):
            year, month = first.year + (first.month - 1 + m) // 12, (first.month - 1 + m) % 12 + 1
            starts = date(year, month, 1)
            ends = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
            due = datetime(ends.year, ends.month, ends.day, 15, 59, tzinfo=UTC)
            for n, street in enumerate(streets):
                rounds = 2 if n % 2 else 1
                campaigns.append(
                    (
                        cid,
                        f"{year}-{month:02d} 全覆盖宣传",
                        "door_to_door",
                        street[0],
                        starts,
                        ends,
                        f'{{"household_rounds": {rounds}, "site_visits": 1}}',
                        True,
                        None,
                        2,
                        self.w.ts(self.start),
                    )
                )
                grids = [g for g in self.grids if self.area_path(g).startswith(street[5])]
                for g in grids[:: max(1, len(grids) // 20)]:
                    kind = "lecture" if tid % 5 == 0 else "door_to_door"
                    status = "done" if due < self.now and self.rng.random() < 0.8 else "open"
                    tasks.append(
                        (
                            tid,
                            cid,
                            f"task {tid}",
                            kind,
                            g,
                            None,
                            self.w.ts(due),
                            10,
                            "{}",
                            0,
                            status,
                            2,
                            self.w.ts(self.start),
                        )
                    )
                    tid += 1
                cid += 1
        self.w.write(
            "campaigns",
            (
                "id",
                "title",
                "kind",
                "area_id",
                "starts_on",
                "ends_on",
                "targets",
                "repeat_monthly",
                "previous_id",
                "created_by_id",
                "created_at",
            ),
            campaigns,
        )
        self.w.write(
            "tasks",
            (
                "id",
                "campaign_id",
                "title",
                "kind",
                "area_id",
                "starts_at",
                "due_at",
                "target_count",
                "targets",
                "reported_count",
                "status",
                "created_by_id",
                "created_at",
            ),
            tasks,
        )

    def area_path(self, area_id: int) -> str:
        return self.area_rows[area_id - 1][5]

    def warnings_and_cases(self) -> None:
        rng = self.rng
        communities = [r[0] for r in self.area_rows if r[2] == "community"]
        hours = {"high": 2, "medium": 24, "low": 72}
        warnings = []
        for i in range(1, 5001):
            g = rng.choice(self.grids)
            level = rng.choice(tuple(hours))
            created = self.moment()
            deadline = created + timedelta(hours=hours[level])
            handled = (
                created + timedelta(hours=rng.random() * hours[level] * 1.3)
                if rng.random() < 0.9
                else None
            )
            result = (
                rng.choice(("dissuaded", "dissuaded", "unreachable", "already_defrauded"))
                if handled
                else None
            )
            warnings.append(
                (
                    i,
                    level,
                    g,
                    f"subject {i}",
                    None,
                    "handled" if handled else "open",
                    self.w.ts(deadline),
                    2,
                    self.w.ts(created),
                    result,
                    None,
                    None,
                    self.w.ts(handled) if handled else None,
                    None,
                    None,
                )
            )
        self.w.write(
            "warnings",
            (
                "id",
                "level",
                "area_id",
                "subject_label",
                "phone",
                "status",
                "deadline_at",
                "created_by_id",
                "created_at",
                "result",
                "note",
                "handled_by_id",
                "handled_at",
                "handled_lat",
                "handled_lng",
            ),
            warnings,
        )
        cases = []
        for i in range(1, 1201):
            hid, community = None, rng.choice(communities)
            if rng.random() < 0.6:
                hid, g = self.household_grid[rng.randrange(len(self.household_grid))]
                community = self.community_of_grid[g]
            day = (self.moment() + timedelta(hours=8)).date()
            cases.append(
                (
                    i,
                    community,
                    day,
                    rng.choice(FRAUD_TYPES),
                    round(rng.random() * 200_000, 2),
                    rng.choice(("18_30", "31_45", "46_60", "over_60")),
                    hid,
                    2,
                    self.w.ts(self.start),
                )
            )
        self.w.write(
            "fraud_cases",
            (
                "id",
                "area_id",
                "occurred_on",
                "fraud_type",
                "loss_amount",
                "victim_age_band",
                "household_id",
                "created_by_id",
                "created_at",
            ),
            cases,
        )


def bench_config(url: str) -> type[Config]:
    """A Config for URL; a relative SQLite path is taken from the current directory."""
    uri = database_url(url, "")
    if uri.startswith("sqlite:///") and not uri.startswith("sqlite:////"):
        path = Path(uri[len("sqlite:///") :]).resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        uri = f"sqlite:///{path}"

    class BenchConfig(Config):
        SQLALCHEMY_DATABASE_URI = uri

    return BenchConfig


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument(
        "--scale", type=float, default=1.0, help="1.0 = 1,000 grids and 1,000,000 check-ins"
    )
    parser.add_argument(
        "--end", type=date.fromisoformat, default=date.today(), help="last day of the data"
    )
    parser.add_argument(
        "--no-analyze", action="store_true", help="skip ANALYZE (planner statistics)"
    )
    args = parser.parse_args(argv)

    from app import create_app
    from app.extensions import db
    from app.services.passwords import hash_password

    app = create_app(bench_config(args.database_url))
    started = time.perf_counter()
    with app.app_context():
        db.drop_all()
        db.create_all()
        writer = Writer(db.engine)
        writer.detach()
        district = District(
            Sizes(args.scale), args.seed, args.end, writer, hash_password("Bench-District-1")
        )
        district.areas()
        plan = district.household_plan()
        steps = (
            ("areas", lambda: district.write_areas(plan)),
            ("users", district.users),
            ("sites", district.sites),
            ("households", lambda: district.households(plan)),
            ("checkins", district.checkins),
            ("visits", district.visits),
            ("campaigns/tasks", district.campaigns_and_tasks),
            ("warnings/cases", district.warnings_and_cases),
        )
        for name, step in steps:
            t0 = time.perf_counter()
            step()
            print(f"  {name:<16} {time.perf_counter() - t0:6.1f} s", flush=True)
        writer.raw.commit()
        t0 = time.perf_counter()
        writer.attach()
        print(f"  {'indexes/keys':<16} {time.perf_counter() - t0:6.1f} s", flush=True)
        writer.raw.commit()
        t0 = time.perf_counter()
        # The sites and households were loaded around the app: count each grid's as the writers
        # would.
        from app.services.households import recount_households
        from app.services.sites import recount_sites

        recount_households()
        recount_sites()
        db.session.commit()
        print(f"  {'grid counters':<16} {time.perf_counter() - t0:6.1f} s", flush=True)
        t0 = time.perf_counter()
        # ...and the check-ins and visits: sum them by month as their writers would.
        from app.services.coverage_sums import recount_months

        recount_months()
        db.session.commit()
        print(f"  {'monthly sums':<16} {time.perf_counter() - t0:6.1f} s", flush=True)
        t0 = time.perf_counter()
        writer.finish(analyze=not args.no_analyze)
        print(f"  {'commit/analyze':<16} {time.perf_counter() - t0:6.1f} s")
        size = writer.size()
        writer.raw.close()
    print(
        f"done in {time.perf_counter() - started:.1f} s, {size} on disk "
        "(password of every user: Bench-District-1)"
    )


if __name__ == "__main__":
    main()
