"""Importing the project ledger: preview, errors by row from the models' rules, one transaction,
re-imports that change nothing, and the odd cells of a clerk's spreadsheet."""

import datetime
from decimal import Decimal

import pytest

from ledgers.importing import DUPLICATE_CHECKS, ImportRefused
from projects.models import Project
from tests.factories import ProjectFactory, UnitFactory

from .conftest import PROJECT_HEADERS, confirm, csv_bytes, errors_of, preview_of, xlsx

pytestmark = pytest.mark.django_db

SIGNED_ROW = ["", "年产十万吨新材料项目", "浙江华友钴业股份有限公司", "柯城区", "新材料", "省外", "签约", "60000",
              "50000", "2011-03-05"]  # fmt: skip
LEAD_ROW = ["", "光伏组件项目", "某某光伏有限公司", "柯城区", "", "市外省内", "线索", "8000", "", ""]


def test_preview_writes_nothing_and_confirm_writes_every_row_with_its_audit(staff_user, unit, industry):
    content = xlsx(PROJECT_HEADERS, [SIGNED_ROW, LEAD_ROW])
    preview = preview_of(content, staff_user)
    assert preview.counts == {"create": 2, "update": 0, "unchanged": 0, "error": 0}
    assert Project.objects.count() == 0

    confirm(content, staff_user)
    signed = Project.objects.get(name="年产十万吨新材料项目")
    assert (signed.unit, signed.industry, signed.stage) == (unit, industry, "signed")
    assert signed.signed_amount == Decimal("50000.00") and signed.signed_on == datetime.date(2011, 3, 5)
    assert signed.reference == "QZ-2011-0001"
    history = signed.history.get()
    assert history.history_user == staff_user
    assert history.history_change_reason == "Excel 导入：台账.xlsx"
    assert Project.objects.get(name="光伏组件项目").reference.startswith("QZ-")


def test_the_same_file_twice_changes_nothing_the_second_time(staff_user, unit, industry):
    content = xlsx(PROJECT_HEADERS, [SIGNED_ROW, LEAD_ROW])  # no 项目编号: found again by unit and name
    confirm(content, staff_user)
    before = list(Project.history.values_list("history_id", flat=True))
    preview = confirm(content, staff_user)
    assert preview.counts == {"create": 0, "update": 0, "unchanged": 2, "error": 0}
    assert Project.objects.count() == 2
    assert list(Project.history.values_list("history_id", flat=True)) == before


def test_a_reimport_by_reference_shows_each_change_old_to_new(staff_user, unit, industry):
    project = ProjectFactory(unit=unit, name="旧名称", reference="KC-001", total_investment=Decimal("100"))
    row = ["KC-001", "新名称", "", "柯城区", "", "市外省内", "洽谈", "1.5亿元", "", ""]
    preview = preview_of(xlsx(PROJECT_HEADERS, [row]), staff_user)
    assert preview.counts["update"] == 1
    changes = {column: (old, new) for column, old, new in preview.rows[0]["changes"]}
    assert changes["项目名称"] == ("旧名称", "新名称")
    assert changes["总投资（万元）"] == ("100.00", "15000.00")
    assert changes["阶段"] == ("线索", "洽谈")
    confirm(xlsx(PROJECT_HEADERS, [row]), staff_user)
    project.refresh_from_db()
    assert (project.name, project.total_investment, project.stage) == ("新名称", Decimal("15000.00"), "negotiating")


def test_a_stage_is_never_moved_back(staff_user, unit):
    ProjectFactory(unit=unit, reference="KC-002", signed=True)
    row = ["KC-002", "测试", "", "柯城区", "", "市外省内", "在谈", "100", "", ""]
    assert errors_of(preview_of(xlsx(PROJECT_HEADERS, [row]), staff_user)) == [
        (2, "阶段", "导入不能把项目从“签约”退回“洽谈”。")
    ]


def test_errors_come_from_the_models_rules_with_row_and_column_and_nothing_is_written(staff_user, unit):
    rows = [
        LEAD_ROW,
        ["", "缺签约日期", "", "柯城区", "", "省外", "签约", "100", "100", ""],
        ["", "负数", "", "柯城区", "", "省外", "线索", "-5", "", ""],
        ["", "坏日期", "", "柯城区", "", "省外", "签约", "100", "100", "2011-13-45"],
        ["", "坏产业", "", "柯城区", "不存在", "省外", "线索", "100", "", ""],
    ]
    content = xlsx(PROJECT_HEADERS, rows)
    errors = errors_of(preview_of(content, staff_user))
    assert (3, "签约日期", "签约及以后阶段的项目须填写签约日期。") in errors
    assert (4, "总投资（万元）", "总投资不能为负数。") in errors
    assert any(row == 5 and column == "签约日期" and "不是有效日期" in message for row, column, message in errors)
    assert (6, "产业", "没有名称或编码为“不存在”的产业。") in errors
    with pytest.raises(ImportRefused):
        confirm(content, staff_user)
    assert Project.objects.count() == 0  # the good row was not written either


def test_two_rows_for_the_same_project_are_an_error(staff_user, unit):
    errors = errors_of(preview_of(xlsx(PROJECT_HEADERS, [LEAD_ROW, LEAD_ROW]), staff_user))
    assert errors == [(3, "整行", "与第 2 行是同一个项目，同一项目只能出现一次。")]


def test_staff_import_only_their_own_unit(staff_user, unit):
    UnitFactory(code="qujiang", name="衢江区")
    row = ["", "他单位项目", "", "衢江区", "", "省外", "线索", "100", "", ""]
    assert errors_of(preview_of(xlsx(PROJECT_HEADERS, [row]), staff_user)) == [
        (2, "责任单位", "您只能导入本单位的项目，不能导入“衢江区”的项目。")
    ]


def test_an_admin_imports_for_any_unit_and_rows_without_a_unit_go_to_the_chosen_one(admin_user):
    qujiang = UnitFactory(code="qujiang", name="衢江区")
    row = ["", "衢江项目", "", "", "", "省外", "线索", "100", "", ""]
    confirm(xlsx(PROJECT_HEADERS, [row]), admin_user, unit=qujiang)
    assert Project.objects.get().unit == qujiang


def test_odd_cells_read_as_their_values(staff_user, unit):
    headers = ["项目名称", "责任单位", "阶段", "总投资（万元）", "协议引资额（万元）", "签约日期", "资金来源"]
    rows = [
        ["  项目一\u3000", "柯城区 ", "签约", "1,234.5", "１２３４.５", "2011年3月5日", "省外"],
        ["项目二", "kecheng", "签约", "1.2亿元", "300万元", "2011.3.5", "省外"],
        ["项目三", "柯城区", "签约", 5000, 4000, "2011/3/5", "省外"],
        [None, None, None, None, None, None, None],  # an empty row between the data
        ["项目四", "柯城区", "签约", "100", "100", 40607, "省外"],  # an Excel serial number: 2011-03-05
        ["项目五", "柯城区", "签约", "100", "100", datetime.datetime(2011, 3, 5), "省外"],
        ["项目六", "柯城区", "签约", "100", "100", "2011-3-5", "省外"],
    ]
    confirm(xlsx(headers, rows, title_rows=[["2011年柯城区招商项目台账"]]), staff_user)
    projects = {p.name: p for p in Project.objects.all()}
    assert set(projects) == {"项目一", "项目二", "项目三", "项目四", "项目五", "项目六"}
    assert projects["项目一"].total_investment == Decimal("1234.50")
    assert projects["项目一"].signed_amount == Decimal("1234.50")
    assert projects["项目二"].total_investment == Decimal("12000.00")
    assert projects["项目二"].signed_amount == Decimal("300.00")
    assert {p.signed_on for p in projects.values()} == {datetime.date(2011, 3, 5)}


def test_merged_cells_stand_in_every_cell_they_cover(staff_user, unit):
    headers = ["项目名称", "责任单位", "阶段", "总投资（万元）"]
    rows = [["甲项目", "柯城区", "线索", "100"], ["乙项目", None, "线索", "200"], ["丙项目", None, "线索", "300"]]
    confirm(xlsx(headers, rows, merges=["B2:B4"]), staff_user)
    assert set(Project.objects.values_list("unit__name", flat=True)) == {"柯城区"}
    assert Project.objects.count() == 3


def test_formula_like_text_is_stored_as_text(staff_user, unit):
    headers = ["项目名称", "投资方", "责任单位"]
    confirm(csv_bytes(headers, [["=HYPERLINK(1)", "@SUM(A1)", "柯城区"], ["'+项目", "-1+1", "柯城区"]]), staff_user)
    assert set(Project.objects.values_list("name", "investor")) == {("=HYPERLINK(1)", "@SUM(A1)"), ("+项目", "-1+1")}


def test_new_rows_list_their_duplicate_investor_candidates(staff_user, unit):
    existing = ProjectFactory(unit=unit, name="华友钴业新材料", investor="浙江华友钴业股份有限公司")
    preview = preview_of(xlsx(PROJECT_HEADERS, [SIGNED_ROW]), staff_user)
    assert preview.rows[0]["duplicates"][0][0] == existing.reference


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"hello, this is not a spreadsheet\x00\x01", "无法读取该文件"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "受密码保护"),
        (b"PK\x03\x04 broken zip", "不是有效的 .xlsx"),
        (xlsx(["甲", "乙"], [["1", "2"]]), "找不到列标题行"),
        (xlsx(["投资方", "责任单位"], [["x", "柯城区"]]), "缺少必填列：项目名称"),
        (xlsx(["项目名称", "责任单位", "备用列"], [["x", "柯城区", "y"]]), "无法识别的列：备用列"),
    ],
)
def test_bad_files_are_refused_with_a_reason(staff_user, unit, content, message):
    preview = preview_of(content, staff_user)
    assert message in preview.refused
    assert preview.counts["create"] == 0


def test_the_right_sheet_is_found_among_others(staff_user, unit):
    import io

    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.title = "说明"
    workbook.active.append(["请按模板填写"])
    data = workbook.create_sheet("数据")
    data.append(["项目名称", "责任单位"])
    data.append(["第二张表的项目", "柯城区"])
    out = io.BytesIO()
    workbook.save(out)
    assert preview_of(out.getvalue(), staff_user).counts["create"] == 1


def test_too_many_rows_or_bytes_are_refused(staff_user, unit, monkeypatch):
    from ledgers import reading

    monkeypatch.setattr(reading, "MAX_ROWS", 2)
    content = xlsx(["项目名称", "责任单位"], [["a", "柯城区"], ["b", "柯城区"], ["c", "柯城区"]])
    assert "超过 2 行" in preview_of(content, staff_user).refused
    monkeypatch.setattr(reading, "MAX_BYTES", 100)
    assert "超过 20 MB" in preview_of(content, staff_user).refused


def test_preview_queries_do_not_grow_with_the_rows(staff_user, unit, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(n: int) -> int:
        rows = [[f"项目{i}", "柯城区", "线索", "100"] for i in range(n)]
        content = xlsx(["项目名称", "责任单位", "阶段", "总投资（万元）"], rows)
        with CaptureQueriesContext(connection) as captured:
            preview_of(content, staff_user)
        return len(captured) - min(n, DUPLICATE_CHECKS)  # one duplicate search per new row, for the first few

    assert queries(5) == queries(300)


def test_updates_ask_no_query_per_row(staff_user, unit, industry):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(n: int) -> int:
        Project.objects.all().delete()
        for i in range(n):
            ProjectFactory(unit=unit, industry=industry, reference=f"KC-{i}", name=f"项目{i}", signed=True)
        rows = [[f"KC-{i}", f"项目{i}改", "", "柯城区", "新材料", "省外", "开工", "100", "100", "2011-03-15"]
                for i in range(n)]  # fmt: skip
        content = xlsx(PROJECT_HEADERS, rows)
        with CaptureQueriesContext(connection) as captured:
            preview = confirm(content, staff_user)
        assert preview.counts["update"] == n, errors_of(preview)
        return len(captured)

    # SQLite bounds a statement's parameters, so bulk_update splits 40 rows into a few statements;
    # a query per row would add 37.
    assert queries(40) - queries(3) <= 2
