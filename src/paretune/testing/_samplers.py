"""The sampler contract: bounds, Python types, conditional spaces, seeding."""

from __future__ import annotations

from collections.abc import Callable

import paretune as pt
from paretune.samplers import BaseSampler

__all__ = ["SamplerContract", "mixed_objective"]

SamplerFactory = Callable[[int], BaseSampler]
"""A seed in, a fresh sampler out."""


def mixed_objective(trial: pt.Trial) -> dict[str, float]:
    """Two objectives over every kind of parameter, with a conditional branch."""
    x = trial.suggest_float("x", -5.0, 5.0)
    lr = trial.suggest_float("lr", 1e-5, 1e-1, log=True)
    frac = trial.suggest_float("frac", 0.1, 0.9, step=0.2)
    depth = trial.suggest_int("depth", 1, 9, step=2)
    width = trial.suggest_int("width", 8, 512, log=True)
    kind = trial.suggest_categorical("kind", ["a", "b", None, 3])
    extra = trial.suggest_float("extra", 0.0, 1.0) if kind == "a" else 0.0
    return {"f1": x * x + lr + frac + extra, "f2": depth + width / 512}


def run_mixed_study(make_sampler: SamplerFactory, seed: int, n_trials: int) -> pt.Study:
    """A two-objective study of :func:`mixed_objective` with ``make_sampler(seed)``."""
    study = pt.create_study(
        objectives={"f1": "minimize", "f2": "minimize"}, sampler=make_sampler(seed)
    )
    study.optimize(mixed_objective, n_trials=n_trials)
    return study


class SamplerContract:
    """Tests every sampler passes. Subclass it in a test module and give it a
    ``make_sampler`` fixture returning a ``seed -> sampler`` factory::

        class TestMySampler(SamplerContract):
            @pytest.fixture
            def make_sampler(self):
                return lambda seed: MySampler(seed=seed)

    Studies run 40 trials (60 for the conditional check); set ``max_trials`` lower for
    samplers with slow suggestions, keeping it above their start-up trials so the model's
    proposals are checked too.
    """

    max_trials: int | None = None

    def _trials(self, n: int) -> int:
        return n if self.max_trials is None else min(n, self.max_trials)

    def test_values_lie_in_their_distributions_with_python_types(
        self, make_sampler: SamplerFactory
    ) -> None:
        study = run_mixed_study(make_sampler, 0, self._trials(40))
        for trial in study.trials:
            assert trial.state is pt.TrialState.COMPLETE
            for name, value in trial.params.items():
                assert trial.distributions[name].contains(value), (name, value)
            p = trial.params
            assert type(p["x"]) is float and type(p["lr"]) is float and type(p["frac"]) is float
            assert type(p["depth"]) is int and type(p["width"]) is int
            assert p["depth"] % 2 == 1
            assert round((p["frac"] - 0.1) / 0.2, 9) == round((p["frac"] - 0.1) / 0.2)
            assert p["kind"] in ("a", "b", None, 3)

    def test_conditional_parameters_appear_only_in_their_branch(
        self, make_sampler: SamplerFactory
    ) -> None:
        study = run_mixed_study(make_sampler, 1, self._trials(60))
        with_extra = [t for t in study.trials if "extra" in t.params]
        assert with_extra and all(t.params["kind"] == "a" for t in with_extra)
        assert all("extra" not in t.params for t in study.trials if t.params["kind"] != "a")

    def test_same_seed_same_trials_different_seed_different(
        self, make_sampler: SamplerFactory
    ) -> None:
        def params(seed: int) -> list[dict[str, object]]:
            return [
                dict(t.params) for t in run_mixed_study(make_sampler, seed, self._trials(40)).trials
            ]

        first = params(3)
        assert first == params(3)
        assert first != params(4)

    def test_reseed_changes_the_sequence(self, make_sampler: SamplerFactory) -> None:
        sampler = make_sampler(0)
        a = pt.create_study(objectives={"f": "minimize"}, sampler=sampler)
        a.optimize(lambda t: t.suggest_float("u", 0, 1), n_trials=5)
        sampler.reseed_rng(99)
        b = pt.create_study(objectives={"f": "minimize"}, sampler=sampler)
        b.optimize(lambda t: t.suggest_float("u", 0, 1), n_trials=5)
        assert [t.params for t in a.trials] != [t.params for t in b.trials]
