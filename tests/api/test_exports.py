"""The project and delivery lists as CSV and XLSX (issue 4 item 6): Chinese headers, a BOM on the CSV
so that Excel reads UTF-8, the list's filters and the caller's visibility."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

PROJECT_EXPORT = reverse("project-export")
DELIVERY_EXPORT = reverse("delivery-export")
PROJECT_HEADERS = [
    "编号", "项目名称", "投资方", "投资方类型", "责任单位", "产业", "项目类别", "资金来源", "浙商回归", "山海协作",
    "引进渠道", "阶段", "总投资（万元）", "协议引资额（万元）", "签约日期", "开工日期", "投产日期", "终止日期",
    "累计到位资金（万元）", "用地（亩）", "下次跟进日期", "项目编号",
]  # fmt: skip
DELIVERY_HEADERS = ["编号", "项目编号", "项目名称", "责任单位", "到位日期", "到位金额（万元）", "说明"]


def content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(response) -> list[list[str]]:
    raw = content(response)
    assert raw.startswith("\ufeff".encode()), raw[:10]
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def xlsx_rows(response) -> list[list]:
    sheet = load_workbook(io.BytesIO(content(response)), read_only=True).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("params", [{}, {"format": "csv"}])
def test_project_csv_has_a_bom_chinese_headers_and_the_visible_rows(params, world, api_as):
    response = api_as("own_staff").get(PROJECT_EXPORT, params)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="projects-')
    assert response["Content-Disposition"].endswith('.csv"')
    rows = csv_rows(response)
    assert rows[0] == PROJECT_HEADERS
    names = {row[1] for row in rows[1:]}
    assert names == {"年产十万吨新材料项目", "保密的柯城项目", "尚在接触的线索", "衢江公开项目"}
    project = next(row for row in rows[1:] if row[0] == str(world.project.pk))
    assert project[4] == "柯城区" and project[5] == "新材料" and project[11] == "签约"
    assert project[12] == "5000.00" and project[14] == "2011-03-15" and project[18] == "300.00"
    assert project[8] == "否"


def test_project_csv_honours_the_filters(world, api_as):
    response = api_as("admin").get(PROJECT_EXPORT, {"format": "csv", "unit": "qujiang", "stage": "signed"})
    assert {row[1] for row in csv_rows(response)[1:]} == {"衢江公开项目", "衢江保密项目"}
    response = api_as("admin").get(PROJECT_EXPORT, {"format": "csv", "q": "线索"})
    assert [row[1] for row in csv_rows(response)[1:]] == ["尚在接触的线索"]


@pytest.mark.parametrize("role", ["reader", "other_staff"])
def test_confidential_rows_are_absent_for_those_who_may_not_see_them(role, world, api_as):
    names = {row[1] for row in csv_rows(api_as(role).get(PROJECT_EXPORT))[1:]}
    assert "保密的柯城项目" not in names
    assert "年产十万吨新材料项目" in names
    deliveries = csv_rows(api_as(role).get(DELIVERY_EXPORT))
    assert world.secret.reference not in {row[1] for row in deliveries[1:]}


def test_project_xlsx_opens_and_has_chinese_headers(world, api_as):
    response = api_as("reader").get(PROJECT_EXPORT, {"format": "xlsx", "stage": "signed"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].endswith('.xlsx"')
    rows = xlsx_rows(response)
    assert rows[0] == PROJECT_HEADERS
    assert {row[1] for row in rows[1:]} == {"年产十万吨新材料项目", "衢江公开项目"}  # no confidential ones


def test_delivery_csv_and_xlsx(world, api_as):
    admin = api_as("admin")
    rows = csv_rows(admin.get(DELIVERY_EXPORT, {"format": "csv", "unit": "kecheng"}))
    assert rows[0] == DELIVERY_HEADERS
    assert {int(row[0]) for row in rows[1:]} == {world.delivery.pk, world.secret_delivery.pk}
    delivery = next(row for row in rows[1:] if row[0] == str(world.delivery.pk))
    assert delivery[2:] == ["年产十万吨新材料项目", "柯城区", "2011-04-01", "300.00", ""]
    sheet = xlsx_rows(admin.get(DELIVERY_EXPORT, {"format": "xlsx", "delivered_from": "2011-04-02"}))
    assert sheet == [DELIVERY_HEADERS]


def test_export_with_a_bad_filter_is_a_json_400(world, api_as):
    response = api_as("admin").get(PROJECT_EXPORT, {"format": "xlsx", "stage": "won"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "stage" in response.json()


@pytest.mark.parametrize("role", ["anon"])
def test_export_needs_a_signed_in_caller(role, world, api_as):
    assert api_as(role).get(PROJECT_EXPORT).status_code == 401
    assert api_as(role).get(DELIVERY_EXPORT).status_code == 401


def test_unknown_export_format_is_refused(world, api_as):
    assert api_as("admin").get(PROJECT_EXPORT, {"format": "pdf"}).status_code == 404
