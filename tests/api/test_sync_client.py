"""The reference sync client (investpro/sync_example.py) against a live server: a full pull, then
another REST client writes, deletes, turns projects confidential and moves one; the client syncs by
changes and removals, and its copy equals a fresh full pull, for each reading role. Also: a stale
cursor restarts the walk, a pruned removal log or a change of the caller's own unit makes it pull in
full, and the file runs alone on the standard library with clear messages for a bad token or server."""

import json
import shutil
import socket
import subprocess
import sys
import urllib.request
from decimal import Decimal
from pathlib import Path

import pytest

from accounts.services import user_save
from accounts.tokens import token_issue
from investpro import sync_example
from projects import services
from projects.models import Project
from tests.api.helpers import token_client
from tests.api.test_sync import full_pull

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

INCREMENTAL, FULL = "增量同步完成", "全量同步完成"


@pytest.fixture(autouse=True)
def _exact_clock(settings):
    settings.SYNC_CLOCK_MARGIN = 0


@pytest.fixture
def key_of(users):
    """key_of("reader") → a new API token's key for that role's user."""
    return lambda role: token_issue(user=users[role])[1]


def stored_copy(directory: Path) -> dict[int, dict]:
    with open(directory / sync_example.COPY_FILE, encoding="utf-8") as lines:
        return {row["id"]: row for row in map(json.loads, lines)}


def fresh_pull(users, role: str) -> dict[int, dict]:
    """What a client's copy must equal: the list pulled afresh by page numbers (test_sync.full_pull)."""
    return full_pull(token_client(users[role]))


class OtherClient:
    """Another REST client writing over HTTP with its own token (an administrator's)."""

    def __init__(self, base_url: str, key: str):
        self.base_url, self.key = base_url, key

    def send(self, method: str, path: str, body: dict | None = None) -> dict:
        request = urllib.request.Request(
            f"{self.base_url}{path}",
            data=json.dumps(body).encode() if body is not None else None,
            method=method,
            headers={"Authorization": f"Token {self.key}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status in (200, 201, 204)
            content = response.read()
        return json.loads(content) if content else {}


def other_client_writes(other: OtherClient, world) -> None:
    """Create, change, delete, turn confidential, move a confidential project to another unit, turn
    one public, record a tranche: each a removal or a change for some role."""
    projects = sync_example.PROJECTS
    other.send("POST", projects, {"name": "新引进的物流项目", "investor": "顺丰控股", "unit": world.other_unit.code})
    other.send("PATCH", f"{projects}{world.other_project.pk}/", {"notes": "二期已开工"})
    other.send("DELETE", f"{projects}{world.lead.pk}/")
    other.send("PATCH", f"{projects}{world.project.pk}/", {"confidential": True})
    other.send("PATCH", f"{projects}{world.secret.pk}/", {"unit": world.other_unit.code})
    other.send("PATCH", f"{projects}{world.other_secret.pk}/", {"confidential": False})
    other.send(
        "POST", "/api/v1/deliveries/", {"project": world.other_project.pk, "delivered_on": "2011-06-01", "amount": "5"}
    )


@pytest.mark.parametrize("role", ["reader", "leader", "own_staff"])
def test_full_pull_then_changes_and_removals_equal_a_fresh_pull(role, world, users, key_of, live_server, tmp_path):
    key = key_of(role)
    first = sync_example.sync(live_server.url, key, tmp_path / "copy")
    assert first.startswith(FULL)
    assert stored_copy(tmp_path / "copy") == fresh_pull(users, role)
    before = set(stored_copy(tmp_path / "copy"))

    other_client_writes(OtherClient(live_server.url, key_of("admin")), world)
    second = sync_example.sync(live_server.url, key, tmp_path / "copy")

    assert second.startswith(INCREMENTAL), second  # by changes and removals, not by pulling again
    copy = stored_copy(tmp_path / "copy")
    assert copy == fresh_pull(users, role)
    assert world.lead.pk in before and world.lead.pk not in copy  # a removal was applied
    assert copy[world.other_project.pk]["notes"] == "二期已开工"
    assert Decimal(copy[world.other_project.pk]["delivered_total"]) == Decimal("305.00")
    sync_example.sync(live_server.url, key, tmp_path / "afresh")
    assert stored_copy(tmp_path / "afresh") == copy
    # Nothing new: another run changes nothing.
    assert sync_example.sync(live_server.url, key, tmp_path / "copy").startswith(INCREMENTAL)
    assert stored_copy(tmp_path / "copy") == copy


def test_a_refused_cursor_restarts_the_walk(world, users, key_of, live_server, tmp_path, settings, monkeypatch):
    """The server refuses the walk's second page (its cursor is past API_CURSOR_MAX_AGE); the client
    starts the walk again from the first page and ends with the whole list."""
    monkeypatch.setattr(sync_example, "PAGE_SIZE", 2)
    settings.API_CURSOR_MAX_AGE = -1  # every cursor is stale
    refused = []
    real_get = sync_example.Server.get

    def get(server, url):
        try:
            return real_get(server, url)
        except sync_example.StaleCursor:
            refused.append(url)
            settings.API_CURSOR_MAX_AGE = 3600  # the next walk's cursors are fresh
            raise

    monkeypatch.setattr(sync_example.Server, "get", get)
    sync_example.sync(live_server.url, key_of("leader"), tmp_path)
    assert len(refused) == 1 and "cursor=" in refused[0]
    assert stored_copy(tmp_path) == fresh_pull(users, "leader")


def test_cursors_refused_again_and_again_end_in_a_message(world, key_of, live_server, tmp_path, settings, monkeypatch):
    monkeypatch.setattr(sync_example, "PAGE_SIZE", 2)
    settings.API_CURSOR_MAX_AGE = -1
    with pytest.raises(sync_example.SyncError, match="游标连续 3 次被拒绝"):
        sync_example.sync(live_server.url, key_of("leader"), tmp_path)
    assert not (tmp_path / sync_example.COPY_FILE).exists()  # no half copy written


def test_a_pruned_removal_log_makes_the_client_pull_in_full(world, users, key_of, live_server, tmp_path, settings):
    key = key_of("reader")
    sync_example.sync(live_server.url, key, tmp_path)
    other_client_writes(OtherClient(live_server.url, key_of("admin")), world)
    settings.SYNC_REMOVALS_KEEP_DAYS = 0  # the log now starts at this moment, after the client's mark
    services.removals_prune()
    answer = sync_example.sync(live_server.url, key, tmp_path)
    assert answer.startswith(FULL) and "SYNC_REMOVALS_KEEP_DAYS" in answer
    assert stored_copy(tmp_path) == fresh_pull(users, "reader")


def test_a_change_of_the_callers_own_unit_makes_the_client_pull_in_full(world, users, key_of, live_server, tmp_path):
    """A staff member moved to another unit sees that unit's confidential projects and no longer its
    old unit's: neither shows as a change or a removal, so the copy is rebuilt."""
    key = key_of("own_staff")
    sync_example.sync(live_server.url, key, tmp_path)
    assert world.secret.pk in stored_copy(tmp_path) and world.other_secret.pk not in stored_copy(tmp_path)
    user_save(user=users["own_staff"], unit=world.other_unit)

    answer = sync_example.sync(live_server.url, key, tmp_path)
    assert answer.startswith(FULL) and "角色或所属单位" in answer
    copy = stored_copy(tmp_path)
    assert world.other_secret.pk in copy and world.secret.pk not in copy
    assert copy == fresh_pull(users, "own_staff")


def test_a_copy_of_another_token_is_not_patched(world, users, key_of, live_server, tmp_path):
    """A DIR synced with a reader's token, then run with a leader's: the leader's copy is pulled in full."""
    sync_example.sync(live_server.url, key_of("reader"), tmp_path)
    answer = sync_example.sync(live_server.url, key_of("leader"), tmp_path)
    assert answer.startswith(FULL) and stored_copy(tmp_path) == fresh_pull(users, "leader")


# --- The file alone, as a data office runs it ------------------------------------------------------


def run_alone(tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess:
    """The client file copied out of the project and run with `python -S`: no site-packages, so any
    import beyond the standard library would fail."""
    alone = tmp_path / "sync_example.py"
    shutil.copy(sync_example.__file__, alone)
    return subprocess.run(
        [sys.executable, "-S", "-I", str(alone), *arguments], capture_output=True, text=True, timeout=120
    )


def test_the_file_alone_keeps_a_copy_on_the_standard_library(world, users, key_of, live_server, tmp_path):
    copy = tmp_path / "copy"
    result = run_alone(tmp_path, live_server.url, key_of("reader"), str(copy))
    assert result.returncode == 0, result.stderr
    assert FULL in result.stdout
    assert stored_copy(copy) == fresh_pull(users, "reader")
    assert json.loads((copy / sync_example.MARK_FILE).read_text())["mark"]


def test_a_bad_token_is_named(world, live_server, tmp_path):
    result = run_alone(tmp_path, live_server.url, "not-a-token", str(tmp_path / "copy"))
    assert result.returncode == 1
    assert "令牌无效或已过期（401）" in result.stderr and "Traceback" not in result.stderr


def test_an_unreachable_server_is_named(tmp_path):
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    result = run_alone(tmp_path, closed, "any-token", str(tmp_path / "copy"))
    assert result.returncode == 1
    assert f"无法连接服务器 {closed}" in result.stderr and "Traceback" not in result.stderr


def test_a_url_without_scheme_is_a_usage_error(tmp_path):
    result = run_alone(tmp_path, "investpro.example", "any-token", str(tmp_path / "copy"))
    assert result.returncode == 2 and "BASE_URL" in result.stderr


def test_a_copy_left_by_a_crash_is_whole(world, key_of, live_server, tmp_path, monkeypatch):
    """A crash while the copy is written leaves the previous copy and mark as they were, and no
    stray file is taken for the copy."""
    key = key_of("leader")
    sync_example.sync(live_server.url, key, tmp_path)
    before = {name: (tmp_path / name).read_bytes() for name in (sync_example.COPY_FILE, sync_example.MARK_FILE)}
    services.project_save(actor=None, project=Project.objects.get(pk=world.project.pk), notes="崩溃前的修改")
    real_fsync = sync_example.os.fsync

    def crash(descriptor):
        real_fsync(descriptor)
        raise KeyboardInterrupt  # the process stopped after writing, before renaming

    monkeypatch.setattr(sync_example.os, "fsync", crash)
    with pytest.raises(KeyboardInterrupt):
        sync_example.sync(live_server.url, key, tmp_path)
    assert {name: (tmp_path / name).read_bytes() for name in before} == before
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(before)
