"""Integrations with other tools of an ML stack.

:class:`MLflowCallback` logs each finished trial as an MLflow run. The tools themselves
are optional dependencies, imported when an integration is created: ``import paretune``
and ``import paretune.integrations`` never import them.
"""

from paretune.integrations._mlflow import MLflowCallback as MLflowCallback

__all__ = ["MLflowCallback"]
