"""Reading JSON request bodies: a body nested too deeply to parse is a bad body (400), not a crash.

Python's json parser recurses once per nesting level, so 100,000 nested arrays (200 kB) raise
RecursionError, which Flask and webargs let through as a 500. Both readers of request bodies are
wrapped here: Flask's `request.get_json` (through the app's JSON provider) and the webargs parser
behind every flask-smorest `@blp.arguments`."""

from __future__ import annotations

import json

from flask.json.provider import DefaultJSONProvider
from marshmallow import Schema
from webargs.flaskparser import FlaskParser


def _too_deep(error: RecursionError) -> json.JSONDecodeError:
    # A ValueError: Flask's get_json answers it with 400 (None when silent), webargs with its
    # usual 400 {"json": ["Invalid JSON body."]} (webargs reads an empty `doc` as "no body").
    return json.JSONDecodeError("nested too deeply", "(request body)", 0)


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, refusing bodies nested deeper than the parser can go."""

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError as error:
            raise _too_deep(error) from None


class BodyParser(FlaskParser):
    """The webargs parser for API arguments, refusing the same bodies as the JSON provider."""

    def _raw_load_json(self, req):
        try:
            return super()._raw_load_json(req)
        except RecursionError as error:
            raise _too_deep(error) from None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._schemas: dict[type[Schema], Schema] = {}

    def _get_schema(self, argmap, req) -> Schema:
        """One instance per schema class, made on first use: webargs would build a new one for
        every request (copying every declared field), and a schema keeps nothing between loads
        (the responses' schemas are shared the same way)."""
        if isinstance(argmap, type) and issubclass(argmap, Schema):
            schema = self._schemas.get(argmap)
            if schema is None:
                schema = self._schemas.setdefault(argmap, argmap())
            return schema
        return super()._get_schema(argmap, req)
