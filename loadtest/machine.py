"""Where the machine's CPU went during the load test: the server, PostgreSQL, Locust itself, the rest.

The figures of a load test on two shared cores mean little without it: a benchmark or a test suite
running beside it takes cores from the server. Sampled every few seconds with psutil (a dependency
of Locust), per process, so processes that start or end mid-run are counted for the time they ran.
"""

import threading
from collections import Counter
from collections.abc import Callable

import psutil

KINDS = ("gunicorn", "postgres", "redis", "locust", "bench")


def process_kind(name: str, cmdline: list[str]) -> str:
    line = " ".join(cmdline)
    if "gunicorn" in line:
        return "gunicorn"
    if name.startswith("postgres"):
        return "postgres"
    if name.startswith("redis"):
        return "redis"
    if "locust" in line:
        return "locust"
    if "-m bench" in line:
        return "bench"
    return "other"


def _busy_seconds() -> float:
    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0.0)


def _process_seconds() -> dict[int, tuple[str, float]]:
    seconds = {}
    for process in psutil.process_iter(["name", "cmdline", "cpu_times"]):
        info = process.info
        if info["cpu_times"] is None:
            continue
        kind = process_kind(info["name"] or "", info["cmdline"] or [])
        seconds[process.pid] = (kind, info["cpu_times"].user + info["cpu_times"].system)
    return seconds


class MachineWatch(threading.Thread):
    """CPU seconds by kind of process, and whether `make bench` ran, while the load test runs."""

    def __init__(self, every: float = 5.0, sample: Callable[[], dict[int, tuple[str, float]]] = _process_seconds):
        super().__init__(daemon=True)
        self.every = every
        self.sample = sample
        self.cpu = Counter()  # kind -> CPU seconds
        self.busy = 0.0
        self.elapsed = 0.0
        self.bench_seconds = 0.0
        self.done = threading.Event()

    def run(self) -> None:
        previous, busy_before = self.sample(), _busy_seconds()
        while not self.done.wait(self.every):
            current, busy_now = self.sample(), _busy_seconds()
            self.add(previous, current)
            self.busy += busy_now - busy_before
            self.elapsed += self.every
            if any(kind == "bench" for kind, _ in current.values()):
                self.bench_seconds += self.every
            previous, busy_before = current, busy_now

    def add(self, previous: dict[int, tuple[str, float]], current: dict[int, tuple[str, float]]) -> None:
        for pid, (kind, seconds) in current.items():
            before = previous.get(pid)
            self.cpu[kind] += seconds - (before[1] if before and before[0] == kind else 0.0)

    def describe(self) -> str:
        if not self.elapsed:
            return "CPU: run too short to sample."
        cores = psutil.cpu_count() or 1
        shares = [f"{kind} {self.cpu[kind] / self.elapsed:.2f}" for kind in KINDS if self.cpu[kind] >= 0.05]
        other = max(self.busy - sum(self.cpu[kind] for kind in KINDS), 0.0)
        return (
            f"CPU over {self.elapsed:.0f} s, in cores busy of {cores}: all {self.busy / self.elapsed:.2f} = "
            f"{', '.join(shares)}, other processes {other / self.elapsed:.2f}."
        )
