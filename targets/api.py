"""REST endpoints of indicators, targets and the monthly reports (DESIGN §4)."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import Unit
from core.api import CodeField, ModelRulesSerializer, ModelViewSet, ServiceWritesMixin, StrictInputMixin
from projects.models import Industry, Project

from . import reporting, services
from .filtersets import TargetFilterSet, UnitGroupFilterSet
from .models import (
    FIRST_MONTH,
    FIRST_YEAR,
    LAST_MONTH,
    LAST_YEAR,
    ROW_ORDER,
    Indicator,
    Report,
    ReportRow,
    Target,
    UnitGroup,
    validate_month,
    validate_year,
)

# Requesting a month's report and publishing it are the leaders' work (and the admin role's): one
# permission, the custom `targets.publish_report` of accounts.roles, since computing a month is the
# first step of publishing it.
PUBLISH = "targets.publish_report"


class IndicatorSerializer(ModelRulesSerializer):
    origins = serializers.ListField(child=serializers.ChoiceField(choices=Project.Origin.choices), required=False)
    industries = CodeField(queryset=Industry.objects.all(), many=True, required=False)

    class Meta(ModelRulesSerializer.Meta):
        model = Indicator
        fields = [
            "code", "name", "measure", "basis", "origins", "category", "returning_merchant", "mountain_sea",
            "min_total_investment", "industries", "channel", "position", "active",
        ]  # fmt: skip


class UnitGroupSerializer(ModelRulesSerializer):
    units = CodeField(queryset=Unit.objects.all(), many=True, required=False, help_text="成员单位的编码。")

    class Meta(ModelRulesSerializer.Meta):
        model = UnitGroup
        fields = ["code", "year", "name", "position", "units"]


class TargetSerializer(ModelRulesSerializer):
    indicator = CodeField(queryset=Indicator.objects.all())
    unit = CodeField(queryset=Unit.objects.all(), allow_null=True, required=False)
    group = CodeField(
        queryset=UnitGroup.objects.all(), allow_null=True, required=False,
        help_text="考核大组的编码；单位和大组都为 null 表示全市目标。",
    )

    class Meta(ModelRulesSerializer.Meta):
        model = Target
        fields = ["id", "year", "indicator", "unit", "group", "value"]


class IndicatorViewSet(ServiceWritesMixin, ModelViewSet):
    """Indicators (DESIGN §3), named by code; admins add and change them."""

    object_name = "indicator"
    save_service = staticmethod(services.indicator_save)
    queryset = Indicator.objects.prefetch_related("industries").order_by("position", "code")
    serializer_class = IndicatorSerializer
    lookup_field = "code"
    filterset_fields = ["measure", "active"]


class UnitGroupViewSet(ServiceWritesMixin, ModelViewSet):
    """Assessment groups (大组) of a year with their member units, named by code; admins change them."""

    object_name = "group"
    save_service = staticmethod(services.unit_group_save)
    delete_service = staticmethod(services.unit_group_delete)
    http_method_names = [*ModelViewSet.http_method_names, "delete"]
    queryset = UnitGroup.objects.prefetch_related(
        Prefetch("units", queryset=Unit.objects.order_by("code"))
    ).order_by("-year", "position", "code")
    serializer_class = UnitGroupSerializer
    lookup_field = "code"
    filterset_class = UnitGroupFilterSet


class TargetViewSet(ServiceWritesMixin, ModelViewSet):
    """Yearly targets per indicator, for a unit, an assessment group or (both null) the whole city;
    admins set them."""

    object_name = "target"
    save_service = staticmethod(services.target_save)
    queryset = Target.objects.select_related("indicator", "unit", "group").order_by(
        "-year", "indicator__position", "id"
    )
    serializer_class = TargetSerializer
    filterset_class = TargetFilterSet


class ReportRowSerializer(serializers.ModelSerializer):
    indicator = CodeField(read_only=True)
    unit = CodeField(read_only=True, allow_null=True)  # null for the city and the groups
    group = CodeField(read_only=True, allow_null=True)  # an assessment group's row; both null: the city

    class Meta:
        model = ReportRow
        fields = [
            "indicator", "unit", "group", "month_value", "ytd_value", "target", "completion_pct", "time_progress_pct",
            "pace", "last_year_ytd", "yoy_pct", "rank",
        ]  # fmt: skip
        # The figures are the bureau's official totals (DESIGN §5): every project counts, confidential
        # ones included, whoever reads them; a row names a unit and an indicator, never a project.
        extra_kwargs = {
            "month_value": {"help_text": "当月数；为正式合计，含保密项目（不显示其名称、投资方）。"},
            "ytd_value": {"help_text": "1 月 1 日至当月末累计数；为正式合计，含保密项目（不显示其名称、投资方）。"},
            "last_year_ytd": {"help_text": "上年同期累计数；同样含保密项目。"},
        }


class ReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = Report
        fields = ["id", "year", "month", "status", "error", "queued_at", "computed_at", "published_at"]
        read_only_fields = fields


class ReportDetailSerializer(ReportSerializer):
    rows = ReportRowSerializer(many=True, read_only=True)

    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "rows"]
        read_only_fields = fields


class ReportPreviewSerializer(serializers.Serializer):
    report = serializers.IntegerField()
    rows = ReportRowSerializer(many=True)


class BoundedIntegerField(serializers.IntegerField):
    """An integer checked by a model's validator, its bounds shown in the OpenAPI schema (which reads
    `min_value`/`max_value`; set after DRF's init so that they add no second check of their own)."""

    def __init__(self, *, validator, bounds: tuple[int, int], **kwargs):
        super().__init__(validators=[validator], **kwargs)
        self.min_value, self.max_value = bounds


class ReportRequestSerializer(StrictInputMixin, serializers.Serializer):
    year = BoundedIntegerField(validator=validate_year, bounds=(FIRST_YEAR, LAST_YEAR))
    month = BoundedIntegerField(validator=validate_month, bounds=(FIRST_MONTH, LAST_MONTH))


class ReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Monthly reports: everyone with the role to view them reads; leaders request and publish.

    Report figures are the bureau's official totals and include confidential projects, the same for
    every caller; they name units and indicators, never a project, so no project's identity (name,
    investor) can be read from them."""

    permissions_by_method = {"POST": [PUBLISH]}
    filterset_fields = ["year", "month", "status"]

    @property
    def throttle_scope(self) -> str | None:
        """Requesting and publishing a report start or end a job: they have their own, smaller budget."""
        return "report" if self.action in ("create", "publish") else None

    def get_queryset(self):
        reports = Report.objects.order_by("-year", "-month")
        if self.action == "retrieve":
            rows = ReportRow.objects.select_related("indicator", "unit", "group").order_by(*ROW_ORDER)
            reports = reports.prefetch_related(Prefetch("rows", queryset=rows))
        return reports

    def get_serializer_class(self):
        if self.action == "create":
            return ReportRequestSerializer
        return ReportDetailSerializer if self.action == "retrieve" else ReportSerializer

    @extend_schema(request=ReportRequestSerializer, responses={202: ReportSerializer})
    def create(self, request, *args, **kwargs):
        """Queue the computation of a month: 202 with the report; 409 once that month is published."""
        serializer = ReportRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = services.report_request(actor=request.user, **serializer.validated_data)
        return Response(ReportSerializer(report).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={200: ReportPreviewSerializer})
    @action(detail=True, methods=["get"])
    def preview(self, request, pk=None):
        """What recomputing the month from today's data would give, written nowhere: beside a
        published report's frozen rows it shows the late corrections."""
        report = self.get_object()
        rows = reporting.report_preview(report=report)
        return Response({"report": report.pk, "rows": ReportRowSerializer(rows, many=True).data})

    @extend_schema(request=None, responses={200: ReportSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish a provisional report (leaders): its figures are frozen for ever. 409 unless provisional."""
        report = reporting.report_publish(report=self.get_object(), actor=request.user)
        return Response(ReportSerializer(report).data)
