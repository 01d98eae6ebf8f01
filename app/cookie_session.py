"""The signed-cookie session, without work a request does not need."""

from __future__ import annotations

from flask import Flask, Request
from flask.sessions import SecureCookieSessionInterface

# Probes that never read or write the session (a load balancer calls them every few seconds).
SESSIONLESS_PATHS = frozenset({"/healthz"})


class CookieSessionInterface(SecureCookieSessionInterface):
    """Flask's session interface, with two savings: the signing serializer is built once per set
    of keys rather than on every request, and the paths in SESSIONLESS_PATHS get the null
    session (no cookie is read, checked or written)."""

    def __init__(self) -> None:
        self._serializers: dict = {}

    def get_signing_serializer(self, app: Flask):
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        serializer = self._serializers.get(keys)
        if serializer is None:
            serializer = super().get_signing_serializer(app)
            if len(self._serializers) > 8:  # keys rotate rarely; never let this grow
                self._serializers.clear()
            self._serializers[keys] = serializer
        return serializer

    def open_session(self, app: Flask, request: Request):
        if request.path in SESSIONLESS_PATHS:
            return self.make_null_session(app)
        return super().open_session(app, request)
