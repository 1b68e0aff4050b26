"""The methods a fitted search hands to the estimator it refit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from typing import TypeVar

from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

__all__ = ["RefitDelegation"]

F = TypeVar("F", bound=Callable[..., Any])


def _delegated(attr: str) -> Callable[[F], F]:
    """``available_if``: the method exists when the refit estimator (else the unfitted
    one) has ``attr``."""

    def check(search: Any) -> bool:
        owner = search.__dict__.get("best_estimator_", search.estimator)
        getattr(owner, attr)
        return True

    decorator: Callable[[F], F] = available_if(check)
    return decorator


class RefitDelegation:
    """``predict``, ``predict_proba``, ... of ``best_estimator_``, for a search that sets
    it in ``fit`` (and keeps the unfitted one in ``estimator``). Each method exists when
    that estimator has it, and raises ``NotFittedError`` before ``fit`` and
    ``AttributeError`` after a ``fit`` without refit."""

    estimator: Any
    best_estimator_: Any

    def _refit_estimator(self, method: str) -> Any:
        check_is_fitted(self)
        if "best_estimator_" not in self.__dict__:
            raise AttributeError(
                f"{type(self).__name__} was fitted with refit=False, so {method} is not "
                "available; set refit=True (or a rule) to refit the chosen configuration."
            )
        return self.best_estimator_

    @_delegated("predict")
    def predict(self, X: Any) -> Any:
        """``best_estimator_.predict(X)``."""
        return self._refit_estimator("predict").predict(X)

    @_delegated("predict_proba")
    def predict_proba(self, X: Any) -> Any:
        """``best_estimator_.predict_proba(X)``."""
        return self._refit_estimator("predict_proba").predict_proba(X)

    @_delegated("predict_log_proba")
    def predict_log_proba(self, X: Any) -> Any:
        """``best_estimator_.predict_log_proba(X)``."""
        return self._refit_estimator("predict_log_proba").predict_log_proba(X)

    @_delegated("decision_function")
    def decision_function(self, X: Any) -> Any:
        """``best_estimator_.decision_function(X)``."""
        return self._refit_estimator("decision_function").decision_function(X)

    @property
    def classes_(self) -> Any:
        """The classes of ``best_estimator_``."""
        return self._refit_estimator("classes_").classes_

    @property
    def n_features_in_(self) -> int:
        """Number of features seen by ``best_estimator_``."""
        try:
            estimator = self._refit_estimator("n_features_in_")
        except Exception as exc:
            raise AttributeError(f"n_features_in_ is not available: {exc}") from exc
        return int(estimator.n_features_in_)

    @property
    def feature_names_in_(self) -> Any:
        """Feature names seen by ``best_estimator_``."""
        try:
            estimator = self._refit_estimator("feature_names_in_")
        except Exception as exc:
            raise AttributeError(f"feature_names_in_ is not available: {exc}") from exc
        return estimator.feature_names_in_
