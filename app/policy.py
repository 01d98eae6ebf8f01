"""Who may do what: one table of (verb, resource) → roles and scope.

Services call `require`, the HTTP guard (`app/guard.py`) calls it before a body is read,
and templates get `can`'s answers as booleans. This module imports nothing from Flask and
nothing from the services; the scope helpers that query (subtree filters, the grids a person
works) are in `app.services.access`, which applies the rules here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.errors import Forbidden, NotFound
from app.i18n import N_
from app.models import ROLES, Area, User

ADMIN, LEADER, COORDINATOR, WORKER = "admin", "leader", "coordinator", "worker"
EVERYONE = frozenset({ADMIN, LEADER, COORDINATOR, WORKER})
# Leaders read everything in their area and change nothing.
READERS = frozenset({ADMIN, LEADER, COORDINATOR})
MANAGERS = frozenset({ADMIN, COORDINATOR})  # keep the map, sites, households, people and work
RECORDERS = frozenset({ADMIN, COORDINATOR, WORKER})  # bring evidence from the field
ADMINS = frozenset({ADMIN})

# Grants only an admin gives or takes, and whose holders only an admin manages: each reaches past
# ordinary field work (police see residents' phone numbers; leaders and admins read whole areas).
ADMIN_ONLY_ROLES = (ADMIN, LEADER)
ADMIN_ONLY_FORCES = ("police",)
# What nobody changes on their own account, admins included.
FIXED_FOR_SELF = ("role", "force", "area_id")
# The roles a coordinator may hand out.
COORDINATOR_MAY_GIVE = (COORDINATOR, WORKER)
# Roles whose people need an area (only admins and district leaders see the whole district).
AREA_REQUIRED = (COORDINATOR, WORKER)
# Roles that cover the whole district and hold no area.
DISTRICT_ONLY = (ADMIN,)


NOT_FOUND = {
    None: N_("not found"),
    "area": N_("area not found"),
    "site": N_("site not found"),
    "case": N_("case not found"),
    "user": N_("user not found"),
    "household": N_("household not found"),
    "task": N_("task not found"),
    "warning": N_("warning not found"),
    "photo": N_("photo not found"),
    "rectification": N_("rectification not found"),
    "quiz": N_("quiz not found"),
    "must_check": N_("check not found"),
}
# What the policy answers when it refuses (verb, resource); the rest read REFUSED[None].
REFUSED = {
    None: N_("your role may not do this"),
    ("read", "audit"): N_("admins only"),
    ("use", "coordination"): N_("coordinators only"),
    ("update", "area"): N_("you may not change this area"),
    ("update", "site"): N_("you may not change this site"),
    ("update", "user"): N_("you may not change this user"),
    ("update", "household"): N_("you may not change this household"),
    ("update", "task"): N_("you may not change this task"),
    ("review", "checkin"): N_("you may not review check-ins at this site"),
    ("amend", "checkin"): N_("only the check-in's author adds to it"),
    ("amend", "visit"): N_("only the visit's author adds to it"),
    ("close", "rectification"): N_("only the person it was assigned to closes it"),
    ("report", "task"): N_("only the task's assignees report on it"),
    ("create", "warning"): N_("police and coordinators enter warnings"),
    ("import", "warning"): N_("police and coordinators enter warnings"),
    ("handle", "warning"): N_("you may not handle this warning"),
    ("unmask", "phone"): N_("only police and admins see full numbers"),
    ("reveal", "phone"): N_("only police, admins and the grid's workers see the number"),
    ("correct", "warning"): N_("you may not correct this warning"),
}


def scope_area(user: User) -> Area | None:
    """The area a user is confined to; None means the whole district."""
    if user.area_id is None:
        return None
    return user.area  # held by the user, so loaded once per request


def within_scope(user: User, area: Area | None) -> bool:
    """True when `area` lies inside the user's subtree."""
    scope = scope_area(user)
    return scope is None or (area is not None and area.is_within(scope))


@dataclass(frozen=True)
class Rule:
    """`roles` may do the verb; with an object, `scope` decides where:

    "area": the object's area lies in the user's subtree (else 404: its existence is not told);
    "check": `check(user, obj)` decides alone (the object was found through the user's scope).
    `who` narrows the roles by something else the person holds (a force)."""

    roles: frozenset[str]
    scope: str = "area"
    check: Callable[[User, Any], bool] | None = None
    who: Callable[[User], bool] | None = None  # a further condition on the person alone


def is_field_role(role: str | None) -> bool:
    """The role of people in the field, who work grids (and are grid workers unless told otherwise)."""
    return role == WORKER


def is_field_worker(user: User) -> bool:
    """A person in the field: sees the work of their own grids, not their area's."""
    return is_field_role(user.role)


def is_admin(user: User) -> bool:
    return user.role == ADMIN


def holds_privilege(user: User) -> bool:
    """True for a role or force that only an admin may give, take, or manage."""
    return user.role in ADMIN_ONLY_ROLES or user.force in ADMIN_ONLY_FORCES


def is_police_officer(user: User) -> bool:
    """A police officer in the field (a coordinator or leader with the police force is not one)."""
    return user.role == WORKER and user.force == "police"


def gives_only(user: User, role: str | None) -> bool:
    """True when `user` may hand out `role` to someone they manage."""
    return user.role == ADMIN or role in COORDINATOR_MAY_GIVE


def needs_area(role: str | None) -> bool:
    """Coordinators and workers are confined to an area; only admins and leaders may cover the district."""
    return role in AREA_REQUIRED


def holds_no_area(role: str | None) -> bool:
    return role in DISTRICT_ONLY


def refused_grant(actor: User, user: User | None, raw: dict) -> str | None:
    """What a change to `user` (None: a new account) would give that `actor` may not: "self" (nobody
    changes their own role, force or area), "role" (only an admin gives or takes a privileged role;
    coordinators hand out coordinator and worker only), "force" (only an admin gives police); else None."""
    if (
        user is not None
        and user.id == actor.id
        and any(f in raw and raw[f] != getattr(user, f) for f in FIXED_FOR_SELF)
    ):
        return "self"
    if can(actor, "grant", "privilege"):
        return None
    role, force = raw.get("role"), raw.get("force")
    refused = role in ADMIN_ONLY_ROLES or (role in ROLES and role not in COORDINATOR_MAY_GIVE)
    if "role" in raw and refused and (user is None or role != user.role):
        return "role"
    if "force" in raw and force in ADMIN_ONLY_FORCES and (user is None or force != user.force):
        return "force"
    return None


def field_workers(role_column):
    """An SQL condition on a role column: people who work grids."""
    return role_column == WORKER


def police_officers(role_column, force_column):
    """An SQL condition: police officers in the field (the rule of is_police_officer)."""
    return (role_column == WORKER) & (force_column == "police")


def leaders(role_column):
    """An SQL condition: the leaders the daily report goes to."""
    return role_column == LEADER


def coordinators(role_column):
    """An SQL condition: the coordinators a late warning escalates to."""
    return role_column == COORDINATOR


def _manages_user(user: User, other: User) -> bool:
    """Admins manage everyone; a coordinator manages the workers of their area, the coordinators
    of areas strictly below theirs (never a peer), and their own ordinary fields."""
    if user.role == ADMIN:
        return True
    if user.role != COORDINATOR or holds_privilege(other):
        return False
    if other.id == user.id:
        return True
    if other.area is None or not within_scope(user, other.area):
        return False
    return other.role == WORKER or (other.role == COORDINATOR and other.area_id != user.area_id)


def _enters_warnings(user: User) -> bool:
    """Police in the field, coordinators and admins enter warnings."""
    return user.role in MANAGERS or is_police_officer(user)


def _handles_warning(user: User, warning) -> bool:
    """The grid's workers, police and coordinators of the area, admins."""
    if user.role in MANAGERS or user.force == "police":
        return within_scope(user, warning.area)
    return any(g.id == warning.area_id for g in user.grids)


def _keeps_board(user: User) -> bool:
    """Readers, and police officers for the warnings they see."""
    return user.role in READERS or user.force == "police"


def _assigned(user: User, task) -> bool:
    return user.id in task.assignee_ids


def _reviews(user: User, checkin) -> bool:
    return within_scope(user, checkin.site.area)


def _reveals(user: User, warning) -> bool:
    """The number behind a 拨打 button: police officers and admins (as _unmasks), and a worker of
    the warning's grid, the handler who must call; coordinators and leaders never."""
    if _unmasks(user):
        return True
    return is_field_worker(user) and _works_grid(user, warning.area_id)


def _works_grid(user: User, grid_id: int) -> bool:
    """Whether `grid_id` is one of the person's grids: `grid_ids` when given, else their own area
    when it is a grid (access.effective_grids, read from the loaded user without a query)."""
    if user.grids:
        return any(g.id == grid_id for g in user.grids)
    return user.area is not None and user.area.level == "grid" and user.area_id == grid_id


def _corrects(user: User, warning) -> bool:
    """A coordinator (or admin) of the warning's area corrects an outcome recorded by mistake."""
    return within_scope(user, warning.area)


def _is_self(user: User, other: User) -> bool:
    return other.id == user.id


def _authored(user: User, record) -> bool:
    """The person who made a check-in or visit (found through their view of it first: 404)."""
    return record.user_id == user.id


def _closes(user: User, item) -> bool:
    """The person a rectification item was assigned to."""
    return item.assignee_id == user.id


def _unmasks(user: User) -> bool:
    """Admins and police officers in the field; a coordinator or leader never, whatever their force."""
    return user.role == ADMIN or is_police_officer(user)


RULES: dict[tuple[str, str], Rule] = {
    ("read", "area"): Rule(EVERYONE),
    ("create", "area"): Rule(MANAGERS),
    ("update", "area"): Rule(MANAGERS),
    ("import", "boundary"): Rule(MANAGERS),  # each matched area must also be one they may update
    ("read", "site"): Rule(EVERYONE),
    ("create", "site"): Rule(MANAGERS),
    ("update", "site"): Rule(MANAGERS),
    ("import", "site"): Rule(MANAGERS),
    # A printed code is a read: it shows the site's current link and changes nothing. Leaders may
    # print it (API and poster page alike); workers get theirs on the site itself.
    ("print", "site"): Rule(READERS),
    ("check_in", "site"): Rule(RECORDERS),  # leaders read; they do not check in
    ("read", "checkin"): Rule(EVERYONE),  # a worker their own (the service filters)
    ("review", "checkin"): Rule(MANAGERS, "check", _reviews),
    # Details (counts, note, condition, photos) added afterwards: the author alone, within a day
    # (the service judges the time).
    ("amend", "checkin"): Rule(RECORDERS, "check", _authored),
    ("list", "user"): Rule(READERS),
    ("read", "user"): Rule(
        EVERYONE
    ),  # themselves; readers the people of their area (the service finds them)
    ("create", "user"): Rule(MANAGERS),
    ("update", "user"): Rule(MANAGERS, "check", _manages_user),
    ("import", "user"): Rule(MANAGERS),  # workers of every force but police (admins add those)
    ("unlock", "user"): Rule(ADMINS),
    # One-time codes to sign in the first time: for the people one manages.
    ("issue", "sign_in_code"): Rule(MANAGERS, "check", _manages_user),
    ("revoke", "sign_in_code"): Rule(MANAGERS, "check", _manages_user),
    # One's own one-time link to continue, signed in, in another browser (out of WeChat's).
    ("issue", "browser_link"): Rule(EVERYONE, "check", _is_self),
    # Invites by QR: people of a force ask to join an area; a coordinator lets them in.
    ("read", "invite"): Rule(MANAGERS),
    ("create", "invite"): Rule(MANAGERS),
    ("revoke", "invite"): Rule(MANAGERS),
    ("approve", "user"): Rule(MANAGERS, "check", _manages_user),
    ("grant", "privilege"): Rule(ADMINS),
    ("read", "household"): Rule(EVERYONE),
    ("create", "household"): Rule(MANAGERS),
    ("update", "household"): Rule(MANAGERS),
    ("import", "household"): Rule(MANAGERS),
    ("read", "visit"): Rule(EVERYONE),  # a worker their own (the service filters)
    ("record", "visit"): Rule(RECORDERS),
    ("amend", "visit"): Rule(RECORDERS, "check", _authored),
    # Photos: anyone who records evidence uploads; who sees one is decided by the record it
    # belongs to (the service finds it through the caller's view of that record).
    ("upload", "photo"): Rule(RECORDERS),
    ("read", "photo"): Rule(EVERYONE),
    # Rectification (整改): the site's coordinators assign, the assignee closes with a photo;
    # a worker reads the items assigned to them (the service filters).
    ("read", "rectification"): Rule(EVERYONE),
    ("assign", "rectification"): Rule(MANAGERS),
    ("close", "rectification"): Rule(RECORDERS, "check", _closes),
    ("read", "campaign"): Rule(READERS),
    ("create", "campaign"): Rule(MANAGERS),
    ("read", "task"): Rule(EVERYONE),
    ("create", "task"): Rule(MANAGERS),
    ("update", "task"): Rule(MANAGERS),
    ("assign", "task"): Rule(MANAGERS),
    ("report", "task"): Rule(EVERYONE, "check", _assigned),
    ("read", "warning"): Rule(EVERYONE),
    ("create", "warning"): Rule(RECORDERS, who=_enters_warnings),
    ("import", "warning"): Rule(RECORDERS, who=_enters_warnings),
    ("read", "warning_board"): Rule(EVERYONE, who=_keeps_board),
    ("handle", "warning"): Rule(RECORDERS, "check", _handles_warning),
    ("unmask", "phone"): Rule(RECORDERS, "check", who=_unmasks),  # the warning is found first (404)
    ("reveal", "phone"): Rule(RECORDERS, "check", _reveals),  # one warning's number, audited
    ("correct", "warning"): Rule(MANAGERS, "check", _corrects),
    # One person's work over time (the person page): the people of one's area.
    ("read", "person"): Rule(READERS, "area"),
    ("commend", "person"): Rule(MANAGERS, "area"),  # 褒奖, listed on the person page
    # Leaderboards of people: readers on the dashboard; workers their area's on the phone where
    # the deployment shows it (LEADERBOARD_FOR_WORKERS; else the page is not there: 404).
    ("read", "leaderboard"): Rule(READERS),
    ("read", "area_leaderboard"): Rule(frozenset({WORKER})),
    ("read", "case"): Rule(READERS),
    ("create", "case"): Rule(MANAGERS),
    ("import", "case"): Rule(MANAGERS),
    # The four must-checks (四必查): opened by the system; readers read them, a coordinator of
    # the community concludes them.
    ("read", "must_check"): Rule(READERS),
    ("conclude", "must_check"): Rule(MANAGERS),
    ("read", "coverage"): Rule(READERS),
    ("read", "awareness"): Rule(READERS),
    ("read", "assessment"): Rule(READERS),
    ("update", "assessment"): Rule(ADMINS),  # the district sets the weights
    ("read", "quiz"): Rule(READERS),
    ("create", "quiz"): Rule(MANAGERS),
    ("update", "quiz"): Rule(MANAGERS),
    # A quiz's code is public (its link is meant for chat groups); printing it changes nothing.
    ("print", "quiz"): Rule(READERS),
    ("read", "dashboard"): Rule(READERS),
    ("read", "report"): Rule(READERS),
    ("read", "ledger"): Rule(READERS),  # 台账 of the caller's area (the service scopes)
    ("read", "job"): Rule(EVERYONE),  # a job answers its creator only (the service filters)
    ("read", "audit"): Rule(ADMINS),
    ("read", "settings"): Rule(ADMINS),  # the deployment's settings (keys shown cut)
    ("use", "coordination"): Rule(MANAGERS),  # the coordinators' pages
    ("use", "pages"): Rule(
        EVERYONE
    ),  # a signed-in person's own pages: home, tasks, the site a code opens
    ("use", "field_menu"): Rule(
        frozenset({WORKER})
    ),  # the phone's menu entries (managers have their pages)
    ("read", "self"): Rule(EVERYONE),
    ("read", "notification"): Rule(EVERYONE),  # one's own (the service filters)
    ("update", "notification"): Rule(EVERYONE),  # marking one's own read
    ("update", "notify_channel"): Rule(EVERYONE),  # one's own channel, to the chat services only
    ("update", "notify_webhook"): Rule(ADMINS),  # a plain webhook: the sender posts where it says
    ("revoke", "token"): Rule(EVERYONE),  # one's own
}

# What anybody may open without signing in, by endpoint; every other route has a rule above.
PUBLIC_ENDPOINTS = frozenset(
    {
        "static",
        "main.healthz",
        "main.readyz",
        "main.manifest",
        "main.set_language",
        "auth.login",
        "auth.first_sign_in",
        # SMS login codes: asked for and entered before signing in (404 without a gateway).
        "auth.sms_login",
        "auth.sms_code",
        "api_auth.send_sms_code",
        "api_auth.issue_token_by_sms",
        "auth.join",
        "worker.offline_shell",
        # A scanned site code: the check-in page for a signed-in person, else the public page.
        "worker.site_page",
        "public.quiz_page",
        "api_quiz_responses.answer_quiz",
        "worker.service_worker",
        "api_auth.issue_token",
        "api-docs.openapi_json",
    }
)


def area_of(obj) -> Area | None:
    """The area an object belongs to, for the area scope."""
    if isinstance(obj, Area):
        return obj
    return getattr(obj, "area", None)


def rule_for(verb: str, resource: str) -> Rule:
    try:
        return RULES[(verb, resource)]
    except KeyError:
        raise LookupError(f"no policy for ({verb!r}, {resource!r})") from None


def _in_scope(user: User, rule: Rule, obj) -> bool:
    return obj is None or rule.scope != "area" or within_scope(user, area_of(obj))


def can(user: User | None, verb: str, resource: str, obj=None) -> bool:
    """True when `user` may do `verb` to `resource` (to `obj` when given)."""
    rule = rule_for(verb, resource)
    if user is None or not getattr(user, "is_authenticated", False) or user.role not in rule.roles:
        return False
    if rule.who is not None and not rule.who(user):
        return False
    if obj is None:
        return True
    if not _in_scope(user, rule, obj):
        return False
    return rule.check is None or rule.check(user, obj)


def require(user: User, verb: str, resource: str, obj=None, *, hide: bool = False) -> None:
    """Raise Forbidden unless `can(...)`; with `hide`, NotFound for an object outside the user's area
    (saying that it exists would leak: the HTTP guard hides, a service handed a loaded object refuses)."""
    rule = rule_for(verb, resource)
    if hide and obj is not None and not _in_scope(user, rule, obj):
        raise NotFound(NOT_FOUND.get(resource, NOT_FOUND[None]))
    if not can(user, verb, resource, obj):
        raise Forbidden(REFUSED.get((verb, resource), REFUSED[None]))
