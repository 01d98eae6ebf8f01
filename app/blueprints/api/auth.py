"""Tokens for the phone client and integrations, and who am I."""

from functools import wraps

from flask import current_app, make_response, request
from flask_login import current_user

from app.blueprints.api import ApiBlueprint, require_login
from app.extensions import client_address
from app.guard import authorize
from app.schemas.user import (
    SmsCodeRequestSchema,
    SmsCodeSentSchema,
    SmsLoginSchema,
    TokenRequestSchema,
    TokenSchema,
    UserSchema,
)
from app.services import auth as auth_service
from app.services import sms_login

URL = ""
blp = ApiBlueprint("api_auth", __name__, description="Log in and out")


@blp.route("/auth/token", methods=["POST"])
@blp.arguments(TokenRequestSchema)
@blp.response(200, TokenSchema)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(
    429,
    description="Too many failed logins: the body's `message`, `retry_after` (seconds) and "
    "`retry_at` say when to try again; also the Retry-After header",
)
@blp.doc(security=[])
def issue_token(data):
    """Exchange a username and password for a bearer token (429 with Retry-After after too many failures)."""
    user = auth_service.log_in(data["username"], data["password"], client_address())
    plain, token = auth_service.issue_token(user)
    return {"token": plain, "expires_at": token.expires_at, "user": user}


def sms_offered(view):
    """404 where no SMS gateway is configured, before the body is read."""

    @wraps(view)
    def checked(*args, **kwargs):
        sms_login.require_enabled()
        return view(*args, **kwargs)

    return checked


@blp.route("/auth/sms-code", methods=["POST"])
@sms_offered
@blp.arguments(SmsCodeRequestSchema)
@blp.response(202, SmsCodeSentSchema)
@blp.alt_response(404, response="NOT_FOUND", description="No SMS gateway is configured")
@blp.alt_response(429, description="Too many codes asked for this number or from this address")
@blp.doc(security=[])
def send_sms_code(data):
    """Send a 6-digit login code by SMS to the person holding `phone` (the same answer whether
    or not the number is anyone's); where an SMS gateway is configured."""
    outgoing = sms_login.request_code(data["phone"], client_address())
    ttl = int(current_app.config["SMS_CODE_TTL"].total_seconds())
    response = make_response(SmsCodeSentSchema().dump({"expires_in": ttl}), 202)
    if outgoing is not None:  # sent once the request has committed
        response.call_on_close(outgoing.send)
    return response


@blp.route("/auth/sms-token", methods=["POST"])
@sms_offered
@blp.arguments(SmsLoginSchema)
@blp.response(200, TokenSchema)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(404, response="NOT_FOUND", description="No SMS gateway is configured")
@blp.alt_response(429, description="Too many failed logins (as `POST /auth/token`)")
@blp.doc(security=[])
def issue_token_by_sms(data):
    """Exchange a phone number and the SMS code sent to it for a bearer token."""
    user = sms_login.log_in_by_code(data["phone"], data["code"], client_address())
    plain, token = auth_service.issue_token(user)
    return {"token": plain, "expires_at": token.expires_at, "user": user}


@blp.route("/auth/token", methods=["DELETE"])
@authorize("revoke", "token")
@blp.response(204)
def revoke_token():
    """Revoke the bearer token this call is made with."""
    require_login()
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        auth_service.revoke_token(header[7:].strip())
    return None


@blp.route("/me")
@authorize("read", "self")
@blp.response(200, UserSchema)
def me():
    """The caller."""
    require_login()
    return current_user._get_current_object()
