"""Browser journeys: Playwright driving Debian's Chromium (/usr/bin/chromium) on a live server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from playwright.sync_api import Error as PlaywrightError

CHROMIUM = "/usr/bin/chromium"
# A 2-core CI machine runs the rest of the suite beside the browser: give pages time to answer.
expect.set_options(timeout=15_000)
AXE = Path(__file__).resolve().parents[2] / "build" / "frontend" / "static" / "axe" / "axe.min.js"
# Chromium must not reach for Google's services: this machine's network is closed.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Browser tests need Debian's Chromium at {CHROMIUM}: apt-get install chromium")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "1")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    # bypass_csp lets the test inject axe-core; the pages' own CSP is tested in test_site.py.
    context = browser.new_context(bypass_csp=True, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def check_accessibility(page: Page) -> None:
    """axe-core on the current page: no serious or critical violation of WCAG 2.2 A/AA.

    A click that follows a link or submits a form returns before the next page has loaded:
    if the page is replaced while axe is injected or running, wait for the new page and run
    it there (the page checked is always the one the journey goes on with).
    """
    for attempt in range(3):
        page.wait_for_load_state("load")
        try:
            page.add_script_tag(path=str(AXE))
            result = page.evaluate(
                """async () => await axe.run(document, {runOnly: {type: 'tag',
                     values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})"""
            )
            break
        except PlaywrightError as error:
            replaced = ("appendChild", "Execution context was destroyed", "axe is not defined")
            if attempt == 2 or not any(word in str(error) for word in replaced):
                raise
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], f"{page.url}: " + "; ".join(serious)


def tab_to(page: Page, name: str) -> None:
    """Press Tab until the focused element's text starts with `name` (keyboard-only journeys)."""
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.textContent.trim()")
        if focused.startswith(name):
            return
    raise AssertionError(f"could not reach “{name}” with the Tab key")
