"""The OpenAPI schema as the contract (DEFAULT_SCHEMA_CLASS): drf-spectacular's AutoSchema, plus
what it cannot see on its own.

- Every operation lists the error answers it may give, from one table (ERRORS), each with its body:
  400 `{field: [messages]}` (or `{"detail": …}` for a body that cannot be parsed at all), and
  `{"detail": "…"}` for 401, 403, 404, 409, 413 and 429 (with `Retry-After`).
- Integer filters state the bounds their form field checks (`min_value`/`max_value`: ids are
  1..2^63-1, years the years a report may have); relations written by id state the id range.
- An operation anyone may call (published parcels, the token endpoint) says so with `{}` among its
  security requirements.
"""

from dataclasses import dataclass

import uritemplate
from django.core.validators import MaxValueValidator, MinValueValidator
from django_filters import ModelChoiceFilter, ModelMultipleChoiceFilter
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular import openapi
from drf_spectacular.plumbing import ResolvedComponent, get_manager, get_view_model
from rest_framework import permissions, serializers

# The range of a 64-bit id (BigAutoField, the default primary key).
ID_RANGE = {"minimum": 1, "maximum": 2**63 - 1}

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
WITH_BODY = {"POST", "PUT", "PATCH"}


@dataclass(frozen=True)
class Error:
    description: str
    body: str  # the component of its body: FIELD_ERRORS or DETAIL
    applies: str  # which operations may answer it, see AutoSchema.error_applies


FIELD_ERRORS, DETAIL = "ValidationError", "ErrorDetail"

ERRORS = {
    400: Error(
        "Invalid input: `{field: [messages]}` naming each bad field or query parameter "
        "(`non_field_errors` for a rule across fields; a list field's errors by index), or "
        '`{"detail": …}` when the body cannot be parsed (malformed or too deeply nested JSON).',
        FIELD_ERRORS,
        "every",
    ),
    401: Error("No valid credentials: the token is unknown or expired.", DETAIL, "every"),
    403: Error(
        "The caller's role may not do this, or not to this row (another unit's project); a sign-in "
        "locked out after too many failed attempts.",
        DETAIL,
        "not_public_read",
    ),
    404: Error(
        "No such object, or one the caller may not see (the two answer alike); a page past the last; "
        "an export `format` that does not exist.",
        DETAIL,
        "addressed",
    ),
    409: Error(
        "Conflict with the data as it stands: a duplicate, deleting what other rows still use, "
        "recomputing or publishing a month that is published.",
        FIELD_ERRORS,  # a duplicate names its fields; other conflicts say `{"detail": …}`
        "writes",
    ),
    413: Error("The request body is larger than the server accepts.", DETAIL, "with_body"),
    429: Error("Too many requests: wait the number of seconds in `Retry-After`.", DETAIL, "every"),
}

COMPONENTS = {
    FIELD_ERRORS: {
        "type": "object",
        "description": "Messages per field or query parameter; `non_field_errors` for rules across fields.",
        "additionalProperties": {
            "oneOf": [
                {"type": "array", "items": {"type": "string"}},
                # A list field's or a nested object's errors, by index or by field.
                {"type": "object", "additionalProperties": {}},
            ]
        },
    },
    DETAIL: {
        "type": "object",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
}
RETRY_AFTER = {
    "Retry-After": {"description": "Seconds until the budget is whole again.", "schema": {"type": "integer"}}
}


class AutoSchema(openapi.AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, error in ERRORS.items():
            if not self.error_applies(error.applies):
                continue
            documented = self._error_response(code, error)
            # A view may describe an error in its own words (@extend_schema): its body is still this one.
            responses[str(code)] = {**documented, **responses.get(str(code), {})} | {
                key: documented[key] for key in ("content", "headers") if key in documented
            }
        return responses

    def error_applies(self, applies: str) -> bool:
        if applies == "every":
            return True
        if applies == "not_public_read":
            # A read open to all refuses nobody; the open token endpoint refuses a locked-out sign-in.
            return not (self.is_public() and self.method in permissions.SAFE_METHODS)
        if applies == "addressed":
            return bool(uritemplate.variables(self.path)) or self._is_paginated() or self._has_format_parameter()
        if applies == "writes":
            return self.method in WRITES and not self.grants_credentials()
        if applies == "with_body":
            return self.method in WITH_BODY
        raise ValueError(applies)

    def _error_response(self, code: int, error: Error) -> dict:
        schema = {"$ref": self._error_component(error.body)}
        if error.body == FIELD_ERRORS:
            # A body that cannot be parsed at all, or a conflict with no field to name, says `{"detail": …}`.
            schema = {"anyOf": [schema, {"$ref": self._error_component(DETAIL)}]}
        response = {"description": error.description, "content": {"application/json": {"schema": schema}}}
        if code == 429:
            response["headers"] = RETRY_AFTER
        return response

    def _error_component(self, name: str) -> str:
        component = ResolvedComponent(name=name, type=ResolvedComponent.SCHEMA, object=name, schema=COMPONENTS[name])
        self.registry.register_on_missing(component)
        return component.ref["$ref"]

    def _is_paginated(self) -> bool:
        return self.method == "GET" and self._is_list_view() and self._get_paginator() is not None

    def _has_format_parameter(self) -> bool:
        return bool(self._get_format_parameters())

    def is_public(self) -> bool:
        """Whether a caller without credentials is served: a view open to all (`public_read` for
        reads, as ModelPermission decides; no permission class or AllowAny, as the token view)."""
        if self.method in permissions.SAFE_METHODS and getattr(self.view, "public_read", False):
            return True
        view_permissions = self.view.get_permissions()
        return not view_permissions or any(isinstance(p, permissions.AllowAny) for p in view_permissions)

    def grants_credentials(self) -> bool:
        """The token endpoint writes nothing the caller named: no conflict can arise."""
        return self.is_public() and self.method == "POST"

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is not None and self.is_public():
            # Stated, not left to a missing `security` (which would inherit any global requirement).
            security = operation.setdefault("security", [])
            if {} not in security:
                security.append({})
        return operation

    def _get_pagination_parameters(self):
        return _empty_allowed(super()._get_pagination_parameters())

    def _get_filter_parameters(self):
        parameters = _empty_allowed(super()._get_filter_parameters())
        filters = self._filterset_filters()
        for parameter in parameters:
            declared = filters.get(parameter["name"])
            extra = getattr(declared, "extra", {})
            schema = parameter["schema"].get("items", parameter["schema"])
            if schema.get("type") == "number" and declared is not None:
                # django-filter's NumberFilter refuses a number beyond ±1e50 (its own validator).
                schema.update(_validator_bounds(declared.field))
            if schema.get("type") != "integer":
                continue
            if isinstance(declared, ModelChoiceFilter | ModelMultipleChoiceFilter):
                schema.update(ID_RANGE)  # a row by its id (one named by code is a string)
            else:
                schema.update(_bounds(extra.get("min_value"), extra.get("max_value")))
        return parameters

    def _filterset_filters(self) -> dict:
        if not self._is_list_view() and getattr(self.view, "action", None) != "export":
            return {}
        for backend in self.view.filter_backends:
            if issubclass(backend, DjangoFilterBackend):
                model = get_view_model(self.view)
                filterset_class = backend().get_filterset_class(self.view, get_manager(model).none())
                return filterset_class.base_filters if filterset_class else {}
        return {}

    def _resolve_path_parameters(self, variables):
        parameters = super()._resolve_path_parameters(variables)
        for parameter in parameters:
            if parameter["schema"].get("type") == "integer":
                parameter["schema"].update(ID_RANGE)
        return parameters

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "request":
            # A write naming a field the serializer does not have is refused (400), not ignored.
            schema["additionalProperties"] = False
        return schema

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.PrimaryKeyRelatedField) and schema.get("type") == "integer":
            schema.update(ID_RANGE)
        if isinstance(field, serializers.DecimalField) and "pattern" in schema and not field.localize:
            # drf-spectacular's pattern makes every digit optional, so "" and "." pass it; DRF needs one.
            whole, places = field.max_whole_digits, field.decimal_places
            schema["pattern"] = rf"^-?(?:\d{{1,{max(whole, 1)}}}(?:\.\d{{0,{places}}})?|\.\d{{1,{places}}})$"
        return schema


def _empty_allowed(parameters: list[dict]) -> list[dict]:
    """A list's filters and page parameters take an empty value as "not given" (`?signed_to=`, as
    the staff pages' filter forms send): the schema says so rather than calling it invalid."""
    for parameter in parameters:
        # A repeatable filter (`stage`) refuses an empty choice: it is not "any" there.
        if parameter["schema"].get("type") != "array":
            parameter["allowEmptyValue"] = True
    return parameters


def _validator_bounds(field) -> dict:
    """The bounds a form field's Min/MaxValueValidators check, as the schema states them."""
    low = next((v.limit_value for v in field.validators if isinstance(v, MinValueValidator)), None)
    high = next((v.limit_value for v in field.validators if isinstance(v, MaxValueValidator)), None)
    return _bounds(None if low is None else float(low), None if high is None else float(high))


def _bounds(low, high) -> dict:
    bounds = {}
    if low is not None:
        bounds["minimum"] = low
    if high is not None:
        bounds["maximum"] = high
    return bounds
