"""Importing people (workers of every force but police) from CSV or XLSX: all rows or none.

A row whose username or phone belongs to a worker the caller manages updates that person; a
row naming anyone else (another street's people, coordinators, police) reads like any other
unusable row, so an import tells nothing about who exists outside one's area. New people get
the worker role and no password: they set one when they first sign in with a one-time code.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app import policy
from app.errors import Conflict
from app.extensions import db
from app.i18n import N_
from app.models import Area, User
from app.models.base import utcnow
from app.models.user import user_grids
from app.schemas.user import PersonRowSchema
from app.services.access import scope_area
from app.services.audit import record_event
from app.services.importing import (
    ImportReport,
    RowMessage,
    bulk_insert,
    chunked,
    read_rows,
    row_message,
)
from app.services.passwords import NO_PASSWORD
from app.services.phones import normalize_phone
from app.services.storable import check_rows

COLUMNS = {
    "display_name": ("姓名", "名字", "name", "display name"),
    "phone": ("手机号", "手机", "手机号码", "电话", "联系电话", "mobile"),
    "force": ("力量类型", "力量", "队伍", "类型"),
    "area": ("区域", "所属区域", "社区", "街道", "area_id"),
    "username": ("用户名", "账号", "登录名", "user"),
    "grids": ("网格", "所属网格", "grid_ids"),
}
REQUIRED = ("display_name", "phone", "force", "area")
# What a Chinese sheet is likely to say, besides the codes themselves.
FORCE_ALIASES = {
    "网格员": "grid_worker",
    "网格长": "grid_worker",
    "民兵": "militia",
    "预备役": "militia",
    "民兵预备役": "militia",
    "骑手": "rider",
    "外卖骑手": "rider",
    "外卖小哥": "rider",
    "志愿者": "volunteer",
    "讲师团": "volunteer",
    "企业反诈宣传员": "enterprise_officer",
    "企业宣传员": "enterprise_officer",
    "宣传员": "enterprise_officer",
    "民警": "police",
    "社区民警": "police",
    "警察": "police",
    "公安": "police",
    "grid workers": "grid_worker",
    "delivery riders": "rider",
    "riders": "rider",
    "volunteers": "volunteer",
    "enterprise officers": "enterprise_officer",
}
GRID_SEPARATORS = re.compile(r"[;；,，、|]+")
# Said of every row that names someone the caller may not change: the same words whether that
# person is in another street, a coordinator or police, so that nothing leaks.
TAKEN = N_("username or phone %(value)s is already used by another account")
FIELD_MESSAGES = {
    "display_name": N_(
        "bad name %(value)s: empty, longer than 80 characters, or starting with = + - @"
    ),
    "phone": N_("bad phone number %(value)s"),
    "username": N_("bad username %(value)s (3-64 letters, digits, _ . -)"),
    "force": N_("unknown force %(value)s"),
}
LOOKUP_CHUNK = 500


def _key(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip().casefold()


def force_code(value: str) -> str:
    """A force's code from its code or a name a sheet uses for it (unknown text is kept as is)."""
    text = _key(value)
    return FORCE_ALIASES.get(text, text.replace(" ", "_"))


class AreaIndex:
    """Every area by id, code and name, and which of them the actor may use: one query."""

    def __init__(self, actor: User):
        scope = scope_area(actor)
        self.by_key: dict[str, set[int]] = defaultdict(set)
        self.paths: dict[int, str] = {}
        self.levels: dict[int, str] = {}
        for area_id, code, name, path, level in db.session.execute(
            select(Area.id, Area.code, Area.name, Area.path, Area.level)
        ):
            if scope is not None and not path.startswith(scope.path):
                continue  # another street's areas read as unknown
            for key in {str(area_id), _key(code or ""), _key(name)} - {""}:
                self.by_key[key].add(area_id)
            self.paths[area_id] = path
            self.levels[area_id] = level
        self._answers: dict[tuple[str, int | None], tuple[int | None, RowMessage | None]] = {}

    def resolve(self, value: str, grid_of: int | None = None):
        """(area id, None) or (None, why not); with `grid_of`, a grid inside that area."""
        if (value, grid_of) not in self._answers:
            self._answers[value, grid_of] = self._resolve(value, grid_of)
        return self._answers[value, grid_of]

    def _resolve(self, value: str, grid_of: int | None):
        candidates = self.by_key.get(_key(value), set())
        if grid_of is not None:
            within = self.paths[grid_of]
            candidates = {
                c
                for c in candidates
                if self.levels[c] == "grid" and self.paths[c].startswith(within)
            }
            if not candidates:
                return None, row_message("grid %(grid)s is not in the person's area", grid=value)
        if len(candidates) == 1:
            return next(iter(candidates)), None
        if candidates:
            return None, row_message(
                "area %(area)s is ambiguous: use its id or code", area=repr(value)
            )
        return None, row_message("unknown area %(area)s", area=repr(value))


@dataclass
class PersonRow:
    number: int
    display_name: str
    phone: str
    force: str
    area_id: int
    username: str | None
    grid_ids: list[int] | None  # None: the sheet says nothing about grids
    person: User | None = None
    extra: dict = field(default_factory=dict)


def _check_row(number, values, areas: AreaIndex, report: ImportReport) -> PersonRow | None:
    """A row's own checks (its cells, its area and grids); None after reporting what is wrong."""
    raw = {
        "display_name": values["display_name"],
        "phone": normalize_phone(values["phone"]),
        "force": force_code(values["force"]),
    }
    if values.get("username"):
        raw["username"] = values["username"]
    errors: list[RowMessage] = []
    try:
        loaded = PersonRowSchema().load(raw)
    except ValidationError as error:
        loaded = None
        for name in error.messages:
            errors.append(row_message(FIELD_MESSAGES[name], value=repr(raw.get(name, ""))))
    if loaded and loaded["force"] in policy.ADMIN_ONLY_FORCES:
        errors.append(row_message("police are never imported: an admin adds them one by one"))
    area_id, problem = areas.resolve(values["area"])
    if problem:
        errors.append(problem)
    grid_ids = None
    if area_id is not None and values.get("grids"):
        grid_ids = []
        for name in filter(None, (g.strip() for g in GRID_SEPARATORS.split(values["grids"]))):
            grid_id, problem = areas.resolve(name, grid_of=area_id)
            if problem:
                errors.append(problem)
            else:
                grid_ids.append(grid_id)
    for message in errors:
        report.error(number, message)
    if errors:
        return None
    return PersonRow(
        number,
        loaded["display_name"],
        loaded["phone"],
        loaded["force"],
        area_id,
        loaded.get("username"),
        list(dict.fromkeys(grid_ids)) if grid_ids is not None else None,
    )


def _report_duplicates(rows: list[PersonRow], report: ImportReport) -> list[PersonRow]:
    """Rows naming the same username or phone as an earlier row are reported; the others kept."""
    seen: dict[str, int] = {}
    kept = []
    for row in rows:
        keys = {f"u:{row.username or row.phone}", f"p:{row.phone}"}
        clash = next((seen[k] for k in keys if k in seen), None)
        if clash is not None:
            report.error(
                row.number,
                row_message("the same person as row %(row)s (username or phone)", row=clash),
            )
            continue
        for key in keys:
            seen[key] = row.number
        kept.append(row)
    return kept


def _existing(rows: list[PersonRow]) -> tuple[dict[str, User], dict[str, list[User]]]:
    """People already holding the rows' usernames (or the usernames made from phones) and phones."""
    names = {row.username or row.phone for row in rows} | {row.phone for row in rows}
    phones = {row.phone for row in rows}
    by_name: dict[str, User] = {}
    by_phone: dict[str, list[User]] = defaultdict(list)
    load = (selectinload(User.area), selectinload(User.grids))
    for chunk in chunked(sorted(names), LOOKUP_CHUNK):
        for user in db.session.scalars(select(User).where(User.username.in_(chunk)).options(*load)):
            by_name[user.username] = user
    for chunk in chunked(sorted(phones), LOOKUP_CHUNK):
        for user in db.session.scalars(select(User).where(User.phone.in_(chunk)).options(*load)):
            by_phone[user.phone].append(user)
    return by_name, by_phone


def _match(actor: User, rows: list[PersonRow], report: ImportReport) -> list[PersonRow]:
    """Set `row.person` for rows that update someone; report rows naming anyone else."""
    by_name, by_phone = _existing(rows)
    kept = []
    for row in rows:
        named = by_name.get(row.username) if row.username else None
        found = {u.id: u for u in [named, *by_phone.get(row.phone, [])] if u is not None}
        if not row.username and not found and row.phone in by_name:
            found = {0: by_name[row.phone]}  # the username a phone would become is taken
        usable = [
            u
            for u in found.values()
            if policy.is_field_worker(u) and policy.can(actor, "update", "user", u)
        ]
        if len(found) > 1 or len(usable) != len(found):
            report.error(row.number, row_message(TAKEN, value=repr(row.username or row.phone)))
            continue
        row.person = usable[0] if usable else None
        kept.append(row)
    return kept


def _insert(rows: list[PersonRow]) -> dict[str, int]:
    """The new people, in one bulk insert; their ids by username."""
    now = utcnow()
    values = [
        {
            "username": row.username or row.phone,
            "display_name": row.display_name,
            "password_hash": NO_PASSWORD,
            "role": "worker",
            "force": row.force,
            "phone": row.phone,
            "active": True,
            "area_id": row.area_id,
            "created_at": now,
            "session_version": 1,
        }
        for row in rows
    ]
    bulk_insert(User.__table__, values)
    ids: dict[str, int] = {}
    for chunk in chunked([v["username"] for v in values], LOOKUP_CHUNK):
        ids.update(
            (name, user_id)
            for user_id, name in db.session.execute(
                select(User.id, User.username).where(User.username.in_(chunk))
            )
        )
    return ids


def _new_grids(row: PersonRow, paths: dict[int, str]) -> list[int] | None:
    """The grids an updated person works afterwards, or None when they stay as they are."""
    person = row.person
    current = [g.id for g in person.grids]
    if row.grid_ids is not None:
        wanted = row.grid_ids
    else:  # grids outside a new area are dropped, as when a person's area changes by hand
        within = paths[row.area_id]
        wanted = [g.id for g in person.grids if g.path.startswith(within)]
    return None if sorted(wanted) == sorted(current) else wanted


def _fields(row: PersonRow) -> dict:
    return {
        "display_name": row.display_name,
        "phone": row.phone,
        "force": row.force,
        "area_id": row.area_id,
    }


def _update(rows: list[PersonRow], paths: dict[int, str]) -> list[tuple[int, list[int]]]:
    """Change the matched people in bulk; the grid lists to rewrite."""
    values = [  # only the people a row changes: the same sheet again updates nobody
        {"id": row.person.id, **fresh}
        for row in rows
        if (fresh := _fields(row)) != {key: getattr(row.person, key) for key in fresh}
    ]
    check_rows(User.__table__, values)
    regrid = [(row.person.id, g) for row in rows if (g := _new_grids(row, paths)) is not None]
    for chunk in chunked(values, 5000):
        db.session.execute(update(User), list(chunk))
    return regrid


def _write_grids(grids: list[tuple[int, list[int]]]) -> None:
    for chunk in chunked([user_id for user_id, _ in grids], LOOKUP_CHUNK):
        db.session.execute(delete(user_grids).where(user_grids.c.user_id.in_(chunk)))
    links = [{"user_id": u, "area_id": g} for u, ids in grids for g in ids]
    if links:
        bulk_insert(user_grids, links)


def _write(rows: list[PersonRow], paths: dict[int, str]) -> tuple[int, int]:
    new = [row for row in rows if row.person is None]
    changed = [row for row in rows if row.person is not None]
    try:
        with db.session.begin_nested():
            grids = _update(changed, paths) if changed else []
            ids = _insert(new) if new else {}
            grids += [(ids[row.username or row.phone], row.grid_ids) for row in new if row.grid_ids]
            _write_grids(grids)
    except IntegrityError:
        raise Conflict(
            _l("people changed during the import: try again"),
            {"file": _l("a username was taken meanwhile")},
        ) from None
    for row in changed:
        db.session.expire(row.person)
    return len(new), len(changed)


def import_people(
    actor: User, data: bytes, progress: Callable[[int], None] | None = None
) -> ImportReport:
    """Check every row of a people sheet; create and update all of them, or none when any is wrong."""
    policy.require(actor, "import", "user")
    report = ImportReport(updated=0)
    areas = AreaIndex(actor)
    rows = [
        row
        for number, values in read_rows(data, COLUMNS, report, REQUIRED, progress)
        if (row := _check_row(number, values, areas, report))
    ]
    rows = _match(actor, _report_duplicates(rows, report), report) if rows else []
    if report.ok and rows:
        report.created, report.updated = _write(rows, areas.paths)
        record_event(actor, "user.import", None, created=report.created, updated=report.updated)
    return report
