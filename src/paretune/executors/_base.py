"""The executor contract: where ``Study.optimize(executor=...)`` runs its trials."""

from __future__ import annotations

import abc
from collections.abc import Callable
from collections.abc import Sequence
from typing import TYPE_CHECKING

from paretune.executors._ledger import TrialLedger

if TYPE_CHECKING:
    from paretune.study import Study
    from paretune.study._optimize import ObjectiveFunction
    from paretune.trial import TrialRecord

__all__ = ["BaseExecutor"]


class BaseExecutor(abc.ABC):
    """Runs the trials of an ``optimize`` call somewhere else than this process's threads.

    ``Study.optimize(objective, ..., executor=executor)`` checks its arguments, then calls
    :meth:`run` once, in the calling thread (the *driver*). :meth:`run` does what every
    executor shares: it resets :meth:`Study.stop`, reaps lapsed leases, builds the
    :class:`TrialLedger` of the call, calls :meth:`_execute`, and after it returns or
    raises closes the progress bar and warns once about failed trials. Do not override
    :meth:`run`; implement :meth:`_execute`.

    The contract of :meth:`_execute(study, objective, ledger) <_execute>`:

    * **Starting.** Before a trial starts, call ``ledger.may_start()``; start none once it
      returned False. Each trial runs ``ask``, the objective and ``tell`` on the study's
      storage (any worker may open the study by name), so that trial numbers, leases,
      promotions of multi-fidelity studies and retries work as with local workers.
    * **Finishing.** In the driver, pass each finished trial's stored record to
      ``ledger.finished(record, error)`` (``error``: the caught exception that failed
      it, when it can be carried back) in the order the trials finish; it runs the
      callbacks and may raise. Count a trial whose worker died with
      ``ledger.worker_lost(reason)``.
    * **Errors.** When the objective raised an exception outside ``ledger.catch`` (the
      trial is already told as failed) or ``ledger.finished`` raised, start no further
      trial, let the running ones finish, then raise it. On ``KeyboardInterrupt``, cancel
      what runs and raise.
    * **Returning.** Return once no trial this call started is running, or once the lease
      of every lost one has lapsed and :meth:`Study.reap` has failed it.

    Executors are stateless between calls apart from connections; one object may serve
    several studies, one call at a time.
    """

    def run(
        self,
        study: Study,
        objective: ObjectiveFunction,
        *,
        n_trials: int | None,
        timeout: float | None,
        max_cost: float | None,
        catch: tuple[type[BaseException], ...],
        callbacks: Sequence[Callable[[Study, TrialRecord], None]],
        show_progress_bar: bool = False,
    ) -> None:
        """Run trials of ``study`` until a limit is reached; see :meth:`Study.optimize`.

        The arguments arrive checked from :meth:`Study.optimize`.

        Raises:
            Exception: What the objective raised outside ``catch``, what a callback raised,
                the fail-fast error, or the executor's own errors (see :meth:`_execute`).
        """
        from paretune.study._progress import ProgressBar

        progress = (
            ProgressBar(study, n_trials=n_trials, timeout=timeout, max_cost=max_cost)
            if show_progress_bar
            else None
        )
        ledger = TrialLedger(
            study,
            n_trials=n_trials,
            timeout=timeout,
            max_cost=max_cost,
            catch=catch,
            callbacks=callbacks,
            progress=progress,
        )
        study._stop_requested = False
        study._in_optimize = True
        try:
            study.reap()
            self._execute(study, objective, ledger)
        finally:
            study._in_optimize = False
            if progress is not None:
                progress.close()
        ledger.warn_failures()

    @abc.abstractmethod
    def _execute(self, study: Study, objective: ObjectiveFunction, ledger: TrialLedger) -> None:
        """Run the trials the ledger allows (the contract is in the class docstring).

        Args:
            study: The study, as the driver holds it.
            objective: The objective to run on each trial.
            ledger: The call's limits and bookkeeping.
        """
