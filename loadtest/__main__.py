"""`make loadtest`: prepare the data, serve it with gunicorn, run Locust headless, print the table.

    python -m loadtest [--duration 5m] [--users 100] [--spawn-rate 10] [--projects 100000]

LOAD_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/investpro_load) must name a database
starting with `investpro_load`; it is created and filled once, then reused. LOAD_REDIS_URL (default
redis://127.0.0.1:6379/9) is the server's cache, so its throttles count in Redis as in production.

The server is started as deploy/ starts it (gunicorn, 2 workers × 4 threads, DEBUG off) with the API
throttle budgets raised: 100 simulated users share a handful of accounts and one address, and the
test measures speed, not the budgets. Everything it starts is stopped when it ends.
"""

import argparse
import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from loadtest.database import LoadDatabaseRefused, database_create, require_load_database
from loadtest.machine import MachineWatch

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "var" / "loadtest"
PASSWORD = "load-test-password-2026"  # only ever set on users of an investpro_load… database
UNLIMITED = "1000000/min"
THROTTLE_SCOPES = ("READ", "WRITE", "EXPORT", "REPORT", "ANON", "AUTH")


def main() -> int:
    # SIGTERM (a supervisor, `timeout`) unwinds like Ctrl-C, so that what this started is stopped.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    args = _arguments()
    database_url = os.environ.get("LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/investpro_load")
    redis_url = os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/9")
    try:
        require_load_database(database_url)
    except LoadDatabaseRefused as refusal:
        print(refusal, file=sys.stderr)
        return 2
    if not _port_free(args.port):
        print(f"Port {args.port} is in use: stop what listens there or pass --port.", file=sys.stderr)
        return 2
    _warn_if_busy()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    server_env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url, "DEBUG": "0"}

    started = time.monotonic()
    try:
        accounts_file = _prepare(server_env, projects=args.projects)
    except LoadDatabaseRefused as refusal:
        print(refusal, file=sys.stderr)
        return 2
    print(f"Data ready in {time.monotonic() - started:.0f} s.", flush=True)

    longest_pause = float(args.wait.split("-")[-1])
    server = _gunicorn_start(server_env, port=args.port, keep_alive=int(longest_pause) + 1)
    try:
        _wait_until_serving(server, port=args.port)
        summary_file = OUT_DIR / "summary.md"
        summary_file.unlink(missing_ok=True)
        code = _locust_run(args, accounts_file=accounts_file, summary_file=summary_file)
    finally:
        _stop(server)
    if not summary_file.exists():
        print(f"Locust ended ({code}) without a summary; see its output above.", file=sys.stderr)
        return 1
    print(
        f"\nLoad test: {args.users} users (each waiting {args.wait} s between requests), spawn rate "
        f"{args.spawn_rate:g}/s, {args.duration}; Locust's CSV in {OUT_DIR}/\n"
    )
    print((OUT_DIR / "machine.txt").read_text(encoding="utf-8"))
    print(summary_file.read_text(encoding="utf-8"))
    return 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m loadtest")
    parser.add_argument("--duration", default="5m", help="Locust's --run-time, e.g. 30s or 5m")
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--projects", type=int, default=100_000, help="generated projects beside the demo")
    parser.add_argument("--port", type=int, default=8710)
    parser.add_argument("--wait", default="1-4", help="seconds each user waits between requests, MIN-MAX")
    return parser.parse_args()


def _port_free(port: int) -> bool:
    """Else the readiness check could be answered by whatever already listens there."""
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def _bench_pids() -> list[str]:
    return subprocess.run(["pgrep", "-f", "python -m bench"], capture_output=True, text=True).stdout.split()


def _warn_if_busy() -> None:
    """Another benchmark on the same two cores would halve both results: say so up front."""
    found = _bench_pids()
    if found:
        print(f"Warning: `python -m bench` is running (pids {', '.join(found)}); figures will be low.", flush=True)
    print(f"Load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)


def _prepare(server_env: dict[str, str], *, projects: int) -> Path:
    """The data step, in this process: Django is set up on the load database only."""
    if database_create(server_env["DATABASE_URL"]):
        print("Created the load-test database.", flush=True)
    os.environ.update({key: server_env[key] for key in ("DATABASE_URL", "REDIS_URL", "DEBUG")})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "investpro.settings")
    import django

    django.setup()
    from django.db import connections

    from loadtest.database import load_data_prepare

    print("Preparing the data (the first time: migrate, demo, generated projects, reports, users)…", flush=True)
    accounts = load_data_prepare(projects=projects, password=PASSWORD, today=dt.date.today())
    connections.close_all()
    accounts_file = OUT_DIR / "accounts.json"
    accounts.write(accounts_file)
    return accounts_file


def _gunicorn_start(server_env: dict[str, str], *, port: int, keep_alive: int) -> subprocess.Popen:
    env = {**server_env, "LOG_LEVEL": "WARNING"}
    env.update({f"THROTTLE_{scope}": UNLIMITED for scope in THROTTLE_SCOPES})
    log = open(OUT_DIR / "gunicorn.log", "w")  # noqa: SIM115 (kept open for the server's lifetime)
    # As deploy/ runs it, less the access log. Idle connections are kept longer than a user's longest
    # pause: with gunicorn's default 2 s, a request sent on a connection that the server is closing at
    # that instant is reset (a few per thousand). nginx in front (deploy/nginx) retries those; Locust cannot.
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "investpro.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--threads", "4", "--keep-alive", str(keep_alive), "--no-control-socket"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip


def _wait_until_serving(server: subprocess.Popen, *, port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited ({server.returncode}); see {OUT_DIR / 'gunicorn.log'}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5) as response:
                if response.status == 200:
                    _warm_up(port)
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer on port {port} within {seconds:.0f} s")


def _warm_up(port: int) -> None:
    """A few requests so that both workers have imported their views before the clock starts, as on
    a server that has been up for a while."""
    for _ in range(8):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=30):
            pass


def _locust_run(args: argparse.Namespace, *, accounts_file: Path, summary_file: Path) -> int:
    env = {
        **os.environ,
        "LOADTEST_ACCOUNTS": str(accounts_file),
        "LOADTEST_SUMMARY": str(summary_file),
        "LOADTEST_WAIT": args.wait,
    }
    command = [
        sys.executable, "-m", "locust", "-f", str(ROOT / "loadtest" / "locustfile.py"), "--headless",
        "-u", str(args.users), "-r", str(args.spawn_rate), "-t", args.duration,
        "--host", f"http://127.0.0.1:{args.port}", "--csv", str(OUT_DIR / "locust"), "--only-summary",
        "--stop-timeout", "10",
    ]  # fmt: skip
    print(f"Running Locust: {args.users} users for {args.duration}…", flush=True)
    watch = MachineWatch()
    watch.start()
    try:
        # Locust exits 1 when any request failed: that is a figure of the table, not a failed run.
        return subprocess.run(command, cwd=ROOT, env=env).returncode
    finally:
        watch.done.set()
        watch.join()
        (OUT_DIR / "machine.txt").write_text(watch.describe() + "\n", encoding="utf-8")
        if watch.bench_seconds:
            print(f"Warning: `make bench` ran during about {watch.bench_seconds:.0f} s of the load test.", flush=True)


def _stop(server: subprocess.Popen) -> None:
    """Stop gunicorn's whole process group (the arbiter and its workers) and wait for it."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("Interrupted: the server and Locust are stopped.", file=sys.stderr)
        sys.exit(130)
