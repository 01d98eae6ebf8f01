"""A request that raised or caught a domain error commits nothing, whatever status it answers."""

from __future__ import annotations

from contextlib import suppress

from flask import redirect
from sqlalchemy import event, func, select

from app.errors import DomainError
from app.extensions import db
from app.models import AuditEvent, CheckIn, Household, User
from app.models.base import utcnow
from app.services import checkins as checkin_service
from app.services import households as household_service
from tests.api.checkin_helpers import body
from tests.factories import make_household


def _audit_rows() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


def test_re_approving_a_checkin_on_the_page_writes_nothing(api, client, login_as, district):
    a = district.a
    flagged = api.post(
        "/checkins", user=a.worker, json=body(a.sites[0], accuracy_m=None)
    ).get_json()
    login_as(a.coordinator)
    first = client.post(
        f"/coordinate/checkins/{flagged['id']}/review", data={"decision": "approve"}
    )
    assert first.status_code == 302
    db.session.expire_all()
    reviewed = db.session.get(CheckIn, flagged["id"])
    before = (reviewed.status, reviewed.reviewed_at, reviewed.review_note, _audit_rows())
    writes = []
    bind = db.session.get_bind()

    def watch(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            writes.append(statement)

    event.listen(bind, "before_cursor_execute", watch)
    try:
        again = client.post(
            f"/coordinate/checkins/{flagged['id']}/review",
            data={"decision": "reject", "reason": "重复"},
        )
    finally:
        event.remove(bind, "before_cursor_execute", watch)
    assert again.status_code < 500 and writes == []
    db.session.expire_all()
    reviewed = db.session.get(CheckIn, flagged["id"])
    assert (reviewed.status, reviewed.reviewed_at, reviewed.review_note, _audit_rows()) == before


def test_a_page_that_catches_a_domain_error_after_a_flush_commits_nothing(
    make_app, committing, district
):
    """A page that writes, then meets an error it catches and redirects, used to
    commit the first write: the request hook looked only at the 3xx status."""
    a = district.a
    household = make_household(area=a.grids[0], label="9-9-909")
    accepted = CheckIn(
        client_id="6b1f4a5e-0000-4000-8000-000000000001",
        user_id=a.worker.id,
        site_id=a.sites[0].id,
        lat=a.sites[0].lat,
        lng=a.sites[0].lng,
        accuracy_m=10,
        distance_m=1,
        captured_at=utcnow(),
        status="accepted",
    )
    db.session.add(accepted)
    db.session.commit()
    ids = {"actor": a.coordinator.id, "household": household.id, "checkin": accepted.id}
    audits = _audit_rows()
    other = make_app()

    @other.post("/probe")
    def probe():
        actor = db.session.get(User, ids["actor"])
        found = db.session.get(Household, ids["household"])
        household_service.update_household(actor, found, {"tags": ["elderly"]})  # flushed, audited
        with suppress(DomainError):  # 409, caught
            checkin_service.review_checkin(
                actor, db.session.get(CheckIn, ids["checkin"]), "approve"
            )
        return redirect("/")

    with other.app_context():
        assert other.test_client().post("/probe").status_code == 302
    db.session.remove()
    assert db.session.get(Household, ids["household"]).tags == []
    assert _audit_rows() == audits
