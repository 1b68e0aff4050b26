"""Operating-point selection: known-answer fronts for every rule, ties and errors."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from collections.abc import Sequence

import pytest

import paretune as pt
from paretune.exceptions import NoSelectionError
from paretune.select import Chebyshev
from paretune.select import EpsilonConstraint
from paretune.select import Knee
from paretune.select import SelectionRule
from paretune.select import Weighted
from paretune.select import distinct

ACC_EO = {"accuracy": "maximize", "eo_diff": "minimize"}


def told(
    rows: Sequence[Mapping[str, float]],
    objectives: Mapping[str, str] | None = None,
    constraints: Mapping[str, tuple[str, float]] | None = None,
) -> pt.Study:
    """A study whose trial ``i`` was told ``rows[i]``, with parameter ``k = i``."""
    study = pt.create_study(objectives=dict(objectives or ACC_EO), constraints=constraints)
    for i, row in enumerate(rows):
        study.enqueue({"k": i})
        trial = study.ask()
        trial.suggest_int("k", 0, 1000)
        study.tell(trial, dict(row))
    return study


def with_repeats(
    monkeypatch: pytest.MonkeyPatch, study: pt.Study, repeats: Mapping[int, Sequence[Mapping]]
) -> None:
    """Make ``study.repeats(number)`` return hand-set repeats (empty for other trials)."""

    def fake(number: int) -> list[dict[str, float]]:
        return [dict(r) for r in repeats.get(number, [])]

    monkeypatch.setattr(study, "repeats", fake)


def numbers(trials: Sequence[pt.TrialRecord]) -> list[int]:
    return [t.number for t in trials]


# ---- the package ---------------------------------------------------------------------------
def test_select_is_a_lazy_attribute_of_paretune_and_rules_are_frozen() -> None:
    assert pt.select.Knee is Knee
    assert "select" in dir(pt)
    for rule in (
        Knee(),
        Weighted({"accuracy": 1.0}),
        Chebyshev({"accuracy": 1.0}),
        EpsilonConstraint(maximize="accuracy"),
    ):
        assert isinstance(rule, SelectionRule)
        with pytest.raises(dataclasses.FrozenInstanceError):
            rule.confidence = 0.5  # type: ignore[misc,attr-defined]
    with pytest.raises(TypeError):
        SelectionRule()  # type: ignore[abstract]


def test_rules_copy_their_mappings() -> None:
    weights = {"accuracy": 1.0}
    rule = Weighted(weights)
    weights["accuracy"] = 0.0
    assert rule.weights == {"accuracy": 1.0}
    assert repr(EpsilonConstraint(minimize="eo_diff", limits={"accuracy": 0.8})) == (
        "EpsilonConstraint(maximize=None, minimize='eo_diff', limits={'accuracy': 0.8}, "
        "confidence=None)"
    )


def test_pareto_front_is_ordered_by_number() -> None:
    study = told([{"accuracy": 0.9 - 0.1 * i, "eo_diff": 0.1 - 0.02 * i} for i in range(5)])
    assert numbers(study.pareto_front()) == [0, 1, 2, 3, 4]


# ---- Knee ----------------------------------------------------------------------------------
# Losses (both minimised, already in [0, 1]): the chord from (0, 1) to (1, 0) is x + y = 1.
# Trial 1 lies farthest inside it (1 - 0.47 = 0.53 against 0.4 for trial 2), while trial 2
# is the closest to the ideal point (0.42 against 0.45): the rule must use the chord.
CONVEX = [(0.0, 1.0), (0.02, 0.45), (0.3, 0.3), (1.0, 0.0)]


def test_knee_of_a_convex_front_is_the_point_farthest_inside_the_chord() -> None:
    study = told(
        [{"a": x, "b": y} for x, y in CONVEX], objectives={"a": "minimize", "b": "minimize"}
    )
    assert study.select(Knee()).number == 1


def test_knee_ignores_units_direction_and_candidate_order() -> None:
    # accuracy = 0.9 - 0.1 x (maximised), eo_diff = 0.2 y: the same front after normalising.
    study = told([{"accuracy": 0.9 - 0.1 * x, "eo_diff": 0.2 * y} for x, y in CONVEX])
    front = study.pareto_front()
    assert numbers(front) == [0, 1, 2, 3]
    assert study.select(Knee(), candidates=front[::-1]).number == 1


def test_knee_of_a_concave_front_falls_back_to_the_point_closest_to_the_ideal() -> None:
    # (0.5, 0.6) lies beyond the chord x + y = 1, so there is no knee; it is the closest to 0.
    rows = [{"a": x, "b": y} for x, y in [(0.0, 1.0), (0.5, 0.6), (1.0, 0.0)]]
    study = told(rows, objectives={"a": "minimize", "b": "minimize"})
    assert study.select(Knee()).number == 1
    two = study.pareto_front()[::2]  # only the extremes: equally close, the lower number wins
    assert study.select(Knee(), candidates=two).number == 0


def test_knee_with_three_objectives_is_the_point_closest_to_the_ideal() -> None:
    rows = [
        {"a": 0.0, "b": 1.0, "c": 0.0},
        {"a": 1.0, "b": 0.0, "c": 0.0},
        {"a": 1.0, "b": 1.0, "c": 1.0},
        {"a": 0.4, "b": 0.5, "c": 0.6},
        {"a": 0.2, "b": 0.9, "c": 0.3},
    ]
    study = told(rows, objectives={"a": "minimize", "b": "minimize", "c": "maximize"})
    assert numbers(study.pareto_front()) == [0, 1, 2, 3, 4]
    # c is maximised, so it normalises to 1 - c; distances to 0: 1.41, 1.41, 1.41,
    # 0.75 (0.4, 0.5, 0.4) and 1.16 (0.2, 0.9, 0.7).
    assert study.select(Knee()).number == 3


def test_knee_of_one_objective_is_the_best_trial() -> None:
    study = told([{"loss": v} for v in (0.3, 0.1, 0.2)], objectives={"loss": "minimize"})
    assert study.select(Knee(), candidates=study.trials).number == 1


# ---- EpsilonConstraint --------------------------------------------------------------------
FOUR = [
    {"accuracy": 0.80, "eo_diff": 0.010, "roc_auc": 0.90},
    {"accuracy": 0.84, "eo_diff": 0.030, "roc_auc": 0.70},
    {"accuracy": 0.86, "eo_diff": 0.049, "roc_auc": 0.85},
    {"accuracy": 0.90, "eo_diff": 0.090, "roc_auc": 0.95},
]


def test_epsilon_constraint_picks_the_most_accurate_trial_under_an_eo_limit() -> None:
    study = told(FOUR)
    assert (
        study.select(EpsilonConstraint(maximize="accuracy", limits={"eo_diff": 0.05})).number == 2
    )
    assert (
        study.select(EpsilonConstraint(maximize="accuracy", limits={"eo_diff": 0.049})).number == 2
    )
    assert (
        study.select(EpsilonConstraint(maximize="accuracy", limits={"eo_diff": 0.04})).number == 1
    )
    assert study.select(EpsilonConstraint(maximize="accuracy")).number == 3


def test_a_maximised_objective_is_a_lower_limit_and_explicit_pairs_work() -> None:
    study = told(FOUR)
    rule = EpsilonConstraint(minimize="eo_diff", limits={"accuracy": 0.85})
    assert study.select(rule).number == 2
    # roc_auc is no objective: an explicit side is needed, and it applies as given.
    rule = EpsilonConstraint(maximize="accuracy", limits={"eo_diff": 0.05, "roc_auc": (">=", 0.86)})
    assert study.select(rule).number == 0
    rule = EpsilonConstraint(maximize="accuracy", limits={"eo_diff": ("<=", 0.05)})
    assert study.select(rule).number == 2


def test_limits_on_constrained_metrics_take_the_constraints_side() -> None:
    rows = [
        {"accuracy": 0.80, "eo_diff": 0.01, "latency_ms": 5.0, "worst_group_acc": 0.75},
        {"accuracy": 0.85, "eo_diff": 0.03, "latency_ms": 15.0, "worst_group_acc": 0.72},
        {"accuracy": 0.90, "eo_diff": 0.05, "latency_ms": 25.0, "worst_group_acc": 0.68},
    ]
    study = told(rows, constraints={"latency_ms": ("<=", 50.0), "worst_group_acc": (">=", 0.5)})
    rule = EpsilonConstraint(maximize="accuracy", limits={"latency_ms": 20.0})
    assert study.select(rule).number == 1
    rule = EpsilonConstraint(maximize="accuracy", limits={"worst_group_acc": 0.74})
    assert study.select(rule).number == 0


def test_no_candidate_within_the_limits_names_the_closest_and_its_miss() -> None:
    study = told(FOUR)
    rule = EpsilonConstraint(maximize="accuracy", limits={"eo_diff": 0.005, "roc_auc": (">=", 0.5)})
    with pytest.raises(
        NoSelectionError, match=r"closest, trial 0, misses eo_diff <= 0\.005 by 0\.005"
    ) as info:
        study.select(rule)
    assert isinstance(info.value, ValueError) and isinstance(
        info.value, pt.exceptions.ParetuneError
    )
    assert info.value.closest == 0
    assert info.value.misses == {"eo_diff <= 0.005": pytest.approx(0.005)}
    assert "(measured 0.01)" in str(info.value)


def test_the_closest_misses_fewest_limits_first() -> None:
    study = told(FOUR)
    rule = EpsilonConstraint(maximize="accuracy", limits={"eo_diff": 0.02, "roc_auc": (">=", 0.96)})
    with pytest.raises(NoSelectionError) as info:
        study.select(rule)
    # Trial 0 misses only roc_auc (by 0.06); every other trial misses both.
    assert info.value.closest == 0
    assert list(info.value.misses) == ["roc_auc >= 0.96"]


# ---- EpsilonConstraint with confidence ----------------------------------------------------
# Trial 2's single eo_diff (0.049) and its repeats' mean (0.047) are under 0.05, but the
# repeats spread: s = 0.0057 over 5 repeats, t(0.9, 4) = 1.533, so the upper 90% bound is
# 0.047 + 1.533 * 0.0057 / sqrt(5) = 0.0509 > 0.05. Trial 1's repeats are tight.
REPEATS = {
    1: [{"accuracy": a, "eo_diff": e} for a, e in [(0.83, 0.030), (0.84, 0.031), (0.85, 0.029)]],
    2: [{"accuracy": 0.86, "eo_diff": e} for e in (0.040, 0.047, 0.054, 0.043, 0.051)],
    3: [{"accuracy": 0.9, "eo_diff": e} for e in (0.09, 0.1)],
}


def test_confidence_excludes_a_trial_whose_upper_bound_crosses_the_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    study = told(FOUR)
    with_repeats(monkeypatch, study, REPEATS)
    plain = EpsilonConstraint(maximize="accuracy", limits={"eo_diff": 0.05})
    assert study.select(plain).number == 2
    assert study.select(dataclasses.replace(plain, confidence=0.9)).number == 1
    # At a lower level trial 2's bound is under the limit again.
    from scipy import stats

    values = [0.040, 0.047, 0.054, 0.043, 0.051]
    mean = sum(values) / 5
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / 4)
    assert mean + stats.t.ppf(0.9, 4) * sd / math.sqrt(5) > 0.05
    assert mean + stats.t.ppf(0.6, 4) * sd / math.sqrt(5) < 0.05
    assert study.select(dataclasses.replace(plain, confidence=0.6)).number == 2


def test_confidence_ranks_by_the_repeats_mean_not_the_single_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    study = told(FOUR)
    # Trial 2 looked better once (0.86) but averages 0.82 over its repeats; trial 1: 0.84.
    repeats = {
        1: REPEATS[1],
        2: [{"accuracy": a, "eo_diff": 0.01} for a in (0.81, 0.82, 0.83)],
    }
    with_repeats(monkeypatch, study, repeats)
    rule = EpsilonConstraint(maximize="accuracy", limits={"eo_diff": 0.05}, confidence=0.9)
    assert study.select(rule).number == 1


def test_confidence_leaves_out_trials_with_fewer_than_two_repeats(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    study = told(FOUR)
    # Trial 0 meets the limit with a single repeat, trial 3 has none: neither is trusted.
    with_repeats(monkeypatch, study, {0: [FOUR[0]], 1: REPEATS[1], 2: REPEATS[2]})
    rule = EpsilonConstraint(maximize="accuracy", limits={"eo_diff": 0.05}, confidence=0.9)
    assert study.select(rule).number == 1
    tight = dataclasses.replace(rule, limits={"eo_diff": 0.02})
    with pytest.raises(NoSelectionError) as info:
        study.select(tight)
    text = str(info.value)
    assert "the closest, trial 1, misses eo_diff <= 0.02 by" in text
    assert "upper 90% confidence bound" in text and "over 3 repeats" in text
    assert "2 candidate(s) with fewer than 2 repeats were left out" in text
    assert "study.reevaluate(...)" in text


def test_confidence_without_any_repeats_says_to_reevaluate() -> None:
    study = told(FOUR)
    rule = EpsilonConstraint(maximize="accuracy", limits={"eo_diff": 0.05}, confidence=0.9)
    with pytest.raises(
        NoSelectionError, match=r"re-evaluate them with study\.reevaluate\(\.\.\.\)"
    ) as info:
        study.select(rule)
    assert info.value.closest is None
    assert "None of the 4 candidates has the 2 or more repeats" in str(info.value)


def test_confidence_reads_the_repeats_that_study_reevaluate_stores() -> None:
    study = told(FOUR)
    pending = {k: iter(rows) for k, rows in REPEATS.items()}

    def again(params: Mapping[str, int], seed: int) -> dict[str, float]:
        return dict(next(pending[params["k"]]))

    finalists = [t for t in study.trials if t.number in REPEATS]
    study.reevaluate(again, trials=finalists, repeats=2)  # 2 repeats each: trial 2's
    study.reevaluate(again, trials=finalists[1:2], repeats=5)  # then 5 for trial 2
    assert len(study.repeats(2)) == 5 and study.repeats(0) == []
    rule = EpsilonConstraint(maximize="accuracy", limits={"eo_diff": 0.05}, confidence=0.9)
    assert study.select(rule).number == 1


# ---- Weighted and Chebyshev ----------------------------------------------------------------
def test_one_hot_weights_pick_the_extreme_points() -> None:
    study = told([{"accuracy": 0.9 - 0.1 * x, "eo_diff": 0.2 * y} for x, y in CONVEX])
    for rule_type in (Weighted, Chebyshev):
        assert study.select(rule_type({"accuracy": 1.0})).number == 0
        assert study.select(rule_type({"accuracy": 1.0, "eo_diff": 0.0})).number == 0
        assert study.select(rule_type({"eo_diff": 2.0})).number == 3


def test_balanced_weights_pick_the_compromise() -> None:
    study = told([{"accuracy": 0.9 - 0.1 * x, "eo_diff": 0.2 * y} for x, y in CONVEX])
    # Normalised points: (0, 1), (0.02, 0.45), (0.3, 0.3), (1, 0).
    assert study.select(Weighted({"accuracy": 1, "eo_diff": 1})).number == 1  # sum 0.47
    assert study.select(Chebyshev({"accuracy": 1, "eo_diff": 1})).number == 2  # max 0.3
    # Weighting accuracy 3x: Chebyshev maxima 1.0, 0.45, 0.9, 3.0.
    assert study.select(Chebyshev({"accuracy": 3, "eo_diff": 1})).number == 1


def test_chebyshev_reference_is_in_the_objectives_units() -> None:
    study = told([{"accuracy": 0.9 - 0.1 * x, "eo_diff": 0.2 * y} for x, y in CONVEX])
    # A reference at trial 2's values: only trial 2 scores 0; the others score above.
    reference = {"accuracy": 0.87, "eo_diff": 0.06}
    assert study.select(Chebyshev({"accuracy": 1, "eo_diff": 1}, reference=reference)).number == 2
    # An aspiration far beyond every eo_diff: scores max(x, y + 1) = 2, 1.45, 1.3, 1.
    reference = {"accuracy": 0.9, "eo_diff": -0.2}
    assert study.select(Chebyshev({"accuracy": 1, "eo_diff": 1}, reference=reference)).number == 3


def test_zero_weights_cannot_pick_a_dominated_candidate() -> None:
    rows = [{"accuracy": 0.9, "eo_diff": 0.2}, {"accuracy": 0.9, "eo_diff": 0.1}]
    study = told(rows)
    for rule in (Weighted({"accuracy": 1.0}), Chebyshev({"accuracy": 1.0})):
        assert study.select(rule, candidates=study.trials).number == 1


@pytest.mark.parametrize("rule_type", [Weighted, Chebyshev])
@pytest.mark.parametrize(
    "weights",
    [{}, {"accuracy": -1.0}, {"accuracy": 0.0, "eo_diff": 0.0}, {"accuracy": math.inf}, [1.0]],
)
def test_weights_must_be_non_negative_finite_and_not_all_zero(rule_type, weights) -> None:
    with pytest.raises(ValueError, match="weight"):
        rule_type(weights)


def test_weights_and_reference_must_name_objectives() -> None:
    study = told(FOUR)
    with pytest.raises(ValueError, match=r"\['acc'\].*valid names are \['accuracy', 'eo_diff'\]"):
        study.select(Weighted({"acc": 1.0}))
    with pytest.raises(ValueError, match="roc_auc"):
        study.select(Chebyshev({"accuracy": 1.0}, reference={"roc_auc": 0.5}))
    with pytest.raises(ValueError, match="finite"):
        Chebyshev({"accuracy": 1.0}, reference={"accuracy": math.nan})


# ---- ties ----------------------------------------------------------------------------------
def test_distinct_groups_identical_trials_in_order_of_first_appearance() -> None:
    constant = {"accuracy": 0.7, "eo_diff": 0.0}
    study = told(
        [
            {"accuracy": 0.9, "eo_diff": 0.1},
            constant,
            constant,
            {"accuracy": 0.9, "eo_diff": 0.1},
            constant,
        ]
    )
    groups = distinct(study.trials)
    assert [numbers(g) for g in groups] == [[0, 3], [1, 2, 4]]
    assert [numbers(g) for g in distinct(study.trials[::-1])] == [[4, 2, 1], [3, 0]]
    # Compared metrics can be chosen: on eo_diff alone the same split.
    assert [numbers(g) for g in distinct(study.trials, metrics=["eo_diff"])] == [[0, 3], [1, 2, 4]]


def test_ties_on_extra_metrics_still_group_under_the_rules() -> None:
    # Same objectives, different latency (not an objective or constraint): one candidate.
    rows = [
        {"accuracy": 0.7, "eo_diff": 0.0, "latency_ms": 3.0},
        {"accuracy": 0.9, "eo_diff": 0.1, "latency_ms": 3.0},
        {"accuracy": 0.7, "eo_diff": 0.0, "latency_ms": 4.0},
    ]
    study = told(rows)
    assert len(distinct(study.trials)) == 3
    reverse = study.trials[::-1]
    assert study.select(Weighted({"eo_diff": 1.0}), candidates=reverse).number == 0
    assert study.select(Chebyshev({"eo_diff": 1.0}), candidates=reverse).number == 0
    rule = EpsilonConstraint(maximize="accuracy", limits={"eo_diff": 0.05})
    assert study.select(rule, candidates=reverse).number == 0


def test_a_tied_group_is_one_point_for_the_knee() -> None:
    # Trial 1 and 3 are one point: the front has three points and its knee is that point.
    rows = [(0.0, 1.0), (0.1, 0.1), (1.0, 0.0), (0.1, 0.1)]
    study = told([{"a": x, "b": y} for x, y in rows], objectives={"a": "minimize", "b": "minimize"})
    assert numbers(study.pareto_front()) == [0, 1, 2, 3]
    assert study.select(Knee(), candidates=study.pareto_front()[::-1]).number == 1


# ---- errors --------------------------------------------------------------------------------
def test_an_empty_front_is_a_no_selection_error() -> None:
    study = pt.create_study(objectives={"loss": "minimize"})
    with pytest.raises(NoSelectionError, match="are empty"):
        study.select(Knee())
    study = told(
        [{"accuracy": 0.9, "eo_diff": 0.1, "latency_ms": 80.0}],
        constraints={"latency_ms": ("<=", 50.0)},
    )
    with pytest.warns(pt.exceptions.NoFeasibleTrialWarning):
        with pytest.raises(NoSelectionError, match="Pareto front of study"):
            study.select(EpsilonConstraint(maximize="accuracy"))


def test_unknown_metric_names_list_the_valid_ones() -> None:
    study = told(FOUR)
    valid = r"valid names are \['accuracy', 'eo_diff', 'roc_auc'\]"
    with pytest.raises(ValueError, match=r"\['acc'\].*" + valid):
        study.select(EpsilonConstraint(maximize="acc"))
    with pytest.raises(ValueError, match=r"\['eo'\].*" + valid):
        study.select(EpsilonConstraint(maximize="accuracy", limits={"eo": 0.1}))


def test_a_bare_limit_needs_a_direction_from_the_study() -> None:
    study = told(FOUR)
    with pytest.raises(ValueError, match=r"pass \('<=', 0.8\) or \('>=', 0.8\)"):
        study.select(EpsilonConstraint(maximize="accuracy", limits={"roc_auc": 0.8}))


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"maximize": "accuracy", "minimize": "eo_diff"},
        {"maximize": ""},
        {"maximize": "accuracy", "limits": {"eo_diff": ("<", 0.1)}},
        {"maximize": "accuracy", "limits": {"eo_diff": ("<=", 0.1, 2)}},
        {"maximize": "accuracy", "limits": {"eo_diff": math.nan}},
        {"maximize": "accuracy", "limits": {"eo_diff": "0.1"}},
        {"maximize": "accuracy", "limits": [("eo_diff", 0.1)]},
        {"maximize": "accuracy", "confidence": 1.0},
        {"maximize": "accuracy", "confidence": 0},
        {"maximize": "accuracy", "confidence": True},
    ],
)
def test_epsilon_constraint_validates_its_settings(kwargs) -> None:
    with pytest.raises(ValueError):
        EpsilonConstraint(**kwargs)


def test_select_checks_the_rule_and_the_candidates() -> None:
    study = told(FOUR)
    with pytest.raises(TypeError, match=r"paretune\.select rule"):
        study.select("knee")  # type: ignore[arg-type]
    running = study.ask()
    with pytest.raises(ValueError, match=f"trial {running.number} \\(running\\)"):
        study.select(Knee(), candidates=[*study.pareto_front(), study.trials[-1]])
