"""How InvestPro runs: `bin/run` (what `make run` starts) prepares the database and hands over to
supervisord on deploy/supervisord.conf. A worker or beat killed with SIGKILL is restarted while the
web server keeps serving; SIGTERM stops everything within 10 seconds. The production systemd units
run the same three commands."""

import configparser
import os
import re
import shlex
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.processes import (
    ROOT,
    VENV_BIN,
    embedded_env,
    free_port,
    kill_session,
    session_pids,
    short_temp_dir,
    start,
    wait_for,
)

PROGRAMS = ("web", "worker", "beat")
SUPERVISOR_CONFIG = ROOT / "deploy" / "supervisord.conf"


def _status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


class Supervised:
    """InvestPro started by bin/run in a temporary var dir, on a free port."""

    def __init__(self, var_dir: Path):
        self.port = free_port()
        self.log = var_dir / "run.log"
        self.env = embedded_env(var_dir, PORT=str(self.port), DEMO="0")
        self.process = start([str(ROOT / "bin" / "run")], self.env, self.log)

    def get(self, path: str) -> int | None:
        return _status(f"http://127.0.0.1:{self.port}{path}")

    def states(self) -> dict[str, tuple[str, int]]:
        """{program: (state, pid)} as supervisorctl reports them."""
        result = subprocess.run(
            [str(VENV_BIN / "supervisorctl"), "-c", str(SUPERVISOR_CONFIG), "status"],
            env=self.env, capture_output=True, text=True, timeout=30,
        )  # fmt: skip
        states = {}
        for line in result.stdout.splitlines():
            match = re.match(r"investpro:(\w+)\s+(\w+)(?:\s+pid (\d+))?", line)
            if match:
                states[match[1]] = (match[2], int(match[3] or 0))
        return states

    def all_running(self) -> dict[str, tuple[str, int]] | None:
        states = self.states()
        return states if [states.get(p, ("", 0))[0] for p in PROGRAMS] == ["RUNNING"] * 3 else None


@pytest.fixture
def supervised():
    with short_temp_dir() as var_dir:
        run = Supervised(var_dir)
        try:
            # Setup (migrate, collectstatic) then the three programs, each up past its startsecs.
            wait_for(lambda: run.process.poll() is not None or run.all_running(), "the three programs", timeout=90)
            assert run.process.poll() is None, "bin/run stopped"
            yield run
        finally:
            kill_session(run.process)
            print(run.log.read_text(errors="replace")[-8000:])  # shown when the test fails


@pytest.mark.processes
def test_a_killed_worker_and_beat_are_restarted_and_sigterm_stops_everything_within_10_seconds(supervised):
    before = supervised.all_running()
    assert supervised.get("/accounts/login/") == 200

    for program in ("worker", "beat"):
        os.kill(before[program][1], signal.SIGKILL)  # the main process
    assert supervised.get("/accounts/login/") == 200  # at once, while they are down

    def restarted():
        states = supervised.all_running()
        return states and all(states[p][1] != before[p][1] for p in ("worker", "beat")) and states

    after = wait_for(restarted, "the worker and beat to be restarted", timeout=45)
    assert after["web"] == before["web"]  # the web server was left alone
    assert supervised.get("/accounts/login/") == 200

    started = time.monotonic()
    supervised.process.send_signal(signal.SIGTERM)
    wait_for(lambda: not session_pids(supervised.process.pid), "every process to stop", timeout=10, interval=0.1)
    elapsed = time.monotonic() - started
    print(f"stopped in {elapsed:.1f} s")

    assert supervised.process.wait(1) == 0
    assert elapsed < 10
    assert supervised.get("/accounts/login/") is None  # nothing listens any more


# --- one description of the processes ------------------------------------------------------------


def _supervised_commands() -> dict[str, list[str]]:
    config = configparser.RawConfigParser()
    config.read(SUPERVISOR_CONFIG)
    assert config.get("group:investpro", "programs").split(",") == list(PROGRAMS)
    # supervisor's %(ENV_PORT)s is systemd's ${PORT}
    commands = {p: re.sub(r"%\(ENV_(\w+)\)s", r"${\1}", config.get(f"program:{p}", "command")) for p in PROGRAMS}
    return {p: shlex.split(command) for p, command in commands.items()}


def _systemd_command(program: str) -> list[str]:
    unit = (ROOT / "deploy" / "systemd" / f"investpro-{program}.service").read_text()
    assert "EnvironmentFile=/etc/investpro/production.env" in unit
    command = shlex.split(re.search(r"^ExecStart=(.+)$", unit, re.MULTILINE)[1])
    return [Path(command[0]).name, *command[1:]]


def test_systemd_units_run_the_same_commands_as_make_run():
    assert {p: _systemd_command(p) for p in PROGRAMS} == _supervised_commands()
