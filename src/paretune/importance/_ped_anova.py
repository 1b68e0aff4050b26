"""PED-ANOVA-style importance: how much each parameter sets the top trials apart."""

from __future__ import annotations

from collections.abc import Collection
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from paretune.importance._axes import axis_for
from paretune.importance._divergence import top_mask
from paretune.importance._targets import MIN_TRIALS
from paretune.importance._targets import Target
from paretune.importance._targets import find_target
from paretune.importance._targets import importance_trials
from paretune.importance._targets import study_targets
from paretune.trial import TrialRecord

if TYPE_CHECKING:
    from paretune.study import Study

DEFAULT_QUANTILE = 0.2
"""The share of trials that counts as the top (the best ``quantile`` for the target)."""


def param_importances(
    study: Study,
    target: str,
    *,
    quantile: float = DEFAULT_QUANTILE,
    params: Collection[str] | None = None,
    budget: float | None = None,
) -> dict[str, float]:
    """How much each parameter decides whether a trial is among the best for ``target``.

    Over the study's complete trials, the best ``quantile`` of them for the target (at
    least two; trials tied at the cut are all in or all out, whichever count is nearer)
    are the *top* trials. For each parameter, the density of its
    values among the top trials is compared with their density among all trials by the
    Pearson chi-squared divergence: a parameter whose good values are narrow scores high,
    one whose top values spread as all values do scores near 0. This is the idea of
    PED-ANOVA (Watanabe et al., IJCAI 2023); it needs no surrogate model and holds up on
    tens of trials. The scores are divided by their sum.

    Numerical parameters are compared in ``[0, 1]`` (log-scaled ones in the log) with
    Gaussian kernel densities; categorical ones, and integer or stepped ones with at most
    eight values, by the frequency of each level. A conditional parameter, one that only
    some trials have, is scored over those trials: the top ones among them against all of
    them, times ``a**2 / b``, where ``a`` is the share of the top trials and ``b`` the share
    of all trials that have it. So a parameter of a branch that never reaches the top
    scores 0, however much it matters inside its branch; one that fewer than five trials
    have scores 0 too. The parameter whose value opens the branch is scored like any
    other, and is credited with the choice of branch.

    Args:
        study: The study.
        target: An objective's name (its best trials: largest when maximised, smallest
            when minimised) or a constrained metric's name (its trials with the smallest
            violation, i.e. furthest on the feasible side).
        quantile: The share of trials that are the top, in ``(0, 1)``; 0.1-0.3 suits
            tens to hundreds of trials.
        params: Score only these parameters (normalised among them); None scores all.
        budget: In a study with a fidelity, use the trials at this budget; None uses the
            full budget (``fidelity.high``), as the Pareto front does.

    Returns:
        Parameter name -> importance, non-negative and summing to 1 (all 0 when no
        parameter sets the top trials apart, e.g. when the target is constant), ordered from
        most to least important. Deterministic: no randomness is involved.

    Raises:
        ValueError: If ``target`` is neither an objective nor a constrained metric, fewer
            than five complete trials are available, ``quantile`` is outside ``(0, 1)``,
            ``params`` names a parameter no trial has, or ``budget`` is given for a study
            without a fidelity.

    Examples:
        >>> import paretune as pt
        >>> study = pt.create_study(
        ...     objectives={"loss": "minimize"}, sampler=pt.samplers.RandomSampler(seed=0)
        ... )
        >>> study.optimize(
        ...     lambda t: {"loss": (t.suggest_float("x", 0, 1) - 0.2) ** 2
        ...                + 0 * t.suggest_float("z", 0, 1)},
        ...     n_trials=40,
        ... )
        >>> list(pt.importance.param_importances(study, "loss"))
        ['x', 'z']
    """
    _check_quantile(quantile)
    found = find_target(study, target)
    return _score(importance_trials(study, budget), found, quantile, params)


def importances(
    study: Study,
    *,
    quantile: float = DEFAULT_QUANTILE,
    params: Collection[str] | None = None,
    budget: float | None = None,
) -> dict[str, dict[str, float]]:
    """:func:`param_importances` for every objective and every constraint of the study.

    Args:
        study: The study.
        quantile: The share of trials that are the top, in ``(0, 1)``.
        params: Score only these parameters; None scores all.
        budget: In a study with a fidelity, the budget whose trials are used; None uses the
            full budget.

    Returns:
        Target name -> (parameter name -> importance): the objectives in order, then each
        constrained metric that is not also an objective.

    Raises:
        ValueError: As :func:`param_importances` does.
    """
    _check_quantile(quantile)
    trials = importance_trials(study, budget)
    return {t.name: _score(trials, t, quantile, params) for t in study_targets(study)}


def _check_quantile(quantile: float) -> None:
    if not 0.0 < quantile < 1.0:
        raise ValueError(f"`quantile` must lie in (0, 1), but got quantile={quantile!r}.")


def _score(
    trials: Sequence[TrialRecord],
    target: Target,
    quantile: float,
    params: Collection[str] | None,
) -> dict[str, float]:
    """Normalised importances of ``params`` (all when None) for ``target`` over ``trials``."""
    names = sorted({name for r in trials for name in r.params})
    if params is not None:
        unknown = sorted(set(params) - set(names))
        if unknown:
            raise ValueError(
                f"No trial has parameter(s) {unknown!r}; the parameters are {names!r}."
            )
        names = [n for n in names if n in params]
    losses = np.asarray([target.loss(r) for r in trials], dtype=np.float64)
    top = top_mask(losses, quantile)
    raw = {name: _raw_importance(trials, top, name) for name in names}
    total = sum(raw.values())
    scores = {n: (v / total if total > 0.0 else 0.0) for n, v in raw.items()}
    return dict(sorted(scores.items(), key=lambda item: (-item[1], item[0])))


def _raw_importance(trials: Sequence[TrialRecord], top: np.ndarray, name: str) -> float:
    """The divergence of ``name`` among the trials that have it, weighted for its branch.

    With ``a`` the share of the top trials that have the parameter and ``b`` the share of
    all trials that do, the weight is ``a**2 / b`` (1 for a parameter every trial has).
    Treating "absent" as one more value of the parameter, its divergence over all trials
    is the divergence of being present, plus ``a**2 / b`` times the divergence among the
    trials that have it; the first part is the branch's, credited to the parameter that
    opens it, so only the second counts here.
    """
    have = np.asarray([name in r.params for r in trials])
    n_have, n_top_have = int(have.sum()), int(top[have].sum())
    if n_have < MIN_TRIALS or n_top_have == 0 or top.all():
        return 0.0
    records = [r for r, keep in zip(trials, have, strict=True) if keep]
    values = [r.params[name] for r in records]
    axis = axis_for([r.distributions[name] for r in records], values)
    a, b = n_top_have / int(top.sum()), n_have / len(trials)
    return axis.divergence(values, top[have]) * a * a / b
