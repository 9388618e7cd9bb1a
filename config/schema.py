"""What the OpenAPI document says beyond what drf-spectacular reads from the views
(docs/api.md, docs/security.md)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension

# Every answer of an error: {"detail": "..."} or {"<field>": ["..."]}.
ERROR_SCHEMA = {
    "type": "object",
    "description": '{"detail": "message"} or {"<field>": ["message", ...]}',
    "additionalProperties": True,
}
ERRORS = {
    "400": "The input is refused: the answer names each field and what to change.",
    "401": "No valid token (or session): log in again.",
    "403": "Not allowed to this user or role; the answer says why.",
    "404": "Not found, or another store's.",
    "409": "In conflict with the current state; the answer says which.",
    "413": "The request body is larger than 20 MiB.",
    "429": "Too many requests: wait as Retry-After says.",
}


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "config.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer"}


def error_responses(result, generator, request, public):
    """Every operation lists the 4xx it can answer, with the error body's shape."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for code, description in ERRORS.items():
                operation["responses"].setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                    },
                )
    return result
