"""The dashboard's browser script, served as ``/static/dashboard.js``.

It reads the page's ``data-api`` and ``data-refresh-ms`` attributes, polls the JSON
endpoint, and re-renders the tables exactly as ``_html.py`` renders them (same texts, same
number format: JavaScript's ``String(number)``, which ``_data.number_text`` mimics). It
writes storage text with ``textContent`` only, never as HTML, and draws the Pareto-front
scatter with the plotly.js served from ``/static/plotly.min.js``. It is a Python string so
that it ships inside the package without package-data settings.
"""

from __future__ import annotations

__all__ = ["DASHBOARD_JS"]

DASHBOARD_JS = r"""
"use strict";
(function () {
  const root = document.getElementById("dashboard");
  if (!root || !root.dataset.api) return;
  const api = root.dataset.api;
  const refreshMs = Math.max(100, Number(root.dataset.refreshMs) || 5000);
  const status = document.getElementById("status");
  let last = null;

  function valueText(v) {
    if (typeof v === "string") return v;
    if (typeof v === "number") return String(v);
    return JSON.stringify(v);
  }
  function statesText(counts) {
    const parts = Object.keys(counts).filter((s) => counts[s]).map((s) => counts[s] + " " + s);
    return parts.join(", ") || "none";
  }
  function constraintsText(study) {
    return study.constraints.map((c) => c.text).join(", ") || "none";
  }
  function element(tag, text) {
    const el = document.createElement(tag);
    el.textContent = text;
    return el;
  }
  function fillTable(id, header, rows) {
    const table = document.getElementById(id);
    if (!table) return;
    const head = document.createElement("tr");
    header.forEach((h) => head.appendChild(element("th", h)));
    table.tHead.replaceChildren(head);
    table.tBodies[0].replaceChildren(...rows.map((row) => {
      const tr = document.createElement("tr");
      row.forEach((c) => {
        if (c instanceof Node) {
          const td = document.createElement("td");
          td.appendChild(c);
          tr.appendChild(td);
        } else {
          tr.appendChild(element("td", c));
        }
      });
      return tr;
    }));
  }

  function renderIndex(studies) {
    const empty = document.getElementById("no-studies");
    if (empty) empty.hidden = studies.length > 0;
    fillTable(
      "studies-table",
      ["study", "objectives", "constraints", "trials", "states", "feasible", "created"],
      studies.map((s) => {
        const link = element("a", s.name);
        link.href = "/studies/" + encodeURIComponent(s.name);
        return [
          link,
          s.objectives.map((o) => o.name + " (" + o.direction.slice(0, 3) + ")").join(", "),
          constraintsText(s),
          String(s.n_trials),
          statesText(s.counts),
          String(s.n_feasible),
          s.created_at,
        ];
      })
    );
  }

  function renderStudy(study) {
    const counts = document.getElementById("counts");
    counts.textContent = study.n_trials + " trials (" + statesText(study.counts) + "), " +
      study.n_feasible + " feasible";
    const notice = document.getElementById("front-notice");
    notice.textContent = study.front_notice || "";
    notice.hidden = !study.front_notice;
    const byNumber = new Map(study.trials.map((t) => [t.number, t]));
    const cells = (values, names) => names.map((n) => (n in values ? valueText(values[n]) : ""));
    fillTable(
      "front-table",
      ["trial"].concat(study.metric_columns, study.param_columns),
      study.front.map((number) => {
        const t = byNumber.get(number);
        return [String(number)].concat(
          cells(t.metrics, study.metric_columns), cells(t.params, study.param_columns)
        );
      })
    );
    drawFront(study, byNumber);
  }

  function drawFront(study, byNumber) {
    const el = document.getElementById("front-plot");
    if (!el || typeof Plotly === "undefined") return;
    const objectives = study.objectives;
    const two = objectives.length >= 2;
    const label = (o) => o.name + " (" + o.direction + ")";
    const xLabel = two ? label(objectives[0]) : "trial";
    const yObjective = two ? objectives[1] : objectives[0];
    const xOf = (t) => (two ? t.metrics[objectives[0].name] : t.number);
    const onFront = new Set(study.front);
    const complete = study.trials.filter((t) => t.state === "complete");
    const trace = (trials, name, marker, mode) => ({
      type: "scatter",
      mode: mode,
      name: name,
      x: trials.map(xOf),
      y: trials.map((t) => t.metrics[yObjective.name]),
      text: trials.map((t) => "trial " + t.number),
      hovertemplate: "%{text}<br>%{x}, %{y}<extra></extra>",
      marker: marker,
    });
    const front = study.front.map((n) => byNumber.get(n)).sort((a, b) => xOf(a) - xOf(b));
    const traces = [
      trace(complete.filter((t) => t.feasible && !onFront.has(t.number)),
            "other feasible", {color: "#9aa5b1", size: 7}, "markers"),
      trace(complete.filter((t) => !t.feasible),
            "infeasible", {color: "#d64545", size: 7, symbol: "x"}, "markers"),
      trace(front, "Pareto front", {color: "#3949ab", size: 10}, "lines+markers"),
    ];
    const layout = {
      height: 420,
      margin: {l: 70, r: 20, t: 20, b: 60},
      xaxis: {title: {text: xLabel}, zeroline: false},
      yaxis: {title: {text: label(yObjective)}, zeroline: false},
      legend: {orientation: "h", y: -0.2},
      uirevision: "keep",
    };
    Plotly.react(el, traces, layout, {
      displaylogo: false,
      responsive: true,
      showSendToCloud: false,
      modeBarButtonsToRemove: ["select2d", "lasso2d"],
    });
  }

  function setStatus(text, failed) {
    if (!status) return;
    status.textContent = text;
    status.classList.toggle("failed", failed);
  }

  async function poll() {
    try {
      const response = await fetch(api, {cache: "no-store", headers: {Accept: "application/json"}});
      if (!response.ok) throw new Error("HTTP " + response.status);
      const text = await response.text();
      if (text !== last) {
        const data = JSON.parse(text);
        if (root.dataset.page === "index") renderIndex(data.studies);
        else renderStudy(data);
        last = text;
      }
      setStatus("read-only, updated " + new Date().toLocaleTimeString(), false);
    } catch (err) {
      setStatus("read-only, update failed (" + err.message + "); retrying", true);
    } finally {
      window.setTimeout(poll, refreshMs);
    }
  }
  poll();
})();
"""
