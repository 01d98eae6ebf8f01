"""Coverage roll-ups kept in Redis (`ROLLUP_CACHE_URL`), with explicit invalidation.

A roll-up (coverage.compute for one area and period) is stored under a key that names the
versions of what it was computed from: one version for the map and the registers (areas, sites,
households, campaigns, people's area and force: `all`) and one per local month of evidence
(check-ins and visits captured in that month: `2026-12`). Whatever writes one of those bumps its
version once its transaction has committed, so the next request computes afresh, and a month
nobody writes to any more (last month's figures, the dashboard's comparison) stays cached.

What is watched, so that no writer can forget it:
- the ORM's flushes (new, changed and deleted rows; a changed check-in or visit names its month,
  a changed person counts only when their area, force or being active changed);
- every INSERT, UPDATE or DELETE sent through SQLAlchemy Core on those tables outside a flush
  (the check-in's own INSERT, bulk imports; a check-in or visit INSERT names its months, anything
  else bumps `all`);
- PostgreSQL's COPY in importing.bulk_insert, which tells `note` itself.
Raw SQL typed by hand (psql) is not seen: `flask rollups clear` forgets every roll-up.

The versions are bumped after the COMMIT (a reader cannot store the figures of before under the
new version). With a read replica (`DATABASE_REPLICA_URL`) a reader could compute from a replica
that has not replayed the write yet and store those figures under the new version: for
`ROLLUP_CACHE_SETTLE_SECONDS` after a bump, roll-ups of that version are computed but not stored.

Without `ROLLUP_CACHE_URL` nothing is cached, nor are writes looked at. When Redis does not
answer, roll-ups are computed (and a warning logged); a bump that fails makes this process bump
`all` at its next chance, and every roll-up expires after `ROLLUP_CACHE_SECONDS` anyway.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import event, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

PREFIX = "gridreach:rollup:"
ALL = "all"
PENDING = "gridreach_rollups"  # session.info: versions its transaction will bump once committed
EVIDENCE = {"checkins", "visits"}
REGISTERS = {"areas", "sites", "households", "campaigns", "users"}
WATCHED = EVIDENCE | REGISTERS
# A person's change that moves coverage (who counts as active, and where).
PERSON_FIELDS = ("area_id", "force", "active")
REDIS_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}

_clients: dict[str, Any] = {}
_owed = {"all": False}  # a bump failed: bump `all` once Redis answers again


# --- what changed -----------------------------------------------------------------------


def _month(moment: Any) -> str | None:
    if isinstance(moment, datetime):
        from app.services.localtime import to_local

        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return to_local(moment).strftime("%Y-%m")
    return None


def _tokens(table: str, rows: Iterable[Mapping[str, Any]] | None) -> set[str]:
    """The versions a write of `rows` into `table` moves."""
    if table not in WATCHED:
        return set()
    if table in EVIDENCE and rows is not None:
        months = {_month(row.get("captured_at")) for row in rows}
        if months and None not in months:
            return months  # type: ignore[return-value]
    return {ALL}


def _kept() -> bool:
    """Roll-ups are kept (ROLLUP_CACHE_URL): without, there are no versions to move, and writes
    are not looked at (a check-in's INSERT would work its month out for nothing)."""
    return has_app_context() and bool(current_app.config.get("ROLLUP_CACHE_URL"))


def note(table: str, rows: Iterable[Mapping[str, Any]] | None = None) -> None:
    """Writes into `table` (of `rows`, when known) in the app session's transaction."""
    if not _kept():
        return
    session = _app_session()
    tokens = _tokens(table, rows)
    if session is not None and tokens:
        session.info.setdefault(PENDING, set()).update(tokens)


def _app_session() -> Session | None:
    if not has_app_context():
        return None
    from app.extensions import db

    return db.session() if db.session.registry.has() else None


def _after_execute(_conn, clauseelement, multiparams, params, _options, _result) -> None:
    if not getattr(clauseelement, "is_dml", False):
        return
    table = getattr(getattr(clauseelement, "table", None), "name", None)
    if table not in WATCHED or not _kept():
        return
    session = _app_session()
    if session is None or session._flushing:  # a flush's rows are seen, with their months, below
        return
    rows: list[Mapping[str, Any]] | None = None
    if getattr(clauseelement, "is_insert", False):
        found = list(multiparams or []) + ([params] if params else [])
        rows = [r for r in found if isinstance(r, Mapping)] or None
        values = getattr(clauseelement, "_values", None)
        if rows is None and values:  # insert().values(...): the values are on the statement
            rows = [{getattr(k, "key", k): getattr(v, "value", None) for k, v in values.items()}]
    note(table, rows)


def _after_flush(session: Session, _context) -> None:
    if not _kept():
        return
    tokens: set[str] = set()
    for obj, changed in (
        *((o, False) for o in session.new),
        *((o, True) for o in session.dirty),
        *((o, False) for o in session.deleted),
    ):
        table = getattr(getattr(obj, "__table__", None), "name", None)
        if table not in WATCHED:
            continue
        state = inspect(obj)
        if changed and not session.is_modified(obj, include_collections=False):
            continue
        if (
            table == "users"
            and changed
            and not any(state.attrs[f].history.has_changes() for f in PERSON_FIELDS)
        ):
            continue
        if table in EVIDENCE:
            history = state.attrs["captured_at"].history
            moments = [*history.added, *history.unchanged, *history.deleted]
            months = {_month(m) for m in moments}
            if months and None not in months:
                tokens |= months  # type: ignore[arg-type]
                continue
        tokens.add(ALL)
    if tokens:
        session.info.setdefault(PENDING, set()).update(tokens)


def _after_commit(session: Session) -> None:
    """After the COMMIT (a reader cannot store the figures of before under the new versions)."""
    tokens = session.info.pop(PENDING, None)
    if tokens and has_app_context():
        bump(tokens)


def _after_transaction_end(session: Session, transaction) -> None:
    if transaction.parent is None:  # rolled back (a commit has bumped and popped them already)
        session.info.pop(PENDING, None)


def watch() -> None:
    """Start watching writes (once per process: the listeners are on every engine and session)."""
    for target, name, listener in (
        (Engine, "after_execute", _after_execute),
        (Session, "after_flush", _after_flush),
        (Session, "after_commit", _after_commit),
        (Session, "after_transaction_end", _after_transaction_end),
    ):
        if not event.contains(target, name, listener):
            event.listen(target, name, listener)


# --- Redis --------------------------------------------------------------------------------


def _client():
    url = current_app.config.get("ROLLUP_CACHE_URL") if has_app_context() else None
    if not url:
        return None
    client = _clients.get(url)
    if client is None:
        import redis

        client = _clients[url] = redis.Redis.from_url(url, **REDIS_OPTIONS)
    return client


def _version_key(token: str) -> str:
    return f"{PREFIX}v:{token}"


def bump(tokens: Iterable[str]) -> None:
    """Move these versions on (after a COMMIT that wrote what they cover)."""
    client = _client()
    if client is None:
        return
    tokens = set(tokens) | ({ALL} if _owed["all"] else set())
    now = f"{time.time():.3f}"
    try:
        with client.pipeline(transaction=False) as pipe:
            for token in sorted(tokens):
                pipe.incr(_version_key(token))
                pipe.set(_version_key(token) + ":at", now)
            pipe.execute()
    except Exception:  # any Redis or network error: figures must not go stale meanwhile
        if not _owed["all"]:
            log.warning("roll-up cache: could not invalidate; will clear it when Redis answers")
        _owed["all"] = True
    else:
        _owed["all"] = False


def clear() -> bool:
    """Forget every roll-up (after writing by hand); False when there is no cache."""
    if _client() is None:
        return False
    _owed["all"] = True
    bump(set())
    return not _owed["all"]


def months_of(first: date, last: date) -> list[str]:
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def cached(
    name: str, area_id: int | None, first: date, last: date, compute: Callable[[], dict]
) -> dict:
    """`compute()`'s figures for this area and these days, from Redis when still current."""
    client = _client()
    if client is None:
        return compute()
    tokens = [ALL, *months_of(first, last)]
    try:
        if _owed["all"]:
            bump(set())
        keys = [_version_key(t) for t in tokens]
        values = client.mget([*keys, *(k + ":at" for k in keys)])
        versions, bumped_at = values[: len(tokens)], values[len(tokens) :]
        stamp = ".".join((v or b"0").decode() for v in versions)
        key = f"{PREFIX}{name}:{area_id or 0}:{first}:{last}:{stamp}"
        hit = client.get(key)
    except Exception:
        log.warning("roll-up cache: Redis does not answer; computing", exc_info=True)
        return compute()
    if hit is not None:
        return json.loads(hit)
    figures = compute()
    settle = float(current_app.config.get("ROLLUP_CACHE_SETTLE_SECONDS", 0) or 0)
    if settle and current_app.config.get("SQLALCHEMY_BINDS", {}).get("replica"):
        latest = max((float(at) for at in bumped_at if at), default=0.0)
        if time.time() - latest < settle:
            return figures  # a replica may not have replayed the last write yet
    try:
        client.set(key, json.dumps(figures), ex=int(current_app.config["ROLLUP_CACHE_SECONDS"]))
    except Exception:
        log.warning("roll-up cache: could not store a roll-up", exc_info=True)
    return figures
