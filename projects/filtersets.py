"""The filters of the project and delivery lists, shared by the REST API and the staff pages."""

import django_filters as filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit
from core.filters import BooleanFilter, CodeFilter, FilterSet, IdFilter, IsoTimeFilter, StableOrderingFilter

from .models import CapitalDelivery, Industry, Parcel, Project

# A project at these stages needs no more follow-ups: one due before today is not overdue.
CLOSED_STAGES = [Project.Stage.PRODUCING, Project.Stage.DROPPED]


class ProjectFilterSet(FilterSet):
    # A project has one stage, so OR-ing stages never repeats a row: no DISTINCT needed.
    stage = filters.MultipleChoiceFilter(label=_("阶段"), choices=Project.Stage.choices, distinct=False)
    unit = CodeFilter(label=_("责任单位"), queryset=Unit.objects.all())
    industry = CodeFilter(label=_("产业"), queryset=Industry.objects.all())
    origin = filters.ChoiceFilter(label=_("资金来源"), choices=Project.Origin.choices)
    channel = filters.ChoiceFilter(label=_("引进渠道"), choices=Project.Channel.choices)
    category = filters.ChoiceFilter(label=_("项目类别"), choices=Project.Category.choices)
    # By id, compared in the project row itself (no lookup): an id no chamber or event has matches nothing.
    chamber = IdFilter(label=_("商会"), field_name="chamber_id")
    event = IdFilter(label=_("招商活动"), field_name="event_id")
    mountain_sea = BooleanFilter(label=_("山海协作"))
    returning_merchant = BooleanFilter(label=_("浙商回归"))
    signed_from = filters.DateFilter(label=_("签约日期起"), field_name="signed_on", lookup_expr="gte")
    signed_to = filters.DateFilter(label=_("签约日期止"), field_name="signed_on", lookup_expr="lte")
    min_total_investment = filters.NumberFilter(
        label=_("总投资不低于（万元）"), field_name="total_investment", lookup_expr="gte"
    )
    max_total_investment = filters.NumberFilter(
        label=_("总投资不高于（万元）"), field_name="total_investment", lookup_expr="lte"
    )
    q = filters.CharFilter(label=_("名称或投资方"), method="filter_text")
    confidential = BooleanFilter(label=_("保密"))
    # Due for a follow-up before today and still being worked on (not producing, not dropped).
    overdue = BooleanFilter(label=_("跟进已逾期"), method="filter_overdue")
    ordering = StableOrderingFilter(
        label=_("排序"),
        fields=["signed_on", "signed_amount", "total_investment", "updated_at", "name"],
    )
    # REST clients' incremental sync (the API answers it with cursor pages): projects created or
    # changed at or after this time; a new delivery or activity changes its project (services).
    updated_since = IsoTimeFilter(
        label=_("更新时间不早于"),
        field_name="updated_at",
        lookup_expr="gte",
        help_text=_(
            "ISO 8601 时间：只返回此刻及以后新建或修改的项目（新增、修改、删除到位资金或跟进记录也算修改项目，"
            "累计到位资金是项目的一部分）。答以游标分页，按 (updated_at, id) 升序。"
        ),
    )

    class Meta:
        model = Project
        fields: list[str] = []

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(investor__icontains=value))

    def filter_overdue(self, queryset, name, value):
        overdue = Q(next_follow_up_on__lt=timezone.localdate()) & ~Q(stage__in=CLOSED_STAGES)
        return queryset.filter(overdue if value else ~overdue)


class DeliveryFilterSet(FilterSet):
    # A project may be hidden from the caller: by id, an unknown or hidden one matching nothing alike.
    project = IdFilter(label=_("项目"), field_name="project_id")
    unit = CodeFilter(label=_("责任单位"), queryset=Unit.objects.all(), field_name="project__unit")
    delivered_from = filters.DateFilter(label=_("到位日期起"), field_name="delivered_on", lookup_expr="gte")
    delivered_to = filters.DateFilter(label=_("到位日期止"), field_name="delivered_on", lookup_expr="lte")
    ordering = StableOrderingFilter(label=_("排序"), fields=["delivered_on", "amount"])

    class Meta:
        model = CapitalDelivery
        fields: list[str] = []


class ParcelFilterSet(FilterSet):
    unit = CodeFilter(label=_("所在单位"), queryset=Unit.objects.all())
    status = filters.ChoiceFilter(label=_("状态"), choices=Parcel.Status.choices)
    published = BooleanFilter(label=_("已公开发布"))
    industry = CodeFilter(label=_("适合产业"), queryset=Industry.objects.all(), field_name="industries")
    min_area = filters.NumberFilter(label=_("面积不小于（亩）"), field_name="area_mu", lookup_expr="gte")
    max_area = filters.NumberFilter(label=_("面积不大于（亩）"), field_name="area_mu", lookup_expr="lte")
    # An investor who can invest so much per 亩 asks for the land whose threshold it meets (or that has none).
    max_intensity = filters.NumberFilter(label=_("投资强度门槛不高于（万元/亩）"), method="filter_max_intensity")
    available = BooleanFilter(label=_("仅看可供地"), method="filter_available")

    class Meta:
        model = Parcel
        fields: list[str] = []

    def filter_max_intensity(self, queryset, name, value):
        return queryset.filter(Q(min_investment_intensity__isnull=True) | Q(min_investment_intensity__lte=value))

    def filter_available(self, queryset, name, value):
        available = Q(status=Parcel.Status.AVAILABLE)
        return queryset.filter(available if value else ~available)
