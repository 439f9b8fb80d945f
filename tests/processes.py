"""Helpers for the tests that start InvestPro's real processes (marker `processes`): each runs in a
temporary var dir of its own (SQLite file, embedded broker), in a session of its own, so that every
process it started, children included, can be found and killed when it ends, even on failure."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
T = TypeVar("T")


def embedded_env(var_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of `make run` on the embedded default, in var_dir: no DATABASE_URL or REDIS_URL."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(INVESTPRO_VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="investpro.settings", **extra)
    return env


@contextlib.contextmanager
def short_temp_dir() -> Iterator[Path]:
    """A temporary folder with a short path: supervisord's control socket lives in it, and a Unix
    socket's path may not pass 107 bytes (pytest's tmp_path can)."""
    path = Path(tempfile.mkdtemp(prefix="investpro-"))
    try:
        yield path
    finally:
        subprocess.run(["rm", "-rf", str(path)], check=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition: Callable[[], T], what: str, timeout: float = 60, interval: float = 0.2) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """Start a command from the project's root in a new session, its output in log."""
    with open(log, "ab") as out:
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def session_pids(session: int) -> list[int]:
    """Every live process of a session (its leader's pid), read from /proc: supervisord's children
    each lead a process group of their own, but stay in its session."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            # fields: state, ppid, pgrp, session, ...; a zombie is already dead.
            if int(fields[3]) == session and fields[0] != "Z":
                pids.append(int(stat.parent.name))
    return pids


def kill_session(process: subprocess.Popen) -> None:
    """SIGKILL whatever is left of a session started by `start`, then reap its leader."""
    for pid in session_pids(process.pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(10)
