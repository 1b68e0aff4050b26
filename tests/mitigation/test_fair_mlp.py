"""FairMLPClassifier: the dual-ascent penalty on real data, per-epoch reporting, errors."""

from __future__ import annotations

import pickle
import subprocess
import sys
from typing import Any

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("sklearn")
pytest.importorskip("fairlearn")

import paretune as pt
from paretune.exceptions import MitigationInputError
from paretune.mitigation._torch import FairMLPClassifier

SEEDS = range(5)


@pytest.fixture(scope="module")
def credit() -> dict[str, Any]:
    """German credit, encoded once: 600 training and 200 validation rows, groups by sex."""
    data = pt.datasets.load_german_credit()
    pre = data.preprocessor().fit(data.train.X)
    return {
        "X": pre.transform(data.train.X),
        "y": data.train.y,
        "s": data.train.sensitive,
        "X_val": pre.transform(data.validation.X),
        "y_val": data.validation.y,
        "s_val": data.validation.sensitive,
    }


def _fit(credit: dict[str, Any], **params: Any) -> FairMLPClassifier:
    model = FairMLPClassifier(**{"hidden": (32,), "epochs": 20, **params})
    return model.fit(credit["X"], credit["y"], sensitive_features=credit["s"])


def _train_metrics(model: FairMLPClassifier, credit: dict[str, Any]) -> Any:
    return pt.evaluate.classifier(
        model,
        credit["X"],
        credit["y"],
        sensitive_features=credit["s"],
        metrics=["accuracy", "equalized_odds_difference"],
    )


# ---- the penalty -----------------------------------------------------------------------
def test_a_tight_bound_cuts_the_equalized_odds_difference_at_some_accuracy_cost(
    credit: dict[str, Any],
) -> None:
    plain = [_train_metrics(_fit(credit, eps=1.0, random_state=s), credit) for s in SEEDS]
    fair = [_train_metrics(_fit(credit, eps=0.02, random_state=s), credit) for s in SEEDS]
    eo_plain = np.mean([m["equalized_odds_difference"] for m in plain])
    eo_fair = np.mean([m["equalized_odds_difference"] for m in fair])
    acc_plain = np.mean([m["accuracy"] for m in plain])
    acc_fair = np.mean([m["accuracy"] for m in fair])
    # Measured: EO 0.129 -> 0.041, accuracy 0.889 -> 0.817 (base rate 0.70).
    assert eo_fair < 0.5 * eo_plain
    assert 0.75 < acc_fair < acc_plain


def test_the_multiplier_rises_while_the_constraint_is_broken_and_falls_once_it_holds(
    credit: dict[str, Any],
) -> None:
    model = _fit(credit, eps=0.02, random_state=0)
    history = model.history_
    assert [h["epoch"] for h in history] == list(range(1, 21))
    assert all(h["loss"] > 0 and h["constraint"] >= 0 for h in history)
    previous = 0.0
    for h in history:
        if h["constraint"] > model.eps:
            assert h["lambda"] > previous
        previous = h["lambda"]
    assert model.lambda_ == history[-1]["lambda"] > 0.5
    # With room under the bound, each step lowers lambda, down to 0.
    model.set_params(eps=0.9, epochs=30, warm_start=True)
    model.fit(credit["X"], credit["y"], sensitive_features=credit["s"])
    later = [h["lambda"] for h in model.history_[20:]]
    assert all(b <= a for a, b in zip([previous, *later], later, strict=False))
    assert later[-1] == 0.0


def test_without_dual_steps_or_with_a_loose_bound_the_model_is_the_plain_mlp(
    credit: dict[str, Any],
) -> None:
    loose = _fit(credit, eps=1.0, random_state=3)
    frozen = _fit(credit, eps=0.02, dual_lr=0.0, random_state=3)
    assert all(h["lambda"] == 0.0 for h in loose.history_ + frozen.history_)
    np.testing.assert_array_equal(
        loose.predict_proba(credit["X"]), frozen.predict_proba(credit["X"])
    )


def test_demographic_parity_bounds_the_gap_in_mean_probability(credit: dict[str, Any]) -> None:
    sex = credit["s"]["sex9"].to_numpy()

    def gap(model: FairMLPClassifier) -> float:
        p = model.predict_proba(credit["X"])[:, 1]
        return abs(float(p[sex == "male"].mean() - p[sex == "female"].mean()))

    plain = _fit(credit, constraint="demographic_parity", eps=1.0, random_state=0)
    fair = _fit(credit, constraint="demographic_parity", eps=0.01, dual_lr=2.0, random_state=0)
    # Measured: 0.052 -> 0.003 (at most 0.016 over seeds 0-9).
    assert gap(fair) < 0.4 * gap(plain)


# ---- estimator contract ----------------------------------------------------------------
def test_the_same_seed_gives_the_same_model_and_another_seed_another(
    credit: dict[str, Any],
) -> None:
    a, b, c = (_fit(credit, epochs=5, random_state=s) for s in (7, 7, 8))
    np.testing.assert_array_equal(a.predict_proba(credit["X"]), b.predict_proba(credit["X"]))
    assert a.history_ == b.history_
    assert not np.array_equal(a.predict_proba(credit["X"]), c.predict_proba(credit["X"]))


def test_probabilities_are_rows_that_sum_to_one_and_predict_follows_them() -> None:
    rng = np.random.default_rng(0)
    X, group = rng.normal(size=(120, 4)), rng.choice(["a", "b"], 120)
    y = np.where(X[:, 0] > 0, "good", "bad")
    model = FairMLPClassifier(hidden=[8, 4], epochs=3, random_state=0)
    model.fit(X, y, sensitive_features=group)
    proba = model.predict_proba(X)
    assert proba.shape == (120, 2) and ((proba >= 0) & (proba <= 1)).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert model.classes_.tolist() == ["bad", "good"]
    assert (model.predict(X) == model.classes_[(proba[:, 1] >= 0.5).astype(int)]).all()
    assert 0.0 <= model.score(X, y) <= 1.0


def test_clone_and_get_params_round_trip_with_parameters_stored_as_given() -> None:
    from sklearn.base import clone

    model = FairMLPClassifier(hidden=[16, 8], constraint="demographic_parity", lr=0.003)
    assert model.get_params()["hidden"] == [16, 8]
    copy = clone(model)
    assert copy.get_params() == model.get_params() and copy is not model
    copy.set_params(eps=0.1, random_state=4)
    assert (copy.eps, copy.random_state, model.eps) == (0.1, 4, 0.05)


def test_three_plus_three_warm_epochs_give_the_six_epoch_model(credit: dict[str, Any]) -> None:
    six = _fit(credit, epochs=6, random_state=1)
    half = _fit(credit, epochs=3, random_state=1, warm_start=True)
    restored = pickle.loads(pickle.dumps(half))  # a checkpoint between the two budgets
    restored.fit(credit["X"], credit["y"], sensitive_features=credit["s"])
    np.testing.assert_array_equal(
        six.predict_proba(credit["X"]), restored.predict_proba(credit["X"])
    )
    assert restored.history_ == six.history_ and restored.lambda_ == six.lambda_


def test_an_epoch_callback_sees_every_epoch_and_stops_training_with_true(
    credit: dict[str, Any],
) -> None:
    seen: list[tuple[int, float]] = []

    def callback(epoch: int, model: FairMLPClassifier) -> bool:
        seen.append((epoch, float(model.predict_proba(credit["X_val"])[:, 1].mean())))
        return epoch == 4

    model = _fit(credit, random_state=0)
    model.set_params(warm_start=True, epochs=10)
    model.fit(credit["X"], credit["y"], sensitive_features=credit["s"], epoch_callback=callback)
    assert [e for e, _ in seen] == [21, 22, 23, 24, 25, 26, 27, 28, 29, 30]
    fresh = FairMLPClassifier(hidden=(32,), epochs=10, random_state=0)
    fresh.fit(credit["X"], credit["y"], sensitive_features=credit["s"], epoch_callback=callback)
    assert len(fresh.history_) == 4 and seen[-1][0] == 4


# ---- in a study ------------------------------------------------------------------------
def test_a_training_loop_study_reports_each_epoch_and_asha_stops_some_trials(
    credit: dict[str, Any],
) -> None:
    def objective(trial: pt.Trial) -> Any:
        model = FairMLPClassifier(
            hidden=(trial.suggest_int("width", 4, 64, log=True),),
            eps=trial.suggest_float("eps", 0.01, 0.3, log=True),
            dual_lr=trial.suggest_float("dual_lr", 0.1, 3.0, log=True),
            epochs=9,
            random_state=trial.seed,
        )
        last: dict[str, Any] = {}

        def report(epoch: int, model: FairMLPClassifier) -> bool:
            last["metrics"] = metrics = pt.evaluate.classifier(
                model,
                credit["X_val"],
                credit["y_val"],
                sensitive_features=credit["s_val"],
                metrics=["accuracy", "equalized_odds_difference"],
                full_group_table=False,
            )
            trial.report(metrics, step=epoch)
            return trial.should_stop()

        model.fit(credit["X"], credit["y"], sensitive_features=credit["s"], epoch_callback=report)
        if trial.should_stop():
            raise pt.TrialStopped()
        return last["metrics"]

    study = pt.create_study(
        objectives={"accuracy": "maximize", "equalized_odds_difference": "minimize"},
        scheduler=pt.schedulers.ASHAScheduler(min_resource=1, max_resource=9),
        seed=0,
    )
    study.optimize(objective, n_trials=6)
    stopped = study.get_trials(states=[pt.TrialState.STOPPED])
    complete = study.get_trials(states=[pt.TrialState.COMPLETE])
    assert stopped and complete and len(stopped) + len(complete) == 6
    for record in stopped:
        assert max(record.intermediate) in (1, 3)
        assert "ASHAScheduler" in (record.fail_reason or "")
    for record in complete:
        assert sorted(record.intermediate) == list(range(1, 10))


def test_a_budgeted_study_resumes_promoted_configurations_with_warm_start(
    credit: dict[str, Any],
) -> None:
    checkpoints: dict[int, bytes] = {}

    def objective(trial: pt.Trial) -> Any:
        eps = trial.suggest_float("eps", 0.01, 0.3, log=True)
        if trial.previous_trial is None:
            model = FairMLPClassifier(hidden=(16,), eps=eps, random_state=trial.seed)
            model.set_params(warm_start=True)
            trained = 0
        else:
            model = pickle.loads(checkpoints[trial.previous_trial.number])
            trained = trial.previous_budget
        model.set_params(epochs=trial.budget - trained)
        model.fit(credit["X"], credit["y"], sensitive_features=credit["s"])
        assert len(model.history_) == trial.budget
        checkpoints[trial.number] = pickle.dumps(model)
        return _train_metrics(model, credit)

    study = pt.create_study(
        objectives={"accuracy": "maximize", "equalized_odds_difference": "minimize"},
        fidelity=pt.Fidelity("epochs", 1, 9),
        scheduler=pt.schedulers.ASHAScheduler(eta=3),
        seed=0,
    )
    study.optimize(objective, n_trials=8)
    resumed = [r for r in study.trials if r.placement and r.placement.previous_trial is not None]
    assert resumed and all(r.state is pt.TrialState.COMPLETE for r in study.trials)


# ---- errors and imports ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "fit_kwargs", "match"),
    [
        ({}, {"sensitive_features": None}, "needs sensitive_features="),
        ({}, {"sensitive_features": np.array(["a"] * 6)}, "single group"),
        ({}, {"sensitive_features": np.array(["a", "b"])}, "one group label per row"),
        ({"constraint": "eo"}, {}, r"'constraint'.*one of \['demographic_parity'"),
        ({"lr": -1.0}, {}, r"'lr' parameter of FairMLPClassifier must be a finite float > 0"),
        ({"hidden": (8, 0)}, {}, "'hidden' parameter"),
        ({"epochs": 2.5}, {}, "'epochs' parameter"),
    ],
)
def test_bad_input_raises_a_mitigation_input_error_naming_the_fix(
    kwargs: dict[str, Any], fit_kwargs: dict[str, Any], match: str
) -> None:
    X, y = np.arange(12.0).reshape(6, 2), np.array([0, 1] * 3)
    fit_kwargs = {"sensitive_features": np.array(["a", "b"] * 3), **fit_kwargs}
    with pytest.raises(MitigationInputError, match=match):
        FairMLPClassifier(**kwargs).fit(X, y, **fit_kwargs)


@pytest.mark.parametrize("y", [[0, 1, 2, 0, 1, 2], [1] * 6])
def test_a_target_without_exactly_two_classes_is_refused(y: list[int]) -> None:
    with pytest.raises(MitigationInputError, match=r"binary target.*encode the target"):
        FairMLPClassifier().fit(np.zeros((6, 2)), y, sensitive_features=[0, 1] * 3)


def test_a_warm_start_must_keep_the_architecture_and_predict_the_fitted_features() -> None:
    from sklearn.exceptions import NotFittedError

    X, y, s = np.random.default_rng(0).normal(size=(20, 3)), [0, 1] * 10, [0] * 10 + [1] * 10
    model = FairMLPClassifier(hidden=4, epochs=1, warm_start=True, random_state=0)
    with pytest.raises(NotFittedError):
        model.predict(X)
    model.fit(X, y, sensitive_features=s)
    with pytest.raises(MitigationInputError, match="X has 2 features"):
        model.predict(X[:, :2])
    with pytest.raises(MitigationInputError, match="warm_start=False"):
        model.set_params(hidden=(5,)).fit(X, y, sensitive_features=s)


def test_without_torch_fit_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(ImportError, match=r"paretune\[torch\].*download.pytorch.org/whl/cpu"):
        FairMLPClassifier().fit(np.zeros((4, 1)), [0, 1, 0, 1], sensitive_features=[0, 0, 1, 1])


def test_importing_the_module_does_not_import_torch() -> None:
    code = (
        "import sys, paretune, paretune.mitigation, paretune.mitigation._torch; "
        "print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_public_name_is_the_class() -> None:
    assert pt.mitigation.FairMLPClassifier is FairMLPClassifier
