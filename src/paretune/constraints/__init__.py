"""Constraints on what a trial measures."""

from paretune.constraints._metric import Constraint as Constraint
from paretune.constraints._metric import ConstraintSpec as ConstraintSpec
from paretune.constraints._metric import parse_constraints as parse_constraints
from paretune.constraints._params import ParamConstraint as ParamConstraint
from paretune.constraints._params import check_params as check_params

__all__ = ["Constraint", "ConstraintSpec", "ParamConstraint", "check_params", "parse_constraints"]
