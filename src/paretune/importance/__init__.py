"""Which parameters matter: importance of each parameter for each objective and constraint.

A PED-ANOVA-style estimator (numpy only, no surrogate model, deterministic): for each
target, the parameters whose values among the study's best trials differ most from their
values among all trials are the important ones. It holds up on tens of trials.

Examples:
    >>> import paretune as pt
    >>> study = pt.create_study(
    ...     objectives={"loss": "minimize"}, sampler=pt.samplers.RandomSampler(seed=0)
    ... )
    >>> study.optimize(
    ...     lambda t: {"loss": t.suggest_float("x", 0, 1) + 0 * t.suggest_float("z", 0, 1)},
    ...     n_trials=30,
    ... )
    >>> next(iter(pt.importance.importances(study)["loss"]))
    'x'
"""

from paretune.importance._ped_anova import DEFAULT_QUANTILE as DEFAULT_QUANTILE
from paretune.importance._ped_anova import importances as importances
from paretune.importance._ped_anova import param_importances as param_importances
from paretune.importance._targets import MIN_TRIALS as MIN_TRIALS

__all__ = [
    "DEFAULT_QUANTILE",
    "MIN_TRIALS",
    "importances",
    "param_importances",
]
