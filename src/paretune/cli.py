"""The ``paretune`` command line: list, show, calibrate and export studies; run the demo."""

from __future__ import annotations

import csv
import json
import sys
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any

import click

from paretune._version import __version__

if TYPE_CHECKING:
    from paretune.storages import BaseStorage

DEFAULT_STORAGE = "sqlite:///paretune.db"
"""Where the CLI looks when neither --storage nor PARETUNE_STORAGE is given."""

_storage_option = click.option(
    "--storage",
    envvar="PARETUNE_STORAGE",
    default=DEFAULT_STORAGE,
    show_default=True,
    metavar="URL",
    help="Database URL (sqlite:///file.db or postgresql+psycopg://user@host/db); "
    "also read from PARETUNE_STORAGE.",
)


def _fail(message: str) -> None:
    raise click.ClickException(message)


def _existing(storage: str, *, write: bool = False) -> BaseStorage:
    """Open the database at ``storage``, which must exist: only ``demo`` creates one.

    Read-only commands open the connection read-only (a database of an older schema is
    migrated in place first); ``write`` opens it for writing. The storage is closed when
    the command ends.

    Raises:
        click.ClickException: If there is no database at the URL (an SQLite file that does
            not exist is not created), or it cannot be opened.
    """
    from paretune.exceptions import ParetuneError
    from paretune.storages._open import open_existing

    try:
        backend = open_existing(storage, read_only=not write, upgrade=True)
    except ParetuneError as exc:
        message = str(exc)
        if storage == DEFAULT_STORAGE and "no database at" in message:
            message += (
                f" ({DEFAULT_STORAGE} is the default; pass --storage URL or set PARETUNE_STORAGE.)"
            )
        _fail(message)
    click.get_current_context().call_on_close(backend.close)
    return backend


def _format_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    def cell(value: Any) -> str:
        if isinstance(value, float):
            return f"{value:.6g}"
        return "" if value is None else str(value)

    text_rows = [[cell(v) for v in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in text_rows]) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=False))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=False)) for r in text_rows]
    return "\n".join(lines)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="paretune")
def main() -> None:
    """paretune: multi-objective, constraint-aware tuning."""


@main.command()
@_storage_option
def studies(storage: str) -> None:
    """List the studies in a storage with their trial counts."""
    from paretune.exceptions import ParetuneError
    from paretune.study import list_studies

    try:
        summaries = list_studies(storage=_existing(storage))
    except ParetuneError as exc:
        _fail(str(exc))
    if not summaries:
        click.echo(f"No studies in {storage}.")
        return
    rows = []
    for s in summaries:
        objectives = ", ".join(f"{o.name} ({o.direction.value[:3]})" for o in s.info.objectives)
        constraints = ", ".join(str(c) for c in s.info.constraints) or "-"
        counts = ", ".join(f"{n} {state.value}" for state, n in sorted(s.counts.items())) or "-"
        rows.append([s.info.name, s.n_trials, counts, objectives, constraints])
    click.echo(_format_table(["study", "trials", "states", "objectives", "constraints"], rows))


@main.command()
@click.argument("name")
@_storage_option
def show(name: str, storage: str) -> None:
    """Show a study's trial counts by state and its Pareto front."""
    import warnings

    from paretune.exceptions import ParetuneError
    from paretune.study import load_study
    from paretune.trial import TrialState
    from paretune.trial._failures import failure_label

    try:
        study = load_study(study_name=name, storage=_existing(storage))
        trials = study.trials
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            front = study.pareto_front()
    except ParetuneError as exc:
        _fail(str(exc))
    click.echo(f"Study {study.name!r} in {storage}")
    click.echo(
        "Objectives: " + ", ".join(f"{o.name} ({o.direction.value})" for o in study.objectives)
    )
    if study.constraints:
        click.echo("Constraints: " + ", ".join(str(c) for c in study.constraints))
    counts = {state: 0 for state in TrialState}
    for t in trials:
        counts[t.state] += 1
    click.echo(
        f"Trials: {len(trials)} ("
        + ", ".join(f"{n} {s.value}" for s, n in counts.items() if n)
        + ")"
    )
    failed = [t for t in trials if t.state is TrialState.FAILED]
    if failed:
        kinds = Counter(failure_label(record) for record in failed)
        click.echo(
            "Failures: "
            + ", ".join(f"{n} x {kind}" for kind, n in kinds.most_common())
            + f" (reasons and tracebacks: paretune export {name} --format json)"
        )
    for w in caught:
        click.echo(f"Warning: {w.message}")
    if not front:
        click.echo("Pareto front: empty (no feasible complete trial yet).")
        return
    params = sorted({p for t in front for p in t.params})
    metric_names = [o.name for o in study.objectives] + [
        c.metric for c in study.constraints if c.metric not in {o.name for o in study.objectives}
    ]
    first = study.objectives[0]
    front = sorted(front, key=lambda t: first.sign * t.metrics[first.name])
    rows = [
        [t.number] + [t.metrics.get(m) for m in metric_names] + [t.params.get(p) for p in params]
        for t in front
    ]
    click.echo(f"Pareto front ({len(front)} trials):")
    click.echo(_format_table(["trial", *metric_names, *params], rows))
    summaries = [s for t in front if (s := study.repeat_summary(t.number)) is not None]
    if summaries:
        click.echo("Re-evaluated (mean [95% interval] over the repeats):")
        header = ["trial", "repeats", *metric_names]
        cells = [[s.trial_number, s.n, *(s.cell(m) for m in metric_names)] for s in summaries]
        click.echo(_format_table(header, cells))


@main.command()
@click.argument("name")
@click.option("--eta", default=3, show_default=True, help="The scheduler's reduction factor.")
@click.option(
    "--min-step",
    type=float,
    default=None,
    help="Lowest rung in reported steps, for training-loop studies without a fidelity.",
)
@click.option("--max-step", type=float, default=None, help="Highest rung in reported steps.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@_storage_option
def fidelity(
    name: str,
    eta: int,
    min_step: float | None,
    max_step: float | None,
    as_json: bool,
    storage: str,
) -> None:
    """Show how well each cheap rung of a study predicts its full budget."""
    import warnings

    from paretune.exceptions import ParetuneError
    from paretune.schedulers import ASHAScheduler
    from paretune.study import load_study

    try:
        scheduler = ASHAScheduler(eta=eta, min_resource=min_step, max_resource=max_step)
        study = load_study(study_name=name, storage=_existing(storage), scheduler=scheduler)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            report = study.fidelity_report(warn=False)
    except (ParetuneError, ValueError) as exc:
        _fail(str(exc))
    click.echo(json.dumps(report.to_dict(), indent=2) if as_json else str(report))


@main.command()
@click.argument("name")
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Write to this file instead of standard output.",
)
@_storage_option
def export(name: str, fmt: str, output: str | None, storage: str) -> None:
    """Export every trial of a study as CSV (one row per trial) or JSON (full records)."""
    from paretune.exceptions import ParetuneError
    from paretune.study import load_study
    from paretune.study._dataframe import trial_rows

    try:
        study = load_study(study_name=name, storage=_existing(storage))
        trials = study.trials
    except ParetuneError as exc:
        _fail(str(exc))
    stream = open(output, "w", newline="", encoding="utf-8") if output else sys.stdout
    try:
        if fmt == "json":
            payload = {
                "study": study.name,
                "objectives": {o.name: o.direction.value for o in study.objectives},
                "constraints": [
                    {"metric": c.metric, "op": c.op, "bound": c.bound} for c in study.constraints
                ],
                "trials": [t.to_dict() for t in trials],
            }
            json.dump(payload, stream, indent=2)
            stream.write("\n")
        else:
            columns, rows = trial_rows(trials)
            writer = csv.DictWriter(stream, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
    finally:
        if output:
            stream.close()
    if output:
        click.echo(f"Wrote {len(trials)} trials of {study.name!r} to {output}.", err=True)


@main.command()
@click.argument("name")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="The HTML file to write (default: NAME.html).",
)
@_storage_option
def report(name: str, output: str | None, storage: str) -> None:
    """Write a study's report: one self-contained HTML file that opens offline."""
    from paretune.exceptions import ParetuneError
    from paretune.study import load_study

    try:
        study = load_study(study_name=name, storage=_existing(storage))
        path = study.report(output or f"{name}.html")
    except (ParetuneError, ImportError, FileNotFoundError) as exc:
        _fail(str(exc))
    click.echo(f"Wrote the report of {study.name!r} ({len(study.trials)} trials) to {path}")


@main.command()
@click.argument("name")
@_storage_option
def reap(name: str, storage: str) -> None:
    """Fail the running trials of a study whose worker stopped renewing their lease."""
    from paretune.exceptions import ParetuneError
    from paretune.study import load_study

    try:
        study = load_study(study_name=name, storage=_existing(storage, write=True))
        reaped = study.reap()
    except ParetuneError as exc:
        _fail(str(exc))
    if study.lease is None:
        click.echo(f"Study {name!r} has no lease (heartbeat_interval=None): nothing to reap.")
        return
    numbers = ", ".join(str(t.number) for t in reaped) or "none"
    click.echo(f"Reaped {len(reaped)} trial(s) of {name!r} ({numbers}).")


@main.command()
@click.argument("name")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@_storage_option
def delete(name: str, yes: bool, storage: str) -> None:
    """Delete a study and all its trials."""
    from paretune.exceptions import ParetuneError
    from paretune.study import delete_study

    backend = _existing(storage, write=True)
    if not yes:
        click.confirm(f"Delete study {name!r} and all its trials from {storage}?", abort=True)
    try:
        delete_study(study_name=name, storage=backend)
    except ParetuneError as exc:
        _fail(str(exc))
    click.echo(f"Deleted study {name!r}.")


@main.command()
@click.option(
    "--seconds", default=90.0, show_default=True, type=click.FloatRange(min=1.0),
    help="Search time; the test-set step and printing follow.",
)  # fmt: skip
@click.option("--trials", "n_trials", default=None, type=click.IntRange(1),
              help="Stop after this many trials (default: only --seconds).")  # fmt: skip
@click.option("--max-rows", default=None, type=click.IntRange(100),
              help="Use a stratified subsample of Adult, for a quick try.")  # fmt: skip
@click.option("--max-latency-ms", default=3.0, show_default=True, type=click.FloatRange(min=0.0,
              min_open=True), help="The p99 single-row latency limit.")  # fmt: skip
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--report", "report_path", default="demo-adult.html", show_default=True,
              type=click.Path(dir_okay=False, writable=True),
              help="Where to write the study's HTML report.")  # fmt: skip
@_storage_option
def demo(seconds: float, n_trials: int | None, max_rows: int | None, max_latency_ms: float,
         seed: int, report_path: str, storage: str) -> None:  # fmt: skip
    """Tune a fair, fast income classifier on Adult and evaluate its Pareto set on test."""
    from paretune.demo import DEMO_STUDY_NAME
    from paretune.demo import run_demo
    from paretune.exceptions import ParetuneError

    try:
        run_demo(storage=storage, seconds=seconds, n_trials=n_trials, seed=seed,
                 max_rows=max_rows, max_latency_ms=max_latency_ms, echo=click.echo,
                 report=report_path)  # fmt: skip
    except (ParetuneError, ImportError) as exc:
        _fail(str(exc))
    click.echo(f"Inspect it again with: paretune show {DEMO_STUDY_NAME} --storage {storage}")


@main.command()
@_storage_option
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to bind; anything but loopback exposes every study.",
)
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--refresh",
    default=5.0,
    show_default=True,
    type=click.FloatRange(min=0.5),
    help="Seconds between the pages' updates.",
)
@click.option(
    "--allow-host",
    "extra_hosts",
    multiple=True,
    metavar="NAME",
    help="Also answer to this Host name (repeatable), e.g. behind a proxy.",
)
def dashboard(
    storage: str, host: str, port: int, refresh: float, extra_hosts: tuple[str, ...]
) -> None:
    """Serve a live, read-only web dashboard of the studies in a storage."""
    from paretune.dashboard import is_loopback
    from paretune.exceptions import ParetuneError

    if not is_loopback(host):
        click.echo(
            f"Warning: {host} is not a loopback address: anyone who can reach this machine "
            f"on port {port} can read every study (the dashboard has no login). Prefer the "
            "default 127.0.0.1 and an SSH tunnel.",
            err=True,
        )
    try:
        from paretune.dashboard import make_server

        server = make_server(
            storage, host=host, port=port, refresh_seconds=refresh, extra_hosts=extra_hosts
        )
    except (ParetuneError, ImportError) as exc:
        _fail(str(exc))
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"Serving {storage} read-only at http://{shown}:{port}/ (Ctrl+C to stop)")
    try:
        server.run()
    except KeyboardInterrupt:  # uvicorn re-raises Ctrl+C once it has shut down
        pass


if __name__ == "__main__":  # pragma: no cover
    main()
