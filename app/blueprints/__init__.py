"""Blueprints: one package per audience or resource."""

from __future__ import annotations

from flask import has_request_context, request

# Where the API lives; the phone pages name it to their scripts.
API_PREFIX = "/api/v1"


def client_address() -> str | None:
    """The client's address for the audit log ("from where"); None outside a request (the command line)."""
    return request.remote_addr if has_request_context() else None
