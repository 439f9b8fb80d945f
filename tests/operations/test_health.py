"""/healthz and `manage.py doctor`: each part's state, 200 only when all work, 503 otherwise; and
the heartbeat, through a real broker and worker, writes what they read."""

import datetime
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.utils import timezone

from operations import tasks
from operations.models import Heartbeat
from operations.services import heartbeat_record

from .processes import environment, manage

HEALTHZ = "/healthz"


@pytest.fixture
def reachable_broker(settings, tmp_path):
    """A broker that is up in either pass: the embedded one in a folder of this test, or Redis."""
    if settings.CELERY_BROKER_URL == "filesystem://":
        queue = tmp_path / "queue"
        queue.mkdir()
        options = {**settings.CELERY_BROKER_TRANSPORT_OPTIONS, "data_folder_in": str(queue)}
        settings.CELERY_BROKER_TRANSPORT_OPTIONS = options


def _beat(seconds_ago: int) -> None:
    at = timezone.now() - datetime.timedelta(seconds=seconds_ago)
    heartbeat_record(beat_sent_at=at, worker_seen_at=at)


@pytest.mark.django_db
def test_all_parts_working_answer_200_without_signing_in(client, reachable_broker):
    _beat(seconds_ago=30)
    response = client.get(HEALTHZ)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {name: check["ok"] for name, check in body["checks"].items()} == {
        "database": True,
        "broker": True,
        "worker": True,
        "beat": True,
    }
    assert body["checks"]["worker"]["at"] == Heartbeat.objects.get().worker_seen_at.isoformat()
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_no_heartbeat_yet_is_503(client, reachable_broker):
    response = client.get(HEALTHZ)
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"]["ok"] and checks["broker"]["ok"]
    assert not checks["worker"]["ok"] and not checks["beat"]["ok"]
    assert checks["worker"]["detail"] == "尚无心跳 / no heartbeat yet" and checks["worker"]["at"] is None


@pytest.mark.django_db
def test_a_stale_heartbeat_is_503(client, reachable_broker, settings):
    _beat(seconds_ago=settings.HEALTH_STALE_AFTER + 30)
    response = client.get(HEALTHZ)
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert not body["checks"]["worker"]["ok"] and not body["checks"]["beat"]["ok"]
    assert "stale" in body["checks"]["beat"]["detail"]
    assert body["checks"]["database"]["ok"]


@pytest.mark.django_db
def test_beat_stale_while_the_worker_still_handles_old_messages_is_503(client, reachable_broker, settings):
    now = timezone.now()
    heartbeat_record(beat_sent_at=now - datetime.timedelta(seconds=settings.HEALTH_STALE_AFTER + 1), worker_seen_at=now)
    checks = client.get(HEALTHZ).json()["checks"]
    assert checks["worker"]["ok"] and not checks["beat"]["ok"]


@pytest.mark.django_db
def test_an_unreachable_broker_is_503_and_says_nothing_of_its_address(client, settings):
    _beat(seconds_ago=10)
    settings.CELERY_BROKER_URL = "redis://:secret@127.0.0.1:1/0"  # nothing listens on port 1
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    response = client.get(HEALTHZ)
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == {"ok": False, "detail": "无法连接 / unreachable", "at": None}
    assert "secret" not in response.content.decode() and "127.0.0.1" not in response.content.decode()


@pytest.mark.django_db
def test_the_embedded_broker_without_its_queue_folder_is_down(client, settings, tmp_path):
    _beat(seconds_ago=10)
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(tmp_path / "missing")}
    response = client.get(HEALTHZ)
    assert response.status_code == 503 and not response.json()["checks"]["broker"]["ok"]


@pytest.mark.django_db
def test_the_heartbeat_task_records_what_healthz_reads(client, reachable_broker):
    sent_at = timezone.now() - datetime.timedelta(seconds=20)
    tasks.heartbeat.apply(headers={tasks.SENT_AT_HEADER: sent_at.isoformat()}, throw=True)
    row = Heartbeat.objects.get()
    assert row.beat_sent_at == sent_at and row.worker_seen_at > sent_at
    response = client.get(HEALTHZ)
    assert response.status_code == 200
    assert response.json()["checks"]["beat"]["at"] == sent_at.isoformat()


@pytest.mark.django_db
def test_an_older_heartbeat_handled_late_never_moves_the_times_back():
    _beat(seconds_ago=5)
    newest = Heartbeat.objects.get()
    _beat(seconds_ago=100)
    assert Heartbeat.objects.get().beat_sent_at == newest.beat_sent_at


def test_doctor_prints_one_line_per_part_and_fails_when_the_database_is_down(tmp_path):
    env = environment(DATABASE_URL="postgres://postgres@127.0.0.1:1/investpro", INVESTPRO_VAR_DIR=str(tmp_path))
    result = manage("doctor", env=env, check=False)
    assert result.returncode == 1
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 4
    assert lines[0].startswith("故障 DOWN") and "数据库 database" in lines[0] and "无法连接 / unreachable" in lines[0]
    assert lines[1].startswith("正常 OK") and "消息队列 broker" in lines[1]  # the embedded broker in tmp
    assert "数据库不可用" in lines[2] and "数据库不可用" in lines[3]
    assert result.stderr.strip() == "CommandError: 未通过 / down: database, worker, beat"


def test_a_heartbeat_through_the_broker_and_a_real_worker_makes_doctor_pass(tmp_path):
    """The embedded install in tmp: a heartbeat sent as beat sends it (stamped by the publishing
    process), taken by a real worker off the embedded broker, recorded; doctor then passes."""
    env = environment(INVESTPRO_VAR_DIR=str(tmp_path / "var"), DATABASE_URL=None, REDIS_URL=None)
    manage("migrate", "--no-input", env=env)
    assert manage("doctor", env=env, check=False).returncode == 1  # no heartbeat yet
    manage("shell", "-c", "from operations.tasks import heartbeat; heartbeat.delay()", env=env)
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "investpro", "worker", "--pool=solo", "--without-gossip",
         "--without-mingle", "--without-heartbeat", "--loglevel=WARNING"],
        cwd=settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while (doctor := manage("doctor", env=env, check=False)).returncode != 0 and time.monotonic() < deadline:
            time.sleep(1)
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert [line.split()[0] for line in doctor.stdout.splitlines()] == ["正常"] * 4


@pytest.mark.django_db
def test_beat_sends_a_heartbeat_as_it_starts(client, reachable_broker, eager_celery):
    """Not a minute later, when the schedule's first one is due: /healthz is ok right after start."""
    from celery.signals import beat_init

    beat_init.send(sender=None)
    assert client.get(HEALTHZ).status_code == 200
