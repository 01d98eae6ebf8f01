"""The role × area × resource × verb matrix, generated from the policy table over every route.

Every route of app.url_map (the policy's public list aside) is called by every kind of person,
on an object of their own street and on one of the other street, with an empty body. What each
call must answer comes from the table: the rule the route answers to (its own `@authorize`, or its
blueprint's), the roles and the person-condition of that rule, and its object condition:

- refused by the table: 403 (or 404 where the object is not the caller's to see), even though the
  body is empty: authorization comes before validation;
- allowed: never 401 or 403 (a 404 from a service that finds nothing of the caller's, a 422 for
  the empty body, or a success);
- an object of the other street, for a caller confined to their own: 403 or 404.

The district fixture has two streets, a and b; every scoped person belongs to street a."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pytest
from flask import Flask

from app import policy, qr
from app.extensions import db
from app.guard import route_policy
from tests.factories import (
    PASSWORD,
    make_api_token,
    make_campaign,
    make_case,
    make_checkin,
    make_household,
    make_invite,
    make_must_check,
    make_photo,
    make_quiz,
    make_rectification,
    make_task,
    make_visit,
    make_warning,
)

ACTORS = {
    "admin": lambda d: d.admin,
    "district_leader": lambda d: d.leader,
    "street_leader": lambda d: d.a.leader,
    "coordinator": lambda d: d.a.coordinator,
    "worker": lambda d: d.a.worker,
    "police": lambda d: d.a.police,
}
DISTRICT_WIDE = ("admin", "district_leader")
# Asked last: each ends the caller's session or token.
ENDS_SESSION = ("auth.logout", "api_auth.revoke_token")


@dataclass
class Street:
    """The objects a route's parameters name, in one street."""

    ids: dict[str, int]
    token: str


def _street(d, street, admin) -> Street:
    grid, site = street.grids[0], street.sites[0]
    household = make_household(area=grid)
    task = make_task(area=grid, assignees=[street.worker, street.police], sites=[site])
    campaign = make_campaign(
        area=street.street,
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        targets={"household_rounds": 1},
    )
    checkin = make_checkin(user=street.worker, site=site, status="flagged")
    visit = make_visit(user=street.worker, household=household)
    warning = make_warning(area=grid, by=admin)
    case = make_case(area=street.community, occurred_on=date(2026, 1, 5))
    invite = make_invite(area=street.street)
    photo = make_photo(user=street.worker, checkin=checkin)
    rectification = make_rectification(site=site, checkin=checkin, assignee_id=street.worker.id)
    quiz = make_quiz(area=street.community)
    check = make_must_check(area=street.community, case=case)
    ids = {
        "area_id": grid.id,
        "grid_id": grid.id,
        "site_id": site.id,
        "user_id": street.worker.id,
        "household_id": household.id,
        "task_id": task.id,
        "campaign_id": campaign.id,
        "checkin_id": checkin.id,
        "visit_id": visit.id,
        "warning_id": warning.id,
        "case_id": case.id,
        "invite_id": invite.id,
        "photo_id": photo.id,
        "rectification_id": rectification.id,
        "job_id": 987654,
        "quiz_id": quiz.id,
        "check_id": check.id,
    }
    return Street(ids, qr.site_token(site))


@pytest.fixture
def streets(app, district):
    with app.test_request_context():
        own, other = (
            _street(district, district.a, district.admin),
            _street(district, district.b, district.admin),
        )
    db.session.commit()
    return {"own": own, "other": other}


def guarded_routes(app: Flask) -> list[tuple[str, str, str, tuple[str, str]]]:
    """(endpoint, method, rule, (verb, resource)) of every route that is not public."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in policy.PUBLIC_ENDPOINTS:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append(
                (
                    rule.endpoint,
                    method,
                    rule.rule,
                    route_policy(rule.endpoint, app.view_functions[rule.endpoint], method),
                )
            )
    return sorted(found, key=lambda r: (r[0] in ENDS_SESSION, r[2], r[1]))


def _url(rule: str, street: Street) -> str:
    def fill(match):
        name = match.group(1).split(":")[-1]
        return street.token if name == "token" else str(street.ids[name])

    return re.sub(r"<([^>]+)>", fill, rule)


def _load_target(name: str, rule: str, street: Street):
    """The object a route acts on, for the rule's object condition (None when it names none)."""
    from app.models import CheckIn, Rectification, RiskWarning, Task, User, Visit

    models = {
        "task_id": Task,
        "warning_id": RiskWarning,
        "checkin_id": CheckIn,
        "user_id": User,
        "visit_id": Visit,
        "rectification_id": Rectification,
    }
    for param, model in models.items():
        if f"<int:{param}>" in rule:
            return db.session.get(model, street.ids[param])
    return None


def expected(actor_user, where: str, actor: str, rule_key, rule: str, street: Street) -> str:
    """ "refused", "allowed" or "hidden" (another street's object), from the table alone."""
    table = policy.RULES[rule_key]
    if actor_user.role not in table.roles or (table.who is not None and not table.who(actor_user)):
        return "refused"
    names_object = "<" in rule and "<code>" not in rule
    if where == "other" and names_object and actor not in DISTRICT_WIDE:
        return "hidden"
    target = _load_target(rule_key[1], rule, street)
    if table.check is not None and target is not None and not table.check(actor_user, target):
        return "refused"
    return "allowed"


def call(client, endpoint: str, method: str, url: str, token: str):
    if endpoint.startswith("api"):
        return client.open(
            url,
            method=method,
            json={} if method != "GET" else None,
            headers={"Authorization": f"Bearer {token}"},
        )
    return client.open(url, method=method, data={} if method != "GET" else None)


OUTCOMES = {
    "refused": lambda status: status in (403, 404),
    "hidden": lambda status: status in (403, 404),
    "allowed": lambda status: status not in (401, 403, 500),
}


@pytest.mark.parametrize("where", ["own", "other"])
@pytest.mark.parametrize("actor", list(ACTORS))
def test_every_route_answers_as_the_table_says(app, client, district, streets, actor, where):
    user = ACTORS[actor](district)
    street = streets[where]
    token = make_api_token(user=user)
    assert (
        client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code
        == 302
    )
    wrong, asked = [], 0
    for endpoint, method, rule, rule_key in guarded_routes(app):
        if where == "other" and "<" not in rule:
            continue
        want = expected(user, where, actor, rule_key, rule, street)
        response = call(client, endpoint, method, _url(rule, street), token)
        asked += 1
        if not OUTCOMES[want](response.status_code):
            wrong.append(f"{method} {rule} {rule_key}: want {want}, got {response.status_code}")
        db.session.rollback()  # a refused or failed call leaves nothing for the next one to trip on
    assert asked > 20
    assert not wrong, "\n".join(wrong)


def test_the_matrix_reaches_every_rule_of_the_table(app):
    used = {rule_key for *_, rule_key in guarded_routes(app)}
    # Asked by services and templates only: who may hand out privileged grants, the phone menu,
    # who may point their own notifications at a plain webhook.
    assert set(policy.RULES) - used == {
        ("grant", "privilege"),
        ("use", "field_menu"),
        ("update", "notify_webhook"),
    }


# The warning pages, being moved into their own feature, still take their posts on the page rule.
WARNING_PAGES = (
    "coordinate.warnings",
    "coordinate.import_warnings",
    "coordinate.warning",
    "worker.my_warnings",
    "worker.warning",
)


def test_no_write_answers_to_a_read_rule(app):
    """A route that changes something, in the API or on a page, never passes on a read rule (a
    leader reads everything) nor on a page's broad rule ("use": whoever may open the pages): a
    page that lists on GET and adds on POST guards its POST with the write's own rule."""
    writes_on_reads = [
        f"{method} {rule} {rule_key}"
        for endpoint, method, rule, rule_key in guarded_routes(app)
        if method != "GET"
        and rule_key[0] in ("read", "list", "use")
        and endpoint not in (*ENDS_SESSION, *WARNING_PAGES)
    ]
    assert writes_on_reads == []
    assert any(rule.startswith("/coordinate/") for _, _, rule, _ in guarded_routes(app))


def test_the_printed_code_answers_to_one_rule_in_the_api_and_on_the_pages(app):
    """The API's code and the poster pages are the same read: one rule, so they cannot disagree again."""
    printing = {
        rule: rule_key
        for _, method, rule, rule_key in guarded_routes(app)
        if re.search(r"qr\.(png|svg)$|poster", rule)
    }
    sites = {rule: key for rule, key in printing.items() if "quiz" not in rule}
    quizzes = {rule: key for rule, key in printing.items() if "quiz" in rule}
    assert len(sites) == 4 and set(sites.values()) == {("print", "site")}
    assert quizzes and set(quizzes.values()) == {("print", "quiz")}
