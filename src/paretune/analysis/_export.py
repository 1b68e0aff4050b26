"""The last step: refit the chosen configuration, test it once, save it with a model card."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import pathlib
import pickle
import subprocess
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import asdict
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any

from paretune.analysis._test_front import test_front
from paretune.trial._environment import current_environment

if TYPE_CHECKING:
    from paretune.study import Study
    from paretune.trial import TrialRecord

__all__ = ["ModelCard", "data_fingerprint", "export_model"]

MODEL_FILE = "model.pkl"
CARD_FILE = "model_card.json"


@dataclass(frozen=True)
class ModelCard:
    """What a shipped model is and how it measured, as written to ``model_card.json``.

    Attributes:
        study: The study's name.
        trial: The chosen trial's number.
        rule: How it was chosen (the rule's repr, or the caller's text).
        params: Its parameters.
        validation: The metrics the search saw for it.
        repeats: Mean and interval per metric over its re-evaluations, if any.
        test: Test-split metrics, measured once after the refit.
        test_intervals: Their bootstrap intervals.
        confidence: The intervals' level.
        data: Fingerprints (SHA-256) of the data the refit and the test used.
        environment: The process that refit it (host, Python and package versions).
        code_version: ``git describe``-style commit of the working tree, when in one.
        created_at: When the card was written (UTC, ISO 8601).
    """

    study: str
    trial: int
    rule: str
    params: dict[str, Any]
    validation: dict[str, float]
    repeats: dict[str, Any] | None
    test: dict[str, float]
    test_intervals: dict[str, list[float]]
    confidence: float
    data: dict[str, str]
    environment: dict[str, Any]
    code_version: str | None
    created_at: str


def data_fingerprint(*arrays: Any) -> str:
    """SHA-256 over the values of ``arrays`` (NumPy arrays, pandas frames or series)."""
    import numpy as np
    import pandas as pd

    digest = hashlib.sha256()
    for array in arrays:
        if isinstance(array, (pd.DataFrame, pd.Series)):
            digest.update(pd.util.hash_pandas_object(array, index=False).to_numpy().tobytes())
        else:
            digest.update(np.ascontiguousarray(np.asarray(array)).tobytes())
    return digest.hexdigest()


def _code_version() -> str | None:
    try:
        described = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return described.stdout.strip() or None


def export_model(
    study: Study,
    trial: TrialRecord,
    fit: Callable[[dict[str, Any]], Any],
    X_test: Any,
    y_test: Any,
    path: str | os.PathLike[str],
    *,
    sensitive_features: Any = None,
    metrics: Sequence[str] | None = None,
    rule: object = None,
    fingerprint: Sequence[Any] = (),
    n_resamples: int = 200,
    confidence: float = 0.95,
    seed: int = 0,
) -> ModelCard:
    """Refit ``trial``'s configuration, evaluate it once on the test split, and save both.

    ``fit(params)`` returns the model refit on the data the study searched with (train
    plus validation, typically); the test rows are used here only, through
    :func:`test_front` (bootstrap intervals within each sensitive group). ``path`` (a
    folder, created if missing) receives ``model.pkl`` (the fitted model, pickled) and
    ``model_card.json`` (the :class:`ModelCard`).

    Args:
        study: The finished study.
        trial: The chosen trial (e.g. ``study.select(rule)``).
        fit: Parameters -> fitted model (applying any tuned threshold itself).
        X_test: Test features.
        y_test: Test labels.
        path: The folder to write to.
        sensitive_features: Test group labels, for the fairness figures.
        metrics: What to measure on test (default: the study's objectives and constrained
            metrics that :func:`paretune.evaluate.classifier` knows).
        rule: How the trial was chosen, recorded on the card.
        fingerprint: The training data (arrays or frames) to fingerprint on the card, with
            the test split's, which is always fingerprinted.
        n_resamples: Bootstrap resamples for the test intervals.
        confidence: Their level.
        seed: Bootstrap seed.

    Returns:
        The :class:`ModelCard` written.
    """
    folder = pathlib.Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    fitted: dict[int, Any] = {}

    def refit(record: TrialRecord) -> Any:
        if record.number not in fitted:
            fitted[record.number] = fit(dict(record.params))
        return fitted[record.number]

    report = test_front(
        study,
        refit,
        X_test,
        y_test,
        sensitive_features=sensitive_features,
        metrics=metrics,
        trials=[trial],
        n_resamples=n_resamples,
        confidence=confidence,
        seed=seed,
    )
    result = report.results[0]
    summary = study.repeat_summary(trial.number, confidence)
    data = {"test": data_fingerprint(X_test, y_test)}
    if fingerprint:
        data["train"] = data_fingerprint(*fingerprint)
    card = ModelCard(
        study=study.name,
        trial=trial.number,
        rule="not recorded" if rule is None else rule if isinstance(rule, str) else repr(rule),
        params=dict(trial.params),
        validation=dict(trial.metrics),
        repeats=None
        if summary is None
        else {
            "n": summary.n,
            "mean": dict(summary.mean),
            "intervals": {k: list(v) for k, v in summary.intervals.items()},
        },
        test=dict(result.test),
        test_intervals={k: list(v) for k, v in result.test.intervals.items()},
        confidence=confidence,
        data=data,
        environment=current_environment(),
        code_version=_code_version(),
        created_at=dt.datetime.now(dt.timezone.utc).isoformat(),
    )
    with open(folder / MODEL_FILE, "wb") as handle:
        pickle.dump(fitted[trial.number], handle)
    (folder / CARD_FILE).write_text(json.dumps(asdict(card), indent=2) + "\n", encoding="utf-8")
    return card
