"""The home page `/`: the 工作台 of a staff member, the leaders' page for everyone else."""

import datetime
from decimal import Decimal

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from projects.models import Project
from projects.services import project_create, project_save
from tests.factories import ActivityFactory, ProjectFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def _body(response) -> str:
    return response.content.decode()


def _section(response, name: str) -> str:
    """One section of the 工作台: stages, follow, stale or changes."""
    body = _body(response)
    start = body.index(f'aria-labelledby="h-{name}"')
    return body[start : body.index("</section>", start)]


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_an_api_reader_gets_the_403_page(client):
    client.force_login(UserFactory(role="api_reader"))
    response = client.get("/")
    assert response.status_code == 403
    assert "接口只读账号" in _body(response)


@pytest.mark.parametrize("role", ["leader", "admin"])
def test_leaders_and_admins_keep_the_leaders_page(client, role):
    client.force_login(UserFactory(role=role))
    response = client.get("/")
    assert response.status_code == 200
    assert "全市招商引资指标完成情况" in _body(response)
    assert "工作台" not in response.templates[0].name
    assert response.templates[0].name == "targets/home.html"


def test_staff_see_their_units_projects_by_stage_with_sums(client, staff_user, unit):
    ProjectFactory(unit=unit, total_investment=Decimal("12000"))
    ProjectFactory(unit=unit, total_investment=Decimal("3000.50"))
    ProjectFactory(unit=unit, signed=True, total_investment=Decimal("20000"), signed_amount=Decimal("18000"))
    ProjectFactory(unit=unit, confidential=True, total_investment=Decimal("1"))  # own unit: counted
    ProjectFactory(unit=UnitFactory(), total_investment=Decimal("99999"))  # another unit: not counted
    client.force_login(staff_user)

    response = client.get("/")

    assert response.status_code == 200
    assert response.templates[0].name == "workspace/home.html"
    stages = {row["stage"]: row for row in response.context["stages"]}
    assert [row["label"] for row in response.context["stages"]] == ["线索", "洽谈", "签约", "开工", "投产", "终止"]
    assert (stages["lead"]["count"], stages["lead"]["total"]) == (3, Decimal("15001.50"))
    assert (stages["signed"]["count"], stages["signed"]["signed"]) == (1, Decimal("18000"))
    assert stages["dropped"]["count"] == 0
    body = _body(response)
    stages_section = _section(response, "stages")
    assert "本单位项目" in body and "1.50" in stages_section and "1.80" in stages_section  # 亿元
    assert "10.00" not in stages_section  # another unit's 99,999 万元
    try:
        list_url = reverse("projects:list")
    except NoReverseMatch:
        list_url = ""
    if list_url:
        assert f'href="{list_url}?unit=kecheng&amp;stage=signed"' in body


def test_my_follow_ups_due_overdue_and_this_week(client, staff_user, unit):
    today = timezone.localdate()
    colleague = UserFactory(role="staff", unit=unit)
    ProjectFactory(name="逾期项目", unit=unit, owner=staff_user, next_follow_up_on=today - 4 * DAY)
    ProjectFactory(name="今天项目", unit=unit, owner=staff_user, next_follow_up_on=today)
    ProjectFactory(name="本周项目", unit=unit, owner=staff_user, next_follow_up_on=today + 5 * DAY)
    ProjectFactory(name="下月项目", unit=unit, owner=staff_user, next_follow_up_on=today + 30 * DAY)
    ProjectFactory(name="同事项目", unit=unit, owner=colleague, next_follow_up_on=today)
    ProjectFactory(
        name="终止项目", unit=unit, owner=staff_user, next_follow_up_on=today - DAY, stage="dropped", dropped_on=today
    )
    client.force_login(staff_user)

    response = client.get("/")

    names = [project.name for project in response.context["follow_ups"]]
    assert names == ["逾期项目", "今天项目", "本周项目"]
    assert response.context["follow_up_counts"] == {"overdue": 1, "today": 1, "week": 1}
    section = _section(response, "follow")
    assert "逾期 4 天" in section and "今天项目" in section
    assert "下月项目" not in section and "同事项目" not in section
    if response.context["unit_overdue_url"]:
        assert 'href="/projects/?unit=kecheng&amp;overdue=true"' in section


def test_my_next_actions_due_within_a_week(client, staff_user, unit):
    today = timezone.localdate()
    colleague = UserFactory(role="staff", unit=unit)
    visit = ProjectFactory(name="考察项目", unit=unit)
    ActivityFactory(
        project=visit, created_by=staff_user, happened_on=today - 2 * DAY,
        next_action="安排来衢考察", next_action_on=today + 2 * DAY,
    )  # fmt: skip
    superseded = ProjectFactory(name="已更新项目", unit=unit)
    ActivityFactory(
        project=superseded, created_by=staff_user, happened_on=today - 9 * DAY,
        next_action="旧的下一步", next_action_on=today - DAY,
    )  # fmt: skip
    ActivityFactory(project=superseded, created_by=colleague, happened_on=today - DAY, summary="已回访")
    ActivityFactory(
        project=ProjectFactory(unit=unit), created_by=colleague, happened_on=today,
        next_action="同事的下一步", next_action_on=today,
    )  # fmt: skip
    ActivityFactory(
        project=ProjectFactory(unit=unit), created_by=staff_user, happened_on=today,
        next_action="下月的下一步", next_action_on=today + 20 * DAY,
    )  # fmt: skip
    client.force_login(staff_user)

    response = client.get("/")

    assert [a.next_action for a in response.context["next_actions"]] == ["安排来衢考察"]
    section = _section(response, "follow")
    assert "我记下的下一步" in section and "安排来衢考察" in section and "考察项目" in section
    assert "旧的下一步" not in section and "同事的下一步" not in section


def test_stale_projects_of_the_unit(client, staff_user, unit, settings):
    settings.STALE_PROJECT_DAYS = 30
    today = timezone.localdate()
    quiet = ProjectFactory(name="沉寂项目", unit=unit)
    ActivityFactory(project=quiet, happened_on=today - 40 * DAY)
    busy = ProjectFactory(name="活跃项目", unit=unit)
    ActivityFactory(project=busy, happened_on=today - 40 * DAY)
    ActivityFactory(project=busy, happened_on=today - 3 * DAY)
    new = ProjectFactory(name="新建项目", unit=unit)
    old = ProjectFactory(name="从未跟进项目", unit=unit)
    Project.objects.filter(pk=old.pk).update(created_at=timezone.now() - 60 * DAY)
    elsewhere = ProjectFactory(name="别处项目", unit=UnitFactory())
    ActivityFactory(project=elsewhere, happened_on=today - 40 * DAY)
    client.force_login(staff_user)

    response = client.get("/")

    assert [p.name for p in response.context["stale"]] == ["从未跟进项目", "沉寂项目"]
    assert response.context["stale_count"] == 2
    section = _section(response, "stale")
    assert "30 天以上没有跟进记录，共 2 个" in section
    assert "无跟进记录" in section and "沉寂项目" in section
    assert new.name not in section and busy.name not in section and elsewhere.name not in section


def test_the_latest_changes_say_who_changed_what(client, staff_user, unit):
    staff_user.first_name = "张伟"
    staff_user.save(update_fields=["first_name"])
    project = project_create(
        actor=staff_user,
        name="衢州锂电池项目",
        unit=unit,
        origin="out_of_province",
        category="industrial",
        total_investment=Decimal("50000"),
    )
    project_save(
        actor=staff_user, project=project, stage="negotiating", total_investment=Decimal("60000"), owner=staff_user
    )
    elsewhere = ProjectFactory(unit=UnitFactory())
    project_save(actor=staff_user, project=elsewhere, notes="别处")
    client.force_login(staff_user)

    response = client.get("/")

    changes = response.context["changes"]
    assert [(c["action"], c["name"]) for c in changes] == [("修改", "衢州锂电池项目"), ("新建", "衢州锂电池项目")]
    fields = {field["label"]: (field["old"], field["new"]) for field in changes[0]["fields"]}
    assert fields["阶段"] == ("线索", "洽谈")
    assert fields["总投资（万元）"] == ("50,000.00", "60,000.00")
    assert fields["负责人"] == ("（空）", "张伟")
    body = _body(response)
    assert "最新动态" in body and "阶段：线索 → 洽谈" in body
    assert "张伟" in _section(response, "changes")


def test_empty_sections_say_so_in_chinese(client, staff_user):
    client.force_login(staff_user)
    body = _body(client.get("/"))
    assert "近期没有需要您跟进的项目。" in body
    assert "本单位的在办项目最近都有跟进。" in body
    assert "本单位的项目还没有变动记录。" in body
    try:
        new_url = reverse("projects:new")
    except NoReverseMatch:
        new_url = ""
    if new_url:
        assert f'href="{new_url}"' in body and "新建线索" in body


def _fill(unit, owner, n, today):
    for i in range(n):
        project = ProjectFactory(
            unit=unit,
            next_follow_up_on=today - (i % 3) * DAY,
            confidential=i % 4 == 0,
            **({"signed": True} if i % 2 else {}),
        )
        ActivityFactory(
            project=project, created_by=owner, happened_on=today - 40 * DAY,
            next_action="回访", next_action_on=today - (i % 5) * DAY,
        )  # fmt: skip
        project_save(actor=owner, project=project, notes=f"第{i}次", owner=owner)  # 负责人 named in the change


def test_the_query_count_does_not_grow_with_the_rows(client, staff_user, unit, django_assert_num_queries):
    today = timezone.localdate()
    client.force_login(staff_user)
    _fill(unit, staff_user, 1, today)
    client.get("/")  # warm the session and permission caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert client.get("/").status_code == 200
    _fill(unit, staff_user, 25, today)
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get("/")
    assert len(response.context["follow_ups"]) == 20
    assert len(response.context["changes"]) == 10
    assert len(response.context["next_actions"]) == 10
