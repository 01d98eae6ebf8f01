"""The error answers each operation documents, so that the OpenAPI document lists every status code
an operation can answer (instead of flask-smorest's catch-all `default`), as the contract states them:
no or bad token 401; outside the caller's role or area 403; a missing object, or one outside the
caller's view, named in the path, the query (`..._id`) or the body, 404; a body that is not JSON 400;
a write that conflicts with a row saved before or at the same moment (a name, a username, a
client_id) 409; wrong fields 422 (flask-smorest adds it for every operation with arguments).
Limits (429) are documented where they apply."""

from __future__ import annotations

from apispec.ext.marshmallow.common import resolve_schema_instance

# Names of the responses flask-smorest registers for every HTTP status, each with the Error schema.
UNAUTHORIZED, FORBIDDEN, NOT_FOUND = "UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND"
BAD_REQUEST, CONFLICT = "BAD_REQUEST", "CONFLICT"
WRITES = ("post", "put", "patch", "delete")


def error_responses(method: str, operation: dict, has_path_ids: bool) -> dict:
    """The error responses an operation gets besides those its decorators document."""
    found = {}
    body = operation.get("requestBody", {}).get("content", {})
    names_ids = (
        has_path_ids
        or bool(body)
        or any(name.endswith("_id") for name in _query_names(operation.get("parameters", [])))
    )
    if operation.get("security") != []:
        found["401"], found["403"] = UNAUTHORIZED, FORBIDDEN
        if names_ids:
            found["404"] = NOT_FOUND
    if "application/json" in body:
        found["400"] = BAD_REQUEST
    if body and method in WRITES:
        found["409"] = CONFLICT
    return found


def _query_names(parameters: list) -> list[str]:
    """Query parameter names, also those flask-smorest still holds as a marshmallow schema."""
    names = []
    for parameter in parameters:
        if parameter.get("in") != "query":
            continue
        if "schema" in parameter and not isinstance(parameter["schema"], dict):
            fields = resolve_schema_instance(parameter["schema"]).fields.values()
            names += [field.data_key or field.name for field in fields if not field.dump_only]
        else:
            names.append(parameter.get("name", ""))
    return names


class ErrorDocumentingSpec:
    """An apispec APISpec seen through a blueprint's registration: each path's operations get
    their error responses before the path is added; everything else is the spec itself."""

    def __init__(self, spec):
        self._spec = spec

    def __getattr__(self, name):
        return getattr(self._spec, name)

    def path(self, *, rule, operations, **kwargs):
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status, response in error_responses(
                method, operation, bool(rule.arguments)
            ).items():
                responses.setdefault(status, response)
        return self._spec.path(rule=rule, operations=operations, **kwargs)
