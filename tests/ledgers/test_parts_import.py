"""Importing capital deliveries and follow-up activities, named by 项目编号; the export round trip."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from ledgers.importing import ImportRefused
from projects.models import Activity, CapitalDelivery, Project
from tests.factories import CapitalDeliveryFactory, ProjectFactory, ReportFactory, UnitFactory

from .conftest import confirm, errors_of, preview_of, xlsx

pytestmark = pytest.mark.django_db

DELIVERY_HEADERS = ["项目编号", "到位日期", "到位金额（万元）", "说明"]
ACTIVITY_HEADERS = ["项目编号", "日期", "方式", "情况摘要", "下一步", "下一步日期"]


@pytest.fixture
def project(unit):
    return ProjectFactory(unit=unit, reference="KC-2011-01", signed=True)


def test_deliveries_are_recorded_once_however_often_the_file_comes(staff_user, project):
    content = xlsx(
        DELIVERY_HEADERS, [["KC-2011-01", "2011-04-01", "1.5亿元", "一期"], ["KC-2011-01", "2011/5/1", "300", ""]]
    )
    assert preview_of(content, staff_user, "deliveries").counts["create"] == 2
    confirm(content, staff_user, "deliveries")
    assert sorted(project.deliveries.values_list("amount", flat=True)) == [Decimal("300.00"), Decimal("15000.00")]
    assert confirm(content, staff_user, "deliveries").counts == {"create": 0, "update": 0, "unchanged": 2, "error": 0}
    assert project.deliveries.count() == 2
    tranche = project.deliveries.get(amount=Decimal("15000.00"))
    assert tranche.history.get().history_user == staff_user


def test_delivery_errors_are_the_models_and_the_files(staff_user, project, unit):
    lead = ProjectFactory(unit=unit, reference="KC-LEAD")
    other = ProjectFactory(unit=UnitFactory(code="qujiang", name="衢江区"), reference="QJ-1", signed=True)
    rows = [
        ["KC-2011-01", "2011-04-01", "100", ""],
        ["KC-2011-01", "2011-04-01", "100", "又一遍"],  # the same tranche twice
        ["KC-2011-01", "2011-01-01", "100", ""],  # before the signing
        ["KC-LEAD", "2011-04-01", "100", ""],  # a lead receives no capital
        [other.reference, "2011-04-01", "100", ""],  # another unit's project
        ["KC-2011-01", "2011-04-02", "0", ""],
    ]
    errors = errors_of(preview_of(xlsx(DELIVERY_HEADERS, rows), staff_user, "deliveries"))
    assert (3, "整行", "与第 2 行是同一笔到位资金（同一项目、日期和金额）。") in errors
    assert (4, "到位日期", "到位日期不能早于项目签约日期（2011-03-15）。") in errors
    assert (5, "项目编号", "只有签约及以后阶段的项目才能登记到位资金。") in errors
    assert (6, "项目编号", "没有您可导入的项目编号“QJ-1”。") in errors
    assert (7, "到位金额（万元）", "到位金额必须大于 0。") in errors
    assert lead.deliveries.count() == 0


def test_a_published_month_needs_the_correction_tick(staff_user, project):
    ReportFactory(year=2011, month=4, status="published", published_at=timezone.now())
    content = xlsx(DELIVERY_HEADERS, [["KC-2011-01", "2011-04-20", "500", "补录"]])
    errors = errors_of(preview_of(content, staff_user, "deliveries"))
    assert errors == [(2, "到位日期", "2011年4月的通报已发布；确需更正该月数据，请勾选“更正已发布月份”后再导入。")]
    with pytest.raises(ImportRefused):
        confirm(content, staff_user, "deliveries")
    confirm(content, staff_user, "deliveries", correct_published=True)
    assert project.deliveries.get().amount == Decimal("500.00")


def test_activities_are_added_once(staff_user, project):
    rows = [["KC-2011-01", "2011-03-20", "上门拜访", "与投资方面谈用地", "报送用地方案", "2011-04-01"]]
    content = xlsx(ACTIVITY_HEADERS, rows)
    confirm(content, staff_user, "activities")
    activity = Activity.objects.get()
    assert (activity.project, activity.kind, activity.created_by) == (project, "visit", staff_user)
    assert confirm(content, staff_user, "activities").counts["unchanged"] == 1
    bad = xlsx(ACTIVITY_HEADERS, [["KC-2011-01", "2011-03-20", "飞鸽传书", "摘要", "", "2011-03-01"]])
    errors = errors_of(preview_of(bad, staff_user, "activities"))
    assert errors[0][:2] == (2, "方式") and "不是可选值" in errors[0][2]


def _export(client, url) -> bytes:
    response = client.get(url, {"format": "xlsx"})
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_an_export_imports_again_unchanged(client, staff_user, unit, project):
    ProjectFactory(unit=unit, name="=恶意公式", investor="@投资方", confidential=True)
    ProjectFactory(unit=unit, name="已终止的项目", stage="dropped", dropped_on=datetime.date(2011, 6, 1))
    CapitalDeliveryFactory(project=project, delivered_on=datetime.date(2011, 5, 1), amount=Decimal("1234.5"))
    client.force_login(staff_user)
    projects_file = _export(client, "/projects/export/")
    sheet = load_workbook(io.BytesIO(projects_file)).active
    assert any(cell.value == "=恶意公式" and cell.data_type == "s" for cell in sheet["B"])  # text, not a formula
    assert confirm(projects_file, staff_user).counts == {"create": 0, "update": 0, "unchanged": 3, "error": 0}
    deliveries_file = _export(client, reverse("delivery-export"))
    preview = confirm(deliveries_file, staff_user, "deliveries")
    assert preview.counts == {"create": 0, "update": 0, "unchanged": 1, "error": 0}
    assert Project.objects.count() == 3 and CapitalDelivery.objects.count() == 1
