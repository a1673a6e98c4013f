"""One headless Chromium per test session, driven by Playwright against ``live_server``.

Playwright cannot download its own browsers here, so the tests drive Debian's
Chromium and are skipped (with the reason) where it is not installed.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; the test's own ORM
# calls (creating data, checking what was saved) are still plain synchronous.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (make browser-deps)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser context (cookies, storage) per test, failing on script errors.

    It fails on Content-Security-Policy violations too: a script, style or
    image the policy blocks is a page that silently stopped working.
    """
    # A Danish browser, as in the municipality; the language switch is tested on top.
    context = browser.new_context(locale="da-DK", viewport={"width": 1280, "height": 900})
    violations: list[str] = []
    context.expose_function("helhedCspViolation", lambda text: violations.append(text))
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"
    assert not violations, f"Content-Security-Policy violations: {violations}"


CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.helhedCspViolation(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} `
    + `on ${location.pathname} (${e.sourceFile || ""}:${e.lineNumber})`);
});
"""


@pytest.fixture(autouse=True)
def reference_data(request: pytest.FixtureRequest) -> None:
    """Seed the municipalities, code lists and rating scales if a flush removed them.

    A transactional test empties every table when it ends, and the
    serialized rollback does not bring back data seeded by migrations when
    other transactional tests ran first in the same session. The seeds are the
    migrations' own functions, so the rows are the ones a fresh database has.
    """
    request.getfixturevalue("transactional_db")
    from django.apps import apps

    from helhed.feedback.models import Scale
    from helhed.organisation.models import Municipality

    for model, module in (
        (Municipality, "helhed.organisation.migrations.0002_reference_data"),
        (Scale, "helhed.feedback.migrations.0003_seed_scales"),
    ):
        if not model.objects.exists():
            importlib.import_module(module).seed(apps, None)
