"""The dashboard's pages and JSON endpoints show the stored studies, values as stored."""

from __future__ import annotations

import html
import json
import math
import re
from html.parser import HTMLParser

import numpy as np
import pytest

import paretune as pt
from paretune.dashboard import create_app
from paretune.dashboard._data import number_text
from paretune.dashboard._data import value_text
from paretune.trial import TrialState
from tests.dashboard.conftest import BASE_URL
from tests.dashboard.conftest import XSS
from tests.dashboard.conftest import XSS_VALUE
from tests.dashboard.conftest import TestClient


def test_index_lists_every_study_with_counts(client: TestClient, db_url: str) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    body = page.text
    for name in ("credit", "a/b", "infeasible"):
        assert f">{name}</a>" in body
    assert 'href="/studies/a%2Fb"' in body
    assert "accuracy (max), eo_diff (min)" in body
    row = re.search(r"<tr><td><a href=\"/studies/credit\">.*?</tr>", body)
    assert row is not None
    assert "<td>7</td><td>1 running, 5 complete, 1 failed</td><td>4</td>" in row.group(0)


def test_api_studies_equals_the_storage(client: TestClient, db_url: str) -> None:
    data = client.get("/api/studies").json()["studies"]
    summaries = pt.list_studies(storage=db_url)
    assert [s["name"] for s in data] == [s.info.name for s in summaries]
    for entry, summary in zip(data, summaries, strict=True):
        assert entry["n_trials"] == summary.n_trials
        assert entry["counts"] == {s.value: summary.counts.get(s, 0) for s in TrialState}
        assert entry["objectives"] == [
            {"name": o.name, "direction": o.direction.value} for o in summary.info.objectives
        ]
        trials = pt.load_study(study_name=summary.info.name, storage=db_url).trials
        feasible = [t for t in trials if t.state is TrialState.COMPLETE and t.feasible]
        assert entry["n_feasible"] == len(feasible)


def test_api_study_trials_and_front_equal_the_stored_records(
    client: TestClient, db_url: str
) -> None:
    data = client.get("/api/studies/credit").json()
    study = pt.load_study(study_name="credit", storage=db_url)
    records = study.trials
    assert [t["number"] for t in data["trials"]] == [r.number for r in records]
    for shown, record in zip(data["trials"], records, strict=True):
        assert shown["state"] == record.state.value
        assert shown["params"] == dict(record.params)
        assert shown["metrics"] == dict(record.metrics)  # float == float: exactly as stored
        assert shown["constraints"] == dict(record.constraints)
    assert sorted(data["front"]) == sorted(r.number for r in study.pareto_front())
    assert data["front"] == [0, 4, 1]  # best accuracy first
    assert data["constraints"][0]["bound"] == 20.0
    assert data["constraints"][0]["text"] == "latency_ms <= 20"
    assert data["metric_columns"] == ["accuracy", "eo_diff", "latency_ms"]
    assert data["param_columns"] == ["depth", "model"]
    assert data["counts"]["running"] == 1 and data["counts"]["failed"] == 1
    assert data["n_feasible"] == 4 and data["front_notice"] is None


def test_json_numbers_keep_every_digit(client: TestClient) -> None:
    text = client.get("/api/studies/credit").text
    assert "0.8512345678901234" in text and "1e-07" in text
    trial = json.loads(text)["trials"][4]
    assert trial["metrics"]["accuracy"] == 0.8512345678901234


def test_study_page_shows_setup_counts_and_the_front_table(client: TestClient) -> None:
    page = client.get("/studies/credit")
    assert page.status_code == 200
    body = page.text
    assert "accuracy (maximize), eo_diff (minimize)" in body
    assert "latency_ms &lt;= 20" in body
    assert '<p id="counts">7 trials (1 running, 5 complete, 1 failed), 4 feasible</p>' in body
    assert 'id="front-plot"' in body and 'data-api="/api/studies/credit"' in body
    table = body[body.index('<table id="front-table">') :]
    rows = re.findall(r"<tr><td>(.*?)</td></tr>", table)
    cells = [row.split("</td><td>") for row in rows]
    assert cells == [
        ["0", "0.86", "0.12", "6", "4", "hgb"],
        ["4", "0.8512345678901234", "0.05", "1e-7", "5", "hgb"],
        ["1", "0.83", "0.04", "1.5", "2", "logreg"],
    ]
    assert float(cells[1][3]) == 1e-7


def test_a_name_with_a_slash_is_found_by_its_encoded_path(client: TestClient) -> None:
    assert client.get("/studies/a%2Fb").status_code == 200
    assert client.get("/api/studies/a%2Fb").json()["name"] == "a/b"


def test_empty_and_infeasible_fronts_say_why(client: TestClient) -> None:
    empty = client.get("/api/studies/a%2Fb").json()
    assert empty["front"] == [] and empty["front_notice"] == "No trial has completed yet."
    infeasible = client.get("/api/studies/infeasible").json()
    assert infeasible["front"] == []
    assert "None of the 1 complete trials satisfies every constraint" in infeasible["front_notice"]
    assert "None of the 1 complete trials" in client.get("/studies/infeasible").text


def test_the_refresh_interval_must_be_positive(db_url: str) -> None:
    with pytest.raises(ValueError, match="refresh_seconds"):
        create_app(db_url, refresh_seconds=0)
    page = TestClient(create_app(db_url, port=8080, refresh_seconds=0.25), base_url=BASE_URL)
    assert 'data-refresh-ms="250"' in page.get("/").text


def test_unknown_studies_are_404(client: TestClient) -> None:
    assert client.get("/studies/nope").status_code == 404
    assert client.get("/studies/").status_code == 404
    response = client.get("/api/studies/nope")
    assert response.status_code == 404 and response.json() == {"error": "no study of that name"}


def test_static_files_are_served_from_the_package(client: TestClient) -> None:
    import importlib.resources

    plotly = client.get("/static/plotly.min.js")
    assert plotly.status_code == 200
    assert plotly.headers["content-type"].startswith("text/javascript")
    installed = importlib.resources.files("plotly") / "package_data" / "plotly.min.js"
    assert plotly.content == installed.read_bytes()
    etag = plotly.headers["etag"]
    assert client.get("/static/plotly.min.js", headers={"if-none-match": etag}).status_code == 304
    for name in ("dashboard.js", "dashboard.css", "favicon.svg"):
        assert client.get(f"/static/{name}").status_code == 200
    head = client.head("/static/plotly.min.js")
    assert head.status_code == 200 and head.content == b""


class _Elements(HTMLParser):
    """Every start tag of a page with its attributes, and the texts of its cells."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.texts.append(data)


def _parse(page: str) -> _Elements:
    parser = _Elements()
    parser.feed(page)
    parser.close()
    return parser


def test_pages_escape_every_stored_text(client: TestClient) -> None:
    pages = [client.get("/").text, client.get("/studies/%3Cscript%3Ealert(1)%3C%2Fscript%3E").text]
    for page in pages:
        assert html.escape(XSS) in page and "<script>alert" not in page and "<img" not in page
        elements = _parse(page)
        # no element came from the stored text: scripts are the two static files, no
        # inline event handlers, no style attributes, no images
        tags = [tag for tag, _ in elements.tags]
        assert "img" not in tags
        for tag, attrs in elements.tags:
            assert not [a for a in attrs if a.startswith("on") or a == "style"], (tag, attrs)
            if tag == "script":
                assert attrs["src"] in ("/static/plotly.min.js", "/static/dashboard.js")
        assert XSS in elements.texts  # shown as text, read back exactly
    study_page = _parse(pages[1])
    assert XSS_VALUE in study_page.texts  # the parameter value
    main = dict(study_page.tags)["main"]
    assert main["data-api"] == "/api/studies/%3Cscript%3Ealert%281%29%3C%2Fscript%3E"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (6.0, "6"),
        (100.0, "100"),
        (0.1, "0.1"),
        (-0.5, "-0.5"),
        (1 / 3, "0.3333333333333333"),
        (0.001, "0.001"),
        (1e-6, "0.000001"),
        (1e-7, "1e-7"),
        (1.5e-7, "1.5e-7"),
        (123456789012345680000.0, "123456789012345680000"),
        (1e21, "1e+21"),
        (2.5e25, "2.5e+25"),
        (0.0, "0"),
        (-0.0, "0"),
        (7, "7"),
    ],
)
def test_numbers_are_written_as_javascript_writes_them(value: float, text: str) -> None:
    assert number_text(value) == text


def test_number_text_reads_back_exactly() -> None:
    rng = np.random.default_rng(0)
    for value in rng.normal(size=200) * 10.0 ** rng.integers(-30, 30, size=200):
        assert float(number_text(float(value))) == value
    assert math.isnan(float(number_text(math.nan)))
    assert value_text(True) == "true" and value_text(None) == "null" and value_text("a") == "a"
