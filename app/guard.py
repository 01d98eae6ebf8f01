"""The one HTTP guard: asks the policy before a view reads its input.

`@authorize(verb, resource, ...)` answers 401 without a user, 404 for an object outside the
caller's area, 403 outside their role, and 403 naming the field when the raw input names an area
outside their subtree: all before the schema validates the body, so that a caller outside their
role or area never learns which of their fields were wrong. A blueprint-wide rule
(`guard_blueprint`) covers the pages of one audience; a view's own `@authorize` replaces it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps

from flask import Blueprint, current_app, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app import policy
from app.errors import Unauthorized
from app.services.access import refuse_outside_scope

# blueprint name → (verb, resource) every view of it needs unless it names its own
BLUEPRINT_RULES: dict[str, tuple[str, str]] = {}


def raw_input() -> dict:
    """What the caller sent, before any validation: the JSON object (or form) and the query string."""
    body = request.get_json(silent=True) if request.is_json else None
    raw = dict(request.args.items())
    if isinstance(body, dict):
        raw.update(body)
    elif request.form:
        raw.update(request.form.items())
    return raw


def _signed_out():
    """The answer to a caller without a user: 401 for the API, the login page for pages."""
    if (request.blueprint or "").startswith("api"):
        raise Unauthorized(_l("a valid token or session is required"))
    return current_app.login_manager.unauthorized()


def authorize(
    verb: str,
    resource: str,
    *,
    load: Callable | None = None,
    areas: Iterable[str] = (),
    then: Callable | None = None,
    methods: Iterable[str] | None = None,
):
    """View decorator: the policy's answer for (verb, resource) before the view reads its input.

    `load(user, **view_args)` finds the object (404 outside the caller's view of it); `areas` are
    input fields naming areas, refused outside the caller's subtree; `then(user, raw, obj)` refuses
    what else a body may name that the caller must not touch (grants, other streets' people, the
    site a check-in's token names). With `methods` the rule guards those methods only (a page that
    shows a list on GET and adds to it on POST: the write's rule on POST, the page's on GET)."""
    only = frozenset(methods) if methods is not None else None

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if only is not None and request.method not in only:
                return view(*args, **kwargs)  # another rule guards this method
            if not current_user.is_authenticated:
                return _signed_out()
            user = current_user._get_current_object()
            obj = load(user, **kwargs) if load is not None else None
            policy.require(user, verb, resource, obj, hide=True)
            kept = None
            if areas or then:
                raw = raw_input()
                for field in areas:
                    refuse_outside_scope(user, raw.get(field), field)
                if then is not None:
                    # What `then` loaded stays referenced while the view runs: the session's
                    # identity map (weak) then serves it again without a query.
                    kept = then(user, raw, obj)
            response = view(*args, **kwargs)
            del kept
            return response

        wrapper.policies = {
            **getattr(view, "policies", {}),
            **dict.fromkeys(only or (None,), (verb, resource)),
        }
        return wrapper

    return decorator


def can(verb: str, resource: str, obj=None) -> bool:
    """The policy's answer for the signed-in person (False for nobody): what templates ask."""
    return policy.can(current_user, verb, resource, obj)


def view_policy(view, method: str) -> tuple[str, str] | None:
    """The (verb, resource) a view function (or one method of a class-based view) is guarded by."""
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        view = getattr(view_class, method.lower(), None)
    policies = getattr(view, "policies", {})
    return policies.get(method, policies.get(None))


def route_policy(endpoint: str, view, method: str) -> tuple[str, str] | None:
    """The rule a request to `endpoint` with `method` passes: the view's own, else its blueprint's."""
    return view_policy(view, method) or BLUEPRINT_RULES.get(
        endpoint.rsplit(".", 1)[0] if "." in endpoint else ""
    )


def guard_blueprint(bp: Blueprint, verb: str, resource: str) -> None:
    """Every view of `bp` needs (verb, resource), unless it carries its own `@authorize`."""
    BLUEPRINT_RULES[bp.name] = (verb, resource)

    @bp.before_request
    def _guard():
        view = current_app.view_functions.get(request.endpoint)
        if view is not None and view_policy(view, request.method) is not None:
            return None  # the view's own guard decides
        if not current_user.is_authenticated:
            return _signed_out()
        policy.require(current_user._get_current_object(), verb, resource)
        return None
