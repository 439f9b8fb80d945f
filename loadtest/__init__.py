"""`make loadtest`: Locust against gunicorn on PostgreSQL and Redis, with the demo plus 100,000 projects.

- `loadtest.database`: the database guard and the data step (migrate, demo, extra projects, users).
- `loadtest.locustfile`: the simulated users; it talks HTTP only.
- `loadtest.summary`: the table per kind of request, from Locust's statistics.
- `python -m loadtest`: the runner that prepares the data, starts gunicorn, runs Locust headless and stops both.
"""
