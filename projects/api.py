"""REST endpoints of projects, deliveries, activities, industries and parcels (DESIGN §4)."""

from django import forms
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.response import Response

from accounts.models import Unit
from chambers import api as chambers_api
from chambers.models import Chamber, Contact, Event
from core.api import (
    CodeField,
    ConditionalReadMixin,
    CSVRenderer,
    ModelRulesSerializer,
    ModelViewSet,
    NDJSONRenderer,
    ServiceWritesMixin,
    XLSXRenderer,
)
from core.compiled_read import CompiledListSerializer, CompiledReadMixin, zone_name
from core.filters import IsoTimeField
from core.schema import DETAIL
from core.sync import sync_horizon

from . import services
from .exports import (
    DELIVERY_COLUMNS,
    PROJECT_COLUMNS,
    export_response,
    file_response,
    ndjson_chunks,
    streamed,
    streamed_text,
)
from .filtersets import DeliveryFilterSet, ParcelFilterSet, ProjectFilterSet
from .models import Activity, CapitalDelivery, Industry, Parcel, Project, can_edit_unit
from .selectors import (
    IncompleteRemovals,
    LandMatch,
    attach_delivered_totals,
    delivered_total,
    events_with_signed_totals,
    land_matches,
    project_rows,
    projects_removed_since,
    removals_incomplete,
)

# An export takes the list's filters and answers with a file (a JSON error body for a bad filter).
EXPORT_SCHEMA = extend_schema(
    filters=True,
    responses={
        (200, CSVRenderer.media_type): OpenApiTypes.BINARY,
        (200, XLSXRenderer.media_type): OpenApiTypes.BINARY,
    },
)


class IndustrySerializer(serializers.ModelSerializer):
    class Meta:
        model = Industry
        fields = ["code", "name"]


class ProjectSerializer(CompiledReadMixin, ModelRulesSerializer):
    unit = CodeField(queryset=Unit.objects.all())
    industry = CodeField(queryset=Industry.objects.all(), required=False, allow_null=True)
    chamber = serializers.PrimaryKeyRelatedField(queryset=Chamber.objects.all(), required=False, allow_null=True)
    event = serializers.PrimaryKeyRelatedField(queryset=Event.objects.all(), required=False, allow_null=True)
    introduced_by = serializers.PrimaryKeyRelatedField(queryset=Contact.objects.all(), required=False, allow_null=True)
    parcel = serializers.PrimaryKeyRelatedField(queryset=Parcel.objects.all(), required=False, allow_null=True)
    delivered_total = serializers.DecimalField(
        max_digits=16,
        decimal_places=2,
        read_only=True,
        help_text="累计到位资金（万元），为项目的一部分：新增、修改或删除到位资金即修改了项目（updated_at 随之更新）。",
    )
    updated_at = serializers.DateTimeField(
        read_only=True,
        help_text="项目最后修改的时间；新增、修改、删除其到位资金或跟进记录也算修改项目。增量同步（updated_since）以此为准。",
    )

    class Meta(ModelRulesSerializer.Meta):
        model = Project
        fields = [
            "id", "reference", "name", "investor", "investor_kind", "unit", "industry", "category", "origin",
            "returning_merchant", "mountain_sea", "channel", "chamber", "event", "introduced_by", "stage",
            "total_investment", "signed_amount", "signed_on", "started_on", "producing_on", "dropped_on",
            "land_area_mu", "parcel", "confidential", "owner", "next_follow_up_on", "notes",
            "delivered_total", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["id", "reference", "delivered_total", "created_at", "updated_at"]
        list_serializer_class = CompiledListSerializer


class UnitScopedWritesMixin(ServiceWritesMixin):
    """Service writes allowed only in the units the caller may change (`can_edit_unit`): the row's
    unit as stored and, when a change moves the row, the unit it moves to.

    `scope_field` names what carries the unit: the row's own `unit`, or its `project`.
    """

    scope_field = "unit"

    def check_write(self, *, instance=None, data=None) -> None:
        scopes = [getattr(instance, self.scope_field)] if instance is not None else []
        if data and self.scope_field in data:
            scopes.append(data[self.scope_field])
        for scope in scopes:
            unit_id = scope.pk if isinstance(scope, Unit) else scope.unit_id
            if not can_edit_unit(self.request.user, unit_id):
                raise PermissionDenied(_("只能新增或修改本单位的项目及其到位资金、跟进记录。"))


class SinceForm(forms.Form):
    since = IsoTimeField()


class FullPullRequired(APIException):
    """410: the removals since the client's mark cannot bring its copy in step; it must do a full pull."""

    status_code = status.HTTP_410_GONE
    default_code = "full_pull_required"


def full_pull_message(reason: IncompleteRemovals) -> str:
    """The 410's words for each reason of removals_incomplete."""
    if reason == IncompleteRemovals.PRUNED:
        why = _("移出记录只保留 %(days)s 天（SYNC_REMOVALS_KEEP_DAYS），since 之后的部分记录已清理") % {
            "days": settings.SYNC_REMOVALS_KEEP_DAYS
        }
    else:
        why = _("您的角色或所属单位在 since 之后已变更，可见的项目随之改变")
    advice = _("请重新全量同步（不带 updated_since 从头遍历列表），以其首页的 Sync-Horizon 为新的起点。")
    return _("%(why)s，无法据此更新本地副本：%(advice)s") % {"why": why, "advice": advice}


REMOVED_SCHEMA = extend_schema(
    parameters=[
        OpenApiParameter(
            "since",
            OpenApiTypes.DATETIME,
            required=True,
            description="ISO 8601 时间，取上一次同步首页响应头 Sync-Horizon 的值。",
        )
    ],
    responses={
        200: inline_serializer(
            "ProjectRemovals",
            {
                "until": serializers.DateTimeField(help_text="此刻的同步水位（与响应头 Sync-Horizon 相同）。"),
                "ids": serializers.ListField(
                    child=serializers.IntegerField(),
                    help_text="自 since 起被删除、转为保密或（保密项目）转到其他单位、调用者现在看不到的项目编号。",
                ),
            },
        ),
        410: OpenApiResponse(
            response={"$ref": f"#/components/schemas/{DETAIL}"},  # `{"detail": …}`, as every other refusal
            description=(
                "The removals since `since` cannot bring the copy in step: the log was pruned after it "
                "(entries are kept SYNC_REMOVALS_KEEP_DAYS days), or the caller's own role or unit changed "
                "after it (the projects it may see changed). Do a full pull (walk the list without "
                "`updated_since`) and keep its first page's Sync-Horizon as the new mark."
            ),
        ),
    },
)


class ProjectViewSet(ConditionalReadMixin, UnitScopedWritesMixin, ModelViewSet):
    """Projects: every caller sees the projects of §5 (confidential ones only in their unit and by
    leaders); a unit's staff create and change their own unit's projects.

    REST clients keep a copy in step with cursor pages on (updated_at, id) (`?cursor=`), changes
    since a time (`?updated_since=`), the ids they can no longer see (`removed/`) and the full list
    streamed (`export/?format=ndjson`). A sync page serves changes up to the sync horizon
    (core.sync), sent as the `Sync-Horizon` header: a write that commits while a client walks lies
    above it and is served by a later page, never skipped. The recipe: walk, keeping the first
    page's Sync-Horizon as the mark; next time walk `updated_since=<mark>`, keeping the new mark,
    then drop the ids of `removed/?since=<old mark>`."""

    cursor_ordering = ("updated_at", "id")
    cursor_parameters = ("updated_since",)

    serializer_class = ProjectSerializer
    filterset_class = ProjectFilterSet
    object_name = "project"
    save_service = staticmethod(services.project_save)
    delete_service = staticmethod(services.project_delete)
    http_method_names = [*ModelViewSet.http_method_names, "delete"]

    def get_queryset(self):
        # select_related costs the count nothing: Django leaves those joins out of COUNT(*).
        return (
            Project.objects.visible_to(self.request.user)
            .select_related("unit", "industry")
            .order_by("-updated_at", "-id")
        )

    def paginate_queryset(self, queryset):
        # A page is read as rows, not model instances: on long lists that is most of the time saved.
        return super().paginate_queryset(project_rows(queryset, self.get_serializer().value_columns()))

    def cursor_ceiling(self):
        """Cursor pages stop at the sync horizon (core.sync): nothing still being written is passed."""
        return "updated_at", sync_horizon()

    def get_object(self):
        return attach_delivered_totals([super().get_object()])[0]

    def reread(self, instance: Project) -> Project:
        return attach_delivered_totals([self.get_queryset().get(pk=instance.pk)])[0]

    @extend_schema(
        filters=True,
        responses={
            (200, CSVRenderer.media_type): OpenApiTypes.BINARY,
            (200, XLSXRenderer.media_type): OpenApiTypes.BINARY,
            (200, NDJSONRenderer.media_type): OpenApiTypes.BINARY,
        },
    )
    @action(
        detail=False,
        renderer_classes=[CSVRenderer, XLSXRenderer, NDJSONRenderer],
        pagination_class=None,
        throttle_scope="export",
    )
    def export(self, request, format=None):
        """The filtered list as a file: `?format=csv` (default) or `?format=xlsx`, Chinese headers; or
        `?format=ndjson`, one project a line as the list shows it, for a full pull. CSV and NDJSON
        stream from a server-side cursor: memory stays flat whatever the number of rows."""
        projects = self.filter_queryset(self.get_queryset()).annotate(delivered_total=delivered_total())
        file_format = request.accepted_renderer.format
        if file_format == "ndjson":
            return file_response(ndjson_chunks(self._represented(projects)), file_format="ndjson", name="projects")
        return export_response(projects, PROJECT_COLUMNS, file_format=file_format, name="projects")

    def _represented(self, projects):
        """Each project as the list shows it (a JSON line), read in chunks from a server-side cursor.

        On PostgreSQL the database writes each line (core.compiled_read's `json_statement`): for a
        full pull of a million projects, making and formatting the Python objects of every value
        took most of the time. Elsewhere (SQLite, or inside a transaction, where a held cursor
        cannot be declared apart), rows are read as values and written by the serializer's compiled
        writer. Both answer what the list answers (tests/api/test_compiled_read.py)."""
        serializer = self.get_serializer()
        zone = timezone.get_current_timezone()
        statement = serializer.json_statement(projects, zone)
        if statement is not None and not connection.in_atomic_block:
            return streamed_text(statement, time_zone=zone_name(zone))
        keys = [*serializer.value_columns(), "delivered_total"]
        write = serializer.json_writer(keys, zone)
        return map(write, streamed(projects.values_list(*keys)))

    @REMOVED_SCHEMA
    @action(detail=False, pagination_class=None, filter_backends=[])
    def removed(self, request):
        """The ids of the projects the caller can no longer see since `since`: deleted, turned
        confidential, or (confidential) moved out of its unit. A client drops them from its copy."""
        form = SinceForm(request.query_params)
        if not form.is_valid():
            raise ValidationError(form.errors)
        since = form.cleaned_data["since"]
        horizon = sync_horizon()
        ids = projects_removed_since(request.user, since)
        if reason := removals_incomplete(request.user, since):
            raise FullPullRequired(full_pull_message(reason))
        return Response({"until": horizon, "ids": ids}, headers={"Sync-Horizon": horizon.isoformat()})

    @extend_schema(responses=None, filters=False)
    @action(detail=True, pagination_class=None, filterset_class=None)
    def parcels(self, request, pk=None):
        """The available ready land for this project (适合地块), fitting parcels first, each rule's verdict."""
        return matches_response(land_matches(user=request.user, project=self.get_object()))


class VisibleProjectField(serializers.PrimaryKeyRelatedField):
    """A project chosen by id among those the caller may see: others are "not found", as in the URL."""

    def get_queryset(self):
        return Project.objects.visible_to(self.context["request"].user)


class DeliverySerializer(CompiledReadMixin, ModelRulesSerializer):
    project = VisibleProjectField()

    class Meta(ModelRulesSerializer.Meta):
        model = CapitalDelivery
        fields = ["id", "project", "delivered_on", "amount", "note"]
        list_serializer_class = CompiledListSerializer


class DeliveryViewSet(UnitScopedWritesMixin, ModelViewSet):
    """Capital deliveries: seen with their project, recorded by those who may change the project."""

    serializer_class = DeliverySerializer
    filterset_class = DeliveryFilterSet
    scope_field = "project"
    object_name = "delivery"
    save_service = staticmethod(services.delivery_save)
    delete_service = staticmethod(services.delivery_delete)
    http_method_names = [*ModelViewSet.http_method_names, "delete"]

    def get_queryset(self):
        return CapitalDelivery.objects.visible_to(self.request.user).order_by("-delivered_on", "-id")

    @EXPORT_SCHEMA
    @action(detail=False, renderer_classes=[CSVRenderer, XLSXRenderer], pagination_class=None, throttle_scope="export")
    def export(self, request, format=None):
        """The filtered deliveries as a file: `?format=csv` (default) or `?format=xlsx`."""
        deliveries = self.filter_queryset(self.get_queryset())
        return export_response(
            deliveries, DELIVERY_COLUMNS, file_format=request.accepted_renderer.format, name="deliveries"
        )


class ActivitySerializer(ModelRulesSerializer):
    project = VisibleProjectField()
    contact = serializers.PrimaryKeyRelatedField(queryset=Contact.objects.all(), required=False, allow_null=True)

    class Meta(ModelRulesSerializer.Meta):
        model = Activity
        fields = ["id", "project", "contact", "kind", "happened_on", "summary", "next_action", "next_action_on"]


class ActivityViewSet(UnitScopedWritesMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """A project's follow-up timeline: entries are added, never rewritten."""

    serializer_class = ActivitySerializer
    scope_field = "project"
    object_name = "activity"
    save_service = staticmethod(services.activity_save)
    filterset_fields = ["project", "kind", "contact"]

    def get_queryset(self):
        return Activity.objects.visible_to(self.request.user).order_by("-happened_on", "-id")


class IndustryViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Industry.objects.order_by("code")
    serializer_class = IndustrySerializer
    lookup_field = "code"  # industries are named by code everywhere in the API; their ids are not shown


class EventSerializer(chambers_api.EventSerializer):
    # The bureau's official totals: confidential projects count too (DESIGN §5); only their identity
    # (name, investor, unit) is protected, and no project is named here.
    signed_count = serializers.IntegerField(
        read_only=True,
        help_text="本活动引进、已签约且未终止的项目数；为局里的正式合计，含保密项目（只计数，不显示其名称、投资方和责任单位）。",
    )
    signed_total = serializers.DecimalField(
        max_digits=16,
        decimal_places=2,
        read_only=True,
        help_text="上述项目的签约额合计（万元）；含保密项目，只合计，不显示其名称、投资方和责任单位。",
    )

    class Meta(chambers_api.EventSerializer.Meta):
        fields = [*chambers_api.EventSerializer.Meta.fields, "signed_count", "signed_total"]


class EventViewSet(chambers_api.EventViewSet):
    """Events (招商活动) with what each brought in: its signed projects, counted and summed.

    The totals are the bureau's official figures and count confidential projects for every caller;
    a confidential project's identity (name, investor, unit) is shown only to who may see it."""

    serializer_class = EventSerializer

    def get_queryset(self):
        return events_with_signed_totals(super().get_queryset())

    def reread(self, instance: Event) -> Event:
        return self.get_queryset().get(pk=instance.pk)  # with its totals


class LandMatchSerializer(serializers.Serializer):
    """One parcel–project pair: does it fit, and each rule's verdict in words (why it fits, or which
    threshold it misses and by how much)."""

    def to_representation(self, match: LandMatch) -> dict:
        return {
            "parcel": {"id": match.parcel.pk, "code": match.parcel.code, "name": match.parcel.name},
            "project": {"id": match.project.pk, "name": match.project.name, "stage": match.project.stage},
            "fits": match.fits,
            "rules": [{"rule": rule.rule, "ok": rule.ok, "text": rule.text} for rule in match.rules],
        }


def matches_response(matches: list[LandMatch]) -> Response:
    return Response(LandMatchSerializer(matches, many=True).data)


@extend_schema_field(OpenApiTypes.INT)
class ReservingProjectField(VisibleProjectField):
    """The project to reserve land for, by id (a project the caller may see)."""


class ParcelReserveSerializer(serializers.Serializer):
    project = ReservingProjectField()


class ParcelReleaseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class ParcelSerializer(ModelRulesSerializer):
    unit = CodeField(queryset=Unit.objects.all())
    industries = CodeField(queryset=Industry.objects.all(), many=True, required=False)

    class Meta(ModelRulesSerializer.Meta):
        model = Parcel
        fields = [
            "id", "code", "name", "unit", "location", "area_mu", "industries", "requirements",
            "min_investment_intensity", "min_tax_per_mu", "status", "published", "published_on",
            "reserved_on", "taken_on", "boundary",
        ]  # fmt: skip
        # The life cycle moves by the reserve and release actions and by the project's signing.
        read_only_fields = ["status", "reserved_on", "taken_on"]


class ParcelViewSet(UnitScopedWritesMixin, ModelViewSet):
    """Ready land: published parcels are public; a unit's staff publish their own unit's land."""

    serializer_class = ParcelSerializer
    public_read = True
    filterset_class = ParcelFilterSet
    object_name = "parcel"
    save_service = staticmethod(services.parcel_save)

    def get_queryset(self):
        return (
            Parcel.objects.visible_to(self.request.user)
            .select_related("unit")
            .prefetch_related("industries")
            .order_by("code")
        )

    @extend_schema(responses=None, filters=False)
    # Not public, unlike the land itself: who wants a parcel is the staff's business.
    @action(detail=True, pagination_class=None, filterset_class=None, public_read=False)
    def matches(self, request, pk=None):
        """The leads and negotiating projects without land that may fit this parcel (意向项目)."""
        return matches_response(land_matches(user=request.user, parcel=self.get_object()))

    @extend_schema(request=ParcelReserveSerializer, responses=ParcelSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def reserve(self, request, pk=None):
        """可供地 → 已意向 for one project (409 when the land or the project is not free)."""
        parcel = self._writable_parcel()
        data = ParcelReserveSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        parcel = services.parcel_reserve(actor=request.user, parcel=parcel, project=data.validated_data["project"])
        return Response(self.get_serializer(self.get_queryset().get(pk=parcel.pk)).data)

    @extend_schema(request=ParcelReleaseSerializer, responses=ParcelSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def release(self, request, pk=None):
        """已意向 → 可供地, with a reason kept in the audit history."""
        parcel = self._writable_parcel()
        data = ParcelReleaseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        parcel = services.parcel_release(actor=request.user, parcel=parcel, reason=data.validated_data["reason"])
        return Response(self.get_serializer(self.get_queryset().get(pk=parcel.pk)).data)

    def _writable_parcel(self) -> Parcel:
        parcel = self.get_object()
        if not self.request.user.has_perm("projects.change_parcel"):
            raise PermissionDenied(_("您的角色没有此操作的权限。"))
        self.check_write(instance=parcel)
        return parcel
