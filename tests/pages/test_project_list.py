"""The project list page (项目库): the API's FilterSet as a form, sorting, pages, the totals of the
whole filtered set, confidential projects by role, the export of exactly the filtered set, and a
query count that does not grow with the rows shown."""

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.factories import (
    CapitalDeliveryFactory,
    ChamberFactory,
    IndustryFactory,
    ProjectFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LIST = "/projects/"
EXPORT = "/projects/export/"


@pytest.fixture
def other_unit(db):
    return UnitFactory(code="jiangshan", name="江山市")


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def signed(unit, name, amount, day=dt.date(2025, 3, 15), **fields):
    fields.setdefault("stage", "signed")
    return ProjectFactory(unit=unit, name=name, signed_on=day, signed_amount=Decimal(amount), **fields)


def names(response) -> list[str]:
    """The project names of the table's rows, in order."""
    body = response.content.decode()
    return re.findall(r'<td class="name"[^>]*><a href="/projects/\d+/">([^<]+)</a>', body)


def text(response) -> str:
    return response.content.decode()


# --- Who may open it --------------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(LIST + "?stage=signed")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/projects/")
    assert client.get(EXPORT).status_code == 302


def test_api_reader_gets_the_403_page(client):
    client.force_login(UserFactory(role="api_reader"))
    for url in (LIST, EXPORT + "?format=csv"):
        response = client.get(url)
        assert response.status_code == 403
        assert "接口只读账号" in text(response)


def test_list_shows_columns_and_labels_in_chinese(staff_client, unit, staff_user):
    staff_user.last_name, staff_user.first_name = "王", "小明"
    staff_user.save()
    project = signed(
        unit, "光伏组件项目", "61820", investor="浙江光伏有限公司", owner=staff_user, origin="out_of_province"
    )
    CapitalDeliveryFactory(project=project, amount=Decimal("1234.5"))
    response = staff_client.get(LIST)
    assert response.status_code == 200
    body = text(response)
    for header in ("项目名称", "投资方", "责任单位", "阶段", "资金来源", "总投资（万元）", "协议引资额（万元）",
                   "签约日期", "累计到位（万元）", "负责人", "下次跟进"):  # fmt: skip
        assert header in body
    assert f'href="/projects/{project.pk}/"' in body
    assert "浙江光伏有限公司" in body and "柯城区" in body and "签约" in body and "省外" in body
    assert "王小明" in body and "61,820.00" in body and "1,234.50" in body
    assert "out_of_province" not in body.split("<table")[1]  # labels, not codes, in the table
    ProjectFactory(unit=unit, name="无负责人")
    assert "None" not in text(staff_client.get(LIST, {"q": "无负责人"})).split("<table")[1]


def test_every_filter_has_a_chinese_label(staff_client):
    body = text(staff_client.get(LIST))
    for field, label in [
        ("unit", "责任单位"), ("stage", "阶段"), ("origin", "资金来源"), ("category", "项目类别"),
        ("industry", "产业"), ("channel", "引进渠道"), ("chamber", "商会"), ("signed_from", "签约日期起"),
        ("signed_to", "签约日期止"), ("q", "名称或投资方"), ("confidential", "保密"), ("overdue", "跟进已逾期"),
    ]:  # fmt: skip
        assert f'<label for="id_{field}">{label}</label>' in body
    assert ">筛选</button>" in body and ">清除</a>" in body
    assert "---------" not in body and "未知" not in body


# --- Filters ----------------------------------------------------------------------------------------


def test_unit_and_chamber_are_selects_whose_values_are_the_apis(staff_client, unit, other_unit):
    chamber = ChamberFactory(name="上海浙江商会")
    ProjectFactory(unit=unit, name="柯城项目", chamber=chamber)
    ProjectFactory(unit=other_unit, name="江山项目")
    body = text(staff_client.get(LIST))
    assert '<option value="kecheng">柯城区</option>' in body
    assert f'<option value="{chamber.pk}">上海浙江商会</option>' in body
    response = staff_client.get(LIST, {"unit": "kecheng"})
    assert names(response) == ["柯城项目"]
    assert '<option value="kecheng" selected>柯城区</option>' in text(response)
    assert names(staff_client.get(LIST, {"chamber": chamber.pk})) == ["柯城项目"]


def test_the_filter_selects_show_a_new_or_renamed_chamber_and_unit_at_once(staff_client, unit):
    """The selects' options are kept in the cache between pages; a change to them clears it."""
    assert "宁波衢州商会" not in text(staff_client.get(LIST))
    chamber = ChamberFactory(name="宁波衢州商会")
    unit.name = "柯城区（新）"
    unit.save()

    body = text(staff_client.get(LIST))

    assert f'<option value="{chamber.pk}">宁波衢州商会</option>' in body
    assert '<option value="kecheng">柯城区（新）</option>' in body
    chamber.delete()
    assert "宁波衢州商会" not in text(staff_client.get(LIST))


def test_filters_combine_like_the_api(staff_client, unit, other_unit):
    industry = IndustryFactory(code="pv", name="光伏")
    signed(unit, "甲", "100", origin="local", category="service", channel="event", industry=industry)
    signed(unit, "乙", "100", day=dt.date(2024, 6, 1), origin="local")
    ProjectFactory(unit=unit, name="丙", stage="negotiating", investor="杭州丙投资")
    ProjectFactory(unit=other_unit, name="丁", stage="lead")
    assert sorted(names(staff_client.get(LIST, {"stage": ["signed", "negotiating"]}))) == ["丙", "乙", "甲"]
    assert names(staff_client.get(LIST, {"origin": "local", "category": "service"})) == ["甲"]
    assert names(staff_client.get(LIST, {"channel": "event", "industry": "pv"})) == ["甲"]
    assert names(staff_client.get(LIST, {"signed_from": "2025-01-01", "signed_to": "2025-12-31"})) == ["甲"]
    assert names(staff_client.get(LIST, {"q": "丙投资"})) == ["丙"]
    api = staff_client.get("/api/v1/projects/", {"stage": ["signed", "negotiating"], "unit": "kecheng"})
    page = staff_client.get(LIST, {"stage": ["signed", "negotiating"], "unit": "kecheng"})
    assert sorted(row["name"] for row in api.json()["results"]) == sorted(names(page))


def test_overdue_follow_up_filter(staff_client, unit):
    today = timezone.localdate()
    ProjectFactory(unit=unit, name="逾期", next_follow_up_on=today - dt.timedelta(days=3))
    ProjectFactory(unit=unit, name="今天", next_follow_up_on=today)
    ProjectFactory(unit=unit, name="未定")
    signed(unit, "已投产", "1", stage="producing", started_on=dt.date(2025, 4, 1), producing_on=dt.date(2025, 5, 1),
           next_follow_up_on=today - dt.timedelta(days=3))  # fmt: skip
    response = staff_client.get(LIST, {"overdue": "true"})
    assert names(response) == ["逾期"]
    assert "已逾期" in text(response)
    assert sorted(names(staff_client.get(LIST, {"overdue": "false"}))) == ["今天", "已投产", "未定"]
    api = staff_client.get("/api/v1/projects/", {"overdue": "true"}).json()
    assert [row["name"] for row in api["results"]] == ["逾期"]


def test_confidential_filter_and_visibility_by_role(client, unit, other_unit, staff_user, leader_user):
    ProjectFactory(unit=unit, name="本单位保密", confidential=True)
    ProjectFactory(unit=other_unit, name="他单位保密", confidential=True)
    ProjectFactory(unit=other_unit, name="公开项目")
    client.force_login(staff_user)
    assert sorted(names(client.get(LIST))) == ["公开项目", "本单位保密"]
    assert names(client.get(LIST, {"confidential": "true"})) == ["本单位保密"]
    assert "他单位保密" not in text(client.get(LIST, {"q": "他单位"}))
    client.force_login(UserFactory(role="staff", unit=other_unit))
    assert sorted(names(client.get(LIST))) == ["他单位保密", "公开项目"]
    client.force_login(leader_user)
    assert sorted(names(client.get(LIST, {"confidential": "true"}))) == ["他单位保密", "本单位保密"]


def test_totals_leave_out_what_the_user_may_not_see(client, unit, other_unit, staff_user):
    signed(unit, "公开", "1000")
    hidden = signed(other_unit, "他单位保密", "9000", confidential=True)
    CapitalDeliveryFactory(project=hidden, amount=Decimal("500"))
    client.force_login(staff_user)
    body = text(client.get(LIST))
    assert "共 <strong>1</strong> 个项目" in body
    assert "协议引资额 <strong>0.10</strong> 亿元（1,000.00 万元）" in body
    assert "到位资金 <strong>0.00</strong> 亿元" in body


def test_bad_filter_values_are_shown_beside_their_field_never_a_500(staff_client, unit):
    ProjectFactory(unit=unit, name="甲")
    response = staff_client.get(LIST, {"signed_from": "2025-02-30", "chamber": "abc", "overdue": "perhaps", "q": "甲"})
    assert response.status_code == 200
    body = text(response)
    assert "输入一个有效的日期" in body and "输入整数" in body and "请填写 true 或 false" in body
    assert 'class="field field-signed_from invalid"' in body
    assert 'value="甲"' in body  # what was typed stays
    assert "筛选条件有误" in body and names(response) == []
    bad_sort = staff_client.get(LIST, {"ordering": "investor"})
    assert bad_sort.status_code == 200 and "排序：" in text(bad_sort)


def test_messages_stay_chinese_when_the_browser_asks_for_english(staff_client):
    response = staff_client.get(LIST, {"signed_from": "2025-02-30"}, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    body = text(response)
    assert "输入一个有效的日期" in body and "Enter a valid date" not in body


def test_empty_list_says_so_with_a_clear_link(staff_client, unit):
    ProjectFactory(unit=unit, name="甲")
    body = text(staff_client.get(LIST, {"q": "没有这个"}))
    assert "没有符合条件的项目" in body and '<a href="/projects/">清除筛选</a>' in body


# --- Sorting and pages ------------------------------------------------------------------------------


def test_sortable_columns_toggle_and_keep_the_filters(staff_client, unit):
    signed(unit, "B项目", "300")
    signed(unit, "A项目", "100")
    signed(unit, "C项目", "200")
    ProjectFactory(unit=unit, name="线索")
    response = staff_client.get(LIST, {"stage": "signed", "ordering": "name"})
    assert names(response) == ["A项目", "B项目", "C项目"]
    body = text(response)
    assert 'aria-sort="ascending"' in body and "▲" in body
    assert 'href="/projects/?stage=signed&amp;ordering=-name"' in body  # the other way, same filter
    assert 'href="/projects/?stage=signed&amp;ordering=-signed_amount"' in body
    assert names(staff_client.get(LIST, {"stage": "signed", "ordering": "-signed_amount"})) == [
        "B项目",
        "C项目",
        "A项目",
    ]
    assert names(staff_client.get(LIST, {"stage": "signed", "ordering": "-name"})) == ["C项目", "B项目", "A项目"]


def test_pages_of_fifty_keep_the_filters_and_totals_cover_every_page(staff_client, unit, other_unit):
    for number in range(60):
        project = signed(unit, f"项目{number:02d}", "100")
        if number % 20 == 0:
            CapitalDeliveryFactory(project=project, amount=Decimal("10"))
    signed(other_unit, "别的单位", "5000")
    first = staff_client.get(LIST, {"unit": "kecheng", "ordering": "name"})
    assert names(first) == [f"项目{n:02d}" for n in range(50)]
    body = text(first)
    assert "第 1 / 2 页" in body
    assert 'href="/projects/?unit=kecheng&amp;ordering=name&amp;page=2"' in body
    assert "共 <strong>60</strong> 个项目" in body
    assert "协议引资额 <strong>0.60</strong> 亿元（6,000.00 万元）" in body
    assert "到位资金 <strong>0.00</strong> 亿元（30.00 万元）" in body
    second = staff_client.get(LIST, {"unit": "kecheng", "ordering": "name", "page": 2})
    assert names(second) == [f"项目{n:02d}" for n in range(50, 60)]
    assert "共 <strong>60</strong> 个项目" in text(second)
    assert names(staff_client.get(LIST, {"unit": "kecheng", "ordering": "name", "page": 99})) == names(second)


def test_totals_kept_between_pages_follow_every_write_at_once(staff_client, unit, staff_user):
    """The totals of a filtered set are kept while the user pages; any project or delivery write,
    committed or not yet, makes the next page sum them again."""
    project = signed(unit, "甲", "100")
    staff_client.get(LIST, {"unit": "kecheng"})
    with CaptureQueriesContext(connection) as paging:
        staff_client.get(LIST, {"unit": "kecheng", "page": 2})
    summed = ['COUNT("projects_project"."id")', 'COALESCE(SUM("projects_capitaldelivery"."amount")']
    assert not [q for q in paging.captured_queries if any(total in q["sql"] for total in summed)]

    CapitalDeliveryFactory(project=project, amount=Decimal("40"))
    assert "到位资金 <strong>0.00</strong> 亿元（40.00 万元）" in text(staff_client.get(LIST, {"unit": "kecheng"}))
    signed(unit, "乙", "300")
    assert "共 <strong>2</strong> 个项目" in text(staff_client.get(LIST, {"unit": "kecheng", "page": 3}))
    project.deliveries.all().delete()
    body = text(staff_client.get(LIST, {"unit": "kecheng"}))
    assert "到位资金 <strong>0.00</strong> 亿元（0.00 万元）" in body
    # Another user who may see other projects never reads these totals.
    staff_client.force_login(UserFactory(role="staff", unit=UnitFactory(code="longyou", name="龙游县")))
    assert "共 <strong>2</strong> 个项目" in text(staff_client.get(LIST, {"unit": "kecheng"}))


def test_htmx_request_gets_the_part_it_swaps(staff_client, unit):
    ProjectFactory(unit=unit, name="甲")
    response = staff_client.get(LIST, {"q": "甲"}, HTTP_HX_REQUEST="true")
    body = text(response)
    assert response.status_code == 200 and "<html" not in body
    assert body.lstrip().startswith("{#") is False and 'id="project-list"' in body
    assert names(response) == ["甲"]
    assert "HX-Request" in response["Vary"]
    restore = staff_client.get(LIST, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in text(restore)


def test_new_lead_button_only_for_those_who_may_add(client, staff_user, leader_user):
    try:
        new_url = reverse("projects:new")
    except Exception:  # the lead form is another part of the work
        pytest.skip("projects:new is not routed yet")
    client.force_login(staff_user)
    assert f'href="{new_url}">新建线索</a>' in text(client.get(LIST))
    client.force_login(leader_user)
    assert "新建线索" not in text(client.get(LIST))


# --- Export -----------------------------------------------------------------------------------------


def test_export_links_carry_the_current_filters(staff_client, unit):
    ProjectFactory(unit=unit)
    body = text(staff_client.get(LIST, {"stage": "lead", "q": "光伏", "page": 1}))
    assert 'href="/projects/export/?stage=lead&amp;q=%E5%85%89%E4%BC%8F&amp;format=csv"' in body
    assert 'href="/projects/export/?stage=lead&amp;q=%E5%85%89%E4%BC%8F&amp;format=xlsx"' in body
    assert ">导出 CSV</a>" in body and ">导出 Excel</a>" in body


@pytest.fixture
def export_projects(unit, other_unit):
    wanted = signed(unit, "光伏一期", "1000")
    CapitalDeliveryFactory(project=wanted, amount=Decimal("250"))
    signed(unit, "光伏二期", "2000", confidential=True)
    signed(other_unit, "光伏他单位保密", "3000", confidential=True)
    ProjectFactory(unit=unit, name="纺织线索")
    return wanted


def test_export_csv_is_exactly_the_filtered_visible_set(staff_client, export_projects):
    response = staff_client.get(EXPORT, {"format": "csv", "q": "光伏", "ordering": "name"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["编号", "项目名称", "投资方"]
    assert sorted(row[1] for row in rows[1:]) == ["光伏一期", "光伏二期"]
    first = next(row for row in rows[1:] if row[1] == "光伏一期")
    assert first[rows[0].index("累计到位资金（万元）")] == "250.00"
    assert first[rows[0].index("阶段")] == "签约"


def test_export_xlsx_is_exactly_the_filtered_visible_set(client, leader_user, export_projects):
    client.force_login(leader_user)
    response = client.get(EXPORT, {"format": "xlsx", "q": "光伏", "confidential": "true"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][1] == "项目名称"
    assert sorted(row[1] for row in rows[1:]) == ["光伏二期", "光伏他单位保密"]


def test_export_with_a_bad_filter_shows_the_list_with_the_error(staff_client, export_projects):
    response = staff_client.get(EXPORT, {"format": "csv", "signed_to": "not-a-date"})
    assert response.status_code == 200
    assert "输入一个有效的日期" in text(response)


# --- Queries ----------------------------------------------------------------------------------------


def list_queries(client, query: dict) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST, query)
    assert response.status_code == 200
    return len(queries)


def test_query_count_does_not_grow_with_the_rows(staff_client, unit, staff_user):
    ChamberFactory()
    project = signed(unit, "第一个", "100", owner=staff_user)
    CapitalDeliveryFactory(project=project)
    query = {"unit": "kecheng", "stage": "signed"}
    one = list_queries(staff_client, query)
    for number in range(59):
        project = signed(unit, f"项目{number}", "100", owner=UserFactory(role="staff", unit=unit))
        CapitalDeliveryFactory(project=project)
    ChamberFactory()
    many = list_queries(staff_client, query)
    assert one == many
    assert many <= 14  # session, user, the selects, totals (2), page and its delivered totals, the frame


def test_text_users_typed_is_escaped_in_the_rows_and_the_filter_form(staff_client, staff_user):
    ProjectFactory(unit=staff_user.unit, name="<script>名</script>", investor='"><b>投资</b>')
    UnitFactory(code="xss", name="<i>单位</i>")

    body = staff_client.get(reverse("projects:list") + "?q=%3Cscript%3E").content.decode()

    assert "<script>名" not in body and "&lt;script&gt;名&lt;/script&gt;" in body
    assert "<b>投资</b>" not in body and "&lt;b&gt;投资&lt;/b&gt;" in body
    assert "<i>单位</i>" not in body and "&lt;i&gt;单位&lt;/i&gt;" in body
    assert 'value="&lt;script&gt;"' in body  # the search box keeps what was typed, escaped
