"""Test data: one keyword-only builder per model, the district's local time, and a small district."""

from __future__ import annotations

import hashlib
import itertools
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select, text

from app.extensions import db
from app.models import (
    Area,
    AssessmentWeight,
    AuditEvent,
    Campaign,
    CheckIn,
    Commendation,
    FraudCase,
    Household,
    IdempotencyKey,
    Invite,
    Job,
    MustCheck,
    Notification,
    Photo,
    Quiz,
    QuizResponse,
    Rectification,
    RiskWarning,
    SignInCode,
    Site,
    Task,
    User,
    Visit,
)
from app.models.base import utcnow
from app.models.task import TaskReport
from app.services.auth import issue_token
from app.services.localtime import DEFAULT_TIMEZONE
from app.services.notifications import outbox
from app.services.passwords import hash_password
from app.services.warnings import handling

PASSWORD = "Correct-Horse-9"
LOCAL_ZONE = ZoneInfo(DEFAULT_TIMEZONE)
_seq = itertools.count(1)


def local(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    """A wall-clock time in the district (Asia/Shanghai) as an aware UTC datetime."""
    return datetime(year, month, day, hour, minute, second, tzinfo=LOCAL_ZONE).astimezone(UTC)


def _add(row):
    db.session.add(row)
    db.session.flush()
    return row


def make_area(
    *, name: str | None = None, level: str = "grid", parent: Area | None = None, **fields
) -> Area:
    area = _add(Area(name=name or f"{level} {next(_seq)}", level=level, parent=parent, **fields))
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


def make_user(
    *,
    role: str = "worker",
    area: Area | None = None,
    force: str | None = None,
    grids: Iterable[Area] = (),
    **fields,
) -> User:
    n = next(_seq)
    fields.setdefault("username", f"{role}{n}")
    fields.setdefault("display_name", f"{role} {n}")
    fields.setdefault("password_hash", _password_hash())
    user = User(
        role=role,
        area_id=area.id if area else None,
        force=force or ("grid_worker" if role == "worker" else None),
        **fields,
    )
    user.grids = list(grids)
    return _add(user)


def make_api_token(*, user: User) -> str:
    """A bearer token for `user` (committed); the plain token, as the client would hold it."""
    plain, _ = issue_token(user)
    db.session.commit()
    return plain


def make_site(*, area: Area, lat: float = 29.90, lng: float = 121.55, **fields) -> Site:
    """A site in `area` (a grid)."""
    fields.setdefault("name", f"site {next(_seq)}")
    fields.setdefault("kind", "board")
    return _add(Site(area_id=area.id, lat=lat, lng=lng, **fields))


def make_household(*, area: Area, label: str | None = None, **fields) -> Household:
    """A household in `area` (a grid)."""
    fields.setdefault("tags", [])
    return _add(Household(area_id=area.id, label=label or f"{next(_seq)}-1-101", **fields))


def make_campaign(
    *,
    area: Area,
    starts_on: date,
    ends_on: date,
    targets: dict | None = None,
    kind: str = "door_to_door",
    **fields,
) -> Campaign:
    return _add(
        Campaign(
            title=fields.pop("title", f"campaign {next(_seq)}"),
            kind=kind,
            area_id=area.id,
            starts_on=starts_on,
            ends_on=ends_on,
            targets=targets or {},
            **fields,
        )
    )


def make_task(
    *,
    area: Area,
    kind: str = "site_check",
    assignees: Iterable[User] = (),
    sites: Iterable[Site] = (),
    status: str = "open",
    due_at: datetime | None = None,
    **fields,
) -> Task:
    """A task for `area`, due in a week unless `due_at` says otherwise."""
    task = Task(
        title=fields.pop("title", f"{kind} task {next(_seq)}"),
        kind=kind,
        area_id=area.id,
        due_at=due_at or utcnow() + timedelta(days=7),
        status=status,
        **fields,
    )
    task.assignees = list(assignees)
    task.sites = list(sites)
    return _add(task)


def make_task_report(
    *, task: Task, user: User, count: int = 1, at: datetime | None = None, **fields
) -> TaskReport:
    """An activity reported on `task`, held at `at` (now), counting for the task's grid unless
    `area_id` says otherwise."""
    fields.setdefault("area_id", task.area_id)
    return _add(
        TaskReport(task_id=task.id, user_id=user.id, count=count, held_at=at or utcnow(), **fields)
    )


def make_commendation(
    *, user: User, by: User | None = None, reason: str = "成功劝阻", **fields
) -> Commendation:
    """A commendation (褒奖) of `user`, awarded today unless `awarded_on` says otherwise."""
    fields.setdefault("awarded_on", date.today())
    return _add(Commendation(user_id=user.id, by_id=by.id if by else None, reason=reason, **fields))


def make_checkin(
    *,
    user: User,
    site: Site,
    at: datetime | None = None,
    status: str = "accepted",
    task: Task | None = None,
    **fields,
) -> CheckIn:
    """A check-in stored as is (no rules applied), at the site's pin unless `lat`/`lng` say otherwise."""
    fields = {"lat": site.lat, "lng": site.lng, "accuracy_m": 10.0, "distance_m": 5.0, **fields}
    return _add(
        CheckIn(
            client_id=str(uuid.uuid4()),
            user_id=user.id,
            site_id=site.id,
            status=status,
            task_id=task.id if task else None,
            captured_at=at or utcnow(),
            **fields,
        )
    )


def make_visit(
    *,
    user: User,
    household: Household,
    at: datetime | None = None,
    outcome: str = "reached",
    task: Task | None = None,
    **fields,
) -> Visit:
    """A door-to-door visit stored as is."""
    return _add(
        Visit(
            client_id=str(uuid.uuid4()),
            household_id=household.id,
            user_id=user.id,
            outcome=outcome,
            task_id=task.id if task else None,
            captured_at=at or utcnow(),
            **fields,
        )
    )


def make_idempotency_key(*, record: CheckIn | Visit) -> IdempotencyKey:
    """The client_id key of a check-in or visit stored as is (the services write it with the
    record; make_checkin and make_visit do not, as a database from before the keys holds none)."""
    kind = "checkin" if isinstance(record, CheckIn) else "visit"
    return _add(
        IdempotencyKey(
            kind=kind, client_id=record.client_id, user_id=record.user_id, record_id=record.id
        )
    )


def make_photo(
    *,
    user: User,
    checkin: CheckIn | None = None,
    visit: Visit | None = None,
    at: datetime | None = None,
    data: bytes | None = None,
) -> Photo:
    """A photo uploaded by `user` (a small JPEG in the photo store unless `data` says otherwise)."""
    from app.images import reencode
    from app.photo_store import photo_store

    encoded = reencode(data or tiny_jpeg())
    photo = Photo(
        client_id=str(uuid.uuid4()),
        user_id=user.id,
        key=f"{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}.jpg",
        content_type=encoded.content_type,
        size=len(encoded.data),
        width=encoded.width,
        height=encoded.height,
        created_at=at or utcnow(),
        checkin_id=checkin.id if checkin else None,
        visit_id=visit.id if visit else None,
    )
    photo_store().put(photo.key, encoded.data, encoded.content_type)
    return _add(photo)


def make_rectification(
    *, site: Site, checkin: CheckIn | None = None, condition: str = "damaged", **fields
) -> Rectification:
    """An open rectification item at `site`."""
    return _add(
        Rectification(
            site_id=site.id,
            checkin_id=checkin.id if checkin else None,
            condition=condition,
            status=fields.pop("status", "open"),
            **fields,
        )
    )


def make_must_check(
    *,
    area: Area,
    kind: str = "large_loss",
    case: FraudCase | None = None,
    on: date | None = None,
    **fields,
) -> MustCheck:
    """An open must-check (四必查) of a community, of `case` when given."""
    fields.setdefault("trigger_key", f"{kind}:test:{next(_seq)}")
    return _add(
        MustCheck(
            kind=kind,
            area_id=area.id,
            case_id=case.id if case else None,
            trigger_on=on or (case.occurred_on if case else date(2026, 1, 5)),
            status=fields.pop("status", "open"),
            **fields,
        )
    )


def tiny_jpeg(size=(64, 48), color=(200, 30, 30), exif: bytes | None = None, fmt="JPEG") -> bytes:
    """A small image of one colour, optionally carrying an EXIF block."""
    import io

    from PIL import Image

    out = io.BytesIO()
    extra = {"exif": exif} if exif else {}
    Image.new("RGB", size, color).save(out, fmt, **extra)
    return out.getvalue()


def make_warning(
    *,
    area: Area,
    level: str = "high",
    at: datetime | None = None,
    by: User | None = None,
    hours: float | None = None,
    handled_after: float | None = None,
    **fields,
) -> RiskWarning:
    """A risk warning for `area` created at `at` (default now).

    With `by`, that person enters it through the warnings service, as the app does (deadline, audit,
    notifications); `fields` are then the form's other fields. Without, the row is stored as is: due
    `hours` after `at` (the level's default), handled `handled_after` hours after `at` when given."""
    if by is not None:
        data = {
            "level": level,
            "area_id": area.id,
            "subject_label": "王某",
            "phone": "13800131234",
            **fields,
        }
        return handling.create_warning(by, data, now=at)
    created_at = at or utcnow()
    hours = hours or current_app.config["WARNING_DEADLINE_HOURS"][level]
    deadline_at = created_at + timedelta(hours=hours)
    handled_at = created_at + timedelta(hours=handled_after) if handled_after is not None else None
    fields.setdefault("subject_label", f"subject {next(_seq)}")
    return _add(
        RiskWarning(
            level=level,
            area_id=area.id,
            created_at=created_at,
            deadline_at=deadline_at,
            handled_at=handled_at,
            status="handled" if handled_at else "open",
            **fields,
        )
    )


def make_case(
    *,
    area: Area,
    occurred_on: date,
    loss: str = "1000.00",
    fraud_type: str = "order_brushing",
    household: Household | None = None,
    **fields,
) -> FraudCase:
    """A fraud case in `area` (a community)."""
    return _add(
        FraudCase(
            area_id=area.id,
            occurred_on=occurred_on,
            fraud_type=fraud_type,
            loss_amount=Decimal(loss),
            household_id=household.id if household else None,
            **fields,
        )
    )


def make_audit_event(
    *,
    action: str,
    actor: User | None = None,
    object_type: str = "user",
    object_id: int | None = 1,
    at: datetime | None = None,
    address: str | None = "198.51.100.4",
    detail: dict | None = None,
) -> AuditEvent:
    return _add(
        AuditEvent(
            actor_id=actor.id if actor else None,
            action=action,
            object_type=object_type,
            object_id=object_id,
            detail=detail or {},
            address=address,
            created_at=at or utcnow(),
        )
    )


def make_notification(
    *,
    recipients: Iterable[User],
    kind: str = "task_assigned",
    title: str = "新任务",
    text: str = "截止：12-01 18:00",
    at: datetime | None = None,
    **fields,
) -> Notification:
    """A notification to `recipients` with its deliveries, written as the outbox writes it."""
    return outbox.notify(kind, recipients, title, text, now=at, **fields)


def make_job(
    *, creator: User, kind: str = "household_import", status: str = "queued", **fields
) -> Job:
    return _add(Job(kind=kind, status=status, creator_id=creator.id, **fields))


def make_sign_in_code(*, user: User, code: str | None = None, **fields) -> SignInCode:
    """A live one-time sign-in code for `user`; its plain code is kept on it as `plain`."""
    plain = code or secrets.token_urlsafe(16)
    fields.setdefault("expires_at", utcnow() + timedelta(days=14))
    row = SignInCode(
        user_id=user.id, code_hash=hashlib.sha256(plain.encode()).hexdigest(), **fields
    )
    row.plain = plain
    return _add(row)


def make_invite(*, area: Area, force: str = "rider", **fields) -> Invite:
    fields.setdefault("expires_at", utcnow() + timedelta(days=14))
    return _add(Invite(area_id=area.id, force=force, **fields))


QUIZ_QUESTIONS = (
    {
        "text": "“公安局”要求把钱转到“安全账户”，这是？",
        "choices": ["依法办案", "诈骗"],
        "answer": [1],
    },
    {"text": "可以告诉“客服”短信验证码吗？", "choices": ["可以", "不可以"], "answer": [1]},
    {
        "text": "哪些做法能防诈骗？",
        "choices": ["安装国家反诈中心APP", "不点陌生链接", "陌生人让转账就转"],
        "answer": [0, 1],
    },
)


def make_quiz(*, area: Area, questions=QUIZ_QUESTIONS, pass_mark: float = 0.6, **fields) -> Quiz:
    """An open quiz for `area` (three questions, the last a multiple choice, by default)."""
    fields.setdefault("token", f"quiz{next(_seq)}token")
    return _add(
        Quiz(
            title=fields.pop("title", "反诈知识问答"),
            audience=fields.pop("audience", "residents"),
            area_id=area.id,
            pass_mark=pass_mark,
            questions=[dict(q) for q in questions],
            **fields,
        )
    )


def make_quiz_response(
    *, quiz: Quiz, passed: bool = True, counted: bool = True, at: datetime | None = None, **fields
) -> QuizResponse:
    """A stored sheet (its answers are not judged again)."""
    return _add(
        QuizResponse(
            quiz_id=quiz.id,
            client_id=fields.pop("client_id", str(uuid.uuid4())),
            address_key=fields.pop("address_key", "test"),
            answers=fields.pop("answers", [[0]] * len(quiz.questions)),
            score=1.0 if passed else 0.0,
            passed=passed,
            counted=counted,
            created_at=at or utcnow(),
            **fields,
        )
    )


def make_assessment_weight(*, indicator: str, weight: float) -> AssessmentWeight:
    """The district's weight for one assessment indicator."""
    return _add(AssessmentWeight(indicator=indicator, weight=weight))


def reveal_count() -> int:
    """How many times a full phone number has been revealed (audit events)."""
    return db.session.scalar(
        select(func.count()).where(AuditEvent.action == "warning.reveal_phone")
    )


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
    street = make_area(name=name, level="street")
    community = make_area(name=f"{name}一社区", level="community", parent=street)
    grids = [
        make_area(name=f"{name}网格{i}", level="grid", parent=community, household_count=100)
        for i in (1, 2)
    ]
    sites = [make_site(area=g, lat=lat + i * 0.001, lng=121.55) for i, g in enumerate(grids)]
    return Street(
        street=street,
        community=community,
        grids=grids,
        sites=sites,
        coordinator=make_user(role="coordinator", area=street),
        leader=make_user(role="leader", area=street),
        worker=make_user(role="worker", area=community, grids=[grids[0]]),
        police=make_user(role="worker", area=street, force="police"),
    )


def build_district() -> District:
    district = District(
        admin=make_user(role="admin"),
        leader=make_user(role="leader"),
        a=_street("甲街道", 29.90),
        b=_street("乙街道", 29.95),
    )
    db.session.commit()
    return district


class ApiClient:
    """Calls /api/v1 as a given user with a bearer token."""

    def __init__(self, client):
        self.client = client
        self._tokens: dict[int, str] = {}

    def _headers(self, user: User | None) -> dict:
        if user is None:
            return {}
        if user.id not in self._tokens:
            self._tokens[user.id] = make_api_token(user=user)
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

    def put(self, url, user=None, **kw):
        return self._call("PUT", url, user, **kw)

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
