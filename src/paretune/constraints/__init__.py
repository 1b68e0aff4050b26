"""Constraints on what a trial measures."""

from paretune.constraints._metric import Constraint as Constraint
from paretune.constraints._metric import ConstraintSpec as ConstraintSpec
from paretune.constraints._metric import parse_constraints as parse_constraints

__all__ = ["Constraint", "ConstraintSpec", "parse_constraints"]
