"""REST endpoints of projects, deliveries, activities, industries and parcels (DESIGN §4)."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied

from accounts.models import Unit
from chambers import api as chambers_api
from chambers.models import Chamber, Contact, Event
from core.api import CodeField, CSVRenderer, ModelRulesSerializer, ModelViewSet, ServiceWritesMixin, XLSXRenderer
from core.compiled_read import CompiledListSerializer, CompiledReadMixin

from . import services
from .exports import DELIVERY_COLUMNS, PROJECT_COLUMNS, export_response
from .filtersets import DeliveryFilterSet, ParcelFilterSet, ProjectFilterSet
from .models import Activity, CapitalDelivery, Industry, Parcel, Project, can_edit_unit
from .selectors import attach_delivered_totals, delivered_total, events_with_signed_totals, project_rows

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
    delivered_total = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)

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


class ProjectViewSet(UnitScopedWritesMixin, ModelViewSet):
    """Projects: every caller sees the projects of §5 (confidential ones only in their unit and by
    leaders); a unit's staff create and change their own unit's projects."""

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

    def get_object(self):
        return attach_delivered_totals([super().get_object()])[0]

    def reread(self, instance: Project) -> Project:
        return attach_delivered_totals([self.get_queryset().get(pk=instance.pk)])[0]

    @EXPORT_SCHEMA
    @action(detail=False, renderer_classes=[CSVRenderer, XLSXRenderer], pagination_class=None, throttle_scope="export")
    def export(self, request, format=None):
        """The filtered list as a file: `?format=csv` (default) or `?format=xlsx`, Chinese headers."""
        projects = self.filter_queryset(self.get_queryset()).annotate(delivered_total=delivered_total())
        return export_response(projects, PROJECT_COLUMNS, file_format=request.accepted_renderer.format, name="projects")


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


class ParcelSerializer(ModelRulesSerializer):
    unit = CodeField(queryset=Unit.objects.all())
    industries = CodeField(queryset=Industry.objects.all(), many=True, required=False)

    class Meta(ModelRulesSerializer.Meta):
        model = Parcel
        fields = [
            "id", "code", "name", "unit", "location", "area_mu", "industries", "requirements",
            "min_investment_intensity", "min_tax_per_mu", "status", "published", "published_on",
        ]  # fmt: skip


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
