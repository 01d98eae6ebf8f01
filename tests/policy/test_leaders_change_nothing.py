"""A leader reads and changes nothing, whatever force they were given.

Before the policy table a street leader given the police force could record a warning's outcome
(the old check let any holder of the police force handle the warnings of their area)."""

from __future__ import annotations

from app.extensions import db
from app.models import RiskWarning
from tests.factories import make_warning


def test_a_leader_with_the_police_force_records_no_outcome(api, district):
    leader = district.a.leader
    leader.force = "police"
    warning = make_warning(area=district.a.grids[0], by=district.admin)
    db.session.commit()
    assert api.get(f"/warnings/{warning.id}", user=leader).status_code == 200
    response = api.post(
        f"/warnings/{warning.id}/outcome", user=leader, json={"result": "dissuaded"}
    )
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(RiskWarning, warning.id).status == "open"


def test_the_police_officer_of_the_street_still_records_it(api, district):
    warning = make_warning(area=district.a.grids[0], by=district.admin)
    db.session.commit()
    response = api.post(
        f"/warnings/{warning.id}/outcome", user=district.a.police, json={"result": "dissuaded"}
    )
    assert response.status_code == 200 and response.get_json()["status"] == "handled"
