"""Exceptions raised by paretune.

Every error paretune raises on purpose derives from :class:`ParetuneError`, so callers can
catch the whole family with one ``except`` clause. The narrow subclasses also derive from
the built-in exception that best describes them (``ValueError``, ``KeyError``, ...), so code
written against the built-ins keeps working.
"""

from __future__ import annotations


class ParetuneError(Exception):
    """Root of every exception paretune raises on purpose."""


class InvalidDistributionError(ParetuneError, ValueError):
    """A search-space distribution was given impossible bounds, step or choices."""


class ParameterConflictError(ParetuneError, ValueError):
    """One parameter name was suggested with two different distributions in one study."""


class InvalidObjectiveError(ParetuneError, ValueError):
    """The study's objectives or constraints are badly declared."""


class InvalidMetricsError(ParetuneError, ValueError):
    """Metrics told for a trial are missing an objective, non-finite or of the wrong type."""


class InvalidConfigurationError(ParetuneError, ValueError):
    """No value of a parameter satisfies the study's parameter constraints."""


class StorageError(ParetuneError, RuntimeError):
    """A storage could not be opened, read or written."""


class SchemaVersionError(StorageError):
    """The database's schema is one this paretune cannot use as it is: written by a newer
    paretune, or older and opened read-only (so it cannot be migrated).

    Attributes:
        found: The database's schema version, or None when unknown.
        supported: The schema version this paretune reads and writes, or None when unknown.
    """

    def __init__(
        self, message: str, *, found: int | None = None, supported: int | None = None
    ) -> None:
        super().__init__(message)
        self.found = found
        self.supported = supported


class DuplicatedStudyError(ParetuneError, ValueError):
    """A study with this name already exists in the storage."""


class StudyNotFoundError(ParetuneError, KeyError):
    """No study with this name exists in the storage."""

    def __str__(self) -> str:  # KeyError would quote the message otherwise.
        return str(self.args[0]) if self.args else ""


class UpdateFinishedTrialError(ParetuneError, RuntimeError):
    """A finished trial (complete, stopped or failed) was written to again."""


class StudyIncompatibleError(ParetuneError, ValueError):
    """``load_if_exists`` found a study whose objectives or constraints differ from the request."""


class NoSelectionError(ParetuneError, ValueError):
    """No candidate trial satisfies a selection rule of :mod:`paretune.select`, or there is
    no candidate at all (an empty Pareto front).

    Attributes:
        closest: The number of the candidate that came closest to satisfying the rule, or
            None when there was none to compare (no candidates, or none trusted).
        misses: For the closest candidate, each limit it misses (as ``"metric <= bound"``)
            mapped to by how much, in the metric's units.
    """

    def __init__(
        self, message: str, *, closest: int | None = None, misses: dict[str, float] | None = None
    ) -> None:
        super().__init__(message)
        self.closest = closest
        self.misses = dict(misses or {})


class NoFeasibleTrialWarning(UserWarning):
    """Every complete trial violates at least one constraint, so the Pareto front is empty."""


class FailedTrialsWarning(UserWarning):
    """Some trials of an ``optimize`` call failed; the warning counts them by error."""


class FidelityWarning(UserWarning):
    """A cheap rung of a multi-fidelity study ranks configurations unlike the full budget."""


class RepeatedConfigurationWarning(UserWarning):
    """A study that evaluates each configuration once has tried every value left for a
    parameter, so a trial repeats a configuration (see ``deterministic_objective`` of
    :func:`~paretune.create_study`)."""


class WarmStartWarning(UserWarning):
    """A study to warm-start from could not be opened; the study goes on without it."""


class TrialStopped(ParetuneError):
    """Raise inside an objective to end the trial as *stopped* (e.g. after ``should_stop``)."""


class UnrelatedFailure(ParetuneError):
    """Raise inside an objective when a trial fails for a reason that says nothing about
    its configuration: a preempted machine, a lost connection, a GPU taken by another
    job. The trial is stored as *failed* and the study goes on (whatever ``catch`` says),
    but samplers do not learn to avoid its configuration. Chain the original error
    (``raise UnrelatedFailure("spot instance preempted") from exc``) to keep its traceback.
    """


class ObjectiveNotPicklableError(ParetuneError, TypeError):
    """``optimize(isolation="process")`` got an objective that cannot be sent to a child
    process: pickling it failed (a lambda, a nested function, a closure over a lock or an
    open connection), or it was defined in an interactive session whose ``__main__`` the
    child cannot import. The message names the cause and the fix."""


class TrialProcessError(ParetuneError, RuntimeError):
    """A trial's child process (``optimize(isolation="process")``) died, or hung, before it
    loaded the objective: nothing about the configuration, but no trial can run that way,
    so ``optimize`` stops. The commonest cause is a script that starts ``optimize`` at
    module level: ``spawn`` runs the script's module in each child, so guard the call with
    ``if __name__ == "__main__":``."""


class TestSetAccessError(ParetuneError, RuntimeError):
    """A data set's test split was requested while a search was running."""

    __test__ = False  # not a pytest test class despite its name


class EvaluationInputError(ParetuneError, ValueError):
    """Data or a model handed to :mod:`paretune.evaluate` cannot give the asked metrics."""


class MitigationInputError(ParetuneError, ValueError):
    """A mitigation estimator of :mod:`paretune.mitigation` got data or settings it cannot use:
    no sensitive features, a single group, a non-binary target, an estimator without the
    ``fit`` parameter the method needs. The message names the fix."""


class BusyTimingWarning(UserWarning):
    """Other threads of the process kept running while latency was timed."""


class SmallGroupWarning(UserWarning):
    """A sensitive group has too few rows for its fairness figures to be trusted."""
