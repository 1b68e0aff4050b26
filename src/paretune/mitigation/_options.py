"""Estimators whose ``**options`` go to a fairlearn class and survive ``clone``."""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from typing import Any

from sklearn.base import BaseEstimator

from paretune.exceptions import MitigationInputError


class OptionsEstimator(BaseEstimator):  # type: ignore[misc]
    """A scikit-learn estimator that keeps extra keyword ``options`` as parameters.

    scikit-learn's ``get_params`` only lists ``__init__``'s named arguments, so ``clone``
    would drop ``**options``. Here each option is stored as an attribute of its own name
    and listed by ``get_params``; ``set_params`` updates it, or adds a new one. Subclasses
    call :meth:`_keep_options` in ``__init__`` and :meth:`_checked_options` in ``fit``.
    """

    _option_names: tuple[str, ...] = ()

    def _keep_options(self, options: dict[str, Any]) -> None:
        for name, value in options.items():
            setattr(self, name, value)
        self._option_names = tuple(options)

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The estimator's parameters, its options included (see :meth:`set_params`)."""
        params: dict[str, Any] = super().get_params(deep=deep)
        params.update({name: getattr(self, name) for name in self._option_names})
        return params

    def set_params(self, **params: Any) -> OptionsEstimator:
        """Set parameters; a plain name that is not one yet becomes a new option.

        New options are checked against the fairlearn class when ``fit`` runs.
        """
        known = self.get_params(deep=True)
        for name in [n for n in params if n not in known and "__" not in n]:
            setattr(self, name, params.pop(name))
            self._option_names = (*self._option_names, name)
        super().set_params(**params)
        return self

    def _checked_options(self, target: Any, taken: Iterable[str]) -> dict[str, Any]:
        """The options, after checking that ``target`` (a class) takes each of them.

        Args:
            target: The fairlearn class the options are passed to.
            taken: Its arguments this estimator sets itself (not options).

        Raises:
            MitigationInputError: An option ``target`` does not take, or one of ``taken``.
        """
        allowed = set(inspect.signature(target.__init__).parameters) - {"self", *taken}
        options = {name: getattr(self, name) for name in self._option_names}
        unknown = sorted(set(options) - allowed)
        if unknown:
            raise MitigationInputError(
                f"{type(self).__name__} passes its extra options to fairlearn's "
                f"{target.__name__}, which does not take {unknown}; choose from "
                f"{sorted(allowed)}."
            )
        return options
