"""Headless chromium for the browser tests: Debian's chromium driven by selenium.

The tests skip when chromium, chromedriver or selenium is missing, except in CI (``CI``
set), where they fail: ``.ci/run`` installs the browser.
"""

from __future__ import annotations

import os
import pathlib
import time
from collections.abc import Callable
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM = pathlib.Path("/usr/bin/chromium")
CHROMEDRIVER = pathlib.Path("/usr/bin/chromedriver")
WAIT_S = 15.0


def browser_or_skip() -> Any:
    """selenium's webdriver module, or skip (fail in CI) naming what is missing."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    try:
        from selenium import webdriver
    except ImportError:
        missing.append("the selenium package (pip install -e '.[dev]')")
        webdriver = None
    if missing:
        message = (
            f"The browser tests need {', '.join(missing)} "
            "(Debian: apt-get install chromium chromium-driver)."
        )
        if os.environ.get("CI"):
            pytest.fail(f"{message} CI must run them.")
        pytest.skip(message)
    return webdriver


def wait_for(what: str, condition: Callable[[], Any], timeout: float = WAIT_S) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"Timed out after {timeout:.0f} s waiting for {what}.")
        time.sleep(0.05)


def chromium(tmp_path: pathlib.Path) -> Iterator[Any]:
    """Headless chromium with a fresh profile in ``tmp_path``, its console log kept at every
    level; quit afterwards."""
    webdriver = browser_or_skip()
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1200,1150",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ):
        options.add_argument(argument)
    options.binary_location = str(CHROMIUM)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    browser.set_page_load_timeout(WAIT_S)
    browser.set_script_timeout(WAIT_S)
    try:
        yield browser
    finally:
        browser.quit()


def severe_errors(browser: Any) -> list[str]:
    """The console's errors since the last call (CSP violations are among them)."""
    return [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
