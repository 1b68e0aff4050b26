"""Fairness mitigation as scikit-learn estimators a search can choose between.

- :class:`Reduction`: fairlearn's exponentiated-gradient or grid-search reduction around any
  classifier whose ``fit`` takes ``sample_weight``, a ``Pipeline`` included.
- :class:`GroupThresholds`: one decision threshold per group (fairlearn's
  ``ThresholdOptimizer``).
- :class:`Threshold`: one decision threshold for everyone.
- :class:`Abstain`: declines to decide where the model is unsure; evaluated on the rows it
  decides, with ``coverage`` reported by :func:`paretune.evaluate.classifier`.
- :func:`suggest`, :func:`build`, :func:`fit`: the choice of mitigation and its knobs as
  part of a define-by-run search space.

Every estimator takes ``sensitive_features=`` in ``fit`` (and, where it needs them, in
``predict``). Inside a ``Pipeline`` pass them as ``<step>__sensitive_features``, or enable
scikit-learn's metadata routing and call ``set_fit_request(sensitive_features=True)``
(and ``set_predict_request`` where needed) on the step. Needs the ``eval`` extra
(scikit-learn and fairlearn).

Examples:
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> import paretune as pt
    >>> rng = np.random.default_rng(0)
    >>> group = rng.choice(["a", "b"], size=400)
    >>> X = np.c_[rng.normal(size=400), group == "a"]
    >>> y = (X[:, 0] + X[:, 1] + rng.normal(scale=0.5, size=400) > 0.5).astype(int)
    >>> model = pt.mitigation.Reduction(LogisticRegression(), eps=0.05, random_state=0)
    >>> model = model.fit(X, y, sensitive_features=group)
    >>> sorted(model.classes_.tolist())
    [0, 1]
"""

from typing import TYPE_CHECKING
from typing import Any

from paretune._thresholded import ThresholdedClassifier as Threshold
from paretune.mitigation._abstain import Abstain as Abstain
from paretune.mitigation._reduction import CONSTRAINTS as CONSTRAINTS
from paretune.mitigation._reduction import REDUCTION_METHODS as REDUCTION_METHODS
from paretune.mitigation._reduction import Reduction as Reduction
from paretune.mitigation._search import ABSTAIN_RANGE as ABSTAIN_RANGE
from paretune.mitigation._search import EPS_RANGE as EPS_RANGE
from paretune.mitigation._search import METHODS as METHODS
from paretune.mitigation._search import build as build
from paretune.mitigation._search import fit as fit
from paretune.mitigation._search import suggest as suggest
from paretune.mitigation._thresholds import THRESHOLD_CONSTRAINTS as THRESHOLD_CONSTRAINTS
from paretune.mitigation._thresholds import GroupThresholds as GroupThresholds

if TYPE_CHECKING:
    from paretune.mitigation._torch import FairMLPClassifier as FairMLPClassifier

__all__ = [
    "ABSTAIN_RANGE",
    "CONSTRAINTS",
    "EPS_RANGE",
    "METHODS",
    "REDUCTION_METHODS",
    "THRESHOLD_CONSTRAINTS",
    "Abstain",
    "FairMLPClassifier",
    "GroupThresholds",
    "Reduction",
    "Threshold",
    "build",
    "fit",
    "suggest",
]

_LAZY = {"FairMLPClassifier": "paretune.mitigation._torch"}
"""Names imported on first access: they need optional dependencies (torch, when used)."""


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'paretune.mitigation' has no attribute {name!r}")
