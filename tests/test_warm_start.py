"""Warm start: samplers learn from other studies' complete trials, at a lower weight."""

from __future__ import annotations

import statistics

import pytest

import paretune as pt
from paretune._warm import WARM_START_ATTR
from paretune.exceptions import StudyIncompatibleError
from paretune.exceptions import StudyNotFoundError
from paretune.exceptions import WarmStartWarning


def _bowl(trial: pt.Trial) -> dict[str, float]:
    x = trial.suggest_float("x", -5.0, 5.0)
    y = trial.suggest_float("y", -5.0, 5.0)
    return {"loss": (x - 3.2) ** 2 + (y + 1.7) ** 2}


def _first_good(study: pt.Study, threshold: float = 0.5) -> int:
    """The number of trials run before one lands within the good region."""
    for t in study.trials:
        if t.state is pt.TrialState.COMPLETE and t.metrics["loss"] < threshold:
            return t.number
    return len(study.trials)


def _tpe_study(seed: int, **kwargs: object) -> pt.Study:
    return pt.create_study(
        objectives={"loss": "minimize"}, sampler=pt.samplers.TPESampler(seed=seed), **kwargs
    )


def test_a_warm_started_tpe_study_finds_the_good_region_sooner() -> None:
    cold, warm = [], []
    for seed in range(5):
        source = _tpe_study(100 + seed)
        source.optimize(_bowl, n_trials=30)
        plain = _tpe_study(seed)
        plain.optimize(_bowl, n_trials=30)
        started = _tpe_study(seed, warm_start=[source])
        started.optimize(_bowl, n_trials=30)
        cold.append(_first_good(plain))
        warm.append(_first_good(started))
    assert statistics.median(warm) + 5 <= statistics.median(cold), (warm, cold)


def test_warm_start_trials_are_seen_by_the_sampler_only() -> None:
    source = pt.create_study(
        objectives={"loss": "minimize"}, constraints={"latency": ("<=", 100.0)}, seed=0
    )
    source.optimize(lambda t: {"loss": t.suggest_float("x", 0, 1), "latency": 5.0}, n_trials=4)
    source.tell(source.ask(), state="failed")
    study = pt.create_study(
        objectives={"loss": "minimize"},
        constraints={"latency": ("<=", 1.0)},  # stricter: the source's trials are infeasible
        warm_start=[source],
        seed=0,
    )
    assert study.warm_start == (source.name,)
    assert study.trials == [] and study.pareto_front() == []
    seen = study.trials_for_sampler()
    assert [t.number for t in seen] == [-1, -2, -3, -4]
    assert [t.user_attrs[WARM_START_ATTR]["number"] for t in seen] == [0, 1, 2, 3]
    assert all(t.constraints == {"latency": 4.0} and not t.feasible for t in seen)
    study.optimize(lambda t: {"loss": t.suggest_float("x", 0, 1), "latency": 0.5}, n_trials=3)
    assert [t.number for t in study.trials] == [0, 1, 2]
    assert [t.number for t in study.trials_for_sampler()] == [0, 1, 2, -1, -2, -3, -4]


def test_sources_are_stored_and_reopened(tmp_path) -> None:
    url = f"sqlite:///{tmp_path}/runs.db"
    other = f"sqlite:///{tmp_path}/other.db"
    first = pt.create_study(objectives={"loss": "minimize"}, study_name="first", storage=url)
    first.optimize(lambda t: {"loss": t.suggest_float("x", 0, 1)}, n_trials=3)
    elsewhere = pt.create_study(objectives={"loss": "minimize"}, study_name="far", storage=other)
    elsewhere.optimize(lambda t: {"loss": t.suggest_float("x", 0, 1)}, n_trials=2)
    pt.create_study(
        objectives={"loss": "minimize"},
        study_name="second",
        storage=url,
        warm_start=[first, ("far", other)],
    )
    loaded = pt.load_study(study_name="second", storage=url)
    assert loaded.warm_start == ("first", "far")
    stored = loaded.user_attrs["paretune.warm_start"]
    assert stored[0] == {"study_name": "first", "storage": ""}
    assert stored[1]["storage"].endswith("other.db") and stored[1]["storage"].startswith("sqlite")
    assert len(loaded.trials_for_sampler()) == 5

    pt.delete_study(study_name="first", storage=url)
    with pytest.warns(WarmStartWarning, match="cannot warm-start from 'first'"):
        gone = pt.load_study(study_name="second", storage=url)
    assert gone.warm_start == ("far",)
    gone.optimize(lambda t: {"loss": t.suggest_float("x", 0, 1)}, n_trials=2)
    replaced = pt.load_study(study_name="second", storage=url, warm_start=[])
    assert replaced.warm_start == () and replaced.user_attrs["paretune.warm_start"] == []


def test_an_in_memory_source_of_another_storage_is_not_reopened(tmp_path) -> None:
    source = pt.create_study(objectives={"loss": "minimize"})
    url = f"sqlite:///{tmp_path}/runs.db"
    study = pt.create_study(
        objectives={"loss": "minimize"}, study_name="s", storage=url, warm_start=[source]
    )
    assert study.warm_start == (source.name,)
    with pytest.warns(WarmStartWarning, match="cannot be reopened from another process"):
        pt.load_study(study_name="s", storage=url)


def test_bad_sources_are_refused() -> None:
    storage = pt.storages.InMemoryStorage()
    other = pt.create_study(objectives={"loss": "maximize"}, study_name="o", storage=storage)
    with pytest.raises(StudyIncompatibleError, match="same objectives"):
        pt.create_study(objectives={"loss": "minimize"}, storage=storage, warm_start=[other])
    with pytest.raises(StudyNotFoundError):
        pt.create_study(objectives={"loss": "minimize"}, warm_start=[("nope", storage)])
    with pytest.raises(TypeError, match="list of studies"):
        pt.create_study(objectives={"loss": "maximize"}, warm_start=other)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Study or a"):
        pt.create_study(objectives={"loss": "maximize"}, warm_start=["o"])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="itself"):
        pt.create_study(
            objectives={"loss": "maximize"},
            study_name="o",
            storage=storage,
            load_if_exists=True,
            warm_start=[other],
        )


@pytest.mark.parametrize(
    "sampler",
    [
        pt.samplers.NSGAIISampler(seed=0, population_size=4),
        pt.samplers.TPESampler(seed=0, warm_start_weight=1.0),
        pt.samplers.AutoSampler(seed=0, use_gp=False),
    ],
    ids=["nsga2", "tpe-weight-1", "auto"],
)
def test_other_samplers_run_warm_started(sampler: pt.samplers.BaseSampler) -> None:
    source = pt.create_study(objectives={"loss": "minimize"}, seed=1)
    source.optimize(_bowl, n_trials=12)
    study = pt.create_study(objectives={"loss": "minimize"}, sampler=sampler, warm_start=[source])
    study.optimize(_bowl, n_trials=10)
    assert len(study.trials) == 10


def test_the_weight_is_checked() -> None:
    with pytest.raises(ValueError, match="warm_start_weight"):
        pt.samplers.TPESampler(warm_start_weight=0.0)
