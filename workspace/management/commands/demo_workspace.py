"""Make the demo's 工作台 lifelike relative to today, and say how to sign in as a staff member.

The demo year is 2011 (targets.demo); a staff member's workspace is about today: follow-ups due
this week, a few overdue, a few projects left quiet, some recent follow-ups. This command, run by
bin/run after load_demo, creates the demo unit's staff member (a generated password, printed once)
and, through the services, gives the unit's open projects an owner, follow-up dates around today and
recent follow-up records, leaving a few without any for STALE_PROJECT_DAYS days. None of that moves
a figure of the 2011 reports: owners, follow-up dates and activities count in no indicator.

Safe to run again: the user is made once; a follow-up date already right is left alone; a project
that already has a recent follow-up gets no other. Run on a later day, it moves the dates to that day.
"""

import datetime
import secrets

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand
from django.db.models import Max
from django.utils import timezone

from accounts.models import Role, Unit, User
from accounts.services import user_create, user_save
from notifications.services import reminders_send
from projects.models import Project
from projects.services import activity_record, project_save

UNIT_CODE = "kecheng"  # 柯城区, the unit the tests' fixtures use too
USERNAME = "zhangwei"
# Days from today of the follow-ups the demo user owns: three overdue, two today, the rest this
# week or later. The list's length is how many projects the user owns.
FOLLOW_UPS = [-6, -3, -1, 0, 0, 1, 2, 3, 5, 6, 12, 20]
STALE_KEPT = 3  # open projects of the unit left without a recent follow-up
SUMMARIES = [
    ("call", "电话沟通投资意向，对方希望近期来衢实地考察。", "安排来衢考察"),
    ("visit", "上门拜访企业负责人，介绍园区政策和要素保障。", "提交项目初步方案"),
    ("reception", "接待企业考察团，实地查看拟用地块。", "落实用地指标"),
    ("meeting", "与企业及相关部门会商，梳理项目审批事项。", "起草投资协议"),
    ("call", "电话跟进协议条款修改意见。", "约定签约时间"),
]


class Command(BaseCommand):
    help = "演示数据：创建一名招商专员并让其工作台贴近今天（到期、逾期和久未跟进的项目，近期跟进记录）；可重复运行。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--refresh",
            action="store_true",
            help="只在演示账号已存在时（即演示数据库）更新日期；不创建账号。bin/run 每次启动时这样调用。",
        )

    def handle(self, *args, refresh: bool = False, **options):
        unit = Unit.objects.filter(code=UNIT_CODE).first()
        if unit is None:
            self.stdout.write("没有演示数据（柯城区），跳过演示工作台。")
            return
        if refresh and not User.objects.filter(username=USERNAME, unit=unit).exists():
            return  # not the demo's database: leave its data alone
        user = self._user(unit)
        today = timezone.localdate()
        changed = _refresh(unit, user, today)
        sent = reminders_send(today=today)
        self.stdout.write(
            f"演示工作台（{unit.name}）：更新 {changed['projects']} 个项目的跟进日期，"
            f"新增 {changed['activities']} 条跟进记录，{sent.created} 条提醒。"
        )

    def _user(self, unit: Unit) -> User:
        user = User.objects.filter(username=USERNAME).first()
        if user is not None:
            self.stdout.write(
                f"招商专员账号：{USERNAME}（{unit.name}），密码只在创建时显示过一次；"
                f"忘记时可运行 python manage.py changepassword {USERNAME}。"
            )
            return user
        password = _generated_password(User(username=USERNAME, role=Role.STAFF, unit=unit))
        user = user_create(username=USERNAME, role=Role.STAFF, unit_code=unit.code, password=password)
        user = user_save(user=user, first_name="张伟")  # the whole name: get_full_name() then reads 张伟
        self.stdout.write(
            self.style.SUCCESS(
                f"招商专员账号已创建（{unit.name}）— 用户名：{USERNAME}  密码：{password}  登录后首页即其工作台。"
            )
        )
        self.stdout.write("此密码只显示这一次。")
        return user


def _refresh(unit: Unit, user: User, today: datetime.date) -> dict:
    recent_since = today - datetime.timedelta(days=settings.STALE_PROJECT_DAYS)
    open_projects = list(
        Project.objects.filter(unit=unit)
        .exclude(stage__in=[Project.Stage.PRODUCING, Project.Stage.DROPPED])
        .annotate(last_activity=Max("activities__happened_on"))
        .order_by("pk")
    )
    changed = {"projects": 0, "activities": 0}
    owned = open_projects[: len(FOLLOW_UPS)]
    for project, days in zip(owned, FOLLOW_UPS, strict=False):
        due = today + datetime.timedelta(days=days)
        already = project.owner_id == user.pk and project.next_follow_up_on == due
        if not already and _save(project, actor=user, owner=user, next_follow_up_on=due):
            changed["projects"] += 1
    # The others' follow-ups the demo year left in the past are planned again, a fortnight or more
    # ahead: only the demo user's few are overdue.
    for index, project in enumerate(open_projects[len(FOLLOW_UPS) :]):
        if project.next_follow_up_on and project.next_follow_up_on < today:
            due = today + datetime.timedelta(days=14 + (index * 5) % 45)
            if _save(project, actor=user, next_follow_up_on=due):
                changed["projects"] += 1
    # Every open project but the last few gets a recent follow-up, unless it has one already.
    for index, project in enumerate(open_projects[: max(len(open_projects) - STALE_KEPT, 0)]):
        if project.last_activity and project.last_activity >= recent_since:
            continue
        kind, summary, next_action = SUMMARIES[index % len(SUMMARIES)]
        happened = today - datetime.timedelta(days=1 + (index * 3) % 20)
        try:
            activity_record(
                actor=user,
                project=project,
                kind=kind,
                happened_on=happened,
                summary=summary,
                next_action=next_action,
                # Mostly ahead, a few today or just missed (never before the follow-up itself).
                next_action_on=max(happened, today + datetime.timedelta(days=(index * 3) % 25 - 2)),
            )
        except ValidationError:
            continue
        changed["activities"] += 1
    return changed


def _save(project: Project, *, actor: User, **fields) -> bool:
    """A demo project's update; one the model's rules refuse today is left as it is."""
    try:
        project_save(actor=actor, project=Project.objects.get(pk=project.pk), **fields)
    except ValidationError:
        return False
    return True


def _generated_password(user: User) -> str:
    """Random URL-safe characters, as create_admin_account draws them (again if a validator refuses)."""
    while True:
        password = secrets.token_urlsafe(12)
        try:
            password_validation.validate_password(password, user)
        except ValidationError:
            continue
        return password
