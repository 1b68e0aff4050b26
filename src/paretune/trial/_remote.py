"""The trial an objective receives in its own process (``optimize(isolation="process")``).

The parent process keeps the real :class:`~paretune.trial.Trial`: the storage, the sampler
and the scheduler never leave it. The child process gets a :class:`RemoteTrial` whose
methods send each call over a pipe and wait for the parent's answer, so a child's
suggestions, reports and stop decisions are those a thread would have got, with any
storage (in memory too).

The protocol, one message at a time over a duplex :func:`multiprocessing.Pipe`:

* child -> parent ``("call", name, args, kwargs)`` for a public method of
  :class:`~paretune.trial.Trial`, or ``("get", name, (), {})`` for a public property
  (:func:`forwardable` says which, from the class, in both processes); the parent answers
  ``("ok", value)``, ``("record", fields)`` for a :class:`TrialRecord` (sent as plain
  dicts), or ``("error", RemoteError)``.
* child -> parent ``("return", metrics)`` or ``("raise", RemoteError)`` when the objective
  has finished; nothing follows.

This module is imported by the child, so it stays light.
"""

from __future__ import annotations

import dataclasses
import functools
import pickle
import threading
import traceback as tb
from collections.abc import Mapping
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any

from paretune.trial._record import TrialRecord
from paretune.trial._trial import Trial

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from paretune.distributions import CategoricalChoice
    from paretune.distributions import Distribution

__all__ = [
    "RemoteError",
    "RemoteTrial",
    "TrialInfo",
    "forwardable",
    "record_from_plain",
    "record_to_plain",
]


def forwardable(name: str) -> str | None:
    """``"call"`` when ``name`` is a public method of :class:`~paretune.trial.Trial`,
    ``"get"`` when it is a public property, None otherwise (``study`` included: the study
    stays in the parent)."""
    if name.startswith("_") or name == "study":
        return None
    attribute = getattr(Trial, name, None)
    if isinstance(attribute, property):
        return "get"
    return "call" if callable(attribute) else None


def record_to_plain(record: TrialRecord) -> dict[str, Any]:
    """The record's fields as plain dicts (its read-only views do not pickle)."""
    plain: dict[str, Any] = {}
    for field in dataclasses.fields(record):
        value = getattr(record, field.name)
        if field.name == "intermediate":
            value = {step: dict(metrics) for step, metrics in value.items()}
        elif isinstance(value, Mapping):
            value = dict(value)
        plain[field.name] = value
    return plain


def record_from_plain(plain: Mapping[str, Any] | None) -> TrialRecord | None:
    """The record :func:`record_to_plain` took apart."""
    return None if plain is None else TrialRecord(**plain)


class _RemoteTraceback(Exception):
    """Carries the child's formatted traceback as the ``__cause__`` of its re-raised error."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text

    def __str__(self) -> str:
        return self.text


@dataclasses.dataclass(frozen=True)
class RemoteError:
    """An exception on its way between the processes.

    Attributes:
        pickled: The exception pickled, or None when it does not survive pickling.
        type_name: Its class's name.
        message: ``str(exc)``.
        traceback: The traceback formatted where it was raised, or None.
    """

    pickled: bytes | None
    type_name: str
    message: str
    traceback: str | None

    @classmethod
    def wrap(cls, exc: BaseException, *, with_traceback: bool = True) -> RemoteError:
        """Pack ``exc``, keeping it whole when it pickles both ways."""
        pickled: bytes | None
        try:
            pickled = pickle.dumps(exc)
            pickle.loads(pickled)
        except Exception:
            pickled = None
        text = "".join(tb.format_exception(exc)) if with_traceback else None
        return cls(pickled, type(exc).__name__, str(exc), text)

    def unwrap(self) -> BaseException:
        """The exception to raise here, chained to the remote traceback when there is one.

        One that does not unpickle here comes back as a ``RuntimeError`` naming its type.
        """
        exc: BaseException | None = None
        if self.pickled is not None:
            try:
                exc = pickle.loads(self.pickled)
            except Exception:
                exc = None
        if not isinstance(exc, BaseException):
            exc = RuntimeError(
                f"{self.type_name}: {self.message}" if self.message else self.type_name
            )
        if self.traceback:
            exc.__cause__ = _RemoteTraceback(self.traceback)
        return exc


@dataclasses.dataclass(frozen=True)
class TrialInfo:
    """What a child's trial knows without asking: its identity and starting record."""

    number: int
    seed: int
    trial_id: int
    record: dict[str, Any]
    budget: float | None
    previous_budget: float | None
    config: int


_NO_STUDY = (
    "trial.study is not available to an objective run with isolation='process': the study "
    "stays in the parent process. Read what the objective needs from the study before "
    "optimize and pass it in, e.g. with functools.partial."
)


class RemoteTrial:
    """The trial an objective receives in a child process (``isolation="process"``).

    It has :class:`~paretune.trial.Trial`'s methods and properties, answered by the real
    trial in the parent process (those not spelled out here are forwarded by name), except
    :attr:`study`: the study stays in the parent. It is not a ``Trial`` instance.
    Thread-safe: calls from several threads of the child are answered one at a time.
    """

    def __init__(self, conn: Connection, info: TrialInfo) -> None:
        self._conn = conn
        self._info = info
        self._lock = threading.Lock()

    # ---- identity, fixed at start ------------------------------------------------------
    @property
    def number(self) -> int:
        """The trial's number within the study."""
        return self._info.number

    @property
    def seed(self) -> int:
        """The trial's seed (see :attr:`Trial.seed <paretune.trial.Trial.seed>`)."""
        return self._info.seed

    @property
    def trial_id(self) -> int:
        """The storage's identifier of the trial."""
        return self._info.trial_id

    @property
    def record(self) -> TrialRecord:
        """The record the trial started with."""
        return TrialRecord(**self._info.record)

    @property
    def budget(self) -> float | None:
        """The budget to train at in a study with a fidelity; None otherwise."""
        return self._info.budget

    @property
    def previous_budget(self) -> float | None:
        """The budget this configuration reached before a promotion; else None."""
        return self._info.previous_budget

    @property
    def config(self) -> int:
        """The number of the trial that first trained this configuration."""
        return self._info.config

    @property
    def study(self) -> Any:
        """Not available in a child process.

        Raises:
            AttributeError: Always; read what the objective needs from the study before
                ``optimize`` and pass it in (``functools.partial``).
        """
        raise AttributeError(_NO_STUDY)

    # ---- answered by the parent ----------------------------------------------------------
    @property
    def params(self) -> dict[str, Any]:
        """A copy of the parameters suggested so far."""
        return self._ask("get", "params")  # type: ignore[no-any-return]

    @property
    def distributions(self) -> dict[str, Distribution]:
        """A copy of the distributions of the parameters suggested so far."""
        return self._ask("get", "distributions")  # type: ignore[no-any-return]

    @property
    def stop_reason(self) -> str | None:
        """Why :meth:`should_stop` said True; None otherwise."""
        return self._ask("get", "stop_reason")  # type: ignore[no-any-return]

    @property
    def previous_trial(self) -> TrialRecord | None:
        """The record of the trial that trained this configuration at the previous budget."""
        return self._ask("get", "previous_trial")  # type: ignore[no-any-return]

    @property
    def reported_cost(self) -> float | None:
        """The cost told with the report at the highest step that had one, or None."""
        return self._ask("get", "reported_cost")  # type: ignore[no-any-return]

    def suggest_float(
        self, name: str, low: float, high: float, *, log: bool = False, step: float | None = None
    ) -> float:
        """Suggest a float in ``[low, high]`` (see :meth:`Trial.suggest_float`)."""
        return self._ask("call", "suggest_float", name, low, high, log=log, step=step)  # type: ignore[no-any-return]

    def suggest_int(
        self, name: str, low: int, high: int, *, log: bool = False, step: int = 1
    ) -> int:
        """Suggest an integer in ``[low, high]`` (see :meth:`Trial.suggest_int`)."""
        return self._ask("call", "suggest_int", name, low, high, log=log, step=step)  # type: ignore[no-any-return]

    def suggest_categorical(
        self, name: str, choices: Sequence[CategoricalChoice]
    ) -> CategoricalChoice:
        """Suggest one of ``choices`` (see :meth:`Trial.suggest_categorical`)."""
        return self._ask("call", "suggest_categorical", name, tuple(choices))  # type: ignore[no-any-return]

    def report(self, metrics: Mapping[str, float], step: int, *, cost: float | None = None) -> None:
        """Record intermediate metrics at ``step`` (see :meth:`Trial.report`)."""
        plain = dict(metrics) if isinstance(metrics, Mapping) else metrics
        self._ask("call", "report", plain, step, cost=cost)

    def should_stop(self) -> bool:
        """Whether the last report showed the trial should end now."""
        return self._ask("call", "should_stop")  # type: ignore[no-any-return]

    def set_user_attr(self, key: str, value: Any) -> None:
        """Attach a JSON value to the trial."""
        self._ask("call", "set_user_attr", key, value)

    def __getattr__(self, name: str) -> Any:
        """Forward the trial's other public methods and properties to the parent."""
        verb = forwardable(name)
        if name == "study":  # Python comes here when the property raises AttributeError
            raise AttributeError(_NO_STUDY)
        if verb is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        if verb == "get":
            return self._ask("get", name)
        return functools.partial(self._ask, "call", name)

    def _ask(self, verb: str, name: str, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            self._conn.send((verb, name, args, kwargs))
            status, value = self._conn.recv()
        if status == "error":
            raise value.unwrap()
        if status == "record":
            return record_from_plain(value)
        return value

    def __repr__(self) -> str:
        return f"RemoteTrial(number={self.number})"
