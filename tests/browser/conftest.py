"""Headless Chromium for the browser tests: one page fixture that records what a page did.

Every page records the hosts it requested (the app must work on an intranet), the errors its
scripts logged or threw, and any Content-Security-Policy violation (the policy forbids inline
scripts; a violation means part of a page silently does not work).
"""

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


@pytest.fixture
def page(live_server, monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes while a
    # page is open are still plain synchronous calls.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(locale="zh-CN", timezone_id="Asia/Shanghai")
        page.add_init_script(RECORD_VIOLATIONS)
        page.requested_hosts = set()
        page.console_errors = []
        page.page_errors = []
        page.on("request", lambda request: page.requested_hosts.add(urlsplit(request.url).netloc))
        page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
        page.on("pageerror", lambda error: page.page_errors.append(str(error)))
        yield page
        browser.close()


def assert_no_csp_violation(page) -> None:
    assert page.evaluate("window.__cspViolations") == []
    assert [text for text in page.console_errors if "Content Security Policy" in text] == []
    assert page.page_errors == []  # no script stopped half-way
