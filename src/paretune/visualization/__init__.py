"""Plots of a study, as plotly figures: the front, its growth, constraints, parameters,
per-group fairness, cross-fidelity calibration, importance and the trials' timeline.

Every function takes a :class:`~paretune.study.Study` and returns a
``plotly.graph_objects.Figure``; show it with ``fig.show()`` or save it with
``fig.write_html(path)``. A study with nothing to plot yet (no complete trials, or not the
kind the plot needs) gives a figure whose annotation says why, rather than an error.

plotly is imported when a plot is drawn, not with this module; without it every function
raises ``ImportError`` naming the extra to install: ``pip install 'paretune[plot]'``.
"""

from paretune.visualization._constraints import plot_constraints as plot_constraints
from paretune.visualization._fidelity import plot_fidelity as plot_fidelity
from paretune.visualization._groups import plot_group_metrics as plot_group_metrics
from paretune.visualization._hypervolume import plot_hypervolume_history as plot_hypervolume_history
from paretune.visualization._importance import plot_importance as plot_importance
from paretune.visualization._parallel import plot_parallel_coordinate as plot_parallel_coordinate
from paretune.visualization._pareto_front import plot_pareto_front as plot_pareto_front
from paretune.visualization._timeline import plot_timeline as plot_timeline

__all__ = [
    "plot_constraints",
    "plot_fidelity",
    "plot_group_metrics",
    "plot_hypervolume_history",
    "plot_importance",
    "plot_parallel_coordinate",
    "plot_pareto_front",
    "plot_timeline",
]
