"""Background jobs: queued by a request, claimed and run by `flask --app app worker`.

A job kind is a name and a handler registered with `job_kind`; it reuses the queue, the worker
loop, the progress and the stale-job recovery. The notification sender runs on the same poll loop
(`poll_loop`) over its own outbox table (app/services/notifications/sender.py): a notification is
many small rows with a due time and a back-off each, not one upload with a creator and a report. A handler runs in the worker's session and returns the
job's report (JSON); its work commits together with the job's `done` status, or not at all.
Progress goes through a connection of its own, in short transactions, so a page can show it
while the handler's own transaction is still open.

Two workers never run the same job: a claim is an UPDATE ... WHERE status = 'queued' that
only one of them can win (checked by its row count).
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from app.error_messages import storable_errors, storable_message, stored_in_language
from app.errors import DomainError, Forbidden, NotFound
from app.extensions import db
from app.models import Job, User
from app.models.base import utcnow

log = logging.getLogger(__name__)

# Modules that register job kinds when imported (the worker imports them all).
HANDLER_MODULES = ("app.services.imports",)
MAX_ATTEMPTS = 3
CLAIM_CANDIDATES = 5


@dataclass(frozen=True)
class JobContext:
    """What a handler gets: the job's id, its creator, its input, and a way to report progress."""

    job_id: int
    actor: User
    payload: bytes
    progress: Callable[[int], None]


Handler = Callable[[JobContext], dict]


@dataclass(frozen=True)
class JobKind:
    """A handler, and how its stored report is answered (e.g. translated) when a job is done."""

    handler: Handler
    render: Callable[[dict], dict] = lambda report: report


KINDS: dict[str, JobKind] = {}


def job_kind(
    name: str, render: Callable[[dict], dict] | None = None
) -> Callable[[Handler], Handler]:
    """Register the handler of a job kind."""

    def register(handler: Handler) -> Handler:
        KINDS[name] = JobKind(handler, render) if render else JobKind(handler)
        return handler

    return register


def describe(job: Job) -> dict:
    """What GET /jobs/ID answers: status, progress, and the report once there is one."""
    report = job.report
    if job.status == "done" and report is not None and job.kind in KINDS:
        report = KINDS[job.kind].render(report)
    elif job.status == "failed" and report is not None:
        report = stored_in_language(report)
    return {
        "id": job.id,
        "kind": job.kind,
        "status": job.status,
        "done": job.done,
        "total": job.total,
        "report": report,
    }


def load_kinds() -> None:
    for module in HANDLER_MODULES:
        importlib.import_module(module)


def enqueue(actor: User, kind: str, payload: bytes, total: int) -> Job:
    """Queue a job for the actor (flushed; it runs once the request commits)."""
    if kind not in KINDS:
        raise ValueError(f"unknown job kind {kind}")
    job = Job(kind=kind, creator_id=actor.id, payload=payload, total=total, status="queued")
    db.session.add(job)
    db.session.flush()
    return job


def get_job(actor: User, job_id: int) -> Job:
    """A job of the actor's own; anyone else's reads as missing."""
    job = db.session.get(Job, job_id)
    if job is None or job.creator_id != actor.id:
        raise NotFound(_l("no such job"))
    return job


def _commit_apart(statement) -> int:
    """Run one UPDATE in a short transaction of its own connection; its row count."""
    with db.engine.begin() as connection:
        return connection.execute(statement).rowcount


def requeue_stale(stale_after: timedelta) -> int:
    """Jobs left running by a worker that stopped (killed, crashed) go back to the queue."""
    cutoff = utcnow() - stale_after
    stale = (Job.status == "running") & (Job.heartbeat_at < cutoff)
    failed = _commit_apart(
        update(Job)
        .where(stale, Job.attempts >= MAX_ATTEMPTS)
        .values(
            status="failed",
            finished_at=utcnow(),
            payload=None,
            report={"message": "the job stopped several times and was given up"},
        )
    )
    requeued = _commit_apart(update(Job).where(stale).values(status="queued"))
    if failed or requeued:
        log.warning("jobs: %s stale job(s) queued again, %s given up", requeued, failed)
    return requeued


def claim_next() -> int | None:
    """Take the oldest queued job for this worker; None when there is none to take."""
    candidates = db.session.scalars(
        select(Job.id).where(Job.status == "queued").order_by(Job.id).limit(CLAIM_CANDIDATES)
    ).all()
    db.session.rollback()  # end the read: each claim below is its own transaction
    for job_id in candidates:
        now = utcnow()
        claimed = _commit_apart(
            update(Job)
            .where(Job.id == job_id, Job.status == "queued")
            .values(
                status="running",
                started_at=now,
                heartbeat_at=now,
                done=0,
                attempts=Job.attempts + 1,
            )
        )
        if claimed == 1:
            return job_id
    return None


def _progress_reporter(job_id: int) -> Callable[[int], None]:
    def progress(done: int) -> None:
        _commit_apart(
            update(Job)
            .where(Job.id == job_id, Job.status == "running")
            .values(done=done, heartbeat_at=utcnow())
        )

    return progress


def run_job(job_id: int) -> str:
    """Run one claimed job to its end; its final status."""
    job = db.session.get(Job, job_id)
    kind, attempt = KINDS.get(job.kind), job.attempts
    actor = db.session.get(User, job.creator_id)
    try:
        if kind is None:
            raise DomainError(_l("unknown job kind %(kind)s", kind=job.kind))
        if actor is None or not actor.active:
            raise Forbidden(_l("the person who started this job can no longer sign in"))
        report = kind.handler(
            JobContext(job.id, actor, job.payload or b"", _progress_reporter(job.id))
        )
    except DomainError as error:
        db.session.rollback()
        failure = {
            "message": storable_message(error.message),
            "errors": storable_errors(error.errors or {}),
        }
        return _finish(job_id, attempt, "failed", failure)
    except Exception:
        db.session.rollback()
        log.exception("job %s (%s) failed", job_id, job.kind)
        return _finish(
            job_id, attempt, "failed", {"message": storable_message(_l("internal error"))}
        )
    return _finish(job_id, attempt, "done", report)


def _finish(job_id: int, attempt: int, status: str, report: dict) -> str:
    """Mark the job finished in the session's transaction (with the handler's work) and commit.

    Only while the job is still this attempt's: when it was given to another worker meanwhile
    (this one looked dead), this one's work is rolled back instead of being written twice.
    """
    finished = db.session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == "running", Job.attempts == attempt)
        .values(
            status=status,
            report=report,
            payload=None,
            finished_at=utcnow(),
            heartbeat_at=utcnow(),
            done=Job.total if status == "done" else Job.done,
        )
    )
    if finished.rowcount != 1:
        db.session.rollback()
        log.warning("job %s was taken over by another worker; this run is discarded", job_id)
        return "lost"
    db.session.commit()
    return status


def poll_loop(
    step: Callable[[], bool],
    once: bool = False,
    poll_seconds: float = 2,
    should_stop: Callable[[], bool] = lambda: False,
) -> int:
    """Call `step` (which answers whether it found work) until told to stop; when it finds none,
    wait `poll_seconds`, or with `once` return. The loop of the worker and of the notification
    sender; how many steps found work."""
    busy = 0
    while not should_stop():
        if step():
            busy += 1
            continue
        if once:
            break
        time.sleep(poll_seconds)
    return busy


def work(
    once: bool = False,
    poll_seconds: float | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> int:
    """The worker loop: recover stale jobs, claim one, run it; with `once`, stop when none is queued."""
    load_kinds()
    config = current_app.config
    poll = config["JOB_POLL_SECONDS"] if poll_seconds is None else poll_seconds
    stale_after = timedelta(seconds=config["JOB_STALE_SECONDS"])

    def step() -> bool:
        requeue_stale(stale_after)
        job_id = claim_next()
        if job_id is None:
            return False
        status = run_job(job_id)
        log.info("job %s finished: %s", job_id, status)
        db.session.remove()
        return True

    return poll_loop(step, once=once, poll_seconds=poll, should_stop=should_stop)
