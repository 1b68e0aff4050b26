"""How the feasible front's hypervolume grew, by trial or by compute spent."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING
from typing import Literal

import numpy as np

from paretune._costs import cost_basis
from paretune.pareto import hypervolume
from paretune.trial import TrialRecord
from paretune.trial import TrialState
from paretune.visualization._data import at_full_budget
from paretune.visualization._data import fmt
from paretune.visualization._data import group_trials
from paretune.visualization._data import no_complete_message
from paretune.visualization._plotly import DEFAULT_HEIGHT
from paretune.visualization._plotly import graph_objects
from paretune.visualization._plotly import message_figure
from paretune.visualization._plotly import titled

if TYPE_CHECKING:
    from plotly.graph_objects import Figure

    from paretune.study import Study

__all__ = ["default_reference_point", "plot_hypervolume_history"]

_MARGIN = 0.1


def default_reference_point(study: Study, feasible: list[TrialRecord]) -> dict[str, float]:
    """The worst value of each objective over ``feasible``, pushed 10% of its range further.

    In loss space (every objective minimised), each coordinate is the largest loss plus a
    tenth of the spread of that objective's losses; where all losses are equal, a tenth of
    the value's magnitude, or 0.1 when it is 0. Every feasible trial thus strictly beats
    the reference and adds volume. Returned in the objectives' own units.
    """
    losses = study.losses(feasible)
    worst, best = losses.max(axis=0), losses.min(axis=0)
    spread = worst - best
    fallback = np.where(worst != 0, np.abs(worst), 1.0)
    margin = _MARGIN * np.where(spread > 0, spread, fallback)
    return {
        o.name: float(o.sign * (w + m))
        for o, w, m in zip(study.objectives, worst, margin, strict=True)
    }


def plot_hypervolume_history(
    study: Study,
    *,
    reference_point: Mapping[str, float] | None = None,
    x: Literal["trials", "compute"] = "trials",
) -> Figure:
    """Plot the hypervolume of the feasible Pareto front after each finished trial.

    Finished trials (complete, failed or stopped) are taken in number order; after each,
    the hypervolume of the feasible, non-dominated complete trials so far is computed with
    :func:`paretune.pareto.hypervolume` in loss space (see :meth:`Study.losses`), so the
    last value equals ``study.hypervolume(reference_point)``. In a study with a fidelity
    only full-budget trials count towards the front, while every trial adds its compute.

    The default reference point is the worst value of each objective over the feasible
    complete trials, moved a tenth of that objective's range further (see
    :func:`default_reference_point`); the title shows it, and the figure's
    ``layout.meta["reference_point"]`` holds it. Pass the same reference point to compare
    studies: the default depends on each study's own trials.

    Args:
        study: The study to plot.
        reference_point: Objective name -> the worst value worth counting (as in
            :meth:`Study.hypervolume`); None for the default above.
        x: ``"trials"`` plots against the trial number; ``"compute"`` against the
            cumulative compute (the summed told costs, or while no trial told one the
            durations in seconds, of the finished trials up to that one, failed and stopped
            ones included: :mod:`paretune._costs`).

    Returns:
        A ``plotly.graph_objects.Figure`` with one line, or one holding only a message when
        the study has no complete or no feasible trials.

    Raises:
        ValueError: If ``x`` is neither ``"trials"`` nor ``"compute"``, or
            ``reference_point`` lacks an objective.
        ImportError: If plotly is not installed.

    Examples:
        >>> import paretune as pt
        >>> from paretune.visualization import plot_hypervolume_history
        >>> study = pt.create_study(objectives={"error": "minimize", "size": "minimize"})
        >>> for error in (0.2, 0.5):
        ...     _ = study.tell(study.ask(), {"error": error, "size": 1.0 - error})
        >>> fig = plot_hypervolume_history(study, reference_point={"error": 1.0, "size": 1.0})
        >>> [round(volume, 3) for volume in fig.data[0].y]
        [0.16, 0.31]
    """
    go = graph_objects()
    if x not in ("trials", "compute"):
        raise ValueError(f"`x` must be 'trials' or 'compute', got {x!r}.")
    if reference_point is not None:
        missing = [o.name for o in study.objectives if o.name not in reference_point]
        if missing:
            raise ValueError(f"`reference_point` lacks objective(s) {missing!r}.")
    title = f"Hypervolume history of study {study.name!r}"
    records = study.get_trials()
    groups = group_trials(study, records)
    message = no_complete_message(study, groups)
    if message is None and not (groups.front or groups.dominated):
        message = (
            f"None of the {len(groups.shown)} complete trials of study {study.name!r} "
            "satisfies every constraint, so the feasible front is empty."
        )
    if message is not None:
        return message_figure(title, message)
    ref = dict(reference_point or default_reference_point(study, groups.front + groups.dominated))
    ref_losses = np.asarray([o.sign * float(ref[o.name]) for o in study.objectives])
    xs, ys, numbers = _history(study, records, ref_losses, by_compute=x == "compute")
    unit = cost_basis(records, study.cost_unit).unit
    x_title = "trial number" if x == "trials" else f"cumulative compute ({unit})"
    fig = go.Figure(
        go.Scatter(
            x=xs,
            y=ys,
            mode="lines+markers",
            line={"shape": "hv"},
            name="hypervolume",
            customdata=numbers,
            hovertemplate=(
                "after trial %{customdata}<br>" + x_title + ": %{x:.6g}<br>"
                "hypervolume: %{y:.6g}<extra></extra>"
            ),
        )
    )
    where = ", ".join(f"{name}={fmt(value)}" for name, value in ref.items())
    default = "" if reference_point is not None else " (default: worst feasible + 10% of range)"
    fig.update_layout(
        title_text=titled(title, f"reference point {where}{default}"),
        height=DEFAULT_HEIGHT,
        xaxis_title_text=x_title,
        yaxis_title_text="hypervolume of the feasible front",
        meta={"reference_point": ref},
    )
    return fig


def _history(
    study: Study, records: list[TrialRecord], ref: np.ndarray, *, by_compute: bool
) -> tuple[list[float], list[float], list[int]]:
    """The x, hypervolume and trial number after each finished trial, in number order."""
    front = np.empty((0, len(ref)))
    volume, compute = 0.0, 0.0
    xs: list[float] = []
    ys: list[float] = []
    numbers: list[int] = []
    basis = cost_basis(records, study.cost_unit)  # told costs, else seconds (_costs.py)
    for record in records:
        if not record.state.is_finished:
            continue
        compute += basis.of(record) or 0.0
        if (
            record.state is TrialState.COMPLETE
            and record.feasible
            and at_full_budget(study, record)
        ):
            point = study.losses([record])[0]
            dominated = np.any(np.all(front <= point, axis=1) & np.any(front < point, axis=1))
            if not dominated:  # the new trial joins the front: the volume changes
                beaten = np.all(point <= front, axis=1) & np.any(point < front, axis=1)
                front = np.vstack([front[~beaten], point])
                volume = hypervolume(front, ref)
        xs.append(compute if by_compute else float(record.number))
        ys.append(volume)
        numbers.append(record.number)
    return xs, ys, numbers
