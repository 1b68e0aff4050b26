"""plot_fidelity: each rung against the top, per objective, with the report's Kendall tau."""

from __future__ import annotations

import math

import paretune as pt
from paretune.visualization import plot_fidelity
from tests.visualization._helpers import message_of


def test_budgeted_rungs_against_the_top(budgeted: pt.Study) -> None:
    report = budgeted.fidelity_report(warn=False)
    fig = plot_fidelity(budgeted)
    names = [o.name for o in budgeted.objectives]
    assert len(fig.data) == len(report.rungs) * len(names) == 3 * 2
    titles = [a.text for a in fig.layout.annotations]
    top = {r.config: r.metrics for r in budgeted.trials if r.budget == 27 and r.metrics}
    for k, rung in enumerate(report.rungs):
        low = {
            r.config: r.metrics
            for r in budgeted.trials
            if r.budget == rung.budget and r.state is pt.TrialState.COMPLETE
        }
        for j, name in enumerate(names):
            trace = fig.data[k * len(names) + j]
            assert len(trace.x) == rung.n_pairs
            for config, x, y in zip(trace.customdata, trace.x, trace.y, strict=True):
                assert (x, y) == (low[config][name], top[config][name])
            tau = rung.kendall[name]
            shown = "n/a" if math.isnan(tau) else f"{tau:+.2f}"
            assert titles[k * len(names) + j] == (
                f"epochs={rung.budget:g} · {name} · τ={shown} (n={rung.n_pairs})"
            )
    assert sum(r.n_pairs for r in report.rungs) > 0


def test_training_loop_study() -> None:
    study = pt.create_study(
        study_name="loop",
        objectives={"error": "minimize"},
        scheduler=pt.schedulers.HyperbandScheduler(eta=3, min_resource=1, max_resource=9),
        sampler=pt.samplers.RandomSampler(seed=6),
    )

    def objective(trial: pt.Trial) -> dict[str, float]:
        x = trial.suggest_float("x", 0.0, 1.0)
        for step in range(1, 10):
            trial.report({"error": x + 1.0 / step}, step=step)
            if trial.should_stop():
                raise pt.TrialStopped
        return {"error": x}

    study.optimize(objective, n_trials=20)
    report = study.fidelity_report(warn=False)
    fig = plot_fidelity(study)
    assert [len(t.x) for t in fig.data] == [r.n_pairs for r in report.rungs]
    assert fig.layout.xaxis.title.text == "at step=1"


def test_studies_without_rungs_say_why(constrained: pt.Study) -> None:
    assert "no rungs to compare" in message_of(plot_fidelity(constrained))
    fresh = pt.create_study(
        study_name="fresh", objectives={"e": "minimize"}, fidelity=pt.Fidelity("epochs", 1, 9)
    )
    assert message_of(plot_fidelity(fresh)) == "Study 'fresh' has no complete trials yet."


def test_no_pair_yet() -> None:
    study = pt.create_study(
        study_name="one-rung", objectives={"e": "minimize"}, fidelity=pt.Fidelity("epochs", 1, 9)
    )
    study.optimize(lambda t: {"e": t.suggest_float("x", 0, 1)}, n_trials=1)
    assert "has been measured at a lower rung and at the top" in message_of(plot_fidelity(study))
