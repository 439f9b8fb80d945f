"""The import page: upload, preview, error file, confirm; the template; the shell command; the job on
Celery, and a job whose worker died half-way."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import load_workbook

from ledgers import services
from ledgers.models import ImportJob
from projects.models import Project
from tests.factories import UserFactory

from .conftest import xlsx

pytestmark = pytest.mark.django_db

HEADERS = ["项目名称", "责任单位", "阶段", "总投资（万元）", "签约日期"]
GOOD = [["甲项目", "柯城区", "线索", "100", ""], ["乙项目", "柯城区", "洽谈", "200", ""]]
BAD = [["甲项目", "柯城区", "线索", "100", ""], ["乙项目", "柯城区", "签约", "200", ""]]


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def upload(client, content: bytes, name="台账.xlsx", **data):
    file = SimpleUploadedFile(name, content)
    return client.post(reverse("import:start"), {"kind": "projects", "file": file, **data})


def test_upload_shows_the_preview_and_confirm_writes(staff_client, unit):
    page = staff_client.get(reverse("import:start"))
    assert page.status_code == 200 and "导入台账" in page.content.decode()
    response = upload(staff_client, xlsx(HEADERS, GOOD))
    assert response.status_code == 302
    job = ImportJob.objects.get()
    body = staff_client.get(response["Location"]).content.decode()
    assert "将新建 <strong>2</strong> 行" in body and "确认导入" in body
    assert Project.objects.count() == 0
    staff_client.post(reverse("import:confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "done"
    assert Project.objects.count() == 2
    assert "导入完成" in staff_client.get(reverse("import:job", args=[job.pk])).content.decode()


def test_a_file_with_errors_cannot_be_confirmed_and_comes_back_with_its_errors(staff_client, unit):
    upload(staff_client, xlsx(HEADERS, BAD))
    job = ImportJob.objects.get()
    body = staff_client.get(reverse("import:job", args=[job.pk])).content.decode()
    assert "第 3 行" in body and "签约及以后阶段的项目须填写签约日期。" in body
    assert "确认导入" not in body
    staff_client.post(reverse("import:confirm", args=[job.pk]))
    assert Project.objects.count() == 0
    response = staff_client.get(reverse("import:errors", args=[job.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][-1] == "错误说明"
    assert rows[1][-1] is None and "签约日期：签约及以后阶段的项目须填写签约日期。" in rows[2][-1]
    # Fixed in the spreadsheet and uploaded again, with its 错误说明 column, it imports.
    fixed = xlsx([*rows[0]], [[*rows[1]], ["乙项目", "柯城区", "洽谈", "200", None, rows[2][-1]]])
    upload(staff_client, fixed, name="台账-改.xlsx")
    job = ImportJob.objects.latest("pk")
    assert job.can_confirm, job.preview


def test_bad_upload_answers_400_with_the_reason(staff_client, unit):
    response = upload(staff_client, b"not a spreadsheet", name="台账.pdf")
    assert response.status_code == 400
    assert "请上传 .xlsx 或 .csv 文件" in response.content.decode()
    response = upload(staff_client, b"\x00\x01binary", name="台账.xlsx")
    job = ImportJob.objects.get()
    assert "无法读取该文件" in staff_client.get(reverse("import:job", args=[job.pk])).content.decode()


def test_other_users_cannot_see_or_confirm_a_job(client, staff_user, unit):
    client.force_login(staff_user)
    upload(client, xlsx(HEADERS, GOOD))
    job = ImportJob.objects.get()
    client.force_login(UserFactory(role="staff"))
    assert client.get(reverse("import:job", args=[job.pk])).status_code == 404
    assert client.post(reverse("import:confirm", args=[job.pk])).status_code == 404
    client.force_login(UserFactory(role="leader"))
    assert client.get(reverse("import:start")).status_code == 403
    assert Project.objects.count() == 0


def test_the_nav_links_to_the_import_for_those_who_may_import(client, staff_user, leader_user):
    client.force_login(staff_user)
    assert 'href="/import/"' in client.get(reverse("projects:list")).content.decode()
    client.force_login(leader_user)
    assert 'href="/import/"' not in client.get(reverse("projects:list")).content.decode()


def test_the_template_has_instructions_and_dropdowns(staff_client, unit):
    response = staff_client.get(reverse("import:template", args=["projects"]))
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["填写说明", "项目台账", "选项"]
    sheet = workbook["项目台账"]
    headers = [cell.value for cell in sheet[1]]
    assert headers[:2] == ["项目编号", "项目名称"]
    validated = {str(v.sqref).split(":")[0] for v in sheet.data_validations.dataValidation}
    letters = {headers[i]: chr(ord("A") + i) for i in range(len(headers))}
    for column in ["阶段", "资金来源", "项目类别", "责任单位", "引进渠道", "投资方类型"]:
        assert f"{letters[column]}2" in validated, column
    options = workbook["选项"]
    assert "柯城区" in [cell.value for row in options.iter_rows() for cell in row]


def test_the_command_prints_the_preview_and_fails_on_errors(tmp_path, admin_user, unit, capsys):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx(HEADERS, BAD))
    with pytest.raises(CommandError):
        call_command("import_ledger", str(bad), "--kind", "projects")
    assert "第 3 行 签约日期：签约及以后阶段的项目须填写签约日期。" in capsys.readouterr().out
    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx(HEADERS, GOOD))
    call_command("import_ledger", str(good), "--kind", "projects", "--dry-run")
    assert Project.objects.count() == 0
    call_command("import_ledger", str(good), "--kind", "projects", "--unit", "kecheng")
    assert Project.objects.count() == 2
    assert "导入完成" in capsys.readouterr().out
    call_command("import_ledger", str(good), "--kind", "projects")
    assert "无变化 2 行" in capsys.readouterr().out


def test_a_big_file_runs_as_a_celery_job(
    staff_client, unit, monkeypatch, eager_celery, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "SYNC_MAX_BYTES", 0)
    with django_capture_on_commit_callbacks(execute=True):
        upload(staff_client, xlsx(HEADERS, GOOD))
    job = ImportJob.objects.get()
    assert job.status == "previewed" and job.rows_done == 2
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(reverse("import:confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "done" and Project.objects.count() == 2


def test_the_progress_bar_shows_until_the_job_is_over(staff_client, unit, monkeypatch):
    monkeypatch.setattr(services, "SYNC_MAX_BYTES", 0)
    upload(staff_client, xlsx(HEADERS, GOOD))  # its message is not run: the job stays queued
    job = ImportJob.objects.get()
    assert "<progress" in staff_client.get(reverse("import:job", args=[job.pk])).content.decode()
    response = staff_client.get(reverse("import:progress", args=[job.pk]))
    assert "<progress" in response.content.decode() and "HX-Refresh" not in response
    services.job_check(job_id=job.pk)
    assert staff_client.get(reverse("import:progress", args=[job.pk]))["HX-Refresh"] == "true"


def test_a_worker_killed_while_writing_leaves_nothing_and_the_job_is_redone(staff_user, unit, monkeypatch):
    job = services.job_create(
        user=staff_user, kind="projects", filename="台账.xlsx", content=xlsx(HEADERS, GOOD), unit=None
    )
    services.job_check(job_id=job.pk)
    services.job_request_confirm(job=job, user=staff_user)

    from ledgers import importing

    def killed(*args, **kwargs):
        raise SystemExit("worker killed")  # not an Exception: nothing catches it on the way out

    monkeypatch.setattr(importing.ProjectLedger, "save", killed)
    with pytest.raises(SystemExit):
        services.job_confirm(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "confirming" and Project.objects.count() == 0
    monkeypatch.undo()
    services.job_confirm(job_id=job.pk)  # the message redelivered (acks_late) or sent again by the reconciler
    services.job_confirm(job_id=job.pk)  # and once more: nothing happens twice
    job.refresh_from_db()
    assert job.status == "done" and Project.objects.count() == 2


def test_tidy_removes_files_of_finished_jobs_and_abandons_old_previews(staff_user, unit):
    import datetime

    from django.utils import timezone

    job = services.job_create(
        user=staff_user, kind="projects", filename="a.xlsx", content=xlsx(HEADERS, GOOD), unit=None
    )
    services.job_check(job_id=job.pk)
    later = timezone.now() + datetime.timedelta(days=8)
    assert services.jobs_tidy(now=later) == {"abandoned": 1, "removed": 0}
    assert services.jobs_tidy(now=later + datetime.timedelta(days=2)) == {"abandoned": 0, "removed": 1}
    job.refresh_from_db()
    assert job.status == "abandoned" and bytes(job.content) == b"" and job.file_removed_at
