"""The dashboard in a real browser: Debian's chromium, headless, driven by selenium.

uvicorn serves the dashboard on a free loopback port in a thread. The tests skip when
chromium or chromedriver is missing, except in CI (``CI`` set), where they fail.
Set ``PARETUNE_SCREENSHOTS`` to a directory to keep the study page's screenshot there as
``dashboard.png`` (the documentation's image comes from
``PARETUNE_SCREENSHOTS=docs/images python3 -m pytest tests/dashboard/test_browser.py``).
"""

from __future__ import annotations

import os
import pathlib
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest

import paretune as pt
from paretune.dashboard import make_server
from paretune.dashboard._data import value_text
from paretune.storages import SQLStorage
from tests.browser import chromium
from tests.browser import severe_errors
from tests.browser import wait_for
from tests.dashboard.conftest import XSS
from tests.dashboard.conftest import add_credit_trial

REFRESH_S = 0.3

pytestmark = pytest.mark.timeout(90)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def driver(tmp_path: pathlib.Path) -> Iterator[Any]:
    yield from chromium(tmp_path)


@pytest.fixture
def server(db_url: str) -> Iterator[str]:
    """The dashboard of ``db_url`` served by uvicorn on a free loopback port; its URL."""
    port = _free_port()
    server = make_server(db_url, port=port, refresh_seconds=REFRESH_S, log_level="warning")
    thread = threading.Thread(target=server.run, name="dashboard", daemon=True)
    thread.start()
    try:
        wait_for("uvicorn to start", lambda: server.started or not thread.is_alive())
        assert server.started, "uvicorn did not start"
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        assert not thread.is_alive(), "uvicorn did not stop"


def _rows(browser: Any, table: str) -> list[list[str]]:
    script = (
        "return Array.from(document.querySelectorAll(arguments[0] + ' tbody tr'))"
        ".map(tr => Array.from(tr.cells).map(td => td.textContent));"
    )
    return list(browser.execute_script(script, f"#{table}"))


def _text(browser: Any, element_id: str) -> str:
    return str(
        browser.execute_script(f"return document.getElementById('{element_id}').textContent")
    )


def _updated(browser: Any) -> bool:
    return _text(browser, "status").startswith("read-only, updated")


def test_index_and_study_pages_in_chromium(
    server: str, driver: Any, db_url: str, tmp_path: pathlib.Path
) -> None:
    driver.get(server + "/")
    wait_for("the list to refresh", lambda: _updated(driver))
    names = [row[0] for row in _rows(driver, "studies-table")]
    assert names == ["credit", XSS, "a/b", "infeasible"]
    assert severe_errors(driver) == []

    driver.get(server + "/studies/credit")
    wait_for("plotly to draw", lambda: driver.find_elements("css selector", ".js-plotly-plot"))
    wait_for("the page to refresh", lambda: _updated(driver))
    assert driver.execute_script("return document.querySelectorAll('.scatterlayer .point').length")
    writer = SQLStorage(db_url)
    try:
        study = pt.load_study(study_name="credit", storage=writer)
        stored = {r.number: r for r in study.pareto_front()}
        rows = _rows(driver, "front-table")
        assert [int(row[0]) for row in rows] == [0, 4, 1]
        for row in rows:
            record = stored[int(row[0])]
            shown = dict(zip(["accuracy", "eo_diff", "latency_ms"], row[1:4], strict=True))
            for metric, text in shown.items():
                assert float(text) == record.metrics[metric]  # the stored number
                assert text == value_text(record.metrics[metric])  # as the server writes it
            assert row[4:] == [str(record.params["depth"]), record.params["model"]]
        assert _text(driver, "counts") == "7 trials (1 running, 5 complete, 1 failed), 4 feasible"

        new = add_credit_trial(
            study,
            {"depth": 6, "model": "hgb"},
            {"accuracy": 0.9, "eo_diff": 0.2, "latency_ms": 3.0},
        )
    finally:
        writer.close()
    wait_for("the new trial on the front", lambda: _rows(driver, "front-table")[0][0] == str(new))
    assert _rows(driver, "front-table")[0][1:3] == ["0.9", "0.2"]
    wait_for(
        "the new counts",
        lambda: _text(driver, "counts") == "8 trials (1 running, 6 complete, 1 failed), 5 feasible",
    )
    points = "return document.querySelectorAll('.scatterlayer .trace:last-child .point').length"
    wait_for("the new point", lambda: driver.execute_script(points) == 4)
    assert severe_errors(driver) == []

    folder = os.environ.get("PARETUNE_SCREENSHOTS")
    target = pathlib.Path(folder) if folder else tmp_path
    target.mkdir(parents=True, exist_ok=True)
    driver.execute_script("document.getElementById('status').textContent = 'read-only'")
    assert driver.save_screenshot(str(target / "dashboard.png"))
    assert (target / "dashboard.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_stored_markup_stays_text_in_chromium(server: str, driver: Any) -> None:
    driver.get(server + "/studies/%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    wait_for("the page to refresh", lambda: _updated(driver))
    assert _text(driver, "study-name") == XSS
    assert driver.title == f"{XSS} - paretune dashboard"
    assert _rows(driver, "front-table")[0][2] == '"><img src=x onerror=alert(2)>'
    assert driver.execute_script("return document.querySelectorAll('main img').length") == 0
    from selenium.common.exceptions import NoAlertPresentException

    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert.accept()
    assert severe_errors(driver) == []
