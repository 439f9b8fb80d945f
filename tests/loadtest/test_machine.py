"""Where the CPU went during a load test (loadtest/machine.py)."""

from loadtest.machine import MachineWatch, process_kind


def test_processes_are_told_apart_by_command_line():
    assert process_kind("python", ["python", "-m", "gunicorn", "investpro.wsgi"]) == "gunicorn"
    assert process_kind("postgres", ["postgres: postgres investpro_load 127.0.0.1 idle"]) == "postgres"
    assert process_kind("python", ["python", "-m", "locust", "-f", "loadtest/locustfile.py"]) == "locust"
    assert process_kind("python", [".venv/bin/python", "-m", "bench", "--scale", "full"]) == "bench"
    assert process_kind("python", [".venv/bin/pytest", "-q"]) == "other"


def test_cpu_is_added_per_process_including_those_that_start_midway():
    watch = MachineWatch()
    first = {1: ("gunicorn", 10.0), 2: ("postgres", 3.0)}
    second = {1: ("gunicorn", 14.5), 2: ("postgres", 4.0), 3: ("gunicorn", 1.5)}  # 3: a worker started since

    watch.add(first, second)

    assert watch.cpu["gunicorn"] == 6.0
    assert watch.cpu["postgres"] == 1.0
