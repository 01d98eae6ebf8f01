"""Tokens for the phone client and integrations, and who am I."""

from flask import current_app, request
from flask_login import current_user

from app.blueprints.api import ApiBlueprint, require_login
from app.extensions import limiter
from app.schemas.user import TokenRequestSchema, TokenSchema, UserSchema
from app.services import auth as auth_service

URL = ""
blp = ApiBlueprint("api_auth", __name__, description="Log in and out")


def login_failed(response) -> bool:
    """Only failures count against the login limits."""
    return response.status_code == 401


def account_key() -> str:
    body = request.get_json(silent=True) if request.is_json else request.form
    username = (body or {}).get("username") if isinstance(body, dict) or hasattr(body, "get") else ""
    return f"login-account:{str(username or '').strip().lower()[:64]}"


# Shared limits: the API's token call and the HTML login page count against the same budgets.
failure_limits = [
    limiter.shared_limit(lambda: current_app.config["LOGIN_FAILURES_PER_ADDRESS"], scope="login-address",
                         methods=["POST"], deduct_when=login_failed),
    limiter.shared_limit(lambda: current_app.config["LOGIN_FAILURES_PER_ACCOUNT"], scope="login-account",
                         methods=["POST"], key_func=account_key, deduct_when=login_failed),
]


def limit_failed_logins(view):
    """Apply both failure limits (per address and per account) to a login view."""
    for decorate in failure_limits:
        view = decorate(view)
    return view


@blp.route("/auth/token", methods=["POST"])
@limit_failed_logins
@blp.arguments(TokenRequestSchema)
@blp.response(200, TokenSchema)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
@blp.doc(security=[])
def issue_token(data):
    """Exchange a username and password for a bearer token."""
    user = auth_service.authenticate(data["username"], data["password"])
    plain, token = auth_service.issue_token(user)
    return {"token": plain, "expires_at": token.expires_at, "user": user}


@blp.route("/auth/token", methods=["DELETE"])
@blp.response(204)
def revoke_token():
    """Revoke the bearer token this call is made with."""
    require_login()
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        auth_service.revoke_token(header[7:].strip())
    return None


@blp.route("/me")
@blp.response(200, UserSchema)
def me():
    """The caller."""
    require_login()
    return current_user._get_current_object()
