"""What every REST endpoint shares: the base viewset, the one write path (ServiceWritesMixin),
serializers that leave the data rules to the models, the translation of domain errors into HTTP
answers, file renderers for exports.

Permissions, pagination and throttling, which DRF's settings name, are in their own modules. The
endpoints themselves live in each app's api.py.
"""

import json
import re
from collections.abc import Callable, Mapping

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import IntegrityError
from django.db.models import Model, ProtectedError
from django.utils.cache import get_conditional_response, set_response_etag
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import renderers, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils import html
from rest_framework.validators import UniqueValidator
from rest_framework.views import exception_handler

from core.errors import ConflictError

NON_FIELD_ERRORS_KEY = api_settings.NON_FIELD_ERRORS_KEY
# Django's codes for a uniqueness violation: the API answers those with 409, not 400.
DUPLICATE_CODES = {"unique", "unique_together", "duplicate"}


class ModelViewSet(viewsets.ModelViewSet):
    """The API's model endpoints: changes are PATCHes (no PUT); DELETE only where a view adds it.
    Writes go through ServiceWritesMixin, which every writing view puts first in its bases."""

    http_method_names = ["get", "post", "patch", "head", "options"]
    # Declared so that an action may set its own budget (@action(throttle_scope="export")).
    throttle_scope: str | None = None


def error_body(error: DjangoValidationError) -> dict:
    """Django's `{field: [messages]}`, with the model-wide errors under DRF's name for them."""
    if not hasattr(error, "error_dict"):
        return {NON_FIELD_ERRORS_KEY: [str(m) for m in error.messages]}
    return {
        (NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field): [str(m) for m in messages]
        for field, messages in error.message_dict.items()
    }


def is_duplicate(error: DjangoValidationError) -> bool:
    codes = (
        {e.code for e in error.error_list}
        if not hasattr(error, "error_dict")
        else {e.code for errors in error.error_dict.values() for e in errors}
    )
    return bool(codes) and codes <= DUPLICATE_CODES


def api_exception_handler(exc, context):
    """Domain errors raised by the model layer and services become 400 or 409, never a 500."""
    if isinstance(exc, DjangoValidationError):
        code = status.HTTP_409_CONFLICT if is_duplicate(exc) else status.HTTP_400_BAD_REQUEST
        return Response(error_body(exc), status=code)
    if isinstance(exc, ConflictError):
        return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, ProtectedError):
        return Response({"detail": _("该记录仍被其他数据引用，不能删除。")}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, IntegrityError):
        # A constraint the database caught in a race that validation could not see.
        return Response({"detail": _("与现有数据冲突，请刷新后重试。")}, status=status.HTTP_409_CONFLICT)
    return exception_handler(exc, context)


class CodeField(serializers.SlugRelatedField):
    """Reference data (units, industries, indicators) is named by its code in the API, never by id."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", **kwargs)


# Sent by the browsable API's HTML forms with the data: not a field of any row.
FORM_ONLY_KEYS = frozenset({"csrfmiddlewaretoken"})


def unknown_fields(serializer: serializers.Serializer, data) -> dict[str, list[str]]:
    """`{name: ["未知字段。"]}` for every key of a write's body that names no field of the serializer.
    Read-only fields are known (a client may send back what it read); only a name the serializer does
    not have at all, a typo such as `signed_ammount`, is refused instead of silently dropped."""
    if not isinstance(data, Mapping):
        return {}  # DRF answers a body that is not an object itself
    unknown = sorted(set(data) - set(serializer.fields) - FORM_ONLY_KEYS)
    return {name: [_("未知字段。")] for name in unknown}


def _is_whole_number(value) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)) or (isinstance(value, float) and value.is_integer())


def _is_text(value) -> bool:
    return isinstance(value, str)


def _is_code(value) -> bool:
    return isinstance(value, str) and value != ""


def _is_boolean(value) -> bool:
    return isinstance(value, bool)


PLAIN_DECIMAL = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)")


def _is_decimal_text(value) -> bool:
    """A decimal in plain notation, as the schema's pattern has it: DRF alone also takes "1e3",
    surrounding spaces, and "" or "  " as null."""
    return isinstance(value, str) and PLAIN_DECIMAL.fullmatch(value) is not None


# What a JSON body must hold for each kind of field, in the OpenAPI schema's types, and what a
# client is told otherwise. DRF's own parsing is lenient where the schema is not: it takes 0 for a
# text (as "0"), 0 or "yes" for a boolean, "5" for an integer or an id, 1.5 or "1e3" for an amount,
# and "" for a relation or an amount (as null). A value the schema calls invalid is refused here, so that what the API
# accepts is what its schema says. The first kind a field is an instance of decides.
JSON_TYPES: list[tuple[type, Callable[[object], bool], str]] = [
    (serializers.BooleanField, _is_boolean, gettext_lazy("请填写 true 或 false。")),
    (serializers.CharField, _is_text, gettext_lazy("请填写字符串。")),
    (serializers.IntegerField, _is_whole_number, gettext_lazy("请填写整数。")),
    (serializers.DecimalField, _is_decimal_text, gettext_lazy('小数请以字符串填写，如 "800.00"。')),
    (serializers.PrimaryKeyRelatedField, _is_whole_number, gettext_lazy("请填写对象的 id（整数）。")),
    (serializers.SlugRelatedField, _is_code, gettext_lazy("请填写编码；没有时填 null。")),
]

NOT_A_LIST = gettext_lazy("请填写列表。")


def _shown_as_string(field: serializers.DecimalField) -> bool:
    return getattr(field, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING)


def _type_error(field: serializers.Field, value) -> str | None:
    """The message for a JSON value of the wrong type for `field`, or None. A null is the field's own
    question (allow_null); a field of many takes a list, each item checked as the field's child."""
    if value is None:
        return None
    if isinstance(field, serializers.ManyRelatedField | serializers.ListField | serializers.MultipleChoiceField):
        if not isinstance(value, list):  # DRF takes an object as the list of its keys
            return str(NOT_A_LIST)
        child = getattr(field, "child_relation", None) or getattr(field, "child", None)
        return next(filter(None, (_type_error(child, item) for item in value)), None) if child else None
    if isinstance(field, serializers.DecimalField) and not _shown_as_string(field):
        return None  # the schema says number there
    for kind, accepts, message in JSON_TYPES:
        if isinstance(field, kind):
            return None if accepts(value) else str(message)
    return None


def wrong_types(serializer: serializers.Serializer, data) -> dict[str, list[str]]:
    """`{name: [message]}` for every value of a JSON body whose type is not its field's (JSON_TYPES).
    A form's values are all strings, parsed by each field as DRF does: the browsable API sends forms."""
    if not isinstance(data, Mapping) or html.is_html_input(data):
        return {}
    errors = {}
    for name, value in data.items():
        field = serializer.fields.get(name)
        message = None if field is None or field.read_only else _type_error(field, value)
        if message:
            errors[name] = [message]
    return errors


class StrictInputMixin:
    """Every write serializer's first base: a body is refused (400 naming each field) when it names a
    field the serializer does not have (`unknown_fields`) or gives a field a value of another type
    than the schema's (`wrong_types`), before any field parses it."""

    def to_internal_value(self, data):
        errors = unknown_fields(self, data) | wrong_types(self, data)
        if errors:
            raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class ModelRulesSerializer(StrictInputMixin, serializers.ModelSerializer):
    """A serializer that only translates: it parses types strictly, refuses fields it does not have
    (400 naming them), and leaves every data rule, uniqueness included, to the model's `full_clean()`
    (so a duplicate answers 409 whichever door it came by)."""

    class Meta:
        validators: list = []

    def build_standard_field(self, field_name, model_field):
        field_class, field_kwargs = super().build_standard_field(field_name, model_field)
        validators = [v for v in field_kwargs.get("validators", []) if not isinstance(v, UniqueValidator)]
        if "validators" in field_kwargs:
            field_kwargs["validators"] = validators
        # DRF turns a model's bound validator into its own min_value/max_value (shown in the schema)
        # with a generic message: keep the model's message, which names the field and its unit.
        for validator in model_field.validators:
            for kind, bound in (("max_value", MaxValueValidator), ("min_value", MinValueValidator)):
                if kind in field_kwargs and isinstance(validator, bound):
                    field_kwargs.setdefault("error_messages", {})[kind] = validator.message
        return field_class, field_kwargs


class FileRenderer(renderers.BaseRenderer):
    """Lets `?format=csv` or `?format=xlsx` through content negotiation for an export view, which
    answers with the file itself; only an error answer (a bad filter, say) is rendered here, as JSON."""

    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None:
            # Say what the body is: a client must not take an error for a spreadsheet.
            response["Content-Type"] = "application/json"
        return json.dumps(data, ensure_ascii=False, default=str).encode()


class CSVRenderer(FileRenderer):
    media_type = "text/csv"
    format = "csv"


class XLSXRenderer(FileRenderer):
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    format = "xlsx"


class NDJSONRenderer(FileRenderer):
    """One JSON object a line (the list's own representation), streamed: for a full pull."""

    media_type = "application/x-ndjson"
    format = "ndjson"


class ConditionalReadMixin:
    """`ETag` on a view's list and detail answers, and 304 without a body for `If-None-Match` when
    it still matches. The validator is a hash of the rendered body (Django's set_response_etag): it
    changes with anything the answer shows (a delivered total, a unit's code, the caller's
    visibility) and costs no query of its own; it saves the transfer and the client's parsing, not
    the server's reading of the page."""

    conditional_actions = ("list", "retrieve")

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        conditional = getattr(self, "action", None) in self.conditional_actions
        if not (conditional and request.method in ("GET", "HEAD") and response.status_code == 200):
            return response
        response.render()
        set_response_etag(response)
        return get_conditional_response(request._request, etag=response.headers["ETag"], response=response)


class ServiceWritesMixin:
    """The API's one way to write: every create, change and delete of a view calls its app's service,
    which validates with the model's rules (`full_clean`), takes the locks the write needs and records
    the actor in the audit history. The admin calls the same services (see accounts.admin).

    A view names them:
    - `save_service(actor=…, <object_name>=row, **data)` writes a new row (an unsaved `Model()`) or
      changes a stored one, and returns it;
    - `delete_service(actor=…, <object_name>=row)`, where the view routes DELETE.

    Whether a caller may write this kind of row at all is the permission class's question (the role's
    model permissions, accounts.permissions). Which rows it may write is `check_write`'s, called
    before every write with the stored row and the new data; by default it allows every row.
    """

    object_name: str
    save_service: Callable[..., Model] | None = None
    delete_service: Callable[..., None] | None = None

    def check_write(self, *, instance: Model | None = None, data: dict | None = None) -> None:
        """Raise PermissionDenied for a row this caller may not write (a row-level rule)."""

    def reread(self, instance: Model) -> Model:
        """The written row as the answer shows it; a view whose answer has computed fields re-reads it."""
        return instance

    def perform_create(self, serializer) -> None:
        self._save(serializer, row=serializer.Meta.model())

    def perform_update(self, serializer) -> None:
        self._save(serializer, row=serializer.instance)

    def perform_destroy(self, instance) -> None:
        self.check_write(instance=instance)
        self.delete_service(actor=self.request.user, **{self.object_name: instance})

    def _save(self, serializer, *, row: Model) -> None:
        data = serializer.validated_data
        self.check_write(instance=row if row.pk is not None else None, data=data)
        saved = self.save_service(actor=self.request.user, **{self.object_name: row}, **data)
        serializer.instance = self.reread(saved)
