"""Headless Chromium for the browser tests: one page fixture that records what a page did, and a live
server whose requests the tests can wait for.

Every page records the hosts it requested (the app must work on an intranet), the errors its
scripts logged or threw, and any Content-Security-Policy violation (the policy forbids inline
scripts; a violation means part of a page silently does not work).

Two races made these tests flaky on a busy machine, and both are closed here rather than in each test:
- htmx wires a swapped-in form (its hx-post, its autofocus) only when it settles, 20 ms after the
  swap; a click before that posts the form without htmx. `settle(page)` waits for htmx to finish.
- The live server outlives a test: a request the browser sent just before it closed still runs while
  the next test empties and reloads the database. The page fixture waits, once the browser is
  closed, for the server to have no request left (`LiveServerRequests.wait_idle`).
"""

import contextlib
import select
import threading
import time
from urllib.parse import urlsplit

import pytest

CHROMIUM = "/usr/bin/chromium"  # Debian's package: Playwright cannot download its own browsers here
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--lang=zh-CN",  # as the bureau's own browsers: date inputs read 年/月/日, not the en-US mm/dd/yyyy
]

# Runs in every page before the page's own scripts; Playwright injects it outside the page's policy.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""

# The page is loaded and htmx has nothing under way: no request in flight (htmx-request), no swap
# (htmx-swapping), no new content still to be wired (htmx-added, htmx-settling). A page without
# htmx (the admin, the API docs) is settled once loaded.
HTMX_SETTLED = """() => document.readyState === "complete"
  && !document.querySelector(".htmx-request, .htmx-swapping, .htmx-added, .htmx-settling")"""

IDLE_TIMEOUT = 60  # seconds the server may take to finish the requests of a closed browser


def settle(page) -> None:
    """Wait until htmx has finished what the last action started, as a person waits for a form to
    appear before typing into it. Call it after every click that opens or submits an htmx form."""
    page.wait_for_function(HTMX_SETTLED)


class LiveServerRequests:
    """Counts the live server's open connections, and serializes its requests when they share one
    database connection.

    With SQLite in memory, Django hands the test's own connection to every server thread: two requests
    at once (a form's POST beside an htmx poll) would interleave their transactions on it. Each
    request then runs alone; on PostgreSQL every thread has a connection of its own and requests run
    side by side, as under gunicorn."""

    def __init__(self, server, *, shared_connection: bool):
        self.server = server
        self.open = 0
        self.counted = threading.Lock()
        self.accepting = threading.Lock()  # held from a connection's accept until it is counted
        self.one_at_a_time = threading.Lock() if shared_connection else contextlib.nullcontext()
        self.app = server.get_app()
        server.set_app(self.serve)
        accept, spawn, handle = server._handle_request_noblock, server.process_request, server.process_request_thread
        server._handle_request_noblock = lambda: self._accept(accept)
        server.process_request = lambda request, address: self._spawn(spawn, request, address)
        server.process_request_thread = lambda request, address: self._handle(handle, request, address)

    def _accept(self, accept) -> None:
        with self.accepting:
            accept()

    def _spawn(self, spawn, request, address) -> None:
        """Counted here, in the accepting thread, before the connection's own thread starts."""
        self._count(+1)
        try:
            spawn(request, address)
        except BaseException:
            self._count(-1)
            raise

    def _handle(self, handle, request, address) -> None:
        try:
            handle(request, address)
        finally:
            self._count(-1)

    def _count(self, step: int) -> None:
        with self.counted:
            self.open += step

    def serve(self, environ, start_response):
        """The WSGI app, one request at a time where the connection is shared. The body is read
        within: a streamed export reads the database as it is sent."""
        with self.one_at_a_time:
            response = self.app(environ, start_response)
            try:
                return [b"".join(response)]
            finally:
                if hasattr(response, "close"):
                    response.close()  # request_finished, as the server would send it

    def idle(self) -> bool:
        with self.accepting:  # no connection between its accept and its thread
            waiting = select.select([self.server.socket], [], [], 0)[0]
            return not waiting and self.open == 0

    def wait_idle(self, timeout: float = IDLE_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while not self.idle():
            if time.monotonic() > deadline:
                raise AssertionError(f"the live server still has {self.open} connections after {timeout} s")
            time.sleep(0.02)


@pytest.fixture(scope="session")
def live_server_requests(live_server):
    from django.db import connections

    shared = any(conn.vendor == "sqlite" and conn.is_in_memory_db() for conn in connections.all())
    return LiveServerRequests(live_server.thread.httpd, shared_connection=shared)


@pytest.fixture
def page(live_server, live_server_requests, monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes while a
    # page is open are still plain synchronous calls.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    live_server_requests.wait_idle()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(locale="zh-CN", timezone_id="Asia/Shanghai")
            page.add_init_script(RECORD_VIOLATIONS)
            page.requested_hosts = set()
            page.console_errors = []
            page.page_errors = []
            page.on("request", lambda request: page.requested_hosts.add(urlsplit(request.url).netloc))
            page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
            page.on("pageerror", lambda error: page.page_errors.append(str(error)))
            yield page
        finally:
            browser.close()
            # Before the test's database is emptied: what the browser sent last has finished.
            live_server_requests.wait_idle()


def assert_no_csp_violation(page) -> None:
    assert page.evaluate("window.__cspViolations") == []
    assert [text for text in page.console_errors if "Content Security Policy" in text] == []
    assert page.page_errors == []  # no script stopped half-way
