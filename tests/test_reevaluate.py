"""Re-evaluation of finalists: repeats stored beside trials, claimed once, re-ranked."""

from __future__ import annotations

import multiprocessing as mp
import warnings

import numpy as np
import pytest

import paretune as pt


def _noisy(params: dict[str, float], seed: int) -> dict[str, float]:
    """The objective's truth plus seeded noise: x is the accuracy, 1 - x the unfairness."""
    noise = np.random.default_rng(seed).normal(0.0, 0.05)
    return {"acc": params["x"] + noise, "eo": 1.0 - params["x"]}


def _study(storage: str | None = None, name: str = "re") -> pt.Study:
    study = pt.create_study(
        study_name=name,
        objectives={"acc": "maximize", "eo": "minimize"},
        storage=storage,
        sampler=pt.samplers.RandomSampler(seed=0),
        seed=0,
        load_if_exists=True,
    )
    if not study.trials:
        study.optimize(lambda t: _noisy({"x": t.suggest_float("x", 0, 1)}, t.seed), n_trials=20)
    return study


def test_repeats_are_stored_beside_trials_and_summarised(storage_url) -> None:
    study = _study(storage_url)
    before = {t.number: dict(t.metrics) for t in study.trials}
    result = study.reevaluate(_noisy, top_k=4, repeats=3)
    assert len(result.summaries) == 4
    for number, summary in result.summaries.items():
        repeats = study.repeats(number)
        assert summary.n == len(repeats) == 3
        values = [r["acc"] for r in repeats]
        assert summary.mean["acc"] == pytest.approx(np.mean(values))
        low, high = summary.intervals["acc"]
        assert low < summary.mean["acc"] < high
        assert summary.mean["eo"] == pytest.approx(1.0 - study.trials[number].params["x"])
    assert {t.number: dict(t.metrics) for t in study.trials} == before  # never overwritten
    assert set(result.front) <= set(result.summaries) and result.front
    # a second call runs nothing new, and more repeats add to the stored ones
    again = study.reevaluate(_noisy, top_k=4, repeats=3)
    assert {k: s.mean for k, s in again.summaries.items()} == {
        k: s.mean for k, s in result.summaries.items()
    }
    more = study.reevaluate(_noisy, top_k=4, repeats=5)
    assert all(s.n == 5 for s in more.summaries.values())
    assert "front" in str(more)


def test_finalists_are_the_front_first() -> None:
    study = _study()
    front = {t.number for t in study.pareto_front()}
    result = study.reevaluate(_noisy, top_k=len(front), repeats=2)
    assert set(result.summaries) == front


def test_failed_repeats_are_stored_and_left_out() -> None:
    study = _study()

    def flaky(params: dict[str, float], seed: int) -> dict[str, float]:
        if seed % 2:
            raise RuntimeError("node lost")
        return _noisy(params, seed)

    target = study.pareto_front()[0]
    result = study.reevaluate(flaky, trials=[target], repeats=6)
    n_failed = len(result.failed)
    assert 0 < n_failed < 6
    assert result.summaries[target.number].n == 6 - n_failed
    with pytest.raises(KeyboardInterrupt):
        study.reevaluate(
            lambda p, s: (_ for _ in ()).throw(KeyboardInterrupt()), trials=[target], repeats=7
        )


def test_bad_arguments_are_refused() -> None:
    study = _study()
    with pytest.raises(ValueError, match="top_k"):
        study.reevaluate(_noisy, top_k=0)
    failed = pt.create_study(objectives={"a": "minimize"})
    trial = failed.ask()
    failed.tell(trial, state="failed")
    with pytest.raises(ValueError, match="re-evaluate complete trials"):
        failed.reevaluate(lambda p, s: {"a": 1.0}, trials=failed.trials)


def _worker(url: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pt.load_study(study_name="shared", storage=url).reevaluate(_noisy, top_k=3, repeats=4)


def test_workers_share_the_repeats_each_once(tmp_path) -> None:
    url = f"sqlite:///{tmp_path}/shared.db"
    _study(url, name="shared")
    ctx = mp.get_context("spawn")
    workers = [ctx.Process(target=_worker, args=(url,)) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
        assert w.exitcode == 0
    study = pt.load_study(study_name="shared", storage=url)
    repeats = study.storage.get_repeats(study._info.study_id)
    assert len(repeats) == 12
    assert len({(r.trial_number, r.index) for r in repeats}) == 12
    assert all(r.state is pt.TrialState.COMPLETE for r in repeats)


def test_show_prints_the_intervals_of_re_evaluated_front_trials(tmp_path) -> None:
    from click.testing import CliRunner

    from paretune.cli import main

    url = f"sqlite:///{tmp_path}/show.db"
    study = _study(url, name="shown")
    front = study.pareto_front()
    study.reevaluate(_noisy, trials=front[:2], repeats=3)
    out = CliRunner().invoke(main, ["show", "shown", "--storage", url]).output
    assert "Re-evaluated (mean [95% interval] over the repeats):" in out
    summary = study.repeat_summary(front[0].number)
    assert summary is not None
    low, high = summary.intervals["acc"]
    assert f"{summary.mean['acc']:.4g} [{low:.4g}, {high:.4g}]" in out


def test_finalists_count_trials_that_measured_the_same_once() -> None:
    study = pt.create_study(objectives={"acc": "maximize", "eo": "minimize"})
    for x in (0.9, 0.9, 0.9, 0.5, 0.2):
        trial = study.ask()
        trial.suggest_float("x", 0, 1)
        study.tell(trial, {"acc": x, "eo": x / 2})
    result = study.reevaluate(lambda p, s: {"acc": 0.5, "eo": 0.1}, top_k=3, repeats=1)
    assert sorted(result.summaries) == [0, 3, 4]
