"""``FairMLPClassifier``: an MLP trained under a fairness constraint by dual ascent.

The training problem is ``min_θ BCE(θ) subject to g(θ) <= eps``, where ``g`` is a
differentiable surrogate of a group-fairness gap. It is solved on its Lagrangian
``BCE(θ) + λ·(g(θ) - eps)``: each mini-batch takes an Adam step on ``θ`` (primal descent)
and then a projected gradient step on the multiplier (dual ascent),
``λ <- max(0, λ + dual_lr·(g - eps))``, with ``g`` measured on the same batch. So ``λ``
grows while the constraint is broken and shrinks back to 0 once it holds with room.

PyTorch is imported when a model is built, not when this module is; scikit-learn (for the
estimator API) is imported with the module.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from paretune.exceptions import MitigationInputError
from paretune.mitigation._checks import binary_target
from paretune.mitigation._torch_inputs import check_params
from paretune.mitigation._torch_inputs import group_codes
from paretune.mitigation._torch_inputs import layers
from paretune.mitigation._torch_surrogates import SURROGATES

_INSTALL_HINT = (
    "FairMLPClassifier needs PyTorch and scikit-learn: install the extra with "
    "`pip install 'paretune[torch]'` (it pins torch 2.13.0; on a machine without a GPU, "
    "install the CPU build first: `pip install torch==2.13.0 --index-url "
    "https://download.pytorch.org/whl/cpu`)."
)

try:
    from sklearn.base import BaseEstimator
    from sklearn.base import ClassifierMixin
    from sklearn.utils.validation import check_array
    from sklearn.utils.validation import check_is_fitted
except ImportError as exc:  # pragma: no cover - scikit-learn ships with the extra
    raise ImportError(_INSTALL_HINT) from exc

__all__ = ["FairMLPClassifier"]

EpochCallback = Callable[[int, "FairMLPClassifier"], "bool | None"]
"""``(epoch, model) -> stop``: called after each epoch; a true result ends training."""


def _import_torch() -> Any:
    """Import PyTorch, or raise ImportError with the install hint."""
    try:
        import torch
    except ImportError as exc:
        raise ImportError(_INSTALL_HINT) from exc
    return torch


@contextmanager
def _torch_threads(torch: Any, threads: int | None) -> Iterator[None]:
    """Hold PyTorch's intra-op threads at ``threads`` (None: leave them) and restore."""
    if threads is None:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _features(X: Any) -> np.ndarray:
    """``X`` as a writable C-ordered float32 array (what ``torch.from_numpy`` takes)."""
    checked = check_array(X, dtype=np.float32, order="C")
    return np.require(checked, requirements=["C_CONTIGUOUS", "WRITEABLE"])


class FairMLPClassifier(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """A binary MLP classifier trained under a fairness constraint (in-processing).

    Minimises the binary cross-entropy subject to ``g <= eps`` through the Lagrangian
    ``BCE + λ·(g - eps)``. After each mini-batch's Adam step the multiplier takes a dual
    ascent step, ``λ <- max(0, λ + dual_lr·(g - eps))``, with ``g`` the batch's gap in mean
    predicted probability (see ``constraint``); ``λ`` starts at 0. Updating per batch rather
    than per epoch lets the penalty act within the first epoch, which the lowest rung of a
    multi-fidelity search judges. ``dual_lr=0`` or ``eps >= 1`` train the plain MLP.

    The network is ``hidden`` fully connected ReLU layers and one logit output; the larger
    label of ``y`` (``classes_[1]``) is the positive class. Groups are used in ``fit`` only.
    Training is deterministic for a given ``random_state`` on CPU with one thread. Torch's
    thread count is process-wide: ``fit`` and ``predict_proba`` set it and restore it,
    so don't let threads in one process run them with different ``n_threads``.

    Args:
        hidden: Widths of the hidden layers (an int for one layer; ``()`` for a logistic
            regression).
        constraint: ``"demographic_parity"``: ``g`` is the largest gap between groups in the
            mean predicted probability. ``"equalized_odds"``: the larger of that gap among
            the positives and among the negatives. Both bound probabilities, not the
            hard-prediction rates fairlearn's differences count: check those on validation
            data.
        eps: Bound on ``g`` (a probability difference, in ``[0, 1]``).
        lr: Adam's learning rate for the weights.
        dual_lr: Step size of the multiplier's update.
        epochs: Passes over the training rows per call of :meth:`fit`.
        batch_size: Rows per mini-batch (rows are reshuffled each epoch).
        weight_decay: L2 penalty of Adam.
        warm_start: Whether :meth:`fit` continues from the fitted weights, optimizer state,
            multiplier and shuffling, training ``epochs`` more (``3 + 3`` epochs give the
            same model as 6); otherwise it starts afresh.
        random_state: Seed of initialisation and shuffling; None draws a fresh one.
        n_threads: PyTorch threads inside ``fit`` and ``predict_proba``; None leaves them.

    Attributes:
        classes_: The two labels, sorted.
        n_features_in_: Number of features seen in ``fit``.
        history_: One dict per epoch trained so far: ``epoch`` (counting across warm
            starts), ``loss`` (mean BCE over the epoch's rows), ``constraint`` (mean of the
            batches' ``g``, what ``λ`` was updated with: ``λ`` rose over an epoch whose
            ``constraint`` exceeds ``eps``) and ``lambda`` (``λ`` at the epoch's end).
        lambda_: The multiplier now.
        module_: The ``torch.nn.Sequential`` network (outputs the positive-class logit).

    Examples:
        >>> import numpy as np
        >>> from paretune.mitigation._torch import FairMLPClassifier
        >>> rng = np.random.default_rng(0)
        >>> X, group = rng.normal(size=(200, 3)), rng.integers(0, 2, 200)
        >>> y = (X[:, 0] + group > 0.5).astype(int)
        >>> model = FairMLPClassifier(hidden=(8,), epochs=5, random_state=0)
        >>> model.fit(X, y, sensitive_features=group).predict_proba(X).shape
        (200, 2)
        >>> len(model.history_)
        5
    """

    def __init__(
        self,
        *,
        hidden: int | Sequence[int] = (64,),
        constraint: str = "equalized_odds",
        eps: float = 0.05,
        lr: float = 1e-2,
        dual_lr: float = 0.5,
        epochs: int = 20,
        batch_size: int = 128,
        weight_decay: float = 1e-4,
        warm_start: bool = False,
        random_state: int | None = None,
        n_threads: int | None = 1,
    ) -> None:
        self.hidden = hidden
        self.constraint = constraint
        self.eps = eps
        self.lr = lr
        self.dual_lr = dual_lr
        self.epochs = epochs
        self.batch_size = batch_size
        self.weight_decay = weight_decay
        self.warm_start = warm_start
        self.random_state = random_state
        self.n_threads = n_threads

    def fit(
        self,
        X: Any,
        y: Any,
        *,
        sensitive_features: Any = None,
        epoch_callback: EpochCallback | None = None,
    ) -> FairMLPClassifier:
        """Train for ``epochs`` epochs (more of them after a fit, with ``warm_start``).

        Args:
            X: Numeric features, ``n x d`` (encode categorical columns first).
            y: Labels, two classes, shape ``n``.
            sensitive_features: Group label per row: a Series, array, DataFrame or dict of
                columns (several columns: their intersection). Required.
            epoch_callback: Called as ``epoch_callback(epoch, self)`` after each epoch, with
                ``epoch`` the number of epochs trained so far (counting across warm
                starts); the model predicts at that point. A true result stops training;
                an exception propagates out of ``fit``.

        Returns:
            The fitted classifier.

        Raises:
            MitigationInputError: A ValueError, on a bad parameter, ``sensitive_features``
                missing, of the wrong length or with one group, ``y`` without exactly two
                classes, or a warm start whose features, classes or ``hidden`` differ from
                the fitted model's.
            ImportError: Without PyTorch, with the install command.
        """
        check_params(self)
        X = _features(X)
        classes, codes = binary_target(y, who="FairMLPClassifier")
        if len(codes) != len(X):
            raise MitigationInputError(
                f"FairMLPClassifier.fit: y has {len(codes)} labels but X has {len(X)} rows."
            )
        groups, n_groups = group_codes(sensitive_features, len(X))
        torch = _import_torch()
        with _torch_threads(torch, self.n_threads):
            if self.warm_start and hasattr(self, "module_"):
                self._check_continuation(X, classes)
            else:
                self._initialise(torch, X.shape[1], classes)
            for group in self.optimizer_.param_groups:
                group.update(lr=self.lr, weight_decay=self.weight_decay)
            self._train(torch, X, codes, groups, n_groups, epoch_callback)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, ``n x 2`` (columns in the order of ``classes_``)."""
        check_is_fitted(self, "module_")
        X = _features(X)
        if X.shape[1] != self.n_features_in_:
            raise MitigationInputError(
                f"X has {X.shape[1]} features, but FairMLPClassifier was fitted with "
                f"{self.n_features_in_}."
            )
        torch = _import_torch()
        with _torch_threads(torch, self.n_threads), torch.no_grad():
            self.module_.eval()
            logits = self.module_(torch.from_numpy(X))[:, 0]
            p = torch.sigmoid(logits).numpy().astype(np.float64)
        return np.column_stack([1.0 - p, p])

    def predict(self, X: Any) -> np.ndarray:
        """``classes_[1]`` where its probability is at least 0.5, else ``classes_[0]``."""
        positive = self.predict_proba(X)[:, 1] >= 0.5
        labels: np.ndarray = self.classes_[positive.astype(np.intp)]
        return labels

    # ---- internals -----------------------------------------------------------------------
    def _initialise(self, torch: Any, n_features: int, classes: np.ndarray) -> None:
        seeds = np.random.SeedSequence(self.random_state).generate_state(2)
        modules: list[Any] = []
        width = n_features
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(int(seeds[0]))
            for out in layers(self.hidden) or ():
                modules += [torch.nn.Linear(width, out), torch.nn.ReLU()]
                width = out
            self.module_ = torch.nn.Sequential(*modules, torch.nn.Linear(width, 1))
        self.optimizer_ = torch.optim.Adam(self.module_.parameters())
        self._shuffle_rng = np.random.default_rng(int(seeds[1]))
        self.classes_ = classes
        self.n_features_in_ = n_features
        self.hidden_ = layers(self.hidden)
        self.lambda_ = 0.0
        self.history_: list[dict[str, float]] = []

    def _check_continuation(self, X: np.ndarray, classes: np.ndarray) -> None:
        fitted = (self.n_features_in_, self.classes_.tolist(), self.hidden_)
        now = (X.shape[1], classes.tolist(), layers(self.hidden))
        if fitted != now:
            raise MitigationInputError(
                "A warm start must keep the features, classes and hidden layers of the fitted "
                f"model: (n_features, classes, hidden) was {fitted}, now {now}; set "
                "warm_start=False to train a new model."
            )

    def _train(
        self,
        torch: Any,
        X: np.ndarray,
        codes: np.ndarray,
        groups: np.ndarray,
        n_groups: int,
        epoch_callback: EpochCallback | None,
    ) -> None:
        surrogate = SURROGATES[self.constraint]
        features = torch.from_numpy(X)
        targets = torch.from_numpy(codes.astype(np.float32))
        group_t = torch.from_numpy(groups)
        n_rows, eps, dual_lr = len(X), float(self.eps), float(self.dual_lr)
        for _ in range(self.epochs):
            self.module_.train()
            order = torch.from_numpy(self._shuffle_rng.permutation(n_rows))
            loss_sum, gs = 0.0, list[float]()
            for start in range(0, n_rows, self.batch_size):
                rows = order[start : start + self.batch_size]
                logits = self.module_(features[rows])[:, 0]
                target = targets[rows]
                bce = torch.nn.functional.binary_cross_entropy_with_logits(logits, target)
                g = surrogate(torch.sigmoid(logits), target, group_t[rows], n_groups)
                self.optimizer_.zero_grad()
                (bce + self.lambda_ * (g - eps)).backward()
                self.optimizer_.step()
                self.lambda_ = max(0.0, self.lambda_ + dual_lr * (g.item() - eps))
                loss_sum += bce.item() * len(rows)
                gs.append(g.item())
            epoch = len(self.history_) + 1
            self.history_.append(
                {
                    "epoch": epoch,
                    "loss": loss_sum / n_rows,
                    "constraint": sum(gs) / len(gs),
                    "lambda": self.lambda_,
                }
            )
            if epoch_callback is not None and epoch_callback(epoch, self):
                break
